// SPDX-License-Identifier: BSD-3-Clause
//! Netlink I/O: our own socket wrapper, message framing, the one blocking
//! request helper, and generic-netlink family resolution.
//!
//! Sockets come in two roles, never mixed (mptcp-genl.md §1.1):
//! - **event sockets** join multicast groups and are drained with
//!   [`NlSocket::recv_messages`] from the poll loop;
//! - **request sockets** join nothing and carry requests through
//!   [`NlSocket::request`], so replies never interleave with events and an
//!   event flood cannot cost us a reply.
//!
//! Netlink framing is host order (`to_ne_bytes`/`from_ne_bytes`); addresses
//! inside attributes are network order. Both matter on big-endian MIPS.

use std::fmt;
use std::io;

use crate::pm::KernelError;

pub mod genl;
pub mod msg;
mod request;
pub mod socket;
#[cfg(test)]
mod testbuf;

pub use genl::{GenlFamily, resolve_family};
pub use msg::{Messages, Msg};
pub use request::{REPLY_TIMEOUT, ReplyItem};
pub use socket::{NlSocket, RecvError};

/// `NETLINK_ROUTE`: rtnetlink.
pub const NETLINK_ROUTE: isize = 0;
/// `NETLINK_GENERIC`: generic netlink (`nlctrl`, `mptcp_pm`).
pub const NETLINK_GENERIC: isize = 16;

/// Size of `struct nlmsghdr`.
pub const NLMSG_HDRLEN: usize = 16;

/// `nlmsg_type` values below 16 are netlink's own control messages.
pub const NLMSG_NOOP: u16 = 1;
pub const NLMSG_ERROR: u16 = 2;
pub const NLMSG_DONE: u16 = 3;
pub const NLMSG_OVERRUN: u16 = 4;

/// `nlmsg_flags` bits.
pub const NLM_F_REQUEST: u16 = 0x001;
pub const NLM_F_MULTI: u16 = 0x002;
pub const NLM_F_ACK: u16 = 0x004;
pub const NLM_F_DUMP_INTR: u16 = 0x010;
/// In an ACK: only our header was copied back (`NETLINK_CAP_ACK`).
pub const NLM_F_CAPPED: u16 = 0x100;
/// In an ACK: extended-ACK TLVs follow the copied request.
pub const NLM_F_ACK_TLVS: u16 = 0x200;
/// `NLM_F_ROOT | NLM_F_MATCH`, on GET requests.
pub const NLM_F_DUMP: u16 = 0x300;

pub use crate::wire::nla::align4;

/// A message that does not have the shape the kernel promises. Carries
/// which part was wrong; never allocates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeError(pub &'static str);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for DecodeError {}

/// Attributes are read with [`crate::wire::nla`], whose errors say more
/// than one static string can; this layer keeps the kind of fault.
impl From<crate::wire::DecodeError> for DecodeError {
    fn from(e: crate::wire::DecodeError) -> Self {
        use crate::wire::DecodeErrorKind as K;
        DecodeError(match e.kind {
            K::Truncated { .. } => "message shorter than its fixed header",
            K::BadAttrLen { .. } => "attribute length out of bounds",
            K::Trailing { .. } => "truncated attribute header",
            K::Missing => "required attribute missing",
            K::WrongSize { .. } => "attribute of the wrong size",
            K::Invalid(what) => what,
        })
    }
}

/// Why a request through [`NlSocket::request`] failed.
#[derive(Debug)]
pub enum NlError {
    /// The socket itself failed (send, recv, poll).
    Io(io::Error),
    /// The kernel refused: `NLMSG_ERROR` with a negative code, or a dump
    /// whose `NLMSG_DONE` carried one.
    Kernel(KernelError),
    /// A reply we could not make sense of.
    Decode(DecodeError),
    /// No terminating reply within [`REPLY_TIMEOUT`].
    Timeout,
    /// Every attempt of a dump was interrupted (`NLM_F_DUMP_INTR`).
    DumpInterrupted,
    /// `nlctrl` does not know this generic-netlink family (`ENOENT`):
    /// the kernel lacks the feature (for `mptcp_pm`: no MPTCP).
    NoSuchFamily(String),
}

impl NlError {
    /// The kernel's errno, when the kernel refused.
    pub fn errno(&self) -> Option<i32> {
        match self {
            NlError::Kernel(e) => Some(e.errno),
            _ => None,
        }
    }
}

impl fmt::Display for NlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NlError::Io(e) => write!(f, "netlink socket: {e}"),
            NlError::Kernel(e) => e.fmt(f),
            NlError::Decode(e) => write!(f, "malformed netlink reply: {e}"),
            NlError::Timeout => f.write_str("no reply from the kernel"),
            NlError::DumpInterrupted => {
                f.write_str("netlink dump kept being interrupted (NLM_F_DUMP_INTR)")
            }
            NlError::NoSuchFamily(name) => {
                write!(f, "generic netlink family {name:?} not found")
            }
        }
    }
}

impl std::error::Error for NlError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            NlError::Io(e) => Some(e),
            NlError::Kernel(e) => Some(e),
            NlError::Decode(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for NlError {
    fn from(e: io::Error) -> Self {
        NlError::Io(e)
    }
}

impl From<KernelError> for NlError {
    fn from(e: KernelError) -> Self {
        NlError::Kernel(e)
    }
}

impl From<DecodeError> for NlError {
    fn from(e: DecodeError) -> Self {
        NlError::Decode(e)
    }
}

impl From<crate::wire::DecodeError> for NlError {
    fn from(e: crate::wire::DecodeError) -> Self {
        NlError::Decode(e.into())
    }
}
