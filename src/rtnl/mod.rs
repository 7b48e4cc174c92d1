// SPDX-License-Identifier: BSD-3-Clause
//! rtnetlink input for the network monitor: links, addresses and
//! route/rule changes converted into our [`crate::iface`] types, the
//! startup snapshot, and the default-route check ([`route`]).
//!
//! The fixed headers (`ifinfomsg`, `ifaddrmsg`, `rtmsg`) are read with
//! netlink-packet-route's header types, which check the length through
//! their zero-copy `*MessageBuffer` views; attributes are walked with
//! [`NlaIter`]. Only the fields the monitor uses are picked, nothing is
//! allocated on the good path, and no input panics. The crate's
//! message and attribute enums (`RouteNetlinkMessage`, `LinkAttribute`,
//! …) are avoided on purpose: they link the parser of every link kind
//! and attribute (a probe binary that uses them is ~300 KiB bigger,
//! measured with netlink-packet-route 0.34 on x86_64).
//!
//! netlink-packet-route 0.34's buffer types have private fields and no
//! accessors: `size_of` gives the header lengths, `*Header::parse` reads
//! the fields.

use std::io;
use std::mem::size_of;
use std::net::IpAddr;

use netlink_packet_route::address::{AddressHeader, AddressMessageBuffer};
use netlink_packet_route::link::{LinkHeader, LinkMessageBuffer};
use netlink_packet_route::route::{RouteHeader, RouteMessageBuffer};

use crate::iface::{Addr, IfName, Link};
use crate::nl::{DecodeError, NLM_F_DUMP, NlError, NlSocket, ReplyItem};
use crate::wire::nla::{self, NlaIter};

pub mod route;

pub use route::check_default_route;

pub const RTM_NEWLINK: u16 = 16;
pub const RTM_DELLINK: u16 = 17;
pub const RTM_GETLINK: u16 = 18;
pub const RTM_NEWADDR: u16 = 20;
pub const RTM_DELADDR: u16 = 21;
pub const RTM_GETADDR: u16 = 22;
pub const RTM_NEWROUTE: u16 = 24;
pub const RTM_DELROUTE: u16 = 25;
pub const RTM_GETROUTE: u16 = 26;
pub const RTM_NEWRULE: u16 = 32;
pub const RTM_DELRULE: u16 = 33;

/// `RTNLGRP_*` groups of the event socket: links, addresses, and routes
/// and policy rules (so the default-route check can be re-run; source
/// rules decide it on multi-WAN routers).
pub const RTNLGRP_LINK: u32 = 1;
pub const RTNLGRP_IPV4_IFADDR: u32 = 5;
pub const RTNLGRP_IPV4_ROUTE: u32 = 7;
pub const RTNLGRP_IPV4_RULE: u32 = 8;
pub const RTNLGRP_IPV6_IFADDR: u32 = 9;
pub const RTNLGRP_IPV6_ROUTE: u32 = 11;
pub const RTNLGRP_IPV6_RULE: u32 = 19;
pub const MONITOR_GROUPS: [u32; 7] = [
    RTNLGRP_LINK,
    RTNLGRP_IPV4_IFADDR,
    RTNLGRP_IPV6_IFADDR,
    RTNLGRP_IPV4_ROUTE,
    RTNLGRP_IPV6_ROUTE,
    RTNLGRP_IPV4_RULE,
    RTNLGRP_IPV6_RULE,
];

pub const AF_UNSPEC: u8 = 0;
pub const AF_INET: u8 = 2;
pub const AF_INET6: u8 = 10;

/// `struct ifinfomsg` (16 bytes): u8 family, u8 pad, u16 type, s32 index,
/// u32 flags, u32 change.
const IFINFOMSG_LEN: usize = size_of::<LinkMessageBuffer>();
const IFLA_IFNAME: u16 = 3;
const IFLA_OPERSTATE: u16 = 16;
const IFLA_EXT_MASK: u16 = 29;
/// `RTEXT_FILTER_SKIP_STATS`: leave the ~400 bytes of counters out of
/// every link in the dump.
const RTEXT_FILTER_SKIP_STATS: u32 = 1 << 3;

/// `struct ifaddrmsg` (8 bytes): u8 family, u8 prefixlen, u8 flags, u8
/// scope, u32 index.
const IFADDRMSG_LEN: usize = size_of::<AddressMessageBuffer>();
const IFA_ADDRESS: u16 = 1;
const IFA_LOCAL: u16 = 2;
const IFA_FLAGS: u16 = 8;

/// `struct rtmsg` (12 bytes).
pub(crate) const RTMSG_LEN: usize = size_of::<RouteMessageBuffer>();
// A netlink-packet-route update that reshaped its buffer types would
// make us read attributes from the wrong offset: fail the build instead.
const _: () = assert!(IFINFOMSG_LEN == 16 && IFADDRMSG_LEN == 8 && RTMSG_LEN == 12);
const RTA_TABLE: u16 = 15;
/// `RT_TABLE_LOCAL`: the kernel's own routes to local and broadcast
/// addresses; they come and go with every address and never hold a
/// default route.
const RT_TABLE_LOCAL: u32 = 255;

/// An rtnetlink message, reduced to what the monitor acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RtnlMsg {
    NewLink(Link),
    DelLink(Link),
    NewAddr(Addr),
    DelAddr(Addr),
    /// A route (outside the local table) or a policy rule changed: the
    /// default-route checks may have a different answer now.
    RouteChange,
    /// Anything else, by `nlmsg_type`; also addresses of non-IP families.
    Other(u16),
}

/// Converts one rtnetlink message (`payload` = after the nlmsghdr).
pub fn parse(msg_type: u16, payload: &[u8]) -> Result<RtnlMsg, DecodeError> {
    Ok(match msg_type {
        RTM_NEWLINK => RtnlMsg::NewLink(parse_link(payload)?),
        RTM_DELLINK => RtnlMsg::DelLink(parse_link(payload)?),
        RTM_NEWADDR | RTM_DELADDR => match parse_addr(payload)? {
            Some(a) if msg_type == RTM_NEWADDR => RtnlMsg::NewAddr(a),
            Some(a) => RtnlMsg::DelAddr(a),
            None => RtnlMsg::Other(msg_type),
        },
        RTM_NEWROUTE | RTM_DELROUTE if route_table(payload)? == RT_TABLE_LOCAL => {
            RtnlMsg::Other(msg_type)
        }
        RTM_NEWROUTE | RTM_DELROUTE | RTM_NEWRULE | RTM_DELRULE => RtnlMsg::RouteChange,
        other => RtnlMsg::Other(other),
    })
}

/// `RTM_NEWLINK` / `RTM_DELLINK` payload → [`Link`].
pub fn parse_link(payload: &[u8]) -> Result<Link, DecodeError> {
    let hdr = LinkHeader::parse(payload)
        .map_err(|_| DecodeError("link message shorter than ifinfomsg"))?;
    // ifi_index is an s32: the crate reads it as u32, so "negative" ones
    // show up above i32::MAX.
    let index = Some(hdr.index)
        .filter(|&i| i > 0 && i32::try_from(i).is_ok())
        .ok_or(DecodeError("link with a non-positive ifi_index"))?;
    let mut name = None;
    let mut operstate = None;
    for a in attrs_after(payload, IFINFOMSG_LEN) {
        let a = a?;
        match a.kind {
            IFLA_IFNAME => name = Some(IfName::new(a.str()?)),
            IFLA_OPERSTATE => operstate = Some(a.u8()?),
            _ => {}
        }
    }
    Ok(Link {
        index,
        name: name.ok_or(DecodeError("link without IFLA_IFNAME"))?,
        flags: hdr.flags.bits(),
        operstate,
    })
}

/// `RTM_NEWADDR` / `RTM_DELADDR` payload → [`Addr`]; `None` for families
/// other than IPv4/IPv6.
pub fn parse_addr(payload: &[u8]) -> Result<Option<Addr>, DecodeError> {
    let hdr = AddressHeader::parse(payload)
        .map_err(|_| DecodeError("address message shorter than ifaddrmsg"))?;
    let family = u8::from(hdr.family);
    if family != AF_INET && family != AF_INET6 {
        return Ok(None);
    }
    let mut local = None;
    let mut address = None;
    let mut flags = u32::from(hdr.flags.bits());
    for a in attrs_after(payload, IFADDRMSG_LEN) {
        let a = a?;
        match a.kind {
            IFA_LOCAL => local = Some(ip_from(family, a.payload)?),
            IFA_ADDRESS => address = Some(ip_from(family, a.payload)?),
            // Authoritative: the header byte cannot hold bits above 0x80.
            IFA_FLAGS => flags = a.u32()?,
            _ => {}
        }
    }
    // Point-to-point links carry the peer in IFA_ADDRESS.
    let addr = local.or(address).ok_or(DecodeError(
        "address message without IFA_LOCAL or IFA_ADDRESS",
    ))?;
    Ok(Some(Addr {
        index: hdr.index,
        addr,
        prefix_len: hdr.prefix_len,
        scope: u8::from(hdr.scope),
        flags,
    }))
}

/// The attributes after a fixed header already checked to be
/// `hdr_len` bytes long.
pub(crate) fn attrs_after(payload: &[u8], hdr_len: usize) -> NlaIter<'_> {
    NlaIter::new(payload.get(hdr_len..).unwrap_or(&[]))
}

/// An address attribute of `family`, network order.
pub(crate) fn ip_from(family: u8, bytes: &[u8]) -> Result<IpAddr, DecodeError> {
    let ip = match family {
        AF_INET => <[u8; 4]>::try_from(bytes).map(IpAddr::from),
        AF_INET6 => <[u8; 16]>::try_from(bytes).map(IpAddr::from),
        _ => return Err(DecodeError("address of an unknown family")),
    };
    ip.map_err(|_| DecodeError("address attribute of the wrong size"))
}

/// The table of a route message: `RTA_TABLE` when present (it holds ids
/// above 255), else the `rtm_table` byte.
fn route_table(payload: &[u8]) -> Result<u32, DecodeError> {
    let hdr =
        RouteHeader::parse(payload).map_err(|_| DecodeError("route message shorter than rtmsg"))?;
    for a in attrs_after(payload, RTMSG_LEN) {
        let a = a?;
        if a.kind == RTA_TABLE {
            return Ok(a.u32()?);
        }
    }
    Ok(u32::from(hdr.table))
}

/// Joins [`MONITOR_GROUPS`] on the rtnetlink event socket.
pub fn subscribe(events: &NlSocket) -> io::Result<()> {
    MONITOR_GROUPS
        .iter()
        .try_for_each(|&g| events.join_group(g))
}

/// Dumps all links (`RTM_GETLINK`, `NLM_F_DUMP`, AF_UNSPEC). A link the
/// parser rejects is logged and left out.
pub fn dump_links(requests: &mut NlSocket) -> Result<Vec<Link>, NlError> {
    let mut payload = [0u8; IFINFOMSG_LEN].to_vec();
    nla::put_u32(&mut payload, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
    let mut links = Vec::new();
    requests.request(RTM_GETLINK, NLM_F_DUMP, &payload, &mut |item| {
        match item {
            ReplyItem::Restart => links.clear(),
            ReplyItem::Msg(m) if m.msg_type == RTM_NEWLINK => match parse_link(m.payload) {
                Ok(l) => links.push(l),
                Err(e) => log::warn!("rtnetlink: skipping link in dump: {e}"),
            },
            ReplyItem::Msg(_) => {}
        }
        Ok(())
    })?;
    Ok(links)
}

/// Dumps all IPv4 and IPv6 addresses (`RTM_GETADDR`, `NLM_F_DUMP`,
/// AF_UNSPEC).
pub fn dump_addrs(requests: &mut NlSocket) -> Result<Vec<Addr>, NlError> {
    let mut addrs = Vec::new();
    requests.request(RTM_GETADDR, NLM_F_DUMP, &[0; IFADDRMSG_LEN], &mut |item| {
        match item {
            ReplyItem::Restart => addrs.clear(),
            ReplyItem::Msg(m) if m.msg_type == RTM_NEWADDR => match parse_addr(m.payload) {
                Ok(Some(a)) => addrs.push(a),
                Ok(None) => {}
                Err(e) => log::warn!("rtnetlink: skipping address in dump: {e}"),
            },
            ReplyItem::Msg(_) => {}
        }
        Ok(())
    })?;
    Ok(addrs)
}

/// The startup snapshot: join the groups on `events` first, so that a
/// change during the dumps shows up as an event (the monitor upserts, so
/// duplicates are harmless), then dump links, then addresses, through
/// `requests`. One dump at a time: a socket refuses a second concurrent
/// dump with `EBUSY`.
pub fn snapshot(
    events: &NlSocket,
    requests: &mut NlSocket,
) -> Result<(Vec<Link>, Vec<Addr>), NlError> {
    subscribe(events)?;
    dump(requests)
}

/// Links, then addresses: the full table the monitor is built from.
pub fn dump(requests: &mut NlSocket) -> Result<(Vec<Link>, Vec<Addr>), NlError> {
    let links = dump_links(requests)?;
    let addrs = dump_addrs(requests)?;
    Ok((links, addrs))
}

#[cfg(test)]
mod tests;
