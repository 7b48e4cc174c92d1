// SPDX-License-Identifier: BSD-3-Clause
//! Captured kernel events: the bytes after nlmsghdr (see the parent module for how).

use super::B::{self, H16, H32, Nla, Raw};

/// `server LISTENER_CREATED`: linux-6.18.log entry 22 (kernel).
#[rustfmt::skip]
pub const LISTENER_CREATED_V4: &[B] = &[
    Raw(&[0x0f, 0x01, 0x00, 0x00]), // genl: cmd 15 LISTENER_CREATED, version 1, reserved
    Nla(6, 2), H16(2), Raw(&[0x00, 0x00]), // MPTCP_ATTR_FAMILY = 2 + 2 pad
    Nla(6, 9), Raw(&[0x1b, 0x58]), Raw(&[0x00, 0x00]), // MPTCP_ATTR_SPORT = 7000, network order + 2 pad
    Nla(8, 5), Raw(&[0x00, 0x00, 0x00, 0x00]), // MPTCP_ATTR_SADDR4 = 0.0.0.0
];
pub const LISTENER_CREATED_V4_CAPTURED: &str =
    "0f0100000600020002000000060009001b5800000800050000000000";

/// `server LISTENER_CREATED`: linux-6.18.log entry 23 (kernel).
#[rustfmt::skip]
pub const LISTENER_CREATED_V6: &[B] = &[
    Raw(&[0x0f, 0x01, 0x00, 0x00]), // genl: cmd 15 LISTENER_CREATED, version 1, reserved
    Nla(6, 2), H16(10), Raw(&[0x00, 0x00]), // MPTCP_ATTR_FAMILY = 10 + 2 pad
    Nla(6, 9), Raw(&[0x1b, 0x59]), Raw(&[0x00, 0x00]), // MPTCP_ATTR_SPORT = 7001, network order + 2 pad
    Nla(20, 6), Raw(&[0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01]), // MPTCP_ATTR_SADDR6 = 2001:db8:1::1
];
pub const LISTENER_CREATED_V6_CAPTURED: &str =
    "0f010000060002000a000000060009001b5900001400060020010db8000100000000000000000001";

/// `server CREATED`: linux-6.18.log entry 24 (kernel).
#[rustfmt::skip]
pub const SERVER_CREATED: &[B] = &[
    Raw(&[0x01, 0x01, 0x00, 0x00]), // genl: cmd 1 CREATED, version 1, reserved
    Nla(8, 1), H32(0x0f259234), // MPTCP_ATTR_TOKEN = 254120500 (0xf259234)
    Nla(5, 18), Raw(&[0x01]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_SERVER_SIDE = 1 + 3 pad
    Nla(6, 13), H16(2), Raw(&[0x00, 0x00]), // MPTCP_ATTR_FLAGS = 2 + 2 pad
    Nla(6, 2), H16(2), Raw(&[0x00, 0x00]), // MPTCP_ATTR_FAMILY = 2 + 2 pad
    Nla(8, 5), Raw(&[0x0a, 0x64, 0x01, 0x01]), // MPTCP_ATTR_SADDR4 = 10.100.1.1
    Nla(8, 7), Raw(&[0x0a, 0x64, 0x01, 0x02]), // MPTCP_ATTR_DADDR4 = 10.100.1.2
    Nla(6, 9), Raw(&[0x1b, 0x58]), Raw(&[0x00, 0x00]), // MPTCP_ATTR_SPORT = 7000, network order + 2 pad
    Nla(6, 10), Raw(&[0x9c, 0x40]), Raw(&[0x00, 0x00]), // MPTCP_ATTR_DPORT = 40000, network order + 2 pad
    Nla(5, 3), Raw(&[0x00]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_LOC_ID = 0 + 3 pad
    Nla(5, 4), Raw(&[0x00]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_REM_ID = 0 + 3 pad
];
pub const SERVER_CREATED_CAPTURED: &str = "01010000080001003492250f050012000100000006000d00020000000600020002000000080005000a640101080007000a640102060009001b58000006000a009c40000005000300000000000500040000000000";

/// `server ESTABLISHED`: linux-6.18.log entry 25 (kernel).
#[rustfmt::skip]
pub const SERVER_ESTABLISHED: &[B] = &[
    Raw(&[0x02, 0x01, 0x00, 0x00]), // genl: cmd 2 ESTABLISHED, version 1, reserved
    Nla(8, 1), H32(0x0f259234), // MPTCP_ATTR_TOKEN = 254120500 (0xf259234)
    Nla(5, 18), Raw(&[0x01]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_SERVER_SIDE = 1 + 3 pad
    Nla(6, 13), H16(2), Raw(&[0x00, 0x00]), // MPTCP_ATTR_FLAGS = 2 + 2 pad
    Nla(6, 2), H16(2), Raw(&[0x00, 0x00]), // MPTCP_ATTR_FAMILY = 2 + 2 pad
    Nla(8, 5), Raw(&[0x0a, 0x64, 0x01, 0x01]), // MPTCP_ATTR_SADDR4 = 10.100.1.1
    Nla(8, 7), Raw(&[0x0a, 0x64, 0x01, 0x02]), // MPTCP_ATTR_DADDR4 = 10.100.1.2
    Nla(6, 9), Raw(&[0x1b, 0x58]), Raw(&[0x00, 0x00]), // MPTCP_ATTR_SPORT = 7000, network order + 2 pad
    Nla(6, 10), Raw(&[0x9c, 0x40]), Raw(&[0x00, 0x00]), // MPTCP_ATTR_DPORT = 40000, network order + 2 pad
    Nla(5, 3), Raw(&[0x00]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_LOC_ID = 0 + 3 pad
    Nla(5, 4), Raw(&[0x00]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_REM_ID = 0 + 3 pad
];
pub const SERVER_ESTABLISHED_CAPTURED: &str = "02010000080001003492250f050012000100000006000d00020000000600020002000000080005000a640101080007000a640102060009001b58000006000a009c40000005000300000000000500040000000000";

/// `client CREATED`: linux-6.18.log entry 26 (kernel).
#[rustfmt::skip]
pub const CLIENT_CREATED: &[B] = &[
    Raw(&[0x01, 0x01, 0x00, 0x00]), // genl: cmd 1 CREATED, version 1, reserved
    Nla(8, 1), H32(0x3cda3c80), // MPTCP_ATTR_TOKEN = 1020935296 (0x3cda3c80)
    Nla(6, 2), H16(2), Raw(&[0x00, 0x00]), // MPTCP_ATTR_FAMILY = 2 + 2 pad
    Nla(8, 5), Raw(&[0x0a, 0x64, 0x01, 0x02]), // MPTCP_ATTR_SADDR4 = 10.100.1.2
    Nla(8, 7), Raw(&[0x0a, 0x64, 0x01, 0x01]), // MPTCP_ATTR_DADDR4 = 10.100.1.1
    Nla(6, 9), Raw(&[0x9c, 0x40]), Raw(&[0x00, 0x00]), // MPTCP_ATTR_SPORT = 40000, network order + 2 pad
    Nla(6, 10), Raw(&[0x1b, 0x58]), Raw(&[0x00, 0x00]), // MPTCP_ATTR_DPORT = 7000, network order + 2 pad
    Nla(5, 3), Raw(&[0x00]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_LOC_ID = 0 + 3 pad
    Nla(5, 4), Raw(&[0x00]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_REM_ID = 0 + 3 pad
];
pub const CLIENT_CREATED_CAPTURED: &str = "0101000008000100803cda3c0600020002000000080005000a640102080007000a640101060009009c40000006000a001b58000005000300000000000500040000000000";

/// `client ESTABLISHED`: linux-6.18.log entry 27 (kernel).
#[rustfmt::skip]
pub const CLIENT_ESTABLISHED: &[B] = &[
    Raw(&[0x02, 0x01, 0x00, 0x00]), // genl: cmd 2 ESTABLISHED, version 1, reserved
    Nla(8, 1), H32(0x3cda3c80), // MPTCP_ATTR_TOKEN = 1020935296 (0x3cda3c80)
    Nla(6, 2), H16(2), Raw(&[0x00, 0x00]), // MPTCP_ATTR_FAMILY = 2 + 2 pad
    Nla(8, 5), Raw(&[0x0a, 0x64, 0x01, 0x02]), // MPTCP_ATTR_SADDR4 = 10.100.1.2
    Nla(8, 7), Raw(&[0x0a, 0x64, 0x01, 0x01]), // MPTCP_ATTR_DADDR4 = 10.100.1.1
    Nla(6, 9), Raw(&[0x9c, 0x40]), Raw(&[0x00, 0x00]), // MPTCP_ATTR_SPORT = 40000, network order + 2 pad
    Nla(6, 10), Raw(&[0x1b, 0x58]), Raw(&[0x00, 0x00]), // MPTCP_ATTR_DPORT = 7000, network order + 2 pad
    Nla(5, 3), Raw(&[0x00]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_LOC_ID = 0 + 3 pad
    Nla(5, 4), Raw(&[0x00]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_REM_ID = 0 + 3 pad
];
pub const CLIENT_ESTABLISHED_CAPTURED: &str = "0201000008000100803cda3c0600020002000000080005000a640102080007000a640101060009009c40000006000a001b58000005000300000000000500040000000000";

/// `server SUB_ESTABLISHED`: linux-6.18.log entry 30 (kernel).
#[rustfmt::skip]
pub const SERVER_SUB_ESTABLISHED: &[B] = &[
    Raw(&[0x0a, 0x01, 0x00, 0x00]), // genl: cmd 10 SUB_ESTABLISHED, version 1, reserved
    Nla(8, 1), H32(0x0f259234), // MPTCP_ATTR_TOKEN = 254120500 (0xf259234)
    Nla(6, 2), H16(2), Raw(&[0x00, 0x00]), // MPTCP_ATTR_FAMILY = 2 + 2 pad
    Nla(8, 5), Raw(&[0x0a, 0x64, 0x01, 0x01]), // MPTCP_ATTR_SADDR4 = 10.100.1.1
    Nla(8, 7), Raw(&[0x0a, 0x64, 0x02, 0x02]), // MPTCP_ATTR_DADDR4 = 10.100.2.2
    Nla(6, 9), Raw(&[0x1b, 0x58]), Raw(&[0x00, 0x00]), // MPTCP_ATTR_SPORT = 7000, network order + 2 pad
    Nla(6, 10), Raw(&[0x95, 0xd5]), Raw(&[0x00, 0x00]), // MPTCP_ATTR_DPORT = 38357, network order + 2 pad
    Nla(5, 3), Raw(&[0x00]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_LOC_ID = 0 + 3 pad
    Nla(5, 4), Raw(&[0x02]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_REM_ID = 2 + 3 pad
    Nla(5, 11), Raw(&[0x00]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_BACKUP = 0 + 3 pad
];
pub const SERVER_SUB_ESTABLISHED_CAPTURED: &str = "0a010000080001003492250f0600020002000000080005000a640101080007000a640202060009001b58000006000a0095d500000500030000000000050004000200000005000b0000000000";

/// `client SUB_ESTABLISHED`: linux-6.18.log entry 31 (kernel).
#[rustfmt::skip]
pub const CLIENT_SUB_ESTABLISHED: &[B] = &[
    Raw(&[0x0a, 0x01, 0x00, 0x00]), // genl: cmd 10 SUB_ESTABLISHED, version 1, reserved
    Nla(8, 1), H32(0x3cda3c80), // MPTCP_ATTR_TOKEN = 1020935296 (0x3cda3c80)
    Nla(6, 2), H16(2), Raw(&[0x00, 0x00]), // MPTCP_ATTR_FAMILY = 2 + 2 pad
    Nla(8, 5), Raw(&[0x0a, 0x64, 0x02, 0x02]), // MPTCP_ATTR_SADDR4 = 10.100.2.2
    Nla(8, 7), Raw(&[0x0a, 0x64, 0x01, 0x01]), // MPTCP_ATTR_DADDR4 = 10.100.1.1
    Nla(6, 9), Raw(&[0x95, 0xd5]), Raw(&[0x00, 0x00]), // MPTCP_ATTR_SPORT = 38357, network order + 2 pad
    Nla(6, 10), Raw(&[0x1b, 0x58]), Raw(&[0x00, 0x00]), // MPTCP_ATTR_DPORT = 7000, network order + 2 pad
    Nla(5, 3), Raw(&[0x02]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_LOC_ID = 2 + 3 pad
    Nla(5, 4), Raw(&[0x00]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_REM_ID = 0 + 3 pad
    Nla(5, 11), Raw(&[0x00]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_BACKUP = 0 + 3 pad
];
pub const CLIENT_SUB_ESTABLISHED_CAPTURED: &str = "0a01000008000100803cda3c0600020002000000080005000a640202080007000a6401010600090095d5000006000a001b5800000500030002000000050004000000000005000b0000000000";

/// `client ANNOUNCED`: linux-6.18.log entry 34 (kernel).
#[rustfmt::skip]
pub const ANNOUNCED_V4: &[B] = &[
    Raw(&[0x06, 0x01, 0x00, 0x00]), // genl: cmd 6 ANNOUNCED, version 1, reserved
    Nla(8, 1), H32(0x3cda3c80), // MPTCP_ATTR_TOKEN = 1020935296 (0x3cda3c80)
    Nla(5, 4), Raw(&[0x05]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_REM_ID = 5 + 3 pad
    Nla(6, 10), Raw(&[0x1b, 0x58]), Raw(&[0x00, 0x00]), // MPTCP_ATTR_DPORT = 7000, network order + 2 pad
    Nla(8, 7), Raw(&[0x0a, 0x64, 0x02, 0x01]), // MPTCP_ATTR_DADDR4 = 10.100.2.1
];
pub const ANNOUNCED_V4_CAPTURED: &str =
    "0601000008000100803cda3c050004000500000006000a001b580000080007000a640201";

/// `server SUB_PRIORITY`: linux-6.18.log entry 43 (kernel).
#[rustfmt::skip]
pub const SUB_PRIORITY: &[B] = &[
    Raw(&[0x0d, 0x01, 0x00, 0x00]), // genl: cmd 13 SUB_PRIORITY, version 1, reserved
    Nla(8, 1), H32(0x0f259234), // MPTCP_ATTR_TOKEN = 254120500 (0xf259234)
    Nla(6, 2), H16(2), Raw(&[0x00, 0x00]), // MPTCP_ATTR_FAMILY = 2 + 2 pad
    Nla(8, 5), Raw(&[0x0a, 0x64, 0x01, 0x01]), // MPTCP_ATTR_SADDR4 = 10.100.1.1
    Nla(8, 7), Raw(&[0x0a, 0x64, 0x02, 0x02]), // MPTCP_ATTR_DADDR4 = 10.100.2.2
    Nla(6, 9), Raw(&[0x1b, 0x58]), Raw(&[0x00, 0x00]), // MPTCP_ATTR_SPORT = 7000, network order + 2 pad
    Nla(6, 10), Raw(&[0x95, 0xd5]), Raw(&[0x00, 0x00]), // MPTCP_ATTR_DPORT = 38357, network order + 2 pad
    Nla(5, 3), Raw(&[0x00]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_LOC_ID = 0 + 3 pad
    Nla(5, 4), Raw(&[0x02]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_REM_ID = 2 + 3 pad
    Nla(5, 11), Raw(&[0x01]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_BACKUP = 1 + 3 pad
];
pub const SUB_PRIORITY_CAPTURED: &str = "0d010000080001003492250f0600020002000000080005000a640101080007000a640202060009001b58000006000a0095d500000500030000000000050004000200000005000b0001000000";

/// `client REMOVED`: linux-6.18.log entry 46 (kernel).
#[rustfmt::skip]
pub const REMOVED: &[B] = &[
    Raw(&[0x07, 0x01, 0x00, 0x00]), // genl: cmd 7 REMOVED, version 1, reserved
    Nla(8, 1), H32(0x3cda3c80), // MPTCP_ATTR_TOKEN = 1020935296 (0x3cda3c80)
    Nla(5, 4), Raw(&[0x05]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_REM_ID = 5 + 3 pad
];
pub const REMOVED_CAPTURED: &str = "0701000008000100803cda3c0500040005000000";

/// `server SUB_CLOSED`: linux-6.18.log entry 49 (kernel).
#[rustfmt::skip]
pub const SERVER_SUB_CLOSED: &[B] = &[
    Raw(&[0x0b, 0x01, 0x00, 0x00]), // genl: cmd 11 SUB_CLOSED, version 1, reserved
    Nla(8, 1), H32(0x0f259234), // MPTCP_ATTR_TOKEN = 254120500 (0xf259234)
    Nla(6, 2), H16(2), Raw(&[0x00, 0x00]), // MPTCP_ATTR_FAMILY = 2 + 2 pad
    Nla(8, 5), Raw(&[0x0a, 0x64, 0x01, 0x01]), // MPTCP_ATTR_SADDR4 = 10.100.1.1
    Nla(8, 7), Raw(&[0x0a, 0x64, 0x02, 0x02]), // MPTCP_ATTR_DADDR4 = 10.100.2.2
    Nla(6, 9), Raw(&[0x1b, 0x58]), Raw(&[0x00, 0x00]), // MPTCP_ATTR_SPORT = 7000, network order + 2 pad
    Nla(6, 10), Raw(&[0x95, 0xd5]), Raw(&[0x00, 0x00]), // MPTCP_ATTR_DPORT = 38357, network order + 2 pad
    Nla(5, 3), Raw(&[0x00]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_LOC_ID = 0 + 3 pad
    Nla(5, 4), Raw(&[0x02]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_REM_ID = 2 + 3 pad
    Nla(5, 11), Raw(&[0x01]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_BACKUP = 1 + 3 pad
];
pub const SERVER_SUB_CLOSED_CAPTURED: &str = "0b010000080001003492250f0600020002000000080005000a640101080007000a640202060009001b58000006000a0095d500000500030000000000050004000200000005000b0001000000";

/// `client SUB_CLOSED`: linux-6.18.log entry 50 (kernel).
#[rustfmt::skip]
pub const CLIENT_SUB_CLOSED: &[B] = &[
    Raw(&[0x0b, 0x01, 0x00, 0x00]), // genl: cmd 11 SUB_CLOSED, version 1, reserved
    Nla(8, 1), H32(0x3cda3c80), // MPTCP_ATTR_TOKEN = 1020935296 (0x3cda3c80)
    Nla(6, 2), H16(2), Raw(&[0x00, 0x00]), // MPTCP_ATTR_FAMILY = 2 + 2 pad
    Nla(8, 5), Raw(&[0x0a, 0x64, 0x02, 0x02]), // MPTCP_ATTR_SADDR4 = 10.100.2.2
    Nla(8, 7), Raw(&[0x0a, 0x64, 0x01, 0x01]), // MPTCP_ATTR_DADDR4 = 10.100.1.1
    Nla(6, 9), Raw(&[0x95, 0xd5]), Raw(&[0x00, 0x00]), // MPTCP_ATTR_SPORT = 38357, network order + 2 pad
    Nla(6, 10), Raw(&[0x1b, 0x58]), Raw(&[0x00, 0x00]), // MPTCP_ATTR_DPORT = 7000, network order + 2 pad
    Nla(5, 3), Raw(&[0x02]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_LOC_ID = 2 + 3 pad
    Nla(5, 4), Raw(&[0x00]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_REM_ID = 0 + 3 pad
    Nla(5, 11), Raw(&[0x00]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_BACKUP = 0 + 3 pad
];
pub const CLIENT_SUB_CLOSED_CAPTURED: &str = "0b01000008000100803cda3c0600020002000000080005000a640202080007000a6401010600090095d5000006000a001b5800000500030002000000050004000000000005000b0000000000";

/// `client SUB_CLOSED`: linux-6.18.log entry 53 (kernel).
#[rustfmt::skip]
pub const SUB_CLOSED_ERROR: &[B] = &[
    Raw(&[0x0b, 0x01, 0x00, 0x00]), // genl: cmd 11 SUB_CLOSED, version 1, reserved
    Nla(8, 1), H32(0x3cda3c80), // MPTCP_ATTR_TOKEN = 1020935296 (0x3cda3c80)
    Nla(6, 2), H16(2), Raw(&[0x00, 0x00]), // MPTCP_ATTR_FAMILY = 2 + 2 pad
    Nla(8, 5), Raw(&[0x0a, 0x64, 0x02, 0x02]), // MPTCP_ATTR_SADDR4 = 10.100.2.2
    Nla(8, 7), Raw(&[0x0a, 0x64, 0x01, 0x01]), // MPTCP_ATTR_DADDR4 = 10.100.1.1
    Nla(6, 9), Raw(&[0x96, 0xd7]), Raw(&[0x00, 0x00]), // MPTCP_ATTR_SPORT = 38615, network order + 2 pad
    Nla(6, 10), Raw(&[0x1f, 0x3f]), Raw(&[0x00, 0x00]), // MPTCP_ATTR_DPORT = 7999, network order + 2 pad
    Nla(5, 3), Raw(&[0x02]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_LOC_ID = 2 + 3 pad
    Nla(5, 4), Raw(&[0x00]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_REM_ID = 0 + 3 pad
    Nla(5, 11), Raw(&[0x00]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_BACKUP = 0 + 3 pad
    Nla(5, 12), Raw(&[0x6f]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_ERROR = 111 + 3 pad
];
pub const SUB_CLOSED_ERROR_CAPTURED: &str = "0b01000008000100803cda3c0600020002000000080005000a640202080007000a6401010600090096d7000006000a001f3f00000500030002000000050004000000000005000b000000000005000c006f000000";

/// `server CREATED`: linux-6.18.log entry 54 (kernel).
#[rustfmt::skip]
pub const SERVER_CREATED_V6: &[B] = &[
    Raw(&[0x01, 0x01, 0x00, 0x00]), // genl: cmd 1 CREATED, version 1, reserved
    Nla(8, 1), H32(0xf422ce64), // MPTCP_ATTR_TOKEN = 4095921764 (0xf422ce64)
    Nla(5, 18), Raw(&[0x01]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_SERVER_SIDE = 1 + 3 pad
    Nla(6, 13), H16(2), Raw(&[0x00, 0x00]), // MPTCP_ATTR_FLAGS = 2 + 2 pad
    Nla(6, 2), H16(10), Raw(&[0x00, 0x00]), // MPTCP_ATTR_FAMILY = 10 + 2 pad
    Nla(20, 6), Raw(&[0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01]), // MPTCP_ATTR_SADDR6 = 2001:db8:1::1
    Nla(20, 8), Raw(&[0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02]), // MPTCP_ATTR_DADDR6 = 2001:db8:1::2
    Nla(6, 9), Raw(&[0x1b, 0x59]), Raw(&[0x00, 0x00]), // MPTCP_ATTR_SPORT = 7001, network order + 2 pad
    Nla(6, 10), Raw(&[0xc3, 0x50]), Raw(&[0x00, 0x00]), // MPTCP_ATTR_DPORT = 50000, network order + 2 pad
    Nla(5, 3), Raw(&[0x00]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_LOC_ID = 0 + 3 pad
    Nla(5, 4), Raw(&[0x00]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_REM_ID = 0 + 3 pad
];
pub const SERVER_CREATED_V6_CAPTURED: &str = "010100000800010064ce22f4050012000100000006000d0002000000060002000a0000001400060020010db80001000000000000000000011400080020010db8000100000000000000000002060009001b59000006000a00c350000005000300000000000500040000000000";

/// `client CREATED`: linux-6.18.log entry 56 (kernel).
#[rustfmt::skip]
pub const CLIENT_CREATED_V6: &[B] = &[
    Raw(&[0x01, 0x01, 0x00, 0x00]), // genl: cmd 1 CREATED, version 1, reserved
    Nla(8, 1), H32(0xd7bc8560), // MPTCP_ATTR_TOKEN = 3619456352 (0xd7bc8560)
    Nla(6, 2), H16(10), Raw(&[0x00, 0x00]), // MPTCP_ATTR_FAMILY = 10 + 2 pad
    Nla(20, 6), Raw(&[0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02]), // MPTCP_ATTR_SADDR6 = 2001:db8:1::2
    Nla(20, 8), Raw(&[0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01]), // MPTCP_ATTR_DADDR6 = 2001:db8:1::1
    Nla(6, 9), Raw(&[0xc3, 0x50]), Raw(&[0x00, 0x00]), // MPTCP_ATTR_SPORT = 50000, network order + 2 pad
    Nla(6, 10), Raw(&[0x1b, 0x59]), Raw(&[0x00, 0x00]), // MPTCP_ATTR_DPORT = 7001, network order + 2 pad
    Nla(5, 3), Raw(&[0x00]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_LOC_ID = 0 + 3 pad
    Nla(5, 4), Raw(&[0x00]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_REM_ID = 0 + 3 pad
];
pub const CLIENT_CREATED_V6_CAPTURED: &str = "01010000080001006085bcd7060002000a0000001400060020010db80001000000000000000000021400080020010db800010000000000000000000106000900c350000006000a001b59000005000300000000000500040000000000";

/// `client ANNOUNCED`: linux-6.18.log entry 60 (kernel).
#[rustfmt::skip]
pub const ANNOUNCED_V6: &[B] = &[
    Raw(&[0x06, 0x01, 0x00, 0x00]), // genl: cmd 6 ANNOUNCED, version 1, reserved
    Nla(8, 1), H32(0xd7bc8560), // MPTCP_ATTR_TOKEN = 3619456352 (0xd7bc8560)
    Nla(5, 4), Raw(&[0x06]), Raw(&[0x00, 0x00, 0x00]), // MPTCP_ATTR_REM_ID = 6 + 3 pad
    Nla(6, 10), Raw(&[0x1b, 0x59]), Raw(&[0x00, 0x00]), // MPTCP_ATTR_DPORT = 7001, network order + 2 pad
    Nla(20, 8), Raw(&[0x20, 0x01, 0x0d, 0xb8, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01]), // MPTCP_ATTR_DADDR6 = 2001:db8:2::1
];
pub const ANNOUNCED_V6_CAPTURED: &str = "06010000080001006085bcd7050004000600000006000a001b5900001400080020010db8000200000000000000000001";

/// `server CLOSED`: linux-6.18.log entry 61 (kernel).
#[rustfmt::skip]
pub const CLOSED: &[B] = &[
    Raw(&[0x03, 0x01, 0x00, 0x00]), // genl: cmd 3 CLOSED, version 1, reserved
    Nla(8, 1), H32(0xf422ce64), // MPTCP_ATTR_TOKEN = 4095921764 (0xf422ce64)
];
pub const CLOSED_CAPTURED: &str = "030100000800010064ce22f4";

/// `server LISTENER_CLOSED`: linux-6.18.log entry 65 (kernel).
#[rustfmt::skip]
pub const LISTENER_CLOSED_V4: &[B] = &[
    Raw(&[0x10, 0x01, 0x00, 0x00]), // genl: cmd 16 LISTENER_CLOSED, version 1, reserved
    Nla(6, 2), H16(2), Raw(&[0x00, 0x00]), // MPTCP_ATTR_FAMILY = 2 + 2 pad
    Nla(6, 9), Raw(&[0x1b, 0x58]), Raw(&[0x00, 0x00]), // MPTCP_ATTR_SPORT = 7000, network order + 2 pad
    Nla(8, 5), Raw(&[0x00, 0x00, 0x00, 0x00]), // MPTCP_ATTR_SADDR4 = 0.0.0.0
];
pub const LISTENER_CLOSED_V4_CAPTURED: &str =
    "100100000600020002000000060009001b5800000800050000000000";
