// SPDX-License-Identifier: BSD-3-Clause
//! Events: captured multicast messages decoded into `PmEvent`s, the wire
//! level parsed attribute by attribute, and the per-event checks.

use super::*;
use crate::pm::{ConnInfo, PmEvent, SubflowInfo};
use crate::wire::golden as g;
use crate::wire::{DecodeErrorKind, EventAttr as E, PmEventType, decode_event};

const CLIENT_TOKEN: u32 = 0x3cda_3c80;
const SERVER_TOKEN: u32 = 0x0f25_9234;
const SERVER_TOKEN_V6: u32 = 0xf422_ce64;
const CLIENT_TOKEN_V6: u32 = 0xd7bc_8560;

fn conn(token: u32, local: SocketAddr, remote: SocketAddr, server_side: bool) -> ConnInfo {
    ConnInfo {
        token,
        local,
        remote,
        server_side,
        deny_join_id0: false,
    }
}

fn sub(
    token: u32,
    local: SocketAddr,
    remote: SocketAddr,
    ids: (u8, u8),
    backup: bool,
) -> SubflowInfo {
    SubflowInfo {
        token,
        local,
        remote,
        loc_id: ids.0,
        rem_id: ids.1,
        backup,
        ifindex: None,
        error: None,
        reset_reason: None,
        reset_flags: None,
    }
}

fn cases() -> Vec<(&'static str, &'static [B], PmEvent)> {
    let srv1 = sa(ip4(10, 100, 1, 1), 7000);
    let cli1 = sa(ip4(10, 100, 1, 2), 40000);
    let cli2 = sa(ip4(10, 100, 2, 2), 38357);
    let srv6 = sa(ip6("2001:db8:1::1"), 7001);
    let cli6 = sa(ip6("2001:db8:1::2"), 50000);
    let srv_sub = sub(SERVER_TOKEN, srv1, cli2, (0, 2), false);
    let cli_sub = sub(CLIENT_TOKEN, cli2, srv1, (2, 0), false);
    vec![
        (
            "LISTENER_CREATED_V4",
            g::LISTENER_CREATED_V4,
            PmEvent::ListenerCreated(sa(ip4(0, 0, 0, 0), 7000)),
        ),
        (
            "LISTENER_CREATED_V6",
            g::LISTENER_CREATED_V6,
            PmEvent::ListenerCreated(srv6),
        ),
        (
            "SERVER_CREATED",
            g::SERVER_CREATED,
            PmEvent::Created(conn(SERVER_TOKEN, srv1, cli1, true)),
        ),
        (
            "SERVER_ESTABLISHED",
            g::SERVER_ESTABLISHED,
            PmEvent::Established(conn(SERVER_TOKEN, srv1, cli1, true)),
        ),
        (
            "CLIENT_CREATED",
            g::CLIENT_CREATED,
            PmEvent::Created(conn(CLIENT_TOKEN, cli1, srv1, false)),
        ),
        (
            "CLIENT_ESTABLISHED",
            g::CLIENT_ESTABLISHED,
            PmEvent::Established(conn(CLIENT_TOKEN, cli1, srv1, false)),
        ),
        (
            "SERVER_SUB_ESTABLISHED",
            g::SERVER_SUB_ESTABLISHED,
            PmEvent::SubEstablished(srv_sub),
        ),
        (
            "CLIENT_SUB_ESTABLISHED",
            g::CLIENT_SUB_ESTABLISHED,
            PmEvent::SubEstablished(cli_sub),
        ),
        (
            "ANNOUNCED_V4",
            g::ANNOUNCED_V4,
            PmEvent::Announced {
                token: CLIENT_TOKEN,
                rem_id: 5,
                addr: sa(ip4(10, 100, 2, 1), 7000),
            },
        ),
        (
            "SUB_PRIORITY",
            g::SUB_PRIORITY,
            PmEvent::SubPriority(SubflowInfo {
                backup: true,
                ..srv_sub
            }),
        ),
        (
            "REMOVED",
            g::REMOVED,
            PmEvent::Removed {
                token: CLIENT_TOKEN,
                rem_id: 5,
            },
        ),
        (
            "SERVER_SUB_CLOSED",
            g::SERVER_SUB_CLOSED,
            PmEvent::SubClosed(SubflowInfo {
                backup: true,
                ..srv_sub
            }),
        ),
        (
            "CLIENT_SUB_CLOSED",
            g::CLIENT_SUB_CLOSED,
            PmEvent::SubClosed(cli_sub),
        ),
        (
            "SUB_CLOSED_ERROR",
            g::SUB_CLOSED_ERROR,
            PmEvent::SubClosed(SubflowInfo {
                local: sa(ip4(10, 100, 2, 2), 38615),
                remote: sa(ip4(10, 100, 1, 1), 7999),
                error: Some(111), // ECONNREFUSED
                ..cli_sub
            }),
        ),
        (
            "SERVER_CREATED_V6",
            g::SERVER_CREATED_V6,
            PmEvent::Created(conn(SERVER_TOKEN_V6, srv6, cli6, true)),
        ),
        (
            "CLIENT_CREATED_V6",
            g::CLIENT_CREATED_V6,
            PmEvent::Created(conn(CLIENT_TOKEN_V6, cli6, srv6, false)),
        ),
        (
            "ANNOUNCED_V6",
            g::ANNOUNCED_V6,
            PmEvent::Announced {
                token: CLIENT_TOKEN_V6,
                rem_id: 6,
                addr: sa(ip6("2001:db8:2::1"), 7001),
            },
        ),
        (
            "CLOSED",
            g::CLOSED,
            PmEvent::Closed {
                token: SERVER_TOKEN_V6,
            },
        ),
        (
            "LISTENER_CLOSED_V4",
            g::LISTENER_CLOSED_V4,
            PmEvent::ListenerClosed(sa(ip4(0, 0, 0, 0), 7000)),
        ),
    ]
}

#[test]
fn decode_event_matches_captures() {
    for (name, listing, expected) in cases() {
        assert_eq!(decode_event(&v(listing)), Ok(Some(expected)), "{name}");
    }
}

#[test]
fn every_captured_event_has_a_case() {
    let covered: Vec<&str> = cases().iter().map(|c| c.0).collect();
    for (name, kind, _, _) in g::ALL {
        if *kind == Kind::Event {
            assert!(covered.contains(name), "{name}");
        }
    }
}

#[test]
fn wire_level_server_created() {
    let bytes = v(g::SERVER_CREATED);
    let expected = EventMessage {
        event: PmEventType::Created,
        version: 1,
        reserved: 0,
        attrs: vec![
            E::Token(SERVER_TOKEN),
            E::ServerSide(1),
            E::Flags(2),
            E::Family(2),
            E::Saddr4(Ipv4Addr::new(10, 100, 1, 1)),
            E::Daddr4(Ipv4Addr::new(10, 100, 1, 2)),
            E::Sport(7000),
            E::Dport(40000),
            E::LocId(0),
            E::RemId(0),
        ],
    };
    assert_eq!(EventMessage::parse(&bytes).unwrap(), expected);
    let mut out = Vec::new();
    expected.emit(&mut out);
    assert_eq!(out, bytes);
}

#[test]
fn wire_level_announced_and_sub_closed_error() {
    let m = EventMessage::parse(leak(v(g::ANNOUNCED_V4))).unwrap();
    assert_eq!(m.event, PmEventType::Announced);
    assert_eq!(
        m.attrs,
        vec![
            E::Token(CLIENT_TOKEN),
            E::RemId(5),
            E::Dport(7000),
            E::Daddr4(Ipv4Addr::new(10, 100, 2, 1)),
        ]
    );
    let m = EventMessage::parse(leak(v(g::SUB_CLOSED_ERROR))).unwrap();
    assert_eq!(m.event, PmEventType::SubClosed);
    assert_eq!(m.attrs.last(), Some(&E::Error(111)));
}

/// Event ports are network order: 7000 is `1b 58` on every host.
#[test]
fn event_ports_are_network_order() {
    let bytes = v(g::LISTENER_CREATED_V4);
    let mut sport = Vec::new();
    sport.extend_from_slice(&6u16.to_ne_bytes());
    sport.extend_from_slice(&9u16.to_ne_bytes()); // MPTCP_ATTR_SPORT
    sport.extend_from_slice(&[0x1b, 0x58]);
    assert!(bytes.windows(6).any(|w| w == sport.as_slice()));
}

fn event(kind: PmEventType, attrs: Vec<E<'static>>) -> Vec<u8> {
    let mut out = Vec::new();
    EventMessage {
        event: kind,
        version: 1,
        reserved: 0,
        attrs,
    }
    .emit(&mut out);
    out
}

/// The attributes of the captured SERVER_SUB_ESTABLISHED.
fn sub_attrs() -> Vec<E<'static>> {
    EventMessage::parse(leak(v(g::SERVER_SUB_ESTABLISHED)))
        .unwrap()
        .attrs
}

#[test]
fn missing_required_attribute_is_named() {
    let attrs = sub_attrs();
    let required = [
        "MPTCP_ATTR_TOKEN",
        "MPTCP_ATTR_FAMILY",
        "MPTCP_ATTR_SADDR4",
        "MPTCP_ATTR_DADDR4",
        "MPTCP_ATTR_SPORT",
        "MPTCP_ATTR_DPORT",
        "MPTCP_ATTR_LOC_ID",
        "MPTCP_ATTR_REM_ID",
        "MPTCP_ATTR_BACKUP",
    ];
    assert_eq!(attrs.len(), required.len());
    for (i, name) in required.iter().enumerate() {
        let mut a = attrs.clone();
        a.remove(i);
        let e = decode_event(&event(PmEventType::SubEstablished, a)).unwrap_err();
        assert_eq!(e.to_string(), format!("SUB_ESTABLISHED: missing {name}"));
    }
}

#[test]
fn announced_needs_an_address() {
    let e = decode_event(&event(
        PmEventType::Announced,
        vec![E::Token(1), E::RemId(2), E::Dport(80)],
    ))
    .unwrap_err();
    assert_eq!(e.context, "ANNOUNCED");
    assert_eq!(e.kind, DecodeErrorKind::Missing);
    let both = vec![
        E::Token(1),
        E::RemId(2),
        E::Dport(80),
        E::Daddr4(Ipv4Addr::new(192, 0, 2, 1)),
        E::Daddr6(Ipv6Addr::LOCALHOST),
    ];
    assert!(decode_event(&event(PmEventType::Announced, both)).is_err());
}

#[test]
fn wrong_size_is_named() {
    // TOKEN as a u16.
    let mut b = vec![3, 1, 0, 0];
    b.extend_from_slice(&6u16.to_ne_bytes());
    b.extend_from_slice(&1u16.to_ne_bytes());
    b.extend_from_slice(&[1, 2, 0, 0]);
    let e = decode_event(&b).unwrap_err();
    assert_eq!(
        e.to_string(),
        "CLOSED: MPTCP_ATTR_TOKEN: wrong size 2 (expected 4)"
    );
    assert!(EventMessage::parse(&b).is_err());
}

#[test]
fn unknown_event_is_none_and_unknown_attribute_skipped() {
    assert_eq!(decode_event(&[42, 1, 0, 0, 0xff]), Ok(None));
    let mut a = vec![E::Token(9)];
    a.push(E::Other(crate::wire::RawNla {
        raw_type: 99,
        value: &[1, 2, 3],
    }));
    a.push(E::Other(crate::wire::RawNla {
        raw_type: 0x8000 | 77,
        value: &[],
    }));
    let bytes = event(PmEventType::Closed, a.clone());
    assert_eq!(decode_event(&bytes), Ok(Some(PmEvent::Closed { token: 9 })));
    assert_eq!(EventMessage::parse(&bytes).unwrap().attrs, a);
}

#[test]
fn flags_and_optional_subflow_fields() {
    // Synthetic (not captured): DENY_JOIN_ID0 from a kPM peer, and the
    // optional subflow attributes.
    let mut a = EventMessage::parse(leak(v(g::CLIENT_CREATED)))
        .unwrap()
        .attrs;
    a.push(E::Flags(1));
    let Ok(Some(PmEvent::Created(c))) = decode_event(&event(PmEventType::Created, a)) else {
        panic!("not CREATED")
    };
    assert!(c.deny_join_id0 && !c.server_side);

    // SERVER_SIDE from the 6.18 FLAGS bit alone, or the old u8 alone.
    let mut a = EventMessage::parse(leak(v(g::SERVER_CREATED)))
        .unwrap()
        .attrs;
    a.retain(|x| !matches!(x, E::ServerSide(_)));
    let Ok(Some(PmEvent::Created(c))) = decode_event(&event(PmEventType::Created, a.clone()))
    else {
        panic!("not CREATED")
    };
    assert!(c.server_side && !c.deny_join_id0);
    a.retain(|x| !matches!(x, E::Flags(_)));
    a.push(E::ServerSide(1));
    let Ok(Some(PmEvent::Created(c))) = decode_event(&event(PmEventType::Created, a)) else {
        panic!("not CREATED")
    };
    assert!(c.server_side);

    let mut a = sub_attrs();
    a.extend([
        E::IfIdx(4),
        E::ResetReason(3),
        E::ResetFlags(1),
        E::Timeout(5),
    ]);
    let Ok(Some(PmEvent::SubClosed(s))) = decode_event(&event(PmEventType::SubClosed, a)) else {
        panic!("not SUB_CLOSED")
    };
    assert_eq!(
        (s.ifindex, s.reset_reason, s.reset_flags),
        (Some(4), Some(3), Some(1))
    );
}

#[test]
fn unknown_family_is_an_error() {
    let mut a = sub_attrs();
    for x in &mut a {
        if let E::Family(f) = x {
            *f = 3;
        }
    }
    let e = decode_event(&event(PmEventType::SubEstablished, a)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "SUB_ESTABLISHED: MPTCP_ATTR_FAMILY: unknown address family"
    );
}

#[test]
fn saddr6_longer_than_16_reads_the_first_16() {
    let mut b = vec![15, 1, 0, 0];
    let mut push = |kind: u16, val: &[u8]| {
        let len = 4 + val.len();
        b.extend_from_slice(&(len as u16).to_ne_bytes());
        b.extend_from_slice(&kind.to_ne_bytes());
        b.extend_from_slice(val);
        b.resize(b.len() + (4 - len % 4) % 4, 0);
    };
    push(2, &10u16.to_ne_bytes());
    push(9, &[0, 80]);
    let mut addr = ip6_octets("2001:db8::5").to_vec();
    addr.extend_from_slice(&[0xaa; 4]);
    push(6, &addr);
    assert_eq!(
        decode_event(&b),
        Ok(Some(PmEvent::ListenerCreated(sa(ip6("2001:db8::5"), 80))))
    );
}

fn ip6_octets(s: &str) -> [u8; 16] {
    s.parse::<Ipv6Addr>().unwrap().octets()
}
