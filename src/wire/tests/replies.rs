// SPDX-License-Identifier: BSD-3-Clause
//! Replies: GET_ADDR (do and dump, kPM and uPM) and GET_LIMITS answers
//! captured from the kernel.

use super::*;
use crate::flags::AddrFlags;
use crate::pm::{Endpoint, Limits};
use crate::wire::golden as g;
use crate::wire::{
    AddrAttr as A, AddrNest, DecodeErrorKind, PmAttr as P, PmCmd, decode_endpoint, decode_limits,
};

#[test]
fn get_limits_reply() {
    let bytes = v(g::GET_LIMITS_REPLY);
    assert_eq!(
        decode_limits(&bytes).unwrap(),
        Limits {
            subflows: Some(2),
            add_addr_accepted: Some(3),
        }
    );
    let m = PmMessage::parse(&bytes).unwrap();
    assert_eq!(
        m,
        PmMessage::new(PmCmd::GetLimits, vec![P::RcvAddAddrs(3), P::Subflows(2)])
    );
}

#[test]
fn dump_entries() {
    let cases = [
        (
            g::DUMP_ENTRY_V4,
            Endpoint {
                id: 3,
                addr: ip4(10, 100, 3, 2),
                port: 0,
                flags: AddrFlags::SUBFLOW | AddrFlags::BACKUP,
                ifindex: 2,
            },
        ),
        (
            g::DUMP_ENTRY_V6,
            Endpoint {
                id: 4,
                addr: ip6("2001:db8:3::2"),
                port: 0,
                flags: AddrFlags::SUBFLOW | AddrFlags::BACKUP,
                ifindex: 2,
            },
        ),
        (
            g::DUMP_ENTRY_SIGNAL_PORT,
            Endpoint {
                id: 5,
                addr: ip4(10, 100, 3, 1),
                port: 5001,
                flags: AddrFlags::SIGNAL,
                ifindex: 0,
            },
        ),
        (
            g::GET_ADDR_REPLY,
            Endpoint {
                id: 4,
                addr: ip6("2001:db8:3::2"),
                port: 0,
                flags: AddrFlags::SUBFLOW | AddrFlags::BACKUP,
                ifindex: 2,
            },
        ),
        (
            g::UPM_DUMP_ENTRY,
            Endpoint {
                id: 5,
                addr: ip4(10, 100, 2, 1),
                port: 7000,
                flags: AddrFlags::SIGNAL,
                ifindex: 0,
            },
        ),
    ];
    for (listing, expected) in cases {
        assert_eq!(decode_endpoint(&v(listing)).unwrap(), expected);
    }
}

#[test]
fn wire_level_dump_entry_keeps_kernel_order() {
    let bytes = v(g::DUMP_ENTRY_SIGNAL_PORT);
    let expected = PmMessage::new(
        PmCmd::GetAddr,
        vec![P::Addr(AddrNest(vec![
            A::Family(2),
            A::Port(5001),
            A::Id(5),
            A::Flags(AddrFlags::SIGNAL),
            A::Addr4(Ipv4Addr::new(10, 100, 3, 1)),
        ]))],
    );
    assert_eq!(PmMessage::parse(&bytes).unwrap(), expected);
    let mut out = Vec::new();
    expected.emit(&mut out);
    assert_eq!(out, bytes);
}

fn reply(attrs: &[P<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    PmMessage::new(PmCmd::GetAddr, attrs.to_vec()).emit(&mut out);
    out
}

#[test]
fn endpoint_missing_fields_are_named() {
    let full = [
        A::Family(2),
        A::Id(1),
        A::Flags(AddrFlags::SIGNAL),
        A::Addr4(Ipv4Addr::new(192, 0, 2, 1)),
    ];
    for (skip, name) in [
        (0, "MPTCP_PM_ADDR_ATTR_FAMILY"),
        (1, "MPTCP_PM_ADDR_ATTR_ID"),
        (2, "MPTCP_PM_ADDR_ATTR_FLAGS"),
        (3, "MPTCP_PM_ADDR_ATTR_ADDR4"),
    ] {
        let mut nest = full.to_vec();
        nest.remove(skip);
        let e = decode_endpoint(&reply(&[P::Addr(AddrNest(nest))])).unwrap_err();
        assert_eq!(e.to_string(), format!("GET_ADDR reply: missing {name}"));
    }
    let e = decode_endpoint(&reply(&[P::Token(1)])).unwrap_err();
    assert_eq!(e.to_string(), "GET_ADDR reply: missing MPTCP_PM_ATTR_ADDR");
}

#[test]
fn endpoint_family_must_match_address() {
    let nest = vec![
        A::Family(10),
        A::Id(1),
        A::Flags(AddrFlags::empty()),
        A::Addr4(Ipv4Addr::new(192, 0, 2, 1)),
    ];
    let e = decode_endpoint(&reply(&[P::Addr(AddrNest(nest.clone()))])).unwrap_err();
    assert_eq!(e.attr, Some("MPTCP_PM_ADDR_ATTR_ADDR6"));
    assert_eq!(e.kind, DecodeErrorKind::Missing);
    let mut bad = nest;
    bad[0] = A::Family(7);
    let e = decode_endpoint(&reply(&[P::Addr(AddrNest(bad))])).unwrap_err();
    assert_eq!(e.kind, DecodeErrorKind::Invalid("unknown address family"));
}

#[test]
fn limits_missing_one_is_an_error() {
    let mut out = Vec::new();
    PmMessage::new(PmCmd::GetLimits, vec![P::Subflows(2)]).emit(&mut out);
    let e = decode_limits(&out).unwrap_err();
    assert_eq!(
        e.to_string(),
        "GET_LIMITS reply: missing MPTCP_PM_ATTR_RCV_ADD_ADDRS"
    );
}

#[test]
fn limits_wrong_size_is_named() {
    // RCV_ADD_ADDRS as a u16.
    let mut b = vec![6, 1, 0, 0];
    b.extend_from_slice(&6u16.to_ne_bytes());
    b.extend_from_slice(&2u16.to_ne_bytes());
    b.extend_from_slice(&[3, 0, 0, 0]);
    let e = decode_limits(&b).unwrap_err();
    assert_eq!(
        e.to_string(),
        "GET_LIMITS reply: MPTCP_PM_ATTR_RCV_ADD_ADDRS: wrong size 2 (expected 4)"
    );
}
