// SPDX-License-Identifier: BSD-3-Clause
//! Deterministic mutation test of every decoder that reads outside input:
//! thousands of damaged copies of the MPTCP golden vectors, of real
//! rtnetlink captures (`tests/fuzz/seeds/rtnl_decode`) and of config files
//! (`tests/fuzz/seeds/config_parse`). Nothing may panic, and the checks of
//! `decoder_checks` (shared with the fuzz targets) must hold.
//!
//! `MPTCPD_WRITE_CORPUS=DIR cargo test --test wire_mutation` also writes
//! the unmutated MPTCP vectors into DIR (a fuzzing seed corpus).

mod decoder_checks;

use std::path::{Path, PathBuf};

use mptcpd::wire::golden;

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

fn golden_vectors() -> Vec<(String, Vec<u8>)> {
    golden::ALL
        .iter()
        .map(|(name, _, listing, _)| (name.to_string(), golden::bytes(listing)))
        .collect()
}

/// The committed fuzz seeds of `target`, by file name.
fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests/fuzz/seeds", target]
        .iter()
        .collect();
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// Offsets of attribute headers (top level and one level of nesting) of a
/// genl payload, so that length corruption hits real `nla_len` fields.
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

/// Every 4-aligned offset after the rtnl layout's 1 or 2 leading bytes:
/// where `nlmsg_len`, the fixed headers and `nla_len` fields sit.
fn aligned_offsets(b: &[u8]) -> Vec<usize> {
    let base = match b.first() {
        Some(sel) if sel & 0x80 != 0 => 1,
        _ => 2,
    };
    (base..b.len().saturating_sub(1)).step_by(4).collect()
}

/// Pieces that mean something to the config parser, the globs and the
/// flag lists.
const CONFIG_TOKENS: &[&str] = &[
    "[",
    "]",
    "=",
    "#",
    ",",
    "*",
    "?",
    "[!",
    "-",
    "\n",
    "\r\n",
    " ",
    "\t",
    "\0",
    "[core]\n",
    "[interface ",
    "[interface eth*]\n",
    "addr-flags=",
    "notify-flags=",
    "exclude=",
    "unlisted-interfaces=",
    "log=",
    "subflow",
    "backup",
    "signal",
    "fullmesh",
    "laminar",
    "existing",
    "check_route",
    "yes",
    "\u{e9}",
    "\u{feff}",
    "\u{ff}",
];

fn mutate(rng: &mut Rng, orig: &[u8], len_fields: fn(&[u8]) -> Vec<usize>) -> Vec<u8> {
    let mut b = orig.to_vec();
    for _ in 0..1 + rng.below(3) {
        match rng.below(6) {
            0 if !b.is_empty() => {
                let i = rng.below(b.len());
                b[i] ^= 1 << rng.below(8);
            }
            1 => b.truncate(rng.below(b.len() + 1)),
            2 => {
                let offs = len_fields(&b);
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
                // Duplicate a random slice: repeated attributes or messages.
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

/// Text-level damage on top of [`mutate`]: meaningful tokens inserted,
/// lines repeated or dropped.
fn mutate_text(rng: &mut Rng, orig: &[u8]) -> Vec<u8> {
    let mut b = orig.to_vec();
    for _ in 0..1 + rng.below(3) {
        let lines: Vec<usize> = std::iter::once(0)
            .chain(
                b.iter()
                    .enumerate()
                    .filter(|(_, c)| **c == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        match rng.below(4) {
            0 | 1 => {
                let t = CONFIG_TOKENS[rng.below(CONFIG_TOKENS.len())].as_bytes();
                let at = rng.below(b.len() + 1);
                b.splice(at..at, t.iter().copied());
            }
            2 => {
                let s = lines[rng.below(lines.len())];
                let e = b[s..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(b.len(), |p| s + p + 1);
                let line = b[s..e].to_vec();
                let at = lines[rng.below(lines.len())];
                b.splice(at..at, line);
            }
            _ => b = mutate(rng, &b, |_| Vec::new()),
        }
    }
    b
}

/// Runs `check` on `rounds` mutations of every input; no panic, and both
/// outcomes must occur often, or the mutations are not testing much.
fn run(
    what: &str,
    inputs: &[(String, Vec<u8>)],
    rounds: usize,
    mut damage: impl FnMut(&mut Rng, &[u8]) -> Vec<u8>,
    check: fn(&[u8]) -> bool,
) {
    let mut rng = Rng(SEED);
    let (mut accepted, mut rejected) = (0, 0);
    for (name, orig) in inputs {
        for round in 0..rounds {
            let b = damage(&mut rng, orig);
            match std::panic::catch_unwind(|| check(&b)) {
                Ok(true) => accepted += 1,
                Ok(false) => rejected += 1,
                Err(_) => panic!("{what}: {name} round {round}: {b:02x?}"),
            }
        }
    }
    let total = accepted + rejected;
    assert_eq!(total, inputs.len() * rounds);
    assert!(
        accepted > total / 20 && rejected > total / 20,
        "{what}: {accepted} accepted, {rejected} rejected"
    );
}

#[test]
fn mutated_golden_vectors_never_panic() {
    let vectors = golden_vectors();
    assert!(vectors.len() >= 40, "{}", vectors.len());
    run(
        "mptcp",
        &vectors,
        3000,
        |rng, b| mutate(rng, b, nla_offsets),
        decoder_checks::mptcp,
    );
}

#[test]
fn mutated_rtnl_captures_never_panic() {
    let captures = seeds("rtnl_decode");
    assert!(captures.len() >= 20, "{}", captures.len());
    for (name, b) in &captures {
        assert!(decoder_checks::rtnl(b), "kernel capture {name} is rejected");
    }
    run(
        "rtnl",
        &captures,
        1000,
        |rng, b| mutate(rng, b, aligned_offsets),
        decoder_checks::rtnl,
    );
}

#[test]
fn mutated_config_texts_never_panic() {
    let texts = seeds("config_parse");
    assert!(texts.len() >= 8, "{}", texts.len());
    run("config", &texts, 1000, mutate_text, decoder_checks::config);
}

#[test]
fn write_seed_corpus_if_asked() {
    let Some(dir) = std::env::var_os("MPTCPD_WRITE_CORPUS") else {
        return;
    };
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in golden_vectors() {
        std::fs::write(Path::new(&dir).join(name.to_lowercase()), bytes).unwrap();
    }
}
