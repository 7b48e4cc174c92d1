// SPDX-License-Identifier: BSD-3-Clause
//! "Would the kernel send traffic from this address out of this device
//! toward a default destination?" (mptcp-genl.md §3.5).
//!
//! We ask the FIB instead of re-implementing policy routing: one
//! `RTM_GETROUTE` to a documentation address with `RTA_SRC` (so source
//! rules apply, as on multi-WAN routers) and `RTA_OIF`, and
//! `RTM_F_FIB_MATCH` so the kernel returns the matching FIB entry rather
//! than a cloned /32 result.

use std::net::IpAddr;

use super::{AF_INET, AF_INET6, RTM_GETROUTE, RTM_NEWROUTE, RTMSG_LEN};
use crate::nl::attr::{self, Attrs};
use crate::nl::{DecodeError, NlError, NlSocket, ReplyItem};

const RTA_DST: u16 = 1;
const RTA_SRC: u16 = 2;
const RTA_OIF: u16 = 4;
const RTA_MULTIPATH: u16 = 9;

/// `RTN_UNICAST`: a route that forwards (not blackhole, unreachable, …).
const RTN_UNICAST: u8 = 1;
/// `RTM_F_LOOKUP_TABLE | RTM_F_FIB_MATCH`.
const RTM_F_LOOKUP_TABLE: u32 = 0x1000;
const RTM_F_FIB_MATCH: u32 = 0x2000;

/// Destinations nobody routes explicitly (RFC 5737 TEST-NET-1, RFC 3849),
/// the same ones mptcpd asks about.
const PROBE_V4: [u8; 4] = [192, 0, 2, 1];
const PROBE_V6: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];

/// `struct rtnexthop`: u16 len, u8 flags, u8 hops, s32 ifindex.
const RTNH_LEN: usize = 8;

/// The `RTM_GETROUTE` payload: rtmsg for a full-length destination and
/// source, then `RTA_DST`, `RTA_SRC` = `addr`, `RTA_OIF` = `index`.
pub fn request(index: u32, addr: IpAddr) -> Vec<u8> {
    let (family, full_len, src, dst): (u8, u8, &[u8], &[u8]) = match &addr {
        IpAddr::V4(a) => (AF_INET, 32, &a.octets(), &PROBE_V4),
        IpAddr::V6(a) => (AF_INET6, 128, &a.octets(), &PROBE_V6),
    };
    let mut p = Vec::with_capacity(RTMSG_LEN + 2 * (4 + 16) + 8);
    // family, dst_len, src_len, tos, table, protocol, scope, type.
    p.extend_from_slice(&[family, full_len, full_len, 0, 0, 0, 0, 0]);
    p.extend_from_slice(&(RTM_F_LOOKUP_TABLE | RTM_F_FIB_MATCH).to_ne_bytes());
    attr::put(&mut p, RTA_DST, dst);
    attr::put(&mut p, RTA_SRC, src);
    attr::put_u32(&mut p, RTA_OIF, index);
    p
}

/// Whether an `RTM_NEWROUTE` answer is a forwarding default route
/// (`dst_len` 0, no `RTA_DST`) that leaves through `index`. The kernel
/// omits `RTA_OIF` for routes through nexthop objects; the lookup already
/// honoured our `RTA_OIF` then.
pub fn is_default_via(payload: &[u8], index: u32) -> Result<bool, DecodeError> {
    let Some(hdr) = payload.first_chunk::<RTMSG_LEN>() else {
        return Err(DecodeError("route message shorter than rtmsg"));
    };
    let (dst_len, rtm_type) = (hdr[1], hdr[7]);
    let mut has_dst = false;
    let mut oif_ok = None;
    for a in Attrs::new(&payload[RTMSG_LEN..]) {
        let a = a?;
        match a.kind {
            RTA_DST => has_dst = true,
            RTA_OIF => oif_ok = Some(a.u32()? == index),
            RTA_MULTIPATH => oif_ok = Some(multipath_has(a.payload, index)?),
            _ => {}
        }
    }
    Ok(dst_len == 0 && !has_dst && rtm_type == RTN_UNICAST && oif_ok != Some(false))
}

/// Whether one of the `rtnexthop`s of an `RTA_MULTIPATH` leaves through
/// `index`.
fn multipath_has(mut rest: &[u8], index: u32) -> Result<bool, DecodeError> {
    while let Some(nh) = rest.first_chunk::<RTNH_LEN>() {
        let len = u16::from_ne_bytes([nh[0], nh[1]]) as usize;
        if len < RTNH_LEN || len > rest.len() {
            return Err(DecodeError("rtnexthop length out of bounds"));
        }
        if i32::from_ne_bytes([nh[4], nh[5], nh[6], nh[7]]) as u32 == index {
            return Ok(true);
        }
        rest = rest.get(crate::nl::align4(len)..).unwrap_or(&[]);
    }
    Ok(false)
}

/// Asks the kernel whether traffic from `addr` may leave through
/// interface `index` toward a default route (taking source rules into
/// account). `Ok(false)` when the kernel has no route (`EHOSTUNREACH`,
/// `ENETUNREACH`) or only a more specific one.
pub fn check_default_route(
    requests: &mut NlSocket,
    index: u32,
    addr: IpAddr,
) -> Result<bool, NlError> {
    let mut answer = None;
    let res = requests.request(RTM_GETROUTE, 0, &request(index, addr), &mut |item| {
        if let ReplyItem::Msg(m) = item
            && m.msg_type == RTM_NEWROUTE
        {
            answer = Some(is_default_via(m.payload, index)?);
        }
        Ok(())
    });
    match res {
        Ok(()) => answer.ok_or(NlError::Decode(DecodeError(
            "RTM_GETROUTE answered no route",
        ))),
        Err(NlError::Kernel(e))
            if e.errno == libc::EHOSTUNREACH || e.errno == libc::ENETUNREACH =>
        {
            Ok(false)
        }
        Err(e) => Err(e),
    }
}
