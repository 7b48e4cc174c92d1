// SPDX-License-Identifier: BSD-3-Clause
//! Process exit codes, sysexits(3) style like mptcpd. Documented in
//! mptcpd(8) under EXIT STATUS; keep the two in step.

/// Clean stop (SIGTERM/SIGINT), or `--help`, `--usage`, `--version`.
pub const EX_OK: i32 = 0;
/// Runtime or environment failure: MPTCP disabled or missing, the
/// `mptcp_pm` family absent, an unsafe config file, an unknown policy name,
/// a socket that cannot be opened.
pub const EXIT_FAILURE: i32 = 1;
/// Bad command line (sysexits EX_USAGE).
pub const EX_USAGE: i32 = 64;
/// Bad configuration file: syntax error or bad value (sysexits EX_CONFIG).
pub const EX_CONFIG: i32 = 78;
