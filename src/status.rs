// SPDX-License-Identifier: BSD-3-Clause
//! The status report: what the daemon uses, why it leaves the rest alone,
//! what it owns in the kernel, and counters. Pure data, built by
//! [`crate::daemon::Daemon::status`]; the event loop serves it (control
//! socket, `mptcpd --status`) as [`Status::to_json`] for programs and
//! [`Status::to_text`] for people.
//!
//! # JSON schema (version 1)
//!
//! One object; keys are stable, new keys may be added, none is renamed
//! without bumping `version`. Flags are arrays of words (unknown bits as
//! `"0x.."` strings), addresses are strings, socket addresses are
//! `"192.0.2.1:80"` / `"[2001:db8::1]:80"`.
//!
//! - `version`: 1.
//! - `path_manager`: the running policy's name.
//! - `phase`: `idle`, `starting`, `running`, `stopping`, `stopped`.
//! - `interfaces`: every interface the kernel reported, in its order:
//!   `index`, `name`, `flags` (`IFF_*` number), `up`, `running`
//!   (carrier), `loopback`, `use` (why it is used or not: `used`,
//!   `excluded` by a rule, `unlisted` while `unlisted-interfaces=ignore`,
//!   `link-down`, `no-carrier`, `loopback`), `addr_flags` (endpoint
//!   flags for its addresses, `null` unless used), `connections` and
//!   `subflows` (counted from the policy's connections, see below), and
//!   `addresses`: `address`, `prefix_len`, `state`, one of `used`,
//!   `tentative`, `dadfailed`, `deprecated`, `no-route` (no default route
//!   under `check_route`), `route-pending` (first route check not
//!   answered yet), `skipped` (`skip_link_local` / `skip_loopback`),
//!   `not-existing` (present at start without `existing`), `excluded`
//!   (its interface is excluded or unlisted), `interface-unused` (its
//!   interface is down, without carrier or loopback).
//! - `endpoints`: in-kernel PM endpoints the daemon owns: `id`,
//!   `address`, `port` (0 = none), `flags`, `ifindex` (0 = none).
//! - `connections`: from the policy, if it tracks them (addr_adv does
//!   not): `token`, `local`, `remote` (the initial subflow),
//!   `server_side`, `subflows` (the others): `local`, `remote`, `loc_id`,
//!   `rem_id`, `backup`, `ifindex` (`null` when not bound to a device).
//! - `counters`: `mptcp_events` (object, one key per event kind:
//!   `created`, `established`, `closed`, `announced`, `removed`,
//!   `sub_established`, `sub_closed`, `sub_priority`, `listener_created`,
//!   `listener_closed`), `rtnl_events`, `resyncs` (`rtnl_overrun`,
//!   `events_lost`), `reloads`, `commands_sent`, `kernel_errors` (array of
//!   `errno`, `name` (`null` if unknown), `count`).
//!
//! Example (wrapped here; the real output is one line):
//!
//! ```text
//! {"version":1,"path_manager":"addr_adv","phase":"running",
//!  "interfaces":[{"index":2,"name":"eth1","flags":69699,"up":true,
//!   "running":true,"loopback":false,"use":"used","addr_flags":["subflow"],
//!   "connections":0,"subflows":0,"addresses":[{"address":"192.0.2.1",
//!   "prefix_len":24,"state":"used"}]},{"index":3,"name":"eth9",...,
//!   "use":"excluded","addr_flags":null,...}],
//!  "endpoints":[{"id":1,"address":"192.0.2.1","port":0,
//!   "flags":["subflow"],"ifindex":2}],
//!  "connections":[],
//!  "counters":{"mptcp_events":{"created":0,...},"rtnl_events":4,
//!   "resyncs":{"rtnl_overrun":0,"events_lost":0},"reloads":1,
//!   "commands_sent":3,"kernel_errors":[{"errno":17,"name":"EEXIST",
//!   "count":1}]}}
//! ```

use std::net::{IpAddr, SocketAddr};

use crate::flags::AddrFlags;
use crate::iface::{IFF_LOOPBACK, IFF_RUNNING, IFF_UP, IfName};
use crate::pm::{Endpoint, PmEvent, Token};

pub const SCHEMA_VERSION: u32 = 1;

/// Why an interface is used or not, first reason wins in this order:
/// loopback, rule (excluded, unlisted), link down, no carrier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfaceReason {
    Used,
    Excluded,
    Unlisted,
    LinkDown,
    NoCarrier,
    Loopback,
}

impl IfaceReason {
    pub fn name(self) -> &'static str {
        match self {
            IfaceReason::Used => "used",
            IfaceReason::Excluded => "excluded",
            IfaceReason::Unlisted => "unlisted",
            IfaceReason::LinkDown => "link-down",
            IfaceReason::NoCarrier => "no-carrier",
            IfaceReason::Loopback => "loopback",
        }
    }
}

/// Why an address is used or not; the first failing rule of the monitor
/// (interface, `existing`, filters, address state, route) names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddrState {
    Used,
    Tentative,
    DadFailed,
    Deprecated,
    NoRoute,
    RoutePending,
    Skipped,
    NotExisting,
    Excluded,
    InterfaceUnused,
}

impl AddrState {
    pub fn name(self) -> &'static str {
        match self {
            AddrState::Used => "used",
            AddrState::Tentative => "tentative",
            AddrState::DadFailed => "dadfailed",
            AddrState::Deprecated => "deprecated",
            AddrState::NoRoute => "no-route",
            AddrState::RoutePending => "route-pending",
            AddrState::Skipped => "skipped",
            AddrState::NotExisting => "not-existing",
            AddrState::Excluded => "excluded",
            AddrState::InterfaceUnused => "interface-unused",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddrStatus {
    pub addr: IpAddr,
    pub prefix_len: u8,
    pub state: AddrState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IfaceStatus {
    pub index: u32,
    pub name: IfName,
    /// `IFF_*` flags of the last RTM_NEWLINK (0 if only its addresses
    /// were seen so far).
    pub flags: u32,
    pub reason: IfaceReason,
    /// Endpoint flags for its addresses; `None` unless used.
    pub addr_flags: Option<AddrFlags>,
    pub addrs: Vec<AddrStatus>,
    /// Connections with their initial subflow or another subflow here.
    pub connections: u32,
    /// Subflows (other than initial ones) here.
    pub subflows: u32,
}

impl IfaceStatus {
    pub fn up(&self) -> bool {
        self.flags & IFF_UP != 0
    }
    pub fn running(&self) -> bool {
        self.flags & IFF_RUNNING != 0
    }
    pub fn loopback(&self) -> bool {
        self.flags & IFF_LOOPBACK != 0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubflowStatus {
    pub local: SocketAddr,
    pub remote: SocketAddr,
    pub loc_id: u8,
    pub rem_id: u8,
    pub backup: bool,
    pub ifindex: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnStatus {
    pub token: Token,
    /// The initial subflow's ends.
    pub local: SocketAddr,
    pub remote: SocketAddr,
    pub server_side: bool,
    /// The other subflows the policy knows of.
    pub subflows: Vec<SubflowStatus>,
}

/// What a policy adds to the report ([`crate::policy::Policy::status`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyStatus {
    /// In-kernel PM endpoints it owns (created or adopted).
    pub endpoints: Vec<Endpoint>,
    pub connections: Vec<ConnStatus>,
}

/// Kinds of MPTCP events, in the order of [`Counters::mptcp_events`].
pub const PM_EVENT_NAMES: [&str; 10] = [
    "created",
    "established",
    "closed",
    "announced",
    "removed",
    "sub_established",
    "sub_closed",
    "sub_priority",
    "listener_created",
    "listener_closed",
];

fn pm_event_kind(ev: &PmEvent) -> usize {
    match ev {
        PmEvent::Created(_) => 0,
        PmEvent::Established(_) => 1,
        PmEvent::Closed { .. } => 2,
        PmEvent::Announced { .. } => 3,
        PmEvent::Removed { .. } => 4,
        PmEvent::SubEstablished(_) => 5,
        PmEvent::SubClosed(_) => 6,
        PmEvent::SubPriority(_) => 7,
        PmEvent::ListenerCreated(_) => 8,
        PmEvent::ListenerClosed(_) => 9,
    }
}

/// Plain counters, bumped on the hot path: no allocation except the
/// first error of each errno (a handful of distinct values at most).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    /// Indexed like [`PM_EVENT_NAMES`].
    pub mptcp_events: [u64; 10],
    /// RTM_NEWLINK/DELLINK/NEWADDR/DELADDR and route or rule changes.
    pub rtnl_events: u64,
    /// Resyncs after an rtnetlink overrun (ENOBUFS).
    pub rtnl_overruns: u64,
    /// Resyncs after lost MPTCP events (ENOBUFS or an operator's request).
    pub events_lost: u64,
    pub reloads: u64,
    /// Requests sent: PM commands and listener requests.
    pub commands_sent: u64,
    /// (errno, count) of refused requests, sorted by errno.
    pub kernel_errors: Vec<(i32, u64)>,
}

impl Counters {
    pub fn pm_event(&mut self, ev: &PmEvent) {
        self.mptcp_events[pm_event_kind(ev)] += 1;
    }

    pub fn kernel_error(&mut self, errno: i32) {
        match self.kernel_errors.binary_search_by_key(&errno, |&(e, _)| e) {
            Ok(i) => self.kernel_errors[i].1 += 1,
            Err(i) => self.kernel_errors.insert(i, (errno, 1)),
        }
    }

    /// Resyncs of either kind.
    pub fn resyncs(&self) -> u64 {
        self.rtnl_overruns + self.events_lost
    }
}

/// The errno names a path manager meets; others are reported by number.
const ERRNO_NAMES: &[(i32, &str)] = &[
    (libc::EPERM, "EPERM"),
    (libc::ENOENT, "ENOENT"),
    (libc::ESRCH, "ESRCH"),
    (libc::EINTR, "EINTR"),
    (libc::EIO, "EIO"),
    (libc::E2BIG, "E2BIG"),
    (libc::EBADF, "EBADF"),
    (libc::EAGAIN, "EAGAIN"),
    (libc::ENOMEM, "ENOMEM"),
    (libc::EACCES, "EACCES"),
    (libc::EBUSY, "EBUSY"),
    (libc::EEXIST, "EEXIST"),
    (libc::ENODEV, "ENODEV"),
    (libc::EINVAL, "EINVAL"),
    (libc::ENOSPC, "ENOSPC"),
    (libc::ERANGE, "ERANGE"),
    (libc::EMSGSIZE, "EMSGSIZE"),
    (libc::EPROTONOSUPPORT, "EPROTONOSUPPORT"),
    (libc::EOPNOTSUPP, "EOPNOTSUPP"),
    (libc::EAFNOSUPPORT, "EAFNOSUPPORT"),
    (libc::EADDRINUSE, "EADDRINUSE"),
    (libc::EADDRNOTAVAIL, "EADDRNOTAVAIL"),
    (libc::ENOBUFS, "ENOBUFS"),
    (libc::ENOTCONN, "ENOTCONN"),
    (libc::ETIMEDOUT, "ETIMEDOUT"),
    (libc::ECONNREFUSED, "ECONNREFUSED"),
];

pub fn errno_name(errno: i32) -> Option<&'static str> {
    ERRNO_NAMES
        .iter()
        .find(|(e, _)| *e == errno)
        .map(|&(_, n)| n)
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub path_manager: &'static str,
    pub phase: &'static str,
    pub interfaces: Vec<IfaceStatus>,
    pub endpoints: Vec<Endpoint>,
    pub connections: Vec<ConnStatus>,
    pub counters: Counters,
}

impl Status {
    /// Puts the pieces together and counts connections and subflows per
    /// interface: a subflow belongs to the interface it is bound to, or
    /// else to the one holding its local address.
    pub fn new(
        path_manager: &'static str,
        phase: &'static str,
        mut interfaces: Vec<IfaceStatus>,
        policy: PolicyStatus,
        counters: Counters,
    ) -> Self {
        for iface in &mut interfaces {
            let here = |ifindex: Option<i32>, local: IpAddr| match ifindex {
                Some(i) if i > 0 => i as u32 == iface.index,
                _ => iface.addrs.iter().any(|a| a.addr == local),
            };
            let (mut conns, mut subflows) = (0, 0);
            for c in &policy.connections {
                let n = c
                    .subflows
                    .iter()
                    .filter(|s| here(s.ifindex, s.local.ip()))
                    .count() as u32;
                subflows += n;
                if n > 0 || here(None, c.local.ip()) {
                    conns += 1;
                }
            }
            iface.connections = conns;
            iface.subflows = subflows;
        }
        Status {
            path_manager,
            phase,
            interfaces,
            endpoints: policy.endpoints,
            connections: policy.connections,
            counters,
        }
    }
}

mod render;
pub use render::json_string;

#[cfg(test)]
mod tests;
