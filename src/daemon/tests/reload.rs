// SPDX-License-Identifier: BSD-3-Clause
//! `Input::Reconfigure`, the counters and `Daemon::status`.

use super::*;
use crate::pm::SubflowInfo;
use crate::rules::{IfaceRule, InterfaceRules, Unlisted};
use crate::status::{ConnStatus, IfaceReason, SubflowStatus};

fn excluding(pattern: &str) -> Settings {
    Settings::new(AddrFlags::SUBFLOW, NotifyFlags::EXISTING).with_rules(InterfaceRules {
        unlisted: Unlisted::Use,
        rules: vec![IfaceRule {
            pattern: pattern.into(),
            exclude: true,
            addr_flags: None,
        }],
    })
}

fn two_wans() -> ([Link; 2], [Addr; 2]) {
    (
        [up(2, "eth1"), up(3, "eth2")],
        [addr(2, "192.0.2.1"), addr(3, "198.51.100.1")],
    )
}

#[test]
fn reconfigure_reaches_the_policy_before_the_network_callbacks() {
    let mut t = daemon(NotifyFlags::EXISTING, Rec::default());
    let (links, addrs) = two_wans();
    t.start(&links, &addrs, vec![]);
    t.log();
    assert_eq!(t.feed(10, Input::Reconfigure(excluding("eth2"))), []);
    assert_eq!(
        t.log(),
        [
            "reconfigure 1 rule(s), 1 usable",
            "delete_local_address 198.51.100.1@3",
            "delete_interface eth2",
        ]
    );
    // The same settings again: the policy hears of it, nothing changed.
    t.feed(11, Input::Reconfigure(excluding("eth2")));
    assert_eq!(t.log(), ["reconfigure 1 rule(s), 1 usable"]);
    t.feed(12, Input::Reconfigure(excluding("none")));
    assert_eq!(
        t.log(),
        [
            "reconfigure 1 rule(s), 2 usable",
            "new_interface eth2",
            "new_local_address 198.51.100.1@3",
        ]
    );
    assert_eq!(t.d.counters().reloads, 3);
}

#[test]
fn reconfigure_before_ready_shapes_the_startup_view() {
    let mut t = daemon(NotifyFlags::EXISTING, Rec::default());
    let (links, addrs) = two_wans();
    t.feed(0, Input::Reconfigure(excluding("eth1")));
    t.start(&links, &addrs, vec![]);
    assert_eq!(
        t.log(),
        ["ready 0", "new_local_address 198.51.100.1@3"],
        "no reconfigure callback before ready"
    );
}

#[test]
fn reconfigure_during_shutdown_is_ignored() {
    let rec = Rec {
        on_shutdown: vec![Command::DelAddr { id: 1 }],
        ..Rec::default()
    };
    let mut t = daemon(NotifyFlags::EXISTING, rec);
    let (links, addrs) = two_wans();
    t.start(&links, &addrs, vec![]);
    t.feed(1, Input::Shutdown);
    t.log();
    assert_eq!(t.feed(2, Input::Reconfigure(excluding("eth*"))), []);
    assert_eq!(t.log(), Vec::<String>::new());
    assert_eq!(t.d.monitor().interfaces().count(), 2);
}

fn sub(token: Token, local: &str, remote: &str, ifindex: Option<i32>) -> SubflowInfo {
    SubflowInfo {
        token,
        local: local.parse().unwrap(),
        remote: remote.parse().unwrap(),
        loc_id: 1,
        rem_id: 0,
        backup: false,
        ifindex,
        error: None,
        reset_reason: None,
        reset_flags: None,
    }
}

#[test]
fn counters_count_inputs_requests_and_errors_by_errno() {
    let rec = Rec {
        on_ready: vec![
            Command::GetLimits,
            Command::DelAddr { id: 3 },
            Command::DelAddr { id: 4 },
            Command::DelAddr { id: 5 },
        ],
        ..Rec::default()
    };
    let mut t = daemon(NotifyFlags::default(), rec);
    let acts = t.start(&[up(2, "eth1")], &[], vec![]);
    let sent = cmd_tags(&acts);
    let fail = |tag, errno| Input::CommandResult {
        tag,
        result: Err(KernelError::from_errno(errno)),
    };
    t.feed(1, fail(sent[1].0, libc::EINVAL));
    t.feed(1, fail(sent[2].0, libc::EEXIST));
    t.feed(1, fail(sent[3].0, libc::EINVAL));
    t.feed(1, fail(Tag(999), 200));
    let c = ConnInfo {
        token: 7,
        local: "192.0.2.1:40000".parse().unwrap(),
        remote: "203.0.113.80:80".parse().unwrap(),
        server_side: false,
        deny_join_id0: false,
    };
    t.feed(2, Input::Pm(PmEvent::Created(c)));
    t.feed(2, Input::Pm(PmEvent::Established(c)));
    let s = sub(7, "198.51.100.1:40001", "203.0.113.80:80", Some(3));
    t.feed(2, Input::Pm(PmEvent::SubEstablished(s)));
    t.feed(2, Input::Pm(PmEvent::SubClosed(s)));
    t.feed(2, Input::Pm(PmEvent::SubClosed(s)));
    t.feed(3, Input::NewAddr(addr(2, "192.0.2.1")));
    t.feed(3, Input::RouteChanged);
    t.feed(3, Input::DelAddr(addr(2, "192.0.2.1")));
    t.feed(4, Input::RtnlOverrun);
    t.feed(4, Input::EventsLost);
    t.feed(4, Input::EventsLost);
    let k = t.d.counters();
    assert_eq!(k.mptcp_events, [1, 1, 0, 0, 0, 1, 2, 0, 0, 0]);
    assert_eq!(k.rtnl_events, 3);
    assert_eq!((k.rtnl_overruns, k.events_lost, k.resyncs()), (1, 2, 3));
    assert_eq!(
        k.kernel_errors,
        [(libc::EEXIST, 1), (libc::EINVAL, 2), (200, 1)]
    );
    assert_eq!(k.commands_sent, 5, "the startup dump and four from ready");
}

#[test]
fn status_has_reasons_policy_connections_and_per_interface_counts() {
    let conn = ConnStatus {
        token: 7,
        local: "192.0.2.1:40000".parse().unwrap(),
        remote: "203.0.113.80:80".parse().unwrap(),
        server_side: false,
        subflows: vec![
            SubflowStatus {
                local: "198.51.100.1:40001".parse().unwrap(),
                remote: "203.0.113.80:80".parse().unwrap(),
                loc_id: 2,
                rem_id: 0,
                backup: true,
                ifindex: None,
            },
            SubflowStatus {
                local: "192.0.2.1:40002".parse().unwrap(),
                remote: "203.0.113.81:80".parse().unwrap(),
                loc_id: 1,
                rem_id: 1,
                backup: false,
                ifindex: Some(3),
            },
        ],
    };
    let rec = Rec {
        conns: vec![conn.clone()],
        ..Rec::default()
    };
    let mut t = daemon(NotifyFlags::EXISTING, rec);
    assert_eq!(t.d.status().phase, "idle");
    let (links, addrs) = two_wans();
    t.start(&links, &addrs, vec![]);
    t.feed(1, Input::Reconfigure(excluding("eth2")));
    let st = t.d.status();
    assert_eq!((st.path_manager, st.phase), ("rec", "running"));
    let reasons: Vec<_> = st.interfaces.iter().map(|i| i.reason).collect();
    assert_eq!(reasons, [IfaceReason::Used, IfaceReason::Excluded]);
    // eth1: the initial subflow; eth2: the subflow bound to it by index
    // (whatever its address) and the one from its address.
    let counts: Vec<_> = st
        .interfaces
        .iter()
        .map(|i| (i.index, i.connections, i.subflows))
        .collect();
    assert_eq!(counts, [(2, 1, 0), (3, 1, 2)]);
    assert_eq!(st.connections, [conn]);
    assert_eq!(st.counters.reloads, 1);
    t.feed(2, Input::Shutdown);
    assert_eq!(t.d.status().phase, "stopped");
}
