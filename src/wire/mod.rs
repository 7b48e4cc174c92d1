// SPDX-License-Identifier: BSD-3-Clause
//! The MPTCP path-manager generic-netlink codec (`mptcp_pm` family).
//!
//! Pure: no sockets, no clock, no logging. Everything here works on the
//! bytes that follow the 16-byte `nlmsghdr` (genl header, then attributes);
//! framing, family ids and sequence numbers belong to [`crate::nl`].
//!
//! Two levels:
//! - wire level, close to the kernel and byte-exact both ways:
//!   [`PmMessage`] (requests and replies, `MPTCP_PM_ATTR_*`) and
//!   [`EventMessage`] (events, `MPTCP_ATTR_*`);
//! - domain level, checked: [`encode_command`] from a
//!   [`Command`](crate::pm::Command), and [`decode_event`],
//!   [`decode_endpoint`], [`decode_limits`] into the types of
//!   [`crate::pm`]. A required attribute that is missing, or any attribute
//!   of the wrong size, is an error that names it; nothing is defaulted.
//!
//! Input is untrusted: every decoder takes any bytes and returns a value or
//! an error without panicking. The event and reply decoders do not
//! allocate. Byte order is per attribute and noted in [`consts`].

pub mod command;
pub mod consts;
pub mod error;
pub mod event;
pub mod genl;
#[doc(hidden)]
pub mod golden;
pub mod message;
pub mod nla;
pub mod notify;
pub mod reply;

#[cfg(test)]
mod tests;

pub use command::{command_message, encode_command, is_dump};
pub use consts::{MPTCP_PM_CMD_GRP_NAME, MPTCP_PM_EV_GRP_NAME, MPTCP_PM_NAME, MPTCP_PM_VER};
pub use error::{DecodeError, DecodeErrorKind};
pub use event::{EventAttrs, decode_event};
pub use genl::GenlHeader;
pub use message::{AddrAttr, AddrNest, PmAttr, PmCmd, PmMessage, RawNla};
pub use notify::{EventAttr, EventMessage, PmEventType};
pub use reply::{AddrFields, decode_endpoint, decode_limits};
