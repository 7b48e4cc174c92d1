// SPDX-License-Identifier: BSD-3-Clause
//! Timeline tests of addr_adv: the whole core (monitor + policy) driven
//! on a virtual clock; every command is recorded and executed by a fake
//! kernel with 6.18's endpoint rules (see `policy::testkit`).

use super::*;
use crate::daemon::{Input, Settings};
use crate::flags::NotifyFlags;
use crate::ids::IdManager;
use crate::iface::Link;
use crate::monitor::{Monitor, MonitorOut};
use crate::policy::testkit::*;
use crate::policy::{Outbox, Policy, Request};

const SUBFLOW: AddrFlags = AddrFlags::SUBFLOW;
const SIGNAL: AddrFlags = AddrFlags::SIGNAL;
const BACKUP: AddrFlags = AddrFlags::BACKUP;
const IMPLICIT: AddrFlags = AddrFlags::IMPLICIT;
const DUMP: Command = Command::DumpAddrs { token: None };
const GET_LIMITS: Command = Command::GetLimits;
const EXISTING: NotifyFlags = NotifyFlags::EXISTING;
const NO_NOTIFY: NotifyFlags = NotifyFlags(0);

fn add(id: u8, a: &str, flags: AddrFlags, ifindex: i32) -> Command {
    Command::AddAddr(ep(id, a, flags, ifindex))
}

fn del(id: u8) -> Command {
    Command::DelAddr { id }
}

fn limits(subflows: Option<u32>, add_addr_accepted: Option<u32>) -> Command {
    Command::SetLimits(Limits {
        subflows,
        add_addr_accepted,
    })
}

/// A started daemon and the commands its startup sent.
fn setup(
    flags: AddrFlags,
    notify: NotifyFlags,
    kernel: FakeKernel,
    links: &[Link],
    addrs: &[Addr],
) -> (Harness<AddrAdv>, Vec<Command>) {
    let settings = Settings::new(flags, notify);
    let mut h = Harness::new(settings.clone(), AddrAdv::new(&settings));
    h.kernel = kernel;
    h.links = links.to_vec();
    h.addrs = addrs.to_vec();
    let sent = h.at(0).start();
    assert!(h.daemon.is_running());
    (h, sent)
}

fn eth() -> [Link; 3] {
    [up(2, "eth1"), up(3, "eth2"), up(4, "wwan0")]
}

#[test]
fn adds_v4_and_v6_with_flags_ifindex_and_id() {
    let (mut h, sent) = setup(SUBFLOW, NO_NOTIFY, FakeKernel::default(), &eth(), &[]);
    assert_eq!(sent, [DUMP, GET_LIMITS]);
    let sent = h.at(10).addr(addr(2, "192.0.2.1"));
    assert_eq!(
        sent,
        [add(1, "192.0.2.1", SUBFLOW, 2), limits(None, Some(1))]
    );
    let sent = h.at(20).addr(addr(3, "2001:db8::2"));
    assert_eq!(
        sent,
        [add(2, "2001:db8::2", SUBFLOW, 3), limits(None, Some(2))]
    );
    assert_eq!(
        h.kernel.endpoints,
        [
            ep(1, "192.0.2.1", SUBFLOW, 2),
            ep(2, "2001:db8::2", SUBFLOW, 3)
        ]
    );
}

#[test]
fn withdrawn_address_removes_its_endpoint_by_id() {
    let (mut h, _) = setup(SUBFLOW, NO_NOTIFY, FakeKernel::default(), &eth(), &[]);
    h.at(10).addr(addr(2, "192.0.2.1"));
    h.at(11).addr(addr(3, "198.51.100.1"));
    let sent = h.at(20).del_addr(addr(2, "192.0.2.1"));
    assert_eq!(sent, [del(1)], "limits are not lowered");
    assert_eq!(h.kernel.endpoints, [ep(2, "198.51.100.1", SUBFLOW, 3)]);
    // The id is free again: the lowest one is reused.
    let sent = h.at(30).addr(addr(4, "203.0.113.1"));
    assert_eq!(sent, [add(1, "203.0.113.1", SUBFLOW, 4)]);
}

#[test]
fn carrier_loss_interface_removal_and_route_loss_remove_endpoints() {
    let (mut h, _) = setup(SUBFLOW, NO_NOTIFY, FakeKernel::default(), &eth(), &[]);
    h.at(10).addr(addr(2, "192.0.2.1"));
    h.at(11).addr(addr(3, "198.51.100.1"));
    assert_eq!(h.at(20).carrier(2, false), [del(1)]);
    assert_eq!(h.at(30).carrier(2, true), [add(1, "192.0.2.1", SUBFLOW, 2)]);
    assert_eq!(h.at(40).del_link(3), [del(2)]);
    assert_eq!(h.kernel.endpoints, [ep(1, "192.0.2.1", SUBFLOW, 2)]);

    // Under check_route, losing the default route withdraws it.
    let mut k = FakeKernel::default();
    k.routes.push((2, ip("192.0.2.1")));
    let (mut h, _) = setup(SUBFLOW, NotifyFlags::CHECK_ROUTE, k, &eth(), &[]);
    assert_eq!(h.at(10).addr(addr(2, "192.0.2.1")).len(), 2, "add + limits");
    h.kernel.routes.clear();
    assert_eq!(h.at(20).input(Input::RouteChanged), []);
    assert_eq!(h.timer(), [del(1)]);
    assert_eq!(h.ms(h.now), 120, "after the settle time");
}

#[test]
fn limits_allow_three_subflow_endpoints() {
    let addrs = [
        addr(2, "192.0.2.1"),
        addr(3, "198.51.100.1"),
        addr(4, "203.0.113.1"),
    ];
    let (h, sent) = setup(SUBFLOW, EXISTING, FakeKernel::default(), &eth(), &addrs);
    assert_eq!(
        sent,
        [
            DUMP,
            GET_LIMITS,
            add(1, "192.0.2.1", SUBFLOW, 2),
            add(2, "198.51.100.1", SUBFLOW, 3),
            add(3, "203.0.113.1", SUBFLOW, 4),
            limits(Some(3), Some(3)),
        ]
    );
    assert_eq!((h.kernel.subflows, h.kernel.add_addr_accepted), (3, 3));
}

#[test]
fn limits_are_never_lowered() {
    let mut k = FakeKernel::default();
    (k.subflows, k.add_addr_accepted) = (6, 1);
    let (mut h, _) = setup(SUBFLOW, NO_NOTIFY, k, &eth(), &[]);
    assert_eq!(
        h.at(1).addr(addr(2, "192.0.2.1")),
        [add(1, "192.0.2.1", SUBFLOW, 2)]
    );
    assert_eq!(
        h.at(2).addr(addr(3, "198.51.100.1")),
        [add(2, "198.51.100.1", SUBFLOW, 3), limits(None, Some(2))],
        "only the field that must go up"
    );
    h.at(3).del_addr(addr(2, "192.0.2.1"));
    h.at(4).del_addr(addr(3, "198.51.100.1"));
    assert_eq!((h.kernel.subflows, h.kernel.add_addr_accepted), (6, 2));
}

#[test]
fn signal_endpoints_raise_subflows_only() {
    let (mut h, _) = setup(SIGNAL, NO_NOTIFY, FakeKernel::default(), &eth(), &[]);
    h.at(1).addr(addr(2, "192.0.2.1"));
    h.at(2).addr(addr(3, "198.51.100.1"));
    assert_eq!(
        h.at(3).addr(addr(4, "203.0.113.1")),
        [add(3, "203.0.113.1", SIGNAL, 4), limits(Some(3), None)]
    );
    assert_eq!(h.kernel.add_addr_accepted, 0);
}

#[test]
fn ninth_address_waits_for_a_slot_and_limits_stop_at_8() {
    let links: Vec<Link> = (2..12).map(|i| up(i, &format!("eth{i}"))).collect();
    // Two endpoints of someone else count against the 8.
    let foreign = [
        ep(1, "203.0.113.200", SIGNAL, 0),
        ep(2, "203.0.113.201", IMPLICIT, 0),
    ];
    let (mut h, _) = setup(
        SUBFLOW,
        NO_NOTIFY,
        FakeKernel::with_endpoints(&foreign),
        &links,
        &[],
    );
    for i in 2..8u32 {
        h.at(u64::from(i)).addr(addr(i, &format!("192.0.2.{i}")));
    }
    assert_eq!(h.kernel.endpoints.len(), 8);
    assert_eq!(h.at(20).addr(addr(8, "192.0.2.8")), [], "table full: waits");
    assert_eq!(h.at(21).addr(addr(9, "192.0.2.9")), []);
    assert_eq!(
        h.at(22).addr(addr(10, "198.51.100.10")),
        [],
        "unrelated event: still waits"
    );
    // A slot frees: the oldest waiting address gets it, with the freed id.
    assert_eq!(
        h.at(30).del_addr(addr(3, "192.0.2.3")),
        [del(4), add(4, "192.0.2.8", SUBFLOW, 8)]
    );
    assert_eq!(h.kernel.endpoints.len(), 8);
    // All endpoints ours would need 8; never more.
    let mut k = FakeKernel::default();
    (k.subflows, k.add_addr_accepted) = (0, 0);
    let (mut h, _) = setup(AddrFlags::FULLMESH, NO_NOTIFY, k, &links, &[]);
    for i in 2..12u32 {
        h.at(u64::from(i)).addr(addr(i, &format!("192.0.2.{i}")));
    }
    assert_eq!((h.kernel.subflows, h.kernel.add_addr_accepted), (8, 8));
}

#[test]
fn restart_adopts_matching_endpoints_without_re_adding() {
    let table = [
        ep(1, "192.0.2.1", SUBFLOW, 2),
        ep(2, "198.51.100.1", SUBFLOW, 3),
    ];
    let addrs = [addr(2, "192.0.2.1"), addr(3, "198.51.100.1")];
    let mut k = FakeKernel::with_endpoints(&table);
    (k.subflows, k.add_addr_accepted) = (2, 2);
    let (mut h, sent) = setup(SUBFLOW, EXISTING, k, &eth(), &addrs);
    assert_eq!(sent, [DUMP, GET_LIMITS], "no EBUSY: nothing re-added");
    let ours: Vec<_> = h.daemon.policy().ours().copied().collect();
    assert_eq!(ours, table);
    // Adopted endpoints are ours: removed at shutdown.
    assert_eq!(h.at(100).input(Input::Shutdown), [del(1), del(2)]);
    assert!(h.exited);
    assert!(h.kernel.endpoints.is_empty());
}

#[test]
fn implicit_endpoint_is_converted_keeping_its_id() {
    for order in [Order::Fifo, Order::Immediate] {
        let mut k = FakeKernel::default();
        k.implicit("203.0.113.50");
        k.implicit("192.0.2.1");
        let addrs = [addr(2, "192.0.2.1")];
        let settings = Settings::new(SUBFLOW, EXISTING);
        let mut h = Harness::new(settings.clone(), AddrAdv::new(&settings));
        (h.kernel, h.links, h.addrs, h.order) = (k, eth().to_vec(), addrs.to_vec(), order);
        let sent = h.at(0).start();
        assert_eq!(
            sent,
            [
                DUMP,
                GET_LIMITS,
                add(0, "192.0.2.1", SUBFLOW, 2),
                DUMP,
                limits(None, Some(1)),
            ],
            "{order:?}"
        );
        assert_eq!(
            h.kernel.endpoints,
            [
                ep(1, "203.0.113.50", IMPLICIT, 0),
                ep(2, "192.0.2.1", SUBFLOW, 2)
            ],
            "foreign implicit endpoint untouched"
        );
        assert_eq!(h.at(10).del_addr(addr(2, "192.0.2.1")), [del(2)]);
    }
}

#[test]
fn implicit_endpoint_in_a_full_table_is_replaced() {
    let mut k = FakeKernel::default();
    for n in 0..7 {
        k.implicit(&format!("203.0.113.{n}"));
    }
    let id = k.implicit("192.0.2.1");
    let (h, sent) = setup(SUBFLOW, EXISTING, k, &eth(), &[addr(2, "192.0.2.1")]);
    assert_eq!(
        &sent[2..4],
        [del(id), add(id, "192.0.2.1", SUBFLOW, 2)],
        "ADD_ADDR would get ERANGE"
    );
    assert_eq!(
        h.kernel.find("192.0.2.1"),
        Some(ep(id, "192.0.2.1", SUBFLOW, 2))
    );
}

#[test]
fn mismatched_endpoints_are_fixed() {
    // Only backup differs: SET_FLAGS keeps the endpoint and its subflows.
    let k = FakeKernel::with_endpoints(&[ep(4, "192.0.2.1", SUBFLOW | BACKUP, 2)]);
    let (h, sent) = setup(SUBFLOW, EXISTING, k, &eth(), &[addr(2, "192.0.2.1")]);
    let fix = Command::SetFlags {
        token: None,
        local: ep(4, "192.0.2.1", SUBFLOW, 2),
        remote: None,
    };
    assert_eq!(&sent[2..3], [fix]);
    assert_eq!(h.kernel.endpoints, [ep(4, "192.0.2.1", SUBFLOW, 2)]);

    // signal → subflow, or another device: SET_FLAGS cannot, replace.
    let k = FakeKernel::with_endpoints(&[
        ep(4, "192.0.2.1", SIGNAL, 0),
        ep(5, "198.51.100.1", SUBFLOW, 9),
    ]);
    let addrs = [addr(2, "192.0.2.1"), addr(3, "198.51.100.1")];
    let (h, sent) = setup(SUBFLOW, EXISTING, k, &eth(), &addrs);
    assert_eq!(
        &sent[2..6],
        [
            del(4),
            add(4, "192.0.2.1", SUBFLOW, 2),
            del(5),
            add(5, "198.51.100.1", SUBFLOW, 3)
        ]
    );
    assert_eq!(
        h.kernel.endpoints,
        [
            ep(4, "192.0.2.1", SUBFLOW, 2),
            ep(5, "198.51.100.1", SUBFLOW, 3)
        ]
    );
}

#[test]
fn shutdown_removes_only_ours_and_foreign_endpoints_stay() {
    let foreign = [
        ep(1, "203.0.113.9", SIGNAL, 0),
        ep(2, "203.0.113.10", IMPLICIT, 0),
    ];
    let (mut h, _) = setup(
        SUBFLOW,
        NO_NOTIFY,
        FakeKernel::with_endpoints(&foreign),
        &eth(),
        &[],
    );
    h.at(10).addr(addr(2, "192.0.2.1"));
    h.at(11).addr(addr(3, "2001:db8::1"));
    h.at(12).del_addr(addr(3, "2001:db8::1"));
    h.at(13).input(Input::EventsLost);
    assert_eq!(h.kernel.endpoints.len(), 3);
    assert!(h.kernel.endpoints.starts_with(&foreign), "never touched");
    assert_eq!(h.at(20).input(Input::Shutdown), [del(3)]);
    assert!(h.exited);
    assert_eq!(h.kernel.endpoints, foreign);
}

#[test]
fn eexist_resyncs_and_adopts() {
    let (mut h, _) = setup(SUBFLOW, NO_NOTIFY, FakeKernel::default(), &eth(), &[]);
    // Someone (`ip mptcp endpoint add`) created it meanwhile.
    h.kernel.endpoints.push(ep(7, "192.0.2.1", SUBFLOW, 2));
    let sent = h.at(10).addr(addr(2, "192.0.2.1"));
    assert_eq!(
        sent,
        [add(1, "192.0.2.1", SUBFLOW, 2), limits(None, Some(1)), DUMP]
    );
    assert_eq!(h.kernel.endpoints, [ep(7, "192.0.2.1", SUBFLOW, 2)]);
    assert_eq!(h.at(20).del_addr(addr(2, "192.0.2.1")), [del(7)], "adopted");
}

#[test]
fn persistent_errors_do_not_spin() {
    let (mut h, _) = setup(SUBFLOW, NO_NOTIFY, FakeKernel::default(), &eth(), &[]);
    h.kernel.inject = vec![("add_addr", super::EEXIST), ("add_addr", super::EEXIST)];
    let sent = h.at(10).addr(addr(2, "192.0.2.1"));
    let add1 = add(1, "192.0.2.1", SUBFLOW, 2);
    assert_eq!(
        sent,
        [add1, limits(None, Some(1)), DUMP, add1, DUMP],
        "one re-sync, then it stops"
    );
    assert_eq!(
        h.at(11).addr(addr(3, "198.51.100.1")),
        [add(1, "198.51.100.1", SUBFLOW, 3)],
        "others go on"
    );
    // Other errors: logged, left alone, no re-sync loop either.
    h.kernel.inject = vec![("add_addr", EPERM)];
    assert_eq!(
        h.at(12).addr(addr(4, "203.0.113.1")),
        [
            add(2, "203.0.113.1", SUBFLOW, 4),
            limits(None, Some(2)),
            DUMP
        ]
    );
    // A resync (events lost) tries the failed ones again.
    let sent = h.at(20).input(Input::EventsLost);
    assert_eq!(
        sent,
        [
            GET_LIMITS,
            DUMP,
            add(2, "192.0.2.1", SUBFLOW, 2),
            add(3, "203.0.113.1", SUBFLOW, 4),
            limits(Some(3), Some(3)),
        ]
    );
}

#[test]
fn erange_means_table_full_then_waits() {
    let links: Vec<Link> = (2..12).map(|i| up(i, &format!("eth{i}"))).collect();
    let (mut h, _) = setup(SUBFLOW, NO_NOTIFY, FakeKernel::default(), &links, &[]);
    for i in 2..9u32 {
        h.at(u64::from(i)).addr(addr(i, &format!("192.0.2.{i}")));
    }
    // A join made the kernel add an IMPLICIT entry we do not know about.
    h.kernel.implicit("203.0.113.77");
    let sent = h.at(20).addr(addr(9, "192.0.2.9"));
    assert_eq!(
        sent,
        [
            add(8, "192.0.2.9", SUBFLOW, 9),
            limits(Some(8), Some(8)),
            DUMP
        ],
        "limits go up with the endpoint being added"
    );
    assert_eq!(h.at(21).addr(addr(10, "192.0.2.10")), [], "waits quietly");
    // One of ours goes: the first waiting address takes the slot.
    assert_eq!(
        h.at(30).del_addr(addr(2, "192.0.2.2")),
        [del(1), add(1, "192.0.2.9", SUBFLOW, 9)]
    );
}

#[test]
fn ebusy_resyncs_and_picks_a_free_id() {
    let (mut h, _) = setup(SUBFLOW, NO_NOTIFY, FakeKernel::default(), &eth(), &[]);
    h.at(1).addr(addr(2, "192.0.2.1"));
    let taken = h.kernel.implicit("203.0.113.77");
    assert_eq!(taken, 2);
    let sent = h.at(10).addr(addr(3, "198.51.100.1"));
    assert_eq!(
        sent,
        [
            add(2, "198.51.100.1", SUBFLOW, 3),
            limits(None, Some(2)),
            DUMP,
            add(3, "198.51.100.1", SUBFLOW, 3),
        ]
    );
    assert_eq!(
        h.kernel.find("203.0.113.77"),
        Some(ep(2, "203.0.113.77", IMPLICIT, 0))
    );
}

#[test]
fn drift_is_repaired_on_resync() {
    let (mut h, _) = setup(SUBFLOW, NO_NOTIFY, FakeKernel::default(), &eth(), &[]);
    h.at(1).addr(addr(2, "192.0.2.1"));
    h.at(2).addr(addr(3, "198.51.100.1"));
    // `ip mptcp endpoint delete id 1` and `… change id 2 backup`.
    h.kernel.endpoints.retain(|e| e.id != 1);
    h.kernel.endpoints[0].flags = SUBFLOW | BACKUP;
    let sent = h.at(10).input(Input::EventsLost);
    let unbackup = Command::SetFlags {
        token: None,
        local: ep(2, "198.51.100.1", SUBFLOW, 3),
        remote: None,
    };
    assert_eq!(
        sent,
        [GET_LIMITS, DUMP, add(1, "192.0.2.1", SUBFLOW, 2), unbackup]
    );
    assert_eq!(
        h.kernel.endpoints,
        [
            ep(1, "192.0.2.1", SUBFLOW, 2),
            ep(2, "198.51.100.1", SUBFLOW, 3)
        ]
    );
    assert_eq!(
        h.at(11).input(Input::EventsLost),
        [GET_LIMITS, DUMP],
        "in sync"
    );
}

#[test]
fn update_interface_with_new_flags_changes_the_endpoint() {
    // Driven directly, with the command recorder and no daemon.
    let settings = Settings::new(SUBFLOW, NO_NOTIFY);
    let mut monitor = Monitor::new(settings.clone());
    let mut mout = MonitorOut::default();
    monitor.apply_dump(&[up(2, "eth1")], &[addr(2, "192.0.2.1")], &mut mout);
    let (mut ids, mut outbox) = (IdManager::new(), Outbox::new());
    let mut p = AddrAdv::new(&settings);
    let now = std::time::Instant::now();
    let mut ctx = crate::policy::Ctx::new(now, &monitor, &mut ids, &mut outbox);
    p.ready(&mut ctx, &[]);
    let mut iface = monitor.iface_of_addr(ip("192.0.2.1")).unwrap();
    p.new_local_address(&mut ctx, &iface, &addr(2, "192.0.2.1"));
    iface.addr_flags = SUBFLOW | BACKUP;
    p.update_interface(&mut ctx, &iface);
    let cmds: Vec<Command> = outbox
        .take()
        .map(|(_, r)| match r {
            Request::Pm(c) => c,
            other => panic!("{other:?}"),
        })
        .collect();
    let set_backup = Command::SetFlags {
        token: None,
        local: ep(1, "192.0.2.1", SUBFLOW | BACKUP, 2),
        remote: None,
    };
    assert_eq!(
        cmds,
        [GET_LIMITS, add(1, "192.0.2.1", SUBFLOW, 2), set_backup]
    );
}

#[test]
fn same_address_on_two_interfaces_uses_the_first() {
    let (mut h, _) = setup(SUBFLOW, NO_NOTIFY, FakeKernel::default(), &eth(), &[]);
    h.at(1).addr(addr(2, "192.0.2.1"));
    assert_eq!(h.at(2).addr(addr(3, "192.0.2.1")), []);
    assert_eq!(
        h.at(3).del_addr(addr(2, "192.0.2.1")),
        [del(1), add(1, "192.0.2.1", SUBFLOW, 3)]
    );
}

/// 200 add/remove cycles with flaps: the kernel ends with exactly the
/// endpoints of the present addresses, and no table grows.
#[test]
fn many_cycles_end_clean_and_tables_stay_small() {
    for order in [Order::Fifo, Order::Immediate] {
        let foreign = [ep(9, "203.0.113.9", SIGNAL, 0)];
        let settings = Settings::new(SUBFLOW, NO_NOTIFY);
        let mut h = Harness::new(settings.clone(), AddrAdv::new(&settings));
        (h.kernel, h.links, h.order) =
            (FakeKernel::with_endpoints(&foreign), eth().to_vec(), order);
        h.at(0).start();
        let pool = [
            addr(2, "192.0.2.1"),
            addr(2, "2001:db8::1"),
            addr(3, "198.51.100.1"),
            addr(4, "203.0.113.1"),
            addr(4, "2001:db8:4::1"),
        ];
        let mut ms = 0;
        for cycle in 0..200usize {
            ms += 10;
            let a = pool[cycle % pool.len()];
            if h.addrs.contains(&a) {
                h.at(ms).del_addr(a);
            } else {
                h.at(ms).addr(a);
            }
            match cycle % 7 {
                3 => {
                    h.at(ms + 1).carrier(3, false);
                    h.at(ms + 2).carrier(3, true);
                }
                5 => {
                    h.at(ms + 1).carrier(2, false);
                }
                6 => {
                    h.at(ms + 1).carrier(2, true);
                }
                _ => {}
            }
            if cycle % 50 == 49 {
                h.at(ms + 3).input(Input::EventsLost);
            }
            let p = h.daemon.policy();
            let (wanted, table, inflight) = p.table_sizes();
            assert!(
                wanted <= pool.len() && table <= 8 && inflight == 0,
                "{order:?}"
            );
            assert!(h.daemon.ids().len() <= 8);
            assert_eq!(h.daemon.pending_commands(), 0);
        }
        // eth2 ends up: addresses present on usable interfaces.
        h.at(ms + 10).carrier(2, true);
        let mut want: Vec<(IpAddr, i32)> =
            h.addrs.iter().map(|a| (a.addr, a.index as i32)).collect();
        want.push((ip("203.0.113.9"), 0));
        want.sort();
        let mut got: Vec<(IpAddr, i32)> = h
            .kernel
            .endpoints
            .iter()
            .map(|e| (e.addr, e.ifindex))
            .collect();
        got.sort();
        assert_eq!(got, want, "{order:?}");
        assert!(
            h.kernel
                .endpoints
                .iter()
                .all(|e| e.id == 9 || e.flags == SUBFLOW)
        );
        assert_eq!(h.daemon.monitor().table_size(), (3, h.addrs.len()));
        assert_eq!(h.daemon.ids().len(), h.kernel.endpoints.len());
        h.at(ms + 20).input(Input::Shutdown);
        assert!(h.exited);
        assert_eq!(h.kernel.endpoints, foreign, "{order:?}");
    }
}

#[test]
fn endpoint_with_a_port_for_our_address_is_foreign() {
    // `ip mptcp endpoint add 192.0.2.1 port 1000 signal`: a distinct
    // endpoint for the kernel, and not ours.
    let port_ep = Endpoint {
        port: 1000,
        ..ep(1, "192.0.2.1", SIGNAL, 0)
    };
    let k = FakeKernel::with_endpoints(&[port_ep]);
    let (mut h, sent) = setup(SUBFLOW, EXISTING, k, &eth(), &[addr(2, "192.0.2.1")]);
    assert_eq!(
        &sent[2..3],
        [add(2, "192.0.2.1", SUBFLOW, 2)],
        "id 1 is taken"
    );
    assert_eq!(h.at(10).input(Input::Shutdown), [del(2)]);
    assert_eq!(h.kernel.endpoints, [port_ep]);
}

/// Interface rules, reloads and ownership.
#[path = "addr_adv_reload_tests.rs"]
mod reload;
