// SPDX-License-Identifier: BSD-3-Clause
//! `addr_adv`, the address advertiser (in-kernel path manager): one
//! kernel endpoint per usable local address.
//!
//! The policy keeps two lists and makes the kernel match them:
//! - `wanted`: the addresses the network monitor reports, in report order
//!   (the oldest gets a free slot first), with the interface's endpoint
//!   flags and index;
//! - `table`: its picture of the kernel's endpoint table, from the last
//!   GET_ADDR dump plus the changes it sent since (applied optimistically
//!   and undone when the kernel refuses).
//!
//! `reconcile` compares the two and sends only the difference:
//! DEL_ADDR for our endpoints no longer wanted, then for each wanted
//! address: adopt an identical endpoint (same address, flags, ifindex),
//! convert an IMPLICIT one (ADD_ADDR without id keeps the kernel's id),
//! fix a different one (SET_FLAGS when only backup/fullmesh differ, else
//! DEL_ADDR + ADD_ADDR with the same id), or add a new one with an id
//! from the id manager. Endpoints of addresses it does not want are never
//! touched, whoever made them.
//!
//! Ownership: "ours" = created or adopted by this policy. At shutdown
//! exactly those are removed (mptcpd left them behind).
//!
//! Limits (SET_LIMITS), only ever raised, never above 8, never lowered:
//! - `subflows` ≥ our endpoints with `subflow`, `fullmesh` or `signal`
//!   (each may open, or receive, one extra subflow per connection);
//! - `add_addr_accepted` ≥ our endpoints with `subflow` or `fullmesh`
//!   (mptcpd's rule: a client-style host follows peer announcements).
//!
//! The kernel values are read with GET_LIMITS at ready and again on
//! every resync; a field is sent only when it must go up, so a value the
//! administrator set higher stays (mptcpd overwrote both at start). The
//! count includes endpoints being added, so the limit goes out right
//! behind the ADD_ADDR; if that add fails the limit stays one step ahead,
//! never above what the wanted addresses need.
//!
//! The kernel holds at most 8 endpoints (`MPTCP_PM_ADDR_MAX`), counting
//! every one (foreign and IMPLICIT ones too). An address beyond that is
//! logged once (warning) and added, oldest first, when a slot frees.
//!
//! Errors: any refused ADD_ADDR / SET_FLAGS is undone in our table and a
//! GET_ADDR dump re-syncs it (after the changes in flight are answered).
//! EEXIST, EBUSY and ERANGE mean our table was wrong: the address is
//! tried again once, after the dump. Any other error, or a second one,
//! leaves the address alone (logged) until the next resync
//! ([`Policy::resync`]) or until the monitor reports it again. Nothing is
//! retried in a loop.
//!
//! Drift: on resync (MPTCP events lost) and on reload the limits and the
//! table are read again; an endpoint of ours that someone deleted or
//! changed is logged and repaired, an endpoint someone added for one of
//! our addresses is adopted.
//!
//! Reload (interface rules, flags): the monitor reports only what
//! changed, and the dump is requested before those reports arrive, so
//! the difference is computed once against the fresh table. New
//! `backup`/`fullmesh` only: SET_FLAGS in place (same id; the kernel
//! keeps the subflows on a backup toggle, and closes them on a fullmesh
//! toggle, which nothing else could avoid); `signal`/`subflow`/`laminar`
//! changed: DEL_ADDR + ADD_ADDR with the same id; interface newly
//! excluded: its endpoints removed; newly included: added. Endpoints of
//! interfaces whose rule did not change are not touched, so their
//! subflows stay. An endpoint for an address on an excluded interface is
//! never wanted, hence never adopted, changed or removed.

use std::net::IpAddr;

use log::{error, info, warn};

use crate::daemon::Settings;
use crate::flags::AddrFlags;
use crate::iface::Addr;
use crate::monitor::Interface;
use crate::pm::{Command, Endpoint, Limits};
use crate::policy::{CmdResult, Ctx, Policy, Reply, Request, Tag};
use crate::status::PolicyStatus;

pub const NAME: &str = "addr_adv";

/// `MPTCP_PM_ADDR_MAX`: endpoints per network namespace, and the highest
/// value of both limits.
pub const MPTCP_PM_ADDR_MAX: usize = 8;

const EBUSY: i32 = 16;
const EEXIST: i32 = 17;
const EINVAL: i32 = 22;
const ERANGE: i32 = 34;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WantState {
    Normal,
    /// No free slot; the warning was logged.
    Waiting,
    /// The kernel refused it; left alone until the next resync or report.
    Failed,
}

#[derive(Debug, Clone, Copy)]
struct Wanted {
    addr: IpAddr,
    ifindex: i32,
    flags: AddrFlags,
    state: WantState,
    /// An error already triggered one re-sync for this address.
    retried: bool,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    ep: Endpoint,
    ours: bool,
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Add(IpAddr),
    Del,
    SetFlags(IpAddr),
    Dump,
    GetLimits,
    SetLimits,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sync {
    Idle,
    /// A dump is needed once the endpoint changes in flight are answered
    /// (so that it shows their effect, whatever order the loop uses).
    Wanted,
    Dumping(Tag),
}

#[derive(Debug)]
pub struct AddrAdv {
    wanted: Vec<Wanted>,
    table: Vec<Entry>,
    inflight: Vec<(Tag, Op)>,
    sync: Sync,
    /// The kernel's limits as last read or set; `None` until GET_LIMITS
    /// answers (nothing is raised before that).
    limits: Option<(u32, u32)>,
    stopping: bool,
}

impl AddrAdv {
    pub fn new(_settings: &Settings) -> Self {
        AddrAdv {
            wanted: Vec::new(),
            table: Vec::new(),
            inflight: Vec::new(),
            sync: Sync::Idle,
            limits: None,
            stopping: false,
        }
    }

    /// Our endpoints as we believe the kernel has them.
    pub fn ours(&self) -> impl Iterator<Item = &Endpoint> + '_ {
        self.table.iter().filter(|e| e.ours).map(|e| &e.ep)
    }

    /// Sizes of the internal tables (wanted, kernel picture, in flight).
    pub fn table_sizes(&self) -> (usize, usize, usize) {
        (self.wanted.len(), self.table.len(), self.inflight.len())
    }

    fn changes_in_flight(&self) -> bool {
        self.inflight
            .iter()
            .any(|(_, op)| matches!(op, Op::Add(_) | Op::Del | Op::SetFlags(_)))
    }

    fn request_dump(&mut self, ctx: &mut Ctx<'_>) {
        if self.stopping || matches!(self.sync, Sync::Dumping(_)) {
            return;
        }
        if self.changes_in_flight() {
            self.sync = Sync::Wanted;
        } else {
            let tag = ctx.dump_addrs();
            self.inflight.push((tag, Op::Dump));
            self.sync = Sync::Dumping(tag);
        }
    }

    /// Gives failed addresses another chance and reads limits and table
    /// again; `reconcile` follows the dump.
    fn reread(&mut self, ctx: &mut Ctx<'_>) {
        for w in &mut self.wanted {
            if w.state == WantState::Failed {
                w.state = WantState::Normal;
            }
            w.retried = false;
        }
        self.send(ctx, Command::GetLimits, Op::GetLimits);
        self.request_dump(ctx);
    }

    /// The wanted entry that decides the endpoint of `addr`: the first
    /// report of it (the same address on two interfaces is rare; the
    /// second waits until the first goes away).
    fn effective(&self, addr: IpAddr) -> Option<usize> {
        self.wanted.iter().position(|w| w.addr == addr)
    }

    fn reconcile(&mut self, ctx: &mut Ctx<'_>) {
        if self.stopping || self.sync != Sync::Idle {
            return;
        }
        let mut i = 0;
        while i < self.table.len() {
            let e = self.table[i];
            if e.ours && e.ep.port == 0 && self.effective(e.ep.addr).is_none() {
                info!("removing endpoint id {} for {}", e.ep.id, e.ep.addr);
                self.send(ctx, Command::DelAddr { id: e.ep.id }, Op::Del);
                ctx.ids().remove(e.ep.addr);
                self.table.remove(i);
            } else {
                i += 1;
            }
        }
        for wi in 0..self.wanted.len() {
            let w = self.wanted[wi];
            if w.state == WantState::Failed || self.effective(w.addr) != Some(wi) {
                continue;
            }
            match self
                .table
                .iter()
                .position(|e| e.ep.addr == w.addr && e.ep.port == 0)
            {
                Some(ti) => self.fit(ctx, w, ti),
                None => self.add(ctx, wi),
            }
        }
        self.raise_limits(ctx);
    }

    /// Makes the existing endpoint `table[ti]` ours and as wanted.
    fn fit(&mut self, ctx: &mut Ctx<'_>, w: Wanted, ti: usize) {
        let e = self.table[ti];
        let want = Endpoint {
            id: e.ep.id,
            addr: w.addr,
            port: 0,
            flags: w.flags,
            ifindex: w.ifindex,
        };
        ctx.ids().map(w.addr, e.ep.id);
        self.table[ti] = Entry {
            ep: want,
            ours: true,
        };
        if e.ep.flags.contains(AddrFlags::IMPLICIT) && self.table.len() < MPTCP_PM_ADDR_MAX {
            info!(
                "converting implicit endpoint id {} for {} (flags {})",
                e.ep.id, w.addr, w.flags
            );
            // No id: the kernel replaces the implicit entry and keeps its
            // id (an explicit id gets EBUSY). The ACK does not say which
            // id it kept, so a dump confirms it.
            let ep = Endpoint { id: 0, ..want };
            self.send(ctx, Command::AddAddr(ep), Op::Add(w.addr));
            self.sync = Sync::Wanted;
        } else if e.ep.flags == w.flags && e.ep.ifindex == w.ifindex {
            if !e.ours {
                info!(
                    "adopting endpoint id {} for {} (flags {})",
                    e.ep.id, w.addr, w.flags
                );
            }
        } else if e.ep.ifindex == w.ifindex
            && !e.ep.flags.contains(AddrFlags::IMPLICIT)
            && AddrFlags(e.ep.flags.0 ^ w.flags.0)
                .without(AddrFlags::BACKUP | AddrFlags::FULLMESH)
                .is_empty()
        {
            info!(
                "changing flags of endpoint id {} for {}: {} -> {}",
                e.ep.id, w.addr, e.ep.flags, w.flags
            );
            let cmd = Command::SetFlags {
                token: None,
                local: want,
                remote: None,
            };
            self.send(ctx, cmd, Op::SetFlags(w.addr));
        } else {
            // Also the implicit case with a full table, where the kernel
            // refuses even a replacement with ERANGE.
            info!(
                "replacing endpoint id {} for {} (flags {}, ifindex {}) with flags {}, ifindex {}",
                e.ep.id, w.addr, e.ep.flags, e.ep.ifindex, w.flags, w.ifindex
            );
            self.send(ctx, Command::DelAddr { id: e.ep.id }, Op::Del);
            self.send(ctx, Command::AddAddr(want), Op::Add(w.addr));
        }
    }

    fn add(&mut self, ctx: &mut Ctx<'_>, wi: usize) {
        let w = self.wanted[wi];
        if self.table.len() >= MPTCP_PM_ADDR_MAX {
            if w.state != WantState::Waiting {
                warn!(
                    "kernel endpoint table is full ({MPTCP_PM_ADDR_MAX} endpoints, \
                     MPTCP_PM_ADDR_MAX): {} waits for a free slot",
                    w.addr
                );
                self.wanted[wi].state = WantState::Waiting;
            }
            return;
        }
        let table = &self.table;
        let in_table = |id| table.iter().any(|e| e.ep.id == id);
        let Some(id) = ctx.ids().get_or_assign_avoiding(w.addr, in_table) else {
            error!(
                "Unable to map addr to ID: no free address id for {}",
                w.addr
            );
            self.wanted[wi].state = WantState::Failed;
            return;
        };
        if w.state == WantState::Waiting {
            info!("an endpoint slot is free again: adding {}", w.addr);
        }
        self.wanted[wi].state = WantState::Normal;
        let ep = Endpoint {
            id,
            addr: w.addr,
            port: 0,
            flags: w.flags,
            ifindex: w.ifindex,
        };
        self.table.push(Entry { ep, ours: true });
        self.send(ctx, Command::AddAddr(ep), Op::Add(w.addr));
    }

    fn raise_limits(&mut self, ctx: &mut Ctx<'_>) {
        let Some((subflows, accepted)) = self.limits else {
            return;
        };
        let count = |mask: AddrFlags| {
            let n = self.ours().filter(|ep| ep.flags.intersects(mask)).count();
            n.min(MPTCP_PM_ADDR_MAX) as u32
        };
        let need_subflows = count(AddrFlags::SUBFLOW | AddrFlags::FULLMESH | AddrFlags::SIGNAL);
        let need_accepted = count(AddrFlags::SUBFLOW | AddrFlags::FULLMESH);
        let set = Limits {
            subflows: (need_subflows > subflows).then_some(need_subflows),
            add_addr_accepted: (need_accepted > accepted).then_some(need_accepted),
        };
        if set == Limits::default() {
            return;
        }
        info!(
            "raising limits: subflows {subflows} -> {}, add_addr_accepted {accepted} -> {}",
            subflows.max(need_subflows),
            accepted.max(need_accepted)
        );
        self.limits = Some((subflows.max(need_subflows), accepted.max(need_accepted)));
        self.send(ctx, Command::SetLimits(set), Op::SetLimits);
    }

    fn send(&mut self, ctx: &mut Ctx<'_>, cmd: Command, op: Op) {
        let tag = ctx.send(cmd);
        self.inflight.push((tag, op));
    }

    fn wanted_mut(&mut self, addr: IpAddr) -> Option<&mut Wanted> {
        let wi = self.effective(addr)?;
        Some(&mut self.wanted[wi])
    }

    fn apply_dump(&mut self, ctx: &mut Ctx<'_>, dump: &[Endpoint]) {
        let old = std::mem::take(&mut self.table);
        for ep in dump {
            let ours = old
                .iter()
                .any(|o| o.ours && o.ep.id == ep.id && o.ep.addr == ep.addr);
            self.table.push(Entry { ep: *ep, ours });
        }
        for o in old.iter().filter(|o| o.ours) {
            if !self.table.iter().any(|e| e.ours && e.ep.addr == o.ep.addr) {
                let still = self.effective(o.ep.addr).is_some();
                warn!(
                    "endpoint id {} for {} was removed or changed behind our back{}",
                    o.ep.id,
                    o.ep.addr,
                    if still { ": repairing" } else { "" }
                );
            }
        }
        let wanted = &self.wanted;
        ctx.ids().retain(|addr, _| {
            dump.iter().any(|e| e.addr == addr) || wanted.iter().any(|w| w.addr == addr)
        });
        for ep in dump {
            ctx.ids().map(ep.addr, ep.id);
        }
    }
}

impl Policy for AddrAdv {
    fn name(&self) -> &'static str {
        NAME
    }

    fn ready(&mut self, ctx: &mut Ctx<'_>, endpoints: &[Endpoint]) {
        self.table = endpoints
            .iter()
            .map(|&ep| Entry { ep, ours: false })
            .collect();
        self.send(ctx, Command::GetLimits, Op::GetLimits);
        info!("MPTCP address advertiser path manager initialized.");
    }

    fn new_local_address(&mut self, ctx: &mut Ctx<'_>, iface: &Interface, addr: &Addr) {
        let (ip, ifindex) = (addr.addr, iface.index as i32);
        match self
            .wanted
            .iter_mut()
            .find(|w| w.addr == ip && w.ifindex == ifindex)
        {
            Some(w) => {
                w.flags = iface.addr_flags;
                w.state = WantState::Normal;
                w.retried = false;
            }
            None => self.wanted.push(Wanted {
                addr: ip,
                ifindex,
                flags: iface.addr_flags,
                state: WantState::Normal,
                retried: false,
            }),
        }
        self.reconcile(ctx);
    }

    fn delete_local_address(&mut self, ctx: &mut Ctx<'_>, iface: &Interface, addr: &Addr) {
        let ifindex = iface.index as i32;
        self.wanted
            .retain(|w| !(w.addr == addr.addr && w.ifindex == ifindex));
        self.reconcile(ctx);
    }

    fn update_interface(&mut self, ctx: &mut Ctx<'_>, iface: &Interface) {
        let ifindex = iface.index as i32;
        let mut changed = false;
        for w in self.wanted.iter_mut().filter(|w| w.ifindex == ifindex) {
            changed |= w.flags != iface.addr_flags;
            w.flags = iface.addr_flags;
        }
        if changed {
            self.reconcile(ctx);
        }
    }

    fn command_result(&mut self, ctx: &mut Ctx<'_>, tag: Tag, req: &Request, result: &CmdResult) {
        let Some(pos) = self.inflight.iter().position(|(t, _)| *t == tag) else {
            return;
        };
        let (_, op) = self.inflight.remove(pos);
        if self.stopping {
            if let Err(e) = result {
                warn!("{}: {e}", req.op_name());
            }
            return;
        }
        match (op, result) {
            (Op::Dump, Ok(Reply::Endpoints(dump))) => {
                self.sync = Sync::Idle;
                self.apply_dump(ctx, dump);
            }
            (Op::Dump, r) => {
                warn!("dump_addrs: {r:?}: keeping our picture of the endpoint table");
                self.sync = Sync::Idle;
            }
            (Op::GetLimits, Ok(Reply::Limits(l))) => {
                self.limits = Some((l.subflows.unwrap_or(0), l.add_addr_accepted.unwrap_or(0)));
            }
            (Op::GetLimits, r) => warn!("get_limits: {r:?}: limits left as they are"),
            (Op::SetLimits, Err(e)) => warn!("can't update limits: {e}"),
            (Op::Add(addr), Ok(_)) | (Op::SetFlags(addr), Ok(_)) => {
                if let Some(w) = self.wanted_mut(addr) {
                    w.retried = false;
                }
            }
            (Op::Add(addr), Err(e)) | (Op::SetFlags(addr), Err(e)) => {
                // Undo the optimistic entry; the dump restores what is
                // really there.
                self.table.retain(|t| !(t.ours && t.ep.addr == addr));
                ctx.ids().remove(addr);
                let conflict = matches!(e.errno, EEXIST | EBUSY | ERANGE);
                if let Some(w) = self.wanted_mut(addr) {
                    if conflict && !w.retried {
                        warn!(
                            "{}: {e}: the kernel's endpoint table differs from ours, re-syncing",
                            req.op_name()
                        );
                        w.retried = true;
                    } else {
                        error!(
                            "{}: {e}: leaving {addr} alone until the next resync",
                            req.op_name()
                        );
                        w.state = WantState::Failed;
                    }
                }
                self.request_dump(ctx);
            }
            (Op::Del, Err(e)) if e.errno == EINVAL => {
                info!("remove_addr: endpoint was already gone ({e})");
            }
            (Op::Del, Err(e)) => warn!("{}: {e}", req.op_name()),
            _ => {}
        }
        if self.sync == Sync::Wanted && !self.changes_in_flight() {
            self.sync = Sync::Idle;
            self.request_dump(ctx);
        }
        self.reconcile(ctx);
    }

    fn resync(&mut self, ctx: &mut Ctx<'_>) {
        self.reread(ctx);
    }

    /// The dump goes out before the network callbacks of the reload, so
    /// they only update `wanted`; the difference is computed once,
    /// against the fresh table (an endpoint someone deleted is re-added
    /// rather than getting a SET_FLAGS that fails).
    fn reconfigure(&mut self, ctx: &mut Ctx<'_>, _settings: &Settings) {
        info!("reload: re-reading the endpoint table");
        self.reread(ctx);
    }

    fn status(&self, out: &mut PolicyStatus) {
        out.endpoints.extend(self.ours());
    }

    fn shutdown(&mut self, ctx: &mut Ctx<'_>) {
        self.stopping = true;
        let ours: Vec<Endpoint> = self.ours().copied().collect();
        for ep in ours {
            info!("removing endpoint id {} for {}", ep.id, ep.addr);
            self.send(ctx, Command::DelAddr { id: ep.id }, Op::Del);
            ctx.ids().remove(ep.addr);
        }
        self.table.retain(|e| !e.ours);
        info!("MPTCP address advertiser path manager exited.");
    }
}

#[cfg(test)]
#[path = "addr_adv_tests.rs"]
mod tests;
