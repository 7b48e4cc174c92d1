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

use netlink_packet_core::Emitable;
use netlink_packet_route::AddressFamily;
use netlink_packet_route::route::{RouteFlags, RouteHeader, RouteType};

use super::{RTM_GETROUTE, RTM_NEWROUTE, RTMSG_LEN, attrs_after};
use crate::nl::{DecodeError, NlError, NlSocket, ReplyItem};
use crate::wire::nla;

const RTA_DST: u16 = 1;
const RTA_SRC: u16 = 2;
const RTA_OIF: u16 = 4;
const RTA_MULTIPATH: u16 = 9;

/// Destinations nobody routes explicitly (RFC 5737 TEST-NET-1, RFC 3849),
/// the same ones mptcpd asks about.
const PROBE_V4: [u8; 4] = [192, 0, 2, 1];
const PROBE_V6: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];

/// `struct rtnexthop`: u16 len, u8 flags, u8 hops, s32 ifindex.
/// netlink-packet-route's `RouteNextHopBuffer` checks these lengths but
/// has no accessor for the ifindex, and `RouteNextHop::parse_with_param`
/// parses every nested route attribute (lwtunnel, seg6, mpls, …) into a
/// `Vec`: reading the 8 bytes ourselves is smaller and cannot allocate.
const RTNH_LEN: usize = 8;

/// The `RTM_GETROUTE` payload: rtmsg for a full-length destination and
/// source, then `RTA_DST`, `RTA_SRC` = `addr`, `RTA_OIF` = `index`.
pub fn request(index: u32, addr: IpAddr) -> Vec<u8> {
    let (family, full_len, src, dst): (_, u8, &[u8], &[u8]) = match &addr {
        IpAddr::V4(a) => (AddressFamily::Inet, 32, &a.octets(), &PROBE_V4),
        IpAddr::V6(a) => (AddressFamily::Inet6, 128, &a.octets(), &PROBE_V6),
    };
    let hdr = RouteHeader {
        address_family: family,
        destination_prefix_length: full_len,
        source_prefix_length: full_len,
        // RTM_F_LOOKUP_TABLE | RTM_F_FIB_MATCH.
        flags: RouteFlags::LookupTable | RouteFlags::FibMatch,
        ..RouteHeader::default()
    };
    // `emit` writes exactly `buffer_len()` bytes (and panics on less).
    let mut p = vec![0; hdr.buffer_len()];
    hdr.emit(&mut p);
    nla::put(&mut p, RTA_DST, dst);
    nla::put(&mut p, RTA_SRC, src);
    nla::put_u32(&mut p, RTA_OIF, index);
    p
}

/// Whether an `RTM_NEWROUTE` answer is a forwarding default route
/// (`dst_len` 0, no `RTA_DST`, `RTN_UNICAST` rather than blackhole,
/// unreachable, …) that leaves through `index`. The kernel omits
/// `RTA_OIF` for routes through nexthop objects; the lookup already
/// honoured our `RTA_OIF` then.
pub fn is_default_via(payload: &[u8], index: u32) -> Result<bool, DecodeError> {
    let hdr =
        RouteHeader::parse(payload).map_err(|_| DecodeError("route message shorter than rtmsg"))?;
    let mut has_dst = false;
    let mut oif_ok = None;
    for a in attrs_after(payload, RTMSG_LEN) {
        let a = a?;
        match a.kind {
            RTA_DST => has_dst = true,
            RTA_OIF => oif_ok = Some(a.u32()? == index),
            RTA_MULTIPATH => oif_ok = Some(multipath_has(a.payload, index)?),
            _ => {}
        }
    }
    Ok(hdr.destination_prefix_length == 0
        && !has_dst
        && hdr.kind == RouteType::Unicast
        && oif_ok != Some(false))
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
        rest = rest.get(nla::align4(len)..).unwrap_or(&[]);
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
