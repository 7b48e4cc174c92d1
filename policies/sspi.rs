// SPDX-License-Identifier: BSD-3-Clause
//! `sspi`, single subflow per interface (userspace path manager): every
//! MPTCP connection gets exactly one subflow on each usable local
//! interface.
//!
//! Client side (connection not `server_side`): once ESTABLISHED, one
//! SUBFLOW_CREATE from an address of each *other* usable interface (same
//! family as the peer) to the peer's address and port, bound to that
//! interface. Local ids come from the daemon's id manager, so an address
//! has the same id on every connection; if the kernel already pairs the
//! address or the id otherwise on a connection ("did not match address
//! and id", e.g. an IMPLICIT entry), the connection's address list is
//! read once (GET_ADDR dump with the token) and the kernel's id reused.
//! A subflow that fails, or closes while its address stays usable, is
//! created again after 100 ms, doubling up to 30 s, reset on success. A
//! peer with DENY_JOIN_ID0 is joined at the first address it announces.
//!
//! Server side: the address of each other usable interface is announced
//! (ANNOUNCE, id ≠ 0, `signal`) once a listener covers it: our own MPTCP
//! listener on address:connection-port (reference counted across
//! connections, see `listen.rs`), an application's wildcard listener on
//! that port, or, when ours cannot bind that port for another reason than
//! EADDRINUSE, our listener on an ephemeral port announced with it.
//!
//! Both sides: when an address or interface goes, its announcement is
//! withdrawn (REMOVE, which also closes subflows using its id) before the
//! remaining subflows on it are destroyed with their exact 4-tuple: the
//! kernel does not close userspace-PM subflows by itself. The one
//! exception is a connection's last subflow, kept until another one is
//! up (destroying it would only kill the connection). A second subflow
//! on an interface that already carries one, from either end, is closed.
//! `backup` in the interface's endpoint flags makes our subflows backup:
//! the flag goes into SUBFLOW_CREATE (honoured by 6.18) and SET_FLAGS
//! follows SUB_ESTABLISHED for older kernels.
//!
//! A connection on the in-kernel PM answers "userspace PM not selected":
//! it is marked and left alone (logged once at info). The table holds at
//! most `max_connections` connections (default 4096); beyond that new
//! connections are left to the kernel, with one warning. Entries go on
//! CLOSED; memory per entry is documented in `conns.rs`.
//!
//! Compared with mptcpd's sspi (which announced with id 0, never created
//! subflows and lost its bookkeeping after closing a duplicate, see
//! mptcpd-behaviour.md §10.2): subflows are created, announcements carry
//! real ids and listeners, subflows are matched by 4-tuple, kernel errors
//! are acted on, and failed subflows heal.

#[path = "sspi/conns.rs"]
mod conns;
#[path = "sspi/listen.rs"]
mod listen;

use std::net::{IpAddr, SocketAddr};

use log::{debug, info, warn};

use crate::daemon::Settings;
use crate::flags::AddrFlags;
use crate::iface::Addr;
use crate::monitor::{Interface, Monitor};
use crate::pm::{Command, ConnInfo, Endpoint, KernelError, SubflowInfo, Token};
use crate::policy::{CmdResult, Ctx, Policy, Reply, Request, Tag};

use conns::{Ann, ConnState, Slot, Sub, Table};
use listen::{Entry, LState, ListenerTable};

pub use conns::{RETRY_MAX, RETRY_MIN};

pub const NAME: &str = "sspi";

/// Default bound of the connection table.
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;

const ESRCH: i32 = 3;
const EINVAL: i32 = 22;
const EADDRINUSE: i32 = 98;
const EADDRNOTAVAIL: i32 = 99;
const ENOTCONN: i32 = 107;

pub struct Sspi {
    table: Table,
    listeners: ListenerTable,
    /// The first connection on the in-kernel PM was logged at info.
    kpm_logged: bool,
}

/// A usable interface and the address a connection would use on it.
struct Candidate {
    ifindex: u32,
    addr: Option<IpAddr>,
    backup: bool,
    holds_initial: bool,
}

impl Sspi {
    pub fn new(settings: &Settings) -> Self {
        let max = settings.max_connections.unwrap_or(DEFAULT_MAX_CONNECTIONS);
        Self::with_max_connections(settings, max)
    }

    /// `max_connections`: connections tracked at most; more are left to
    /// the kernel (with one warning).
    pub fn with_max_connections(_settings: &Settings, max_connections: usize) -> Self {
        Sspi {
            table: Table::new(max_connections),
            listeners: ListenerTable::default(),
            kpm_logged: false,
        }
    }

    /// Connections tracked.
    pub fn tracked(&self) -> usize {
        self.table.conns.len()
    }

    /// Listener keys held (open, opening, or covered by an application).
    pub fn listener_keys(&self) -> usize {
        self.listeners.len()
    }

    fn candidates(net: &Monitor, v4: bool, initial: IpAddr) -> Vec<Candidate> {
        let initial_if = net.iface_of_addr(initial).map(|i| i.index);
        net.interfaces()
            .map(|i| Candidate {
                ifindex: i.index,
                addr: net
                    .local_addrs(i.index)
                    .map(|a| a.addr)
                    .find(|a| a.is_ipv4() == v4),
                backup: i.addr_flags.contains(AddrFlags::BACKUP),
                holds_initial: initial_if == Some(i.index),
            })
            .collect()
    }

    /// Gives an established connection what it lacks: a subflow (client)
    /// or an announcement (server) on each usable interface.
    fn fill(&mut self, ctx: &mut Ctx<'_>, token: Token) {
        let Some(conn) = self.table.conns.get(&token) else {
            return;
        };
        if conn.state != ConnState::Established {
            return;
        }
        let initial = conn.local.ip().to_canonical();
        for c in Self::candidates(ctx.net(), conn.peer_is_v4(), initial) {
            // start_* may change the connection's state (not its slots'
            // order): look it up again for each interface.
            let Some(conn) = self.table.conns.get_mut(&token) else {
                return;
            };
            if conn.state != ConnState::Established {
                return;
            }
            if let Some(si) = conn.slot(c.ifindex) {
                let s = &mut conn.slots[si];
                if s.gone && c.addr == Some(s.local) {
                    s.gone = false;
                }
                continue;
            }
            if c.holds_initial && !conn.slots.iter().any(|s| s.initial) {
                conn.slots
                    .push(initial_slot(c.ifindex, conn.local, conn.remote));
                continue;
            }
            let Some(addr) = c.addr else { continue };
            if !conn.server_side && conn.peer.is_none() {
                continue;
            }
            let Some(id) = ctx.ids().get_or_assign(addr) else {
                warn!("sspi: no free address id for {addr}");
                continue;
            };
            let mut slot = Slot::new(c.ifindex, addr, id);
            slot.backup = c.backup;
            conn.slots.push(slot);
            let si = conn.slots.len() - 1;
            if conn.server_side {
                self.start_announce(ctx, token, si);
            } else {
                start_create(&mut self.table, ctx, token, si);
            }
        }
    }

    fn start_announce(&mut self, ctx: &mut Ctx<'_>, token: Token, si: usize) {
        let Some(conn) = self.table.conns.get_mut(&token) else {
            return;
        };
        let port = conn.local.port();
        let slot = &mut conn.slots[si];
        let addr = slot.local;
        if self.listeners.app_covers(addr, port) {
            send_announce(&mut self.table, ctx, token, si, port);
            return;
        }
        let key = (addr, port);
        slot.listener = Some(key);
        let entry = self.listeners.map.entry(key).or_insert_with(|| Entry {
            state: LState::Opening(ctx.listen(SocketAddr::new(addr, port))),
            refs: 0,
            waiters: Vec::new(),
        });
        match entry.port(port) {
            Some(p) => {
                entry.refs += 1;
                send_announce(&mut self.table, ctx, token, si, p);
            }
            None => {
                entry.waiters.push((token, slot.ifindex));
                slot.ann = Ann::WaitListener;
            }
        }
    }

    /// Lets go of the listener a slot holds or waits for.
    fn forget_listener(&mut self, ctx: &mut Ctx<'_>, token: Token, slot: &mut Slot) {
        let Some(key) = slot.listener.take() else {
            return;
        };
        if slot.ann == Ann::WaitListener {
            self.listeners.unwait(key, token, slot.ifindex);
        } else if let Some(sa) = self.listeners.release(key) {
            ctx.close_listener(sa);
        }
        slot.ann = Ann::None;
    }

    /// The address of slot `si` is no longer usable: withdraw its
    /// announcement, destroy its subflow, forget the slot.
    fn withdraw(&mut self, ctx: &mut Ctx<'_>, token: Token, si: usize) {
        let Some(conn) = self.table.conns.get_mut(&token) else {
            return;
        };
        let others = conn.live_subflows() - usize::from(conn.slots[si].sub.is_some());
        let mut slot = conn.slots[si].clone();
        let removed = matches!(slot.ann, Ann::Announcing(_) | Ann::Announced);
        if removed {
            ctx.remove(token, slot.id);
        }
        self.forget_listener(ctx, token, &mut slot);
        if let Some(sub) = slot.sub {
            if others == 0 && !removed {
                debug!(
                    "sspi: keeping the last subflow {} -> {} of {token:08x} after its address went",
                    sub.local, sub.remote
                );
                self.table.cancel(token, si);
                if let Some(s) = self.table.conns.get_mut(&token).map(|c| &mut c.slots[si]) {
                    *s = Slot {
                        gone: true,
                        creating: None,
                        ..slot
                    };
                }
                return;
            }
            if !(removed && sub.loc_id == slot.id) {
                ctx.subflow_destroy(token, sub.local, sub.remote);
            }
        }
        self.table.drop_slot(token, si);
    }

    fn withdraw_where(&mut self, ctx: &mut Ctx<'_>, pred: impl Fn(&Slot) -> bool) -> Vec<Token> {
        let mut touched = Vec::new();
        let tokens: Vec<Token> = self.table.conns.keys().copied().collect();
        for token in tokens {
            while let Some(si) = self
                .table
                .conns
                .get(&token)
                .and_then(|c| c.slots.iter().position(|s| !s.gone && pred(s)))
            {
                self.withdraw(ctx, token, si);
                touched.push(token);
            }
        }
        touched.dedup();
        touched
    }

    fn mark_kernel_pm(&mut self, ctx: &mut Ctx<'_>, token: Token) {
        let Some(conn) = self.table.conns.get_mut(&token) else {
            return;
        };
        if conn.state == ConnState::KernelPm {
            return;
        }
        conn.state = ConnState::KernelPm;
        let mut slots = std::mem::take(&mut conn.slots);
        for s in &mut slots {
            if let Some(at) = s.retry_at {
                self.table.timers.remove(&(at, token, s.ifindex));
            }
            self.forget_listener(ctx, token, s);
        }
        if self.kpm_logged {
            debug!("sspi: connection {token:08x} uses the in-kernel path manager: left alone");
        } else {
            self.kpm_logged = true;
            info!(
                "sspi: connection {token:08x} uses the in-kernel path manager (\"userspace PM \
                 not selected\"): such connections are left to the kernel"
            );
        }
    }

    /// A command on slot `si` failed with `err`.
    fn slot_failed(&mut self, ctx: &mut Ctx<'_>, token: Token, si: usize, err: &KernelError) {
        if is_kernel_pm(err) {
            self.mark_kernel_pm(ctx, token);
            return;
        }
        if is_unknown_token(err) {
            // Its CLOSED was lost.
            debug!("sspi: connection {token:08x} is gone: {err}");
            self.connection_closed(ctx, token);
            return;
        }
        let Some(conn) = self.table.conns.get_mut(&token) else {
            return;
        };
        let server = conn.server_side;
        let slot = &mut conn.slots[si];
        if err.errno == EINVAL && !slot.id_checked {
            // Perhaps the kernel pairs this address or id otherwise on
            // this connection: read its list once, then try again.
            slot.id_checked = true;
            slot.creating = None;
            if server {
                let mut s = slot.clone();
                self.forget_listener(ctx, token, &mut s);
                self.table.conns.get_mut(&token).unwrap().slots[si] = s;
            }
            ctx.dump_conn_addrs(token);
            return;
        }
        if server {
            warn!(
                "sspi: announce {} (id {}) on {token:08x}: {err}",
                slot.local, slot.id
            );
            let mut s = slot.clone();
            self.forget_listener(ctx, token, &mut s);
            self.table.drop_slot(token, si);
            return;
        }
        slot.creating = None;
        match err.errno {
            ENOTCONN => {
                // Not fully established yet (a probe after lost events):
                // ESTABLISHED will come.
                conn.state = ConnState::Created;
                self.table.drop_slot(token, si);
            }
            EADDRNOTAVAIL => {
                debug!("sspi: {} is gone: {err}", slot.local);
                self.table.drop_slot(token, si);
            }
            _ => {
                debug!(
                    "sspi: add_subflow from {} on {token:08x}: {err}",
                    slot.local
                );
                self.table.schedule(token, si, ctx.now());
            }
        }
    }

    fn listen_result(
        &mut self,
        ctx: &mut Ctx<'_>,
        tag: Tag,
        asked: SocketAddr,
        result: &CmdResult,
    ) {
        let Some(key) = self.listeners.by_tag(tag) else {
            if let Ok(Reply::Listening(sa)) = result {
                ctx.close_listener(*sa);
            }
            return;
        };
        let entry = self.listeners.map.get_mut(&key).expect("key found by tag");
        match result {
            Ok(Reply::Listening(bound)) => entry.state = LState::Bound(*bound),
            Err(e) if e.errno == EADDRINUSE => {
                debug!("sspi: {asked} is taken, an application's listener covers it");
                entry.state = LState::Covered;
            }
            Err(e) if asked.port() != 0 => {
                info!("sspi: cannot listen on {asked} ({e}): using an ephemeral port");
                entry.state = LState::Opening(ctx.listen(SocketAddr::new(asked.ip(), 0)));
                return;
            }
            other => {
                warn!("sspi: cannot listen on {asked}: {other:?}: address not announced");
                let waiters = std::mem::take(&mut entry.waiters);
                self.listeners.map.remove(&key);
                for (token, ifindex) in waiters {
                    if let Some(c) = self.table.conns.get_mut(&token)
                        && let Some(si) = c.slot(ifindex)
                    {
                        self.table.drop_slot(token, si);
                    }
                }
                return;
            }
        }
        let port = entry.port(key.1).unwrap_or(key.1);
        for (token, ifindex) in std::mem::take(&mut entry.waiters) {
            let Some(si) = self.table.conns.get(&token).and_then(|c| c.slot(ifindex)) else {
                continue;
            };
            let slot = &self.table.conns[&token].slots[si];
            if slot.ann == Ann::WaitListener && slot.listener == Some(key) {
                entry.refs += 1;
                send_announce(&mut self.table, ctx, token, si, port);
            }
        }
        if entry.refs == 0 {
            if let LState::Bound(sa) = entry.state {
                ctx.close_listener(sa);
            }
            self.listeners.map.remove(&key);
        }
    }

    /// A GET_ADDR dump of `token`'s addresses: reuse the kernel's ids,
    /// retry what waited for it, and drop the connection if the kernel
    /// no longer knows it.
    fn dump_result(&mut self, ctx: &mut Ctx<'_>, token: Token, result: &CmdResult) {
        let list = match result {
            Ok(Reply::Endpoints(list)) => list,
            Err(e) if e.errno == EINVAL => return self.mark_kernel_pm(ctx, token),
            other => {
                debug!("sspi: dump of {token:08x}: {other:?}");
                return;
            }
        };
        let Some(conn) = self.table.conns.get_mut(&token) else {
            return;
        };
        let known = conn.slots.iter().any(|s| {
            !s.initial && (s.sub.is_some_and(|sub| sub.loc_id == s.id) || s.ann == Ann::Announced)
        });
        if list.is_empty() && known {
            debug!("sspi: connection {token:08x} is gone (its address list is empty)");
            self.connection_closed(ctx, token);
            return;
        }
        let mut retry = Vec::new();
        let taken: Vec<u8> = conn.slots.iter().map(|s| s.id).collect();
        for (si, s) in conn.slots.iter_mut().enumerate() {
            if s.initial {
                continue;
            }
            if let Some(ep) = list.iter().find(|e| e.addr == s.local) {
                s.id = ep.id;
            } else if s.id_checked && list.iter().any(|e| e.id == s.id) {
                let free = (1..=u8::MAX)
                    .find(|id| !taken.contains(id) && list.iter().all(|e| e.id != *id));
                match free {
                    Some(id) => s.id = id,
                    None => continue,
                }
            }
            if s.id_checked && s.creating.is_none() && s.ann == Ann::None && s.sub.is_none() {
                retry.push(si);
            }
        }
        let server = conn.server_side;
        for si in retry {
            if server {
                self.start_announce(ctx, token, si);
            } else {
                start_create(&mut self.table, ctx, token, si);
            }
        }
    }
}

fn initial_slot(ifindex: u32, local: SocketAddr, remote: SocketAddr) -> Slot {
    let mut s = Slot::new(ifindex, local.ip().to_canonical(), 0);
    s.initial = true;
    s.sub = Some(Sub {
        local,
        remote,
        loc_id: 0,
        rem_id: 0,
    });
    s
}

fn is_kernel_pm(err: &KernelError) -> bool {
    err.errno == EINVAL
        && err
            .msg
            .as_deref()
            .is_some_and(|m| m.contains("userspace PM not selected"))
}

fn is_unknown_token(err: &KernelError) -> bool {
    err.errno == EINVAL
        && err
            .msg
            .as_deref()
            .is_some_and(|m| m.contains("invalid token"))
}

fn start_create(table: &mut Table, ctx: &mut Ctx<'_>, token: Token, si: usize) {
    let Some(conn) = table.conns.get_mut(&token) else {
        return;
    };
    let Some((_, peer)) = conn.peer else {
        return;
    };
    let slot = &mut conn.slots[si];
    let flags = if slot.backup {
        AddrFlags::BACKUP
    } else {
        AddrFlags::empty()
    };
    let local = Endpoint {
        id: slot.id,
        addr: slot.local,
        port: 0,
        flags,
        ifindex: slot.ifindex as i32,
    };
    let peer = SocketAddr::new(peer.ip().to_canonical(), peer.port());
    slot.creating = Some(ctx.subflow_create(token, local, peer));
}

fn send_announce(table: &mut Table, ctx: &mut Ctx<'_>, token: Token, si: usize, port: u16) {
    let Some(conn) = table.conns.get_mut(&token) else {
        return;
    };
    // Without a port the peer joins to the connection's own port.
    let port = if port == conn.local.port() { 0 } else { port };
    let slot = &mut conn.slots[si];
    let ep = Endpoint {
        id: slot.id,
        addr: slot.local,
        port,
        flags: AddrFlags::SIGNAL,
        ifindex: slot.ifindex as i32,
    };
    slot.ann = Ann::Announcing(ctx.announce(token, ep));
}

/// The slot's address can still carry a subflow.
fn usable(net: &Monitor, slot: &Slot) -> bool {
    net.local_addrs(slot.ifindex).any(|a| a.addr == slot.local)
        || (slot.initial
            && net
                .iface_of_addr(slot.local)
                .is_some_and(|i| i.index == slot.ifindex))
}

#[path = "sspi/events.rs"]
mod events;

#[cfg(test)]
#[path = "sspi_tests.rs"]
mod tests;
