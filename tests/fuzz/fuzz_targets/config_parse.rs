// SPDX-License-Identifier: BSD-3-Clause
//! The config-file parser, interface-name globs and flag lists on
//! arbitrary text. Checks: `decoder_checks::config` (tests/decoder_checks,
//! shared with the mutation test).

#![no_main]

#[path = "../../decoder_checks/mod.rs"]
mod decoder_checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    decoder_checks::config(data);
});
