// SPDX-License-Identifier: BSD-3-Clause
//! Kernel numbers of the `mptcp_pm` generic-netlink family, with their
//! kernel names (uapi `linux/mptcp.h` and `linux/mptcp_pm.h`; the values are
//! part of the kernel ABI and have not changed since they appeared).
//!
//! Byte order is noted where it is not the host's.

/// Generic-netlink family name, resolved to an id with `CTRL_CMD_GETFAMILY`.
pub const MPTCP_PM_NAME: &str = "mptcp_pm";
/// Family version; the kernel ignores it in requests and sends 1 in events.
pub const MPTCP_PM_VER: u8 = 1;
/// Multicast group of path-manager events (joining needs CAP_NET_ADMIN).
pub const MPTCP_PM_EV_GRP_NAME: &str = "mptcp_pm_events";
/// Multicast group that exists but on which the kernel never sends anything.
pub const MPTCP_PM_CMD_GRP_NAME: &str = "mptcp_pm_cmds";

/// `struct genlmsghdr`: cmd u8, version u8, reserved u16. The family's own
/// header (`hdrsize`) is 0 bytes for `mptcp_pm`.
pub const GENL_HDRLEN: usize = 4;
/// `struct nlattr`: nla_len u16, nla_type u16 (host order).
pub const NLA_HDRLEN: usize = 4;
pub const NLA_ALIGNTO: usize = 4;
pub const NLA_F_NESTED: u16 = 0x8000;
pub const NLA_F_NET_BYTEORDER: u16 = 0x4000;
pub const NLA_TYPE_MASK: u16 = !(NLA_F_NESTED | NLA_F_NET_BYTEORDER);

/// Address families as Linux numbers them (the same on every architecture).
pub const AF_INET: u16 = 2;
pub const AF_INET6: u16 = 10;

// Commands (`enum mptcp_pm_command`), the genl `cmd` byte of requests.
pub const MPTCP_PM_CMD_ADD_ADDR: u8 = 1;
pub const MPTCP_PM_CMD_DEL_ADDR: u8 = 2;
pub const MPTCP_PM_CMD_GET_ADDR: u8 = 3;
pub const MPTCP_PM_CMD_FLUSH_ADDRS: u8 = 4;
pub const MPTCP_PM_CMD_SET_LIMITS: u8 = 5;
pub const MPTCP_PM_CMD_GET_LIMITS: u8 = 6;
pub const MPTCP_PM_CMD_SET_FLAGS: u8 = 7;
pub const MPTCP_PM_CMD_ANNOUNCE: u8 = 8;
pub const MPTCP_PM_CMD_REMOVE: u8 = 9;
pub const MPTCP_PM_CMD_SUBFLOW_CREATE: u8 = 10;
pub const MPTCP_PM_CMD_SUBFLOW_DESTROY: u8 = 11;

// Events (`enum mptcp_event_type`), the genl `cmd` byte of multicast
// messages. The numbering has gaps: never derive one from another.
pub const MPTCP_EVENT_CREATED: u8 = 1;
pub const MPTCP_EVENT_ESTABLISHED: u8 = 2;
pub const MPTCP_EVENT_CLOSED: u8 = 3;
pub const MPTCP_EVENT_ANNOUNCED: u8 = 6;
pub const MPTCP_EVENT_REMOVED: u8 = 7;
pub const MPTCP_EVENT_SUB_ESTABLISHED: u8 = 10;
pub const MPTCP_EVENT_SUB_CLOSED: u8 = 11;
pub const MPTCP_EVENT_SUB_PRIORITY: u8 = 13;
pub const MPTCP_EVENT_LISTENER_CREATED: u8 = 15;
pub const MPTCP_EVENT_LISTENER_CLOSED: u8 = 16;

// Top-level attributes of requests and replies (`MPTCP_PM_ATTR_*`).
pub const MPTCP_PM_ATTR_ADDR: u16 = 1; // nest of MPTCP_PM_ADDR_ATTR_*
pub const MPTCP_PM_ATTR_RCV_ADD_ADDRS: u16 = 2; // u32
pub const MPTCP_PM_ATTR_SUBFLOWS: u16 = 3; // u32
pub const MPTCP_PM_ATTR_TOKEN: u16 = 4; // u32
pub const MPTCP_PM_ATTR_LOC_ID: u16 = 5; // u8
pub const MPTCP_PM_ATTR_ADDR_REMOTE: u16 = 6; // nest of MPTCP_PM_ADDR_ATTR_*

// Inside MPTCP_PM_ATTR_ADDR / MPTCP_PM_ATTR_ADDR_REMOTE
// (`MPTCP_PM_ADDR_ATTR_*`).
pub const MPTCP_PM_ADDR_ATTR_FAMILY: u16 = 1; // u16
pub const MPTCP_PM_ADDR_ATTR_ID: u16 = 2; // u8
pub const MPTCP_PM_ADDR_ATTR_ADDR4: u16 = 3; // 4 bytes, network order
pub const MPTCP_PM_ADDR_ATTR_ADDR6: u16 = 4; // 16 bytes, network order
/// u16 in HOST order (the kernel applies htons itself), unlike the
/// network-order ports of events.
pub const MPTCP_PM_ADDR_ATTR_PORT: u16 = 5;
pub const MPTCP_PM_ADDR_ATTR_FLAGS: u16 = 6; // u32, MPTCP_PM_ADDR_FLAG_*
pub const MPTCP_PM_ADDR_ATTR_IF_IDX: u16 = 7; // s32

// Event attributes (`MPTCP_ATTR_*`).
pub const MPTCP_ATTR_TOKEN: u16 = 1; // u32
pub const MPTCP_ATTR_FAMILY: u16 = 2; // u16; absent from ANNOUNCED/REMOVED
pub const MPTCP_ATTR_LOC_ID: u16 = 3; // u8
pub const MPTCP_ATTR_REM_ID: u16 = 4; // u8
pub const MPTCP_ATTR_SADDR4: u16 = 5; // 4 bytes, network order
pub const MPTCP_ATTR_SADDR6: u16 = 6; // 16 bytes
pub const MPTCP_ATTR_DADDR4: u16 = 7; // 4 bytes, network order
pub const MPTCP_ATTR_DADDR6: u16 = 8; // 16 bytes
pub const MPTCP_ATTR_SPORT: u16 = 9; // u16, NETWORK order
pub const MPTCP_ATTR_DPORT: u16 = 10; // u16, NETWORK order
pub const MPTCP_ATTR_BACKUP: u16 = 11; // u8
pub const MPTCP_ATTR_ERROR: u16 = 12; // u8, the subflow's sk_err
pub const MPTCP_ATTR_FLAGS: u16 = 13; // u16, MPTCP_PM_EV_FLAG_*
pub const MPTCP_ATTR_TIMEOUT: u16 = 14; // u32
pub const MPTCP_ATTR_IF_IDX: u16 = 15; // s32
pub const MPTCP_ATTR_RESET_REASON: u16 = 16; // u32, MPTCP_RST_*
pub const MPTCP_ATTR_RESET_FLAGS: u16 = 17; // u32
pub const MPTCP_ATTR_SERVER_SIDE: u16 = 18; // u8

// Bits of MPTCP_ATTR_FLAGS (6.17/6.18+).
pub const MPTCP_PM_EV_FLAG_DENY_JOIN_ID0: u16 = 1 << 0;
pub const MPTCP_PM_EV_FLAG_SERVER_SIDE: u16 = 1 << 1;

/// Kernel name of a top-level request/reply attribute, for error messages.
pub fn pm_attr_name(kind: u16) -> &'static str {
    match kind {
        MPTCP_PM_ATTR_ADDR => "MPTCP_PM_ATTR_ADDR",
        MPTCP_PM_ATTR_RCV_ADD_ADDRS => "MPTCP_PM_ATTR_RCV_ADD_ADDRS",
        MPTCP_PM_ATTR_SUBFLOWS => "MPTCP_PM_ATTR_SUBFLOWS",
        MPTCP_PM_ATTR_TOKEN => "MPTCP_PM_ATTR_TOKEN",
        MPTCP_PM_ATTR_LOC_ID => "MPTCP_PM_ATTR_LOC_ID",
        MPTCP_PM_ATTR_ADDR_REMOTE => "MPTCP_PM_ATTR_ADDR_REMOTE",
        _ => "unknown MPTCP_PM_ATTR",
    }
}

/// Kernel name of an address-nest attribute.
pub fn addr_attr_name(kind: u16) -> &'static str {
    match kind {
        MPTCP_PM_ADDR_ATTR_FAMILY => "MPTCP_PM_ADDR_ATTR_FAMILY",
        MPTCP_PM_ADDR_ATTR_ID => "MPTCP_PM_ADDR_ATTR_ID",
        MPTCP_PM_ADDR_ATTR_ADDR4 => "MPTCP_PM_ADDR_ATTR_ADDR4",
        MPTCP_PM_ADDR_ATTR_ADDR6 => "MPTCP_PM_ADDR_ATTR_ADDR6",
        MPTCP_PM_ADDR_ATTR_PORT => "MPTCP_PM_ADDR_ATTR_PORT",
        MPTCP_PM_ADDR_ATTR_FLAGS => "MPTCP_PM_ADDR_ATTR_FLAGS",
        MPTCP_PM_ADDR_ATTR_IF_IDX => "MPTCP_PM_ADDR_ATTR_IF_IDX",
        _ => "unknown MPTCP_PM_ADDR_ATTR",
    }
}

/// Kernel name of an event attribute.
pub fn event_attr_name(kind: u16) -> &'static str {
    match kind {
        MPTCP_ATTR_TOKEN => "MPTCP_ATTR_TOKEN",
        MPTCP_ATTR_FAMILY => "MPTCP_ATTR_FAMILY",
        MPTCP_ATTR_LOC_ID => "MPTCP_ATTR_LOC_ID",
        MPTCP_ATTR_REM_ID => "MPTCP_ATTR_REM_ID",
        MPTCP_ATTR_SADDR4 => "MPTCP_ATTR_SADDR4",
        MPTCP_ATTR_SADDR6 => "MPTCP_ATTR_SADDR6",
        MPTCP_ATTR_DADDR4 => "MPTCP_ATTR_DADDR4",
        MPTCP_ATTR_DADDR6 => "MPTCP_ATTR_DADDR6",
        MPTCP_ATTR_SPORT => "MPTCP_ATTR_SPORT",
        MPTCP_ATTR_DPORT => "MPTCP_ATTR_DPORT",
        MPTCP_ATTR_BACKUP => "MPTCP_ATTR_BACKUP",
        MPTCP_ATTR_ERROR => "MPTCP_ATTR_ERROR",
        MPTCP_ATTR_FLAGS => "MPTCP_ATTR_FLAGS",
        MPTCP_ATTR_TIMEOUT => "MPTCP_ATTR_TIMEOUT",
        MPTCP_ATTR_IF_IDX => "MPTCP_ATTR_IF_IDX",
        MPTCP_ATTR_RESET_REASON => "MPTCP_ATTR_RESET_REASON",
        MPTCP_ATTR_RESET_FLAGS => "MPTCP_ATTR_RESET_FLAGS",
        MPTCP_ATTR_SERVER_SIDE => "MPTCP_ATTR_SERVER_SIDE",
        _ => "unknown MPTCP_ATTR",
    }
}
