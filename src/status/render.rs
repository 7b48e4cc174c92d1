// SPDX-License-Identifier: BSD-3-Clause
//! Rendering of the status report: JSON (schema in the parent module's
//! documentation) and a text table.

use std::fmt::Write as _;

use super::{
    ConnStatus, Counters, IfaceStatus, PM_EVENT_NAMES, SCHEMA_VERSION, Status, errno_name,
};
use crate::flags::AddrFlags;

impl Status {
    /// One line of JSON; the schema is in the module documentation.
    pub fn to_json(&self) -> String {
        let ifaces = array(self.interfaces.iter().map(iface_json));
        let endpoints = array(self.endpoints.iter().map(|e| {
            object(&[
                ("id", e.id.to_string()),
                ("address", json_string(&e.addr.to_string())),
                ("port", e.port.to_string()),
                ("flags", flags_json(e.flags)),
                ("ifindex", e.ifindex.to_string()),
            ])
        }));
        let conns = array(self.connections.iter().map(conn_json));
        object(&[
            ("version", SCHEMA_VERSION.to_string()),
            ("path_manager", json_string(self.path_manager)),
            ("phase", json_string(self.phase)),
            ("interfaces", ifaces),
            ("endpoints", endpoints),
            ("connections", conns),
            ("counters", counters_json(&self.counters)),
        ])
    }

    /// A compact table for people.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "path manager {} ({})", self.path_manager, self.phase);
        let row = |s: &mut String, cols: [&str; 6]| {
            let [name, index, why, flags, conns, subflows] = cols;
            let _ = writeln!(
                s,
                "{name:<16} {index:>5} {why:<11} {flags:<24} {conns:>5} {subflows:>8}"
            );
        };
        row(
            &mut s,
            [
                "INTERFACE",
                "INDEX",
                "USE",
                "ENDPOINT FLAGS",
                "CONNS",
                "SUBFLOWS",
            ],
        );
        for i in &self.interfaces {
            let flags = i.addr_flags.map_or_else(|| "-".into(), |f| f.to_string());
            row(
                &mut s,
                [
                    &printable(i.name.as_str()),
                    &i.index.to_string(),
                    i.reason.name(),
                    if flags.is_empty() { "(none)" } else { &flags },
                    &i.connections.to_string(),
                    &i.subflows.to_string(),
                ],
            );
            for a in &i.addrs {
                let net = format!("{}/{}", a.addr, a.prefix_len);
                let _ = writeln!(s, "  {net:<45} {}", a.state.name());
            }
        }
        let _ = writeln!(s, "endpoints owned: {}", self.endpoints.len());
        for e in &self.endpoints {
            let _ = write!(s, "  id {:<3} {}", e.id, e.addr);
            if e.port != 0 {
                let _ = write!(s, " port {}", e.port);
            }
            let _ = writeln!(s, " {} ifindex {}", e.flags, e.ifindex);
        }
        let _ = writeln!(s, "connections: {}", self.connections.len());
        for c in &self.connections {
            let _ = writeln!(
                s,
                "  token {} {} -> {} (+{} subflows)",
                c.token,
                c.local,
                c.remote,
                c.subflows.len()
            );
        }
        let c = &self.counters;
        s.push_str("mptcp events:");
        for (name, n) in PM_EVENT_NAMES.iter().zip(c.mptcp_events) {
            let _ = write!(s, " {name} {n}");
        }
        let _ = writeln!(
            s,
            "\nrtnl events {}, resyncs {} (rtnl overrun {}, events lost {}), reloads {}, \
             commands sent {}",
            c.rtnl_events,
            c.resyncs(),
            c.rtnl_overruns,
            c.events_lost,
            c.reloads,
            c.commands_sent
        );
        s.push_str("kernel errors:");
        if c.kernel_errors.is_empty() {
            s.push_str(" none");
        }
        for &(errno, n) in &c.kernel_errors {
            let _ = match errno_name(errno) {
                Some(name) => write!(s, " {name} {n}"),
                None => write!(s, " errno {errno}: {n}"),
            };
        }
        s.push('\n');
        s
    }
}

/// Control characters would garble a terminal; interface names may hold
/// anything but '/', ':' and white space.
fn printable(name: &str) -> String {
    let mut s = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_control() {
            s.extend(c.escape_default());
        } else {
            s.push(c);
        }
    }
    s
}

fn iface_json(i: &IfaceStatus) -> String {
    let addrs = array(i.addrs.iter().map(|a| {
        object(&[
            ("address", json_string(&a.addr.to_string())),
            ("prefix_len", a.prefix_len.to_string()),
            ("state", json_string(a.state.name())),
        ])
    }));
    object(&[
        ("index", i.index.to_string()),
        ("name", json_string(i.name.as_str())),
        ("flags", i.flags.to_string()),
        ("up", i.up().to_string()),
        ("running", i.running().to_string()),
        ("loopback", i.loopback().to_string()),
        ("use", json_string(i.reason.name())),
        (
            "addr_flags",
            i.addr_flags.map_or_else(|| "null".into(), flags_json),
        ),
        ("connections", i.connections.to_string()),
        ("subflows", i.subflows.to_string()),
        ("addresses", addrs),
    ])
}

fn conn_json(c: &ConnStatus) -> String {
    let subflows = array(c.subflows.iter().map(|s| {
        object(&[
            ("local", json_string(&s.local.to_string())),
            ("remote", json_string(&s.remote.to_string())),
            ("loc_id", s.loc_id.to_string()),
            ("rem_id", s.rem_id.to_string()),
            ("backup", s.backup.to_string()),
            (
                "ifindex",
                s.ifindex.map_or_else(|| "null".into(), |i| i.to_string()),
            ),
        ])
    }));
    object(&[
        ("token", c.token.to_string()),
        ("local", json_string(&c.local.to_string())),
        ("remote", json_string(&c.remote.to_string())),
        ("server_side", c.server_side.to_string()),
        ("subflows", subflows),
    ])
}

fn counters_json(c: &Counters) -> String {
    let events: Vec<(&str, String)> = PM_EVENT_NAMES
        .iter()
        .zip(c.mptcp_events)
        .map(|(name, n)| (*name, n.to_string()))
        .collect();
    let errors = array(c.kernel_errors.iter().map(|&(errno, n)| {
        object(&[
            ("errno", errno.to_string()),
            (
                "name",
                errno_name(errno).map_or_else(|| "null".into(), json_string),
            ),
            ("count", n.to_string()),
        ])
    }));
    object(&[
        ("mptcp_events", object(&events)),
        ("rtnl_events", c.rtnl_events.to_string()),
        (
            "resyncs",
            object(&[
                ("rtnl_overrun", c.rtnl_overruns.to_string()),
                ("events_lost", c.events_lost.to_string()),
            ]),
        ),
        ("reloads", c.reloads.to_string()),
        ("commands_sent", c.commands_sent.to_string()),
        ("kernel_errors", errors),
    ])
}

/// Flag words as a JSON array; bits without a name as one hex string.
fn flags_json(f: AddrFlags) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut rest = f.bits();
    let named = AddrFlags::WORDS
        .iter()
        .copied()
        .chain([("implicit", AddrFlags::IMPLICIT)]);
    for (name, bit) in named {
        if f.contains(bit) {
            words.push(json_string(name));
            rest &= !bit.bits();
        }
    }
    if rest != 0 {
        words.push(json_string(&format!("{rest:#x}")));
    }
    array(words.into_iter())
}

// A minimal JSON writer: values are rendered to strings bottom-up. The
// report is small and rare, so clarity beats avoiding allocations.

fn object(fields: &[(&str, String)]) -> String {
    let mut s = String::from("{");
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&json_string(k));
        s.push(':');
        s.push_str(v);
    }
    s.push('}');
    s
}

fn array(items: impl Iterator<Item = String>) -> String {
    let mut s = String::from("[");
    for (i, v) in items.enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&v);
    }
    s.push(']');
    s
}

/// A JSON string literal (RFC 8259 §7): quote, backslash and control
/// characters escaped; everything else is valid UTF-8 already.
pub fn json_string(v: &str) -> String {
    let mut s = String::with_capacity(v.len() + 2);
    s.push('"');
    for c in v.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(s, "\\u{:04x}", c as u32);
            }
            c => s.push(c),
        }
    }
    s.push('"');
    s
}
