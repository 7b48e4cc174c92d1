// SPDX-License-Identifier: BSD-3-Clause
//! Listeners behind sspi's announcements (mptcpd-behaviour.md §8,
//! mptcp-genl.md §4.3): a peer's join to an announced address:port works
//! only if an MPTCP socket listens there.
//!
//! Keyed by (address, port asked). One `listen` request per key, then a
//! reference per announcement; the socket is closed when the last
//! announcement using it is withdrawn or its connection closes. An
//! application listener can cover the key instead: a wildcard listener
//! seen in LISTENER_CREATED for the port, or our `listen` failing with
//! EADDRINUSE. Then the announcement goes out without a socket of ours.
//! Any other failure with the connection's port (e.g. EACCES below 1024)
//! is retried once with an ephemeral port.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use crate::pm::Token;
use crate::policy::Tag;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LState {
    /// `listen` sent (for the key's port, or for port 0 after a failure).
    Opening(Tag),
    /// Our socket, bound here.
    Bound(SocketAddr),
    /// Someone else's listener covers the key: announce the port asked.
    Covered,
}

#[derive(Debug)]
pub struct Entry {
    pub state: LState,
    /// Announcements holding the listener.
    pub refs: u32,
    /// Slots (token, ifindex) waiting for the outcome of `Opening`.
    pub waiters: Vec<(Token, u32)>,
}

impl Entry {
    /// The port to announce, once known.
    pub fn port(&self, asked: u16) -> Option<u16> {
        match self.state {
            LState::Opening(_) => None,
            LState::Bound(sa) => Some(sa.port()),
            LState::Covered => Some(asked),
        }
    }
}

#[derive(Debug, Default)]
pub struct ListenerTable {
    pub map: HashMap<(IpAddr, u16), Entry>,
    /// Wildcard application listeners: (is IPv6, port) → count.
    wild: HashMap<(bool, u16), u32>,
}

impl ListenerTable {
    /// An application listens on the wildcard address of `addr`'s
    /// family (or on `::`, which also takes IPv4) with this port.
    pub fn app_covers(&self, addr: IpAddr, port: u16) -> bool {
        self.wild.contains_key(&(true, port))
            || (addr.is_ipv4() && self.wild.contains_key(&(false, port)))
    }

    /// LISTENER_CREATED: only wildcard listeners matter (a listener on
    /// one address makes our `listen` there fail with EADDRINUSE, which
    /// is handled the same way).
    pub fn app_listening(&mut self, addr: SocketAddr) {
        if addr.ip().is_unspecified() {
            *self.wild.entry((addr.is_ipv6(), addr.port())).or_default() += 1;
        }
    }

    pub fn app_closed(&mut self, addr: SocketAddr) {
        let key = (addr.is_ipv6(), addr.port());
        if let Some(n) = self.wild.get_mut(&key) {
            *n -= 1;
            if *n == 0 {
                self.wild.remove(&key);
            }
        }
    }

    /// The key whose `listen` request carries `tag`.
    pub fn by_tag(&self, tag: Tag) -> Option<(IpAddr, u16)> {
        self.map
            .iter()
            .find(|(_, e)| e.state == LState::Opening(tag))
            .map(|(k, _)| *k)
    }

    /// Drops one reference; returns the socket to close when it was the
    /// last one.
    pub fn release(&mut self, key: (IpAddr, u16)) -> Option<SocketAddr> {
        let e = self.map.get_mut(&key)?;
        e.refs = e.refs.saturating_sub(1);
        if e.refs > 0 || !e.waiters.is_empty() {
            return None;
        }
        match e.state {
            // The answer will find no user and close it then.
            LState::Opening(_) => None,
            LState::Bound(sa) => {
                self.map.remove(&key);
                Some(sa)
            }
            LState::Covered => {
                self.map.remove(&key);
                None
            }
        }
    }

    /// Forgets a waiting slot (its connection closed or its address
    /// went while the listener was being opened).
    pub fn unwait(&mut self, key: (IpAddr, u16), token: Token, ifindex: u32) {
        if let Some(e) = self.map.get_mut(&key) {
            e.waiters.retain(|w| *w != (token, ifindex));
        }
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }
}
