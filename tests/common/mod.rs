// SPDX-License-Identifier: BSD-3-Clause
//! Shared harness for kernel integration tests: throw-away network
//! namespaces, veth plumbing, polling with deadlines, and running Rust
//! code inside a namespace.
//!
//! Use from a test crate with `mod common;`. Every kernel test starts with
//!
//! ```ignore
//! if !common::require_kernel() { return; }
//! let ns = common::Netns::new("mytest");
//! ```
//!
//! and touches nothing outside the namespaces it made: [`Netns`] deletes
//! its namespace on drop, also when the test panics. Addresses: only
//! 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32 or 10/8.
//! Never sleep for a fixed time to wait for kernel state; poll with
//! [`wait_until`].

// Each test crate uses a different subset of the harness.
#![allow(dead_code)]

pub mod daemon;
pub mod mptcp;
pub mod pm;

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// Whether kernel tests can run here: root, and a kernel with MPTCP
/// (`/proc/sys/net/mptcp`), and `ip` from iproute2. If not, prints why and
/// returns false so the test can return early, except under `CI=true`,
/// where a skipped kernel test would hide a regression: then it panics.
pub fn require_kernel() -> bool {
    let reason = if unsafe { libc::geteuid() } != 0 {
        Some("not root")
    } else if !Path::new("/proc/sys/net/mptcp").exists() {
        Some("kernel without MPTCP (/proc/sys/net/mptcp missing)")
    } else if Command::new("ip").arg("-V").output().is_err() {
        Some("`ip` (iproute2) not found")
    } else {
        None
    };
    match reason {
        None => true,
        Some(r) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("kernel test cannot run under CI=true: {r}")
        }
        Some(r) => {
            eprintln!("skipping kernel test: {r}");
            false
        }
    }
}

/// Polls `cond` every 20 ms until it holds (true) or `timeout` passes
/// (false). Use as `assert!(wait_until(..), "what we waited for")`.
pub fn wait_until(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs a command, panicking with its stderr if it fails; returns stdout.
pub fn run_ok(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    if !out.status.success() {
        panic!(
            "{cmd:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    String::from_utf8_lossy(&out.stdout).into_owned()
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A network namespace named `<prefix>-<pid>-<n>`, unique per test run,
/// deleted on drop.
///
/// On creation: loopback up; `addr_gen_mode=1` (no automatic IPv6
/// link-local addresses, which would show up as events);
/// `accept_dad=0` (addresses usable at once; a test about DAD turns it
/// back on for its device); `rp_filter=0`. These defaults apply to links
/// created afterwards.
pub struct Netns {
    name: String,
}

impl Netns {
    pub fn new(prefix: &str) -> Netns {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!("{prefix}-{}-{n}", std::process::id());
        run_ok(Command::new("ip").args(["netns", "add", &name]));
        // From here on, Drop cleans up even if the setup below panics.
        let ns = Netns { name };
        ns.sysctl("net.ipv6.conf.default.addr_gen_mode", "1");
        ns.sysctl("net.ipv6.conf.all.accept_dad", "0");
        ns.sysctl("net.ipv6.conf.default.accept_dad", "0");
        ns.sysctl("net.ipv4.conf.all.rp_filter", "0");
        ns.sysctl("net.ipv4.conf.default.rp_filter", "0");
        ns.ip("link set lo up");
        ns
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// `ip netns exec NAME args…`, unchecked.
    pub fn exec(&self, args: &[&str]) -> Output {
        Command::new("ip")
            .args(["netns", "exec", &self.name])
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run ip netns exec: {e}"))
    }

    /// `args` inside the namespace; panics on failure, returns stdout.
    pub fn run(&self, args: &[&str]) -> String {
        run_ok(
            Command::new("ip")
                .args(["netns", "exec", &self.name])
                .args(args),
        )
    }

    /// A shell script inside the namespace; panics on failure, returns
    /// stdout.
    pub fn sh(&self, script: &str) -> String {
        self.run(&["sh", "-c", script])
    }

    /// `ip -n NAME <args>` with `args` split on whitespace, e.g.
    /// `ns.ip("addr add 192.0.2.1/24 dev v0")`; panics on failure.
    pub fn ip(&self, args: &str) -> String {
        run_ok(
            Command::new("ip")
                .args(["-n", &self.name])
                .args(args.split_whitespace()),
        )
    }

    /// Like [`Netns::ip`] but returns the raw output, for commands
    /// expected to fail.
    pub fn try_ip(&self, args: &str) -> Output {
        Command::new("ip")
            .args(["-n", &self.name])
            .args(args.split_whitespace())
            .output()
            .unwrap_or_else(|e| panic!("cannot run ip: {e}"))
    }

    pub fn sysctl(&self, key: &str, value: &str) {
        self.run(&["sysctl", "-q", "-w", &format!("{key}={value}")]);
    }

    /// A veth pair with both ends in this namespace, both up.
    pub fn add_veth(&self, a: &str, b: &str) {
        self.ip(&format!("link add name {a} type veth peer name {b}"));
        self.ip(&format!("link set {a} up"));
        self.ip(&format!("link set {b} up"));
    }

    /// Adds an address (`cidr` like "192.0.2.1/24" or "2001:db8::1/64").
    /// IPv6 addresses get `nodad`: even with accept_dad=0 the kernel
    /// marks a new address tentative for a moment (a bind right after the
    /// add failed 1 time in 30).
    pub fn add_addr(&self, dev: &str, cidr: &str) {
        let nodad = if cidr.contains(':') { " nodad" } else { "" };
        self.ip(&format!("addr add {cidr} dev {dev}{nodad}"));
    }

    /// The interface index of `dev`.
    pub fn ifindex(&self, dev: &str) -> u32 {
        let out = self.run(&["cat", &format!("/sys/class/net/{dev}/ifindex")]);
        out.trim()
            .parse()
            .unwrap_or_else(|_| panic!("bad ifindex for {dev}: {out:?}"))
    }

    /// Runs `f` on a thread that has entered this namespace, and returns
    /// its result (a panic in `f` is re-raised here). `setns(2)` changes
    /// only the calling thread, so the test thread stays where it was.
    /// Sockets opened inside `f` stay in the namespace after it returns:
    /// open an `NlSocket` here and use it from the test thread.
    pub fn enter<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        let path = format!("/run/netns/{}", self.name);
        let file = File::open(&path).unwrap_or_else(|e| panic!("open {path}: {e}"));
        std::thread::scope(|s| {
            let h = s.spawn(|| {
                // SAFETY: a valid namespace fd; affects this thread only.
                let r = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
                assert_eq!(r, 0, "setns: {}", std::io::Error::last_os_error());
                f()
            });
            h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
        })
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let out = Command::new("ip")
            .args(["netns", "del", &self.name])
            .output();
        match out {
            Ok(o) if o.status.success() => {}
            Ok(o) => eprintln!(
                "warning: ip netns del {}: {}",
                self.name,
                String::from_utf8_lossy(&o.stderr).trim()
            ),
            Err(e) => eprintln!("warning: ip netns del {}: {e}", self.name),
        }
    }
}

/// A veth pair from `a`'s `dev_a` to `b`'s `dev_b`, both ends up.
pub fn veth_between(a: &Netns, dev_a: &str, b: &Netns, dev_b: &str) {
    a.ip(&format!(
        "link add name {dev_a} type veth peer name {dev_b} netns {}",
        b.name()
    ));
    a.ip(&format!("link set {dev_a} up"));
    b.ip(&format!("link set {dev_b} up"));
}
