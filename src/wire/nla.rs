// SPDX-License-Identifier: BSD-3-Clause
//! Netlink attributes (`struct nlattr` TLVs), for every netlink user in the
//! crate (the `mptcp_pm` codec, `nlctrl`, extended ACKs, rtnetlink): a
//! checked, allocation-free iterator, typed readers that insist on the
//! exact payload size, and the matching writers.
//!
//! Layout: u16 `nla_len` (4 + payload, padding excluded), u16 `nla_type`
//! (low 14 bits = type, 0x8000 `NLA_F_NESTED`, 0x4000
//! `NLA_F_NET_BYTEORDER`), payload, zero padding to 4 bytes. Both header
//! fields are host order. Readers and writers are named after the
//! kernel's `nla_get_*`/`nla_put_*`: plain integers are host order, `_be`
//! ones network order.

use std::net::{Ipv4Addr, Ipv6Addr};

pub use super::consts::{NLA_ALIGNTO, NLA_F_NESTED, NLA_HDRLEN, NLA_TYPE_MASK};
use super::error::{DecodeError, DecodeErrorKind};

/// Rounds up to netlink's 4-byte alignment (`NLA_ALIGN`; `NLMSG_ALIGN` is
/// the same).
pub const fn align4(len: usize) -> usize {
    (len + NLA_ALIGNTO - 1) & !(NLA_ALIGNTO - 1)
}

/// One attribute as found in a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nla<'a> {
    /// The type, with `NLA_F_NESTED` / `NLA_F_NET_BYTEORDER` masked off.
    pub kind: u16,
    /// Those two flag bits as received, so the attribute can be re-emitted
    /// exactly.
    pub flags: u16,
    /// Payload, without the header and without padding.
    pub payload: &'a [u8],
}

impl<'a> Nla<'a> {
    /// `nla_type` exactly as received.
    pub fn raw_type(&self) -> u16 {
        self.kind | self.flags
    }

    fn exact<const N: usize>(&self) -> Result<[u8; N], DecodeError> {
        self.payload
            .try_into()
            .map_err(|_| DecodeError::new(wrong_size(self.payload.len(), N)))
    }

    pub fn u8(&self) -> Result<u8, DecodeError> {
        Ok(self.exact::<1>()?[0])
    }
    pub fn u16(&self) -> Result<u16, DecodeError> {
        Ok(u16::from_ne_bytes(self.exact()?))
    }
    /// Network order (`nla_get_be16`: event ports).
    pub fn u16_be(&self) -> Result<u16, DecodeError> {
        Ok(u16::from_be_bytes(self.exact()?))
    }
    pub fn u32(&self) -> Result<u32, DecodeError> {
        Ok(u32::from_ne_bytes(self.exact()?))
    }
    pub fn i32(&self) -> Result<i32, DecodeError> {
        Ok(i32::from_ne_bytes(self.exact()?))
    }
    pub fn ipv4(&self) -> Result<Ipv4Addr, DecodeError> {
        Ok(Ipv4Addr::from(self.exact::<4>()?))
    }
    pub fn ipv6(&self) -> Result<Ipv6Addr, DecodeError> {
        Ok(Ipv6Addr::from(self.exact::<16>()?))
    }
    /// At least 16 bytes, of which the first 16 count: the event spec only
    /// promises a minimum length for `MPTCP_ATTR_SADDR6`/`DADDR6`.
    pub fn ipv6_prefix(&self) -> Result<Ipv6Addr, DecodeError> {
        match self.payload.first_chunk::<16>() {
            Some(b) => Ok(Ipv6Addr::from(*b)),
            None => Err(DecodeError::new(wrong_size(self.payload.len(), 16))),
        }
    }

    /// A NUL-terminated string, without its NUL. Tolerates a missing NUL;
    /// rejects invalid UTF-8.
    pub fn str(&self) -> Result<&'a str, DecodeError> {
        let end = self
            .payload
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.payload.len());
        std::str::from_utf8(&self.payload[..end]).map_err(|_| {
            DecodeError::new(DecodeErrorKind::Invalid("string attribute is not UTF-8"))
        })
    }

    /// The attributes inside a nest.
    pub fn nested(&self) -> NlaIter<'a> {
        NlaIter::new(self.payload)
    }
}

fn wrong_size(len: usize, expected: usize) -> DecodeErrorKind {
    DecodeErrorKind::WrongSize { len, expected }
}

/// Walks a run of attributes. Yields an error and then stops for good at
/// the first malformed header (short, or longer than what is left): after
/// one, nothing that follows can be trusted to be aligned with attribute
/// boundaries, and a caller never reads past its message.
///
/// Same checks and stopping rule as netlink-packet-core's `NlasIterator`,
/// which was tried underneath: its `NlaBuffer::value()` borrows the
/// `NlaBuffer` rather than the message, its errors allocate a `String`,
/// and it made a probe binary ~1.1 KiB bigger. So the walk stays ours.
#[derive(Debug, Clone)]
pub struct NlaIter<'a> {
    buf: &'a [u8],
    off: usize,
    failed: bool,
}

impl<'a> NlaIter<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        NlaIter {
            buf,
            off: 0,
            failed: false,
        }
    }
}

impl<'a> Iterator for NlaIter<'a> {
    type Item = Result<Nla<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.off >= self.buf.len() {
            return None;
        }
        let rest = &self.buf[self.off..];
        let Some(hdr) = rest.first_chunk::<NLA_HDRLEN>() else {
            self.failed = true;
            return Some(Err(DecodeError::new(DecodeErrorKind::Trailing {
                len: rest.len(),
            })));
        };
        let nla_len = u16::from_ne_bytes([hdr[0], hdr[1]]);
        let raw_type = u16::from_ne_bytes([hdr[2], hdr[3]]);
        let len = usize::from(nla_len);
        if len < NLA_HDRLEN || len > rest.len() {
            self.failed = true;
            return Some(Err(DecodeError::new(DecodeErrorKind::BadAttrLen {
                offset: self.off,
                nla_len,
            })));
        }
        // The padding of the last attribute may be missing; the step past
        // the end then simply ends the walk.
        self.off += align4(len);
        Some(Ok(Nla {
            kind: raw_type & NLA_TYPE_MASK,
            flags: raw_type & !NLA_TYPE_MASK,
            payload: &rest[NLA_HDRLEN..len],
        }))
    }
}

/// Appends one attribute with its padding. Payloads come from our own
/// encoders or from a parsed attribute, so they fit in `nla_len`.
pub fn put(out: &mut Vec<u8>, raw_type: u16, payload: &[u8]) {
    put_parts(out, raw_type, &[payload]);
}

fn put_parts(out: &mut Vec<u8>, raw_type: u16, parts: &[&[u8]]) {
    let len = NLA_HDRLEN + parts.iter().map(|p| p.len()).sum::<usize>();
    debug_assert!(len <= usize::from(u16::MAX), "attribute too long");
    out.extend_from_slice(&(len as u16).to_ne_bytes());
    out.extend_from_slice(&raw_type.to_ne_bytes());
    for p in parts {
        out.extend_from_slice(p);
    }
    out.resize(out.len() + align4(len) - len, 0);
}

pub fn put_u8(out: &mut Vec<u8>, kind: u16, v: u8) {
    put(out, kind, &[v]);
}
pub fn put_u16(out: &mut Vec<u8>, kind: u16, v: u16) {
    put(out, kind, &v.to_ne_bytes());
}
pub fn put_u16_be(out: &mut Vec<u8>, kind: u16, v: u16) {
    put(out, kind, &v.to_be_bytes());
}
pub fn put_u32(out: &mut Vec<u8>, kind: u16, v: u32) {
    put(out, kind, &v.to_ne_bytes());
}
pub fn put_i32(out: &mut Vec<u8>, kind: u16, v: i32) {
    put(out, kind, &v.to_ne_bytes());
}

/// Appends a NUL-terminated string attribute (`nla_put_string`).
pub fn put_str(out: &mut Vec<u8>, kind: u16, v: &str) {
    put_parts(out, kind, &[v.as_bytes(), &[0]]);
}

/// Opens a nest (`NLA_F_NESTED` set, as the kernel does); returns where its
/// header is so that [`nest_end`] can fill in the length.
pub fn nest_start(out: &mut Vec<u8>, kind: u16) -> usize {
    let start = out.len();
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&(kind | NLA_F_NESTED).to_ne_bytes());
    start
}

/// Closes a nest: its length covers the inner attributes with their padding.
pub fn nest_end(out: &mut [u8], start: usize) {
    let len = (out.len() - start) as u16;
    out[start..start + 2].copy_from_slice(&len.to_ne_bytes());
}

/// Bytes one attribute with this payload length takes, padding included.
pub const fn attr_size(payload_len: usize) -> usize {
    align4(NLA_HDRLEN + payload_len)
}

#[cfg(test)]
#[path = "nla_tests.rs"]
mod tests;
