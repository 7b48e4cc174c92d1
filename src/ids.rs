// SPDX-License-Identifier: BSD-3-Clause
//! Local address ↔ MPTCP address id, for in-kernel PM endpoints.
//!
//! mptcpd's id manager semantics: the key is the IP address only (no
//! port, no IPv6 scope), ids 1..=255 are shared by IPv4 and IPv6, a new
//! address gets the **lowest** free id, and a released id can be handed
//! out again at once. Id 0 is never used: on the wire it means "the
//! address of the initial subflow" (DEL_ADDR with id 0 removes nothing).
//!
//! Differences from mptcpd, on purpose:
//! - [`IdManager::map`] (seeding from the kernel's endpoint dump) frees
//!   the address's previous id and takes the id away from any other
//!   address. The kernel's table is the truth; mptcpd kept the old id
//!   marked as used forever and allowed two addresses on one id.
//! - [`IdManager::retain`] lets the owner forget addresses that left the
//!   kernel table, so ids taken by other tools are released when those
//!   endpoints go away.

use std::net::IpAddr;

/// Highest usable address id (`MPTCP_PM_MAX_ADDR_ID`).
pub const MPTCP_PM_MAX_ADDR_ID: u8 = 255;

/// The id table. A `Vec` rather than a map: the kernel holds at most 8
/// endpoints, so a handful of entries is the normal size, and a linear
/// scan of them is cheaper than hashing an `IpAddr`.
#[derive(Debug, Clone, Default)]
pub struct IdManager {
    map: Vec<(IpAddr, u8)>,
    /// Bit `n` set = id `n` is bound to some address. Bit 0 stays clear.
    used: [u64; 4],
}

impl IdManager {
    pub fn new() -> Self {
        Self::default()
    }

    /// The id bound to `addr`, if any.
    pub fn get(&self, addr: IpAddr) -> Option<u8> {
        self.map.iter().find(|(a, _)| *a == addr).map(|&(_, id)| id)
    }

    /// The address bound to `id`, if any.
    pub fn addr_of(&self, id: u8) -> Option<IpAddr> {
        self.map.iter().find(|(_, i)| *i == id).map(|&(a, _)| a)
    }

    pub fn is_used(&self, id: u8) -> bool {
        self.used[usize::from(id / 64)] & (1 << (id % 64)) != 0
    }

    /// Number of bound addresses.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// mptcpd's `get_id`: the existing id of `addr`, else the lowest
    /// free id, now bound to `addr`. `None` when all 255 are taken.
    pub fn get_or_assign(&mut self, addr: IpAddr) -> Option<u8> {
        self.get_or_assign_avoiding(addr, |_| false)
    }

    /// [`IdManager::get_or_assign`], also skipping ids for which
    /// `taken(id)` is true (ids the caller knows to be in use in the
    /// kernel, e.g. by a second endpoint of the same address with a port,
    /// which one key per address cannot record).
    pub fn get_or_assign_avoiding(
        &mut self,
        addr: IpAddr,
        mut taken: impl FnMut(u8) -> bool,
    ) -> Option<u8> {
        match self.get(addr) {
            Some(id) if !taken(id) => return Some(id),
            Some(_) => {
                self.remove(addr);
            }
            None => {}
        }
        let id = (1..=MPTCP_PM_MAX_ADDR_ID).find(|&id| !self.is_used(id) && !taken(id))?;
        self.set_used(id, true);
        self.map.push((addr, id));
        Some(id)
    }

    /// mptcpd's `remove_id`: forget `addr` and free its id for reuse.
    /// Returns the id it had.
    pub fn remove(&mut self, addr: IpAddr) -> Option<u8> {
        let pos = self.map.iter().position(|(a, _)| *a == addr)?;
        let (_, id) = self.map.swap_remove(pos);
        self.set_used(id, false);
        Some(id)
    }

    /// Binds `addr` to `id` because the kernel says so (endpoint dump,
    /// or an endpoint we adopted). Id 0 is ignored: it is not an
    /// endpoint id.
    pub fn map(&mut self, addr: IpAddr, id: u8) {
        if id == 0 || self.get(addr) == Some(id) {
            return;
        }
        self.remove(addr);
        if let Some(other) = self.addr_of(id) {
            self.remove(other);
        }
        self.set_used(id, true);
        self.map.push((addr, id));
    }

    /// Keeps only the bindings for which `keep(addr, id)` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(IpAddr, u8) -> bool) {
        let mut i = 0;
        while i < self.map.len() {
            let (addr, id) = self.map[i];
            if keep(addr, id) {
                i += 1;
            } else {
                self.map.swap_remove(i);
                self.set_used(id, false);
            }
        }
    }

    fn set_used(&mut self, id: u8, on: bool) {
        let word = &mut self.used[usize::from(id / 64)];
        let bit = 1u64 << (id % 64);
        if on {
            *word |= bit;
        } else {
            *word &= !bit;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn lowest_free_id_shared_by_both_families() {
        let mut ids = IdManager::new();
        assert_eq!(ids.get_or_assign(ip("192.0.2.1")), Some(1));
        assert_eq!(ids.get_or_assign(ip("2001:db8::1")), Some(2));
        assert_eq!(ids.get_or_assign(ip("192.0.2.1")), Some(1), "stable");
        assert_eq!(ids.get_or_assign(ip("198.51.100.1")), Some(3));
    }

    #[test]
    fn released_id_is_reused_first() {
        let mut ids = IdManager::new();
        for last in 1..=4 {
            ids.get_or_assign(ip(&format!("192.0.2.{last}")));
        }
        assert_eq!(ids.remove(ip("192.0.2.2")), Some(2));
        assert_eq!(ids.remove(ip("192.0.2.2")), None);
        assert!(!ids.is_used(2));
        assert_eq!(ids.get_or_assign(ip("2001:db8::9")), Some(2));
        assert_eq!(ids.get_or_assign(ip("2001:db8::a")), Some(5));
    }

    #[test]
    fn seeded_ids_are_never_handed_out() {
        let mut ids = IdManager::new();
        ids.map(ip("203.0.113.7"), 1);
        ids.map(ip("203.0.113.8"), 3);
        assert_eq!(ids.get_or_assign(ip("192.0.2.1")), Some(2));
        assert_eq!(ids.get_or_assign(ip("192.0.2.2")), Some(4));
        assert_eq!(ids.get(ip("203.0.113.7")), Some(1));
    }

    #[test]
    fn map_moves_an_id_and_frees_the_old_one() {
        let mut ids = IdManager::new();
        ids.map(ip("192.0.2.1"), 5);
        ids.map(ip("192.0.2.1"), 7);
        assert!(!ids.is_used(5), "mptcpd leaked the old id here");
        assert_eq!(ids.get(ip("192.0.2.1")), Some(7));
        // The kernel says id 7 now belongs to another address.
        ids.map(ip("192.0.2.2"), 7);
        assert_eq!(ids.get(ip("192.0.2.1")), None);
        assert_eq!(ids.addr_of(7), Some(ip("192.0.2.2")));
        assert_eq!(ids.len(), 1);
        ids.map(ip("192.0.2.3"), 0);
        assert_eq!(ids.len(), 1, "id 0 is not an endpoint id");
    }

    #[test]
    fn avoiding_ids_known_to_be_taken() {
        let mut ids = IdManager::new();
        ids.map(ip("192.0.2.1"), 1);
        // The kernel also has id 2 (same address with a port).
        let taken = |id| id == 1 || id == 2;
        assert_eq!(ids.get_or_assign_avoiding(ip("192.0.2.9"), taken), Some(3));
        assert_eq!(ids.get_or_assign_avoiding(ip("192.0.2.1"), taken), Some(4));
        assert!(!ids.is_used(1), "the stale binding was dropped");
    }

    #[test]
    fn exhaustion_and_retain() {
        let mut ids = IdManager::new();
        for n in 0..255u32 {
            let a = IpAddr::from(std::net::Ipv4Addr::from(0xc000_0200 + n));
            assert_eq!(ids.get_or_assign(a), Some((n + 1) as u8));
        }
        assert_eq!(ids.get_or_assign(ip("2001:db8::1")), None);
        ids.retain(|_, id| id % 2 == 0);
        assert_eq!(ids.len(), 127);
        assert_eq!(ids.get_or_assign(ip("2001:db8::1")), Some(1));
        assert!(!ids.is_used(0));
    }
}
