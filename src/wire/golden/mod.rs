// SPDX-License-Identifier: BSD-3-Clause
//! Golden vectors captured on Linux 6.18 (x86_64), for the codec's tests
//! and for the mutation test in `tests/wire_mutation.rs`.
//!
//! How they were captured: `tests/captures/capture.py` (recipe in
//! `tests/captures/README.md`) built two namespaces joined by veth, ran a
//! real MPTCP connection with the userspace PM on both ends and recorded
//! every `mptcp_pm_events` message in both namespaces, every request it sent
//! with the kernel's ACK, and the requests `ip mptcp` (iproute2 6.1) sent
//! under strace. The full log is `tests/captures/linux-6.18.log`; each
//! vector names its entry. `tests/captures/annotate.py` turned the entries
//! into the listings below; nothing was edited by hand except the names.
//!
//! What each kind of vector proves:
//! - iproute2 requests: an independent encoder's bytes for the same
//!   operation (the kernel ACKed each one: `ip` exited 0);
//! - capture.py requests (uPM commands, which iproute2 6.1 lacks): bytes
//!   built by hand from the spec in Python, independently of this crate,
//!   and accepted by the kernel (ACK error 0) with the expected effect seen
//!   on the peer (SUB_ESTABLISHED, ANNOUNCED, SUB_PRIORITY, REMOVED,
//!   SUB_CLOSED);
//! - replies and events: the kernel's own bytes.
//!
//! Vectors are lists of [`B`] items so that host-order integers come out in
//! the host's order: the same vector is valid on big-endian MIPS. Each
//! `*_CAPTURED` string is the capture verbatim (little-endian); a test on
//! little-endian hosts checks that the listing reproduces it.
//!
//! Tokens, ports and addresses are those of the capture run.

#![doc(hidden)]

/// One piece of a golden vector.
#[derive(Debug, Clone, Copy)]
pub enum B {
    /// Bytes in wire order: u8 values, network-order fields, padding.
    Raw(&'static [u8]),
    /// `struct nlattr` header: nla_len, nla_type (host order).
    Nla(u16, u16),
    /// Host-order u16.
    H16(u16),
    /// Host-order u32 (also s32 fields).
    H32(u32),
}

use B::{H16, H32, Nla, Raw};

mod events;
mod replies;
mod requests;

pub use events::*;
pub use replies::*;
pub use requests::*;

/// The bytes of a vector on this host.
pub fn bytes(v: &[B]) -> Vec<u8> {
    let mut out = Vec::new();
    for b in v {
        match *b {
            Raw(r) => out.extend_from_slice(r),
            Nla(len, kind) => {
                out.extend_from_slice(&len.to_ne_bytes());
                out.extend_from_slice(&kind.to_ne_bytes());
            }
            H16(x) => out.extend_from_slice(&x.to_ne_bytes()),
            H32(x) => out.extend_from_slice(&x.to_ne_bytes()),
        }
    }
    out
}

/// Decodes a `*_CAPTURED` hex string.
pub fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap_or(0))
        .collect()
}

/// Which decoder a vector is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Request,
    Reply,
    Event,
}

/// Every vector: (name, kind, listing, verbatim capture).
pub const ALL: &[(&str, Kind, &[B], &str)] = &[
    (
        "ADD_ADDR_V4",
        Kind::Request,
        ADD_ADDR_V4,
        ADD_ADDR_V4_CAPTURED,
    ),
    (
        "ADD_ADDR_V6",
        Kind::Request,
        ADD_ADDR_V6,
        ADD_ADDR_V6_CAPTURED,
    ),
    (
        "ADD_ADDR_SIGNAL_PORT",
        Kind::Request,
        ADD_ADDR_SIGNAL_PORT,
        ADD_ADDR_SIGNAL_PORT_CAPTURED,
    ),
    ("SET_LIMITS", Kind::Request, SET_LIMITS, SET_LIMITS_CAPTURED),
    ("GET_LIMITS", Kind::Request, GET_LIMITS, GET_LIMITS_CAPTURED),
    (
        "GET_ADDR_DUMP",
        Kind::Request,
        GET_ADDR_DUMP,
        GET_ADDR_DUMP_CAPTURED,
    ),
    (
        "GET_ADDR_ID",
        Kind::Request,
        GET_ADDR_ID,
        GET_ADDR_ID_CAPTURED,
    ),
    (
        "SET_FLAGS_ID",
        Kind::Request,
        SET_FLAGS_ID,
        SET_FLAGS_ID_CAPTURED,
    ),
    ("DEL_ADDR", Kind::Request, DEL_ADDR, DEL_ADDR_CAPTURED),
    (
        "FLUSH_ADDRS",
        Kind::Request,
        FLUSH_ADDRS,
        FLUSH_ADDRS_CAPTURED,
    ),
    (
        "SUBFLOW_CREATE",
        Kind::Request,
        SUBFLOW_CREATE,
        SUBFLOW_CREATE_CAPTURED,
    ),
    (
        "ANNOUNCE_V4",
        Kind::Request,
        ANNOUNCE_V4,
        ANNOUNCE_V4_CAPTURED,
    ),
    (
        "GET_ADDR_DUMP_TOKEN",
        Kind::Request,
        GET_ADDR_DUMP_TOKEN,
        GET_ADDR_DUMP_TOKEN_CAPTURED,
    ),
    (
        "GET_ADDR_ID_TOKEN",
        Kind::Request,
        GET_ADDR_ID_TOKEN,
        GET_ADDR_ID_TOKEN_CAPTURED,
    ),
    (
        "SET_FLAGS_TOKEN",
        Kind::Request,
        SET_FLAGS_TOKEN,
        SET_FLAGS_TOKEN_CAPTURED,
    ),
    ("REMOVE", Kind::Request, REMOVE, REMOVE_CAPTURED),
    (
        "SUBFLOW_DESTROY",
        Kind::Request,
        SUBFLOW_DESTROY,
        SUBFLOW_DESTROY_CAPTURED,
    ),
    (
        "ANNOUNCE_V6",
        Kind::Request,
        ANNOUNCE_V6,
        ANNOUNCE_V6_CAPTURED,
    ),
    (
        "GET_LIMITS_REPLY",
        Kind::Reply,
        GET_LIMITS_REPLY,
        GET_LIMITS_REPLY_CAPTURED,
    ),
    (
        "DUMP_ENTRY_V4",
        Kind::Reply,
        DUMP_ENTRY_V4,
        DUMP_ENTRY_V4_CAPTURED,
    ),
    (
        "DUMP_ENTRY_V6",
        Kind::Reply,
        DUMP_ENTRY_V6,
        DUMP_ENTRY_V6_CAPTURED,
    ),
    (
        "DUMP_ENTRY_SIGNAL_PORT",
        Kind::Reply,
        DUMP_ENTRY_SIGNAL_PORT,
        DUMP_ENTRY_SIGNAL_PORT_CAPTURED,
    ),
    (
        "GET_ADDR_REPLY",
        Kind::Reply,
        GET_ADDR_REPLY,
        GET_ADDR_REPLY_CAPTURED,
    ),
    (
        "UPM_DUMP_ENTRY",
        Kind::Reply,
        UPM_DUMP_ENTRY,
        UPM_DUMP_ENTRY_CAPTURED,
    ),
    (
        "LISTENER_CREATED_V4",
        Kind::Event,
        LISTENER_CREATED_V4,
        LISTENER_CREATED_V4_CAPTURED,
    ),
    (
        "LISTENER_CREATED_V6",
        Kind::Event,
        LISTENER_CREATED_V6,
        LISTENER_CREATED_V6_CAPTURED,
    ),
    (
        "SERVER_CREATED",
        Kind::Event,
        SERVER_CREATED,
        SERVER_CREATED_CAPTURED,
    ),
    (
        "SERVER_ESTABLISHED",
        Kind::Event,
        SERVER_ESTABLISHED,
        SERVER_ESTABLISHED_CAPTURED,
    ),
    (
        "CLIENT_CREATED",
        Kind::Event,
        CLIENT_CREATED,
        CLIENT_CREATED_CAPTURED,
    ),
    (
        "CLIENT_ESTABLISHED",
        Kind::Event,
        CLIENT_ESTABLISHED,
        CLIENT_ESTABLISHED_CAPTURED,
    ),
    (
        "SERVER_SUB_ESTABLISHED",
        Kind::Event,
        SERVER_SUB_ESTABLISHED,
        SERVER_SUB_ESTABLISHED_CAPTURED,
    ),
    (
        "CLIENT_SUB_ESTABLISHED",
        Kind::Event,
        CLIENT_SUB_ESTABLISHED,
        CLIENT_SUB_ESTABLISHED_CAPTURED,
    ),
    (
        "ANNOUNCED_V4",
        Kind::Event,
        ANNOUNCED_V4,
        ANNOUNCED_V4_CAPTURED,
    ),
    (
        "SUB_PRIORITY",
        Kind::Event,
        SUB_PRIORITY,
        SUB_PRIORITY_CAPTURED,
    ),
    ("REMOVED", Kind::Event, REMOVED, REMOVED_CAPTURED),
    (
        "SERVER_SUB_CLOSED",
        Kind::Event,
        SERVER_SUB_CLOSED,
        SERVER_SUB_CLOSED_CAPTURED,
    ),
    (
        "CLIENT_SUB_CLOSED",
        Kind::Event,
        CLIENT_SUB_CLOSED,
        CLIENT_SUB_CLOSED_CAPTURED,
    ),
    (
        "SUB_CLOSED_ERROR",
        Kind::Event,
        SUB_CLOSED_ERROR,
        SUB_CLOSED_ERROR_CAPTURED,
    ),
    (
        "SERVER_CREATED_V6",
        Kind::Event,
        SERVER_CREATED_V6,
        SERVER_CREATED_V6_CAPTURED,
    ),
    (
        "CLIENT_CREATED_V6",
        Kind::Event,
        CLIENT_CREATED_V6,
        CLIENT_CREATED_V6_CAPTURED,
    ),
    (
        "ANNOUNCED_V6",
        Kind::Event,
        ANNOUNCED_V6,
        ANNOUNCED_V6_CAPTURED,
    ),
    ("CLOSED", Kind::Event, CLOSED, CLOSED_CAPTURED),
    (
        "LISTENER_CLOSED_V4",
        Kind::Event,
        LISTENER_CLOSED_V4,
        LISTENER_CLOSED_V4_CAPTURED,
    ),
];
