// SPDX-License-Identifier: BSD-3-Clause
//! Deterministic mutation test: thousands of damaged copies of every golden
//! vector go through every decoder. Nothing may panic; whatever a wire-level
//! parser accepts must re-emit into bytes it parses back identically.
//!
//! To add a decoder, add it to `DECODERS`; to add vectors, extend
//! `vectors()`. `MPTCPD_WRITE_CORPUS=DIR cargo test --test wire_mutation`
//! also writes the unmutated vectors into DIR (a fuzzing seed corpus).

use mptcpd::wire::golden;
use mptcpd::wire::{EventMessage, PmMessage, decode_endpoint, decode_event, decode_limits};

/// Mutations per vector.
const ROUNDS: usize = 3000;
const SEED: u64 = 0x6d70_7463_7064_7273; // "mptcpdrs"

/// xorshift64*: small, deterministic, good enough to spread mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn vectors() -> Vec<(&'static str, Vec<u8>)> {
    golden::ALL
        .iter()
        .map(|(name, _, listing, _)| (*name, golden::bytes(listing)))
        .collect()
}

fn pm_round_trip(b: &[u8]) {
    if let Ok(m) = PmMessage::parse(b) {
        let mut out = Vec::new();
        m.emit(&mut out);
        assert_eq!(out.len(), m.buffer_len());
        assert_eq!(PmMessage::parse(&out).as_ref(), Ok(&m));
    }
}

fn event_round_trip(b: &[u8]) {
    let msg = EventMessage::parse(b);
    if let Ok(m) = &msg {
        let mut out = Vec::new();
        m.emit(&mut out);
        assert_eq!(out.len(), m.buffer_len());
        assert_eq!(EventMessage::parse(&out).as_ref(), Ok(m));
    }
    // A domain event is only built from attributes the wire level accepts.
    if let Ok(Some(_)) = decode_event(b) {
        assert!(msg.is_ok());
    }
}

/// A named decoder run on each mutated input.
type Decoder = (&'static str, fn(&[u8]));

const DECODERS: &[Decoder] = &[
    ("decode_event", |b| {
        let _ = std::hint::black_box(decode_event(b));
    }),
    ("decode_endpoint", |b| {
        let _ = std::hint::black_box(decode_endpoint(b));
    }),
    ("decode_limits", |b| {
        let _ = std::hint::black_box(decode_limits(b));
    }),
    ("PmMessage", pm_round_trip),
    ("EventMessage", event_round_trip),
];

/// Offsets of attribute headers (top level and one level of nesting), so
/// that length corruption hits real `nla_len` fields most of the time.
fn nla_offsets(b: &[u8]) -> Vec<usize> {
    fn walk(b: &[u8], start: usize, end: usize, depth: u8, out: &mut Vec<usize>) {
        let mut off = start;
        while off + 4 <= end {
            let len = usize::from(u16::from_ne_bytes([b[off], b[off + 1]]));
            if len < 4 || off + len > end {
                return;
            }
            out.push(off);
            if depth == 0 && b[off + 3] & 0x80 != 0 {
                walk(b, off + 4, off + len, 1, out);
            }
            off += (len + 3) & !3;
        }
    }
    let mut out = Vec::new();
    walk(b, 4, b.len(), 0, &mut out);
    out
}

fn mutate(rng: &mut Rng, orig: &[u8]) -> Vec<u8> {
    let mut b = orig.to_vec();
    for _ in 0..1 + rng.below(3) {
        match rng.below(6) {
            0 if !b.is_empty() => {
                let i = rng.below(b.len());
                b[i] ^= 1 << rng.below(8);
            }
            1 => b.truncate(rng.below(b.len() + 1)),
            2 => {
                let offs = nla_offsets(&b);
                if !offs.is_empty() {
                    let off = offs[rng.below(offs.len())];
                    let len = match rng.below(4) {
                        0 => 0,
                        1 => rng.below(8) as u16,
                        2 => u16::MAX - rng.below(4) as u16,
                        _ => rng.below(b.len() + 16) as u16,
                    };
                    b[off..off + 2].copy_from_slice(&len.to_ne_bytes());
                }
            }
            3 => {
                let i = rng.below(b.len() + 1);
                b.insert(i, rng.next() as u8);
            }
            4 if !b.is_empty() => {
                b.remove(rng.below(b.len()));
            }
            _ => {
                // Duplicate a random slice: repeated attributes.
                if b.len() > 4 {
                    let s = 4 + rng.below(b.len() - 4);
                    let e = s + rng.below(b.len() - s + 1);
                    let dup = b[s..e].to_vec();
                    b.extend_from_slice(&dup);
                }
            }
        }
    }
    b
}

#[test]
fn mutated_golden_vectors_never_panic() {
    let mut rng = Rng(SEED);
    let mut total = 0;
    // Both outcomes must occur, or the mutations are not testing much.
    let (mut accepted, mut rejected) = (0, 0);
    for (name, orig) in vectors() {
        for (_, decode) in DECODERS {
            decode(&orig);
        }
        for round in 0..ROUNDS {
            let b = mutate(&mut rng, &orig);
            for (dname, decode) in DECODERS {
                let r = std::panic::catch_unwind(|| decode(&b));
                assert!(
                    r.is_ok(),
                    "{dname} panicked on {name} round {round}: {b:02x?}"
                );
            }
            match (decode_event(&b), PmMessage::parse(&b)) {
                (Ok(Some(_)), _) | (_, Ok(_)) => accepted += 1,
                _ => rejected += 1,
            }
            total += 1;
        }
    }
    assert!(total >= 40 * ROUNDS, "{total}");
    assert!(
        accepted > total / 20 && rejected > total / 20,
        "{accepted} accepted, {rejected} rejected"
    );
}

#[test]
fn write_seed_corpus_if_asked() {
    let Some(dir) = std::env::var_os("MPTCPD_WRITE_CORPUS") else {
        return;
    };
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in vectors() {
        std::fs::write(std::path::Path::new(&dir).join(name.to_lowercase()), bytes).unwrap();
    }
}
