// SPDX-License-Identifier: BSD-3-Clause
//! The netlink layer against the real kernel: family resolution, the
//! request helper (ACK, NACK with extended ACK, "do" with data, dumps),
//! event reception with overrun, rtnetlink parsing and the default-route
//! check. Each test runs in its own fresh network namespace.

mod common;

use std::net::IpAddr;
use std::time::Duration;

use common::mptcp::listen;
use common::{Netns, require_kernel, wait_until};
use mptcpd::iface::{Addr, IFA_F_PERMANENT, IFA_F_TENTATIVE, IFF_LOOPBACK, IFF_UP, RT_SCOPE_HOST};
use mptcpd::nl::{
    NETLINK_GENERIC, NETLINK_ROUTE, NLM_F_DUMP, NlError, NlSocket, RecvError, ReplyItem,
    resolve_family,
};
use mptcpd::rtnl::{self, RtnlMsg};
use mptcpd::wire::GenlHeader;
use mptcpd::wire::nla::{self, NlaIter};

/// `mptcp_pm` commands and attributes used here (mptcp-genl.md §2).
const MPTCP_PM_CMD_GET_ADDR: u8 = 3;
const MPTCP_PM_CMD_SET_LIMITS: u8 = 5;
const MPTCP_PM_CMD_GET_LIMITS: u8 = 6;
const MPTCP_PM_ATTR_SUBFLOWS: u16 = 3;
const MPTCP_EVENT_LISTENER_CREATED: u8 = 15;

const WAIT: Duration = Duration::from_secs(5);

fn sockets(ns: &Netns, protocol: isize) -> (NlSocket, NlSocket) {
    ns.enter(|| {
        let events = NlSocket::open(protocol).expect("open event socket");
        let requests = NlSocket::open(protocol).expect("open request socket");
        (events, requests)
    })
}

/// Drains `sock` until an rtnetlink message satisfies `pred`, or fails
/// the test after [`WAIT`].
fn wait_for_rtnl(sock: &mut NlSocket, what: &str, mut pred: impl FnMut(&RtnlMsg) -> bool) {
    let mut found = false;
    let ok = wait_until(WAIT, || {
        sock.recv_messages(&mut |m| {
            if let Ok(r) = rtnl::parse(m.msg_type, m.payload) {
                found |= pred(&r);
            }
        })
        .expect("recv_messages");
        found
    });
    assert!(ok, "timed out waiting for {what}");
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn limits_payload(cmd: u8, subflows: Option<u32>) -> Vec<u8> {
    let mut p = Vec::new();
    GenlHeader::new(cmd, 1).emit(&mut p);
    if let Some(n) = subflows {
        nla::put_u32(&mut p, MPTCP_PM_ATTR_SUBFLOWS, n);
    }
    p
}

#[test]
fn resolves_mptcp_pm_and_receives_its_events() {
    if !require_kernel() {
        return;
    }
    let ns = Netns::new("nl-genl");
    let (mut events, mut requests) = sockets(&ns, NETLINK_GENERIC);
    let fam = resolve_family(&mut requests, "mptcp_pm").expect("resolve mptcp_pm");
    assert_ne!(fam.id, 0);
    assert_ne!(fam.id, 16, "GENL_ID_CTRL is nlctrl's");
    assert_eq!(fam.version, 1);
    let group = fam.group("mptcp_pm_events").expect("mptcp_pm_events group");
    assert!(fam.group("mptcp_pm_cmds").is_some());
    events.join_group(group).expect("join mptcp_pm_events");

    // An MPTCP listener makes the kernel send LISTENER_CREATED (6.2+) to
    // the group: proof that the membership works end to end.
    let listener = listen(&ns, "127.0.0.1:0".parse().unwrap(), 1);
    let mut cmds = Vec::new();
    let got = wait_until(WAIT, || {
        events
            .recv_messages(&mut |m| {
                if fam.owns(&m) {
                    cmds.push(GenlHeader::split(m.payload).expect("genl header").0.cmd);
                }
            })
            .expect("recv_messages");
        cmds.contains(&MPTCP_EVENT_LISTENER_CREATED)
    });
    drop(listener);
    assert!(got, "no LISTENER_CREATED event, saw cmds {cmds:?}");
}

#[test]
fn unknown_family_is_a_typed_error() {
    if !require_kernel() {
        return;
    }
    let ns = Netns::new("nl-nofam");
    let (_, mut requests) = sockets(&ns, NETLINK_GENERIC);
    match resolve_family(&mut requests, "no_such_fam") {
        Err(NlError::NoSuchFamily(n)) => assert_eq!(n, "no_such_fam"),
        other => panic!("expected NoSuchFamily, got {other:?}"),
    }
    // The socket is still in step afterwards.
    assert!(resolve_family(&mut requests, "nlctrl").is_ok());
}

#[test]
fn requests_ack_nack_do_and_dump() {
    if !require_kernel() {
        return;
    }
    let ns = Netns::new("nl-req");
    let (_, mut requests) = sockets(&ns, NETLINK_GENERIC);
    let fam = resolve_family(&mut requests, "mptcp_pm").expect("resolve mptcp_pm");
    let mut ignore = |_: ReplyItem<'_>| -> Result<(), NlError> { Ok(()) };

    // NACK: the kernel caps limits at 8, with an extended-ACK message.
    let err = requests
        .request(
            fam.id,
            0,
            &limits_payload(MPTCP_PM_CMD_SET_LIMITS, Some(9)),
            &mut ignore,
        )
        .expect_err("SET_LIMITS subflows=9 must fail");
    match err {
        NlError::Kernel(e) => {
            assert_eq!(e.errno, libc::EINVAL);
            assert!(
                e.msg.as_deref().is_some_and(|m| !m.is_empty()),
                "no ext-ack text: {e:?}"
            );
        }
        other => panic!("expected a kernel error, got {other:?}"),
    }

    // ACK, then a "do" whose data message precedes its ACK.
    requests
        .request(
            fam.id,
            0,
            &limits_payload(MPTCP_PM_CMD_SET_LIMITS, Some(4)),
            &mut ignore,
        )
        .expect("SET_LIMITS subflows=4");
    let mut subflows = None;
    requests
        .request(
            fam.id,
            0,
            &limits_payload(MPTCP_PM_CMD_GET_LIMITS, None),
            &mut |item| {
                if let ReplyItem::Msg(m) = item {
                    assert!(fam.owns(&m));
                    let (_, attrs) = GenlHeader::split(m.payload)?;
                    for a in NlaIter::new(attrs) {
                        let a = a?;
                        if a.kind == MPTCP_PM_ATTR_SUBFLOWS {
                            subflows = Some(a.u32()?);
                        }
                    }
                }
                Ok(())
            },
        )
        .expect("GET_LIMITS");
    assert_eq!(subflows, Some(4));

    // A dump of the endpoint table: one message per endpoint.
    ns.ip("mptcp endpoint add 192.0.2.1 signal");
    ns.ip("mptcp endpoint add 2001:db8::1 subflow");
    let mut n = 0;
    requests
        .request(
            fam.id,
            NLM_F_DUMP,
            &limits_payload(MPTCP_PM_CMD_GET_ADDR, None),
            &mut |item| {
                match item {
                    ReplyItem::Msg(m) if fam.owns(&m) => n += 1,
                    ReplyItem::Msg(_) => {}
                    ReplyItem::Restart => n = 0,
                }
                Ok(())
            },
        )
        .expect("GET_ADDR dump");
    assert_eq!(n, 2);
}

#[test]
fn rtnl_snapshot_sees_links_and_addresses() {
    if !require_kernel() {
        return;
    }
    let ns = Netns::new("nl-snap");
    ns.add_veth("snap0", "snap1");
    ns.add_addr("snap0", "192.0.2.1/24");
    ns.add_addr("snap0", "2001:db8::1/64");
    let idx = ns.ifindex("snap0");
    let (events, mut requests) = sockets(&ns, NETLINK_ROUTE);
    let (links, addrs) = rtnl::snapshot(&events, &mut requests).expect("snapshot");

    let l = links
        .iter()
        .find(|l| l.index == idx)
        .expect("snap0 in the link dump");
    assert_eq!(l.name.as_str(), "snap0");
    assert!(l.is_up() && l.flags & IFF_UP != 0);
    assert!(
        links
            .iter()
            .any(|l| l.name.as_str() == "lo" && l.flags & IFF_LOOPBACK != 0)
    );
    assert!(links.iter().any(|l| l.name.as_str() == "snap1"));

    let find = |a: &str| -> Addr {
        *addrs
            .iter()
            .find(|x| x.addr == ip(a))
            .unwrap_or_else(|| panic!("{a} in {addrs:?}"))
    };
    let v4 = find("192.0.2.1");
    assert_eq!((v4.index, v4.prefix_len, v4.scope), (idx, 24, 0));
    assert!(v4.flags & IFA_F_PERMANENT != 0 && v4.is_usable());
    let v6 = find("2001:db8::1");
    assert_eq!((v6.index, v6.prefix_len, v6.scope), (idx, 64, 0));
    assert!(v6.flags & IFA_F_PERMANENT != 0 && v6.is_usable());
    assert_eq!(find("127.0.0.1").scope, RT_SCOPE_HOST);
    // addr_gen_mode=1: no automatic link-local address.
    assert!(
        !addrs
            .iter()
            .any(|a| a.index == idx && a.addr != v4.addr && a.addr != v6.addr)
    );
}

#[test]
fn point_to_point_address_reports_the_local_side() {
    if !require_kernel() {
        return;
    }
    let ns = Netns::new("nl-ptp");
    ns.add_veth("ptp0", "ptp1");
    ns.ip("addr add 10.1.1.2 peer 10.1.1.1 dev ptp0");
    let (events, mut requests) = sockets(&ns, NETLINK_ROUTE);
    let (_, addrs) = rtnl::snapshot(&events, &mut requests).expect("snapshot");
    let idx = ns.ifindex("ptp0");
    let mine: Vec<_> = addrs.iter().filter(|a| a.index == idx).collect();
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!((mine[0].addr, mine[0].prefix_len), (ip("10.1.1.2"), 32));
}

#[test]
fn tentative_ipv6_address_is_flagged() {
    if !require_kernel() {
        return;
    }
    let ns = Netns::new("nl-dad");
    ns.add_veth("dad0", "dad1");
    ns.sysctl("net.ipv6.conf.dad0.accept_dad", "1");
    // Ten probes a second apart: the address stays tentative for the
    // whole test even on a loaded machine.
    ns.sysctl("net.ipv6.conf.dad0.dad_transmits", "10");
    let (mut events, mut requests) = sockets(&ns, NETLINK_ROUTE);
    rtnl::subscribe(&events).expect("subscribe");
    ns.ip("addr add 2001:db8::5/64 dev dad0");
    let want = ip("2001:db8::5");
    wait_for_rtnl(
        &mut events,
        "tentative NEWADDR",
        |r| matches!(r, RtnlMsg::NewAddr(a) if a.addr == want && a.flags & IFA_F_TENTATIVE != 0),
    );
    let addrs = rtnl::dump_addrs(&mut requests).expect("dump");
    let a = addrs
        .iter()
        .find(|a| a.addr == want)
        .expect("address in dump");
    // The dump agrees while DAD runs.
    assert!(!a.is_usable(), "{a:?}");
}

#[test]
fn link_down_and_up_events_arrive() {
    if !require_kernel() {
        return;
    }
    let ns = Netns::new("nl-link");
    ns.add_veth("lk0", "lk1");
    let idx = ns.ifindex("lk0");
    let (mut events, _) = sockets(&ns, NETLINK_ROUTE);
    rtnl::subscribe(&events).expect("subscribe");
    ns.ip("link set lk0 down");
    wait_for_rtnl(
        &mut events,
        "NEWLINK lk0 down",
        |r| matches!(r, RtnlMsg::NewLink(l) if l.index == idx && !l.is_up()),
    );
    ns.ip("link set lk0 up");
    wait_for_rtnl(
        &mut events,
        "NEWLINK lk0 up and running",
        |r| matches!(r, RtnlMsg::NewLink(l) if l.index == idx && l.is_up() && l.is_running()),
    );
    ns.ip("link del lk0");
    wait_for_rtnl(
        &mut events,
        "DELLINK lk0",
        |r| matches!(r, RtnlMsg::DelLink(l) if l.index == idx && l.name.as_str() == "lk0"),
    );
}

#[test]
fn overrun_is_reported_and_the_socket_keeps_working() {
    if !require_kernel() {
        return;
    }
    let ns = Netns::new("nl-enobufs");
    ns.add_veth("ob0", "ob1");
    let (mut events, _) = sockets(&ns, NETLINK_ROUTE);
    // The kernel's minimum (a couple of KiB): a few messages fit.
    events.set_rcvbuf(1).expect("set_rcvbuf");
    assert!(events.rcvbuf().unwrap() < 8192);
    events.join_group(rtnl::RTNLGRP_IPV4_IFADDR).expect("join");
    ns.sh(
        "for i in $(seq 1 200); do echo \"addr add 10.9.$((i / 200)).$((i % 200 + 1))/32 dev ob0\"; \
         done | ip -b -",
    );
    let mut delivered = 0;
    let mut overrun = false;
    for _ in 0..1000 {
        match events.recv_messages(&mut |_| delivered += 1) {
            Err(RecvError::Overrun) => {
                overrun = true;
                break;
            }
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => panic!("recv: {e}"),
        }
    }
    assert!(
        overrun,
        "200 adds into a tiny buffer must overrun (got {delivered} messages)"
    );
    assert!(delivered < 200);

    // Drain what was queued after the loss; then the group still works.
    for _ in 0..100 {
        if matches!(events.recv_messages(&mut |_| {}), Ok(0)) {
            break;
        }
    }
    ns.add_addr("ob0", "10.9.9.9/32");
    wait_for_rtnl(
        &mut events,
        "NEWADDR after the overrun",
        |r| matches!(r, RtnlMsg::NewAddr(a) if a.addr == ip("10.9.9.9")),
    );
}

#[test]
fn default_route_check() {
    if !require_kernel() {
        return;
    }
    let ns = Netns::new("nl-route");
    ns.add_veth("rta0", "rta1");
    ns.add_veth("rtb0", "rtb1");
    ns.add_addr("rta0", "198.51.100.2/24");
    ns.add_addr("rtb0", "203.0.113.2/24");
    ns.add_addr("rta0", "2001:db8:1::2/64");
    ns.add_addr("rtb0", "2001:db8:2::2/64");
    let (a, b) = (ns.ifindex("rta0"), ns.ifindex("rtb0"));
    let (_, mut rq) = sockets(&ns, NETLINK_ROUTE);
    let mut check = |idx, addr: &str| rtnl::check_default_route(&mut rq, idx, ip(addr)).unwrap();

    // Only connected routes: no default anywhere.
    assert!(!check(a, "198.51.100.2"));
    assert!(!check(a, "2001:db8:1::2"));

    // Default via rta0: yes for rta0, no for rtb0.
    ns.ip("route add default via 198.51.100.1 dev rta0");
    ns.ip("-6 route add default via 2001:db8:1::1 dev rta0");
    assert!(check(a, "198.51.100.2"));
    assert!(!check(b, "203.0.113.2"));
    assert!(check(a, "2001:db8:1::2"));
    assert!(!check(b, "2001:db8:2::2"));

    // A default only in table 100, chosen by a source rule: counts for
    // that source only (the reason RTA_SRC is sent).
    ns.ip("route del default");
    ns.ip("route add default via 203.0.113.1 dev rtb0 table 100");
    assert!(!check(b, "203.0.113.2"));
    ns.ip("rule add from 203.0.113.2 lookup 100");
    assert!(check(b, "203.0.113.2"));
    assert!(!check(a, "198.51.100.2"));
}

#[test]
fn multicast_forged_by_a_user_socket_is_dropped() {
    if !require_kernel() {
        return;
    }
    let ns = Netns::new("nl-forge");
    ns.add_veth("fg0", "fg1");
    let idx = ns.ifindex("fg0");
    let (mut events, _) = sockets(&ns, NETLINK_ROUTE);
    rtnl::subscribe(&events).expect("subscribe");
    // Root may multicast to rtnetlink groups from userspace. Forge an
    // RTM_NEWLINK for a link that does not exist; without NLM_F_REQUEST
    // the kernel's own copy of it is ignored.
    let forged_index = 4242;
    let mut fake = Vec::new();
    let mut payload = vec![0u8, 0, 1, 0];
    payload.extend((forged_index as i32).to_ne_bytes());
    payload.extend(IFF_UP.to_ne_bytes());
    payload.extend(0u32.to_ne_bytes());
    nla::put_str(&mut payload, 3, "forged0");
    mptcpd::nl::msg::put_msg(&mut fake, rtnl::RTM_NEWLINK, 0, 0, &payload);
    let sent = ns.enter(|| {
        let mut s = netlink_sys::Socket::new(NETLINK_ROUTE).unwrap();
        s.bind_auto().unwrap();
        // nl_groups bit 0 = RTNLGRP_LINK.
        s.send_to(&fake, &netlink_sys::SocketAddr::new(0, 1), 0)
    });
    sent.expect("forged multicast sent");
    // A real change queued after the forgery: once it is seen, the forged
    // message has been through the socket too.
    ns.ip("link set fg0 down");
    let mut forged_seen = false;
    wait_for_rtnl(&mut events, "real NEWLINK fg0", |r| {
        forged_seen |= matches!(r, RtnlMsg::NewLink(l) if l.index == forged_index);
        matches!(r, RtnlMsg::NewLink(l) if l.index == idx)
    });
    assert!(!forged_seen, "a message from a user port was delivered");
}
