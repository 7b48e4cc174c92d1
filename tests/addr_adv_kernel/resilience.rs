// SPDX-License-Identifier: BSD-3-Clause
//! addr_adv under stress and across restarts: rapid address churn and
//! memory, restart with endpoints present and cleanup at exit, the kernel
//! limits, the 8-endpoint table, and a resync after lost rtnetlink events.

use std::time::{Duration, Instant};

use mptcpd::flags::AddrFlags;

use crate::common::daemon::Daemon;
use crate::common::pm::PmClient;
use crate::common::{Netns, require_kernel, wait_until};
use crate::kit::{self, AddrOps, Ep, ep, wait_endpoints};
use crate::{WAIT, start};

/// Rounds and cycles of the churn test: 10 × 20 = 200 add/remove cycles.
const ROUNDS: usize = 10;
const CYCLES_PER_ROUND: usize = 20;
/// RSS the daemon may gain between the end of the first round and the
/// end of the last.
const RSS_SLACK_KIB: u64 = 64;

/// 200 rapid add/remove cycles of three addresses on two interfaces end
/// with exactly the endpoints of the addresses present, and the daemon's
/// memory does not grow with them.
#[test]
fn rapid_churn_ends_exact_and_memory_stays_flat() {
    if !require_kernel() {
        return;
    }
    let ns = Netns::new("aak-churn");
    ns.add_veth("c0", "c1");
    let (c0, c1) = (ns.ifindex("c0"), ns.ifindex("c1"));
    let sub = AddrFlags::SUBFLOW;
    let mut pm = PmClient::open(&ns);
    let mut rt = AddrOps::open(&ns);
    let mut d = start(&ns, "subflow", "");
    let addrs = [
        (c0, "192.0.2.1/24"),
        (c1, "198.51.100.1/24"),
        (c0, "2001:db8:1::1/64"),
    ];
    // Each round ends with the first and the last address present.
    let settled = [ep("192.0.2.1", c0, sub), ep("2001:db8:1::1", c0, sub)];
    let mut rss_after_first = 0;
    let t0 = Instant::now();
    for round in 0..ROUNDS {
        if round > 0 {
            rt.del(addrs[0].0, addrs[0].1).unwrap();
            rt.del(addrs[2].0, addrs[2].1).unwrap();
        }
        for _ in 0..CYCLES_PER_ROUND {
            for (i, c) in addrs {
                rt.add(i, c).unwrap();
            }
            for (i, c) in addrs {
                rt.del(i, c).unwrap();
            }
        }
        rt.add(addrs[0].0, addrs[0].1).unwrap();
        rt.add(addrs[2].0, addrs[2].1).unwrap();
        wait_endpoints(&mut pm, &settled, Duration::from_secs(20), &|| {
            format!("round {round}")
        });
        if round == 0 {
            rss_after_first = d.status_field("VmRSS").expect("VmRSS");
        }
    }
    let rss_end = d.status_field("VmRSS").expect("VmRSS");
    eprintln!(
        "{} cycles in {:?}; daemon VmRSS {rss_after_first} KiB after round 1, {rss_end} KiB \
         after round {ROUNDS}",
        ROUNDS * CYCLES_PER_ROUND,
        t0.elapsed()
    );
    assert!(
        rss_end <= rss_after_first + RSS_SLACK_KIB,
        "daemon VmRSS grew from {rss_after_first} KiB to {rss_end} KiB"
    );
    let ids: Vec<u8> = pm.dump(None).iter().map(|e| e.id).collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert_eq!(d.count_lines(|l| l.starts_with("error:")), 0, "{}", d.log());
    d.stop_ok();
    wait_endpoints(&mut pm, &[], WAIT, &|| d.log());
}

/// Any sign of a refused kernel command in a log: our error lines, a
/// failed command in the debug trace, or the errno texts of a duplicate.
fn kernel_complaints(d: &Daemon) -> Vec<String> {
    d.lines()
        .into_iter()
        .filter(|l| {
            l.starts_with("error:")
                || l.contains("Err(")
                || l.contains("busy")
                || l.contains("File exists")
        })
        .collect()
}

/// A daemon that died (SIGKILL) leaves its endpoints; the next one adopts
/// them without a kernel error or a duplicate, and at SIGTERM removes
/// exactly those, leaving the administrator's endpoint for an address it
/// does not manage.
#[test]
fn restart_adopts_endpoints_and_sigterm_removes_only_ours() {
    if !require_kernel() {
        return;
    }
    let ns = Netns::new("aak-restart");
    ns.add_veth("s0", "s1");
    let s0 = ns.ifindex("s0");
    let sub = AddrFlags::SUBFLOW;
    ns.add_addr("s0", "192.0.2.1/24");
    ns.add_addr("s0", "198.51.100.1/24");
    ns.add_addr("s0", "2001:db8:1::1/64");
    let ours = [
        ep("192.0.2.1", s0, sub),
        ep("198.51.100.1", s0, sub),
        ep("2001:db8:1::1", s0, sub),
    ];
    let mut pm = PmClient::open(&ns);
    let mut first = start(&ns, "subflow", "existing");
    wait_endpoints(&mut pm, &ours, WAIT, &|| first.log());
    let ids_before = sorted_ids(&mut pm);
    first.signal(libc::SIGKILL);
    assert!(first.wait_exit(WAIT).is_some());
    drop(first);
    assert_eq!(kit::endpoints(&mut pm), ours, "SIGKILL must leave them");

    ns.ip("mptcp endpoint add 203.0.113.9 id 42 signal");
    let admin = ep("203.0.113.9", 0, AddrFlags::SIGNAL);
    let mut all = ours.to_vec();
    all.push(admin);

    let mut second = start(&ns, "subflow", "existing");
    for a in ["192.0.2.1", "198.51.100.1", "2001:db8:1::1"] {
        let what = format!(" for {a} (flags subflow)");
        assert!(
            second.wait_line(WAIT, |l| l.contains("adopting endpoint")
                && l.contains(&what)),
            "{a} not adopted:\n{}",
            second.log()
        );
    }
    // One more event through the daemon, handled after the adoptions.
    ns.add_addr("s0", "203.0.113.1/24");
    all.push(ep("203.0.113.1", s0, sub));
    wait_endpoints(&mut pm, &all, WAIT, &|| second.log());
    let ids_after = sorted_ids(&mut pm);
    for (addr, id) in &ids_before {
        assert!(
            ids_after.contains(&(*addr, *id)),
            "{addr} changed id: {ids_before:?} -> {ids_after:?}"
        );
    }
    let complaints = kernel_complaints(&second);
    assert!(complaints.is_empty(), "{complaints:#?}\n{}", second.log());

    second.stop_ok();
    assert_eq!(kit::endpoints(&mut pm), vec![admin], "{}", second.log());
    assert_eq!(pm.get_addr(42).unwrap().addr, admin.addr);
}

fn sorted_ids(pm: &mut PmClient) -> Vec<(std::net::IpAddr, u8)> {
    let mut v: Vec<_> = pm.dump(None).iter().map(|e| (e.addr, e.id)).collect();
    v.sort();
    v
}

/// Three `subflow` endpoints: the kernel limits allow a subflow for each
/// and accept as many announcements; limits the administrator set higher
/// stay as set.
#[test]
fn limits_cover_the_endpoints_and_higher_admin_limits_stay() {
    if !require_kernel() {
        return;
    }
    let sub = AddrFlags::SUBFLOW;
    let plain = Netns::new("aak-lim");
    let raised = Netns::new("aak-limadm");
    raised.ip("mptcp limits set subflows 7 add_addr_accepted 6");
    let mut runs = Vec::new();
    for ns in [&plain, &raised] {
        ns.add_veth("l0", "l1");
        let mut pm = PmClient::open(ns);
        let d = start(ns, "subflow", "");
        ns.add_addr("l0", "192.0.2.1/24");
        ns.add_addr("l0", "198.51.100.1/24");
        ns.add_addr("l1", "2001:db8:1::1/64");
        let (l0, l1) = (ns.ifindex("l0"), ns.ifindex("l1"));
        wait_endpoints(
            &mut pm,
            &[
                ep("192.0.2.1", l0, sub),
                ep("198.51.100.1", l0, sub),
                ep("2001:db8:1::1", l1, sub),
            ],
            WAIT,
            &|| d.log(),
        );
        runs.push((pm, d));
    }
    let lim = runs[0].0.limits();
    let (subflows, accepted) = (lim.subflows.unwrap(), lim.add_addr_accepted.unwrap());
    assert!(
        subflows >= 3 && accepted >= 3,
        "limits subflows {subflows} add_addr_accepted {accepted}:\n{}",
        runs[0].1.log()
    );
    let lim = runs[1].0.limits();
    assert_eq!(
        (lim.subflows, lim.add_addr_accepted),
        (Some(7), Some(6)),
        "{}",
        runs[1].1.log()
    );
    for (_, d) in &mut runs {
        d.stop_ok();
    }
}

/// The kernel holds 8 endpoints: a 9th address waits, is logged once,
/// and gets its endpoint as soon as a slot is free.
#[test]
fn ninth_address_waits_for_a_free_slot() {
    if !require_kernel() {
        return;
    }
    let ns = Netns::new("aak-nine");
    ns.add_veth("e0", "e1");
    let e0 = ns.ifindex("e0");
    let sub = AddrFlags::SUBFLOW;
    let mut pm = PmClient::open(&ns);
    let mut rt = AddrOps::open(&ns);
    let mut d = start(&ns, "subflow", "");
    let host = |n: u8| format!("192.0.2.{n}");
    let mut want: Vec<Ep> = Vec::new();
    for n in 1..=8 {
        rt.add(e0, &format!("{}/24", host(n))).unwrap();
        want.push(ep(&host(n), e0, sub));
        // One at a time, so that the order of the reports is known.
        wait_endpoints(&mut pm, &want, WAIT, &|| d.log());
    }
    let full = |a: &str| {
        let a = format!(": {a} waits for a free slot");
        move |l: &str| l.starts_with("warning:") && l.contains("table is full") && l.contains(&a)
    };
    rt.add(e0, "192.0.2.9/24").unwrap();
    assert!(d.wait_line(WAIT, full("192.0.2.9")), "{}", d.log());
    rt.add(e0, "192.0.2.10/24").unwrap();
    assert!(d.wait_line(WAIT, full("192.0.2.10")), "{}", d.log());
    assert_eq!(kit::endpoints(&mut pm), want, "{}", d.log());
    assert_eq!(d.count_lines(full("192.0.2.9")), 1, "{}", d.log());
    assert_eq!(
        d.count_lines(|l| l.contains("ERANGE") || l.contains("Err(")),
        0
    );

    // A slot frees: the oldest waiting address takes it.
    rt.del(e0, "192.0.2.3/24").unwrap();
    want.retain(|e| e.addr != kit::ip("192.0.2.3"));
    want.push(ep("192.0.2.9", e0, sub));
    wait_endpoints(&mut pm, &want, WAIT, &|| d.log());
    assert!(d.wait_line(WAIT, |l| {
        l.contains("an endpoint slot is free again: adding 192.0.2.9")
    }));
    assert_eq!(d.count_lines(full("192.0.2.9")), 1, "{}", d.log());
    d.stop_ok();
    wait_endpoints(&mut pm, &[], WAIT, &|| d.log());
}

/// Process state letter from /proc/<pid>/stat ('T' = stopped).
fn proc_state(pid: u32) -> Option<char> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    s.rsplit_once(") ")?.1.chars().next()
}

/// Rmem and Drops of the namespace's rtnetlink sockets that joined a
/// group (there the daemon's event socket is the only one).
fn rtnl_event_socket(ns: &Netns) -> Vec<(u64, u64)> {
    let t = ns.sh("cat /proc/net/netlink");
    t.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let grouped = f.get(3).is_some_and(|g| g.chars().any(|c| c != '0'));
            (f.len() >= 9 && f[1] == "0" && grouped)
                .then(|| (f[4].parse().unwrap_or(0), f[8].parse().unwrap_or(0)))
        })
        .collect()
}

/// Lost rtnetlink events (ENOBUFS) end in a resync from a full dump: the
/// endpoints then match the addresses present, also for changes that
/// were lost, and the log says so.
///
/// The overrun is made certain, not hoped for: the daemon is stopped
/// (SIGSTOP) while `ip -batch` makes thousands of route changes, which
/// overflow its event queue, and a few address changes, then continued.
/// An address added before the flood and deleted after it checks that
/// no stale event still queued from before the overrun is replayed on top
/// of the dump.
#[test]
fn rtnetlink_overrun_resyncs_from_a_dump() {
    if !require_kernel() {
        return;
    }
    let ns = Netns::new("aak-nobufs");
    ns.add_veth("o0", "o1");
    let o0 = ns.ifindex("o0");
    let sub = AddrFlags::SUBFLOW;
    let mut pm = PmClient::open(&ns);
    let mut d = start(&ns, "subflow", "");
    ns.add_addr("o0", "192.0.2.1/24");
    ns.add_addr("o0", "2001:db8:1::1/64");
    wait_endpoints(
        &mut pm,
        &[ep("192.0.2.1", o0, sub), ep("2001:db8:1::1", o0, sub)],
        WAIT,
        &|| d.log(),
    );

    let mut batch = String::from("addr add 192.0.2.50/24 dev o0\n");
    for i in 0..3000 {
        let r = format!("10.77.{}.{}/32", i / 200, i % 200);
        batch.push_str(&format!("route add {r} dev o0\nroute del {r} dev o0\n"));
    }
    batch.push_str(
        "addr del 192.0.2.50/24 dev o0\n\
         addr del 192.0.2.1/24 dev o0\n\
         addr add 198.51.100.1/24 dev o0\n\
         addr add 2001:db8:2::1/64 dev o0 nodad\n",
    );
    let file = std::env::temp_dir().join(format!("{}.batch", ns.name()));
    std::fs::write(&file, batch).unwrap();
    let _cleanup = RemoveOnDrop(file.clone());

    d.signal(libc::SIGSTOP);
    assert!(wait_until(WAIT, || proc_state(d.pid) == Some('T')));
    ns.ip(&format!("-batch {}", file.display()));
    let drops: u64 = rtnl_event_socket(&ns).iter().map(|s| s.1).sum();
    d.signal(libc::SIGCONT);
    assert!(
        drops > 0,
        "no overrun provoked: {:?}",
        rtnl_event_socket(&ns)
    );

    let want = [
        ep("2001:db8:1::1", o0, sub),
        ep("198.51.100.1", o0, sub),
        ep("2001:db8:2::1", o0, sub),
    ];
    wait_endpoints(&mut pm, &want, Duration::from_secs(10), &|| d.log());
    // Settled: the queue is read, and the table still matches.
    assert!(
        wait_until(WAIT, || rtnl_event_socket(&ns).iter().all(|s| s.0 == 0)),
        "daemon did not drain its event socket"
    );
    std::thread::sleep(Duration::from_millis(200));
    let mut want = want.to_vec();
    want.sort();
    assert_eq!(kit::endpoints(&mut pm), want, "{}", d.log());
    assert!(
        d.count_lines(|l| l.starts_with("warning:") && l.contains("rtnetlink events lost")) >= 1,
        "{}",
        d.log()
    );
    assert!(
        d.count_lines(|l| l.starts_with("resync:")) >= 1,
        "{}",
        d.log()
    );
    d.stop_ok();
}

struct RemoveOnDrop(std::path::PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
