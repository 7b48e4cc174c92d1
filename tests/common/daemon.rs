// SPDX-License-Identifier: BSD-3-Clause
//! The daemon binary started inside a test's namespace, the way a user
//! would, with its stderr collected line by line (each line with its
//! arrival time, for the benches).

use std::io::{BufRead, BufReader};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Netns;

pub const BIN: &str = env!("CARGO_BIN_EXE_mptcpd");

/// How the daemon process is started.
#[derive(Clone, Copy)]
pub enum Launch<'a> {
    /// `ip netns exec NS BIN --log=stderr -d …`: the tests, with the
    /// debug log they read.
    Debug,
    /// The same without `-d`, as in production.
    Quiet,
    /// `bin --log=stderr …` without `-d`, exec'd straight into the
    /// namespace (setns(2) between fork and exec), so no `ip netns exec`
    /// start-up is counted in a measurement.
    Direct(&'a str),
}

pub struct Daemon {
    child: Option<Child>,
    pub pid: u32,
    /// Just before the process was spawned.
    pub started: Instant,
    lines: Arc<Mutex<Vec<(Instant, String)>>>,
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
        Daemon::launch(ns, conf, args, Launch::Debug)
    }

    /// Starts and waits for the ready line; panics with the log if the
    /// daemon exits or does not get ready in time.
    pub fn start_ready(ns: &Netns, conf: &str, args: &[&str]) -> Daemon {
        Daemon::launch_ready(ns, conf, args, Launch::Debug)
    }

    /// [`Daemon::start_ready`], started as `how` says.
    pub fn launch_ready(ns: &Netns, conf: &str, args: &[&str], how: Launch) -> Daemon {
        let mut d = Daemon::launch(ns, conf, args, how);
        if d.ready_at(Duration::from_secs(5)).is_none() {
            let st = d.try_status();
            panic!("daemon not ready (status {st:?}):\n{}", d.log());
        }
        d
    }

    /// [`Daemon::start`], started as `how` says.
    pub fn launch(ns: &Netns, conf: &str, args: &[&str], how: Launch) -> Daemon {
        let path = write_conf(&format!("{}-{}", ns.name(), args.len()), conf);
        let config = format!("--config={}", path.display());
        let mut cmd = match how {
            Launch::Debug | Launch::Quiet => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", ns.name(), BIN]);
                c
            }
            Launch::Direct(bin) => Command::new(bin),
        };
        cmd.arg("--log=stderr");
        if let Launch::Debug = how {
            cmd.arg("-d");
        }
        cmd.arg(&config)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        // Kept open until the spawn: the child enters it by fd.
        let netns_file = matches!(how, Launch::Direct(_)).then(|| {
            let f = std::fs::File::open(format!("/run/netns/{}", ns.name())).unwrap();
            let fd = f.as_raw_fd();
            // SAFETY: setns(2) only, async-signal-safe, between fork and
            // exec.
            unsafe {
                cmd.pre_exec(move || {
                    if libc::setns(fd, libc::CLONE_NEWNET) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
            f
        });
        let started = Instant::now();
        let mut child = cmd.spawn().expect("spawn mptcpd");
        drop(netns_file);
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        let err = child.stderr.take().unwrap();
        let echo = std::env::var_os("MPTCPD_TEST_ECHO").is_some();
        std::thread::spawn(move || {
            for l in BufReader::new(err).lines().map_while(Result::ok) {
                let now = Instant::now();
                if echo {
                    eprintln!("[mptcpd] {l}");
                }
                sink.lock().unwrap().push((now, l));
            }
        });
        // `ip netns exec` execs the daemon: the pid is the daemon's.
        let pid = child.id();
        Daemon {
            child: Some(child),
            pid,
            started,
            lines,
            conf: Some(path),
        }
    }

    pub fn config_path(&self) -> PathBuf {
        self.conf.clone().unwrap()
    }

    pub fn log(&self) -> String {
        self.lines().join("\n")
    }

    pub fn lines(&self) -> Vec<String> {
        let lines = self.lines.lock().unwrap();
        lines.iter().map(|(_, l)| l.clone()).collect()
    }

    pub fn count_lines(&self, pred: impl Fn(&str) -> bool) -> usize {
        let lines = self.lines.lock().unwrap();
        lines.iter().filter(|(_, l)| pred(l)).count()
    }

    /// Waits until a log line satisfies `pred`.
    pub fn wait_line(&mut self, timeout: Duration, pred: impl Fn(&str) -> bool) -> bool {
        self.line_at(timeout, pred).is_some()
    }

    /// Waits for the ready line and returns when it arrived.
    pub fn ready_at(&mut self, timeout: Duration) -> Option<Instant> {
        self.line_at(timeout, |l| l.contains(" ready, path manager "))
    }

    /// Waits until a log line satisfies `pred` and returns the arrival
    /// time of the first that does.
    pub fn line_at(&mut self, timeout: Duration, pred: impl Fn(&str) -> bool) -> Option<Instant> {
        let first = |d: &Daemon| {
            let lines = d.lines.lock().unwrap();
            lines.iter().find(|(_, l)| pred(l)).map(|(t, _)| *t)
        };
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(t) = first(self) {
                return Some(t);
            }
            if Instant::now() >= deadline || self.try_status().is_some() {
                // One last look: the line may have come with the exit.
                std::thread::sleep(Duration::from_millis(20));
                return first(self);
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

    /// [`Daemon::stop`] and expect exit status 0; panics with the log.
    pub fn stop_ok(&mut self) {
        let st = self.stop();
        assert_eq!(st.and_then(|s| s.code()), Some(0), "{}", self.log());
    }

    /// /proc/<pid>/status field, e.g. "VmRSS" or "voluntary_ctxt_switches".
    pub fn status_field(&self, key: &str) -> Option<u64> {
        let s = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).ok()?;
        s.lines()
            .find(|l| l.starts_with(key) && l[key.len()..].starts_with(':'))
            .and_then(|l| l[key.len() + 1..].split_whitespace().next()?.parse().ok())
    }

    /// CPU time so far, utime + stime from /proc/<pid>/stat, in ms.
    pub fn cpu_ms(&self) -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)).unwrap();
        // The fields after the command name, which may hold spaces.
        let rest = &stat[stat.rfind(')').unwrap() + 2..];
        let f: Vec<u64> = rest
            .split_whitespace()
            .map(|x| x.parse().unwrap_or(0))
            .collect();
        // SAFETY: sysconf has no preconditions.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
        (f[11] + f[12]) * 1000 / hz
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
