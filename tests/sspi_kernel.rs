// SPDX-License-Identifier: BSD-3-Clause
//! The sspi policy against the real kernel: the daemon binary runs in a
//! userspace-PM namespace, real MPTCP connections go to a peer namespace
//! over several veth links, and the subflows are read back with `ss`.
//!
//! Client side: every connection ends with exactly one subflow per client
//! interface (2 and 3 interfaces); an interface added later gets its
//! subflow on each open connection, a removed one loses them; killed
//! subflows and a 2 s link outage heal. Server side: every server
//! interface is announced behind a listener, and the in-kernel-PM client
//! ends with one subflow per server interface. Duplicates are closed, the
//! table is empty after 1000 connections came and went (RSS flat), and a
//! burst of 1000 connections all get their subflow.
//!
//! The tests run one at a time (they share two cores and start daemons).

mod common;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::sync::Mutex;
use std::time::Duration;

use common::daemon::Daemon;
use common::mptcp::{
    Paths, Server, connect_many, extra_subflows, kill_subflows_from, listen, mptcp_listeners,
    raise_nofile, subflows,
};
use common::pm::PmClient;
use common::{require_kernel, wait_until};
use mptcpd::flags::AddrFlags;
use mptcpd::pm::{Command, Endpoint};

const ARGS: &[&str] = &[
    "--path-manager=sspi",
    "--notify-flags=existing,skip_link_local,skip_loopback",
];
const PORT: u16 = 7000;
const WAIT: Duration = Duration::from_secs(15);

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

type Subflows = HashMap<u32, Vec<(SocketAddr, SocketAddr)>>;

/// Exactly `count` connections, each with exactly one subflow whose
/// `side` address (local or remote) is each of `ips`, and no other.
fn one_per(map: &Subflows, ips: &[IpAddr], count: usize, remote: bool) -> bool {
    map.len() == count
        && map.values().all(|subs| {
            subs.len() == ips.len()
                && ips.iter().all(|ip| {
                    subs.iter()
                        .filter(|(l, r)| if remote { r.ip() } else { l.ip() } == *ip)
                        .count()
                        == 1
                })
        })
}

/// Waits until the client's connections have one subflow per address in
/// `ips`, then checks that it stays so (no late extra subflow).
fn settle(p: &Paths, ips: &[IpAddr], count: usize, what: &str) -> Subflows {
    let mut last = Subflows::new();
    let ok = wait_until(WAIT, || {
        last = subflows(&p.cli);
        one_per(&last, ips, count, false)
    });
    assert!(ok, "{what}: not one subflow per interface: {last:?}");
    std::thread::sleep(Duration::from_millis(300));
    let again = subflows(&p.cli);
    assert!(
        one_per(&again, ips, count, false),
        "{what}: changed: {again:?}"
    );
    again
}

/// The table size the daemon logged last ("closed, N tracked").
fn tracked(d: &Daemon) -> Option<usize> {
    d.lines().iter().rev().find_map(|l| {
        let rest = l.split(" closed, ").nth(1)?;
        rest.strip_suffix(" tracked")?.parse().ok()
    })
}

fn wait_tracked_zero(d: &Daemon) {
    assert!(
        wait_until(WAIT, || tracked(d) == Some(0)),
        "table not empty: {:?}",
        tracked(d)
    );
}

/// Client namespace on the userspace PM running sspi, server on the
/// in-kernel PM (limits raised) accepting on link 0.
fn client_setup(tag: &str, net: u8, n: usize) -> (Paths, Daemon, Server) {
    raise_nofile(8192);
    let p = Paths::new(tag, net, n);
    p.cli.sysctl("net.mptcp.pm_type", "1");
    p.srv.ip("mptcp limits set subflows 8 add_addr_accepted 8");
    let d = Daemon::start_ready(&p.cli, "", ARGS);
    let srv = Server::start(listen(&p.srv, SocketAddr::new(p.srv_ip(0), PORT), 4096));
    (p, d, srv)
}

fn cli_ips(p: &Paths, n: usize) -> Vec<IpAddr> {
    (0..n).map(|i| p.cli_ip(i)).collect()
}

#[test]
fn client_gets_one_subflow_per_interface() {
    if !require_kernel() {
        return;
    }
    let _g = serial();
    for (n, net) in [(2, 61), (3, 62)] {
        let (p, d, _srv) = client_setup("sspi-cli", net, n);
        let to = SocketAddr::new(p.srv_ip(0), PORT);
        let conns = connect_many(&p.cli, to, 10, WAIT);
        settle(&p, &cli_ips(&p, n), 10, &format!("{n} interfaces"));
        for c in &conns {
            assert_eq!(usize::from(extra_subflows(c)), n - 1);
        }
        drop(conns);
        wait_tracked_zero(&d);
    }
}

#[test]
fn interfaces_come_and_go_and_subflows_heal() {
    if !require_kernel() {
        return;
    }
    let _g = serial();
    let (p, d, _srv) = client_setup("sspi-ifc", 63, 2);
    let to = SocketAddr::new(p.srv_ip(0), PORT);
    let _conns = connect_many(&p.cli, to, 4, WAIT);
    settle(&p, &cli_ips(&p, 2), 4, "start");

    p.add_path(2);
    settle(&p, &cli_ips(&p, 3), 4, "interface added");
    p.del_path(2);
    // The kernel does not close them: sspi destroys them.
    settle(&p, &cli_ips(&p, 2), 4, "interface removed");

    // Killed while the interface stays usable: re-created.
    let port_of = |m: &Subflows| -> Vec<u16> {
        let mut v: Vec<u16> = m
            .values()
            .flatten()
            .filter(|(l, _)| l.ip() == p.cli_ip(1))
            .map(|(l, _)| l.port())
            .collect();
        v.sort();
        v
    };
    let before = port_of(&subflows(&p.cli));
    kill_subflows_from(&p.cli, p.cli_ip(1));
    let mut now = Subflows::new();
    assert!(
        wait_until(WAIT, || {
            now = subflows(&p.cli);
            one_per(&now, &cli_ips(&p, 2), 4, false)
                && port_of(&now).iter().all(|x| !before.contains(x))
        }),
        "killed subflows not re-created: before {before:?}, now {now:?}"
    );

    // A 2 s outage of link 1 (carrier lost on c1): its subflows go,
    // whatever survives is killed, and they come back afterwards.
    let before = port_of(&now);
    p.srv.ip("link set s1 down");
    assert!(
        wait_until(WAIT, || port_of(&subflows(&p.cli)).is_empty()),
        "subflows on c1 left during the outage"
    );
    kill_subflows_from(&p.cli, p.cli_ip(1));
    std::thread::sleep(Duration::from_secs(2));
    p.srv.ip("link set s1 up");
    assert!(
        wait_until(WAIT, || {
            now = subflows(&p.cli);
            one_per(&now, &cli_ips(&p, 2), 4, false)
                && port_of(&now).iter().all(|x| !before.contains(x))
        }),
        "subflows not back after the outage: {now:?}"
    );
    assert!(d.count_lines(|l| l.contains("remove_subflow") && l.contains("warn")) == 0);
}

#[test]
fn server_announces_each_interface_behind_listeners() {
    if !require_kernel() {
        return;
    }
    let _g = serial();
    raise_nofile(8192);
    let p = Paths::new("sspi-srv", 64, 3);
    p.srv.sysctl("net.mptcp.pm_type", "1");
    p.cli.ip("mptcp limits set subflows 8 add_addr_accepted 8");
    let d = Daemon::start_ready(&p.srv, "", ARGS);
    // Application A listens on the first address only: sspi needs its
    // own listeners. Application B listens on the wildcard address.
    let a = SocketAddr::new(p.srv_ip(0), 7001);
    let sa = Server::start(listen(&p.srv, a, 64));
    let sb = Server::start(listen(&p.srv, "0.0.0.0:7002".parse().unwrap(), 64));
    let mut conns: Vec<TcpStream> = connect_many(&p.cli, a, 3, WAIT);
    conns.extend(connect_many(
        &p.cli,
        SocketAddr::new(p.srv_ip(0), 7002),
        3,
        WAIT,
    ));
    let srv_ips: Vec<IpAddr> = (0..3).map(|i| p.srv_ip(i)).collect();
    let mut last = Subflows::new();
    let ok = wait_until(WAIT, || {
        last = subflows(&p.cli);
        one_per(&last, &srv_ips, 6, true)
    });
    assert!(ok, "client: not one subflow per server interface: {last:?}");
    std::thread::sleep(Duration::from_millis(300));
    assert!(one_per(&subflows(&p.cli), &srv_ips, 6, true), "no more");

    let listeners = |port: u16| -> Vec<String> {
        let mut all = mptcp_listeners(&p.srv);
        all.retain(|a| a.ends_with(&format!(":{port}")));
        all
    };
    let mut ours = listeners(7001);
    ours.sort();
    assert_eq!(
        ours,
        [
            a.to_string(),
            format!("{}:7001", p.srv_ip(1)),
            format!("{}:7001", p.srv_ip(2))
        ]
    );
    assert_eq!(
        listeners(7002),
        ["0.0.0.0:7002"],
        "covered by the application"
    );

    drop(conns);
    sa.close_all();
    sb.close_all();
    wait_tracked_zero(&d);
    assert!(
        wait_until(WAIT, || listeners(7001) == [a.to_string()]),
        "our listeners still open: {:?}",
        listeners(7001)
    );
}

#[test]
fn duplicate_is_closed_and_bookkeeping_stays_exact_over_1000_connections() {
    if !require_kernel() {
        return;
    }
    let _g = serial();
    let (p, d, srv) = client_setup("sspi-dup", 65, 2);
    let to = SocketAddr::new(p.srv_ip(0), PORT);
    let ips = cli_ips(&p, 2);

    // A second subflow on c1, made behind sspi's back with its id.
    let conn = connect_many(&p.cli, to, 1, WAIT);
    let map = settle(&p, &ips, 1, "one connection");
    let token = *map.keys().next().unwrap();
    let mut pm = PmClient::open(&p.cli);
    let id = pm
        .dump(Some(token))
        .iter()
        .find(|e| e.addr == p.cli_ip(1))
        .expect("sspi's address in the connection's list")
        .id;
    pm.ok(&Command::SubflowCreate {
        token,
        local: Endpoint {
            id,
            addr: p.cli_ip(1),
            port: 0,
            flags: AddrFlags::empty(),
            ifindex: 0,
        },
        remote: to,
    });
    let mut d = d;
    assert!(
        d.wait_line(WAIT, |l| l.contains("closing new subflow")),
        "duplicate not closed:\n{}",
        d.log()
    );
    settle(&p, &ips, 1, "after the duplicate");
    drop(conn);
    srv.close_all();
    wait_tracked_zero(&d);

    let mut rss_before = 0;
    for round in 0..10 {
        let conns = connect_many(&p.cli, to, 100, WAIT);
        settle(&p, &ips, 100, &format!("round {round}"));
        drop(conns);
        srv.close_all();
        wait_tracked_zero(&d);
        if round == 0 {
            rss_before = d.status_field("VmRSS").expect("VmRSS");
        }
    }
    let rss_after = d.status_field("VmRSS").expect("VmRSS");
    eprintln!("daemon VmRSS after 100 connections {rss_before} kB, after 1000 {rss_after} kB");
    assert!(
        rss_after <= rss_before + 512,
        "RSS grew from {rss_before} kB to {rss_after} kB"
    );
}

#[test]
fn burst_of_1000_connections_all_get_their_subflow() {
    if !require_kernel() {
        return;
    }
    let _g = serial();
    let (p, mut d, srv) = client_setup("sspi-burst", 66, 2);
    let to = SocketAddr::new(p.srv_ip(0), PORT);
    let conns = connect_many(&p.cli, to, 1000, Duration::from_secs(20));
    let mut last = Subflows::new();
    let ok = wait_until(Duration::from_secs(30), || {
        last = subflows(&p.cli);
        one_per(&last, &cli_ips(&p, 2), 1000, false)
    });
    let served = last.values().filter(|s| s.len() == 2).count();
    assert!(
        ok,
        "{served} of 1000 connections have their subflow ({} tracked)",
        last.len()
    );
    assert!(d.try_status().is_none(), "daemon died:\n{}", d.log());
    eprintln!(
        "burst: events lost {} time(s)",
        d.count_lines(|l| l.contains("events lost"))
    );
    drop(conns);
    srv.close_all();
    wait_tracked_zero(&d);
}
