// SPDX-License-Identifier: BSD-3-Clause
//! The wire level of requests and replies: a `mptcp_pm` message as the
//! kernel sees it, attribute by attribute and in order, so that parsing and
//! emitting round-trip byte for byte. Unknown commands and attributes are
//! kept (`Other`), never rejected.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::consts::*;
use super::error::DecodeError;
use super::genl::GenlHeader;
use super::nla::{self, Nla, NlaIter};
use crate::flags::AddrFlags;

/// `enum mptcp_pm_command`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PmCmd {
    AddAddr,
    DelAddr,
    GetAddr,
    FlushAddrs,
    SetLimits,
    GetLimits,
    SetFlags,
    Announce,
    Remove,
    SubflowCreate,
    SubflowDestroy,
    Other(u8),
}

impl From<u8> for PmCmd {
    fn from(v: u8) -> Self {
        match v {
            MPTCP_PM_CMD_ADD_ADDR => PmCmd::AddAddr,
            MPTCP_PM_CMD_DEL_ADDR => PmCmd::DelAddr,
            MPTCP_PM_CMD_GET_ADDR => PmCmd::GetAddr,
            MPTCP_PM_CMD_FLUSH_ADDRS => PmCmd::FlushAddrs,
            MPTCP_PM_CMD_SET_LIMITS => PmCmd::SetLimits,
            MPTCP_PM_CMD_GET_LIMITS => PmCmd::GetLimits,
            MPTCP_PM_CMD_SET_FLAGS => PmCmd::SetFlags,
            MPTCP_PM_CMD_ANNOUNCE => PmCmd::Announce,
            MPTCP_PM_CMD_REMOVE => PmCmd::Remove,
            MPTCP_PM_CMD_SUBFLOW_CREATE => PmCmd::SubflowCreate,
            MPTCP_PM_CMD_SUBFLOW_DESTROY => PmCmd::SubflowDestroy,
            other => PmCmd::Other(other),
        }
    }
}

impl From<PmCmd> for u8 {
    fn from(c: PmCmd) -> u8 {
        match c {
            PmCmd::AddAddr => MPTCP_PM_CMD_ADD_ADDR,
            PmCmd::DelAddr => MPTCP_PM_CMD_DEL_ADDR,
            PmCmd::GetAddr => MPTCP_PM_CMD_GET_ADDR,
            PmCmd::FlushAddrs => MPTCP_PM_CMD_FLUSH_ADDRS,
            PmCmd::SetLimits => MPTCP_PM_CMD_SET_LIMITS,
            PmCmd::GetLimits => MPTCP_PM_CMD_GET_LIMITS,
            PmCmd::SetFlags => MPTCP_PM_CMD_SET_FLAGS,
            PmCmd::Announce => MPTCP_PM_CMD_ANNOUNCE,
            PmCmd::Remove => MPTCP_PM_CMD_REMOVE,
            PmCmd::SubflowCreate => MPTCP_PM_CMD_SUBFLOW_CREATE,
            PmCmd::SubflowDestroy => MPTCP_PM_CMD_SUBFLOW_DESTROY,
            PmCmd::Other(v) => v,
        }
    }
}

/// An attribute this codec does not interpret, kept verbatim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawNla<'a> {
    /// `nla_type` as received, flag bits included.
    pub raw_type: u16,
    pub value: &'a [u8],
}

impl<'a> From<Nla<'a>> for RawNla<'a> {
    fn from(n: Nla<'a>) -> Self {
        RawNla {
            raw_type: n.raw_type(),
            value: n.payload,
        }
    }
}

/// One attribute of an address nest (`MPTCP_PM_ADDR_ATTR_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddrAttr<'a> {
    Family(u16),
    Id(u8),
    Addr4(Ipv4Addr),
    Addr6(Ipv6Addr),
    /// Host order on the wire.
    Port(u16),
    Flags(AddrFlags),
    IfIdx(i32),
    Other(RawNla<'a>),
}

impl<'a> AddrAttr<'a> {
    pub fn parse(n: Nla<'a>) -> Result<Self, DecodeError> {
        let kind = n.kind;
        let attr = match kind {
            MPTCP_PM_ADDR_ATTR_FAMILY => n.u16().map(AddrAttr::Family),
            MPTCP_PM_ADDR_ATTR_ID => n.u8().map(AddrAttr::Id),
            MPTCP_PM_ADDR_ATTR_ADDR4 => n.ipv4().map(AddrAttr::Addr4),
            MPTCP_PM_ADDR_ATTR_ADDR6 => n.ipv6().map(AddrAttr::Addr6),
            MPTCP_PM_ADDR_ATTR_PORT => n.u16().map(AddrAttr::Port),
            MPTCP_PM_ADDR_ATTR_FLAGS => n.u32().map(|f| AddrAttr::Flags(AddrFlags(f))),
            MPTCP_PM_ADDR_ATTR_IF_IDX => n.i32().map(AddrAttr::IfIdx),
            _ => Ok(AddrAttr::Other(n.into())),
        };
        attr.map_err(|e| e.at(addr_attr_name(kind)))
    }

    pub fn emit(&self, out: &mut Vec<u8>) {
        match *self {
            AddrAttr::Family(v) => nla::put_u16(out, MPTCP_PM_ADDR_ATTR_FAMILY, v),
            AddrAttr::Id(v) => nla::put_u8(out, MPTCP_PM_ADDR_ATTR_ID, v),
            AddrAttr::Addr4(a) => nla::put(out, MPTCP_PM_ADDR_ATTR_ADDR4, &a.octets()),
            AddrAttr::Addr6(a) => nla::put(out, MPTCP_PM_ADDR_ATTR_ADDR6, &a.octets()),
            AddrAttr::Port(v) => nla::put_u16(out, MPTCP_PM_ADDR_ATTR_PORT, v),
            AddrAttr::Flags(f) => nla::put_u32(out, MPTCP_PM_ADDR_ATTR_FLAGS, f.bits()),
            AddrAttr::IfIdx(v) => nla::put_i32(out, MPTCP_PM_ADDR_ATTR_IF_IDX, v),
            AddrAttr::Other(r) => nla::put(out, r.raw_type, r.value),
        }
    }

    fn buffer_len(&self) -> usize {
        nla::attr_size(match self {
            AddrAttr::Id(_) => 1,
            AddrAttr::Family(_) | AddrAttr::Port(_) => 2,
            AddrAttr::Addr4(_) | AddrAttr::Flags(_) | AddrAttr::IfIdx(_) => 4,
            AddrAttr::Addr6(_) => 16,
            AddrAttr::Other(r) => r.value.len(),
        })
    }
}

/// The content of `MPTCP_PM_ATTR_ADDR` or `MPTCP_PM_ATTR_ADDR_REMOTE`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AddrNest<'a>(pub Vec<AddrAttr<'a>>);

impl<'a> AddrNest<'a> {
    pub fn parse(buf: &'a [u8]) -> Result<Self, DecodeError> {
        NlaIter::new(buf)
            .map(|n| n.and_then(AddrAttr::parse))
            .collect::<Result<Vec<_>, _>>()
            .map(AddrNest)
    }

    fn emit(&self, out: &mut Vec<u8>, kind: u16) {
        let start = nla::nest_start(out, kind);
        for a in &self.0 {
            a.emit(out);
        }
        nla::nest_end(out, start);
    }

    fn buffer_len(&self) -> usize {
        NLA_HDRLEN + self.0.iter().map(AddrAttr::buffer_len).sum::<usize>()
    }
}

/// A top-level attribute of a request or reply (`MPTCP_PM_ATTR_*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PmAttr<'a> {
    Addr(AddrNest<'a>),
    RcvAddAddrs(u32),
    Subflows(u32),
    Token(u32),
    LocId(u8),
    AddrRemote(AddrNest<'a>),
    Other(RawNla<'a>),
}

impl<'a> PmAttr<'a> {
    pub fn parse(n: Nla<'a>) -> Result<Self, DecodeError> {
        let kind = n.kind;
        let attr = match kind {
            MPTCP_PM_ATTR_ADDR => AddrNest::parse(n.payload).map(PmAttr::Addr),
            MPTCP_PM_ATTR_RCV_ADD_ADDRS => n.u32().map(PmAttr::RcvAddAddrs),
            MPTCP_PM_ATTR_SUBFLOWS => n.u32().map(PmAttr::Subflows),
            MPTCP_PM_ATTR_TOKEN => n.u32().map(PmAttr::Token),
            MPTCP_PM_ATTR_LOC_ID => n.u8().map(PmAttr::LocId),
            MPTCP_PM_ATTR_ADDR_REMOTE => AddrNest::parse(n.payload).map(PmAttr::AddrRemote),
            _ => Ok(PmAttr::Other(n.into())),
        };
        attr.map_err(|e| e.at(pm_attr_name(kind)))
    }

    pub fn emit(&self, out: &mut Vec<u8>) {
        match self {
            PmAttr::Addr(a) => a.emit(out, MPTCP_PM_ATTR_ADDR),
            PmAttr::RcvAddAddrs(v) => nla::put_u32(out, MPTCP_PM_ATTR_RCV_ADD_ADDRS, *v),
            PmAttr::Subflows(v) => nla::put_u32(out, MPTCP_PM_ATTR_SUBFLOWS, *v),
            PmAttr::Token(v) => nla::put_u32(out, MPTCP_PM_ATTR_TOKEN, *v),
            PmAttr::LocId(v) => nla::put_u8(out, MPTCP_PM_ATTR_LOC_ID, *v),
            PmAttr::AddrRemote(a) => a.emit(out, MPTCP_PM_ATTR_ADDR_REMOTE),
            PmAttr::Other(r) => nla::put(out, r.raw_type, r.value),
        }
    }

    fn buffer_len(&self) -> usize {
        match self {
            PmAttr::Addr(a) | PmAttr::AddrRemote(a) => a.buffer_len(),
            PmAttr::LocId(_) => nla::attr_size(1),
            PmAttr::RcvAddAddrs(_) | PmAttr::Subflows(_) | PmAttr::Token(_) => nla::attr_size(4),
            PmAttr::Other(r) => nla::attr_size(r.value.len()),
        }
    }
}

/// A whole `mptcp_pm` request or reply payload (what follows `nlmsghdr`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PmMessage<'a> {
    pub cmd: PmCmd,
    pub version: u8,
    pub reserved: u16,
    pub attrs: Vec<PmAttr<'a>>,
}

impl<'a> PmMessage<'a> {
    /// A request: version [`MPTCP_PM_VER`], reserved 0.
    pub fn new(cmd: PmCmd, attrs: Vec<PmAttr<'a>>) -> Self {
        PmMessage {
            cmd,
            version: MPTCP_PM_VER,
            reserved: 0,
            attrs,
        }
    }

    pub fn parse(payload: &'a [u8]) -> Result<Self, DecodeError> {
        let (hdr, rest) = GenlHeader::split(payload)?;
        let attrs = NlaIter::new(rest)
            .map(|n| n.and_then(PmAttr::parse))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(PmMessage {
            cmd: PmCmd::from(hdr.cmd),
            version: hdr.version,
            reserved: hdr.reserved,
            attrs,
        })
    }

    /// Exactly the number of bytes [`PmMessage::emit`] appends.
    pub fn buffer_len(&self) -> usize {
        GENL_HDRLEN + self.attrs.iter().map(PmAttr::buffer_len).sum::<usize>()
    }

    /// Appends the genl header and the attributes.
    pub fn emit(&self, out: &mut Vec<u8>) {
        GenlHeader {
            cmd: self.cmd.into(),
            version: self.version,
            reserved: self.reserved,
        }
        .emit(out);
        for a in &self.attrs {
            a.emit(out);
        }
    }
}
