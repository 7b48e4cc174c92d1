// SPDX-License-Identifier: BSD-3-Clause
//! Requests: `encode_command` reproduces the captured bytes, and the wire
//! level parses them into the expected attributes.

use super::*;
use crate::flags::AddrFlags;
use crate::pm::{Command, Endpoint, Limits};
use crate::wire::golden as g;
use crate::wire::{AddrAttr as A, AddrNest, PmAttr as P, PmCmd, encode_command, is_dump};

const CLIENT_TOKEN: u32 = 0x3cda_3c80;
const SERVER_TOKEN: u32 = 0x0f25_9234;
const SERVER_TOKEN_V6: u32 = 0xf422_ce64;

fn ep(id: u8, addr: IpAddr, port: u16, flags: AddrFlags, ifindex: i32) -> Endpoint {
    Endpoint {
        id,
        addr,
        port,
        flags,
        ifindex,
    }
}

fn encoded(cmd: &Command) -> Vec<u8> {
    let mut out = vec![0xee]; // encode_command appends: keep what was there
    encode_command(cmd, &mut out);
    assert_eq!(out[0], 0xee);
    out.remove(0);
    out
}

/// Every captured request paired with the command that must produce it.
fn cases() -> Vec<(&'static str, &'static [B], Command)> {
    let unspec = IpAddr::V4(Ipv4Addr::UNSPECIFIED);
    vec![
        (
            "ADD_ADDR_V4",
            g::ADD_ADDR_V4,
            Command::AddAddr(ep(3, ip4(10, 100, 3, 2), 0, AddrFlags::SUBFLOW, 2)),
        ),
        (
            "ADD_ADDR_V6",
            g::ADD_ADDR_V6,
            Command::AddAddr(ep(
                4,
                ip6("2001:db8:3::2"),
                0,
                AddrFlags::SUBFLOW | AddrFlags::BACKUP,
                2,
            )),
        ),
        (
            "ADD_ADDR_SIGNAL_PORT",
            g::ADD_ADDR_SIGNAL_PORT,
            Command::AddAddr(ep(0, ip4(10, 100, 3, 1), 5001, AddrFlags::SIGNAL, 0)),
        ),
        (
            "SET_LIMITS",
            g::SET_LIMITS,
            Command::SetLimits(Limits {
                subflows: Some(2),
                add_addr_accepted: Some(3),
            }),
        ),
        ("GET_LIMITS", g::GET_LIMITS, Command::GetLimits),
        (
            "GET_ADDR_DUMP",
            g::GET_ADDR_DUMP,
            Command::DumpAddrs { token: None },
        ),
        ("GET_ADDR_ID", g::GET_ADDR_ID, Command::GetAddr { id: 3 }),
        (
            "SET_FLAGS_ID",
            g::SET_FLAGS_ID,
            Command::SetFlags {
                token: None,
                local: ep(3, unspec, 0, AddrFlags::BACKUP, 0),
                remote: None,
            },
        ),
        ("DEL_ADDR", g::DEL_ADDR, Command::DelAddr { id: 3 }),
        ("FLUSH_ADDRS", g::FLUSH_ADDRS, Command::FlushAddrs),
        (
            "SUBFLOW_CREATE",
            g::SUBFLOW_CREATE,
            Command::SubflowCreate {
                token: CLIENT_TOKEN,
                local: ep(2, ip4(10, 100, 2, 2), 0, AddrFlags::empty(), 0),
                remote: sa(ip4(10, 100, 1, 1), 7000),
            },
        ),
        (
            "ANNOUNCE_V4",
            g::ANNOUNCE_V4,
            Command::Announce {
                token: SERVER_TOKEN,
                addr: ep(5, ip4(10, 100, 2, 1), 7000, AddrFlags::SIGNAL, 0),
            },
        ),
        (
            "GET_ADDR_DUMP_TOKEN",
            g::GET_ADDR_DUMP_TOKEN,
            Command::DumpAddrs {
                token: Some(SERVER_TOKEN),
            },
        ),
        (
            "SET_FLAGS_TOKEN",
            g::SET_FLAGS_TOKEN,
            Command::SetFlags {
                token: Some(CLIENT_TOKEN),
                local: ep(0, ip4(10, 100, 2, 2), 0, AddrFlags::BACKUP, 0),
                remote: Some(sa(ip4(10, 100, 1, 1), 7000)),
            },
        ),
        (
            "REMOVE",
            g::REMOVE,
            Command::Remove {
                token: SERVER_TOKEN,
                loc_id: 5,
            },
        ),
        (
            "SUBFLOW_DESTROY",
            g::SUBFLOW_DESTROY,
            Command::SubflowDestroy {
                token: CLIENT_TOKEN,
                local: sa(ip4(10, 100, 2, 2), 38357),
                remote: sa(ip4(10, 100, 1, 1), 7000),
            },
        ),
        (
            "ANNOUNCE_V6",
            g::ANNOUNCE_V6,
            Command::Announce {
                token: SERVER_TOKEN_V6,
                // SIGNAL is added by the encoder.
                addr: ep(6, ip6("2001:db8:2::1"), 0, AddrFlags::empty(), 0),
            },
        ),
    ]
}

#[test]
fn encode_command_matches_captures() {
    for (name, listing, cmd) in cases() {
        assert_eq!(encoded(&cmd), v(listing), "{name}");
    }
}

#[test]
fn every_captured_request_has_a_command_case() {
    let covered: Vec<&str> = cases().iter().map(|c| c.0).collect();
    for (name, kind, _, _) in g::ALL {
        // GET_ADDR by id with a token has no Command (uPM lookups go by dump).
        if *kind == Kind::Request && *name != "GET_ADDR_ID_TOKEN" {
            assert!(covered.contains(name), "{name}");
        }
    }
}

#[test]
fn only_dump_addrs_is_a_dump() {
    for (_, _, cmd) in cases() {
        assert_eq!(is_dump(&cmd), matches!(cmd, Command::DumpAddrs { .. }));
    }
}

#[test]
fn wire_level_add_addr_v4() {
    let bytes = v(g::ADD_ADDR_V4);
    let expected = PmMessage::new(
        PmCmd::AddAddr,
        vec![P::Addr(AddrNest(vec![
            A::Id(3),
            A::Flags(AddrFlags::SUBFLOW),
            A::IfIdx(2),
            A::Family(2),
            A::Addr4(Ipv4Addr::new(10, 100, 3, 2)),
        ]))],
    );
    assert_eq!(PmMessage::parse(&bytes).unwrap(), expected);
    let mut out = Vec::new();
    expected.emit(&mut out);
    assert_eq!(out, bytes);
}

#[test]
fn wire_level_subflow_create_has_two_nests() {
    let bytes = v(g::SUBFLOW_CREATE);
    let expected = PmMessage::new(
        PmCmd::SubflowCreate,
        vec![
            P::Token(CLIENT_TOKEN),
            P::Addr(AddrNest(vec![
                A::Id(2),
                A::Family(2),
                A::Addr4(Ipv4Addr::new(10, 100, 2, 2)),
            ])),
            P::AddrRemote(AddrNest(vec![
                A::Port(7000),
                A::Family(2),
                A::Addr4(Ipv4Addr::new(10, 100, 1, 1)),
            ])),
        ],
    );
    assert_eq!(PmMessage::parse(&bytes).unwrap(), expected);
    let mut out = Vec::new();
    expected.emit(&mut out);
    assert_eq!(out, bytes);
}

#[test]
fn wire_level_set_limits_and_remove() {
    let m = PmMessage::parse(leak(v(g::SET_LIMITS))).unwrap();
    assert_eq!(
        m,
        PmMessage::new(PmCmd::SetLimits, vec![P::RcvAddAddrs(3), P::Subflows(2)])
    );
    let m = PmMessage::parse(leak(v(g::REMOVE))).unwrap();
    assert_eq!(
        m,
        PmMessage::new(PmCmd::Remove, vec![P::Token(SERVER_TOKEN), P::LocId(5)])
    );
}

/// The endpoint port is host order, unlike event ports. The capture proves
/// the kernel reads it so: the peer's ANNOUNCED reported dport 7000 (in
/// network order) for this request.
#[test]
fn endpoint_port_is_host_order() {
    let bytes = v(g::ANNOUNCE_V4);
    let mut port_attr = Vec::new();
    port_attr.extend_from_slice(&6u16.to_ne_bytes());
    port_attr.extend_from_slice(&5u16.to_ne_bytes()); // MPTCP_PM_ADDR_ATTR_PORT
    port_attr.extend_from_slice(&7000u16.to_ne_bytes());
    assert!(bytes.windows(6).any(|w| w == port_attr.as_slice()));
}

#[test]
fn announce_keeps_ifindex_and_other_flags() {
    let cmd = Command::Announce {
        token: 1,
        addr: ep(9, ip4(192, 0, 2, 1), 0, AddrFlags::BACKUP, 7),
    };
    let m = PmMessage::parse(leak(encoded(&cmd))).unwrap();
    assert_eq!(
        m.attrs[1],
        P::Addr(AddrNest(vec![
            A::Id(9),
            A::Flags(AddrFlags::SIGNAL | AddrFlags::BACKUP),
            A::IfIdx(7),
            A::Family(2),
            A::Addr4(Ipv4Addr::new(192, 0, 2, 1)),
        ]))
    );
}

#[test]
fn set_flags_by_address_when_id_is_zero() {
    let cmd = Command::SetFlags {
        token: None,
        local: ep(0, ip6("2001:db8::1"), 0, AddrFlags::empty(), 0),
        remote: None,
    };
    let m = PmMessage::parse(leak(encoded(&cmd))).unwrap();
    assert_eq!(
        m.attrs,
        vec![P::Addr(AddrNest(vec![
            A::Flags(AddrFlags::empty()),
            A::Family(10),
            A::Addr6("2001:db8::1".parse().unwrap()),
        ]))]
    );
}

#[test]
fn subflow_create_sends_local_id_zero_and_backup() {
    let cmd = Command::SubflowCreate {
        token: 5,
        local: ep(0, ip4(198, 51, 100, 2), 0, AddrFlags::BACKUP, 3),
        remote: sa(ip4(203, 0, 113, 1), 443),
    };
    let m = PmMessage::parse(leak(encoded(&cmd))).unwrap();
    assert_eq!(
        m.attrs[1],
        P::Addr(AddrNest(vec![
            A::Id(0),
            A::Flags(AddrFlags::BACKUP),
            A::IfIdx(3),
            A::Family(2),
            A::Addr4(Ipv4Addr::new(198, 51, 100, 2)),
        ]))
    );
}

#[test]
fn set_limits_omits_unchanged() {
    let cmd = Command::SetLimits(Limits {
        subflows: Some(4),
        add_addr_accepted: None,
    });
    let m = PmMessage::parse(leak(encoded(&cmd))).unwrap();
    assert_eq!(m.attrs, vec![P::Subflows(4)]);
}
