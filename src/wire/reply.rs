// SPDX-License-Identifier: BSD-3-Clause
//! Replies, wire level to domain level: a GET_ADDR answer (do or dump
//! entry) into an [`Endpoint`], a GET_LIMITS answer into [`Limits`].
//! Allocation-free, like the event path.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::consts::*;
use super::error::DecodeError;
use super::genl::GenlHeader;
use super::message::AddrAttr;
use super::nla::NlaIter;
use crate::flags::AddrFlags;
use crate::pm::{Endpoint, Limits};

const GET_ADDR_REPLY: &str = "GET_ADDR reply";
const GET_LIMITS_REPLY: &str = "GET_LIMITS reply";

/// The attributes of one address nest, `None` when absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AddrFields {
    pub family: Option<u16>,
    pub id: Option<u8>,
    pub addr4: Option<Ipv4Addr>,
    pub addr6: Option<Ipv6Addr>,
    pub port: Option<u16>,
    pub flags: Option<AddrFlags>,
    pub if_idx: Option<i32>,
}

impl AddrFields {
    pub fn parse(nest: &[u8]) -> Result<Self, DecodeError> {
        let mut f = AddrFields::default();
        for n in NlaIter::new(nest) {
            match AddrAttr::parse(n?)? {
                AddrAttr::Family(v) => f.family = Some(v),
                AddrAttr::Id(v) => f.id = Some(v),
                AddrAttr::Addr4(v) => f.addr4 = Some(v),
                AddrAttr::Addr6(v) => f.addr6 = Some(v),
                AddrAttr::Port(v) => f.port = Some(v),
                AddrAttr::Flags(v) => f.flags = Some(v),
                AddrAttr::IfIdx(v) => f.if_idx = Some(v),
                AddrAttr::Other(_) => {}
            }
        }
        Ok(f)
    }

    /// FAMILY, the address it names, ID and FLAGS are required (the kernel
    /// always sends them); PORT and IF_IDX are optional and map to 0, which
    /// [`Endpoint`] defines as "absent".
    pub fn to_endpoint(&self) -> Result<Endpoint, DecodeError> {
        let family = self
            .family
            .ok_or(DecodeError::missing("MPTCP_PM_ADDR_ATTR_FAMILY"))?;
        let addr = match family {
            AF_INET => IpAddr::V4(
                self.addr4
                    .ok_or(DecodeError::missing("MPTCP_PM_ADDR_ATTR_ADDR4"))?,
            ),
            AF_INET6 => IpAddr::V6(
                self.addr6
                    .ok_or(DecodeError::missing("MPTCP_PM_ADDR_ATTR_ADDR6"))?,
            ),
            _ => {
                return Err(DecodeError::invalid(
                    "MPTCP_PM_ADDR_ATTR_FAMILY",
                    "unknown address family",
                ));
            }
        };
        Ok(Endpoint {
            id: self
                .id
                .ok_or(DecodeError::missing("MPTCP_PM_ADDR_ATTR_ID"))?,
            addr,
            port: self.port.unwrap_or(0),
            flags: self
                .flags
                .ok_or(DecodeError::missing("MPTCP_PM_ADDR_ATTR_FLAGS"))?,
            ifindex: self.if_idx.unwrap_or(0),
        })
    }
}

/// Decodes a GET_ADDR reply or one message of a GET_ADDR dump (the bytes
/// after `nlmsghdr`). The genl cmd is not checked: kernels have answered
/// dumps with both GET_ADDR and ADD_ADDR, and the caller matched the reply
/// to its request by sequence number already.
pub fn decode_endpoint(payload: &[u8]) -> Result<Endpoint, DecodeError> {
    let inner = || {
        let (_, attrs) = GenlHeader::split(payload)?;
        let mut nest = None;
        for n in NlaIter::new(attrs) {
            let n = n?;
            if n.kind == MPTCP_PM_ATTR_ADDR {
                nest = Some(n.payload);
            }
        }
        let nest = nest.ok_or(DecodeError::missing("MPTCP_PM_ATTR_ADDR"))?;
        AddrFields::parse(nest)
            .and_then(|f| f.to_endpoint())
            .map_err(|e| e.at("MPTCP_PM_ATTR_ADDR"))
    };
    inner().map_err(|e: DecodeError| e.within(GET_ADDR_REPLY))
}

/// Decodes a GET_LIMITS reply. Both limits are required: the kernel always
/// reports both, so an absent one means a malformed reply, not "unchanged".
pub fn decode_limits(payload: &[u8]) -> Result<Limits, DecodeError> {
    let inner = || {
        let (_, attrs) = GenlHeader::split(payload)?;
        let (mut rcv, mut subflows) = (None, None);
        for n in NlaIter::new(attrs) {
            let n = n?;
            match n.kind {
                MPTCP_PM_ATTR_RCV_ADD_ADDRS => {
                    rcv = Some(n.u32().map_err(|e| e.at("MPTCP_PM_ATTR_RCV_ADD_ADDRS"))?)
                }
                MPTCP_PM_ATTR_SUBFLOWS => {
                    subflows = Some(n.u32().map_err(|e| e.at("MPTCP_PM_ATTR_SUBFLOWS"))?)
                }
                _ => {}
            }
        }
        Ok(Limits {
            add_addr_accepted: Some(
                rcv.ok_or(DecodeError::missing("MPTCP_PM_ATTR_RCV_ADD_ADDRS"))?,
            ),
            subflows: Some(subflows.ok_or(DecodeError::missing("MPTCP_PM_ATTR_SUBFLOWS"))?),
        })
    };
    inner().map_err(|e: DecodeError| e.within(GET_LIMITS_REPLY))
}
