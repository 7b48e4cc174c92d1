// SPDX-License-Identifier: BSD-3-Clause
//! The two flag sets of mptcpd's command line and config file:
//! endpoint flags (`--addr-flags`) and network-monitor flags
//! (`--notify-flags`).

use std::fmt;

/// Endpoint flags, `MPTCP_PM_ADDR_FLAG_*` (u32, host order on the wire).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AddrFlags(pub u32);

impl AddrFlags {
    pub const SIGNAL: AddrFlags = AddrFlags(0x01); // MPTCP_PM_ADDR_FLAG_SIGNAL
    pub const SUBFLOW: AddrFlags = AddrFlags(0x02); // MPTCP_PM_ADDR_FLAG_SUBFLOW
    pub const BACKUP: AddrFlags = AddrFlags(0x04); // MPTCP_PM_ADDR_FLAG_BACKUP
    pub const FULLMESH: AddrFlags = AddrFlags(0x08); // MPTCP_PM_ADDR_FLAG_FULLMESH
    pub const IMPLICIT: AddrFlags = AddrFlags(0x10); // MPTCP_PM_ADDR_FLAG_IMPLICIT
    pub const LAMINAR: AddrFlags = AddrFlags(0x20); // MPTCP_PM_ADDR_FLAG_LAMINAR (6.18)

    /// Words accepted by `--addr-flags`, in mptcpd's spelling.
    /// `implicit` is kernel-only and deliberately absent.
    pub const WORDS: &'static [(&'static str, AddrFlags)] = &[
        ("subflow", Self::SUBFLOW),
        ("signal", Self::SIGNAL),
        ("backup", Self::BACKUP),
        ("fullmesh", Self::FULLMESH),
        ("laminar", Self::LAMINAR),
    ];

    pub const fn empty() -> Self {
        AddrFlags(0)
    }
    pub const fn bits(self) -> u32 {
        self.0
    }
    pub const fn contains(self, other: AddrFlags) -> bool {
        self.0 & other.0 == other.0
    }
    pub const fn intersects(self, other: AddrFlags) -> bool {
        self.0 & other.0 != 0
    }
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
    #[must_use]
    pub const fn union(self, other: AddrFlags) -> Self {
        AddrFlags(self.0 | other.0)
    }
    #[must_use]
    pub const fn without(self, other: AddrFlags) -> Self {
        AddrFlags(self.0 & !other.0)
    }

    /// Parses a comma-separated list. Unlike mptcpd, which silently drops
    /// everything from the first unknown word on, the whole value is
    /// rejected and the offending word returned.
    pub fn parse_list(s: &str) -> Result<Self, FlagError> {
        parse_words(s, Self::WORDS).map(AddrFlags)
    }

    /// Combinations the kernel refuses at ADD_ADDR time.
    pub fn conflict(self) -> Option<&'static str> {
        if self.contains(Self::SIGNAL.union(Self::FULLMESH)) {
            Some("signal and fullmesh cannot be combined")
        } else {
            None
        }
    }
}

impl std::ops::BitOr for AddrFlags {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        self.union(rhs)
    }
}

impl std::ops::BitOrAssign for AddrFlags {
    fn bitor_assign(&mut self, rhs: Self) {
        self.0 |= rhs.0
    }
}

impl fmt::Debug for AddrFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AddrFlags({self})")
    }
}

impl fmt::Display for AddrFlags {
    /// iproute2-like spelling: `subflow,backup`; unknown bits as hex.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut all: Vec<(&str, AddrFlags)> = Self::WORDS.to_vec();
        all.push(("implicit", Self::IMPLICIT));
        write_words(f, self.0, &all)
    }
}

/// Network-monitor flags of `--notify-flags`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NotifyFlags(pub u32);

impl NotifyFlags {
    /// Report addresses present at start.
    pub const EXISTING: NotifyFlags = NotifyFlags(0x1);
    /// Ignore link-scope addresses (IPv6 fe80::/10, IPv4 scope link).
    pub const SKIP_LINK_LOCAL: NotifyFlags = NotifyFlags(0x2);
    /// Ignore host-scope addresses.
    pub const SKIP_LOOPBACK: NotifyFlags = NotifyFlags(0x4);
    /// Report an address only while a default route leaves from it.
    pub const CHECK_ROUTE: NotifyFlags = NotifyFlags(0x8);

    pub const WORDS: &'static [(&'static str, NotifyFlags)] = &[
        ("existing", Self::EXISTING),
        ("skip_link_local", Self::SKIP_LINK_LOCAL),
        ("skip_loopback", Self::SKIP_LOOPBACK),
        ("check_route", Self::CHECK_ROUTE),
    ];

    pub const fn contains(self, other: NotifyFlags) -> bool {
        self.0 & other.0 == other.0
    }
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn parse_list(s: &str) -> Result<Self, FlagError> {
        parse_words(s, Self::WORDS).map(NotifyFlags)
    }
}

impl std::ops::BitOr for NotifyFlags {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        NotifyFlags(self.0 | rhs.0)
    }
}

impl fmt::Debug for NotifyFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NotifyFlags({self})")
    }
}

impl fmt::Display for NotifyFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_words(f, self.0, Self::WORDS)
    }
}

/// A flag list that names a word we do not know, or is malformed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlagError {
    /// The word, as typed.
    Unknown(String),
    /// An empty element, as in `subflow,,backup` or a leading comma.
    EmptyWord,
}

impl fmt::Display for FlagError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FlagError::Unknown(w) => write!(f, "unknown flag \"{w}\""),
            FlagError::EmptyWord => f.write_str("empty flag in list"),
        }
    }
}

trait Bits: Copy {
    fn raw(self) -> u32;
}
impl Bits for AddrFlags {
    fn raw(self) -> u32 {
        self.0
    }
}
impl Bits for NotifyFlags {
    fn raw(self) -> u32 {
        self.0
    }
}

/// An empty string is an empty set, so `--addr-flags=` can clear the
/// file's value (mptcpd could not: it used 0 for "unset").
fn parse_words<T: Bits>(s: &str, words: &[(&str, T)]) -> Result<u32, FlagError> {
    if s.is_empty() {
        return Ok(0);
    }
    let mut bits = 0;
    for w in s.split(',') {
        if w.is_empty() {
            return Err(FlagError::EmptyWord);
        }
        match words.iter().find(|(name, _)| *name == w) {
            Some((_, v)) => bits |= v.raw(),
            None => return Err(FlagError::Unknown(w.to_owned())),
        }
    }
    Ok(bits)
}

fn write_words<T: Bits>(f: &mut fmt::Formatter<'_>, bits: u32, words: &[(&str, T)]) -> fmt::Result {
    let mut rest = bits;
    let mut first = true;
    for (name, v) in words {
        if bits & v.raw() != 0 {
            if !first {
                f.write_str(",")?;
            }
            f.write_str(name)?;
            first = false;
            rest &= !v.raw();
        }
    }
    if rest != 0 {
        if !first {
            f.write_str(",")?;
        }
        write!(f, "{rest:#x}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addr_flags_parse_and_print() {
        let f = AddrFlags::parse_list("subflow,backup").unwrap();
        assert_eq!(f, AddrFlags::SUBFLOW | AddrFlags::BACKUP);
        assert_eq!(f.to_string(), "subflow,backup");
        assert_eq!(AddrFlags::parse_list("laminar").unwrap().bits(), 0x20);
        assert_eq!(AddrFlags::parse_list("").unwrap(), AddrFlags::empty());
        assert_eq!(AddrFlags(0x40 | 0x2).to_string(), "subflow,0x40");
    }

    #[test]
    fn bad_word_rejects_whole_list() {
        assert_eq!(
            AddrFlags::parse_list("subflow,bogus,backup"),
            Err(FlagError::Unknown("bogus".into()))
        );
        assert_eq!(AddrFlags::parse_list(",subflow"), Err(FlagError::EmptyWord));
        assert_eq!(
            AddrFlags::parse_list("Subflow"),
            Err(FlagError::Unknown("Subflow".into()))
        );
        assert_eq!(
            AddrFlags::parse_list("implicit"),
            Err(FlagError::Unknown("implicit".into()))
        );
    }

    #[test]
    fn notify_flags() {
        let f = NotifyFlags::parse_list("existing,check_route,existing").unwrap();
        assert!(f.contains(NotifyFlags::EXISTING));
        assert!(f.contains(NotifyFlags::CHECK_ROUTE));
        assert!(!f.contains(NotifyFlags::SKIP_LOOPBACK));
        assert_eq!(f.to_string(), "existing,check_route");
    }

    #[test]
    fn conflicts() {
        assert!(
            (AddrFlags::SIGNAL | AddrFlags::FULLMESH)
                .conflict()
                .is_some()
        );
        assert!(
            (AddrFlags::SUBFLOW | AddrFlags::FULLMESH)
                .conflict()
                .is_none()
        );
    }
}
