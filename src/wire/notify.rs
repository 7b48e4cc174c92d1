// SPDX-License-Identifier: BSD-3-Clause
//! The wire level of events (`mptcp_pm_events` multicast messages): event
//! type and `MPTCP_ATTR_*` attributes as the kernel sent them, in order.
//! [`EventAttr::parse`] is also what the allocation-free
//! [`decode_event`](super::decode_event) path uses per attribute.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::consts::*;
use super::error::DecodeError;
use super::genl::GenlHeader;
use super::message::RawNla;
use super::nla::{self, Nla, NlaIter};

/// `enum mptcp_event_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PmEventType {
    Created,
    Established,
    Closed,
    Announced,
    Removed,
    SubEstablished,
    SubClosed,
    SubPriority,
    ListenerCreated,
    ListenerClosed,
    Other(u8),
}

impl PmEventType {
    /// The kernel's name without the `MPTCP_EVENT_` prefix.
    pub fn name(self) -> &'static str {
        match self {
            PmEventType::Created => "CREATED",
            PmEventType::Established => "ESTABLISHED",
            PmEventType::Closed => "CLOSED",
            PmEventType::Announced => "ANNOUNCED",
            PmEventType::Removed => "REMOVED",
            PmEventType::SubEstablished => "SUB_ESTABLISHED",
            PmEventType::SubClosed => "SUB_CLOSED",
            PmEventType::SubPriority => "SUB_PRIORITY",
            PmEventType::ListenerCreated => "LISTENER_CREATED",
            PmEventType::ListenerClosed => "LISTENER_CLOSED",
            PmEventType::Other(_) => "unknown event",
        }
    }
}

impl From<u8> for PmEventType {
    fn from(v: u8) -> Self {
        match v {
            MPTCP_EVENT_CREATED => PmEventType::Created,
            MPTCP_EVENT_ESTABLISHED => PmEventType::Established,
            MPTCP_EVENT_CLOSED => PmEventType::Closed,
            MPTCP_EVENT_ANNOUNCED => PmEventType::Announced,
            MPTCP_EVENT_REMOVED => PmEventType::Removed,
            MPTCP_EVENT_SUB_ESTABLISHED => PmEventType::SubEstablished,
            MPTCP_EVENT_SUB_CLOSED => PmEventType::SubClosed,
            MPTCP_EVENT_SUB_PRIORITY => PmEventType::SubPriority,
            MPTCP_EVENT_LISTENER_CREATED => PmEventType::ListenerCreated,
            MPTCP_EVENT_LISTENER_CLOSED => PmEventType::ListenerClosed,
            other => PmEventType::Other(other),
        }
    }
}

impl From<PmEventType> for u8 {
    fn from(e: PmEventType) -> u8 {
        match e {
            PmEventType::Created => MPTCP_EVENT_CREATED,
            PmEventType::Established => MPTCP_EVENT_ESTABLISHED,
            PmEventType::Closed => MPTCP_EVENT_CLOSED,
            PmEventType::Announced => MPTCP_EVENT_ANNOUNCED,
            PmEventType::Removed => MPTCP_EVENT_REMOVED,
            PmEventType::SubEstablished => MPTCP_EVENT_SUB_ESTABLISHED,
            PmEventType::SubClosed => MPTCP_EVENT_SUB_CLOSED,
            PmEventType::SubPriority => MPTCP_EVENT_SUB_PRIORITY,
            PmEventType::ListenerCreated => MPTCP_EVENT_LISTENER_CREATED,
            PmEventType::ListenerClosed => MPTCP_EVENT_LISTENER_CLOSED,
            PmEventType::Other(v) => v,
        }
    }
}

/// One event attribute (`MPTCP_ATTR_*`). Ports are converted from network
/// order; everything else is as the kernel put it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventAttr<'a> {
    Token(u32),
    Family(u16),
    LocId(u8),
    RemId(u8),
    Saddr4(Ipv4Addr),
    Saddr6(Ipv6Addr),
    Daddr4(Ipv4Addr),
    Daddr6(Ipv6Addr),
    Sport(u16),
    Dport(u16),
    Backup(u8),
    Error(u8),
    /// `MPTCP_PM_EV_FLAG_*` bits.
    Flags(u16),
    Timeout(u32),
    IfIdx(i32),
    ResetReason(u32),
    ResetFlags(u32),
    ServerSide(u8),
    Other(RawNla<'a>),
}

impl<'a> EventAttr<'a> {
    pub fn parse(n: Nla<'a>) -> Result<Self, DecodeError> {
        use EventAttr as E;
        let kind = n.kind;
        let attr = match kind {
            MPTCP_ATTR_TOKEN => n.u32().map(E::Token),
            MPTCP_ATTR_FAMILY => n.u16().map(E::Family),
            MPTCP_ATTR_LOC_ID => n.u8().map(E::LocId),
            MPTCP_ATTR_REM_ID => n.u8().map(E::RemId),
            MPTCP_ATTR_SADDR4 => n.ipv4().map(E::Saddr4),
            MPTCP_ATTR_SADDR6 => n.ipv6_prefix().map(E::Saddr6),
            MPTCP_ATTR_DADDR4 => n.ipv4().map(E::Daddr4),
            MPTCP_ATTR_DADDR6 => n.ipv6_prefix().map(E::Daddr6),
            MPTCP_ATTR_SPORT => n.u16_be().map(E::Sport),
            MPTCP_ATTR_DPORT => n.u16_be().map(E::Dport),
            MPTCP_ATTR_BACKUP => n.u8().map(E::Backup),
            MPTCP_ATTR_ERROR => n.u8().map(E::Error),
            MPTCP_ATTR_FLAGS => n.u16().map(E::Flags),
            MPTCP_ATTR_TIMEOUT => n.u32().map(E::Timeout),
            MPTCP_ATTR_IF_IDX => n.i32().map(E::IfIdx),
            MPTCP_ATTR_RESET_REASON => n.u32().map(E::ResetReason),
            MPTCP_ATTR_RESET_FLAGS => n.u32().map(E::ResetFlags),
            MPTCP_ATTR_SERVER_SIDE => n.u8().map(E::ServerSide),
            _ => Ok(E::Other(n.into())),
        };
        attr.map_err(|e| e.at(event_attr_name(kind)))
    }

    pub fn emit(&self, out: &mut Vec<u8>) {
        use EventAttr as E;
        match *self {
            E::Token(v) => nla::put_u32(out, MPTCP_ATTR_TOKEN, v),
            E::Family(v) => nla::put_u16(out, MPTCP_ATTR_FAMILY, v),
            E::LocId(v) => nla::put_u8(out, MPTCP_ATTR_LOC_ID, v),
            E::RemId(v) => nla::put_u8(out, MPTCP_ATTR_REM_ID, v),
            E::Saddr4(a) => nla::put(out, MPTCP_ATTR_SADDR4, &a.octets()),
            E::Saddr6(a) => nla::put(out, MPTCP_ATTR_SADDR6, &a.octets()),
            E::Daddr4(a) => nla::put(out, MPTCP_ATTR_DADDR4, &a.octets()),
            E::Daddr6(a) => nla::put(out, MPTCP_ATTR_DADDR6, &a.octets()),
            E::Sport(v) => nla::put_u16_be(out, MPTCP_ATTR_SPORT, v),
            E::Dport(v) => nla::put_u16_be(out, MPTCP_ATTR_DPORT, v),
            E::Backup(v) => nla::put_u8(out, MPTCP_ATTR_BACKUP, v),
            E::Error(v) => nla::put_u8(out, MPTCP_ATTR_ERROR, v),
            E::Flags(v) => nla::put_u16(out, MPTCP_ATTR_FLAGS, v),
            E::Timeout(v) => nla::put_u32(out, MPTCP_ATTR_TIMEOUT, v),
            E::IfIdx(v) => nla::put_i32(out, MPTCP_ATTR_IF_IDX, v),
            E::ResetReason(v) => nla::put_u32(out, MPTCP_ATTR_RESET_REASON, v),
            E::ResetFlags(v) => nla::put_u32(out, MPTCP_ATTR_RESET_FLAGS, v),
            E::ServerSide(v) => nla::put_u8(out, MPTCP_ATTR_SERVER_SIDE, v),
            E::Other(r) => nla::put(out, r.raw_type, r.value),
        }
    }

    fn buffer_len(&self) -> usize {
        use EventAttr as E;
        nla::attr_size(match self {
            E::LocId(_) | E::RemId(_) | E::Backup(_) | E::Error(_) | E::ServerSide(_) => 1,
            E::Family(_) | E::Sport(_) | E::Dport(_) | E::Flags(_) => 2,
            E::Token(_)
            | E::Saddr4(_)
            | E::Daddr4(_)
            | E::Timeout(_)
            | E::IfIdx(_)
            | E::ResetReason(_)
            | E::ResetFlags(_) => 4,
            E::Saddr6(_) | E::Daddr6(_) => 16,
            E::Other(r) => r.value.len(),
        })
    }
}

/// A whole event payload (what follows `nlmsghdr`), wire level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventMessage<'a> {
    pub event: PmEventType,
    pub version: u8,
    pub reserved: u16,
    pub attrs: Vec<EventAttr<'a>>,
}

impl<'a> EventMessage<'a> {
    pub fn parse(payload: &'a [u8]) -> Result<Self, DecodeError> {
        let (hdr, rest) = GenlHeader::split(payload)?;
        let event = PmEventType::from(hdr.cmd);
        let attrs = NlaIter::new(rest)
            .map(|n| n.and_then(EventAttr::parse))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.within(event.name()))?;
        Ok(EventMessage {
            event,
            version: hdr.version,
            reserved: hdr.reserved,
            attrs,
        })
    }

    /// Exactly the number of bytes [`EventMessage::emit`] appends.
    pub fn buffer_len(&self) -> usize {
        GENL_HDRLEN + self.attrs.iter().map(EventAttr::buffer_len).sum::<usize>()
    }

    pub fn emit(&self, out: &mut Vec<u8>) {
        GenlHeader {
            cmd: self.event.into(),
            version: self.version,
            reserved: self.reserved,
        }
        .emit(out);
        for a in &self.attrs {
            a.emit(out);
        }
    }
}
