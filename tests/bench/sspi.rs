// SPDX-License-Identifier: BSD-3-Clause
//! Benchmark: how fast a new MPTCP connection gets its second subflow
//! with sspi (the daemon on the userspace PM) compared with the in-kernel
//! path manager doing the same job (a `subflow` endpoint), in one run.
//!
//! Run as root: `cargo bench --bench sspi -- [--n 100,1000,5000]
//! [--paced 200] [--repeat 3]`.
//!
//! Per N and per path manager, in fresh namespaces: a client and a server
//! joined by two veth links; N MPTCP connections opened as fast as the
//! client can (non-blocking connects, then one byte each: a client's
//! ESTABLISHED needs a data exchange), in waves of at most [`WAVE`] open
//! at once, each wave closed before the next (sspi tracks 4096
//! connections by default). An event listener of our own in the client
//! namespace (our `nl` + `wire`) stamps each connection's ESTABLISHED and
//! its first SUB_ESTABLISHED; the latency is the difference. Reported:
//! connections served (got their subflow), median, p99 and max latency,
//! and for sspi the daemon's CPU time (utime + stime from
//! /proc/PID/stat) and peak RSS (VmHWM) over the run. The daemon runs
//! without `-d`, as in production.
//!
//! A burst measures mostly queueing (every connection becomes
//! established within a few milliseconds). The "paced" rows (`--paced
//! N`, default 200, 0 = none) open one connection at a time, each after
//! the previous one got its subflow: the bare latency of each path
//! manager.

#[path = "../common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::daemon::{Daemon, Launch};
use common::mptcp::{Paths, Server, connect_many, listen, raise_nofile};
use common::{Netns, wait_until};
use mptcpd::nl::{NETLINK_GENERIC, NlSocket, RecvError, resolve_family};
use mptcpd::pm::PmEvent;
use mptcpd::wire;

const ARGS: &[&str] = &[
    "--path-manager=sspi",
    "--notify-flags=existing,skip_link_local,skip_loopback",
];
/// Connections open at once, at most.
const WAVE: usize = 1000;
const PORT: u16 = 7000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Pm {
    Kernel,
    Sspi,
}

#[derive(Default)]
struct Counts {
    established: AtomicUsize,
    sub: AtomicUsize,
    closed: AtomicUsize,
    overruns: AtomicUsize,
}

#[derive(Default, Clone, Copy)]
struct Rec {
    est: Option<Instant>,
    sub: Option<Instant>,
}

/// The client namespace's MPTCP events, stamped on a thread.
struct Recorder {
    stop: Arc<AtomicBool>,
    counts: Arc<Counts>,
    thread: Option<JoinHandle<Vec<Rec>>>,
}

impl Recorder {
    fn start(ns: &Netns) -> Recorder {
        let (mut sock, family) = ns.enter(|| {
            let mut s = NlSocket::open(NETLINK_GENERIC).expect("genl socket");
            let f = resolve_family(&mut s, wire::MPTCP_PM_NAME).expect("mptcp_pm");
            (s, f)
        });
        let group = family
            .group(wire::MPTCP_PM_EV_GRP_NAME)
            .expect("events group");
        sock.set_rcvbuf(16 << 20).expect("rcvbuf");
        sock.set_nonblocking(true).unwrap();
        sock.join_group(group).expect("join events");
        let stop = Arc::new(AtomicBool::new(false));
        let counts = Arc::new(Counts::default());
        let (st, c) = (stop.clone(), counts.clone());
        let thread = std::thread::spawn(move || {
            let mut live: HashMap<u32, Rec> = HashMap::new();
            let mut done = Vec::new();
            while !st.load(Ordering::Relaxed) {
                let mut pfd = libc::pollfd {
                    fd: sock.fd(),
                    events: libc::POLLIN,
                    revents: 0,
                };
                // SAFETY: one valid pollfd.
                unsafe { libc::poll(&mut pfd, 1, 20) };
                let r = sock.recv_messages(&mut |m| {
                    let now = Instant::now();
                    if !family.owns(&m) {
                        return;
                    }
                    match wire::decode_event(m.payload) {
                        Ok(Some(PmEvent::Established(ci))) if !ci.server_side => {
                            live.entry(ci.token).or_default().est = Some(now);
                            c.established.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(Some(PmEvent::SubEstablished(sf))) => {
                            let r = live.entry(sf.token).or_default();
                            if r.sub.is_none() {
                                r.sub = Some(now);
                                c.sub.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        Ok(Some(PmEvent::Closed { token })) => {
                            if let Some(r) = live.remove(&token) {
                                done.push(r);
                            }
                            c.closed.fetch_add(1, Ordering::Relaxed);
                        }
                        _ => {}
                    }
                });
                if let Err(RecvError::Overrun) = r {
                    c.overruns.fetch_add(1, Ordering::Relaxed);
                }
            }
            done.extend(live.into_values());
            done
        });
        Recorder {
            stop,
            counts,
            thread: Some(thread),
        }
    }

    fn finish(mut self) -> Vec<Rec> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.take().unwrap().join().expect("recorder")
    }
}

struct Outcome {
    n: usize,
    served: usize,
    lat: Vec<Duration>,
    cpu_ms: Option<u64>,
    hwm_kb: Option<u64>,
    overruns: usize,
}

/// How the connections are opened.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Load {
    /// As fast as the client can, in waves.
    Burst,
    /// One at a time, each after the previous one got its subflow: the
    /// path's own latency without queueing.
    Paced,
}

fn run(pm: Pm, load: Load, n: usize, net: u8) -> Outcome {
    let tag = if pm == Pm::Kernel { "bk" } else { "bs" };
    let p = Paths::new(tag, net, 2);
    p.srv.ip("mptcp limits set subflows 8 add_addr_accepted 8");
    match pm {
        Pm::Kernel => {
            p.cli.ip("mptcp limits set subflows 8 add_addr_accepted 8");
            p.cli.ip(&format!(
                "mptcp endpoint add {} dev c1 subflow",
                p.cli_ip(1)
            ));
        }
        Pm::Sspi => p.cli.sysctl("net.mptcp.pm_type", "1"),
    }
    let rec = Recorder::start(&p.cli);
    // Without `-d`, as in production.
    let daemon = (pm == Pm::Sspi).then(|| Daemon::launch_ready(&p.cli, "", ARGS, Launch::Quiet));
    let cpu0 = daemon.as_ref().map(Daemon::cpu_ms);
    let srv = Server::start(listen(&p.srv, SocketAddr::new(p.srv_ip(0), PORT), 4096));
    let to = SocketAddr::new(p.srv_ip(0), PORT);
    let c = rec.counts.clone();
    let mut opened = 0;
    while opened < n {
        if load == Load::Paced {
            let conn = connect_many(&p.cli, to, 1, Duration::from_secs(5));
            opened += 1;
            let deadline = Instant::now() + Duration::from_secs(2);
            while c.sub.load(Ordering::Relaxed) < opened && Instant::now() < deadline {
                std::thread::sleep(Duration::from_micros(200));
            }
            drop(conn);
            continue;
        }
        let w = WAVE.min(n - opened);
        let conns = connect_many(&p.cli, to, w, Duration::from_secs(60));
        opened += w;
        wait_until(Duration::from_secs(30), || {
            c.established.load(Ordering::Relaxed) >= opened
                && c.sub.load(Ordering::Relaxed) >= opened
        });
        drop(conns);
        srv.close_all();
        wait_until(Duration::from_secs(30), || {
            c.closed.load(Ordering::Relaxed) >= opened
        });
    }
    srv.close_all();
    wait_until(Duration::from_secs(30), || {
        c.closed.load(Ordering::Relaxed) >= opened
    });
    let cpu_ms = daemon.as_ref().zip(cpu0).map(|(d, c0)| d.cpu_ms() - c0);
    let hwm_kb = daemon
        .as_ref()
        .map(|d| d.status_field("VmHWM").unwrap_or(0));
    if let Some(mut d) = daemon {
        d.stop();
    }
    let overruns = c.overruns.load(Ordering::Relaxed);
    let recs = rec.finish();
    let mut lat: Vec<Duration> = recs
        .iter()
        .filter_map(|r| Some(r.sub?.saturating_duration_since(r.est?)))
        .collect();
    lat.sort();
    Outcome {
        n,
        served: recs.iter().filter(|r| r.sub.is_some()).count(),
        lat,
        cpu_ms,
        hwm_kb,
        overruns,
    }
}

/// Runs a case `repeat` times, alternating the path managers so that
/// both see the same machine conditions; latencies are pooled, CPU time
/// is the mean per run, VmHWM the highest.
fn measure(load: Load, n: usize, repeat: usize, net: &mut u8) -> (Outcome, Outcome) {
    let mut acc: [Option<Outcome>; 2] = [None, None];
    for _ in 0..repeat {
        for (slot, pm) in [Pm::Kernel, Pm::Sspi].into_iter().enumerate() {
            let o = run(pm, load, n, *net);
            *net = net.wrapping_add(1).max(70);
            acc[slot] = Some(match acc[slot].take() {
                None => o,
                Some(mut a) => {
                    a.n += o.n;
                    a.served += o.served;
                    a.lat.extend(o.lat);
                    a.cpu_ms = a.cpu_ms.zip(o.cpu_ms).map(|(x, y)| x + y);
                    a.hwm_kb = a.hwm_kb.max(o.hwm_kb);
                    a.overruns += o.overruns;
                    a
                }
            });
        }
    }
    let [k, s] = acc.map(|o| {
        let mut o = o.expect("repeat >= 1");
        o.lat.sort();
        o.cpu_ms = o.cpu_ms.map(|c| c / repeat as u64);
        o
    });
    (k, s)
}

fn pct(v: &[Duration], p: f64) -> Duration {
    if v.is_empty() {
        return Duration::ZERO;
    }
    v[((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1]
}

fn us(d: Duration) -> String {
    format!("{} µs", d.as_micros())
}

fn row(name: &str, o: &Outcome) {
    println!(
        "{:>6}  {:<16} {:>11} {:>10} {:>10} {:>10} {:>11} {:>10}{}",
        o.n,
        name,
        format!("{}/{}", o.served, o.n),
        us(pct(&o.lat, 0.5)),
        us(pct(&o.lat, 0.99)),
        us(o.lat.last().copied().unwrap_or_default()),
        o.cpu_ms.map_or("-".into(), |c| format!("{c} ms")),
        o.hwm_kb.map_or("-".into(), |k| format!("{k} kB")),
        if o.overruns > 0 {
            format!("  ({} event overruns)", o.overruns)
        } else {
            String::new()
        },
    );
}

fn main() {
    let mut sizes = vec![100, 1000, 5000];
    let mut paced = 200;
    let mut repeat = 3;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--repeat" {
            repeat = args
                .next()
                .and_then(|v| v.parse().ok())
                .unwrap_or(repeat)
                .max(1);
            continue;
        }
        if a == "--paced" {
            paced = args.next().and_then(|v| v.parse().ok()).unwrap_or(paced);
            continue;
        }
        let list = match a.strip_prefix("--n=") {
            Some(v) => Some(v.to_owned()),
            None if a == "--n" => args.next(),
            // `cargo bench` adds `--bench`; anything else is ignored too.
            None => None,
        };
        if let Some(l) = list {
            sizes = l.split(',').filter_map(|x| x.trim().parse().ok()).collect();
        }
    }
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 || !std::path::Path::new("/proc/sys/net/mptcp").exists() {
        println!("sspi bench: needs root and a kernel with MPTCP; skipped");
        return;
    }
    raise_nofile(65536);
    println!(
        "ESTABLISHED -> SUB_ESTABLISHED of the extra subflow (client side, 2 veth links, \
         waves of {WAVE}, {repeat} runs pooled; N and served are totals, CPU per run)"
    );
    println!(
        "{:>6}  {:<16} {:>11} {:>10} {:>10} {:>10} {:>11} {:>10}",
        "N", "PM", "served", "median", "p99", "max", "daemon CPU", "VmHWM"
    );
    let mut net = 70;
    let cases = sizes
        .iter()
        .map(|&n| (Load::Burst, n))
        .chain((paced > 0).then_some((Load::Paced, paced)));
    for (load, n) in cases {
        let kind = if load == Load::Burst {
            "burst"
        } else {
            "paced"
        };
        let (k, s) = measure(load, n, repeat, &mut net);
        row(&format!("in-kernel {kind}"), &k);
        row(&format!("sspi {kind}"), &s);
        let (km, sm) = (pct(&k.lat, 0.5), pct(&s.lat, 0.5));
        if !km.is_zero() {
            println!(
                "{:>6}  sspi median / in-kernel median = {:.2}",
                "",
                sm.as_secs_f64() / km.as_secs_f64()
            );
        }
    }
}
