// SPDX-License-Identifier: BSD-3-Clause
//! Captured requests: the bytes after nlmsghdr (see the parent module for how).

use super::B::{self, H16, H32, Nla, Raw};

/// `ADD_ADDR v4 iproute2`: linux-6.18.log entry 0 (iproute2 6.1 under strace).
#[rustfmt::skip]
pub const ADD_ADDR_V4: &[B] = &[
    Raw(&[0x01, 0x01, 0x00, 0x00]), // genl: cmd 1 ADD_ADDR, version 1, reserved
    Nla(44, 0x8001), // MPTCP_PM_ATTR_ADDR | NLA_F_NESTED
        Nla(5, 2), Raw(&[0x03]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_ID = 3 + 3 pad
        Nla(8, 6), H32(0x00000002), // MPTCP_PM_ADDR_ATTR_FLAGS = 2 (0x2)
        Nla(8, 7), H32(0x00000002), // MPTCP_PM_ADDR_ATTR_IF_IDX = 2 (0x2)
        Nla(6, 1), H16(2), Raw(&[0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_FAMILY = 2 + 2 pad
        Nla(8, 3), Raw(&[0x0a, 0x64, 0x03, 0x02]), // MPTCP_PM_ADDR_ATTR_ADDR4 = 10.100.3.2
];
pub const ADD_ADDR_V4_CAPTURED: &str = "010100002c0001800500020003000000080006000200000008000700020000000600010002000000080003000a640302";

/// `ADD_ADDR v6 iproute2`: linux-6.18.log entry 1 (iproute2 6.1 under strace).
#[rustfmt::skip]
pub const ADD_ADDR_V6: &[B] = &[
    Raw(&[0x01, 0x01, 0x00, 0x00]), // genl: cmd 1 ADD_ADDR, version 1, reserved
    Nla(56, 0x8001), // MPTCP_PM_ATTR_ADDR | NLA_F_NESTED
        Nla(5, 2), Raw(&[0x04]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_ID = 4 + 3 pad
        Nla(8, 6), H32(0x00000006), // MPTCP_PM_ADDR_ATTR_FLAGS = 6 (0x6)
        Nla(8, 7), H32(0x00000002), // MPTCP_PM_ADDR_ATTR_IF_IDX = 2 (0x2)
        Nla(6, 1), H16(10), Raw(&[0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_FAMILY = 10 + 2 pad
        Nla(20, 4), Raw(&[0x20, 0x01, 0x0d, 0xb8, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02]), // MPTCP_PM_ADDR_ATTR_ADDR6 = 2001:db8:3::2
];
pub const ADD_ADDR_V6_CAPTURED: &str = "0101000038000180050002000400000008000600060000000800070002000000060001000a0000001400040020010db8000300000000000000000002";

/// `ADD_ADDR v4 signal port iproute2`: linux-6.18.log entry 2 (iproute2 6.1 under strace).
#[rustfmt::skip]
pub const ADD_ADDR_SIGNAL_PORT: &[B] = &[
    Raw(&[0x01, 0x01, 0x00, 0x00]), // genl: cmd 1 ADD_ADDR, version 1, reserved
    Nla(36, 0x8001), // MPTCP_PM_ATTR_ADDR | NLA_F_NESTED
        Nla(8, 6), H32(0x00000001), // MPTCP_PM_ADDR_ATTR_FLAGS = 1 (0x1)
        Nla(6, 5), H16(5001), Raw(&[0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_PORT = 5001 + 2 pad
        Nla(6, 1), H16(2), Raw(&[0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_FAMILY = 2 + 2 pad
        Nla(8, 3), Raw(&[0x0a, 0x64, 0x03, 0x01]), // MPTCP_PM_ADDR_ATTR_ADDR4 = 10.100.3.1
];
pub const ADD_ADDR_SIGNAL_PORT_CAPTURED: &str =
    "0101000024000180080006000100000006000500891300000600010002000000080003000a640301";

/// `SET_LIMITS iproute2`: linux-6.18.log entry 3 (iproute2 6.1 under strace).
#[rustfmt::skip]
pub const SET_LIMITS: &[B] = &[
    Raw(&[0x05, 0x01, 0x00, 0x00]), // genl: cmd 5 SET_LIMITS, version 1, reserved
    Nla(8, 2), H32(0x00000003), // MPTCP_PM_ATTR_RCV_ADD_ADDRS = 3 (0x3)
    Nla(8, 3), H32(0x00000002), // MPTCP_PM_ATTR_SUBFLOWS = 2 (0x2)
];
pub const SET_LIMITS_CAPTURED: &str = "0501000008000200030000000800030002000000";

/// `GET_LIMITS iproute2`: linux-6.18.log entry 4 (iproute2 6.1 under strace).
#[rustfmt::skip]
pub const GET_LIMITS: &[B] = &[
    Raw(&[0x06, 0x01, 0x00, 0x00]), // genl: cmd 6 GET_LIMITS, version 1, reserved
];
pub const GET_LIMITS_CAPTURED: &str = "06010000";

/// `GET_ADDR dump iproute2`: linux-6.18.log entry 5 (iproute2 6.1 under strace).
#[rustfmt::skip]
pub const GET_ADDR_DUMP: &[B] = &[
    Raw(&[0x03, 0x01, 0x00, 0x00]), // genl: cmd 3 GET_ADDR, version 1, reserved
];
pub const GET_ADDR_DUMP_CAPTURED: &str = "03010000";

/// `GET_ADDR id 3 iproute2`: linux-6.18.log entry 6 (iproute2 6.1 under strace).
#[rustfmt::skip]
pub const GET_ADDR_ID: &[B] = &[
    Raw(&[0x03, 0x01, 0x00, 0x00]), // genl: cmd 3 GET_ADDR, version 1, reserved
    Nla(12, 0x8001), // MPTCP_PM_ATTR_ADDR | NLA_F_NESTED
        Nla(5, 2), Raw(&[0x03]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_ID = 3 + 3 pad
];
pub const GET_ADDR_ID_CAPTURED: &str = "030100000c0001800500020003000000";

/// `SET_FLAGS id 3 backup iproute2`: linux-6.18.log entry 7 (iproute2 6.1 under strace).
#[rustfmt::skip]
pub const SET_FLAGS_ID: &[B] = &[
    Raw(&[0x07, 0x01, 0x00, 0x00]), // genl: cmd 7 SET_FLAGS, version 1, reserved
    Nla(20, 0x8001), // MPTCP_PM_ATTR_ADDR | NLA_F_NESTED
        Nla(5, 2), Raw(&[0x03]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_ID = 3 + 3 pad
        Nla(8, 6), H32(0x00000004), // MPTCP_PM_ADDR_ATTR_FLAGS = 4 (0x4)
];
pub const SET_FLAGS_ID_CAPTURED: &str = "070100001400018005000200030000000800060004000000";

/// `DEL_ADDR id 3 iproute2`: linux-6.18.log entry 19 (iproute2 6.1 under strace).
#[rustfmt::skip]
pub const DEL_ADDR: &[B] = &[
    Raw(&[0x02, 0x01, 0x00, 0x00]), // genl: cmd 2 DEL_ADDR, version 1, reserved
    Nla(12, 0x8001), // MPTCP_PM_ATTR_ADDR | NLA_F_NESTED
        Nla(5, 2), Raw(&[0x03]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_ID = 3 + 3 pad
];
pub const DEL_ADDR_CAPTURED: &str = "020100000c0001800500020003000000";

/// `FLUSH_ADDRS iproute2`: linux-6.18.log entry 20 (iproute2 6.1 under strace).
#[rustfmt::skip]
pub const FLUSH_ADDRS: &[B] = &[
    Raw(&[0x04, 0x01, 0x00, 0x00]), // genl: cmd 4 FLUSH_ADDRS, version 1, reserved
];
pub const FLUSH_ADDRS_CAPTURED: &str = "04010000";

/// `SUBFLOW_CREATE 10.100.2.2 id 2 -> 10.100.1.1:7000`: linux-6.18.log entry 28 (capture.py, ACKed by the kernel).
#[rustfmt::skip]
pub const SUBFLOW_CREATE: &[B] = &[
    Raw(&[0x0a, 0x01, 0x00, 0x00]), // genl: cmd 10 SUBFLOW_CREATE, version 1, reserved
    Nla(8, 4), H32(0x3cda3c80), // MPTCP_PM_ATTR_TOKEN = 1020935296 (0x3cda3c80)
    Nla(28, 0x8001), // MPTCP_PM_ATTR_ADDR | NLA_F_NESTED
        Nla(5, 2), Raw(&[0x02]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_ID = 2 + 3 pad
        Nla(6, 1), H16(2), Raw(&[0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_FAMILY = 2 + 2 pad
        Nla(8, 3), Raw(&[0x0a, 0x64, 0x02, 0x02]), // MPTCP_PM_ADDR_ATTR_ADDR4 = 10.100.2.2
    Nla(28, 0x8006), // MPTCP_PM_ATTR_ADDR_REMOTE | NLA_F_NESTED
        Nla(6, 5), H16(7000), Raw(&[0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_PORT = 7000 + 2 pad
        Nla(6, 1), H16(2), Raw(&[0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_FAMILY = 2 + 2 pad
        Nla(8, 3), Raw(&[0x0a, 0x64, 0x01, 0x01]), // MPTCP_PM_ADDR_ATTR_ADDR4 = 10.100.1.1
];
pub const SUBFLOW_CREATE_CAPTURED: &str = "0a01000008000400803cda3c1c00018005000200020000000600010002000000080003000a6402021c00068006000500581b00000600010002000000080003000a640101";

/// `ANNOUNCE 10.100.2.1 id 5 port 7000 signal`: linux-6.18.log entry 32 (capture.py, ACKed by the kernel).
#[rustfmt::skip]
pub const ANNOUNCE_V4: &[B] = &[
    Raw(&[0x08, 0x01, 0x00, 0x00]), // genl: cmd 8 ANNOUNCE, version 1, reserved
    Nla(8, 4), H32(0x0f259234), // MPTCP_PM_ATTR_TOKEN = 254120500 (0xf259234)
    Nla(44, 0x8001), // MPTCP_PM_ATTR_ADDR | NLA_F_NESTED
        Nla(5, 2), Raw(&[0x05]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_ID = 5 + 3 pad
        Nla(8, 6), H32(0x00000001), // MPTCP_PM_ADDR_ATTR_FLAGS = 1 (0x1)
        Nla(6, 5), H16(7000), Raw(&[0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_PORT = 7000 + 2 pad
        Nla(6, 1), H16(2), Raw(&[0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_FAMILY = 2 + 2 pad
        Nla(8, 3), Raw(&[0x0a, 0x64, 0x02, 0x01]), // MPTCP_PM_ADDR_ATTR_ADDR4 = 10.100.2.1
];
pub const ANNOUNCE_V4_CAPTURED: &str = "08010000080004003492250f2c0001800500020005000000080006000100000006000500581b00000600010002000000080003000a640201";

/// `GET_ADDR dump token (server)`: linux-6.18.log entry 35 (capture.py, ACKed by the kernel).
#[rustfmt::skip]
pub const GET_ADDR_DUMP_TOKEN: &[B] = &[
    Raw(&[0x03, 0x01, 0x00, 0x00]), // genl: cmd 3 GET_ADDR, version 1, reserved
    Nla(8, 4), H32(0x0f259234), // MPTCP_PM_ATTR_TOKEN = 254120500 (0xf259234)
];
pub const GET_ADDR_DUMP_TOKEN_CAPTURED: &str = "03010000080004003492250f";

/// `GET_ADDR id 5 token (server)`: linux-6.18.log entry 38 (capture.py, ACKed by the kernel).
#[rustfmt::skip]
pub const GET_ADDR_ID_TOKEN: &[B] = &[
    Raw(&[0x03, 0x01, 0x00, 0x00]), // genl: cmd 3 GET_ADDR, version 1, reserved
    Nla(8, 4), H32(0x0f259234), // MPTCP_PM_ATTR_TOKEN = 254120500 (0xf259234)
    Nla(12, 0x8001), // MPTCP_PM_ATTR_ADDR | NLA_F_NESTED
        Nla(5, 2), Raw(&[0x05]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_ID = 5 + 3 pad
];
pub const GET_ADDR_ID_TOKEN_CAPTURED: &str = "03010000080004003492250f0c0001800500020005000000";

/// `SET_FLAGS token backup 10.100.2.2 -> 10.100.1.1:7000`: linux-6.18.log entry 41 (capture.py, ACKed by the kernel).
#[rustfmt::skip]
pub const SET_FLAGS_TOKEN: &[B] = &[
    Raw(&[0x07, 0x01, 0x00, 0x00]), // genl: cmd 7 SET_FLAGS, version 1, reserved
    Nla(8, 4), H32(0x3cda3c80), // MPTCP_PM_ATTR_TOKEN = 1020935296 (0x3cda3c80)
    Nla(28, 0x8001), // MPTCP_PM_ATTR_ADDR | NLA_F_NESTED
        Nla(8, 6), H32(0x00000004), // MPTCP_PM_ADDR_ATTR_FLAGS = 4 (0x4)
        Nla(6, 1), H16(2), Raw(&[0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_FAMILY = 2 + 2 pad
        Nla(8, 3), Raw(&[0x0a, 0x64, 0x02, 0x02]), // MPTCP_PM_ADDR_ATTR_ADDR4 = 10.100.2.2
    Nla(28, 0x8006), // MPTCP_PM_ATTR_ADDR_REMOTE | NLA_F_NESTED
        Nla(6, 5), H16(7000), Raw(&[0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_PORT = 7000 + 2 pad
        Nla(6, 1), H16(2), Raw(&[0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_FAMILY = 2 + 2 pad
        Nla(8, 3), Raw(&[0x0a, 0x64, 0x01, 0x01]), // MPTCP_PM_ADDR_ATTR_ADDR4 = 10.100.1.1
];
pub const SET_FLAGS_TOKEN_CAPTURED: &str = "0701000008000400803cda3c1c00018008000600040000000600010002000000080003000a6402021c00068006000500581b00000600010002000000080003000a640101";

/// `REMOVE id 5`: linux-6.18.log entry 44 (capture.py, ACKed by the kernel).
#[rustfmt::skip]
pub const REMOVE: &[B] = &[
    Raw(&[0x09, 0x01, 0x00, 0x00]), // genl: cmd 9 REMOVE, version 1, reserved
    Nla(8, 4), H32(0x0f259234), // MPTCP_PM_ATTR_TOKEN = 254120500 (0xf259234)
    Nla(5, 5), Raw(&[0x05]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_PM_ATTR_LOC_ID = 5 + 3 pad
];
pub const REMOVE_CAPTURED: &str = "09010000080004003492250f0500050005000000";

/// `SUBFLOW_DESTROY 10.100.2.2:38357 -> 10.100.1.1:7000`: linux-6.18.log entry 47 (capture.py, ACKed by the kernel).
#[rustfmt::skip]
pub const SUBFLOW_DESTROY: &[B] = &[
    Raw(&[0x0b, 0x01, 0x00, 0x00]), // genl: cmd 11 SUBFLOW_DESTROY, version 1, reserved
    Nla(8, 4), H32(0x3cda3c80), // MPTCP_PM_ATTR_TOKEN = 1020935296 (0x3cda3c80)
    Nla(28, 0x8001), // MPTCP_PM_ATTR_ADDR | NLA_F_NESTED
        Nla(6, 5), H16(38357), Raw(&[0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_PORT = 38357 + 2 pad
        Nla(6, 1), H16(2), Raw(&[0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_FAMILY = 2 + 2 pad
        Nla(8, 3), Raw(&[0x0a, 0x64, 0x02, 0x02]), // MPTCP_PM_ADDR_ATTR_ADDR4 = 10.100.2.2
    Nla(28, 0x8006), // MPTCP_PM_ATTR_ADDR_REMOTE | NLA_F_NESTED
        Nla(6, 5), H16(7000), Raw(&[0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_PORT = 7000 + 2 pad
        Nla(6, 1), H16(2), Raw(&[0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_FAMILY = 2 + 2 pad
        Nla(8, 3), Raw(&[0x0a, 0x64, 0x01, 0x01]), // MPTCP_PM_ADDR_ATTR_ADDR4 = 10.100.1.1
];
pub const SUBFLOW_DESTROY_CAPTURED: &str = "0b01000008000400803cda3c1c00018006000500d59500000600010002000000080003000a6402021c00068006000500581b00000600010002000000080003000a640101";

/// `ANNOUNCE 2001:db8:2::1 id 6 signal`: linux-6.18.log entry 58 (capture.py, ACKed by the kernel).
#[rustfmt::skip]
pub const ANNOUNCE_V6: &[B] = &[
    Raw(&[0x08, 0x01, 0x00, 0x00]), // genl: cmd 8 ANNOUNCE, version 1, reserved
    Nla(8, 4), H32(0xf422ce64), // MPTCP_PM_ATTR_TOKEN = 4095921764 (0xf422ce64)
    Nla(48, 0x8001), // MPTCP_PM_ATTR_ADDR | NLA_F_NESTED
        Nla(5, 2), Raw(&[0x06]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_ID = 6 + 3 pad
        Nla(8, 6), H32(0x00000001), // MPTCP_PM_ADDR_ATTR_FLAGS = 1 (0x1)
        Nla(6, 1), H16(10), Raw(&[0x00, 0x00]), // MPTCP_PM_ADDR_ATTR_FAMILY = 10 + 2 pad
        Nla(20, 4), Raw(&[0x20, 0x01, 0x0d, 0xb8, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01]), // MPTCP_PM_ADDR_ATTR_ADDR6 = 2001:db8:2::1
];
pub const ANNOUNCE_V6_CAPTURED: &str = "080100000800040064ce22f43000018005000200060000000800060001000000060001000a0000001400040020010db8000200000000000000000001";
