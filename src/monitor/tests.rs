// SPDX-License-Identifier: BSD-3-Clause
//! Timeline tests of the monitor rules: feed rtnl changes, read back the
//! events ("new eth1", "+192.0.2.1@2", "-…", "update …", "gone …") and
//! route-check requests ("?192.0.2.1@2").

use super::*;
use crate::flags::AddrFlags;
use crate::iface::{
    IFA_F_DADFAILED, IFA_F_DEPRECATED, IFA_F_TENTATIVE, IFF_LOOPBACK, IFF_RUNNING, RT_SCOPE_HOST,
};
use crate::policy::testkit::{addr, ip, up};

const EXISTING: NotifyFlags = NotifyFlags::EXISTING;
const CHECK_ROUTE: NotifyFlags = NotifyFlags::CHECK_ROUTE;

struct T {
    m: Monitor,
    out: MonitorOut,
    t0: Instant,
}

fn mon(notify: NotifyFlags) -> T {
    T {
        m: Monitor::new(Settings::new(AddrFlags::SUBFLOW, notify)),
        out: MonitorOut::default(),
        t0: Instant::now(),
    }
}

impl T {
    fn take(&mut self) -> Vec<String> {
        let mut v: Vec<String> = self
            .out
            .events
            .iter()
            .map(|e| match e {
                NetEvent::IfaceNew(i) => format!("new {}", i.name),
                NetEvent::IfaceUpdate(i) => format!("update {}", i.name),
                NetEvent::IfaceGone(i) => format!("gone {}", i.name),
                NetEvent::LocalAddrAdded { iface, addr } => {
                    assert_eq!(iface.index, addr.index);
                    format!("+{}@{}", addr.addr, iface.index)
                }
                NetEvent::LocalAddrRemoved { iface, addr } => {
                    format!("-{}@{}", addr.addr, iface.index)
                }
            })
            .collect();
        v.extend(
            self.out
                .route_checks
                .iter()
                .map(|(i, a)| format!("?{a}@{i}")),
        );
        self.out.clear();
        v
    }
    /// The startup snapshot.
    fn dump(&mut self, links: &[Link], addrs: &[Addr]) -> Vec<String> {
        self.m.apply_dump(links, addrs, &mut self.out);
        self.take()
    }
    fn link(&mut self, l: Link) -> Vec<String> {
        self.m.new_link(l, &mut self.out);
        self.take()
    }
    fn dellink(&mut self, index: u32) -> Vec<String> {
        self.m.del_link(index, &mut self.out);
        self.take()
    }
    fn addr(&mut self, a: Addr) -> Vec<String> {
        self.m.new_addr(a, &mut self.out);
        self.take()
    }
    fn deladdr(&mut self, a: Addr) -> Vec<String> {
        self.m.del_addr(&a, &mut self.out);
        self.take()
    }
    fn route(&mut self, index: u32, a: &str, has_default: bool) -> Vec<String> {
        let answer = RouteCheck {
            index,
            addr: ip(a),
            has_default,
        };
        self.m.route_check(answer, &mut self.out);
        self.take()
    }
    fn at(&self, ms: u64) -> Instant {
        self.t0 + Duration::from_millis(ms)
    }
    fn timer(&mut self, ms: u64) -> Vec<String> {
        self.m.on_timer(self.at(ms), &mut self.out);
        self.take()
    }
}

fn with_flags(mut a: Addr, flags: u32) -> Addr {
    a.flags = flags;
    a
}

fn down(mut l: Link) -> Link {
    l.flags = 0;
    l
}

fn no_carrier(mut l: Link) -> Link {
    l.flags &= !(IFF_RUNNING | crate::iface::IFF_LOWER_UP);
    l
}

const NONE: [&str; 0] = [];

#[test]
fn existing_off_records_silently_and_leaves_alone() {
    let mut t = mon(NotifyFlags::default());
    let eth1 = up(2, "eth1");
    assert_eq!(t.dump(&[eth1], &[addr(2, "192.0.2.1")]), NONE);
    assert_eq!(t.m.table_size(), (1, 1), "recorded");
    // A later refresh of the same address does not make it new.
    assert_eq!(t.addr(with_flags(addr(2, "192.0.2.1"), 0)), NONE);
    // A carrier flap does not bring it in either.
    assert_eq!(t.link(no_carrier(eth1)), ["gone eth1"]);
    assert_eq!(t.link(eth1), ["new eth1"]);
    // Addresses added after start are reported.
    assert_eq!(t.addr(addr(2, "192.0.2.2")), ["+192.0.2.2@2"]);
    // Deleted and added again: now it is a new address.
    assert_eq!(t.deladdr(addr(2, "192.0.2.1")), NONE);
    assert_eq!(t.addr(addr(2, "192.0.2.1")), ["+192.0.2.1@2"]);
}

#[test]
fn existing_on_reports_startup_addresses_without_iface_new() {
    let mut t = mon(EXISTING);
    let got = t.dump(
        &[up(2, "eth1"), up(3, "wwan0")],
        &[addr(2, "192.0.2.1"), addr(3, "2001:db8::3")],
    );
    assert_eq!(got, ["+192.0.2.1@2", "+2001:db8::3@3"]);
    let view: Vec<_> = t.m.reported().map(|(i, a)| (i.index, a.addr)).collect();
    assert_eq!(view, [(2, ip("192.0.2.1")), (3, ip("2001:db8::3"))]);
}

#[test]
fn skip_loopback_filters_host_scope() {
    let host = Addr {
        scope: RT_SCOPE_HOST,
        ..addr(2, "192.0.2.9")
    };
    let mut t = mon(EXISTING | NotifyFlags::SKIP_LOOPBACK);
    t.dump(&[up(2, "eth1")], &[]);
    assert_eq!(t.addr(host), NONE);
    assert_eq!(
        t.addr(addr(2, "127.0.0.2")),
        NONE,
        "127/8 whatever the scope"
    );
    assert_eq!(t.addr(addr(2, "192.0.2.1")), ["+192.0.2.1@2"]);

    let mut t = mon(EXISTING);
    t.dump(&[up(2, "eth1")], &[]);
    assert_eq!(t.addr(host), ["+192.0.2.9@2"], "without the flag it counts");
}

#[test]
fn loopback_interface_is_never_used() {
    let mut lo = up(1, "lo");
    lo.flags |= IFF_LOOPBACK;
    let mut t = mon(EXISTING);
    assert_eq!(t.dump(&[lo], &[addr(1, "127.0.0.1"), addr(1, "::1")]), NONE);
    assert_eq!(t.link(lo), NONE);
    assert_eq!(t.m.interfaces().count(), 0);
}

#[test]
fn skip_link_local_filters_scope_link_and_prefixes() {
    let ll6 = Addr {
        scope: RT_SCOPE_LINK,
        ..addr(2, "fe80::1")
    };
    let ll4_global_scope = addr(2, "169.254.7.7");
    let scoped4 = Addr {
        scope: RT_SCOPE_LINK,
        ..addr(2, "198.51.100.1")
    };
    let mut t = mon(NotifyFlags::SKIP_LINK_LOCAL);
    t.dump(&[up(2, "eth1")], &[]);
    assert_eq!(t.addr(ll6), NONE);
    assert_eq!(t.addr(ll4_global_scope), NONE);
    assert_eq!(t.addr(scoped4), NONE);
    assert_eq!(t.addr(addr(2, "2001:db8::1")), ["+2001:db8::1@2"]);

    let mut t = mon(NotifyFlags::default());
    t.dump(&[up(2, "eth1")], &[]);
    assert_eq!(t.addr(ll6), ["+fe80::1@2"], "without the flag it counts");
}

#[test]
fn tentative_becomes_usable_on_update() {
    let mut t = mon(NotifyFlags::default());
    t.dump(&[up(2, "eth1")], &[]);
    let a = addr(2, "2001:db8::1");
    assert_eq!(t.addr(with_flags(a, IFA_F_TENTATIVE)), NONE);
    assert_eq!(t.addr(with_flags(a, IFA_F_TENTATIVE)), NONE);
    assert_eq!(
        t.addr(a),
        ["+2001:db8::1@2"],
        "DAD done: upsert re-evaluated"
    );
    assert_eq!(t.addr(a), NONE, "not twice");
}

#[test]
fn dad_failed_is_never_usable() {
    let mut t = mon(NotifyFlags::default());
    t.dump(&[up(2, "eth1")], &[]);
    let a = addr(2, "2001:db8::1");
    assert_eq!(t.addr(with_flags(a, IFA_F_TENTATIVE)), NONE);
    assert_eq!(
        t.addr(with_flags(a, IFA_F_DADFAILED | IFA_F_TENTATIVE)),
        NONE
    );
    assert_eq!(t.link(up(2, "eth1")), NONE);
    assert_eq!(t.m.local_addrs(2).count(), 0);
}

#[test]
fn deprecated_is_withdrawn_and_comes_back() {
    let mut t = mon(NotifyFlags::default());
    t.dump(&[up(2, "eth1")], &[]);
    let a = addr(2, "2001:db8::1");
    assert_eq!(t.addr(a), ["+2001:db8::1@2"]);
    assert_eq!(t.addr(with_flags(a, IFA_F_DEPRECATED)), ["-2001:db8::1@2"]);
    assert_eq!(t.addr(with_flags(a, IFA_F_DEPRECATED)), NONE);
    assert_eq!(t.addr(a), ["+2001:db8::1@2"], "preferred lifetime renewed");
}

#[test]
fn check_route_without_route_reports_nothing() {
    let mut t = mon(CHECK_ROUTE);
    t.dump(&[up(2, "eth1")], &[]);
    assert_eq!(t.addr(addr(2, "192.0.2.1")), ["?192.0.2.1@2"]);
    assert_eq!(t.route(2, "192.0.2.1", false), NONE);
    assert_eq!(
        t.addr(addr(2, "192.0.2.1")),
        NONE,
        "no re-check on a refresh"
    );
    assert_eq!(
        t.m.poll_at(),
        None,
        "no retry timer: nothing to do until a route changes"
    );
}

#[test]
fn check_route_route_appears_then_goes() {
    let mut t = mon(CHECK_ROUTE);
    t.dump(&[up(2, "eth1")], &[]);
    t.addr(addr(2, "192.0.2.1"));
    assert_eq!(t.route(2, "192.0.2.1", false), NONE);
    // T=1000: `ip route add default via … dev eth1`.
    t.m.route_changed(t.at(1000));
    t.m.route_changed(t.at(1050));
    assert_eq!(
        t.m.poll_at(),
        Some(t.at(1000) + ROUTE_SETTLE),
        "debounced, not re-armed"
    );
    assert_eq!(t.timer(1099), NONE, "too early");
    assert_eq!(t.timer(1100), ["?192.0.2.1@2"]);
    assert_eq!(t.m.poll_at(), None);
    assert_eq!(t.route(2, "192.0.2.1", true), ["+192.0.2.1@2"]);
    // T=5000: the default route is deleted.
    t.m.route_changed(t.at(5000));
    assert_eq!(t.timer(5100), ["?192.0.2.1@2"]);
    assert_eq!(t.route(2, "192.0.2.1", true), NONE, "still there: nothing");
    t.m.route_changed(t.at(6000));
    assert_eq!(t.timer(6100), ["?192.0.2.1@2"]);
    assert_eq!(t.route(2, "192.0.2.1", false), ["-192.0.2.1@2"]);
}

#[test]
fn check_route_answer_is_per_source_address() {
    // The FIB answers with RTA_SRC: a default route in a table selected
    // by `ip rule from 192.0.2.2` passes for that address only.
    let mut t = mon(CHECK_ROUTE | EXISTING);
    let got = t.dump(
        &[up(2, "eth1")],
        &[addr(2, "192.0.2.1"), addr(2, "192.0.2.2")],
    );
    assert_eq!(got, ["?192.0.2.1@2", "?192.0.2.2@2"]);
    assert_eq!(t.route(2, "192.0.2.2", true), ["+192.0.2.2@2"]);
    assert_eq!(t.route(2, "192.0.2.1", false), NONE);
    assert_eq!(
        t.m.local_addrs(2).map(|a| a.addr).collect::<Vec<_>>(),
        [ip("192.0.2.2")]
    );
}

#[test]
fn route_changes_ignored_without_check_route() {
    let mut t = mon(NotifyFlags::default());
    t.m.route_changed(t.at(0));
    assert_eq!(t.m.poll_at(), None);
}

#[test]
fn stale_route_answers_are_ignored() {
    let mut t = mon(CHECK_ROUTE);
    let eth1 = up(2, "eth1");
    t.dump(&[eth1], &[]);
    assert_eq!(t.addr(addr(2, "192.0.2.1")), ["?192.0.2.1@2"]);
    assert_eq!(t.link(no_carrier(eth1)), ["gone eth1"]);
    assert_eq!(
        t.route(2, "192.0.2.1", true),
        NONE,
        "not a candidate any more"
    );
    assert_eq!(t.route(9, "192.0.2.1", true), NONE, "unknown interface");
    assert_eq!(t.link(eth1), ["new eth1", "?192.0.2.1@2"], "asked again");
    assert_eq!(t.route(2, "192.0.2.1", true), ["+192.0.2.1@2"]);
}

#[test]
fn admin_down_and_up() {
    let mut t = mon(NotifyFlags::default());
    let eth1 = up(2, "eth1");
    t.dump(&[eth1], &[]);
    t.addr(addr(2, "192.0.2.1"));
    assert_eq!(t.link(down(eth1)), ["-192.0.2.1@2", "gone eth1"]);
    assert_eq!(t.m.interfaces().count(), 0);
    // Admin up: first UP|LOWER_UP without RUNNING, then RUNNING.
    let mut half = eth1;
    half.flags &= !IFF_RUNNING;
    assert_eq!(t.link(half), NONE);
    assert_eq!(t.link(eth1), ["new eth1", "+192.0.2.1@2"]);
}

#[test]
fn carrier_loss_withdraws_and_carrier_back_restores() {
    // mptcpd#334: RUNNING drops, no DELADDR; the addresses must go and
    // come back.
    let mut t = mon(NotifyFlags::default());
    let eth1 = up(2, "eth1");
    t.dump(&[eth1], &[]);
    t.addr(addr(2, "192.0.2.1"));
    t.addr(addr(2, "2001:db8::1"));
    assert_eq!(
        t.link(no_carrier(eth1)),
        ["-192.0.2.1@2", "-2001:db8::1@2", "gone eth1"]
    );
    assert_eq!(t.m.table_size(), (1, 2), "still remembered");
    assert_eq!(t.link(no_carrier(eth1)), NONE);
    assert_eq!(t.link(eth1), ["new eth1", "+192.0.2.1@2", "+2001:db8::1@2"]);
}

#[test]
fn carrier_back_under_check_route_checks_again() {
    let mut t = mon(CHECK_ROUTE);
    let eth1 = up(2, "eth1");
    t.dump(&[eth1], &[]);
    t.addr(addr(2, "192.0.2.1"));
    t.route(2, "192.0.2.1", true);
    assert_eq!(t.link(no_carrier(eth1)), ["-192.0.2.1@2", "gone eth1"]);
    assert_eq!(t.link(eth1), ["new eth1", "?192.0.2.1@2"]);
    assert_eq!(t.route(2, "192.0.2.1", true), ["+192.0.2.1@2"]);
}

#[test]
fn interface_deleted() {
    let mut t = mon(NotifyFlags::default());
    t.dump(&[up(2, "eth1"), up(3, "eth2")], &[]);
    t.addr(addr(2, "192.0.2.1"));
    t.addr(addr(3, "198.51.100.1"));
    // The kernel's order: NEWLINK down, DELADDR each, DELLINK.
    assert_eq!(t.link(down(up(2, "eth1"))), ["-192.0.2.1@2", "gone eth1"]);
    assert_eq!(t.deladdr(addr(2, "192.0.2.1")), NONE);
    assert_eq!(t.dellink(2), NONE);
    // A DELLINK with addresses still recorded withdraws them too.
    assert_eq!(t.dellink(3), ["-198.51.100.1@3", "gone eth2"]);
    assert_eq!(t.m.table_size(), (0, 0));
    assert_eq!(t.dellink(3), NONE);
}

#[test]
fn nothing_is_reported_twice() {
    let mut t = mon(NotifyFlags::default());
    let eth1 = up(2, "eth1");
    t.dump(&[eth1], &[]);
    assert_eq!(t.link(eth1), NONE, "same NEWLINK: no update_interface");
    assert_eq!(t.addr(addr(2, "192.0.2.1")), ["+192.0.2.1@2"]);
    assert_eq!(t.addr(addr(2, "192.0.2.1")), NONE);
    let mut refreshed = addr(2, "192.0.2.1");
    refreshed.prefix_len = 25;
    assert_eq!(t.addr(refreshed), NONE, "changed but still usable");
    assert_eq!(t.deladdr(addr(2, "192.0.2.1")), ["-192.0.2.1@2"]);
    assert_eq!(t.deladdr(addr(2, "192.0.2.1")), NONE);
    assert_eq!(t.deladdr(addr(7, "192.0.2.1")), NONE);
}

#[test]
fn update_interface_only_on_change() {
    let mut t = mon(NotifyFlags::default());
    let eth1 = up(2, "eth1");
    t.dump(&[eth1], &[]);
    let mut renamed = eth1;
    renamed.name = IfName::new("wan");
    assert_eq!(t.link(renamed), ["update wan"]);
    assert_eq!(t.link(renamed), NONE);
    assert_eq!(t.m.interface(2).map(|i| i.name), Some(IfName::new("wan")));
}

#[test]
fn flaps_keep_track_and_tables_do_not_grow() {
    let mut t = mon(NotifyFlags::default());
    let eth1 = up(2, "eth1");
    t.dump(&[eth1], &[]);
    t.addr(addr(2, "192.0.2.1"));
    for _ in 0..100 {
        assert_eq!(t.link(no_carrier(eth1)), ["-192.0.2.1@2", "gone eth1"]);
        assert_eq!(t.link(eth1), ["new eth1", "+192.0.2.1@2"]);
        assert_eq!(t.link(down(eth1)), ["-192.0.2.1@2", "gone eth1"]);
        assert_eq!(t.deladdr(addr(2, "192.0.2.1")), NONE);
        assert_eq!(t.addr(addr(2, "192.0.2.1")), NONE, "recorded while down");
        assert_eq!(t.link(eth1), ["new eth1", "+192.0.2.1@2"]);
    }
    assert_eq!(t.m.table_size(), (1, 1));
}

#[test]
fn address_before_its_link() {
    let mut t = mon(NotifyFlags::default());
    t.dump(&[], &[]);
    assert_eq!(t.addr(addr(4, "203.0.113.1")), NONE);
    assert_eq!(t.link(up(4, "eth3")), ["new eth3", "+203.0.113.1@4"]);
}

#[test]
fn overrun_resync_acts_only_on_differences() {
    let mut t = mon(NotifyFlags::default());
    let (eth1, eth2, eth3) = (up(2, "eth1"), up(3, "eth2"), up(4, "eth3"));
    t.dump(&[eth1, eth2, eth3], &[]);
    for a in [
        addr(2, "192.0.2.1"),
        addr(2, "192.0.2.2"),
        addr(3, "2001:db8::1"),
        addr(4, "203.0.113.1"),
    ] {
        t.addr(a);
    }
    // Meanwhile (events lost): 192.0.2.2 deleted, 198.51.100.1 added,
    // 2001:db8::1 deprecated, eth3 removed, eth1 unchanged.
    let got = t.dump(
        &[eth1, eth2],
        &[
            addr(2, "192.0.2.1"),
            addr(2, "198.51.100.1"),
            with_flags(addr(3, "2001:db8::1"), IFA_F_DEPRECATED),
        ],
    );
    assert_eq!(
        got,
        [
            "-192.0.2.2@2",
            "-203.0.113.1@4",
            "gone eth3",
            "+198.51.100.1@2",
            "-2001:db8::1@3",
        ]
    );
    // The same dump again changes nothing.
    let again = t.dump(
        &[eth1, eth2],
        &[
            addr(2, "192.0.2.1"),
            addr(2, "198.51.100.1"),
            with_flags(addr(3, "2001:db8::1"), IFA_F_DEPRECATED),
        ],
    );
    assert_eq!(again, NONE);
}

#[test]
fn view_for_policies() {
    let mut t = mon(NotifyFlags::SKIP_LINK_LOCAL);
    t.dump(&[up(2, "eth1"), no_carrier(up(3, "eth2"))], &[]);
    let ll = Addr {
        scope: RT_SCOPE_LINK,
        ..addr(2, "fe80::1")
    };
    t.addr(ll);
    t.addr(addr(2, "192.0.2.1"));
    t.addr(addr(3, "198.51.100.1"));
    assert_eq!(t.m.interfaces().map(|i| i.index).collect::<Vec<_>>(), [2]);
    assert_eq!(t.m.interface(3), None);
    let i =
        t.m.iface_of_addr(ip("fe80::1"))
            .expect("filtered but on a usable iface");
    assert_eq!((i.index, i.addr_flags), (2, AddrFlags::SUBFLOW));
    assert_eq!(t.m.iface_of_addr(ip("198.51.100.1")), None);
}

/// Interface rules and reloads.
mod rules;
