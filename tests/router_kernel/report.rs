// SPDX-License-Identifier: BSD-3-Clause
//! Reading `mptcpd --status` output in tests. The JSON goes through
//! Python's own parser (`python3 -m json.tool` must accept it, and
//! `json.load` extracts the fields), so our renderer is checked by an
//! independent one rather than by a parser of ours.

use std::io::Write;
use std::net::IpAddr;
use std::process::{Command, Stdio};

use mptcpd::flags::AddrFlags;
use mptcpd::pm::Endpoint;

/// Runs `python3 ARGS` with `input` on stdin; panics unless it succeeds.
fn python(args: &[&str], input: &str) -> String {
    let mut child = Command::new("python3")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 is needed to check the JSON status");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "python3 {args:?} rejected:\n{input}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `python3 -m json.tool` must accept the report.
pub fn json_tool_accepts(json: &str) {
    let pretty = python(&["-m", "json.tool"], json);
    assert!(pretty.contains("\"interfaces\""), "{pretty}");
}

/// What the tests compare: each interface's `use`, and the endpoints.
#[derive(Debug)]
pub struct Report {
    /// (name, use, addr_flags or None).
    pub interfaces: Vec<(String, String, Option<AddrFlags>)>,
    pub endpoints: Vec<Endpoint>,
}

impl Report {
    pub fn reason(&self, name: &str) -> &str {
        self.interfaces
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, u, _)| u.as_str())
            .unwrap_or_else(|| panic!("{name} not in the report: {self:#?}"))
    }

    pub fn addr_flags(&self, name: &str) -> Option<AddrFlags> {
        self.interfaces
            .iter()
            .find(|(n, _, _)| n == name)
            .unwrap_or_else(|| panic!("{name} not in the report: {self:#?}"))
            .2
    }
}

/// Flattens the JSON to one record per line; fields a bad report lacks
/// make Python fail, which fails the test.
const EXTRACT: &str = r#"
import json, sys
d = json.load(sys.stdin)
assert d["version"] == 1, d["version"]
for i in d["interfaces"]:
    f = i["addr_flags"]
    print("iface", i["name"], i["use"], "-" if f is None else ",".join(f) or "none")
for e in d["endpoints"]:
    print("ep", e["id"], e["address"], e["port"], ",".join(e["flags"]) or "none", e["ifindex"])
"#;

fn flags(words: &str) -> AddrFlags {
    if words == "none" {
        return AddrFlags::empty();
    }
    AddrFlags::parse_list(words).unwrap_or_else(|_| panic!("bad flags {words:?} in the report"))
}

pub fn parse_json(json: &str) -> Report {
    let text = python(&["-c", EXTRACT], json);
    let mut r = Report {
        interfaces: Vec::new(),
        endpoints: Vec::new(),
    };
    for line in text.lines() {
        let w: Vec<&str> = line.split_whitespace().collect();
        match w.as_slice() {
            ["iface", name, why, f] => r.interfaces.push((
                name.to_string(),
                why.to_string(),
                (*f != "-").then(|| flags(f)),
            )),
            ["ep", id, addr, port, f, ifindex] => r.endpoints.push(Endpoint {
                id: id.parse().unwrap(),
                addr: addr.parse::<IpAddr>().unwrap(),
                port: port.parse().unwrap(),
                flags: flags(f),
                ifindex: ifindex.parse().unwrap(),
            }),
            _ => panic!("unexpected extract line {line:?}"),
        }
    }
    r.endpoints.sort_by_key(|e| e.id);
    r
}

/// The text table: interface name → USE column (rows are
/// `NAME INDEX USE FLAGS CONNS SUBFLOWS`, addresses indented below).
pub fn text_reasons(text: &str) -> Vec<(String, String)> {
    let mut lines = text.lines();
    let header = lines
        .by_ref()
        .find(|l| l.starts_with("INTERFACE"))
        .unwrap_or_else(|| panic!("no table header in:\n{text}"));
    assert!(header.contains(" USE "), "{header}");
    lines
        .take_while(|l| !l.starts_with("endpoints owned"))
        .filter(|l| !l.starts_with(' '))
        .map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            assert!(w.len() >= 3, "short row {l:?}");
            (w[0].to_string(), w[2].to_string())
        })
        .collect()
}
