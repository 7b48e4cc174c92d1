// SPDX-License-Identifier: BSD-3-Clause
//! Captured kernel replies: the bytes after nlmsghdr (see the parent module for how).

use super::B::{self, H16, H32, Nla, Raw};

/// `GET_LIMITS`: linux-6.18.log entry 9 (kernel).
#[rustfmt::skip]
pub const GET_LIMITS_REPLY: &[B] = &[
    Raw(&[0x06, 0x01, 0x00, 0x00]), // genl: cmd 6 GET_LIMITS, version 1, reserved
    Nla(8, 2), H32(0x00000003), // MPTCP_PM_ATTR_RCV_ADD_ADDRS = 3 (0x3)
    Nla(8, 3), H32(0x00000002), // MPTCP_PM_ATTR_SUBFLOWS = 2 (0x2)
];
pub const GET_LIMITS_REPLY_CAPTURED: &str = "0601000008000200030000000800030002000000";

/// `GET_ADDR dump`: linux-6.18.log entry 12 (kernel).
#[rustfmt::skip]
pub const DUMP_ENTRY_V4: &[B] = &[
    Raw(&[0x03, 0x01, 0x00, 0x00]), // genl: cmd 3 GET_ADDR, version 1, reserved
    Nla(52, 0x8001), // MPTCP_PM_ATTR_ADDR | NLA_F_NESTED
        Nla(6, 1), H16(2), Raw(&[0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_FAMILY = 2 + 2 pad
        Nla(6, 5), H16(0), Raw(&[0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_PORT = 0 + 2 pad
        Nla(5, 2), Raw(&[0x03]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_ID = 3 + 3 pad
        Nla(8, 6), H32(0x00000006), // MPTCP_PM_ADDR_ATTR_FLAGS = 6 (0x6)
        Nla(8, 7), H32(0x00000002), // MPTCP_PM_ADDR_ATTR_IF_IDX = 2 (0x2)
        Nla(8, 3), Raw(&[0x0a, 0x64, 0x03, 0x02]), // MPTCP_PM_ADDR_ATTR_ADDR4 = 10.100.3.2
];
pub const DUMP_ENTRY_V4_CAPTURED: &str = "030100003400018006000100020000000600050000000000050002000300000008000600060000000800070002000000080003000a640302";

/// `GET_ADDR dump`: linux-6.18.log entry 13 (kernel).
#[rustfmt::skip]
pub const DUMP_ENTRY_V6: &[B] = &[
    Raw(&[0x03, 0x01, 0x00, 0x00]), // genl: cmd 3 GET_ADDR, version 1, reserved
    Nla(64, 0x8001), // MPTCP_PM_ATTR_ADDR | NLA_F_NESTED
        Nla(6, 1), H16(10), Raw(&[0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_FAMILY = 10 + 2 pad
        Nla(6, 5), H16(0), Raw(&[0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_PORT = 0 + 2 pad
        Nla(5, 2), Raw(&[0x04]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_ID = 4 + 3 pad
        Nla(8, 6), H32(0x00000006), // MPTCP_PM_ADDR_ATTR_FLAGS = 6 (0x6)
        Nla(8, 7), H32(0x00000002), // MPTCP_PM_ADDR_ATTR_IF_IDX = 2 (0x2)
        Nla(20, 4), Raw(&[0x20, 0x01, 0x0d, 0xb8, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02]), // MPTCP_PM_ADDR_ATTR_ADDR6 = 2001:db8:3::2
];
pub const DUMP_ENTRY_V6_CAPTURED: &str = "0301000040000180060001000a00000006000500000000000500020004000000080006000600000008000700020000001400040020010db8000300000000000000000002";

/// `GET_ADDR dump`: linux-6.18.log entry 14 (kernel).
#[rustfmt::skip]
pub const DUMP_ENTRY_SIGNAL_PORT: &[B] = &[
    Raw(&[0x03, 0x01, 0x00, 0x00]), // genl: cmd 3 GET_ADDR, version 1, reserved
    Nla(44, 0x8001), // MPTCP_PM_ATTR_ADDR | NLA_F_NESTED
        Nla(6, 1), H16(2), Raw(&[0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_FAMILY = 2 + 2 pad
        Nla(6, 5), H16(5001), Raw(&[0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_PORT = 5001 + 2 pad
        Nla(5, 2), Raw(&[0x05]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_ID = 5 + 3 pad
        Nla(8, 6), H32(0x00000001), // MPTCP_PM_ADDR_ATTR_FLAGS = 1 (0x1)
        Nla(8, 3), Raw(&[0x0a, 0x64, 0x03, 0x01]), // MPTCP_PM_ADDR_ATTR_ADDR4 = 10.100.3.1
];
pub const DUMP_ENTRY_SIGNAL_PORT_CAPTURED: &str = "030100002c0001800600010002000000060005008913000005000200050000000800060001000000080003000a640301";

/// `GET_ADDR id 4`: linux-6.18.log entry 17 (kernel).
#[rustfmt::skip]
pub const GET_ADDR_REPLY: &[B] = &[
    Raw(&[0x03, 0x01, 0x00, 0x00]), // genl: cmd 3 GET_ADDR, version 1, reserved
    Nla(64, 0x8001), // MPTCP_PM_ATTR_ADDR | NLA_F_NESTED
        Nla(6, 1), H16(10), Raw(&[0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_FAMILY = 10 + 2 pad
        Nla(6, 5), H16(0), Raw(&[0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_PORT = 0 + 2 pad
        Nla(5, 2), Raw(&[0x04]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_ID = 4 + 3 pad
        Nla(8, 6), H32(0x00000006), // MPTCP_PM_ADDR_ATTR_FLAGS = 6 (0x6)
        Nla(8, 7), H32(0x00000002), // MPTCP_PM_ADDR_ATTR_IF_IDX = 2 (0x2)
        Nla(20, 4), Raw(&[0x20, 0x01, 0x0d, 0xb8, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02]), // MPTCP_PM_ADDR_ATTR_ADDR6 = 2001:db8:3::2
];
pub const GET_ADDR_REPLY_CAPTURED: &str = "0301000040000180060001000a00000006000500000000000500020004000000080006000600000008000700020000001400040020010db8000300000000000000000002";

/// `GET_ADDR dump token (server)`: linux-6.18.log entry 36 (kernel).
#[rustfmt::skip]
pub const UPM_DUMP_ENTRY: &[B] = &[
    Raw(&[0x03, 0x01, 0x00, 0x00]), // genl: cmd 3 GET_ADDR, version 1, reserved
    Nla(44, 0x8001), // MPTCP_PM_ATTR_ADDR | NLA_F_NESTED
        Nla(6, 1), H16(2), Raw(&[0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_FAMILY = 2 + 2 pad
        Nla(6, 5), H16(7000), Raw(&[0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_PORT = 7000 + 2 pad
        Nla(5, 2), Raw(&[0x05]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_ID = 5 + 3 pad
        Nla(8, 6), H32(0x00000001), // MPTCP_PM_ADDR_ATTR_FLAGS = 1 (0x1)
        Nla(8, 3), Raw(&[0x0a, 0x64, 0x02, 0x01]), // MPTCP_PM_ADDR_ATTR_ADDR4 = 10.100.2.1
];
pub const UPM_DUMP_ENTRY_CAPTURED: &str = "030100002c000180060001000200000006000500581b000005000200050000000800060001000000080003000a640201";
