// SPDX-License-Identifier: BSD-3-Clause
//! The only poll(2) of the program (placeholder until the core lands).

use crate::config::Config;
use crate::signals::Signals;

/// Policies compiled into this binary, in order of preference.
pub const COMPILED_IN: &[&str] = &[
    #[cfg(feature = "addr_adv")]
    "addr_adv",
    #[cfg(feature = "sspi")]
    "sspi",
];

pub fn run(_config: Config, _policy: &str, _signals: Signals) -> i32 {
    crate::exit::EXIT_FAILURE
}
