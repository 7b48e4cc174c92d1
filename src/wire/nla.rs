// SPDX-License-Identifier: BSD-3-Clause
//! Netlink attributes (`struct nlattr` TLVs): a checked, allocation-free
//! iterator, typed readers that insist on the exact payload size, and the
//! matching writers.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::consts::{GENL_HDRLEN, NLA_ALIGNTO, NLA_F_NESTED, NLA_HDRLEN, NLA_TYPE_MASK};
use super::error::{DecodeError, DecodeErrorKind};

pub const fn align4(len: usize) -> usize {
    (len + NLA_ALIGNTO - 1) & !(NLA_ALIGNTO - 1)
}

/// One attribute as found in a buffer, not yet interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nla<'a> {
    /// `nla_type` exactly as received, flags included.
    pub raw_type: u16,
    /// Payload, without the header and without padding.
    pub value: &'a [u8],
}

impl<'a> Nla<'a> {
    /// The type with `NLA_F_NESTED` / `NLA_F_NET_BYTEORDER` masked off.
    pub fn kind(&self) -> u16 {
        self.raw_type & NLA_TYPE_MASK
    }

    fn exact<const N: usize>(&self) -> Result<[u8; N], DecodeError> {
        self.value
            .try_into()
            .map_err(|_| DecodeError::new(wrong_size(self.value.len(), N)))
    }

    pub fn u8(&self) -> Result<u8, DecodeError> {
        Ok(self.exact::<1>()?[0])
    }
    /// Host-order u16.
    pub fn u16_ne(&self) -> Result<u16, DecodeError> {
        Ok(u16::from_ne_bytes(self.exact()?))
    }
    /// Network-order u16 (event ports).
    pub fn u16_be(&self) -> Result<u16, DecodeError> {
        Ok(u16::from_be_bytes(self.exact()?))
    }
    /// Host-order u32.
    pub fn u32_ne(&self) -> Result<u32, DecodeError> {
        Ok(u32::from_ne_bytes(self.exact()?))
    }
    /// Host-order s32.
    pub fn i32_ne(&self) -> Result<i32, DecodeError> {
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
        match self.value.first_chunk::<16>() {
            Some(b) => Ok(Ipv6Addr::from(*b)),
            None => Err(DecodeError::new(wrong_size(self.value.len(), 16))),
        }
    }
}

fn wrong_size(len: usize, expected: usize) -> DecodeErrorKind {
    DecodeErrorKind::WrongSize { len, expected }
}

/// Walks a run of attributes. Yields an error and then stops for good at
/// the first malformed header: after one, nothing that follows can be
/// trusted to be aligned with attribute boundaries.
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
            raw_type,
            value: &rest[NLA_HDRLEN..len],
        }))
    }
}

/// Splits a generic-netlink payload into (cmd, version, reserved, attributes).
pub fn split_genl(payload: &[u8]) -> Result<([u8; GENL_HDRLEN], &[u8]), DecodeError> {
    match payload.split_first_chunk::<GENL_HDRLEN>() {
        Some((hdr, attrs)) => Ok((*hdr, attrs)),
        None => Err(DecodeError::new(DecodeErrorKind::Truncated {
            need: GENL_HDRLEN,
            have: payload.len(),
        })),
    }
}

/// Appends one attribute with its padding. Payloads come from our own
/// encoders or from a parsed attribute, so they fit in `nla_len`.
pub fn put(out: &mut Vec<u8>, raw_type: u16, value: &[u8]) {
    let len = NLA_HDRLEN + value.len();
    debug_assert!(len <= usize::from(u16::MAX), "attribute too long");
    out.extend_from_slice(&(len as u16).to_ne_bytes());
    out.extend_from_slice(&raw_type.to_ne_bytes());
    out.extend_from_slice(value);
    out.resize(out.len() + align4(len) - len, 0);
}

pub fn put_u8(out: &mut Vec<u8>, kind: u16, v: u8) {
    put(out, kind, &[v]);
}
pub fn put_u16_ne(out: &mut Vec<u8>, kind: u16, v: u16) {
    put(out, kind, &v.to_ne_bytes());
}
pub fn put_u16_be(out: &mut Vec<u8>, kind: u16, v: u16) {
    put(out, kind, &v.to_be_bytes());
}
pub fn put_u32_ne(out: &mut Vec<u8>, kind: u16, v: u32) {
    put(out, kind, &v.to_ne_bytes());
}
pub fn put_i32_ne(out: &mut Vec<u8>, kind: u16, v: i32) {
    put(out, kind, &v.to_ne_bytes());
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
pub const fn attr_size(value_len: usize) -> usize {
    align4(NLA_HDRLEN + value_len)
}
