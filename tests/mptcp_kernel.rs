// SPDX-License-Identifier: BSD-3-Clause
//! Kernel round trips of the MPTCP codec over our netlink layer: every
//! request is built by `wire::encode_command`, every reply and event read
//! back by `wire::decode_*`, and checked against what the kernel holds
//! (through `ip mptcp`, which has its own encoder) or against what a real
//! MPTCP connection between two namespaces must produce.
//!
//! Each test makes its own namespaces; nothing outside them is touched.

mod common;
#[path = "mptcp_kernel/events.rs"]
mod events;
#[path = "mptcp_kernel/iproute.rs"]
mod iproute;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use common::mptcp::{Paths, accept, connect, listen, ping_pong};
use common::pm::{PmClient, PmEvents};
use common::{Netns, require_kernel, veth_between};
use events::{expect_closed, expect_open, one_token};
use mptcpd::flags::AddrFlags;
use mptcpd::pm::{Command, Endpoint, Limits, PmEvent, SubflowInfo};

/// Bound of every wait for the kernel (replies, events, connections).
const WAIT: Duration = Duration::from_secs(5);

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn ep(id: u8, addr: &str, flags: AddrFlags, port: u16, ifindex: i32) -> Endpoint {
    Endpoint {
        id,
        addr: ip(addr),
        port,
        flags,
        ifindex,
    }
}

fn sorted_dump(pm: &mut PmClient) -> Vec<Endpoint> {
    let mut v = pm.dump(None);
    v.sort_by_key(|e| e.id);
    v
}

// ---------------------------------------------------------------------
// In-kernel PM: endpoints, limits, errors

#[test]
fn endpoints_added_by_us_read_back_by_us_and_by_iproute2() {
    if !require_kernel() {
        return;
    }
    let ns = Netns::new("mk-ep");
    ns.add_veth("ep0", "ep1");
    // SIGNAL with a port makes the kernel open a listener: the address
    // must be local.
    ns.add_addr("ep0", "10.1.1.1/24");
    ns.add_addr("ep0", "2001:db8:1::1/64");
    let (i0, i1) = (ns.ifindex("ep0") as i32, ns.ifindex("ep1") as i32);
    use AddrFlags as F;
    // Eight endpoints, the table's capacity: every flag and combination
    // the kernel accepts, both families, explicit ids up to 255, with and
    // without port and device.
    let want = vec![
        ep(1, "10.1.1.1", F::SIGNAL, 4001, i0),
        ep(2, "10.1.1.2", F::SUBFLOW, 0, i0),
        ep(3, "10.1.1.3", F::BACKUP, 0, i1),
        ep(10, "2001:db8:1::1", F::SIGNAL | F::BACKUP, 4002, 0),
        ep(11, "2001:db8:1::2", F::SUBFLOW | F::FULLMESH, 0, i1),
        ep(12, "2001:db8:1::3", F::SUBFLOW | F::LAMINAR, 0, 0),
        ep(200, "10.1.1.4", F::empty(), 0, 0),
        ep(
            255,
            "2001:db8:1::4",
            F::SIGNAL | F::SUBFLOW | F::BACKUP,
            0,
            i0,
        ),
    ];
    let mut pm = PmClient::open(&ns);
    for e in &want {
        pm.ok(&Command::AddAddr(*e));
    }

    assert_eq!(sorted_dump(&mut pm), want, "GET_ADDR dump");
    assert_eq!(iproute::endpoints(&ns), want, "ip mptcp endpoint show");
    for e in &want {
        assert_eq!(pm.get_addr(e.id).expect("GET_ADDR by id"), *e);
    }

    // SET_FLAGS by id and by address: only backup/fullmesh change.
    let set = |id: u8, addr: &str, flags| Command::SetFlags {
        token: None,
        local: ep(id, addr, flags, 0, 0),
        remote: None,
    };
    pm.ok(&set(2, "10.1.1.2", F::BACKUP));
    pm.ok(&set(0, "10.1.1.3", F::empty()));
    assert_eq!(pm.get_addr(2).unwrap().flags, F::SUBFLOW | F::BACKUP);
    assert_eq!(pm.get_addr(3).unwrap().flags, F::empty());

    // An id the kernel chose is reported like any other.
    pm.ok(&Command::DelAddr { id: 200 });
    pm.ok(&Command::AddAddr(ep(0, "10.1.1.5", F::SUBFLOW, 0, 0)));
    let picked = sorted_dump(&mut pm)
        .into_iter()
        .find(|e| e.addr == ip("10.1.1.5"))
        .expect("kernel-numbered endpoint in the dump");
    assert!(picked.id != 0 && !want.iter().any(|e| e.id == picked.id));
    assert_eq!(pm.get_addr(picked.id).unwrap(), picked);
    assert!(iproute::endpoints(&ns).contains(&picked));
}

#[test]
fn limits_set_by_us_read_back_by_us_and_by_iproute2() {
    if !require_kernel() {
        return;
    }
    let ns = Netns::new("mk-lim");
    let mut pm = PmClient::open(&ns);
    // A fresh namespace's defaults, seen the same way by both readers.
    let defaults = Limits {
        subflows: Some(2),
        add_addr_accepted: Some(0),
    };
    assert_eq!(pm.limits(), defaults);
    assert_eq!(iproute::limits(&ns), defaults);

    let both = Limits {
        subflows: Some(5),
        add_addr_accepted: Some(3),
    };
    pm.ok(&Command::SetLimits(both));
    assert_eq!(pm.limits(), both);
    assert_eq!(iproute::limits(&ns), both);

    // An absent limit is left alone, and 8 (the maximum) is accepted.
    pm.ok(&Command::SetLimits(Limits {
        subflows: Some(8),
        add_addr_accepted: None,
    }));
    let now = Limits {
        subflows: Some(8),
        add_addr_accepted: Some(3),
    };
    assert_eq!(pm.limits(), now);
    assert_eq!(iproute::limits(&ns), now);

    // And the other direction: set by iproute2, read by us.
    ns.ip("mptcp limits set subflows 0 add_addr_accepted 8");
    assert_eq!(
        pm.limits(),
        Limits {
            subflows: Some(0),
            add_addr_accepted: Some(8),
        }
    );
}

#[test]
fn del_addr_removes_exactly_one_and_flush_empties_the_table() {
    if !require_kernel() {
        return;
    }
    let ns = Netns::new("mk-del");
    let mut pm = PmClient::open(&ns);
    let want = [
        ep(1, "10.2.0.1", AddrFlags::SUBFLOW, 0, 0),
        ep(2, "10.2.0.2", AddrFlags::SUBFLOW, 0, 0),
        ep(3, "2001:db8:2::3", AddrFlags::SIGNAL, 0, 0),
    ];
    for e in &want {
        pm.ok(&Command::AddAddr(*e));
    }
    assert_eq!(sorted_dump(&mut pm), want);

    pm.ok(&Command::DelAddr { id: 2 });
    let rest = vec![want[0], want[2]];
    assert_eq!(sorted_dump(&mut pm), rest);
    assert_eq!(iproute::endpoints(&ns), rest);
    assert_eq!(pm.get_addr(2).unwrap_err().errno(), Some(libc::EINVAL));
    // Deleting it again: the kernel no longer knows the id.
    assert_eq!(pm.err(&Command::DelAddr { id: 2 }).errno, libc::EINVAL);

    pm.ok(&Command::FlushAddrs);
    assert_eq!(pm.dump(None), vec![]);
    assert_eq!(iproute::endpoints(&ns), vec![]);
    // Flushing an empty table is not an error.
    pm.ok(&Command::FlushAddrs);
}

#[test]
fn kernel_refusals_come_back_typed_with_their_text() {
    if !require_kernel() {
        return;
    }
    let ns = Netns::new("mk-err");
    let mut pm = PmClient::open(&ns);
    fn add(id: u8, addr: &str, flags: AddrFlags) -> Command {
        Command::AddAddr(ep(id, addr, flags, 0, 0))
    }
    let expect = |pm: &mut PmClient, cmd: Command, errno: i32| {
        let e = pm.err(&cmd);
        assert_eq!(e.errno, errno, "{cmd:?}: {e}");
        assert!(
            e.msg.as_deref().is_some_and(|m| !m.is_empty()),
            "{cmd:?}: no extended-ACK text in {e:?}"
        );
    };
    pm.ok(&add(1, "10.3.0.1", AddrFlags::SUBFLOW));

    // The same address again, with or without an id of its own.
    expect(
        &mut pm,
        add(0, "10.3.0.1", AddrFlags::SUBFLOW),
        libc::EEXIST,
    );
    expect(&mut pm, add(2, "10.3.0.1", AddrFlags::SIGNAL), libc::EEXIST);
    // Another address under an id in use.
    expect(&mut pm, add(1, "10.3.0.2", AddrFlags::SUBFLOW), libc::EBUSY);
    // Combinations the kernel refuses.
    expect(
        &mut pm,
        add(2, "10.3.0.2", AddrFlags::SIGNAL | AddrFlags::FULLMESH),
        libc::EINVAL,
    );
    expect(
        &mut pm,
        add(2, "10.3.0.2", AddrFlags::IMPLICIT),
        libc::EINVAL,
    );
    expect(
        &mut pm,
        Command::AddAddr(ep(2, "10.3.0.2", AddrFlags::SUBFLOW, 4000, 0)),
        libc::EINVAL,
    );
    // None of the refused ones slipped in.
    assert_eq!(pm.dump(None).len(), 1);

    // Seven more fill the table (8); the ninth is out of range.
    for i in 2..=8u8 {
        pm.ok(&add(i, &format!("10.3.0.{i}"), AddrFlags::SUBFLOW));
    }
    expect(
        &mut pm,
        add(9, "10.3.0.9", AddrFlags::SUBFLOW),
        libc::ERANGE,
    );
    expect(
        &mut pm,
        add(0, "10.3.0.9", AddrFlags::SUBFLOW),
        libc::ERANGE,
    );
    assert_eq!(pm.dump(None).len(), 8);

    for limits in [
        Limits {
            subflows: Some(9),
            add_addr_accepted: None,
        },
        Limits {
            subflows: None,
            add_addr_accepted: Some(9),
        },
    ] {
        expect(&mut pm, Command::SetLimits(limits), libc::EINVAL);
    }
    let defaults = Limits {
        subflows: Some(2),
        add_addr_accepted: Some(0),
    };
    assert_eq!(pm.limits(), defaults, "a refused limit changed something");

    // Userspace-PM commands name a connection; no such token here.
    let e = pm.err(&Command::Remove {
        token: 0x1234_5678,
        loc_id: 1,
    });
    assert_eq!(e.errno, libc::EINVAL, "{e}");
}

// ---------------------------------------------------------------------
// Events of real connections

#[test]
fn kernel_pm_connection_events_on_both_ends() {
    if !require_kernel() {
        return;
    }
    let net = Paths::new("mk-kev", 4, 2);
    let (srv, cli) = (&net.srv, &net.cli);
    // The client's second path: from 10.4.2.2 on c1 to the server's
    // first address, so c1 needs its own (less preferred) route there.
    cli.ip("route add 10.4.1.0/24 dev c1 metric 100");
    let c1 = cli.ifindex("c1") as i32;
    let mut cli_pm = PmClient::open(cli);
    let mut srv_pm = PmClient::open(srv);
    let raised = Limits {
        subflows: Some(4),
        add_addr_accepted: Some(4),
    };
    cli_pm.ok(&Command::SetLimits(raised));
    srv_pm.ok(&Command::SetLimits(raised));
    let sub_ep = ep(7, "10.4.2.2", AddrFlags::SUBFLOW | AddrFlags::BACKUP, 0, c1);
    cli_pm.ok(&Command::AddAddr(sub_ep));

    let mut srv_ev = PmEvents::open(srv);
    let mut cli_ev = PmEvents::open(cli);
    let listener = listen(srv, sa("10.4.1.1:0"), 8);
    let server_addr = listener.local_addr().unwrap();
    let mut client = connect(cli, server_addr, WAIT);
    let mut server = accept(&listener, WAIT);
    let client_addr = client.local_addr().unwrap();
    assert_eq!(server.peer_addr().unwrap(), client_addr);
    ping_pong(&mut client, &mut server);

    let (tc, ts) = expect_open(&mut cli_ev, &mut srv_ev, client_addr, server_addr);

    // The endpoint's subflow joins the server's first address, bound to
    // c1, with the backup bit: the server sees it as the peer's flag.
    let sub = |e: &PmEvent| match e {
        PmEvent::SubEstablished(s) => Some(*s),
        _ => None,
    };
    let cs = sub(&cli_ev.wait_for("client SUB_ESTABLISHED", WAIT, |e| sub(e).is_some())).unwrap();
    let ss = sub(&srv_ev.wait_for("server SUB_ESTABLISHED", WAIT, |e| sub(e).is_some())).unwrap();
    assert_eq!(cs.local.ip(), ip("10.4.2.2"));
    assert_eq!(cs.remote, server_addr);
    assert_eq!((cs.loc_id, cs.rem_id), (7, 0));
    assert_eq!((ss.local, ss.remote), (cs.remote, cs.local));
    assert_eq!((ss.loc_id, ss.rem_id), (0, 7));
    // BACKUP is the bit received from the peer: set on the server only.
    assert!(
        ss.backup && !cs.backup,
        "backup: client {cs:?}, server {ss:?}"
    );
    // IF_IDX comes with subflows bound to a device, as the endpoint's is.
    assert_eq!((cs.ifindex, ss.ifindex), (Some(c1), None));
    assert_eq!(cs.error.or(ss.error), None);

    expect_closed(
        &mut cli_ev,
        &mut srv_ev,
        (client, server, listener),
        (tc, ts),
        server_addr,
    );
}

#[test]
fn ipv6_connection_events() {
    if !require_kernel() {
        return;
    }
    let srv = Netns::new("mk-v6-s");
    let cli = Netns::new("mk-v6-c");
    veth_between(&cli, "c0", &srv, "s0");
    cli.add_addr("c0", "2001:db8:6::2/64");
    srv.add_addr("s0", "2001:db8:6::1/64");
    let mut srv_ev = PmEvents::open(&srv);
    let mut cli_ev = PmEvents::open(&cli);
    let listener = listen(&srv, sa("[2001:db8:6::1]:0"), 8);
    let server_addr = listener.local_addr().unwrap();
    let mut client = connect(&cli, server_addr, WAIT);
    let mut server = accept(&listener, WAIT);
    let client_addr = client.local_addr().unwrap();
    ping_pong(&mut client, &mut server);
    let tokens = expect_open(&mut cli_ev, &mut srv_ev, client_addr, server_addr);
    expect_closed(
        &mut cli_ev,
        &mut srv_ev,
        (client, server, listener),
        tokens,
        server_addr,
    );
}

#[test]
fn userspace_pm_announce_subflow_create_destroy_remove() {
    if !require_kernel() {
        return;
    }
    let net = Paths::new("mk-upm", 5, 2);
    let (srv, cli) = (&net.srv, &net.cli);
    for ns in [srv, cli] {
        ns.sysctl("net.mptcp.pm_type", "1");
    }
    let mut srv_pm = PmClient::open(srv);
    let mut cli_pm = PmClient::open(cli);
    // Also what makes the kernel accept joins on a userspace-PM server.
    let mut srv_ev = PmEvents::open(srv);
    let mut cli_ev = PmEvents::open(cli);

    let listener = listen(srv, sa("10.5.1.1:0"), 8);
    let server_addr = listener.local_addr().unwrap();
    let mut client = connect(cli, server_addr, WAIT);
    let mut server = accept(&listener, WAIT);
    ping_pong(&mut client, &mut server);
    // The tokens every userspace-PM command needs, from CREATED.
    let token = |ev: PmEvent| match ev {
        PmEvent::Created(c) => c.token,
        _ => unreachable!(),
    };
    let created = |e: &PmEvent| matches!(e, PmEvent::Created(_));
    let ts = token(srv_ev.wait_for("server CREATED", WAIT, created));
    let tc = token(cli_ev.wait_for("client CREATED", WAIT, created));

    // The server announces its second address with a port of its own,
    // where it listens itself: the kernel does not for this PM.
    let extra = listen(srv, sa("10.5.2.1:0"), 8);
    let announced = extra.local_addr().unwrap();
    let signal = ep(5, "10.5.2.1", AddrFlags::SIGNAL, announced.port(), 0);
    srv_pm.ok(&Command::Announce {
        token: ts,
        addr: signal,
    });
    let got = cli_ev.wait_for("ANNOUNCED", WAIT, |e| {
        matches!(e, PmEvent::Announced { .. })
    });
    assert_eq!(
        got,
        PmEvent::Announced {
            token: tc,
            rem_id: 5,
            addr: announced,
        }
    );
    // The connection's address list (GET_ADDR dump with a token) now
    // holds the announcement.
    assert_eq!(srv_pm.dump(Some(ts)), vec![signal]);

    // The client joins the announced address from its own second one.
    let local = ep(3, "10.5.2.2", AddrFlags::empty(), 0, 0);
    cli_pm.ok(&Command::SubflowCreate {
        token: tc,
        local,
        remote: announced,
    });
    let sub = |e: &PmEvent| match e {
        PmEvent::SubEstablished(s) => Some(*s),
        _ => None,
    };
    let cs = sub(&cli_ev.wait_for("client SUB_ESTABLISHED", WAIT, |e| sub(e).is_some())).unwrap();
    let ss = sub(&srv_ev.wait_for("server SUB_ESTABLISHED", WAIT, |e| sub(e).is_some())).unwrap();
    assert_eq!((cs.token, ss.token), (tc, ts));
    assert_eq!((cs.local.ip(), cs.remote), (local.addr, announced));
    assert_eq!((ss.local, ss.remote), (cs.remote, cs.local));
    assert_eq!((cs.loc_id, cs.rem_id), (3, 5));
    assert_eq!((ss.loc_id, ss.rem_id), (5, 3));
    assert!(!cs.backup && !ss.backup);

    // The client makes it a backup subflow; only the peer is told.
    cli_pm.ok(&Command::SetFlags {
        token: Some(tc),
        local: Endpoint {
            port: cs.local.port(),
            flags: AddrFlags::BACKUP,
            ..local
        },
        remote: Some(cs.remote),
    });
    let prio = srv_ev.wait_for("SUB_PRIORITY", WAIT, |e| {
        matches!(e, PmEvent::SubPriority(_))
    });
    let PmEvent::SubPriority(sp) = prio else {
        unreachable!()
    };
    assert_eq!(
        (sp.local, sp.remote, sp.loc_id, sp.rem_id),
        (ss.local, ss.remote, 5, 3)
    );
    assert!(sp.backup, "{sp:?}");

    // Destroy it by its exact four-tuple, from the client.
    let destroy = Command::SubflowDestroy {
        token: tc,
        local: cs.local,
        remote: cs.remote,
    };
    cli_pm.ok(&destroy);
    let closed = |e: &PmEvent| match e {
        PmEvent::SubClosed(s) => Some(*s),
        _ => None,
    };
    let cc = closed(&cli_ev.wait_for("client SUB_CLOSED", WAIT, |e| closed(e).is_some())).unwrap();
    let sc = closed(&srv_ev.wait_for("server SUB_CLOSED", WAIT, |e| closed(e).is_some())).unwrap();
    let ids = |s: &SubflowInfo| (s.token, s.local, s.remote, s.loc_id, s.rem_id);
    assert_eq!(ids(&cc), ids(&cs));
    assert_eq!(ids(&sc), ids(&ss));
    assert_eq!(cc.error, None, "our own destroy is not a failure: {cc:?}");
    // Gone: a second destroy finds nothing.
    assert_eq!(cli_pm.err(&destroy).errno, libc::ESRCH);

    // The server withdraws the announcement; the client hears of it.
    srv_pm.ok(&Command::Remove {
        token: ts,
        loc_id: 5,
    });
    let got = cli_ev.wait_for("REMOVED", WAIT, |e| matches!(e, PmEvent::Removed { .. }));
    assert_eq!(
        got,
        PmEvent::Removed {
            token: tc,
            rem_id: 5
        }
    );

    // The first subflow carried data throughout.
    ping_pong(&mut client, &mut server);
    assert_eq!(one_token("client", &cli_ev.seen), tc);
    assert_eq!(one_token("server", &srv_ev.seen), ts);
}
