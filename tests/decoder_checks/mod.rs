// SPDX-License-Identifier: BSD-3-Clause
//! What "a decoder handled this input" means, shared by the fuzz targets
//! (`tests/fuzz`, through `#[path]`) and the deterministic mutation test
//! (`tests/wire_mutation.rs`): no panic, plus the invariants checked here.
//! Each entry point returns whether the input was accepted, so that a
//! mutation test can make sure it reaches both outcomes.

#![allow(dead_code)] // each fuzz target uses one entry point

use std::path::Path;

use mptcpd::config::parse_str;
use mptcpd::flags::{AddrFlags, NotifyFlags};
use mptcpd::nl::msg::{decode_done, decode_error};
use mptcpd::nl::{GenlFamily, Messages, NLMSG_DONE, NLMSG_ERROR};
use mptcpd::rtnl::route::is_default_via;
use mptcpd::rtnl::{self, *};
use mptcpd::rules::{InterfaceRules, check_pattern, glob_match};
use mptcpd::wire::{EventMessage, PmMessage, decode_endpoint, decode_event, decode_limits};

/// Every MPTCP decoder on one payload; what the wire level accepts must
/// re-emit into bytes that parse back identically.
pub fn mptcp(data: &[u8]) -> bool {
    let event = decode_event(data);
    let _ = decode_endpoint(data);
    let _ = decode_limits(data);
    let pm = PmMessage::parse(data);
    if let Ok(m) = &pm {
        let mut out = Vec::new();
        m.emit(&mut out);
        assert_eq!(out.len(), m.buffer_len());
        assert_eq!(PmMessage::parse(&out).as_ref(), Ok(m));
    }
    let msg = EventMessage::parse(data);
    if let Ok(m) = &msg {
        let mut out = Vec::new();
        m.emit(&mut out);
        assert_eq!(out.len(), m.buffer_len());
        assert_eq!(EventMessage::parse(&out).as_ref(), Ok(m));
    }
    // A domain event is only built from attributes the wire level accepts.
    if let Ok(Some(_)) = event {
        assert!(msg.is_ok());
    }
    matches!(event, Ok(Some(_))) || pm.is_ok()
}

/// `GENL_ID_CTRL` shares its number with `RTM_NEWLINK`: a pseudo type.
const NLCTRL: u16 = u16::MAX;

/// Message types of the "one message" layout, by selector byte.
/// `tests/fuzz/capture_rtnl.py` writes seeds with the same numbering.
pub const RTNL_TYPES: [u16; 12] = [
    RTM_NEWLINK,
    RTM_DELLINK,
    RTM_NEWADDR,
    RTM_DELADDR,
    RTM_NEWROUTE,
    RTM_DELROUTE,
    RTM_NEWRULE,
    RTM_DELRULE,
    NLMSG_ERROR,
    NLMSG_DONE,
    NLCTRL,
    RTM_GETLINK,
];

/// rtnetlink and netlink-framing decoders. Input layout, so that one
/// corpus reaches every decoder:
/// - first byte with bit 7 clear: one message. Its value picks the type
///   from [`RTNL_TYPES`], the second byte is the high byte of
///   `nlmsg_flags` (`NLM_F_CAPPED`, `NLM_F_ACK_TLVS`), the rest is the
///   payload after the `nlmsghdr`;
/// - first byte with bit 7 set: the rest is a datagram, split by
///   `nl::Messages`, each message decoded by its own type and flags. The
///   splitter must yield payloads inside the datagram and stop for good
///   after its first error.
pub fn rtnl(data: &[u8]) -> bool {
    let Some((&sel, rest)) = data.split_first() else {
        return false;
    };
    if sel & 0x80 == 0 {
        let (flags, payload) = match rest.split_first() {
            Some((&f, p)) => (u16::from(f) << 8, p),
            None => (0, rest),
        };
        return netlink_message(
            RTNL_TYPES[usize::from(sel) % RTNL_TYPES.len()],
            flags,
            payload,
        );
    }
    let range = rest.as_ptr_range();
    let mut msgs = Messages::new(rest);
    let mut all_ok = true;
    while let Some(m) = msgs.next() {
        match m {
            Ok(m) => {
                let p = m.payload.as_ptr_range();
                assert!(range.start <= p.start && p.end <= range.end);
                all_ok &= netlink_message(m.msg_type, m.flags, m.payload);
            }
            Err(_) => {
                assert!(msgs.next().is_none(), "splitter went on after an error");
                return false;
            }
        }
    }
    all_ok
}

/// One message by type; `true` when its decoder accepted it.
fn netlink_message(msg_type: u16, flags: u16, payload: &[u8]) -> bool {
    match msg_type {
        NLMSG_ERROR => match decode_error(flags, payload) {
            Ok(Some(e)) => {
                assert!(e.errno > 0, "errno {} from {payload:02x?}", e.errno);
                let _ = e.to_string();
                true
            }
            Ok(None) => true,
            Err(_) => false,
        },
        NLMSG_DONE => {
            if let Some(e) = decode_done(flags, payload) {
                assert!(e.errno > 0, "errno {} from {payload:02x?}", e.errno);
                let _ = e.to_string();
            }
            true
        }
        NLCTRL => GenlFamily::parse(payload).is_ok(),
        t => {
            if t == RTM_NEWROUTE {
                let index = payload.last().copied().unwrap_or(0).into();
                let _ = is_default_via(payload, index);
            }
            match rtnl::parse(t, payload) {
                Ok(RtnlMsg::NewLink(l) | RtnlMsg::DelLink(l)) => {
                    assert!(l.index > 0 && i32::try_from(l.index).is_ok(), "{l:?}");
                    true
                }
                Ok(_) => true,
                Err(e) => {
                    let _ = e.to_string();
                    false
                }
            }
        }
    }
}

/// The config parser, interface-name globs and flag lists on text read
/// as UTF-8 (lossily). The whole text is a config file; split at its
/// first NUL it is a (pattern, name) pair for `glob_match`, checked
/// against [`glob_reference`]; every line is also a flag list, and an
/// accepted one must print back to itself.
pub fn config(data: &[u8]) -> bool {
    let text = String::from_utf8_lossy(data);
    let accepted = match parse_str(&text, Path::new("/etc/mptcpd/mptcpd.conf")) {
        Ok((cfg, _warnings)) => {
            for r in &cfg.interfaces {
                assert_eq!(check_pattern(&r.pattern), Ok(()), "{:?}", r.pattern);
            }
            let rules = InterfaceRules {
                unlisted: cfg.unlisted.unwrap_or_default(),
                rules: cfg.interfaces,
            };
            for name in ["eth0", "eth1", "wwan0", "br-lan", "lo"] {
                let _ = rules.decide(name, AddrFlags::SUBFLOW);
            }
            true
        }
        Err(e) => {
            let _ = (e.to_string(), e.exit_code());
            false
        }
    };

    let (pattern, name) = text.split_once('\0').unwrap_or((&text, &text));
    let hit = glob_match(pattern, name);
    if !pattern.contains(['*', '?', '[']) {
        assert_eq!(hit, pattern == name, "{pattern:?} {name:?}");
    }
    // The reference is exponential in the number of stars.
    if pattern.len() <= 20 && name.len() <= 20 && pattern.matches('*').count() <= 3 {
        let want = glob_reference(pattern.as_bytes(), name.as_bytes());
        assert_eq!(hit, want, "{pattern:?} {name:?}");
    }

    flags_round_trip(&text);
    for line in text.lines() {
        flags_round_trip(line);
        flags_round_trip(line.trim());
    }
    accepted
}

fn flags_round_trip(s: &str) {
    if let Ok(f) = AddrFlags::parse_list(s) {
        assert_eq!(AddrFlags::parse_list(&f.to_string()), Ok(f), "{s:?}");
    }
    if let Ok(f) = NotifyFlags::parse_list(s) {
        assert_eq!(NotifyFlags::parse_list(&f.to_string()), Ok(f), "{s:?}");
    }
}

/// fnmatch(3) semantics written the obvious recursive way: `*`, `?`,
/// classes `[...]` with ranges and `!`/`^` negation, a `]` first in a
/// class is literal, an unterminated `[` is a literal `[`.
fn glob_reference(p: &[u8], n: &[u8]) -> bool {
    let Some((&c, p_rest)) = p.split_first() else {
        return n.is_empty();
    };
    if c == b'*' {
        return (0..=n.len()).any(|i| glob_reference(p_rest, &n[i..]));
    }
    let Some((&ch, n_rest)) = n.split_first() else {
        return false;
    };
    match c {
        b'?' => glob_reference(p_rest, n_rest),
        b'[' => match split_class(p_rest) {
            Some((class, after)) => class_has(class, ch) && glob_reference(after, n_rest),
            None => ch == b'[' && glob_reference(p_rest, n_rest),
        },
        _ => c == ch && glob_reference(p_rest, n_rest),
    }
}

/// (class body, rest of the pattern) for the text after a `[`.
fn split_class(p: &[u8]) -> Option<(&[u8], &[u8])> {
    let negation = usize::from(matches!(p.first(), Some(b'!' | b'^')));
    let first = negation + usize::from(p.get(negation) == Some(&b']'));
    let close = first + p.get(first..)?.iter().position(|&b| b == b']')?;
    Some((&p[..close], &p[close + 1..]))
}

fn class_has(class: &[u8], ch: u8) -> bool {
    let (negated, mut body) = match class.split_first() {
        Some((b'!' | b'^', rest)) => (true, rest),
        _ => (false, class),
    };
    let mut hit = false;
    while !body.is_empty() {
        if let [lo, b'-', hi, rest @ ..] = body {
            hit |= (*lo..=*hi).contains(&ch);
            body = rest;
        } else {
            hit |= body[0] == ch;
            body = &body[1..];
        }
    }
    hit != negated
}
