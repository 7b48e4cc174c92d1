// SPDX-License-Identifier: BSD-3-Clause
//! sspi's connection table: per token, both ends of the connection and
//! one [`Slot`] per local interface (the subflow on it, the subflow being
//! opened from it, or the announcement of its address), plus the retry
//! deadlines of failed subflows.
//!
//! Memory (x86_64, sizes asserted by `entry_sizes_are_as_documented`):
//! a [`Conn`] is 128 bytes and sits in a `HashMap<Token, Conn>` bucket of
//! 132 bytes plus one control byte, at a load of at most 7/8: ≈ 152
//! bytes. Its slots are one heap block sized for the usable interfaces
//! at its first event, 168 bytes per [`Slot`]. With three interfaces a
//! connection costs ≈ 152 + 3 × 168 = 656 bytes, so the default bound of
//! 4096 connections stays under 2.6 MiB (2.1 MiB with two interfaces).
//! A pending retry adds one `BTreeSet` key (24 bytes plus B-tree node
//! overhead).

use std::collections::{BTreeSet, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use crate::pm::{ConnInfo, Token};
use crate::policy::Tag;

/// First retry delay after a subflow failed.
pub const RETRY_MIN: Duration = Duration::from_millis(100);
/// The delay doubles after each failure up to this.
pub const RETRY_MAX: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnState {
    /// CREATED seen; a client may not add subflows before ESTABLISHED.
    Created,
    Established,
    /// The kernel said "userspace PM not selected": hands off until CLOSED.
    KernelPm,
}

/// The announcement of a slot's address (server side).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ann {
    None,
    /// Waiting for our listener on (address, port).
    WaitListener,
    /// ANNOUNCE sent.
    Announcing(Tag),
    Announced,
}

/// One subflow: its two ends and the local id the kernel reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sub {
    pub local: SocketAddr,
    pub remote: SocketAddr,
    pub loc_id: u8,
    pub rem_id: u8,
}

/// What a connection has on one local interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub ifindex: u32,
    /// The local address this slot uses (subflows from it, announcement
    /// of it).
    pub local: IpAddr,
    /// Local id for `local` on this connection (0 for the initial
    /// address).
    pub id: u8,
    /// This slot stands for the initial subflow's interface.
    pub initial: bool,
    /// The interface's endpoint flags ask for backup subflows.
    pub backup: bool,
    /// The one subflow kept on this interface.
    pub sub: Option<Sub>,
    /// Client: SUBFLOW_CREATE sent, outcome (SUB_ESTABLISHED or
    /// SUB_CLOSED with an error) not seen yet.
    pub creating: Option<Tag>,
    pub ann: Ann,
    /// The listener key (address, port asked) this slot holds a
    /// reference on.
    pub listener: Option<(IpAddr, u16)>,
    /// Failures since the last success: the back-off exponent.
    pub fails: u8,
    pub retry_at: Option<Instant>,
    /// One GET_ADDR re-read of the connection's ids after "did not match
    /// address and id" has been spent on the current attempt.
    pub id_checked: bool,
    /// The address was withdrawn but its subflow was the connection's
    /// last one: kept until another subflow is up.
    pub gone: bool,
}

impl Slot {
    pub fn new(ifindex: u32, local: IpAddr, id: u8) -> Slot {
        Slot {
            ifindex,
            local,
            id,
            initial: false,
            backup: false,
            sub: None,
            creating: None,
            ann: Ann::None,
            listener: None,
            fails: 0,
            retry_at: None,
            id_checked: false,
            gone: false,
        }
    }

    /// The next back-off delay, counting this failure.
    pub fn next_delay(&mut self) -> Duration {
        let d = RETRY_MIN
            .saturating_mul(1 << self.fails.min(16))
            .min(RETRY_MAX);
        self.fails = self.fails.saturating_add(1);
        d
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conn {
    pub local: SocketAddr,
    pub remote: SocketAddr,
    pub server_side: bool,
    pub deny_join_id0: bool,
    pub state: ConnState,
    /// Where a client's subflows go: the peer's initial address, or with
    /// DENY_JOIN_ID0 the first address it announced (rem_id, address).
    pub peer: Option<(u8, SocketAddr)>,
    pub slots: Vec<Slot>,
}

impl Conn {
    pub fn new(info: &ConnInfo) -> Conn {
        Conn {
            local: info.local,
            remote: info.remote,
            server_side: info.server_side,
            deny_join_id0: info.deny_join_id0,
            state: ConnState::Created,
            peer: (!info.deny_join_id0).then_some((0, info.remote)),
            slots: Vec::new(),
        }
    }

    pub fn slot(&self, ifindex: u32) -> Option<usize> {
        self.slots.iter().position(|s| s.ifindex == ifindex)
    }

    /// The slot holding exactly this subflow.
    pub fn slot_of_sub(&self, local: SocketAddr, remote: SocketAddr) -> Option<usize> {
        self.slots.iter().position(|s| {
            s.sub
                .is_some_and(|sub| sub.local == local && sub.remote == remote)
        })
    }

    /// Established subflows we know of.
    pub fn live_subflows(&self) -> usize {
        self.slots.iter().filter(|s| s.sub.is_some()).count()
    }

    /// The family of the peer's address decides which local addresses
    /// can carry a subflow (an IPv4-mapped peer counts as IPv4).
    pub fn peer_is_v4(&self) -> bool {
        self.remote.ip().to_canonical().is_ipv4()
    }
}

/// The connection table with its bound, and the retry deadlines.
#[derive(Debug)]
pub struct Table {
    pub conns: HashMap<Token, Conn>,
    pub max: usize,
    /// The "table full" warning was logged and not yet re-armed.
    pub full_warned: bool,
    /// (deadline, token, ifindex) of every slot with `retry_at` set.
    pub timers: BTreeSet<(Instant, Token, u32)>,
}

impl Table {
    pub fn new(max: usize) -> Table {
        Table {
            conns: HashMap::new(),
            max,
            full_warned: false,
            timers: BTreeSet::new(),
        }
    }

    /// Inserts a connection unless the table is full; logs the warning
    /// once per episode (re-armed when the table drops to 3/4).
    pub fn admit(&mut self, info: &ConnInfo) -> Option<&mut Conn> {
        if !self.conns.contains_key(&info.token) && self.conns.len() >= self.max {
            if !self.full_warned {
                self.full_warned = true;
                log::warn!(
                    "sspi: connection table full ({} connections): further connections are \
                     left to the kernel until some close",
                    self.max
                );
            }
            return None;
        }
        Some(
            self.conns
                .entry(info.token)
                .or_insert_with(|| Conn::new(info)),
        )
    }

    /// A tracked connection that sspi acts on: not one found to use the
    /// in-kernel path manager.
    pub fn managed(&mut self, token: Token) -> Option<&mut Conn> {
        self.conns
            .get_mut(&token)
            .filter(|c| c.state != ConnState::KernelPm)
    }

    pub fn remove(&mut self, token: Token) -> Option<Conn> {
        let conn = self.conns.remove(&token)?;
        for s in &conn.slots {
            if let Some(at) = s.retry_at {
                self.timers.remove(&(at, token, s.ifindex));
            }
        }
        if self.full_warned && self.conns.len() <= self.max / 4 * 3 {
            self.full_warned = false;
        }
        Some(conn)
    }

    pub fn schedule(&mut self, token: Token, si: usize, now: Instant) {
        let Some(slot) = self.conns.get_mut(&token).and_then(|c| c.slots.get_mut(si)) else {
            return;
        };
        if let Some(old) = slot.retry_at.take() {
            self.timers.remove(&(old, token, slot.ifindex));
        }
        let at = now + slot.next_delay();
        slot.retry_at = Some(at);
        self.timers.insert((at, token, slot.ifindex));
    }

    pub fn cancel(&mut self, token: Token, si: usize) {
        let Some(slot) = self.conns.get_mut(&token).and_then(|c| c.slots.get_mut(si)) else {
            return;
        };
        if let Some(at) = slot.retry_at.take() {
            self.timers.remove(&(at, token, slot.ifindex));
        }
    }

    /// Removes slot `si` of `token` (and its timer); returns it.
    pub fn drop_slot(&mut self, token: Token, si: usize) -> Option<Slot> {
        self.cancel(token, si);
        let conn = self.conns.get_mut(&token)?;
        (si < conn.slots.len()).then(|| conn.slots.remove(si))
    }

    pub fn next_deadline(&self) -> Option<Instant> {
        self.timers.first().map(|&(at, _, _)| at)
    }

    /// Takes every timer due at `now`: (token, ifindex).
    pub fn due(&mut self, now: Instant) -> Vec<(Token, u32)> {
        let mut out = Vec::new();
        while let Some(&(at, token, ifindex)) = self.timers.first() {
            if at > now {
                break;
            }
            self.timers.pop_first();
            if let Some(slot) = self
                .conns
                .get_mut(&token)
                .and_then(|c| c.slots.iter_mut().find(|s| s.ifindex == ifindex))
            {
                slot.retry_at = None;
            }
            out.push((token, ifindex));
        }
        out
    }
}
