// SPDX-License-Identifier: BSD-3-Clause
//! Our own small view of interfaces and addresses, as the network monitor
//! needs them. `rtnl.rs` converts rtnetlink messages into these; nothing
//! else in the daemon names a netlink-packet-route type.

use std::fmt;
use std::net::IpAddr;

/// `IFF_*` bits of `ifinfomsg.ifi_flags` that the monitor looks at.
pub const IFF_UP: u32 = 0x1;
pub const IFF_LOOPBACK: u32 = 0x8;
pub const IFF_POINTOPOINT: u32 = 0x10;
pub const IFF_RUNNING: u32 = 0x40;
pub const IFF_LOWER_UP: u32 = 0x1_0000;

/// `IFA_F_*` address flags (full u32 from `IFA_FLAGS`).
pub const IFA_F_SECONDARY: u32 = 0x01;
pub const IFA_F_NODAD: u32 = 0x02;
pub const IFA_F_OPTIMISTIC: u32 = 0x04;
pub const IFA_F_DADFAILED: u32 = 0x08;
pub const IFA_F_DEPRECATED: u32 = 0x20;
pub const IFA_F_TENTATIVE: u32 = 0x40;
pub const IFA_F_PERMANENT: u32 = 0x80;

/// `RT_SCOPE_*` values of `ifaddrmsg.ifa_scope`.
pub const RT_SCOPE_UNIVERSE: u8 = 0;
pub const RT_SCOPE_SITE: u8 = 200;
pub const RT_SCOPE_LINK: u8 = 253;
pub const RT_SCOPE_HOST: u8 = 254;

/// An interface name without a heap allocation (IFNAMSIZ is 16 with the
/// NUL, so at most 15 bytes).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct IfName {
    buf: [u8; 15],
    len: u8,
}

impl IfName {
    /// Truncates names longer than the kernel allows (cannot happen with
    /// names from the kernel) at a character boundary.
    pub fn new(s: &str) -> Self {
        let mut end = s.len().min(15);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        let mut buf = [0u8; 15];
        buf[..end].copy_from_slice(&s.as_bytes()[..end]);
        IfName {
            buf,
            len: end as u8,
        }
    }

    pub fn as_str(&self) -> &str {
        // Constructed only from &str cut at a char boundary.
        std::str::from_utf8(&self.buf[..self.len as usize]).unwrap_or("")
    }
}

impl fmt::Debug for IfName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for IfName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A link as reported by RTM_NEWLINK (or RTM_DELLINK).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub index: u32,
    pub name: IfName,
    /// `ifi_flags` (IFF_*).
    pub flags: u32,
    /// `IFLA_OPERSTATE` when present (6 = up).
    pub operstate: Option<u8>,
}

impl Link {
    pub fn is_up(&self) -> bool {
        self.flags & IFF_UP != 0
    }
    /// Carrier present: the kernel sets RUNNING only with UP and carrier.
    pub fn is_running(&self) -> bool {
        self.flags & IFF_RUNNING != 0
    }
    pub fn is_loopback(&self) -> bool {
        self.flags & IFF_LOOPBACK != 0
    }
}

/// A local address as reported by RTM_NEWADDR / RTM_DELADDR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Addr {
    pub index: u32,
    /// `IFA_LOCAL` when present (point-to-point links carry the peer in
    /// `IFA_ADDRESS`), else `IFA_ADDRESS`.
    pub addr: IpAddr,
    pub prefix_len: u8,
    /// `ifa_scope` (RT_SCOPE_*).
    pub scope: u8,
    /// `IFA_FLAGS` when present (authoritative), else `ifa_flags`.
    pub flags: u32,
}

impl Addr {
    /// The kernel would use this address as a source for new subflows:
    /// not tentative (DAD running), not DAD-failed, not deprecated.
    pub fn is_usable(&self) -> bool {
        self.flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED | IFA_F_DEPRECATED) == 0
    }
}

/// The answer to "would the kernel route from this address out of this
/// device toward a default destination?" (RTM_GETROUTE with
/// RTM_F_FIB_MATCH, RTA_SRC and RTA_OIF).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteCheck {
    pub index: u32,
    pub addr: IpAddr,
    pub has_default: bool,
}
