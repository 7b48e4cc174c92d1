// SPDX-License-Identifier: BSD-3-Clause
//! Commands, domain level to wire level: a [`Command`] becomes a
//! [`PmMessage`].
//!
//! Inside address nests the attributes go in iproute2's order (ID, FLAGS,
//! IF_IDX, PORT, FAMILY, address), so that our requests are byte-identical
//! to what `ip mptcp` sends for the same operation (see the golden vectors).
//! Optional fields that are 0 are left out, as iproute2 and mptcpd do.

use std::net::{IpAddr, SocketAddr};

use super::consts::{AF_INET, AF_INET6};
use super::message::{AddrAttr, AddrNest, PmAttr, PmCmd, PmMessage};
use crate::flags::AddrFlags;
use crate::pm::{Command, Endpoint};

/// Which optional parts of an endpoint go into a nest.
#[derive(Clone, Copy)]
struct Nest {
    /// Send ID even when 0 (the kernel requires it, or 0 is meaningful).
    id_always: bool,
    /// Send FLAGS even when empty.
    flags_always: bool,
    /// Send FAMILY and the address (kPM by-id requests leave them out).
    address: bool,
}

fn endpoint_nest(ep: &Endpoint, flags: AddrFlags, how: Nest) -> AddrNest<'static> {
    let mut v = Vec::with_capacity(6);
    if ep.id != 0 || how.id_always {
        v.push(AddrAttr::Id(ep.id));
    }
    if !flags.is_empty() || how.flags_always {
        v.push(AddrAttr::Flags(flags));
    }
    if ep.ifindex != 0 {
        v.push(AddrAttr::IfIdx(ep.ifindex));
    }
    if ep.port != 0 {
        v.push(AddrAttr::Port(ep.port));
    }
    if how.address {
        push_ip(&mut v, ep.addr);
    }
    AddrNest(v)
}

fn push_ip(v: &mut Vec<AddrAttr<'static>>, ip: IpAddr) {
    match ip {
        IpAddr::V4(a) => {
            v.push(AddrAttr::Family(AF_INET));
            v.push(AddrAttr::Addr4(a));
        }
        IpAddr::V6(a) => {
            v.push(AddrAttr::Family(AF_INET6));
            v.push(AddrAttr::Addr6(a));
        }
    }
}

/// A remote (or destroy-side local) address: PORT if non-zero, then the
/// address. The kernel ignores an ID here, so none is sent.
fn socket_nest(sa: SocketAddr) -> AddrNest<'static> {
    let mut v = Vec::with_capacity(3);
    if sa.port() != 0 {
        v.push(AddrAttr::Port(sa.port()));
    }
    push_ip(&mut v, sa.ip());
    AddrNest(v)
}

fn id_nest(id: u8) -> AddrNest<'static> {
    AddrNest(vec![AddrAttr::Id(id)])
}

const OPTIONAL: Nest = Nest {
    id_always: false,
    flags_always: false,
    address: true,
};

/// The wire message for `cmd`.
///
/// Notes per command:
/// - `SetFlags` always carries FLAGS (empty = clear backup/fullmesh). Without
///   a token and with a non-zero id it goes by id only (the kernel looks an
///   endpoint up by address whenever FAMILY is present), so `local.addr` is
///   not sent then.
/// - `Announce` always carries ID and FLAGS with SIGNAL added.
/// - `SubflowCreate` always carries the local ID (0 names the initial
///   subflow's address).
/// - `DelAddr`/`GetAddr` carry only the ID: the kernel goes by id.
pub fn command_message(cmd: &Command) -> PmMessage<'static> {
    use PmAttr::{Addr, AddrRemote, Token};
    let (c, attrs) = match *cmd {
        Command::AddAddr(ep) => (
            PmCmd::AddAddr,
            vec![Addr(endpoint_nest(&ep, ep.flags, OPTIONAL))],
        ),
        Command::DelAddr { id } => (PmCmd::DelAddr, vec![Addr(id_nest(id))]),
        Command::GetAddr { id } => (PmCmd::GetAddr, vec![Addr(id_nest(id))]),
        Command::DumpAddrs { token } => (PmCmd::GetAddr, token.map(Token).into_iter().collect()),
        Command::FlushAddrs => (PmCmd::FlushAddrs, vec![]),
        Command::SetLimits(l) => {
            let mut v = Vec::with_capacity(2);
            v.extend(l.add_addr_accepted.map(PmAttr::RcvAddAddrs));
            v.extend(l.subflows.map(PmAttr::Subflows));
            (PmCmd::SetLimits, v)
        }
        Command::GetLimits => (PmCmd::GetLimits, vec![]),
        Command::SetFlags {
            token,
            local,
            remote,
        } => {
            let how = Nest {
                id_always: false,
                flags_always: true,
                address: token.is_some() || local.id == 0,
            };
            let mut v = Vec::with_capacity(3);
            v.extend(token.map(Token));
            v.push(Addr(endpoint_nest(&local, local.flags, how)));
            v.extend(remote.map(|r| AddrRemote(socket_nest(r))));
            (PmCmd::SetFlags, v)
        }
        Command::Announce { token, addr } => {
            let how = Nest {
                id_always: true,
                flags_always: true,
                address: true,
            };
            let nest = endpoint_nest(&addr, addr.flags | AddrFlags::SIGNAL, how);
            (PmCmd::Announce, vec![Token(token), Addr(nest)])
        }
        Command::Remove { token, loc_id } => {
            (PmCmd::Remove, vec![Token(token), PmAttr::LocId(loc_id)])
        }
        Command::SubflowCreate {
            token,
            local,
            remote,
        } => {
            let how = Nest {
                id_always: true,
                ..OPTIONAL
            };
            let nest = endpoint_nest(&local, local.flags, how);
            (
                PmCmd::SubflowCreate,
                vec![Token(token), Addr(nest), AddrRemote(socket_nest(remote))],
            )
        }
        Command::SubflowDestroy {
            token,
            local,
            remote,
        } => (
            PmCmd::SubflowDestroy,
            vec![
                Token(token),
                Addr(socket_nest(local)),
                AddrRemote(socket_nest(remote)),
            ],
        ),
    };
    PmMessage::new(c, attrs)
}

/// Appends the generic-netlink payload of `cmd` (genl header, version
/// [`MPTCP_PM_VER`](super::consts::MPTCP_PM_VER), attributes): the bytes
/// that follow the 16-byte `nlmsghdr`.
pub fn encode_command(cmd: &Command, out: &mut Vec<u8>) {
    command_message(cmd).emit(out);
}

/// Whether `cmd` must be sent with `NLM_F_DUMP` (its answer is a series of
/// messages ending in `NLMSG_DONE`).
pub fn is_dump(cmd: &Command) -> bool {
    matches!(cmd, Command::DumpAddrs { .. })
}
