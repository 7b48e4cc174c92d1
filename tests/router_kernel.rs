// SPDX-License-Identifier: BSD-3-Clause
//! Router control against the real kernel: per-interface rules decide
//! which endpoints exist, SIGHUP changes them in place without breaking
//! connections, endpoints the daemon does not own are left alone, and
//! `mptcpd --status` tells the truth about all of it.
//!
//! Each test builds its own namespaces (see `router_kernel/topo.rs`) and
//! runs one daemon; the tests take turns so two cores are enough.

mod common;
#[allow(dead_code)]
#[path = "mptcp_kernel/iproute.rs"]
mod iproute;
#[path = "router_kernel/report.rs"]
mod report;
#[path = "router_kernel/topo.rs"]
mod topo;

use std::net::SocketAddr;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use common::daemon::Daemon;
use common::mptcp::{accept, connect, extra_subflows, listen, ping_pong};
use common::pm::{PmClient, PmEvents};
use common::{Netns, require_kernel};
use mptcpd::flags::AddrFlags;
use mptcpd::pm::{Endpoint, PmEvent};
use topo::{CORE, LAN, Router, WAN1, WAN2, dump, mptcpd_cli, router_conf, status, wait_endpoints};

/// Bound of every wait for the kernel or the daemon.
const WAIT: Duration = Duration::from_secs(5);

const SUBFLOW: AddrFlags = AddrFlags::SUBFLOW;
const BACKUP: AddrFlags = AddrFlags::BACKUP;

static TURN: Mutex<()> = Mutex::new(());

/// One daemon test at a time: they share two cores, and a daemon starved
/// by another test's setup would only make the deadlines flaky.
fn turn() -> MutexGuard<'static, ()> {
    TURN.lock().unwrap_or_else(|e| e.into_inner())
}

fn by_addr(eps: &[Endpoint], addr: std::net::IpAddr) -> Endpoint {
    *eps.iter()
        .find(|e| e.addr == addr)
        .unwrap_or_else(|| panic!("no endpoint for {addr} in {eps:#?}"))
}

fn reload(d: &Daemon, conf: &str) {
    std::fs::write(d.config_path(), conf).unwrap();
    d.signal(libc::SIGHUP);
}

#[test]
fn allow_list_gives_endpoints_to_the_wan_links_only() {
    if !require_kernel() {
        return;
    }
    let _turn = turn();
    let rt = Router::new("rk-allow", 41);
    let mut d = Daemon::start_ready(&rt.cli, &router_conf("subflow,backup"), &[]);
    let mut pm = PmClient::open(&rt.cli);
    let (w1, w2) = (rt.ifindex(WAN1), rt.ifindex(WAN2));
    let eps = wait_endpoints(
        &mut pm,
        &d,
        &[
            (rt.addr(1), SUBFLOW, w1),
            (rt.addr(2), SUBFLOW | BACKUP, w2),
        ],
    );
    // Nothing more comes once the daemon has handled everything queued
    // (the status request goes through the same loop).
    status(&rt.cli, "text");
    assert_eq!(dump(&mut pm), eps);
    assert_eq!(
        iproute::endpoints(&rt.cli),
        eps,
        "iproute2 sees another table"
    );
    // Two subflow endpoints: room for two extra subflows per connection.
    let limits = pm.limits();
    assert!(limits.subflows >= Some(2), "{limits:?}");
    d.stop_ok();
    assert_eq!(dump(&mut pm), vec![], "our endpoints must go at exit");
}

#[test]
fn interface_patterns_match_as_documented() {
    if !require_kernel() {
        return;
    }
    let _turn = turn();
    let rt = Router::new("rk-glob", 42);
    rt.link("veth-wan3", "s-wan3", 4);
    rt.link("dmz0", "s-dmz", 5);
    // veth-wan1 and veth-wan3 match both patterns: the first one in the
    // file wins (used). veth-lan matches only `veth-*` (excluded).
    // veth-wan2 has its own group, which wins although it comes last.
    // dmz0 matches nothing (unlisted, ignored).
    let wan_pattern = "[interface veth-w*]\naddr-flags=subflow\n";
    let all_pattern = "[interface veth-*]\nexclude=yes\n";
    let conf = |first: &str, second: &str| {
        format!("{CORE}\n{first}\n{second}\n[interface {WAN2}]\naddr-flags=subflow,backup\n")
    };
    let used_first = conf(wan_pattern, all_pattern);
    let mut d = Daemon::start_ready(&rt.cli, &used_first, &[]);
    let mut pm = PmClient::open(&rt.cli);
    let (w1, w2, w3) = (rt.ifindex(WAN1), rt.ifindex(WAN2), rt.ifindex("veth-wan3"));
    let before = wait_endpoints(
        &mut pm,
        &d,
        &[
            (rt.addr(1), SUBFLOW, w1),
            (rt.addr(2), SUBFLOW | BACKUP, w2),
            (rt.addr(4), SUBFLOW, w3),
        ],
    );
    let r = report::parse_json(&status(&rt.cli, "json"));
    for (name, why) in [
        (WAN1, "used"),
        (WAN2, "used"),
        ("veth-wan3", "used"),
        (LAN, "excluded"),
        ("dmz0", "unlisted"),
    ] {
        assert_eq!(r.reason(name), why, "{name}: {r:#?}");
    }
    assert_eq!(dump(&mut pm), before);

    // The same patterns the other way round: now `veth-*` excludes every
    // veth but the one with its own group, which keeps its endpoint (and
    // id: its rule did not change).
    let excluded_first = conf(all_pattern, wan_pattern);
    reload(&d, &excluded_first);
    let after = wait_endpoints(&mut pm, &d, &[(rt.addr(2), SUBFLOW | BACKUP, w2)]);
    assert_eq!(after[0], by_addr(&before, rt.addr(2)));
    let r = report::parse_json(&status(&rt.cli, "json"));
    assert_eq!(r.reason(WAN1), "excluded", "{r:#?}");
    assert_eq!(r.reason("veth-wan3"), "excluded", "{r:#?}");
    assert_eq!(r.reason(WAN2), "used", "{r:#?}");
    d.stop_ok();
}

#[test]
fn reload_clears_backup_in_place_and_keeps_every_subflow() {
    if !require_kernel() {
        return;
    }
    let _turn = turn();
    let rt = Router::new("rk-hup", 43);
    rt.srv.ip("mptcp limits set subflows 8 add_addr_accepted 8");
    let mut d = Daemon::start_ready(&rt.cli, &router_conf("subflow,backup"), &[]);
    let mut pm = PmClient::open(&rt.cli);
    let (w1, w2) = (rt.ifindex(WAN1), rt.ifindex(WAN2));
    let before = wait_endpoints(
        &mut pm,
        &d,
        &[
            (rt.addr(1), SUBFLOW, w1),
            (rt.addr(2), SUBFLOW | BACKUP, w2),
        ],
    );

    // A connection from the router over WAN1; the in-kernel PM adds a
    // subflow from WAN2's endpoint, as backup.
    let mut cli_events = PmEvents::open(&rt.cli);
    let mut srv_events = PmEvents::open(&rt.srv);
    let server: SocketAddr = format!("10.{}.1.1:0", rt.net).parse().unwrap();
    let listener = listen(&rt.srv, server, 8);
    let mut client = connect(&rt.cli, listener.local_addr().unwrap(), WAIT);
    let mut served = accept(&listener, WAIT);
    ping_pong(&mut client, &mut served);
    let wan2_addr = rt.addr(2);
    cli_events.wait_for(
        "a subflow over WAN2",
        WAIT,
        |e| matches!(e, PmEvent::SubEstablished(s) if s.local.ip() == wan2_addr),
    );
    srv_events.wait_for(
        "the WAN2 subflow at the server, as backup",
        WAIT,
        |e| matches!(e, PmEvent::SubEstablished(s) if s.remote.ip() == wan2_addr && s.backup),
    );
    assert!(
        common::wait_until(WAIT, || extra_subflows(&client) == 1),
        "expected one extra subflow, MPTCP_INFO says {}",
        extra_subflows(&client)
    );

    // WAN2 becomes a plain subflow link: SET_FLAGS in place.
    reload(&d, &router_conf("subflow"));
    let after = wait_endpoints(
        &mut pm,
        &d,
        &[(rt.addr(1), SUBFLOW, w1), (rt.addr(2), SUBFLOW, w2)],
    );
    assert_eq!(
        after.iter().map(|e| e.id).collect::<Vec<_>>(),
        before.iter().map(|e| e.id).collect::<Vec<_>>(),
        "ids changed: {before:#?} -> {after:#?}"
    );
    // The peer is told (only the peer sees SUB_PRIORITY).
    srv_events.wait_for(
        "SUB_PRIORITY clearing backup",
        WAIT,
        |e| matches!(e, PmEvent::SubPriority(s) if s.remote.ip() == wan2_addr && !s.backup),
    );
    ping_pong(&mut client, &mut served);
    status(&rt.cli, "text");
    let no_sub_closed = |ev: &mut PmEvents| {
        ev.drain();
        let closed: Vec<_> = ev
            .seen
            .iter()
            .filter(|e| matches!(e, PmEvent::SubClosed(_)))
            .collect();
        assert!(closed.is_empty(), "subflows closed: {closed:#?}");
    };
    no_sub_closed(&mut cli_events);
    no_sub_closed(&mut srv_events);
    assert_eq!(extra_subflows(&client), 1);

    // A broken file: refused with file:line, nothing changes (it would
    // make WAN2 backup again and drop WAN1 if any of it were applied).
    let broken = format!(
        "{CORE}\n[interface {WAN1}]\nexclude=perhaps\n\n\
         [interface {WAN2}]\naddr-flags=subflow,backup\n"
    );
    let bad_line = 1 + broken.lines().position(|l| l == "exclude=perhaps").unwrap();
    reload(&d, &broken);
    let at = format!("{}:{bad_line}:", d.config_path().display());
    assert!(
        d.wait_line(WAIT, |l| l.contains("reload refused") && l.contains(&at)),
        "no \"reload refused\" naming {at}:\n{}",
        d.log()
    );
    status(&rt.cli, "text");
    assert_eq!(dump(&mut pm), after, "a refused reload changed endpoints");
    ping_pong(&mut client, &mut served);
    no_sub_closed(&mut cli_events);
    assert_eq!(extra_subflows(&client), 1);
    assert!(d.try_status().is_none(), "a broken file stopped the daemon");
    drop((client, served));
    d.stop_ok();
}

#[test]
fn hand_made_lan_endpoints_survive_start_reloads_and_exit() {
    if !require_kernel() {
        return;
    }
    let _turn = turn();
    let rt = Router::new("rk-hand", 44);
    let lan_if = rt.ifindex(LAN);
    let lan = rt.addr(3);
    rt.cli
        .ip(&format!("mptcp endpoint add {lan} dev {LAN} id 42 subflow"));
    let hand = Endpoint {
        id: 42,
        addr: lan,
        port: 0,
        flags: SUBFLOW,
        ifindex: lan_if,
    };
    let mut d = Daemon::start_ready(&rt.cli, &router_conf("subflow,backup"), &[]);
    let mut pm = PmClient::open(&rt.cli);
    let (w1, w2) = (rt.ifindex(WAN1), rt.ifindex(WAN2));
    let eps = wait_endpoints(
        &mut pm,
        &d,
        &[
            (rt.addr(1), SUBFLOW, w1),
            (rt.addr(2), SUBFLOW | BACKUP, w2),
            (lan, SUBFLOW, lan_if),
        ],
    );
    assert_eq!(by_addr(&eps, lan), hand);

    // One more made while the daemon runs, for a second LAN address.
    rt.cli.add_addr(LAN, &format!("10.{}.3.3/24", rt.net));
    let lan2 = format!("10.{}.3.3", rt.net).parse().unwrap();
    rt.cli.ip(&format!(
        "mptcp endpoint add {lan2} dev {LAN} id 43 subflow backup"
    ));
    let hand2 = Endpoint {
        id: 43,
        addr: lan2,
        flags: SUBFLOW | BACKUP,
        ..hand
    };

    // Reload 1: WAN2 flags change. Reload 2: WAN2's group goes, so it is
    // unlisted and withdrawn. Each re-reads the kernel's table, which
    // holds the hand-made ones.
    reload(&d, &router_conf("subflow"));
    wait_endpoints(
        &mut pm,
        &d,
        &[
            (rt.addr(1), SUBFLOW, w1),
            (rt.addr(2), SUBFLOW, w2),
            (lan, SUBFLOW, lan_if),
            (lan2, SUBFLOW | BACKUP, lan_if),
        ],
    );
    reload(
        &d,
        &format!(
            "{CORE}\n[interface {WAN1}]\naddr-flags=subflow\n[interface {LAN}]\nexclude=yes\n"
        ),
    );
    let eps = wait_endpoints(
        &mut pm,
        &d,
        &[
            (rt.addr(1), SUBFLOW, w1),
            (lan, SUBFLOW, lan_if),
            (lan2, SUBFLOW | BACKUP, lan_if),
        ],
    );
    assert_eq!(by_addr(&eps, lan), hand);
    assert_eq!(by_addr(&eps, lan2), hand2);

    // At exit the daemon removes its own endpoints, and only those.
    d.stop_ok();
    assert_eq!(dump(&mut pm), vec![hand, hand2], "{}", d.log());
}

#[test]
fn status_reports_why_and_matches_the_kernel() {
    if !require_kernel() {
        return;
    }
    let _turn = turn();
    let rt = Router::new("rk-status", 45);
    // veth-wan3 administratively down; veth-wan4 up but its peer down
    // (no carrier); dmz0 named by no rule.
    rt.link("veth-wan3", "s-wan3", 4);
    rt.cli.ip("link set veth-wan3 down");
    rt.link("veth-wan4", "s-wan4", 5);
    rt.srv.ip("link set s-wan4 down");
    rt.link("dmz0", "s-dmz", 6);
    // Not ours: in the kernel's table, not in the report's.
    let lan = rt.addr(3);
    rt.cli
        .ip(&format!("mptcp endpoint add {lan} dev {LAN} id 50 signal"));
    let conf = format!(
        "{}\n[interface veth-wan3]\naddr-flags=subflow\n\n\
         [interface veth-wan4]\naddr-flags=subflow\n",
        router_conf("subflow,backup")
    );
    let d = Daemon::start_ready(&rt.cli, &conf, &[]);
    let mut pm = PmClient::open(&rt.cli);
    let (w1, w2, lan_if) = (rt.ifindex(WAN1), rt.ifindex(WAN2), rt.ifindex(LAN));
    wait_endpoints(
        &mut pm,
        &d,
        &[
            (rt.addr(1), SUBFLOW, w1),
            (rt.addr(2), SUBFLOW | BACKUP, w2),
            (lan, AddrFlags::SIGNAL, lan_if),
        ],
    );

    let expected = [
        ("lo", "loopback"),
        (WAN1, "used"),
        (WAN2, "used"),
        (LAN, "excluded"),
        ("veth-wan3", "link-down"),
        ("veth-wan4", "no-carrier"),
        ("dmz0", "unlisted"),
    ];
    let sorted = |mut v: Vec<(String, String)>| {
        v.sort();
        v
    };
    let want = sorted(
        expected
            .iter()
            .map(|(n, w)| (n.to_string(), w.to_string()))
            .collect(),
    );
    let text = status(&rt.cli, "text");
    assert_eq!(sorted(report::text_reasons(&text)), want, "{text}");

    let json = status(&rt.cli, "json");
    report::json_tool_accepts(&json);
    let r = report::parse_json(&json);
    let got = sorted(
        r.interfaces
            .iter()
            .map(|(n, w, _)| (n.clone(), w.clone()))
            .collect(),
    );
    assert_eq!(got, want, "{json}");
    assert_eq!(r.addr_flags(WAN1), Some(SUBFLOW));
    assert_eq!(r.addr_flags(WAN2), Some(SUBFLOW | BACKUP));
    assert_eq!(r.addr_flags(LAN), None);
    assert_eq!(r.addr_flags("dmz0"), None);
    // The report's endpoints are the kernel's, ids and all, minus the
    // foreign one; iproute2 reads the same table.
    let kernel = dump(&mut pm);
    assert_eq!(iproute::endpoints(&rt.cli), kernel);
    let ours: Vec<Endpoint> = kernel.iter().filter(|e| e.id != 50).copied().collect();
    assert_eq!(r.endpoints, ours, "{json}");

    // Carrier back on veth-wan4: used, with an endpoint, in both views.
    rt.srv.ip("link set s-wan4 up");
    let w4 = rt.ifindex("veth-wan4");
    wait_endpoints(
        &mut pm,
        &d,
        &[
            (rt.addr(1), SUBFLOW, w1),
            (rt.addr(2), SUBFLOW | BACKUP, w2),
            (rt.addr(5), SUBFLOW, w4),
            (lan, AddrFlags::SIGNAL, lan_if),
        ],
    );
    let r = report::parse_json(&status(&rt.cli, "json"));
    assert_eq!(r.reason("veth-wan4"), "used", "{r:#?}");
    let ours: Vec<Endpoint> = dump(&mut pm).into_iter().filter(|e| e.id != 50).collect();
    assert_eq!(r.endpoints, ours);
}

#[test]
fn status_without_a_daemon_in_this_namespace_exits_1() {
    if !require_kernel() {
        return;
    }
    let _turn = turn();
    let with = Netns::new("rk-nod-a");
    let without = Netns::new("rk-nod-b");
    let _d = Daemon::start_ready(&with, "[core]\n", &[]);
    // The daemon of another namespace does not answer here.
    for arg in ["--status", "--status=json"] {
        let (code, out, err) = mptcpd_cli(&without, &[arg]);
        assert_eq!(code, Some(1), "{arg}: stdout {out:?} stderr {err:?}");
        assert!(out.is_empty(), "{arg}: {out:?}");
        assert!(
            err.contains("no running mptcpd answers in this network namespace"),
            "{arg}: {err:?}"
        );
    }
    let (code, out, _) = mptcpd_cli(&with, &["--status"]);
    assert_eq!(code, Some(0));
    assert!(out.starts_with("path manager addr_adv"), "{out}");
}
