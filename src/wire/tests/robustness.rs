// SPDX-License-Identifier: BSD-3-Clause
//! Malformed framing: every decoder returns an error, never panics, and
//! says what was wrong.

use super::*;
use crate::wire::golden as g;
use crate::wire::nla::NlaIter;
use crate::wire::{DecodeErrorKind, decode_endpoint, decode_event, decode_limits};

#[test]
fn short_genl_header() {
    for len in 0..4 {
        let b = [1u8; 3];
        let e = decode_event(&b[..len]).unwrap_err();
        assert_eq!(e.kind, DecodeErrorKind::Truncated { need: 4, have: len });
        assert!(decode_endpoint(&b[..len]).is_err());
        assert!(decode_limits(&b[..len]).is_err());
        assert!(PmMessage::parse(&b[..len]).is_err());
        assert!(EventMessage::parse(&b[..len]).is_err());
    }
}

#[test]
fn attribute_running_past_the_end() {
    let mut b = v(g::CLOSED);
    b[4..6].copy_from_slice(&9u16.to_ne_bytes()); // nla_len 9 > 8 available
    let e = decode_event(&b).unwrap_err();
    assert_eq!(
        e.kind,
        DecodeErrorKind::BadAttrLen {
            offset: 0,
            nla_len: 9
        }
    );
    assert_eq!(
        e.to_string(),
        "CLOSED: malformed attribute at offset 0 (nla_len 9)"
    );
}

#[test]
fn attribute_shorter_than_its_header() {
    let mut b = v(g::CLOSED);
    b[4..6].copy_from_slice(&3u16.to_ne_bytes());
    assert!(matches!(
        decode_event(&b).unwrap_err().kind,
        DecodeErrorKind::BadAttrLen { nla_len: 3, .. }
    ));
}

#[test]
fn stray_trailing_bytes() {
    let mut b = v(g::CLOSED);
    b.extend_from_slice(&[0, 0]);
    assert_eq!(
        decode_event(&b).unwrap_err().kind,
        DecodeErrorKind::Trailing { len: 2 }
    );
}

#[test]
fn missing_padding_of_last_attribute_is_accepted() {
    let mut b = v(g::REMOVED);
    b.truncate(b.len() - 3); // REM_ID is last: drop its 3 padding bytes
    assert!(decode_event(&b).unwrap().is_some());
    assert!(EventMessage::parse(&b).is_ok());
}

#[test]
fn malformed_nest_is_reported_inside_the_nest() {
    let mut b = v(g::DUMP_ENTRY_V4);
    // First inner attribute (FAMILY) claims 200 bytes.
    b[8..10].copy_from_slice(&200u16.to_ne_bytes());
    let e = decode_endpoint(&b).unwrap_err();
    assert_eq!(e.context, "GET_ADDR reply");
    assert_eq!(e.attr, Some("MPTCP_PM_ATTR_ADDR"));
    assert!(matches!(e.kind, DecodeErrorKind::BadAttrLen { .. }));
    assert!(PmMessage::parse(&b).is_err());
}

#[test]
fn iterator_stops_after_first_error() {
    let b = [2u8, 0, 1, 0, 8, 0, 1, 0, 0, 0, 0, 0];
    let items: Vec<_> = NlaIter::new(&b).collect();
    assert_eq!(items.len(), 1);
    assert!(items[0].is_err());
}

/// Every prefix of every vector: no panic, and never an `Ok` that the
/// wire level could not also parse.
#[test]
fn every_truncation_of_every_vector() {
    for (name, _, listing, _) in g::ALL {
        let bytes = v(listing);
        for len in 0..bytes.len() {
            let b = &bytes[..len];
            let _ = decode_endpoint(b);
            let _ = decode_limits(b);
            let _ = PmMessage::parse(b);
            if decode_event(b).is_ok_and(|e| e.is_some()) {
                assert!(EventMessage::parse(b).is_ok(), "{name} cut at {len}");
            }
        }
    }
}
