// SPDX-License-Identifier: BSD-3-Clause
//! Interface rules in the monitor, and reloads ([`Monitor::reconfigure`]):
//! only real differences come out.

use super::*;
use crate::iface::IFF_LOWER_UP;
use crate::rules::{IfaceRule, InterfaceRules, Unlisted};

const SUBFLOW: AddrFlags = AddrFlags::SUBFLOW;
const BACKUP: AddrFlags = AddrFlags::BACKUP;

fn rule(pattern: &str, exclude: bool, addr_flags: Option<AddrFlags>) -> IfaceRule {
    IfaceRule {
        pattern: pattern.into(),
        exclude,
        addr_flags,
    }
}

fn settings(notify: NotifyFlags, unlisted: Unlisted, rules: Vec<IfaceRule>) -> Settings {
    Settings::new(SUBFLOW, notify).with_rules(InterfaceRules { unlisted, rules })
}

fn mon_with(s: Settings) -> T {
    T {
        m: Monitor::new(s),
        out: MonitorOut::default(),
        t0: Instant::now(),
    }
}

impl T {
    fn reload(&mut self, s: Settings) -> Vec<String> {
        self.m.reconfigure(s, &mut self.out);
        self.take()
    }
}

fn wan_lan() -> [Link; 3] {
    [up(2, "eth1"), up(3, "eth2"), up(4, "br-lan")]
}

fn three_addrs() -> [Addr; 4] {
    [
        addr(2, "192.0.2.1"),
        addr(3, "198.51.100.1"),
        addr(3, "2001:db8::3"),
        addr(4, "203.0.113.1"),
    ]
}

#[test]
fn excluded_and_unlisted_interfaces_are_never_usable() {
    let s = settings(
        EXISTING,
        Unlisted::Ignore,
        vec![rule("eth*", false, None), rule("eth2", true, None)],
    );
    let mut t = mon_with(s);
    assert_eq!(
        t.dump(&wan_lan(), &three_addrs()),
        ["+192.0.2.1@2"],
        "eth2 excluded by name, br-lan not listed"
    );
    assert_eq!(t.m.interfaces().map(|i| i.index).collect::<Vec<_>>(), [2]);
    // What a userspace PM asks: none of it is usable.
    assert_eq!(t.m.interface(3), None);
    assert_eq!(t.m.iface_of_addr(ip("198.51.100.1")), None);
    assert_eq!(t.m.iface_of_addr(ip("203.0.113.1")), None);
    assert_eq!(t.m.local_addrs(3).count(), 0);
    // Events on excluded interfaces stay silent.
    assert_eq!(t.addr(addr(3, "198.51.100.2")), NONE);
    assert_eq!(t.link(no_carrier(up(3, "eth2"))), NONE);
    assert_eq!(t.link(up(3, "eth2")), NONE);
}

#[test]
fn rename_into_or_out_of_a_rule_follows_it() {
    let s = settings(
        NotifyFlags::default(),
        Unlisted::Use,
        vec![rule("wan*", true, None)],
    );
    let mut t = mon_with(s);
    t.dump(&[up(2, "eth1")], &[]);
    assert_eq!(t.addr(addr(2, "192.0.2.1")), ["+192.0.2.1@2"]);
    let mut renamed = up(2, "wan0");
    assert_eq!(t.link(renamed), ["-192.0.2.1@2", "gone wan0"]);
    renamed.name = IfName::new("eth1");
    assert_eq!(t.link(renamed), ["new eth1", "+192.0.2.1@2"]);
}

#[test]
fn per_interface_addr_flags() {
    let s = settings(
        EXISTING,
        Unlisted::Use,
        vec![rule("eth2", false, Some(BACKUP))],
    );
    let mut t = mon_with(s);
    t.dump(&wan_lan(), &three_addrs());
    let flags: Vec<_> = t.m.interfaces().map(|i| (i.index, i.addr_flags)).collect();
    assert_eq!(flags, [(2, SUBFLOW), (3, BACKUP), (4, SUBFLOW)]);
}

#[test]
fn unchanged_reload_reports_nothing() {
    let s = settings(
        EXISTING,
        Unlisted::Use,
        vec![rule("eth2", false, Some(BACKUP))],
    );
    let mut t = mon_with(s.clone());
    t.dump(&wan_lan(), &three_addrs());
    assert_eq!(t.reload(s), NONE);
    assert_eq!(t.m.reported().count(), 4);
}

#[test]
fn reload_excludes_and_includes_only_what_changed() {
    let open = settings(EXISTING, Unlisted::Use, vec![]);
    let mut t = mon_with(open.clone());
    t.dump(&wan_lan(), &three_addrs());
    let no_eth2 = settings(EXISTING, Unlisted::Use, vec![rule("eth2", true, None)]);
    assert_eq!(
        t.reload(no_eth2.clone()),
        ["-198.51.100.1@3", "-2001:db8::3@3", "gone eth2"]
    );
    assert_eq!(t.reload(no_eth2), NONE);
    assert_eq!(
        t.reload(open),
        ["new eth2", "+198.51.100.1@3", "+2001:db8::3@3"]
    );
    // Allow-list mode: br-lan and eth2 are dropped, eth1 untouched.
    let allow = settings(EXISTING, Unlisted::Ignore, vec![rule("eth1", false, None)]);
    assert_eq!(
        t.reload(allow),
        [
            "-198.51.100.1@3",
            "-2001:db8::3@3",
            "gone eth2",
            "-203.0.113.1@4",
            "gone br-lan"
        ]
    );
}

#[test]
fn reload_with_new_flags_is_one_update_and_no_address_event() {
    let mut t = mon_with(settings(EXISTING, Unlisted::Use, vec![]));
    t.dump(&wan_lan(), &three_addrs());
    let backup = settings(
        EXISTING,
        Unlisted::Use,
        vec![rule("eth2", false, Some(BACKUP))],
    );
    assert_eq!(t.reload(backup), ["update eth2"]);
    assert_eq!(t.m.interface(3).map(|i| i.addr_flags), Some(BACKUP));
    assert_eq!(t.m.interface(2).map(|i| i.addr_flags), Some(SUBFLOW));
}

#[test]
fn reload_of_an_interface_that_is_down_waits_for_it() {
    let mut t = mon_with(settings(
        EXISTING,
        Unlisted::Use,
        vec![rule("eth2", true, None)],
    ));
    let mut eth2 = up(3, "eth2");
    eth2.flags &= !(IFF_RUNNING | IFF_LOWER_UP);
    t.dump(&[up(2, "eth1"), eth2], &[addr(3, "198.51.100.1")]);
    assert_eq!(t.reload(settings(EXISTING, Unlisted::Use, vec![])), NONE);
    assert_eq!(t.link(up(3, "eth2")), ["new eth2", "+198.51.100.1@3"]);
}

#[test]
fn reload_re_evaluates_skip_flags() {
    let ll6 = Addr {
        scope: RT_SCOPE_LINK,
        ..addr(2, "fe80::1")
    };
    let none = settings(NotifyFlags::default(), Unlisted::Use, vec![]);
    let skip = settings(NotifyFlags::SKIP_LINK_LOCAL, Unlisted::Use, vec![]);
    let mut t = mon_with(none.clone());
    t.dump(&[up(2, "eth1")], &[]);
    t.addr(ll6);
    t.addr(addr(2, "192.0.2.1"));
    assert_eq!(t.reload(skip), ["-fe80::1@2"]);
    assert_eq!(t.reload(none), ["+fe80::1@2"]);
}

#[test]
fn reload_re_evaluates_existing() {
    let off = settings(NotifyFlags::default(), Unlisted::Use, vec![]);
    let on = settings(EXISTING, Unlisted::Use, vec![]);
    let mut t = mon_with(off.clone());
    t.dump(&[up(2, "eth1")], &[addr(2, "192.0.2.1")]);
    t.addr(addr(2, "192.0.2.2"));
    // As if started with `existing`: the address present at start comes in.
    assert_eq!(t.reload(on), ["+192.0.2.1@2"]);
    // And goes again; the one added later stays.
    assert_eq!(t.reload(off), ["-192.0.2.1@2"]);
    assert_eq!(
        t.m.local_addrs(2).map(|a| a.addr).collect::<Vec<_>>(),
        [ip("192.0.2.2")]
    );
}

#[test]
fn reload_turning_check_route_on_keeps_addresses_until_answered() {
    let off = settings(NotifyFlags::default(), Unlisted::Use, vec![]);
    let on = settings(CHECK_ROUTE, Unlisted::Use, vec![]);
    let mut t = mon_with(off.clone());
    t.dump(&[up(2, "eth1")], &[]);
    t.addr(addr(2, "192.0.2.1"));
    t.addr(addr(2, "192.0.2.2"));
    // No withdraw-then-add flap while the checks run.
    assert_eq!(t.reload(on.clone()), ["?192.0.2.1@2", "?192.0.2.2@2"]);
    assert_eq!(t.m.local_addrs(2).count(), 2);
    assert_eq!(t.route(2, "192.0.2.1", true), NONE);
    assert_eq!(t.route(2, "192.0.2.2", false), ["-192.0.2.2@2"]);
    // Route changes are followed from now on.
    t.m.route_changed(t.at(10));
    assert!(t.m.poll_at().is_some());
    // Turned off again: everything usable is reported, timer dropped.
    assert_eq!(t.reload(off), ["+192.0.2.2@2"]);
    assert_eq!(t.m.poll_at(), None);
    assert_eq!(t.timer(1000), NONE);
    // And a new address under check_route is still checked first.
    let mut t = mon_with(on);
    t.dump(&[up(2, "eth1")], &[]);
    assert_eq!(t.addr(addr(2, "192.0.2.1")), ["?192.0.2.1@2"]);
}
