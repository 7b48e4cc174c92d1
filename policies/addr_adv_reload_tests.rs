// SPDX-License-Identifier: BSD-3-Clause
//! addr_adv under interface rules and reloads (`Input::Reconfigure`):
//! only the difference reaches the kernel, and only our endpoints.

use super::*;
use crate::rules::{IfaceRule, InterfaceRules, Unlisted};
use crate::status::PolicyStatus;

const FULLMESH: AddrFlags = AddrFlags::FULLMESH;

fn rules(unlisted: Unlisted, list: &[(&str, bool, Option<AddrFlags>)]) -> InterfaceRules {
    InterfaceRules {
        unlisted,
        rules: list
            .iter()
            .map(|&(p, exclude, addr_flags)| IfaceRule {
                pattern: p.into(),
                exclude,
                addr_flags,
            })
            .collect(),
    }
}

fn with(list: &[(&str, bool, Option<AddrFlags>)]) -> Settings {
    Settings::new(SUBFLOW, EXISTING).with_rules(rules(Unlisted::Use, list))
}

/// A daemon started with `settings` over eth1 (2), eth2 (3), wwan0 (4),
/// one address on eth1 and wwan0 and two on eth2.
fn started(settings: Settings, kernel: FakeKernel) -> (Harness<AddrAdv>, Vec<Command>) {
    let mut h = Harness::new(settings.clone(), AddrAdv::new(&settings));
    h.kernel = kernel;
    h.links = eth().to_vec();
    h.addrs = vec![
        addr(2, "192.0.2.1"),
        addr(3, "198.51.100.1"),
        addr(3, "2001:db8::3"),
        addr(4, "203.0.113.1"),
    ];
    let sent = h.at(0).start();
    assert!(h.daemon.is_running());
    (h, sent)
}

fn set_flags(e: Endpoint) -> Command {
    Command::SetFlags {
        token: None,
        local: e,
        remote: None,
    }
}

fn reload(h: &mut Harness<AddrAdv>, ms: u64, s: Settings) -> Vec<Command> {
    h.at(ms).input(Input::Reconfigure(s))
}

#[test]
fn excluded_interface_gets_no_endpoint() {
    let (h, sent) = started(with(&[("eth2", true, None)]), FakeKernel::default());
    assert_eq!(
        sent,
        [
            DUMP,
            GET_LIMITS,
            add(1, "192.0.2.1", SUBFLOW, 2),
            add(2, "203.0.113.1", SUBFLOW, 4),
            limits(None, Some(2)),
        ]
    );
    assert!(h.kernel.endpoints.iter().all(|e| e.ifindex != 3));
}

#[test]
fn allow_list_and_per_interface_flags() {
    let s = Settings::new(SUBFLOW, EXISTING).with_rules(rules(
        Unlisted::Ignore,
        &[
            ("eth*", false, None),
            ("wwan0", false, Some(SUBFLOW | BACKUP)),
        ],
    ));
    let (h, _) = started(s, FakeKernel::default());
    assert_eq!(
        h.kernel.endpoints,
        [
            ep(1, "192.0.2.1", SUBFLOW, 2),
            ep(2, "198.51.100.1", SUBFLOW, 3),
            ep(3, "2001:db8::3", SUBFLOW, 3),
            ep(4, "203.0.113.1", SUBFLOW | BACKUP, 4),
        ]
    );
}

#[test]
fn unchanged_reload_only_reads() {
    let s = with(&[("wwan0", false, Some(SUBFLOW | BACKUP))]);
    let (mut h, _) = started(s.clone(), FakeKernel::default());
    let before = h.kernel.clone();
    assert_eq!(reload(&mut h, 10, s), [GET_LIMITS, DUMP]);
    assert_eq!(h.kernel.endpoints, before.endpoints);
}

#[test]
fn backup_to_plain_is_one_set_flags_keeping_the_id() {
    for order in [Order::Fifo, Order::Immediate] {
        let (mut h, _) = started(
            with(&[("wwan0", false, Some(SUBFLOW | BACKUP))]),
            FakeKernel::default(),
        );
        h.order = order;
        let id = h.kernel.find("203.0.113.1").unwrap().id;
        let sent = reload(&mut h, 10, with(&[]));
        assert_eq!(
            sent,
            [
                GET_LIMITS,
                DUMP,
                set_flags(ep(id, "203.0.113.1", SUBFLOW, 4))
            ],
            "{order:?}"
        );
        assert_eq!(
            h.kernel.find("203.0.113.1"),
            Some(ep(id, "203.0.113.1", SUBFLOW, 4))
        );
        // And back: again in place.
        let sent = reload(
            &mut h,
            20,
            with(&[("wwan0", false, Some(SUBFLOW | BACKUP))]),
        );
        assert_eq!(
            sent,
            [
                GET_LIMITS,
                DUMP,
                set_flags(ep(id, "203.0.113.1", SUBFLOW | BACKUP, 4))
            ]
        );
    }
}

#[test]
fn fullmesh_change_is_set_flags_too() {
    let (mut h, _) = started(with(&[]), FakeKernel::default());
    let sent = reload(
        &mut h,
        10,
        with(&[("eth1", false, Some(SUBFLOW | FULLMESH))]),
    );
    assert_eq!(
        sent,
        [
            GET_LIMITS,
            DUMP,
            set_flags(ep(1, "192.0.2.1", SUBFLOW | FULLMESH, 2))
        ]
    );
    assert_eq!(
        h.kernel.find("192.0.2.1").unwrap().flags,
        SUBFLOW | FULLMESH
    );
}

#[test]
fn subflow_to_signal_is_replaced_with_the_same_id() {
    let (mut h, _) = started(with(&[]), FakeKernel::default());
    let sent = reload(&mut h, 10, with(&[("eth1", false, Some(SIGNAL))]));
    assert_eq!(
        sent,
        [GET_LIMITS, DUMP, del(1), add(1, "192.0.2.1", SIGNAL, 2)]
    );
    assert_eq!(
        h.kernel.find("192.0.2.1"),
        Some(ep(1, "192.0.2.1", SIGNAL, 2))
    );
    assert_eq!(h.kernel.endpoints.len(), 4, "the others untouched");
}

#[test]
fn excluding_withdraws_exactly_its_endpoints_and_including_adds_them() {
    let (mut h, _) = started(with(&[]), FakeKernel::default());
    let before = h.kernel.endpoints.clone();
    let sent = reload(&mut h, 10, with(&[("eth2", true, None)]));
    assert_eq!(sent, [GET_LIMITS, DUMP, del(2), del(3)]);
    let kept: Vec<_> = before.iter().copied().filter(|e| e.ifindex != 3).collect();
    assert_eq!(
        h.kernel.endpoints, kept,
        "eth1 and wwan0 endpoints unchanged"
    );
    let sent = reload(&mut h, 20, with(&[]));
    assert_eq!(
        sent,
        [
            GET_LIMITS,
            DUMP,
            add(2, "198.51.100.1", SUBFLOW, 3),
            add(3, "2001:db8::3", SUBFLOW, 3),
        ]
    );
    assert_eq!(h.kernel.endpoints, before);
}

#[test]
fn allow_list_reload_withdraws_the_unlisted() {
    let (mut h, _) = started(with(&[]), FakeKernel::default());
    let allow = Settings::new(SUBFLOW, EXISTING)
        .with_rules(rules(Unlisted::Ignore, &[("wwan0", false, None)]));
    assert_eq!(
        reload(&mut h, 10, allow),
        [GET_LIMITS, DUMP, del(1), del(2), del(3)]
    );
    assert_eq!(h.kernel.endpoints, [ep(4, "203.0.113.1", SUBFLOW, 4)]);
}

#[test]
fn reload_turning_check_route_on_withdraws_only_routeless_addresses() {
    let mut k = FakeKernel::default();
    k.routes = vec![(2, ip("192.0.2.1")), (4, ip("203.0.113.1"))];
    let (mut h, _) = started(with(&[]), k);
    let mut s = with(&[]);
    s.notify_flags = EXISTING | NotifyFlags::CHECK_ROUTE;
    assert_eq!(reload(&mut h, 10, s), [GET_LIMITS, DUMP, del(2), del(3)]);
    assert_eq!(h.route_checks.len(), 4);
}

#[test]
fn our_endpoint_deleted_behind_our_back_is_repaired_on_reload() {
    let (mut h, _) = started(with(&[]), FakeKernel::default());
    h.kernel.endpoints.retain(|e| e.id != 4);
    let sent = reload(&mut h, 10, with(&[]));
    assert_eq!(sent, [GET_LIMITS, DUMP, add(4, "203.0.113.1", SUBFLOW, 4)]);
    // Deleted and its flags changed at the same reload: re-added with the
    // new flags, no SET_FLAGS on an endpoint that is gone.
    h.kernel.endpoints.retain(|e| e.id != 4);
    let sent = reload(
        &mut h,
        20,
        with(&[("wwan0", false, Some(SUBFLOW | BACKUP))]),
    );
    assert_eq!(
        sent,
        [GET_LIMITS, DUMP, add(4, "203.0.113.1", SUBFLOW | BACKUP, 4)]
    );
}

#[test]
fn foreign_endpoint_on_an_excluded_interface_is_never_touched() {
    // The administrator's endpoint for eth2's address, identical to the
    // one we would create (so adoption would be tempting), and another
    // with different flags.
    let admin = [
        ep(7, "198.51.100.1", SUBFLOW, 3),
        ep(8, "2001:db8::3", SIGNAL | BACKUP, 3),
    ];
    let s = with(&[("eth2", true, None)]);
    let (mut h, sent) = started(s.clone(), FakeKernel::with_endpoints(&admin));
    assert!(
        !sent
            .iter()
            .any(|c| matches!(c, Command::DelAddr { id: 7 | 8 } | Command::SetFlags { .. })),
        "{sent:?}"
    );
    let ours: Vec<u8> = h.daemon.policy().ours().map(|e| e.id).collect();
    assert!(
        !ours.contains(&7) && !ours.contains(&8),
        "not adopted: {ours:?}"
    );
    let mut status = PolicyStatus::default();
    h.daemon.policy().status(&mut status);
    assert_eq!(status.endpoints.len(), 2, "eth1 and wwan0 only");
    // Reload with other changes, and a resync: still left alone.
    reload(
        &mut h,
        10,
        with(&[
            ("eth2", true, None),
            ("wwan0", false, Some(SUBFLOW | BACKUP)),
        ]),
    );
    h.at(15).input(Input::EventsLost);
    assert_eq!(
        h.kernel.endpoints.iter().filter(|e| e.ifindex == 3).count(),
        2
    );
    assert!(admin.iter().all(|a| h.kernel.endpoints.contains(a)));
    // Exit: only ours go.
    let sent = h.at(20).input(Input::Shutdown);
    assert_eq!(sent.len(), 2);
    assert!(h.exited);
    assert_eq!(h.kernel.endpoints, admin);
}

#[test]
fn status_lists_exactly_our_endpoints() {
    let foreign = ep(9, "203.0.113.99", SIGNAL, 0);
    let (h, _) = started(with(&[]), FakeKernel::with_endpoints(&[foreign]));
    let mut st = PolicyStatus::default();
    h.daemon.policy().status(&mut st);
    let ours: Vec<Endpoint> = h
        .kernel
        .endpoints
        .iter()
        .copied()
        .filter(|e| *e != foreign)
        .collect();
    assert_eq!(st.endpoints, ours);
    assert!(st.connections.is_empty(), "addr_adv tracks no connections");
}
