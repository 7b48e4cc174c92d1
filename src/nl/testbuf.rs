// SPDX-License-Identifier: BSD-3-Clause
//! Hand-built netlink datagrams for unit tests, in host order so the
//! tests hold on big-endian targets too.

use super::{NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN, align4};
use crate::wire::nla;

/// One message with its padding, `nlmsg_pid` 0.
pub fn msg(msg_type: u16, flags: u16, seq: u32, payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    super::msg::put_msg(&mut v, msg_type, flags, seq, payload);
    v.resize(align4(v.len()), 0);
    v
}

/// The 16-byte copy of a request header that an ACK carries.
fn orig_header(seq: u32, orig_len: u32) -> Vec<u8> {
    let mut h = Vec::new();
    h.extend_from_slice(&orig_len.to_ne_bytes());
    h.extend_from_slice(&0x1cu16.to_ne_bytes());
    h.extend_from_slice(&5u16.to_ne_bytes());
    h.extend_from_slice(&seq.to_ne_bytes());
    h.extend_from_slice(&0u32.to_ne_bytes());
    h
}

/// `NLMSG_ERROR` as sent with `NETLINK_CAP_ACK`: code, our header, TLVs.
pub fn ack(seq: u32, code: i32, flags: u16, tlvs: &[u8]) -> Vec<u8> {
    let mut p = code.to_ne_bytes().to_vec();
    p.extend(orig_header(seq, NLMSG_HDRLEN as u32 + 8));
    p.extend_from_slice(tlvs);
    msg(NLMSG_ERROR, flags, seq, &p)
}

/// `NLMSG_ERROR` without `NETLINK_CAP_ACK`: our whole request (here a
/// 7-byte payload, so padding is exercised) is echoed before the TLVs.
pub fn ack_uncapped(seq: u32, code: i32, flags: u16, tlvs: &[u8]) -> Vec<u8> {
    let mut p = code.to_ne_bytes().to_vec();
    p.extend(orig_header(seq, NLMSG_HDRLEN as u32 + 7));
    p.extend_from_slice(&[0xaa; 7]);
    p.push(0);
    p.extend_from_slice(tlvs);
    msg(NLMSG_ERROR, flags, seq, &p)
}

pub fn done(seq: u32, status: i32, flags: u16) -> Vec<u8> {
    msg(
        NLMSG_DONE,
        flags | super::NLM_F_MULTI,
        seq,
        &status.to_ne_bytes(),
    )
}

/// Extended-ACK TLVs: MSG, OFFS, MISS_TYPE as given.
pub fn ext_ack(text: Option<&str>, offs: Option<u32>, miss: Option<u32>) -> Vec<u8> {
    let mut v = Vec::new();
    if let Some(t) = text {
        nla::put_str(&mut v, 1, t);
    }
    if let Some(o) = offs {
        nla::put_u32(&mut v, 2, o);
    }
    if let Some(m) = miss {
        nla::put_u32(&mut v, 5, m);
    }
    v
}
