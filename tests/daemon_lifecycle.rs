// SPDX-License-Identifier: BSD-3-Clause
//! Start-up and shutdown of the real daemon in fresh network namespaces.

mod common;

use std::time::{Duration, Instant};

use common::Netns;
use common::daemon::Daemon;

/// Generic-netlink (protocol 16) sockets of `pid` that joined a group.
fn genl_sockets_with_groups(ns: &Netns, pid: u32) -> usize {
    let t = ns.sh(&format!("cat /proc/{pid}/net/netlink"));
    t.lines()
        .skip(1)
        .filter(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.len() > 3 && f[1] == "16" && f[3].chars().any(|c| c != '0')
        })
        .count()
}

#[test]
fn joins_mptcp_events_and_stops_within_a_second() {
    if !common::require_kernel() {
        return;
    }
    let ns = Netns::new("life");
    let mut d = Daemon::start_ready(&ns, "[core]\n", &["--path-manager=addr_adv"]);
    let log = d.log();
    assert!(log.contains("family mptcp_pm id"), "{log}");
    assert!(
        common::wait_until(Duration::from_secs(2), || genl_sockets_with_groups(
            &ns, d.pid
        ) >= 1),
        "no generic netlink socket with a group in /proc/{}/net/netlink",
        d.pid
    );
    let t0 = Instant::now();
    d.signal(libc::SIGTERM);
    let st = d
        .wait_exit(Duration::from_secs(1))
        .expect("still running 1 s after SIGTERM");
    assert_eq!(st.code(), Some(0), "{}", d.log());
    assert!(t0.elapsed() < Duration::from_secs(1));
}

#[test]
fn sigint_is_an_orderly_stop() {
    if !common::require_kernel() {
        return;
    }
    let ns = Netns::new("sigint");
    let mut d = Daemon::start_ready(&ns, "[core]\n", &[]);
    d.signal(libc::SIGINT);
    let st = d
        .wait_exit(Duration::from_secs(1))
        .expect("still running after SIGINT");
    assert_eq!(st.code(), Some(0));
}

#[test]
fn mptcp_disabled_exits_1_with_a_clear_message() {
    if !common::require_kernel() {
        return;
    }
    let ns = Netns::new("disabled");
    ns.sysctl("net.mptcp.enabled", "0");
    let mut d = Daemon::start(&ns, "[core]\n", &[]);
    let st = d
        .wait_exit(Duration::from_secs(5))
        .expect("daemon kept running");
    assert_eq!(st.code(), Some(1));
    let log = d.log();
    assert!(log.contains("MPTCP is not enabled"), "{log}");
    assert!(log.contains("net.mptcp.enabled=1"), "{log}");
}

#[test]
fn sighup_reloads_and_a_broken_file_keeps_the_old_config() {
    if !common::require_kernel() {
        return;
    }
    let ns = Netns::new("hup");
    let mut d = Daemon::start_ready(&ns, "[core]\naddr-flags=subflow\n", &[]);
    let conf = d.config_path();
    std::fs::write(&conf, "[core]\naddr-flags=subflow,backup\nlog=stderr\n").unwrap();
    d.signal(libc::SIGHUP);
    assert!(
        d.wait_line(Duration::from_secs(2), |l| l
            .contains("reload: addr-flags: subflow -> subflow,backup")),
        "{}",
        d.log()
    );
    std::fs::write(&conf, "[core]\naddr-flags=subflow,\n").unwrap();
    d.signal(libc::SIGHUP);
    assert!(
        d.wait_line(Duration::from_secs(2), |l| l.contains("reload refused")
            && l.contains(":2:")),
        "{}",
        d.log()
    );
    assert!(
        d.try_status().is_none(),
        "a broken file must not stop the daemon"
    );
    // Still the reloaded (good) configuration: a good file with the same
    // content reports no change of addr-flags.
    std::fs::write(&conf, "[core]\naddr-flags=subflow,backup\n").unwrap();
    d.signal(libc::SIGHUP);
    assert!(
        d.wait_line(Duration::from_secs(2), |l| l.contains("unchanged")),
        "{}",
        d.log()
    );
    d.stop_ok();
}
