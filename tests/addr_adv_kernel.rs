// SPDX-License-Identifier: BSD-3-Clause
//! The addr_adv path manager end to end: the real daemon, started the way
//! a user would (`mptcpd --path-manager=addr_adv --addr-flags=…
//! --notify-flags=…`) inside a fresh network namespace, against the real
//! kernel. Each test changes addresses, links and routes with `ip` or
//! rtnetlink requests and reads the endpoint table back through our codec
//! (GET_ADDR dump), with deadlines, never fixed sleeps for state.
//!
//! Run as root: `CI=true cargo test --test addr_adv_kernel`.

mod common;
#[path = "addr_adv_kernel/kit.rs"]
mod kit;
#[path = "addr_adv_kernel/resilience.rs"]
mod resilience;

use std::io::Read;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::daemon::Daemon;
use common::mptcp::{Paths, accept, connect_many, extra_subflows, listen, ping_pong};
use common::pm::{PmClient, PmEvents};
use common::{Netns, require_kernel};
use kit::{AddrOps, Ep, ep, ip, poll_endpoint, wait_endpoints};
use mptcpd::flags::AddrFlags;
use mptcpd::pm::PmEvent;

/// Bound of every wait for the kernel or the daemon.
const WAIT: Duration = Duration::from_secs(5);

/// What the acceptance criterion allows from `ip addr add` to the
/// endpoint.
const ADD_LATENCY_MAX: Duration = Duration::from_millis(100);

const CONF: &str = "[core]\n";

fn start(ns: &Netns, addr_flags: &str, notify_flags: &str) -> Daemon {
    let mut args = vec![
        "--path-manager=addr_adv".to_owned(),
        format!("--addr-flags={addr_flags}"),
    ];
    if !notify_flags.is_empty() {
        args.push(format!("--notify-flags={notify_flags}"));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Daemon::start_ready(ns, CONF, &args)
}

fn flags(s: &str) -> AddrFlags {
    AddrFlags::parse_list(s).unwrap()
}

// ---------------------------------------------------------------------

/// Every flag combination the kernel accepts ends up on the endpoints
/// as configured, with the interface of the address; an address becomes
/// an endpoint within 100 ms and deleting it removes the endpoint.
#[test]
fn addresses_become_endpoints_with_the_configured_flags() {
    if !require_kernel() {
        return;
    }
    let ns = Netns::new("aak-flags");
    ns.add_veth("f0", "f1");
    let f0 = ns.ifindex("f0");
    let mut pm = PmClient::open(&ns);
    let mut rt = AddrOps::open(&ns);
    let combos = [
        "subflow",
        "signal",
        "subflow,backup",
        "subflow,fullmesh",
        "subflow,laminar",
        "subflow,backup,fullmesh",
        "signal,backup",
    ];
    let mut worst = Duration::ZERO;
    for combo in combos {
        let mut d = start(&ns, combo, "");
        let want = flags(combo);
        for cidr in ["192.0.2.1/24", "2001:db8:1::1/64"] {
            let addr = ip(cidr);
            // The clock starts just before the request: the kernel has
            // the address (and has queued its notification) when the ACK
            // is back, which is when `ip addr add` would return.
            let t0 = Instant::now();
            rt.add(f0, cidr).unwrap();
            let (seen, e) = poll_endpoint(&mut pm, addr, true, WAIT)
                .unwrap_or_else(|| panic!("{combo}: no endpoint for {addr}:\n{}", d.log()));
            let e = e.unwrap();
            let latency = seen - t0;
            worst = worst.max(latency);
            assert!(
                latency <= ADD_LATENCY_MAX,
                "{combo}: endpoint for {addr} after {latency:?}"
            );
            assert_eq!(e.flags, want, "{combo}: flags of {addr}");
            assert_eq!(e.ifindex, f0 as i32, "{combo}: device of {addr}");
            assert_eq!(e.port, 0, "{combo}: {addr}");
            assert_ne!(e.id, 0);
        }
        wait_endpoints(
            &mut pm,
            &[ep("192.0.2.1", f0, want), ep("2001:db8:1::1", f0, want)],
            WAIT,
            &|| d.log(),
        );
        rt.del(f0, "192.0.2.1/24").unwrap();
        wait_endpoints(&mut pm, &[ep("2001:db8:1::1", f0, want)], WAIT, &|| d.log());
        rt.del(f0, "2001:db8:1::1/64").unwrap();
        wait_endpoints(&mut pm, &[], WAIT, &|| d.log());
        d.stop_ok();
        assert_eq!(d.count_lines(|l| l.starts_with("error:")), 0, "{}", d.log());
    }
    eprintln!(
        "worst add latency over {} adds: {worst:?}",
        combos.len() * 2
    );
}

/// `existing` decides whether addresses present at start are used;
/// `skip_loopback` drops host-scope and `skip_link_local` link-scope
/// addresses, present at start or added later.
#[test]
fn notify_flags_existing_skip_loopback_skip_link_local() {
    if !require_kernel() {
        return;
    }
    let ns = Netns::new("aak-notify");
    ns.add_veth("n0", "n1");
    let n0 = ns.ifindex("n0");
    let sub = AddrFlags::SUBFLOW;
    let mut pm = PmClient::open(&ns);
    // Present before either daemon starts.
    ns.ip("addr add 192.0.2.1/24 dev n0");
    ns.ip("addr add 192.0.2.2/32 dev n0 scope host");
    ns.ip("addr add 198.51.100.3/24 dev n0 scope link");

    // No notify flags: what was there is left alone, and filters are off
    // for what comes later. The global address added last is the
    // sentinel: the daemon handles events in order.
    let mut d = start(&ns, "subflow", "");
    ns.ip("addr add 192.0.2.12/32 dev n0 scope host");
    ns.ip("addr add 198.51.100.13/24 dev n0 scope link");
    ns.ip("addr add 203.0.113.1/24 dev n0");
    wait_endpoints(
        &mut pm,
        &[
            ep("192.0.2.12", n0, sub),
            ep("198.51.100.13", n0, sub),
            ep("203.0.113.1", n0, sub),
        ],
        WAIT,
        &|| d.log(),
    );
    d.stop_ok();
    wait_endpoints(&mut pm, &[], WAIT, &|| d.log());
    drop(d);

    // All three flags: every global address is used, present at start or
    // not; host and link scope never.
    let mut d = start(&ns, "subflow", "existing,skip_loopback,skip_link_local");
    ns.ip("addr add 192.0.2.22/32 dev n0 scope host");
    ns.ip("addr add 198.51.100.23/24 dev n0 scope link");
    ns.ip("addr add 203.0.113.2/24 dev n0");
    wait_endpoints(
        &mut pm,
        &[
            ep("192.0.2.1", n0, sub),
            ep("203.0.113.1", n0, sub),
            ep("203.0.113.2", n0, sub),
        ],
        WAIT,
        &|| d.log(),
    );
    d.stop_ok();
}

/// `check_route`: an address is used only while a default route leaves
/// from it through its interface; route changes are followed both ways;
/// a source rule into a table with a default route counts.
///
/// No address from 192.0.2.0/24 here: the route check asks the FIB for
/// the way to 192.0.2.1 (as mptcpd does), and a connected route to that
/// prefix would answer instead of the default route.
#[test]
fn check_route_follows_default_routes_and_source_rules() {
    if !require_kernel() {
        return;
    }
    let ns = Netns::new("aak-route");
    ns.add_veth("r0", "r1");
    let (r0, r1) = (ns.ifindex("r0"), ns.ifindex("r1"));
    let sub = AddrFlags::SUBFLOW;
    let mut pm = PmClient::open(&ns);
    let mut d = start(&ns, "subflow", "check_route");
    ns.add_addr("r0", "203.0.113.1/24");
    ns.add_addr("r0", "2001:db8:1::1/64");
    ns.add_addr("r1", "198.51.100.1/24");
    for a in ["203.0.113.1", "2001:db8:1::1", "198.51.100.1"] {
        let what = format!("no default route for address {a} ");
        assert!(
            d.wait_line(WAIT, |l| l.contains(&what)),
            "no failed route check for {a}:\n{}",
            d.log()
        );
    }
    assert_eq!(kit::endpoints(&mut pm), vec![], "{}", d.log());

    // A default route via r0 (both families) qualifies r0's addresses,
    // not r1's: the check is per interface.
    ns.ip("route add default via 203.0.113.254 dev r0");
    ns.ip("-6 route add default via 2001:db8:1::fe dev r0");
    let v4 = ep("203.0.113.1", r0, sub);
    let v6 = ep("2001:db8:1::1", r0, sub);
    let src = ep("198.51.100.1", r1, sub);
    wait_endpoints(&mut pm, &[v4, v6], WAIT, &|| d.log());
    assert!(d.wait_line(WAIT, |l| {
        l.contains("found default route for address 203.0.113.1")
    }));

    // Multi-WAN style: the default route of r1 lives in table 100,
    // selected by a rule on the source address.
    ns.ip("route add default via 198.51.100.254 dev r1 table 100");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        kit::endpoints(&mut pm),
        sorted(&[v4, v6]),
        "a default route in a table no rule selects must not count:\n{}",
        d.log()
    );
    ns.ip("rule add from 198.51.100.1 lookup 100");
    wait_endpoints(&mut pm, &[v4, v6, src], WAIT, &|| d.log());

    // Withdrawn with the route, and only those it concerned.
    ns.ip("route del default via 203.0.113.254 dev r0");
    wait_endpoints(&mut pm, &[v6, src], WAIT, &|| d.log());
    assert!(d.wait_line(WAIT, |l| {
        l.contains("no default route any more for address 203.0.113.1")
    }));
    ns.ip("rule del from 198.51.100.1 lookup 100");
    wait_endpoints(&mut pm, &[v6], WAIT, &|| d.log());
    ns.ip("-6 route del default via 2001:db8:1::fe dev r0");
    wait_endpoints(&mut pm, &[], WAIT, &|| d.log());
    d.stop_ok();
}

fn sorted(v: &[Ep]) -> Vec<Ep> {
    let mut v = v.to_vec();
    v.sort();
    v
}

/// Admin down, carrier loss and deleting the interface withdraw its
/// endpoints and only its; up and carrier back restore them.
#[test]
fn link_down_carrier_loss_and_removal_withdraw_endpoints() {
    if !require_kernel() {
        return;
    }
    let ns = Netns::new("aak-link");
    ns.add_veth("a0", "a1");
    ns.add_veth("b0", "b1");
    let (a0, b0) = (ns.ifindex("a0"), ns.ifindex("b0"));
    let sub = AddrFlags::SUBFLOW;
    let mut pm = PmClient::open(&ns);
    let mut d = start(&ns, "subflow", "");
    ns.add_addr("a0", "192.0.2.1/24");
    ns.add_addr("a0", "2001:db8:1::1/64");
    ns.add_addr("b0", "198.51.100.1/24");
    let (a4, a6, b4) = (
        ep("192.0.2.1", a0, sub),
        ep("2001:db8:1::1", a0, sub),
        ep("198.51.100.1", b0, sub),
    );
    wait_endpoints(&mut pm, &[a4, a6, b4], WAIT, &|| d.log());

    // Admin down: IPv4 addresses stay on the interface, IPv6 ones are
    // deleted by the kernel; both endpoints go.
    ns.ip("link set a0 down");
    wait_endpoints(&mut pm, &[b4], WAIT, &|| d.log());
    ns.ip("link set a0 up");
    wait_endpoints(&mut pm, &[a4, b4], WAIT, &|| d.log());

    // Carrier loss (the veth peer goes down): the addresses stay, the
    // endpoints go, and come back with the carrier (mptcpd#334).
    ns.add_addr("a0", "2001:db8:1::1/64");
    wait_endpoints(&mut pm, &[a4, a6, b4], WAIT, &|| d.log());
    ns.ip("link set a1 down");
    wait_endpoints(&mut pm, &[b4], WAIT, &|| d.log());
    let still = ns.ip("-br addr show dev a0");
    assert!(
        still.contains("192.0.2.1") && still.contains("2001:db8:1::1"),
        "{still}"
    );
    ns.ip("link set a1 up");
    wait_endpoints(&mut pm, &[a4, a6, b4], WAIT, &|| d.log());

    // Deleting the interface.
    ns.ip("link del b0");
    wait_endpoints(&mut pm, &[a4, a6], WAIT, &|| d.log());
    d.stop_ok();
    wait_endpoints(&mut pm, &[], WAIT, &|| d.log());
}

/// An open connection gets its subflow over the second interface back
/// after that interface's carrier, and later its link, was down for 2 s:
/// the daemon withdraws the endpoint (the kernel closes the subflow) and
/// re-adds it, and the in-kernel PM opens a subflow for every open
/// connection when an endpoint is added.
///
/// `check_route` with a source rule for the second address: after an
/// admin down the kernel has flushed the route of that interface, and
/// the endpoint must only come back once the administrator's route is
/// there again, or the kernel would try the subflow without a route.
#[test]
fn healing_subflow_returns_after_link_outage() {
    if !require_kernel() {
        return;
    }
    let paths = Paths::new("aak-heal", 61, 2);
    let (srv, cli) = (&paths.srv, &paths.cli);
    srv.ip("mptcp limits set subflows 8 add_addr_accepted 0");
    cli.ip("route add default via 10.61.1.1 dev c0");
    cli.ip("rule add from 10.61.2.2 lookup 100");
    let table100 = "route add default via 10.61.2.1 dev c1 table 100";
    cli.ip(table100);
    let (c0, c1) = (cli.ifindex("c0"), cli.ifindex("c1"));
    let sub = AddrFlags::SUBFLOW;
    let mut pm = PmClient::open(cli);
    let mut d = start(cli, "subflow", "existing,check_route");
    let (e0, e1) = (ep("10.61.1.2", c0, sub), ep("10.61.2.2", c1, sub));
    wait_endpoints(&mut pm, &[e0, e1], WAIT, &|| d.log());

    let mut ev = PmEvents::open(cli);
    let listener = listen(srv, "10.61.1.1:0".parse().unwrap(), 8);
    let to = listener.local_addr().unwrap();
    let mut client = connect_many(cli, to, 1, WAIT).pop().unwrap();
    let mut server = accept(&listener, WAIT);
    // connect_many wrote one byte: the client's ESTABLISHED needs data.
    let mut x = [0u8; 1];
    server.read_exact(&mut x).unwrap();
    ping_pong(&mut client, &mut server);
    let second_path =
        |e: &PmEvent| matches!(e, PmEvent::SubEstablished(s) if s.local.ip() == ip("10.61.2.2"));
    ev.wait_for("SUB_ESTABLISHED from 10.61.2.2", WAIT, second_path);
    assert!(
        common::wait_until(WAIT, || extra_subflows(&client) == 1),
        "subflow over c1 missing"
    );

    let mut outage = |down: &dyn Fn(), up: &dyn Fn(), what: &str, client: &TcpStream| {
        let t0 = Instant::now();
        down();
        wait_endpoints(&mut pm, &[e0], WAIT, &|| d.log());
        assert!(
            common::wait_until(WAIT, || extra_subflows(client) == 0),
            "{what}: the subflow over c1 was not closed"
        );
        std::thread::sleep(Duration::from_secs(2).saturating_sub(t0.elapsed()));
        ev.drain();
        ev.seen.clear();
        up();
        wait_endpoints(&mut pm, &[e0, e1], WAIT, &|| d.log());
        ev.wait_for("SUB_ESTABLISHED from 10.61.2.2 again", WAIT, second_path);
        assert!(
            common::wait_until(WAIT, || extra_subflows(client) == 1),
            "{what}: no subflow over c1 after the outage"
        );
    };
    // Carrier loss: the peer's end goes down; routes stay.
    outage(
        &|| {
            srv.ip("link set s1 down");
        },
        &|| {
            srv.ip("link set s1 up");
        },
        "carrier loss",
        &client,
    );
    ping_pong(&mut client, &mut server);
    // Admin down of c1: the kernel flushes its routes; the administrator
    // (ifup, netifd) puts the table-100 default back after the link.
    outage(
        &|| {
            cli.ip("link set c1 down");
        },
        &|| {
            cli.ip("link set c1 up");
            cli.ip(table100);
        },
        "link down",
        &client,
    );
    ping_pong(&mut client, &mut server);
    drop((client, server));
    d.stop_ok();
}
