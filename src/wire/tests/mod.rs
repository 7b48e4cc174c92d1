// SPDX-License-Identifier: BSD-3-Clause
//! Codec tests: captured golden vectors (see [`super::golden`]) decoded and
//! re-encoded at both levels, and hand-made edge cases.

mod events;
mod replies;
mod requests;
mod robustness;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use super::golden::{self, B, Kind};
use super::{EventMessage, PmMessage};

fn v(b: &[B]) -> Vec<u8> {
    golden::bytes(b)
}

/// Tests keep parsed messages (which borrow their buffer) beyond one
/// statement; a few leaked bytes in a test binary are fine.
fn leak(b: Vec<u8>) -> &'static [u8] {
    b.leak()
}

fn ip4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(a, b, c, d))
}

fn ip6(s: &str) -> IpAddr {
    IpAddr::V6(s.parse::<Ipv6Addr>().unwrap())
}

fn sa(ip: IpAddr, port: u16) -> SocketAddr {
    SocketAddr::new(ip, port)
}

/// The listings reproduce the captures byte for byte (they can only be
/// compared on a little-endian host, where the capture was made).
#[test]
#[cfg(target_endian = "little")]
fn listings_match_captures() {
    for (name, _, listing, captured) in golden::ALL {
        assert_eq!(v(listing), golden::unhex(captured), "{name}");
    }
}

/// Wire level, every vector: parse then emit gives the same bytes, and
/// `buffer_len` is exactly what `emit` writes.
#[test]
fn every_vector_round_trips_at_wire_level() {
    for (name, kind, listing, _) in golden::ALL {
        let bytes = v(listing);
        let mut out = Vec::new();
        let len = match kind {
            Kind::Request | Kind::Reply => {
                let m = PmMessage::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
                m.emit(&mut out);
                m.buffer_len()
            }
            Kind::Event => {
                let m = EventMessage::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
                m.emit(&mut out);
                m.buffer_len()
            }
        };
        assert_eq!(out, bytes, "{name}");
        assert_eq!(len, bytes.len(), "{name}");
    }
}
