// SPDX-License-Identifier: BSD-3-Clause
//! The daemon binary started the way a user would, inside a test's
//! namespace, with its stderr collected line by line.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Netns;

pub const BIN: &str = env!("CARGO_BIN_EXE_mptcpd");

pub struct Daemon {
    child: Option<Child>,
    pub pid: u32,
    lines: Arc<Mutex<Vec<String>>>,
    conf: Option<PathBuf>,
}

/// Writes a config file for one test (mode 0644, removed with the daemon).
pub fn write_conf(tag: &str, text: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let p = std::env::temp_dir().join(format!("mptcpd-test-{}-{tag}.conf", std::process::id()));
    std::fs::write(&p, text).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    p
}

impl Daemon {
    /// Starts `mptcpd --log=stderr -d ARGS` in `ns` with its own config
    /// file holding `conf` (so the host's /etc/mptcpd is never read).
    pub fn start(ns: &Netns, conf: &str, args: &[&str]) -> Daemon {
        let path = write_conf(&format!("{}-{}", ns.name(), args.len()), conf);
        let config = format!("--config={}", path.display());
        let mut child = Command::new("ip")
            .args([
                "netns",
                "exec",
                ns.name(),
                BIN,
                "--log=stderr",
                "-d",
                &config,
            ])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn mptcpd");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for l in BufReader::new(err).lines().map_while(Result::ok) {
                if std::env::var_os("MPTCPD_TEST_ECHO").is_some() {
                    eprintln!("[mptcpd] {l}");
                }
                sink.lock().unwrap().push(l);
            }
        });
        // `ip netns exec` execs the daemon: the pid is the daemon's.
        let pid = child.id();
        Daemon {
            child: Some(child),
            pid,
            lines,
            conf: Some(path),
        }
    }

    /// Starts and waits for the ready line; panics with the log if the
    /// daemon exits or does not get ready in time.
    pub fn start_ready(ns: &Netns, conf: &str, args: &[&str]) -> Daemon {
        let mut d = Daemon::start(ns, conf, args);
        if !d.wait_line(Duration::from_secs(5), |l| {
            l.contains(" ready, path manager ")
        }) {
            let st = d.try_status();
            panic!("daemon not ready (status {st:?}):\n{}", d.log());
        }
        d
    }

    pub fn config_path(&self) -> PathBuf {
        self.conf.clone().unwrap()
    }

    pub fn log(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }

    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    pub fn count_lines(&self, pred: impl Fn(&str) -> bool) -> usize {
        self.lines
            .lock()
            .unwrap()
            .iter()
            .filter(|l| pred(l))
            .count()
    }

    /// Waits until a log line satisfies `pred`.
    pub fn wait_line(&mut self, timeout: Duration, pred: impl Fn(&str) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if self.lines.lock().unwrap().iter().any(|l| pred(l)) {
                return true;
            }
            if Instant::now() >= deadline || self.try_status().is_some() {
                // One last look: the line may have come with the exit.
                std::thread::sleep(Duration::from_millis(20));
                return self.lines.lock().unwrap().iter().any(|l| pred(l));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    pub fn signal(&self, sig: i32) {
        // SAFETY: plain kill(2) on our own child.
        unsafe { libc::kill(self.pid as i32, sig) };
    }

    pub fn try_status(&mut self) -> Option<ExitStatus> {
        self.child
            .as_mut()
            .and_then(|c| c.try_wait().ok().flatten())
    }

    /// Waits up to `timeout` for the exit; None if still running.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(s) = self.try_status() {
                return Some(s);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// SIGTERM and wait (the daemon removes its endpoints on the way out).
    pub fn stop(&mut self) -> Option<ExitStatus> {
        self.signal(libc::SIGTERM);
        self.wait_exit(Duration::from_secs(10))
    }

    /// /proc/<pid>/status field, e.g. "VmRSS" or "voluntary_ctxt_switches".
    pub fn status_field(&self, key: &str) -> Option<u64> {
        let s = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).ok()?;
        s.lines()
            .find(|l| l.starts_with(key) && l[key.len()..].starts_with(':'))
            .and_then(|l| l[key.len() + 1..].split_whitespace().next()?.parse().ok())
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            if c.try_wait().ok().flatten().is_none() {
                let _ = c.kill();
            }
            let _ = c.wait();
        }
        if let Some(p) = self.conf.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}
