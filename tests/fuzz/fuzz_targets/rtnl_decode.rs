// SPDX-License-Identifier: BSD-3-Clause
//! rtnetlink parsing, netlink datagram splitting and NLMSG_ERROR /
//! NLMSG_DONE / nlctrl decoding on arbitrary bytes. Input layout and
//! checks: `decoder_checks::rtnl` (tests/decoder_checks, shared with the
//! mutation test).

#![no_main]

#[path = "../../decoder_checks/mod.rs"]
mod decoder_checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    decoder_checks::rtnl(data);
});
