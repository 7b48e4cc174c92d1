// SPDX-License-Identifier: BSD-3-Clause
//! Netlink message framing: splitting a datagram into messages, writing a
//! `struct nlmsghdr`, and decoding `NLMSG_ERROR` / `NLMSG_DONE` payloads
//! into [`KernelError`]. Pure functions over bytes, no I/O.
//!
//! `struct nlmsghdr` (16 bytes, host order): u32 `nlmsg_len` (whole
//! message), u16 `nlmsg_type`, u16 `nlmsg_flags`, u32 `nlmsg_seq`, u32
//! `nlmsg_pid`.

use super::{DecodeError, NLM_F_ACK_TLVS, NLM_F_CAPPED, NLMSG_HDRLEN, align4};
use crate::pm::KernelError;
use crate::wire::nla::NlaIter;

/// `NLMSGERR_ATTR_MSG`: extended-ACK text (string).
const NLMSGERR_ATTR_MSG: u16 = 1;
/// `NLMSGERR_ATTR_OFFS`: offset of the offending attribute (u32).
const NLMSGERR_ATTR_OFFS: u16 = 2;
/// `NLMSGERR_ATTR_MISS_TYPE`: type of a missing required attribute (u32).
const NLMSGERR_ATTR_MISS_TYPE: u16 = 5;
/// `MAX_ERRNO`: the kernel's error codes are -1 ..= -4095.
const MAX_ERRNO: i32 = 4095;

/// One netlink message, borrowed from the socket's receive buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Msg<'a> {
    pub msg_type: u16,
    pub flags: u16,
    pub seq: u32,
    /// `nlmsg_pid`: 0 in events, our port id in unicast replies. It does
    /// not say who sent the message; the datagram's source address does,
    /// and the socket layer checks that.
    pub pid: u32,
    /// Everything after the 16-byte header.
    pub payload: &'a [u8],
}

/// Splits a datagram into messages, stepping by `align4(nlmsg_len)`.
///
/// Yields `Err` once and stops at the first inconsistent header
/// (`nlmsg_len` below 16 or past the end of the datagram, or trailing
/// bytes too short for a header): the rest of the datagram cannot be
/// framed and is dropped.
#[derive(Debug, Clone)]
pub struct Messages<'a> {
    rest: &'a [u8],
}

impl<'a> Messages<'a> {
    pub fn new(datagram: &'a [u8]) -> Self {
        Messages { rest: datagram }
    }
}

impl<'a> Iterator for Messages<'a> {
    type Item = Result<Msg<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let rest = std::mem::take(&mut self.rest);
        let Some(hdr) = rest.first_chunk::<NLMSG_HDRLEN>() else {
            return Some(Err(DecodeError("trailing bytes shorter than nlmsghdr")));
        };
        let len = u32::from_ne_bytes([hdr[0], hdr[1], hdr[2], hdr[3]]) as usize;
        if len < NLMSG_HDRLEN || len > rest.len() {
            return Some(Err(DecodeError("nlmsg_len out of bounds")));
        }
        self.rest = rest.get(align4(len)..).unwrap_or(&[]);
        Some(Ok(Msg {
            msg_type: u16::from_ne_bytes([hdr[4], hdr[5]]),
            flags: u16::from_ne_bytes([hdr[6], hdr[7]]),
            seq: u32::from_ne_bytes([hdr[8], hdr[9], hdr[10], hdr[11]]),
            pid: u32::from_ne_bytes([hdr[12], hdr[13], hdr[14], hdr[15]]),
            payload: &rest[NLMSG_HDRLEN..len],
        }))
    }
}

/// Appends a complete message: header (pid 0) then `payload`.
pub fn put_msg(buf: &mut Vec<u8>, msg_type: u16, flags: u16, seq: u32, payload: &[u8]) {
    let len = NLMSG_HDRLEN + payload.len();
    buf.extend_from_slice(&(len as u32).to_ne_bytes());
    buf.extend_from_slice(&msg_type.to_ne_bytes());
    buf.extend_from_slice(&flags.to_ne_bytes());
    buf.extend_from_slice(&seq.to_ne_bytes());
    buf.extend_from_slice(&0u32.to_ne_bytes());
    buf.extend_from_slice(payload);
}

/// Decodes an `NLMSG_ERROR` payload: `Ok(None)` for an ACK (code 0),
/// `Ok(Some(err))` for a refusal, with the extended-ACK TLVs when the
/// kernel sent them.
///
/// Payload: s32 `error`, the copy of our `nlmsghdr` (just the 16 bytes when
/// `NLM_F_CAPPED`, else our whole request), then TLVs if
/// `NLM_F_ACK_TLVS`.
pub fn decode_error(flags: u16, payload: &[u8]) -> Result<Option<KernelError>, DecodeError> {
    let code = read_status(payload).ok_or(DecodeError("NLMSG_ERROR without error code"))?;
    if code == 0 {
        return Ok(None);
    }
    let errno = errno_of(code).ok_or(DecodeError("NLMSG_ERROR code is not 0 or -errno"))?;
    let mut err = KernelError::from_errno(errno);
    if flags & NLM_F_ACK_TLVS != 0 {
        let copied = payload.get(4..4 + NLMSG_HDRLEN);
        let skip = match copied {
            _ if flags & NLM_F_CAPPED != 0 => 4 + NLMSG_HDRLEN,
            Some(h) => {
                let orig_len = u32::from_ne_bytes([h[0], h[1], h[2], h[3]]) as usize;
                4 + align4(orig_len.max(NLMSG_HDRLEN))
            }
            None => payload.len(),
        };
        fill_ext_ack(&mut err, payload.get(skip..).unwrap_or(&[]));
    }
    Ok(Some(err))
}

/// Decodes an `NLMSG_DONE` payload: an s32 status (0, or −errno when the
/// dump failed part way), then extended-ACK TLVs if `NLM_F_ACK_TLVS`.
/// A payload too short for the status counts as success: very old
/// kernels sent none. A negative status that is no errno still means the
/// dump failed, and is reported as `EPROTO`.
pub fn decode_done(flags: u16, payload: &[u8]) -> Option<KernelError> {
    let code = read_status(payload)?;
    if code >= 0 {
        return None;
    }
    let mut err = KernelError::from_errno(errno_of(code).unwrap_or(libc::EPROTO));
    if flags & NLM_F_ACK_TLVS != 0 {
        fill_ext_ack(&mut err, &payload[4..]);
    }
    Some(err)
}

fn read_status(payload: &[u8]) -> Option<i32> {
    payload.first_chunk::<4>().map(|b| i32::from_ne_bytes(*b))
}

/// The positive errno of a status, if it is one. `i32::MIN` has no
/// positive counterpart: negating it blindly gave a negative errno.
fn errno_of(code: i32) -> Option<i32> {
    code.checked_neg().filter(|e| (1..=MAX_ERRNO).contains(e))
}

/// Best effort: a malformed TLV area leaves the errno intact, which is
/// what matters.
fn fill_ext_ack(err: &mut KernelError, tlvs: &[u8]) {
    for attr in NlaIter::new(tlvs).map_while(Result::ok) {
        match attr.kind {
            NLMSGERR_ATTR_MSG => {
                err.msg = attr.str().ok().filter(|s| !s.is_empty()).map(str::to_owned)
            }
            NLMSGERR_ATTR_OFFS => err.offset = attr.u32().ok(),
            NLMSGERR_ATTR_MISS_TYPE => err.missing_attr = attr.u32().ok(),
            _ => {}
        }
    }
}

#[cfg(test)]
#[path = "msg_tests.rs"]
mod tests;
