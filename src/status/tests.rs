// SPDX-License-Identifier: BSD-3-Clause
//! The status report: reasons from a real monitor, JSON checked by a
//! small strict parser (RFC 8259), escaping, the text table.

use super::*;
use crate::daemon::Settings;
use crate::flags::NotifyFlags;
use crate::iface::{
    Addr, IFA_F_DADFAILED, IFA_F_DEPRECATED, IFA_F_TENTATIVE, IFF_LOWER_UP, IFF_RUNNING, Link,
    RT_SCOPE_LINK, RouteCheck,
};
use crate::monitor::{Monitor, MonitorOut};
use crate::policy::testkit::{addr, ep, ip, up};
use crate::rules::{IfaceRule, InterfaceRules, Unlisted};

/// A small strict JSON parser to check the output against.
mod json;
use json::{J, parse};

fn rule(pattern: &str, exclude: bool) -> IfaceRule {
    IfaceRule {
        pattern: pattern.into(),
        exclude,
        addr_flags: None,
    }
}

fn with_flags(mut a: Addr, flags: u32) -> Addr {
    a.flags = flags;
    a
}

/// A monitor with every interface reason and every address state.
fn zoo() -> Monitor {
    let rules = InterfaceRules {
        unlisted: Unlisted::Ignore,
        rules: vec![rule("eth*", false), rule("lo", false), rule("eth9", true)],
    };
    let notify = NotifyFlags::SKIP_LINK_LOCAL | NotifyFlags::CHECK_ROUTE;
    let mut m = Monitor::new(Settings::new(AddrFlags::SUBFLOW, notify).with_rules(rules));
    let mut out = MonitorOut::default();
    let mut lo = up(1, "lo");
    lo.flags |= crate::iface::IFF_LOOPBACK;
    let mut down = up(4, "eth2");
    down.flags = 0;
    let mut no_carrier = up(5, "eth3");
    no_carrier.flags &= !(IFF_RUNNING | IFF_LOWER_UP);
    let links: [Link; 6] = [
        lo,
        up(2, "eth1"),
        up(3, "eth9"),
        down,
        no_carrier,
        up(6, "br-lan"),
    ];
    m.apply_dump(&links, &[addr(2, "192.0.2.50")], &mut out);
    let ll = Addr {
        scope: RT_SCOPE_LINK,
        ..addr(2, "fe80::1")
    };
    for a in [
        addr(1, "127.0.0.1"),
        addr(2, "192.0.2.1"),
        addr(2, "192.0.2.2"),
        addr(2, "192.0.2.3"),
        ll,
        with_flags(addr(2, "2001:db8::1"), IFA_F_TENTATIVE),
        with_flags(addr(2, "2001:db8::2"), IFA_F_TENTATIVE | IFA_F_DADFAILED),
        with_flags(addr(2, "2001:db8::3"), IFA_F_DEPRECATED),
        addr(3, "198.51.100.9"),
        addr(4, "198.51.100.4"),
        addr(6, "203.0.113.6"),
    ] {
        m.new_addr(a, &mut out);
    }
    for (a, has_default) in [("192.0.2.1", true), ("192.0.2.2", false)] {
        let answer = RouteCheck {
            index: 2,
            addr: ip(a),
            has_default,
        };
        m.route_check(answer, &mut out);
    }
    m
}

#[test]
fn every_interface_reason() {
    let got: Vec<_> = zoo()
        .status()
        .iter()
        .map(|i| (i.name.to_string(), i.reason.name(), i.addr_flags))
        .collect();
    let used = Some(AddrFlags::SUBFLOW);
    assert_eq!(
        got,
        [
            ("lo".into(), "loopback", None),
            ("eth1".into(), "used", used),
            ("eth9".into(), "excluded", None),
            ("eth2".into(), "link-down", None),
            ("eth3".into(), "no-carrier", None),
            ("br-lan".into(), "unlisted", None),
        ]
    );
}

#[test]
fn every_address_state() {
    let st = zoo().status();
    let got: Vec<(String, &str)> = st
        .iter()
        .flat_map(|i| i.addrs.iter())
        .map(|a| (a.addr.to_string(), a.state.name()))
        .collect();
    let want = [
        ("127.0.0.1", "interface-unused"),
        ("192.0.2.50", "not-existing"),
        ("192.0.2.1", "used"),
        ("192.0.2.2", "no-route"),
        ("192.0.2.3", "route-pending"),
        ("fe80::1", "skipped"),
        ("2001:db8::1", "tentative"),
        ("2001:db8::2", "dadfailed"),
        ("2001:db8::3", "deprecated"),
        ("198.51.100.9", "excluded"),
        ("198.51.100.4", "interface-unused"),
        ("203.0.113.6", "excluded"),
    ];
    let want: Vec<(String, &str)> = want.iter().map(|(a, s)| (a.to_string(), *s)).collect();
    assert_eq!(got, want);
}

fn sample() -> Status {
    let mut counters = Counters::default();
    counters.mptcp_events[0] = 3;
    counters.rtnl_events = 12;
    counters.events_lost = 1;
    counters.reloads = 2;
    counters.commands_sent = 9;
    counters.kernel_error(libc::EINVAL);
    counters.kernel_error(libc::EEXIST);
    counters.kernel_error(libc::EINVAL);
    counters.kernel_error(4000);
    let policy = PolicyStatus {
        endpoints: vec![
            ep(1, "192.0.2.1", AddrFlags::SUBFLOW | AddrFlags::BACKUP, 2),
            ep(2, "2001:db8::1", AddrFlags(AddrFlags::SIGNAL.0 | 0x400), 0),
        ],
        connections: vec![ConnStatus {
            token: 0xdead_beef,
            local: "192.0.2.1:40000".parse().unwrap(),
            remote: "[2001:db8::80]:443".parse().unwrap(),
            server_side: true,
            subflows: vec![SubflowStatus {
                local: "192.0.2.1:40001".parse().unwrap(),
                remote: "[2001:db8::80]:443".parse().unwrap(),
                loc_id: 1,
                rem_id: 2,
                backup: true,
                ifindex: None,
            }],
        }],
    };
    Status::new("addr_adv", "running", zoo().status(), policy, counters)
}

#[test]
fn json_is_valid_and_has_the_documented_shape() {
    let s = sample();
    let j = parse(&s.to_json()).expect("valid JSON");
    assert_eq!(
        j.keys(),
        [
            "version",
            "path_manager",
            "phase",
            "interfaces",
            "endpoints",
            "connections",
            "counters"
        ]
    );
    assert_eq!(j["version"].num(), 1.0);
    assert_eq!(j["path_manager"].str(), "addr_adv");
    let eth1 = &j["interfaces"][1];
    assert_eq!(
        eth1.keys(),
        [
            "index",
            "name",
            "flags",
            "up",
            "running",
            "loopback",
            "use",
            "addr_flags",
            "connections",
            "subflows",
            "addresses"
        ]
    );
    assert_eq!(eth1["name"].str(), "eth1");
    assert_eq!(
        (eth1["up"].clone(), eth1["running"].clone()),
        (J::Bool(true), J::Bool(true))
    );
    assert_eq!(eth1["addr_flags"], J::Arr(vec![J::Str("subflow".into())]));
    assert_eq!(
        (eth1["connections"].num(), eth1["subflows"].num()),
        (1.0, 1.0)
    );
    assert_eq!(eth1["addresses"][1]["address"].str(), "192.0.2.1");
    assert_eq!(eth1["addresses"][1]["state"].str(), "used");
    assert_eq!(eth1["addresses"][1]["prefix_len"].num(), 24.0);
    assert_eq!(j["interfaces"][0]["loopback"], J::Bool(true));
    assert_eq!(j["interfaces"][3]["up"], J::Bool(false));
    assert_eq!(j["interfaces"][2]["addr_flags"], J::Null);
    let e = &j["endpoints"];
    assert_eq!(e.len(), 2);
    let words = |v: &J| match v {
        J::Arr(a) => a.iter().map(|w| w.str().to_owned()).collect::<Vec<_>>(),
        _ => panic!(),
    };
    assert_eq!(words(&e[0]["flags"]), ["subflow", "backup"]);
    assert_eq!(words(&e[1]["flags"]), ["signal", "0x400"]);
    assert_eq!(e[1]["address"].str(), "2001:db8::1");
    assert_eq!((e[0]["id"].num(), e[0]["ifindex"].num()), (1.0, 2.0));
    let c = &j["connections"][0];
    assert_eq!(c["token"].num(), f64::from(0xdead_beef_u32));
    assert_eq!(c["remote"].str(), "[2001:db8::80]:443");
    assert_eq!(c["server_side"], J::Bool(true));
    assert_eq!(c["subflows"][0]["ifindex"], J::Null);
    assert_eq!(c["subflows"][0]["backup"], J::Bool(true));
    let k = &j["counters"];
    assert_eq!(k["mptcp_events"].keys(), PM_EVENT_NAMES);
    assert_eq!(k["mptcp_events"]["created"].num(), 3.0);
    assert_eq!(k["rtnl_events"].num(), 12.0);
    assert_eq!(k["resyncs"]["events_lost"].num(), 1.0);
    assert_eq!(k["resyncs"]["rtnl_overrun"].num(), 0.0);
    assert_eq!((k["reloads"].num(), k["commands_sent"].num()), (2.0, 9.0));
    let errs = &k["kernel_errors"];
    assert_eq!(errs.len(), 3);
    assert_eq!(
        (errs[0]["name"].str(), errs[0]["count"].num()),
        ("EEXIST", 1.0)
    );
    assert_eq!(
        (errs[1]["name"].str(), errs[1]["count"].num()),
        ("EINVAL", 2.0)
    );
    assert_eq!(
        (errs[2]["errno"].num(), errs[2]["name"].clone()),
        (4000.0, J::Null)
    );
}

#[test]
fn small_report_exact_json() {
    let mut eth = IfaceStatus {
        index: 2,
        name: IfName::new("eth1"),
        flags: IFF_UP | IFF_RUNNING,
        reason: IfaceReason::Used,
        addr_flags: Some(AddrFlags::SUBFLOW),
        addrs: vec![AddrStatus {
            addr: ip("192.0.2.1"),
            prefix_len: 24,
            state: AddrState::Used,
        }],
        connections: 0,
        subflows: 0,
    };
    let s = Status::new(
        "addr_adv",
        "running",
        vec![eth.clone()],
        PolicyStatus::default(),
        Counters::default(),
    );
    let want = concat!(
        r#"{"version":1,"path_manager":"addr_adv","phase":"running","interfaces":["#,
        r#"{"index":2,"name":"eth1","flags":65,"up":true,"running":true,"loopback":false,"#,
        r#""use":"used","addr_flags":["subflow"],"connections":0,"subflows":0,"#,
        r#""addresses":[{"address":"192.0.2.1","prefix_len":24,"state":"used"}]}],"#,
        r#""endpoints":[],"connections":[],"counters":{"mptcp_events":{"created":0,"#,
        r#""established":0,"closed":0,"announced":0,"removed":0,"sub_established":0,"#,
        r#""sub_closed":0,"sub_priority":0,"listener_created":0,"listener_closed":0},"#,
        r#""rtnl_events":0,"resyncs":{"rtnl_overrun":0,"events_lost":0},"reloads":0,"#,
        r#""commands_sent":0,"kernel_errors":[]}}"#
    );
    assert_eq!(s.to_json(), want);
    eth.addr_flags = Some(AddrFlags::empty());
    let s = Status::new(
        "x",
        "idle",
        vec![eth],
        PolicyStatus::default(),
        Counters::default(),
    );
    assert!(s.to_json().contains(r#""addr_flags":[],"#));
}

#[test]
fn odd_interface_names_stay_valid_json_and_readable_text() {
    let mut st = sample();
    let odd = ["a\"b\\c", "x\u{1}y\u{1b}", "wän✓", "{}[],:"];
    for (i, name) in odd.iter().enumerate() {
        st.interfaces[i].name = IfName::new(name);
    }
    let j = parse(&st.to_json()).expect("valid JSON");
    for (i, name) in odd.iter().enumerate() {
        assert_eq!(j["interfaces"][i]["name"].str(), *name);
    }
    let text = st.to_text();
    assert!(text.contains("x\\u{1}y\\u{1b}"), "{text}");
    assert!(!text.contains('\u{1b}'), "no raw escape reaches a terminal");
    assert!(text.contains("a\"b\\c"));
}

#[test]
fn text_table() {
    let text = sample().to_text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "path manager addr_adv (running)");
    assert!(lines[1].starts_with("INTERFACE") && lines[1].contains("SUBFLOWS"));
    let eth1 = lines.iter().find(|l| l.starts_with("eth1 ")).unwrap();
    let cols: Vec<&str> = eth1.split_whitespace().collect();
    assert_eq!(cols, ["eth1", "2", "used", "subflow", "1", "1"]);
    let eth9 = lines.iter().find(|l| l.starts_with("eth9 ")).unwrap();
    assert_eq!(eth9.split_whitespace().nth(2), Some("excluded"));
    assert!(text.contains("  192.0.2.2/24"));
    assert!(
        lines
            .iter()
            .any(|l| l.trim_start().starts_with("192.0.2.2/24") && l.ends_with("no-route"))
    );
    assert!(text.contains("endpoints owned: 2"));
    assert!(text.contains("id 1   192.0.2.1 subflow,backup ifindex 2"));
    assert!(text.contains("token 3735928559 192.0.2.1:40000 -> [2001:db8::80]:443 (+1 subflows)"));
    assert!(text.contains("mptcp events: created 3 established 0"));
    assert!(text.contains("resyncs 1 (rtnl overrun 0, events lost 1), reloads 2"));
    assert!(text.contains("kernel errors: EEXIST 1 EINVAL 2 errno 4000: 1"));
}

#[test]
fn kernel_errors_stay_sorted_and_small() {
    let mut c = Counters::default();
    for e in [22, 17, 22, 16, 17, 22, 1] {
        c.kernel_error(e);
    }
    assert_eq!(c.kernel_errors, [(1, 1), (16, 1), (17, 2), (22, 3)]);
    for _ in 0..1000 {
        c.kernel_error(22);
    }
    assert_eq!(c.kernel_errors.len(), 4);
}
