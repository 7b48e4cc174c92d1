// SPDX-License-Identifier: BSD-3-Clause
//! Per-interface rules: which interfaces carry MPTCP and with which
//! endpoint flags (`[interface PATTERN]` groups of mptcpd.conf).

use crate::flags::AddrFlags;

/// What to do with interfaces that no rule names (`[core]
/// unlisted-interfaces`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unlisted {
    /// Use them with the global addr-flags: plain mptcpd behaviour.
    #[default]
    Use,
    /// Ignore them: the rules are an allow-list.
    Ignore,
}

impl Unlisted {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "use" => Some(Unlisted::Use),
            "ignore" => Some(Unlisted::Ignore),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Unlisted::Use => "use",
            Unlisted::Ignore => "ignore",
        }
    }
}

/// One `[interface PATTERN]` group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IfaceRule {
    /// An interface name or a shell-style pattern (`*`, `?`, `[...]`).
    pub pattern: String,
    pub exclude: bool,
    /// Overrides the global addr-flags; `None` = use the global ones.
    pub addr_flags: Option<AddrFlags>,
}

impl std::fmt::Display for IfaceRule {
    /// As the rule reads in the file: `[interface wwan*] addr-flags=backup`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[interface {}]", self.pattern)?;
        if self.exclude {
            f.write_str(" exclude=yes")?;
        }
        if let Some(flags) = self.addr_flags {
            write!(f, " addr-flags={flags}")?;
        }
        Ok(())
    }
}

/// The decision for one interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfaceUse {
    Used(AddrFlags),
    /// Excluded by the named rule (index into the rule list).
    ExcludedByRule,
    /// Not named by any rule while `unlisted-interfaces=ignore`.
    Unlisted,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InterfaceRules {
    pub unlisted: Unlisted,
    pub rules: Vec<IfaceRule>,
}

impl InterfaceRules {
    /// An exact name beats any pattern, so `eth1` can be carved out of
    /// `eth*`; among patterns the first in the file wins.
    pub fn find(&self, name: &str) -> Option<&IfaceRule> {
        self.rules
            .iter()
            .find(|r| r.pattern == name)
            .or_else(|| self.rules.iter().find(|r| glob_match(&r.pattern, name)))
    }

    pub fn decide(&self, name: &str, global: AddrFlags) -> IfaceUse {
        match self.find(name) {
            Some(r) if r.exclude => IfaceUse::ExcludedByRule,
            Some(r) => IfaceUse::Used(r.addr_flags.unwrap_or(global)),
            None if self.unlisted == Unlisted::Ignore => IfaceUse::Unlisted,
            None => IfaceUse::Used(global),
        }
    }
}

/// Checks a pattern's syntax; the error says what is wrong.
pub fn check_pattern(p: &str) -> Result<(), &'static str> {
    if p.is_empty() {
        return Err("empty interface name or pattern");
    }
    // IFNAMSIZ - 1; a pattern may be longer than the names it matches
    // only through its metacharacters.
    if !p.contains(['*', '?', '[']) && p.len() > 15 {
        return Err("interface name longer than 15 characters");
    }
    if p.chars().any(|c| c.is_whitespace() || c == '/') {
        return Err("interface names contain no spaces or '/'");
    }
    let b = p.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'[' {
            match class_end(b, i) {
                Some(end) => i = end,
                None => return Err("unterminated '[' in pattern"),
            }
        }
        i += 1;
    }
    Ok(())
}

/// Index of the `]` closing the class opened at `open`, fnmatch-style
/// (a `]` right after `[` or `[!` is literal).
fn class_end(b: &[u8], open: usize) -> Option<usize> {
    let mut j = open + 1;
    if j < b.len() && (b[j] == b'!' || b[j] == b'^') {
        j += 1;
    }
    if j < b.len() && b[j] == b']' {
        j += 1;
    }
    while j < b.len() {
        if b[j] == b']' {
            return Some(j);
        }
        j += 1;
    }
    None
}

fn class_matches(class: &[u8], c: u8) -> bool {
    let (negate, body) = match class.first() {
        Some(b'!') | Some(b'^') => (true, &class[1..]),
        _ => (false, class),
    };
    let mut hit = false;
    let mut k = 0;
    while k < body.len() {
        if k + 2 < body.len() && body[k + 1] == b'-' {
            if body[k] <= c && c <= body[k + 2] {
                hit = true;
            }
            k += 3;
        } else {
            if body[k] == c {
                hit = true;
            }
            k += 1;
        }
    }
    hit != negate
}

/// Shell-style matching of interface names (`*`, `?`, `[a-z]`, `[!0]`).
/// Iterative with one backtrack point, so no pattern can blow up.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let p = pattern.as_bytes();
    let n = name.as_bytes();
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() {
            match p[pi] {
                b'*' => {
                    star = Some((pi, ni));
                    pi += 1;
                    continue;
                }
                b'?' => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                b'[' => {
                    if let Some(end) = class_end(p, pi) {
                        if class_matches(&p[pi + 1..end], n[ni]) {
                            pi = end + 1;
                            ni += 1;
                            continue;
                        }
                    } else if n[ni] == b'[' {
                        pi += 1;
                        ni += 1;
                        continue;
                    }
                }
                c if c == n[ni] => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, sn)) => {
                pi = sp + 1;
                ni = sn + 1;
                star = Some((sp, sn + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("eth1", "eth1"));
        assert!(!glob_match("eth1", "eth10"));
        assert!(glob_match("wwan*", "wwan0"));
        assert!(glob_match("wwan*", "wwan"));
        assert!(glob_match("pppoe-*", "pppoe-wan"));
        assert!(!glob_match("pppoe-*", "pppoewan"));
        assert!(glob_match("veth-w*", "veth-wan1"));
        assert!(!glob_match("veth-w*", "veth-lan"));
        assert!(glob_match("eth?", "eth3"));
        assert!(!glob_match("eth?", "eth10"));
        assert!(glob_match("eth[0-3]", "eth2"));
        assert!(!glob_match("eth[0-3]", "eth5"));
        assert!(glob_match("eth[!0]", "eth5"));
        assert!(!glob_match("eth[!0]", "eth0"));
        assert!(glob_match("*lan*", "br-lan"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "axxbyyc"));
        assert!(!glob_match("a*b*c", "axxbyy"));
    }

    #[test]
    fn pattern_syntax() {
        assert!(check_pattern("eth[0-3").is_err());
        assert!(check_pattern("").is_err());
        assert!(check_pattern("a very long name").is_err());
        assert!(check_pattern("averyveryverylongname").is_err());
        assert!(check_pattern("wwan*").is_ok());
        assert!(check_pattern("eth[]]").is_ok());
    }

    #[test]
    fn decisions() {
        let rules = InterfaceRules {
            unlisted: Unlisted::Ignore,
            rules: vec![
                IfaceRule {
                    pattern: "eth*".into(),
                    exclude: false,
                    addr_flags: Some(AddrFlags::SUBFLOW),
                },
                IfaceRule {
                    pattern: "eth9".into(),
                    exclude: true,
                    addr_flags: None,
                },
                IfaceRule {
                    pattern: "wwan0".into(),
                    exclude: false,
                    addr_flags: None,
                },
            ],
        };
        let g = AddrFlags::SIGNAL;
        assert_eq!(rules.decide("eth1", g), IfaceUse::Used(AddrFlags::SUBFLOW));
        assert_eq!(rules.decide("eth9", g), IfaceUse::ExcludedByRule);
        assert_eq!(rules.decide("wwan0", g), IfaceUse::Used(g));
        assert_eq!(rules.decide("br-lan", g), IfaceUse::Unlisted);
        let open = InterfaceRules {
            unlisted: Unlisted::Use,
            ..rules
        };
        assert_eq!(open.decide("br-lan", g), IfaceUse::Used(g));
    }
}
