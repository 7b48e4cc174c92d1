// SPDX-License-Identifier: BSD-3-Clause
//! Domain types of the MPTCP path manager: what policies receive
//! ([`PmEvent`]) and what they may ask of the kernel ([`Command`]).
//!
//! These are the checked, typed level above the wire codec in
//! [`crate::wire`]: every field a variant carries was present in the
//! kernel's message (nothing is defaulted), and all of them are `Copy`
//! so that decoding an event allocates nothing.

use std::fmt;
use std::net::{IpAddr, SocketAddr};

use crate::flags::AddrFlags;

/// Local token of an MPTCP connection (`MPTCP_ATTR_TOKEN`).
pub type Token = u32;

/// An in-kernel path-manager endpoint (`MPTCP_PM_ATTR_ADDR` nest), or the
/// local address of a userspace-PM announcement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    /// Address id; 0 means "absent" in requests (the kernel picks one).
    pub id: u8,
    pub addr: IpAddr,
    /// Port in host order; 0 means "absent".
    pub port: u16,
    pub flags: AddrFlags,
    /// Interface index; 0 means "absent".
    pub ifindex: i32,
}

/// Both sides of a connection, from CREATED / ESTABLISHED.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnInfo {
    pub token: Token,
    pub local: SocketAddr,
    pub remote: SocketAddr,
    /// From `MPTCP_ATTR_FLAGS` bit SERVER_SIDE or the older
    /// `MPTCP_ATTR_SERVER_SIDE` u8; false when neither is present.
    pub server_side: bool,
    /// `MPTCP_PM_EV_FLAG_DENY_JOIN_ID0`: the peer refuses joins to its
    /// initial address and port.
    pub deny_join_id0: bool,
}

/// One subflow, from SUB_ESTABLISHED / SUB_CLOSED / SUB_PRIORITY.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubflowInfo {
    pub token: Token,
    pub local: SocketAddr,
    pub remote: SocketAddr,
    pub loc_id: u8,
    pub rem_id: u8,
    /// The backup bit as received from the peer.
    pub backup: bool,
    /// `MPTCP_ATTR_IF_IDX`, present when the subflow is bound to a device.
    pub ifindex: Option<i32>,
    /// `MPTCP_ATTR_ERROR`: the subflow socket's errno (SUB_CLOSED).
    pub error: Option<u8>,
    /// `MPTCP_ATTR_RESET_REASON` (MPTCP_RST_*).
    pub reset_reason: Option<u32>,
    /// `MPTCP_ATTR_RESET_FLAGS`.
    pub reset_flags: Option<u32>,
}

/// An event of the `mptcp_pm_events` multicast group, validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PmEvent {
    Created(ConnInfo),
    Established(ConnInfo),
    Closed {
        token: Token,
    },
    /// The peer announced an address (ADD_ADDR received).
    Announced {
        token: Token,
        rem_id: u8,
        /// Port is the announced one, or the connection's remote port.
        addr: SocketAddr,
    },
    /// The peer withdrew an address (RM_ADDR received).
    Removed {
        token: Token,
        rem_id: u8,
    },
    SubEstablished(SubflowInfo),
    SubClosed(SubflowInfo),
    SubPriority(SubflowInfo),
    ListenerCreated(SocketAddr),
    ListenerClosed(SocketAddr),
}

impl PmEvent {
    pub fn token(&self) -> Option<Token> {
        match self {
            PmEvent::Created(c) | PmEvent::Established(c) => Some(c.token),
            PmEvent::Closed { token }
            | PmEvent::Announced { token, .. }
            | PmEvent::Removed { token, .. } => Some(*token),
            PmEvent::SubEstablished(s) | PmEvent::SubClosed(s) | PmEvent::SubPriority(s) => {
                Some(s.token)
            }
            PmEvent::ListenerCreated(_) | PmEvent::ListenerClosed(_) => None,
        }
    }
}

/// The in-kernel PM limits (`MPTCP_PM_ATTR_SUBFLOWS`,
/// `MPTCP_PM_ATTR_RCV_ADD_ADDRS`). `None` = leave unchanged / absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Limits {
    pub subflows: Option<u32>,
    pub add_addr_accepted: Option<u32>,
}

/// What a policy may ask the kernel to do. One variant per command of the
/// `mptcp_pm` family that a path manager uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// kPM: ADD_ADDR. `id` 0 lets the kernel choose (and converts an
    /// IMPLICIT endpoint for the same address).
    AddAddr(Endpoint),
    /// kPM: DEL_ADDR by id (never 0: that path removes nothing).
    DelAddr { id: u8 },
    /// kPM: GET_ADDR do, by id.
    GetAddr { id: u8 },
    /// GET_ADDR dump: the kPM table, or a uPM connection's addresses.
    DumpAddrs { token: Option<Token> },
    /// kPM: FLUSH_ADDRS.
    FlushAddrs,
    /// kPM: SET_LIMITS.
    SetLimits(Limits),
    /// kPM: GET_LIMITS.
    GetLimits,
    /// kPM endpoint flags (by id, or by address when id is 0), or with a
    /// token the backup flag of uPM subflows between `local` and `remote`.
    SetFlags {
        token: Option<Token>,
        local: Endpoint,
        remote: Option<SocketAddr>,
    },
    /// uPM: ANNOUNCE `addr` (id ≠ 0, SIGNAL set) on connection `token`.
    Announce { token: Token, addr: Endpoint },
    /// uPM: REMOVE the announcement with local id `loc_id`.
    Remove { token: Token, loc_id: u8 },
    /// uPM: SUBFLOW_CREATE from `local` (address, id, flags such as
    /// backup, ifindex) to `remote` (address and port).
    SubflowCreate {
        token: Token,
        local: Endpoint,
        remote: SocketAddr,
    },
    /// uPM: SUBFLOW_DESTROY of the subflow with exactly these two ends.
    SubflowDestroy {
        token: Token,
        local: SocketAddr,
        remote: SocketAddr,
    },
}

impl Command {
    /// mptcpd's name for the operation, used in log lines
    /// ("add_addr: …: Device or resource busy").
    pub fn op_name(&self) -> &'static str {
        match self {
            Command::AddAddr(_) => "add_addr",
            Command::DelAddr { .. } => "remove_addr",
            Command::GetAddr { .. } => "get_addr",
            Command::DumpAddrs { .. } => "dump_addrs",
            Command::FlushAddrs => "flush_addrs",
            Command::SetLimits(_) => "set_limits",
            Command::GetLimits => "get_limits",
            Command::SetFlags { .. } => "set_flags",
            Command::Announce { .. } => "announce",
            Command::Remove { .. } => "remove",
            Command::SubflowCreate { .. } => "add_subflow",
            Command::SubflowDestroy { .. } => "remove_subflow",
        }
    }
}

/// A refusal by the kernel: `NLMSG_ERROR` with a negative code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelError {
    /// Positive errno (EEXIST, EBUSY, ERANGE, …).
    pub errno: i32,
    /// `NLMSGERR_ATTR_MSG`, the extended-ACK text, if any.
    pub msg: Option<String>,
    /// `NLMSGERR_ATTR_OFFS`: offset of the offending attribute.
    pub offset: Option<u32>,
    /// `NLMSGERR_ATTR_MISS_TYPE`: a required attribute that was missing.
    pub missing_attr: Option<u32>,
}

impl KernelError {
    pub fn from_errno(errno: i32) -> Self {
        KernelError {
            errno,
            msg: None,
            offset: None,
            missing_attr: None,
        }
    }
}

impl fmt::Display for KernelError {
    /// mptcpd's shape: "<extack>: <strerror>".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(m) = &self.msg {
            write!(f, "{m}: ")?;
        }
        if let Some(t) = self.missing_attr {
            write!(f, "missing attribute {t}: ")?;
        }
        write!(f, "{}", std::io::Error::from_raw_os_error(self.errno))
    }
}

impl std::error::Error for KernelError {}
