// SPDX-License-Identifier: BSD-3-Clause
//! Every MPTCP decoder on arbitrary bytes: no panic, and what the wire level
//! accepts re-emits into bytes that parse back identically. The checks live
//! in tests/decoder_checks, shared with the mutation test.

#![no_main]

#[path = "../../decoder_checks/mod.rs"]
mod decoder_checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    decoder_checks::mptcp(data);
});
