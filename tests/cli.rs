// SPDX-License-Identifier: BSD-3-Clause
//! The command line and config file as a user meets them: the real
//! binary, its exit codes, and where its messages go. No privileges needed:
//! every case here ends before the daemon touches the kernel.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_mptcpd");

fn mptcpd(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run mptcpd")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A config file in a private temp dir, removed on drop.
struct Conf {
    dir: PathBuf,
    path: PathBuf,
}

impl Conf {
    fn new(name: &str, text: &str, mode: u32) -> Conf {
        let dir = std::env::temp_dir().join(format!("mptcpd-cli-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("mptcpd.conf");
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        Conf { dir, path }
    }
    fn arg(&self) -> String {
        format!("--config={}", self.path.display())
    }
}

impl Drop for Conf {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn assert_usage_error(args: &[&str], culprit: &str) {
    let o = mptcpd(args);
    assert_eq!(o.status.code(), Some(64), "{args:?}: {}", stderr(&o));
    let e = stderr(&o);
    let first = e.lines().next().unwrap_or("");
    assert!(
        first.contains(culprit),
        "{args:?}: {first:?} does not name {culprit:?}"
    );
    assert!(e.contains("--help"), "{args:?}: no hint: {e}");
    assert!(o.stdout.is_empty());
}

#[test]
fn help_usage_version_on_stdout() {
    for a in ["--help", "-?", "--he"] {
        let o = mptcpd(&[a]);
        assert_eq!(o.status.code(), Some(0), "{a}");
        let out = stdout(&o);
        assert!(out.starts_with("Usage: mptcpd [OPTION...]"), "{a}: {out}");
        for opt in [
            "--addr-flags",
            "--notify-flags",
            "--plugin-dir",
            "--path-manager",
            "--load-plugins",
            "--log",
            "--debug",
            "--config",
            "--usage",
            "--version",
        ] {
            assert!(out.contains(opt), "--help lacks {opt}");
        }
        assert!(o.stderr.is_empty());
    }
    let o = mptcpd(&["--usage"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("Usage: mptcpd [-d?V]"));
    for a in ["-V", "--version", "--vers"] {
        let o = mptcpd(&[a]);
        assert_eq!(o.status.code(), Some(0));
        assert_eq!(
            stdout(&o),
            format!("mptcpd {}\n", env!("CARGO_PKG_VERSION"))
        );
    }
}

#[test]
fn usage_errors_exit_64_and_name_the_culprit() {
    assert_usage_error(&["--bogus"], "'--bogus'");
    assert_usage_error(&["-x"], "'x'");
    assert_usage_error(&["--log"], "'--log'");
    assert_usage_error(&["-l"], "'--log'");
    assert_usage_error(&["--log=files"], "\"files\"");
    assert_usage_error(&["--log", "sys"], "\"sys\"");
    assert_usage_error(&["--addr-flags=subflow,bogus"], "\"bogus\"");
    assert_usage_error(&["--addr-flags", "signal,fullmesh"], "fullmesh");
    assert_usage_error(&["--notify-flags=existing,skip_lo"], "\"skip_lo\"");
    assert_usage_error(&["--plugin-dir="], "plugin directory");
    assert_usage_error(&["--path-manager="], "path manager");
    assert_usage_error(&["--load-plugins="], "load plugins");
    assert_usage_error(&["--config="], "config file");
    assert_usage_error(&["--debug=yes"], "'--debug'");
    assert_usage_error(&["stray"], "Too many arguments");
    assert_usage_error(&["--p=x"], "ambiguous");
    assert_usage_error(&["--lo", "null"], "ambiguous");
}

#[test]
fn unknown_policy_exits_1_listing_compiled_in() {
    let c = Conf::new("policy", "[core]\n", 0o644);
    let o = mptcpd(&[&c.arg(), "--path-manager=ndiffports"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("\"ndiffports\""), "{e}");
    for name in mptcpd::policy::COMPILED_IN {
        assert!(e.contains(name), "{e} does not list {name}");
    }
    let o = mptcpd(&[&c.arg(), "--load-plugins=addr_adv,nope"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("\"nope\""));
}

#[test]
fn config_errors_exit_78_with_file_and_line() {
    let c = Conf::new("syntax", "[core]\nlog=stderr\nnot an ini line\n", 0o644);
    let o = mptcpd(&[&c.arg()]);
    assert_eq!(o.status.code(), Some(78), "{}", stderr(&o));
    let want = format!("{}:3:", c.path.display());
    assert!(stderr(&o).contains(&want), "{} lacks {want}", stderr(&o));

    let c = Conf::new(
        "value",
        "[core]\n# flags\naddr-flags=subflow,bogus\n",
        0o644,
    );
    let o = mptcpd(&[&c.arg()]);
    assert_eq!(o.status.code(), Some(78));
    let e = stderr(&o);
    assert!(e.contains(":3:") && e.contains("\"bogus\""), "{e}");

    let c = Conf::new("iface", "[interface eth[0-]\n", 0o644);
    let o = mptcpd(&[&c.arg()]);
    assert_eq!(o.status.code(), Some(78));
    assert!(stderr(&o).contains(":1:"));
}

#[test]
fn unsafe_config_files_are_refused() {
    let c = Conf::new("worldw", "[core]\n", 0o646);
    let o = mptcpd(&[&c.arg()]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains(&c.path.display().to_string()) && e.contains("world writable"),
        "{e}"
    );

    let o = mptcpd(&[&format!("--config={}", c.dir.display())]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("not world writable"));

    let missing = c.dir.join("absent.conf");
    let o = mptcpd(&[&format!("--config={}", missing.display())]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a file named with --config must exist"
    );
    assert!(stderr(&o).contains("absent.conf"));
}

#[test]
fn unknown_keys_warn_and_continue() {
    // The policy error stops the run after the file was accepted.
    let c = Conf::new("unknown", "[core]\ncolour=blue\npath-manager=zzz\n", 0o644);
    let o = mptcpd(&[&c.arg()]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("warning:") && e.contains(":2:") && e.contains("colour"),
        "{e}"
    );
    assert!(e.contains("\"zzz\""), "{e}");
}

#[test]
fn command_line_beats_file_beats_default() {
    // The file sends logs nowhere: its own policy error is silent.
    let c = Conf::new("prec", "[core]\nlog=null\npath-manager=zzz\n", 0o644);
    let o = mptcpd(&[&c.arg()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).is_empty(),
        "log=null from the file: {}",
        stderr(&o)
    );
    // The command line's log destination wins over the file's.
    let o = mptcpd(&[&c.arg(), "--log=stderr"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("\"zzz\""));
    // The command line's policy wins over the file's (which is invalid):
    // the run then fails later for another reason or runs, but never
    // because of "zzz".
    let o = mptcpd(&[&c.arg(), "--log=stderr", "--path-manager=qqq"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("\"qqq\"") && !e.contains("zzz"), "{e}");
    // Without any setting, the default destination is stderr.
    let d = Conf::new("prec-default", "[core]\npath-manager=zzz\n", 0o644);
    let o = mptcpd(&[&d.arg()]);
    assert!(stderr(&o).contains("\"zzz\""));
}

#[test]
fn plugin_dir_is_accepted() {
    let c = Conf::new(
        "plugdir",
        "[core]\nplugin-dir=/usr/lib/mptcpd\npath-manager=zzz\n",
        0o644,
    );
    let o = mptcpd(&[&c.arg(), "--plugin-dir=/nonexistent"]);
    // Accepted (no usage error); noted once at info level.
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("/nonexistent") && e.contains("no effect"), "{e}");
    assert_eq!(e.matches("no effect").count(), 1);
}
