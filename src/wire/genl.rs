// SPDX-License-Identifier: BSD-3-Clause
//! The generic-netlink header (`struct genlmsghdr`) that starts every
//! `mptcp_pm` and `nlctrl` payload: u8 cmd, u8 version, u16 reserved.

use super::consts::GENL_HDRLEN;
use super::error::{DecodeError, DecodeErrorKind};

/// The genl header's fields. `reserved` is kept only so that a message
/// re-emits exactly as received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenlHeader {
    pub cmd: u8,
    pub version: u8,
    pub reserved: u16,
}

impl GenlHeader {
    /// A header to send: reserved 0.
    pub const fn new(cmd: u8, version: u8) -> Self {
        GenlHeader {
            cmd,
            version,
            reserved: 0,
        }
    }

    /// Splits a generic-netlink payload into its header and attributes.
    pub fn split(payload: &[u8]) -> Result<(GenlHeader, &[u8]), DecodeError> {
        match payload.split_first_chunk::<GENL_HDRLEN>() {
            Some((&[cmd, version, r0, r1], attrs)) => Ok((
                GenlHeader {
                    cmd,
                    version,
                    reserved: u16::from_ne_bytes([r0, r1]),
                },
                attrs,
            )),
            None => Err(DecodeError::new(DecodeErrorKind::Truncated {
                need: GENL_HDRLEN,
                have: payload.len(),
            })),
        }
    }

    pub fn emit(&self, out: &mut Vec<u8>) {
        out.push(self.cmd);
        out.push(self.version);
        out.extend_from_slice(&self.reserved.to_ne_bytes());
    }
}
