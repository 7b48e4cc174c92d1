// SPDX-License-Identifier: BSD-3-Clause
//! Events, domain level: the attributes of one event collected into a flat
//! set of optionals, then checked per event type into a [`PmEvent`].
//!
//! Nothing here allocates: [`decode_event`] runs for every multicast
//! message and must stay cheap (tests/wire_alloc.rs checks it).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use super::consts::*;
use super::error::DecodeError;
use super::genl::GenlHeader;
use super::nla::NlaIter;
use super::notify::{EventAttr, PmEventType};
use crate::pm::{ConnInfo, PmEvent, SubflowInfo, Token};

/// Every known event attribute, `None` when absent. A repeated attribute
/// keeps its last value, as the kernel's own `nla_parse` does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EventAttrs {
    pub token: Option<u32>,
    pub family: Option<u16>,
    pub loc_id: Option<u8>,
    pub rem_id: Option<u8>,
    pub saddr4: Option<Ipv4Addr>,
    pub saddr6: Option<Ipv6Addr>,
    pub daddr4: Option<Ipv4Addr>,
    pub daddr6: Option<Ipv6Addr>,
    /// Host order (converted from the network-order attribute).
    pub sport: Option<u16>,
    pub dport: Option<u16>,
    pub backup: Option<u8>,
    pub error: Option<u8>,
    pub flags: Option<u16>,
    pub timeout: Option<u32>,
    pub if_idx: Option<i32>,
    pub reset_reason: Option<u32>,
    pub reset_flags: Option<u32>,
    pub server_side: Option<u8>,
}

impl EventAttrs {
    /// Collects the attributes that follow the genl header. Unknown ones
    /// are skipped; a known one of the wrong size is an error.
    pub fn parse(attrs: &[u8]) -> Result<Self, DecodeError> {
        let mut a = EventAttrs::default();
        for n in NlaIter::new(attrs) {
            match EventAttr::parse(n?)? {
                EventAttr::Token(v) => a.token = Some(v),
                EventAttr::Family(v) => a.family = Some(v),
                EventAttr::LocId(v) => a.loc_id = Some(v),
                EventAttr::RemId(v) => a.rem_id = Some(v),
                EventAttr::Saddr4(v) => a.saddr4 = Some(v),
                EventAttr::Saddr6(v) => a.saddr6 = Some(v),
                EventAttr::Daddr4(v) => a.daddr4 = Some(v),
                EventAttr::Daddr6(v) => a.daddr6 = Some(v),
                EventAttr::Sport(v) => a.sport = Some(v),
                EventAttr::Dport(v) => a.dport = Some(v),
                EventAttr::Backup(v) => a.backup = Some(v),
                EventAttr::Error(v) => a.error = Some(v),
                EventAttr::Flags(v) => a.flags = Some(v),
                EventAttr::Timeout(v) => a.timeout = Some(v),
                EventAttr::IfIdx(v) => a.if_idx = Some(v),
                EventAttr::ResetReason(v) => a.reset_reason = Some(v),
                EventAttr::ResetFlags(v) => a.reset_flags = Some(v),
                EventAttr::ServerSide(v) => a.server_side = Some(v),
                EventAttr::Other(_) => {}
            }
        }
        Ok(a)
    }

    /// Checks the attributes `event` requires and builds the domain event;
    /// `None` for an event type this daemon does not know.
    ///
    /// Required, per event (what Linux has always sent for it):
    /// - CREATED, ESTABLISHED: TOKEN, FAMILY, SADDR4/6, DADDR4/6, SPORT, DPORT
    /// - CLOSED: TOKEN
    /// - ANNOUNCED: TOKEN, REM_ID, DADDR4 or DADDR6 (no FAMILY), DPORT
    /// - REMOVED: TOKEN, REM_ID
    /// - SUB_ESTABLISHED, SUB_CLOSED, SUB_PRIORITY: as CREATED plus LOC_ID,
    ///   REM_ID, BACKUP
    /// - LISTENER_CREATED, LISTENER_CLOSED: FAMILY, SADDR4/6, SPORT
    pub fn to_event(&self, event: PmEventType) -> Result<Option<PmEvent>, DecodeError> {
        let ev = match event {
            PmEventType::Created => PmEvent::Created(self.conn()?),
            PmEventType::Established => PmEvent::Established(self.conn()?),
            PmEventType::Closed => PmEvent::Closed {
                token: self.token()?,
            },
            PmEventType::Announced => PmEvent::Announced {
                token: self.token()?,
                rem_id: req(self.rem_id, MPTCP_ATTR_REM_ID)?,
                addr: SocketAddr::new(self.announced_addr()?, req(self.dport, MPTCP_ATTR_DPORT)?),
            },
            PmEventType::Removed => PmEvent::Removed {
                token: self.token()?,
                rem_id: req(self.rem_id, MPTCP_ATTR_REM_ID)?,
            },
            PmEventType::SubEstablished => PmEvent::SubEstablished(self.subflow()?),
            PmEventType::SubClosed => PmEvent::SubClosed(self.subflow()?),
            PmEventType::SubPriority => PmEvent::SubPriority(self.subflow()?),
            PmEventType::ListenerCreated => PmEvent::ListenerCreated(self.local()?),
            PmEventType::ListenerClosed => PmEvent::ListenerClosed(self.local()?),
            PmEventType::Other(_) => return Ok(None),
        };
        Ok(Some(ev))
    }

    fn token(&self) -> Result<Token, DecodeError> {
        req(self.token, MPTCP_ATTR_TOKEN)
    }

    /// The family decides which of the two address attributes must be
    /// there; the other one, if sent anyway, is ignored.
    fn is_v6(&self) -> Result<bool, DecodeError> {
        match req(self.family, MPTCP_ATTR_FAMILY)? {
            AF_INET => Ok(false),
            AF_INET6 => Ok(true),
            _ => Err(DecodeError::invalid(
                "MPTCP_ATTR_FAMILY",
                "unknown address family",
            )),
        }
    }

    fn local(&self) -> Result<SocketAddr, DecodeError> {
        let ip = if self.is_v6()? {
            IpAddr::V6(req(self.saddr6, MPTCP_ATTR_SADDR6)?)
        } else {
            IpAddr::V4(req(self.saddr4, MPTCP_ATTR_SADDR4)?)
        };
        Ok(SocketAddr::new(ip, req(self.sport, MPTCP_ATTR_SPORT)?))
    }

    fn remote(&self) -> Result<SocketAddr, DecodeError> {
        let ip = if self.is_v6()? {
            IpAddr::V6(req(self.daddr6, MPTCP_ATTR_DADDR6)?)
        } else {
            IpAddr::V4(req(self.daddr4, MPTCP_ATTR_DADDR4)?)
        };
        Ok(SocketAddr::new(ip, req(self.dport, MPTCP_ATTR_DPORT)?))
    }

    /// ANNOUNCED carries no FAMILY: the address attribute present decides.
    fn announced_addr(&self) -> Result<IpAddr, DecodeError> {
        match (self.daddr4, self.daddr6) {
            (Some(a), None) => Ok(IpAddr::V4(a)),
            (None, Some(a)) => Ok(IpAddr::V6(a)),
            (None, None) => Err(DecodeError::missing(
                "MPTCP_ATTR_DADDR4 or MPTCP_ATTR_DADDR6",
            )),
            (Some(_), Some(_)) => Err(DecodeError::invalid(
                "MPTCP_ATTR_DADDR4 and MPTCP_ATTR_DADDR6",
                "both present",
            )),
        }
    }

    fn flag(&self, bit: u16) -> bool {
        self.flags.is_some_and(|f| f & bit != 0)
    }

    fn conn(&self) -> Result<ConnInfo, DecodeError> {
        Ok(ConnInfo {
            token: self.token()?,
            local: self.local()?,
            remote: self.remote()?,
            server_side: self.flag(MPTCP_PM_EV_FLAG_SERVER_SIDE) || self.server_side == Some(1),
            deny_join_id0: self.flag(MPTCP_PM_EV_FLAG_DENY_JOIN_ID0),
        })
    }

    fn subflow(&self) -> Result<SubflowInfo, DecodeError> {
        Ok(SubflowInfo {
            token: self.token()?,
            local: self.local()?,
            remote: self.remote()?,
            loc_id: req(self.loc_id, MPTCP_ATTR_LOC_ID)?,
            rem_id: req(self.rem_id, MPTCP_ATTR_REM_ID)?,
            backup: req(self.backup, MPTCP_ATTR_BACKUP)? != 0,
            ifindex: self.if_idx,
            error: self.error,
            reset_reason: self.reset_reason,
            reset_flags: self.reset_flags,
        })
    }
}

fn req<T>(v: Option<T>, kind: u16) -> Result<T, DecodeError> {
    v.ok_or(DecodeError::missing(event_attr_name(kind)))
}

/// Decodes one `mptcp_pm_events` message (the bytes after `nlmsghdr`).
///
/// `Ok(None)` for an event type this daemon does not know (a newer
/// kernel's): the caller may log it and carry on. Errors name the event
/// and the attribute. Never allocates.
pub fn decode_event(payload: &[u8]) -> Result<Option<PmEvent>, DecodeError> {
    let (hdr, attrs) = GenlHeader::split(payload).map_err(|e| e.within("event"))?;
    let event = PmEventType::from(hdr.cmd);
    if let PmEventType::Other(_) = event {
        return Ok(None);
    }
    EventAttrs::parse(attrs)
        .and_then(|a| a.to_event(event))
        .map_err(|e| e.within(event.name()))
}
