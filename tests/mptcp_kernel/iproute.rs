// SPDX-License-Identifier: BSD-3-Clause
//! `ip mptcp` (iproute2, with its own encoder and decoder) as the
//! independent witness of what the kernel holds.

use mptcpd::flags::AddrFlags;
use mptcpd::pm::{Endpoint, Limits};

use crate::common::Netns;

/// Parses `ip mptcp endpoint show` (iproute2 6.1):
/// `ADDR [port P] id N [signal] [subflow] [backup] [fullmesh]
/// [rawflags HEX] [dev NAME]`, one endpoint per line. iproute2 6.1 knows
/// no flag after fullmesh and prints the remaining bits as rawflags.
pub fn endpoints(ns: &Netns) -> Vec<Endpoint> {
    let out = ns.ip("mptcp endpoint show");
    let mut eps: Vec<Endpoint> = out
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let mut words = line.split_whitespace();
            let mut e = Endpoint {
                id: 0,
                addr: words.next().unwrap().parse().unwrap(),
                port: 0,
                flags: AddrFlags::empty(),
                ifindex: 0,
            };
            while let Some(w) = words.next() {
                let mut value = || words.next().unwrap_or_else(|| panic!("{line:?}"));
                match w {
                    "port" => e.port = value().parse().unwrap(),
                    "id" => e.id = value().parse().unwrap(),
                    "dev" => e.ifindex = ns.ifindex(value()) as i32,
                    "rawflags" => {
                        let v = value();
                        let hex = v.trim_start_matches("0x");
                        e.flags |= AddrFlags(u32::from_str_radix(hex, 16).unwrap());
                    }
                    "implicit" => e.flags |= AddrFlags::IMPLICIT,
                    word => {
                        let (_, f) = AddrFlags::WORDS
                            .iter()
                            .find(|(n, _)| *n == word)
                            .unwrap_or_else(|| panic!("unknown word {word:?} in {line:?}"));
                        e.flags |= *f;
                    }
                }
            }
            e
        })
        .collect();
    eps.sort_by_key(|e| e.id);
    eps
}

/// Parses `ip mptcp limits show`: `add_addr_accepted N subflows M`.
pub fn limits(ns: &Netns) -> Limits {
    let out = ns.ip("mptcp limits show");
    let words: Vec<&str> = out.split_whitespace().collect();
    let get = |key: &str| -> Option<u32> {
        let i = words.iter().position(|w| *w == key)?;
        words.get(i + 1)?.parse().ok()
    };
    Limits {
        add_addr_accepted: get("add_addr_accepted"),
        subflows: get("subflows"),
    }
}
