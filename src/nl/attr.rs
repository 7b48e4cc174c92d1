// SPDX-License-Identifier: BSD-3-Clause
//! Netlink attributes (`struct nlattr`, TLV): a checked, allocation-free
//! reader and the few writers our requests need.
//!
//! Layout: u16 `nla_len` (4 + payload, padding excluded), u16 `nla_type`
//! (low 14 bits = type, 0x8000 `NLA_F_NESTED`, 0x4000
//! `NLA_F_NET_BYTEORDER`), payload, zero padding to 4 bytes. Both header
//! fields are host order.

use super::{DecodeError, align4};

/// `NLA_F_NESTED`: set by the kernel on every nest it emits.
pub const NLA_F_NESTED: u16 = 0x8000;
/// `NLA_TYPE_MASK`: the type without the two flag bits.
pub const NLA_TYPE_MASK: u16 = 0x3fff;
/// Size of `struct nlattr`.
pub const NLA_HDRLEN: usize = 4;

/// One attribute; `kind` is already masked with [`NLA_TYPE_MASK`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attr<'a> {
    pub kind: u16,
    pub payload: &'a [u8],
}

impl<'a> Attr<'a> {
    pub fn u8(&self) -> Result<u8, DecodeError> {
        match self.payload {
            [b] => Ok(*b),
            _ => Err(DecodeError("u8 attribute of the wrong size")),
        }
    }

    /// Host-order u16.
    pub fn u16(&self) -> Result<u16, DecodeError> {
        self.payload
            .try_into()
            .map(u16::from_ne_bytes)
            .map_err(|_| DecodeError("u16 attribute of the wrong size"))
    }

    /// Host-order u32.
    pub fn u32(&self) -> Result<u32, DecodeError> {
        self.payload
            .try_into()
            .map(u32::from_ne_bytes)
            .map_err(|_| DecodeError("u32 attribute of the wrong size"))
    }

    /// A NUL-terminated string attribute, without its NUL. Tolerates a
    /// missing NUL; rejects invalid UTF-8.
    pub fn str(&self) -> Result<&'a str, DecodeError> {
        let end = self
            .payload
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.payload.len());
        std::str::from_utf8(&self.payload[..end])
            .map_err(|_| DecodeError("string attribute is not UTF-8"))
    }

    /// The attributes inside a nest.
    pub fn nested(&self) -> Attrs<'a> {
        Attrs::new(self.payload)
    }
}

/// Iterates the attributes of a byte slice. Yields `Err` once and then
/// stops when an attribute header is inconsistent (short, or longer than
/// what is left), so a caller never reads past its message.
///
/// Same checks and stopping rule as netlink-packet-core's `NlasIterator`,
/// which we tried underneath: its `NlaBuffer::value()` borrows the
/// `NlaBuffer` rather than the message, so the adapter still had to slice
/// by hand, its errors allocate a `String`, and it made a probe binary
/// ~1.1 KiB bigger. So the walk stays ours.
#[derive(Debug, Clone)]
pub struct Attrs<'a> {
    rest: &'a [u8],
}

impl<'a> Attrs<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Attrs { rest: bytes }
    }
}

impl<'a> Iterator for Attrs<'a> {
    type Item = Result<Attr<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let rest = std::mem::take(&mut self.rest);
        let (len, kind) = match rest {
            [l0, l1, t0, t1, ..] => (
                u16::from_ne_bytes([*l0, *l1]) as usize,
                u16::from_ne_bytes([*t0, *t1]),
            ),
            _ => return Some(Err(DecodeError("truncated attribute header"))),
        };
        if len < NLA_HDRLEN || len > rest.len() {
            return Some(Err(DecodeError("attribute length out of bounds")));
        }
        // The last attribute's padding may be missing.
        self.rest = rest.get(align4(len)..).unwrap_or(&[]);
        Some(Ok(Attr {
            kind: kind & NLA_TYPE_MASK,
            payload: &rest[NLA_HDRLEN..len],
        }))
    }
}

/// Appends one attribute and its padding.
pub fn put(buf: &mut Vec<u8>, kind: u16, payload: &[u8]) {
    let len = NLA_HDRLEN + payload.len();
    // Our attributes are a few bytes; u16 overflow would be a bug here.
    debug_assert!(len <= u16::MAX as usize);
    buf.extend_from_slice(&(len as u16).to_ne_bytes());
    buf.extend_from_slice(&kind.to_ne_bytes());
    buf.extend_from_slice(payload);
    buf.resize(buf.len() + align4(len) - len, 0);
}

/// Appends a host-order u32 attribute.
pub fn put_u32(buf: &mut Vec<u8>, kind: u16, value: u32) {
    put(buf, kind, &value.to_ne_bytes());
}

/// Appends a NUL-terminated string attribute.
pub fn put_str(buf: &mut Vec<u8>, kind: u16, value: &str) {
    let len = NLA_HDRLEN + value.len() + 1;
    buf.extend_from_slice(&(len as u16).to_ne_bytes());
    buf.extend_from_slice(&kind.to_ne_bytes());
    buf.extend_from_slice(value.as_bytes());
    buf.push(0);
    buf.resize(buf.len() + align4(len) - len, 0);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr_bytes(kind: u16, payload: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        put(&mut v, kind, payload);
        v
    }

    #[test]
    fn put_pads_and_iterates_back() {
        let mut buf = Vec::new();
        put_str(&mut buf, 2, "mptcp_pm");
        put_u32(&mut buf, 3, 7);
        put(&mut buf, 0x8007, &attr_bytes(1, b"x\0"));
        // "mptcp_pm\0" is 9 bytes: nla_len 13, padded to 16.
        assert_eq!(&buf[..2], &13u16.to_ne_bytes());
        assert_eq!(buf.len(), 16 + 8 + 12);
        let got: Vec<_> = Attrs::new(&buf).collect::<Result<_, _>>().unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].str(), Ok("mptcp_pm"));
        assert_eq!(got[1].u32(), Ok(7));
        assert_eq!(got[2].kind, 7, "NLA_F_NESTED is masked off");
        let inner: Vec<_> = got[2].nested().collect::<Result<_, _>>().unwrap();
        assert_eq!(inner[0].str(), Ok("x"));
    }

    #[test]
    fn last_attribute_without_padding_is_accepted() {
        let mut buf = attr_bytes(1, &[9]);
        buf.truncate(5);
        let got: Vec<_> = Attrs::new(&buf).collect();
        assert_eq!(
            got,
            vec![Ok(Attr {
                kind: 1,
                payload: &[9]
            })]
        );
    }

    #[test]
    fn bad_lengths_stop_iteration_with_an_error() {
        for bad in [
            &[1u8][..],                          // short header
            &[3, 0, 1, 0][..],                   // nla_len below 4
            &[9, 0, 1, 0, 1, 2, 3, 4][..],       // nla_len past the end
            &[0xff, 0xff, 1, 0, 0, 0, 0, 0][..], // absurd nla_len
        ] {
            let bad: Vec<u8> = if cfg!(target_endian = "big") {
                // Keep the test meaningful on big-endian: swap the u16s.
                let mut b = bad.to_vec();
                if b.len() >= 4 {
                    b.swap(0, 1);
                    b.swap(2, 3);
                }
                b
            } else {
                bad.to_vec()
            };
            let got: Vec<_> = Attrs::new(&bad).collect();
            assert_eq!(got.len(), 1, "{bad:?}");
            assert!(got[0].is_err(), "{bad:?}");
        }
    }

    #[test]
    fn typed_getters_check_sizes() {
        let a = Attr {
            kind: 1,
            payload: &[1, 2, 3],
        };
        assert!(a.u8().is_err());
        assert!(a.u16().is_err());
        assert!(a.u32().is_err());
        let s = Attr {
            kind: 1,
            payload: &[0xff, 0xfe, 0],
        };
        assert!(s.str().is_err());
        let nonul = Attr {
            kind: 1,
            payload: b"eth0",
        };
        assert_eq!(nonul.str(), Ok("eth0"));
    }
}
