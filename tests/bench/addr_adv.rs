// SPDX-License-Identifier: BSD-3-Clause
//! Measurements of the addr_adv daemon (a program, not a timed test):
//!
//! - latency from an address change to the endpoint, over 50 tries: the
//!   clock starts just before our RTM_NEWADDR request is sent (the kernel
//!   has applied it and queued the notification when the ACK is back,
//!   i.e. when `ip addr add` would return) and stops at the first GET_ADDR
//!   dump that shows the endpoint; dumps run back to back (the kernel
//!   sends no endpoint notification), their mean duration is printed as
//!   the resolution;
//! - time from exec to membership of `mptcp_pm_events` (tight polling of
//!   /proc/<pid>/net/netlink) and to the "ready" log line;
//! - idle VmRSS, with a breakdown by mapping from /proc/<pid>/smaps;
//! - voluntary context switches over 10 idle seconds.
//!
//! `cargo build --release && cargo bench --bench addr_adv` as root. The
//! bench profile builds the daemon like `--release` (target/release).
//! `MPTCPD_BENCH_BIN=<path>` measures another build of the daemon (e.g.
//! a static musl one).

#[path = "../common/mod.rs"]
mod common;
#[path = "../addr_adv_kernel/kit.rs"]
mod kit;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::Netns;
use common::daemon::{Daemon, Launch};
use common::pm::PmClient;
use kit::{AddrOps, poll_endpoint};

const BUILT: &str = env!("CARGO_BIN_EXE_mptcpd");
const TRIES: usize = 50;
const WAIT: Duration = Duration::from_secs(5);
const IDLE: Duration = Duration::from_secs(10);
const STARTS: usize = 10;

/// The daemon `bin` exec'd straight into `ns` (no `ip netns exec`
/// process start-up is counted), without debug logging.
fn start(bin: &str, ns: &Netns, args: &[&str]) -> Daemon {
    Daemon::launch(ns, "[core]\n", args, Launch::Direct(bin))
}

/// A `/proc/<pid>/status` field the kernel always has.
fn status(d: &Daemon, key: &str) -> u64 {
    d.status_field(key)
        .unwrap_or_else(|| panic!("no {key} in /proc/{}/status", d.pid))
}

/// Whether a NETLINK_GENERIC socket with a group bit set exists in the
/// namespace of `pid` (in a fresh namespace: only the daemon's).
fn joined_event_group(pid: u32) -> bool {
    let Ok(t) = std::fs::read_to_string(format!("/proc/{pid}/net/netlink")) else {
        return false;
    };
    t.lines().skip(1).any(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        f.len() > 3 && f[1] == "16" && f[3].chars().any(|c| c != '0')
    })
}

/// The daemon is blocked in poll(2), i.e. done with what it was given
/// (a DEL_ADDR keeps it in the kernel for 10–20 ms after the endpoint has
/// left the table).
fn idle(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/wchan")).is_ok_and(|w| w.contains("poll"))
}

/// Process start-up alone: exec of `BIN --version` until it has exited.
fn startup_floor(bin: &str) -> Duration {
    let mut v: Vec<Duration> = (0..11)
        .map(|_| {
            let t = Instant::now();
            let st = Command::new(bin)
                .arg("--version")
                .stdout(Stdio::null())
                .status()
                .unwrap();
            assert!(st.success());
            t.elapsed()
        })
        .collect();
    median_worst(&mut v).0
}

/// Time from exec to the first sight of the event-group membership, and
/// to the "ready" line. The observer yields between reads: a loop that
/// never does can hold the daemon off this CPU until the next tick.
fn startup(run: &mut Daemon) -> (Duration, Duration) {
    let deadline = Instant::now() + WAIT;
    while !joined_event_group(run.pid) {
        assert!(Instant::now() < deadline, "daemon never joined the group");
        std::thread::yield_now();
    }
    let joined = run.started.elapsed();
    let ready = run
        .ready_at(WAIT)
        .expect("no ready line")
        .saturating_duration_since(run.started);
    (joined, ready)
}

fn median_worst(v: &mut [Duration]) -> (Duration, Duration) {
    v.sort();
    (v[v.len() / 2], v[v.len() - 1])
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

/// Rss by mapping (file name, [heap], [stack], or anonymous), largest
/// first.
fn rss_breakdown(pid: u32) -> Vec<(u64, String)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/smaps")).unwrap_or_default();
    let mut by: Vec<(u64, String)> = Vec::new();
    let mut name = String::new();
    for l in s.lines() {
        let f: Vec<&str> = l.split_whitespace().collect();
        if f.first()
            .is_some_and(|h| h.contains('-') && !h.ends_with(':'))
        {
            name = f.get(5).map_or("[anon]".to_owned(), |n| n.to_string());
        } else if f.first() == Some(&"Rss:") {
            let kb: u64 = f[1].parse().unwrap_or(0);
            match by.iter_mut().find(|(_, n)| *n == name) {
                Some(e) => e.0 += kb,
                None => by.push((kb, name.clone())),
            }
        }
    }
    by.retain(|e| e.0 > 0);
    by.sort_by(|a, b| b.cmp(a));
    by
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is accepted.
    if unsafe { libc::geteuid() } != 0 || !std::path::Path::new("/proc/sys/net/mptcp").exists() {
        eprintln!("addr_adv bench: needs root and a kernel with MPTCP; skipped");
        return;
    }
    let bin = std::env::var("MPTCPD_BENCH_BIN").unwrap_or_else(|_| BUILT.to_owned());
    println!("daemon binary: {bin}");
    let floor = startup_floor(&bin);
    let ns = Netns::new("aab");
    ns.add_veth("b0", "b1");
    let b0 = ns.ifindex("b0");

    // Start-up, STARTS times: exec → event group joined, exec → ready.
    let args = ["--path-manager=addr_adv", "--addr-flags=subflow"];
    let mut joins = Vec::new();
    let mut readies = Vec::new();
    for _ in 0..STARTS {
        let mut run = start(&bin, &ns, &args);
        let (joined, ready) = startup(&mut run);
        joins.push(joined);
        readies.push(ready);
        run.stop();
    }
    let (join_med, join_worst) = median_worst(&mut joins);
    let (ready_med, ready_worst) = median_worst(&mut readies);

    let mut run = start(&bin, &ns, &args);
    startup(&mut run);
    let pid = run.pid;

    // Idle: RSS right after start, context switches over IDLE.
    std::thread::sleep(Duration::from_millis(200));
    let rss_start = status(&run, "VmRSS");
    let anon_start = status(&run, "RssAnon");
    let file_start = status(&run, "RssFile");
    let breakdown = rss_breakdown(pid);
    let vol0 = status(&run, "voluntary_ctxt_switches");
    let invol0 = status(&run, "nonvoluntary_ctxt_switches");
    std::thread::sleep(IDLE);
    let vol = status(&run, "voluntary_ctxt_switches") - vol0;
    let invol = status(&run, "nonvoluntary_ctxt_switches") - invol0;

    // Latency: 50 adds (IPv4 and IPv6 in turn), each followed by a delete.
    let mut pm = PmClient::open(&ns);
    let mut rt = AddrOps::open(&ns);
    let t = Instant::now();
    let dumps = 200;
    for _ in 0..dumps {
        pm.dump(None);
    }
    let resolution = t.elapsed() / dumps;
    let mut add = Vec::new();
    let mut by_family = [Vec::new(), Vec::new()];
    let mut ack = Vec::new();
    let mut del = Vec::new();
    for i in 0..TRIES {
        let cidr = if i % 2 == 0 {
            "198.51.100.1/24"
        } else {
            "2001:db8:1::1/64"
        };
        let addr = kit::ip(cidr);
        let deadline = Instant::now() + WAIT;
        while !idle(pid) {
            assert!(Instant::now() < deadline, "daemon never idle");
            std::thread::sleep(Duration::from_micros(200));
        }
        let t0 = Instant::now();
        rt.add(b0, cidr).unwrap();
        ack.push(t0.elapsed());
        let (seen, _) = poll_endpoint(&mut pm, addr, true, WAIT).expect("no endpoint");
        add.push(seen - t0);
        by_family[i % 2].push(seen - t0);
        let t1 = Instant::now();
        rt.del(b0, cidr).unwrap();
        let (gone, _) = poll_endpoint(&mut pm, addr, false, WAIT).expect("endpoint stays");
        del.push(gone - t1);
    }
    let rss_after = status(&run, "VmRSS");
    run.stop();

    let (add_med, add_worst) = median_worst(&mut add);
    let (ack_med, _) = median_worst(&mut ack);
    let (del_med, del_worst) = median_worst(&mut del);
    println!();
    println!("| measurement | value | target |");
    println!("| --- | --- | --- |");
    println!(
        "| address → endpoint, median of {TRIES} | {} | ≤ 0.3 ms (C mptcpd 0.66 ms) |",
        ms(add_med)
    );
    println!(
        "| address → endpoint, 90th percentile / worst | {} / {} | |",
        ms(add[add.len() * 9 / 10]),
        ms(add_worst)
    );
    for (fam, v) in ["IPv4", "IPv6"].iter().zip(&mut by_family) {
        let (m, w) = median_worst(v);
        println!("| ({fam}: median / worst) | {} / {} | |", ms(m), ms(w));
    }
    println!(
        "| (RTM_NEWADDR request → ACK, median) | {} | |",
        ms(ack_med)
    );
    println!(
        "| (poll resolution: one GET_ADDR dump) | {} | |",
        ms(resolution)
    );
    println!(
        "| address deleted → endpoint gone, median / worst | {} / {} | |",
        ms(del_med),
        ms(del_worst)
    );
    println!(
        "| exec → joined mptcp_pm_events, median / worst of {STARTS} | {} / {} | ≤ 10 ms |",
        ms(join_med),
        ms(join_worst)
    );
    println!(
        "| exec → \"ready\" line, median / worst | {} / {} | |",
        ms(ready_med),
        ms(ready_worst)
    );
    println!(
        "| (process start-up floor: exec → exit of `mptcpd --version`, median) | {} | |",
        ms(floor)
    );
    println!(
        "| idle VmRSS after start | {rss_start} KiB (RssAnon {anon_start}, RssFile {file_start}) \
         | ≤ 512 KiB |"
    );
    println!("| VmRSS after the {TRIES} tries | {rss_after} KiB | |");
    println!(
        "| context switches in {} s idle | {vol} voluntary, {invol} involuntary | 0 |",
        IDLE.as_secs()
    );
    println!();
    println!("VmRSS after start by mapping (KiB):");
    for (kb, name) in breakdown {
        println!("  {kb:6}  {name}");
    }
}
