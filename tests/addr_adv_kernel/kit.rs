// SPDX-License-Identifier: BSD-3-Clause
//! Helpers shared by the addr_adv kernel tests and the addr_adv bench:
//! address changes sent as rtnetlink requests from the test itself (so a
//! latency starts at a known instant, without `ip`'s process start-up),
//! and the endpoint table read through our codec.
//!
//! Used as `#[path]` module next to `mod common;` at the crate root.

#![allow(dead_code)]

use std::net::IpAddr;
use std::time::{Duration, Instant};

use mptcpd::flags::AddrFlags;
use mptcpd::nl::{self, NlError, NlSocket};
use mptcpd::pm::Endpoint;
use mptcpd::wire::nla;

use crate::common::Netns;
use crate::common::pm::PmClient;

const RTM_NEWADDR: u16 = 20;
const RTM_DELADDR: u16 = 21;
const NLM_F_EXCL: u16 = 0x200;
const NLM_F_CREATE: u16 = 0x400;
const IFA_ADDRESS: u16 = 1;
const IFA_LOCAL: u16 = 2;
const IFA_FLAGS: u16 = 8;
/// `IFA_F_NODAD`: usable at once, no tentative phase (see
/// `Netns::add_addr`).
const IFA_F_NODAD: u32 = 0x02;
const AF_INET: u8 = 2;
const AF_INET6: u8 = 10;

/// An rtnetlink request socket inside one namespace: adds and deletes
/// addresses the way `ip addr add/del` does, one `sendmsg` each. The
/// kernel has applied the change and queued its RTM_NEWADDR/DELADDR
/// notification before `sendmsg` returns (the ACK is already queued).
pub struct AddrOps {
    sock: NlSocket,
    buf: Vec<u8>,
}

impl AddrOps {
    pub fn open(ns: &Netns) -> AddrOps {
        let sock = ns.enter(|| NlSocket::open(nl::NETLINK_ROUTE).expect("rtnetlink socket"));
        AddrOps {
            sock,
            buf: Vec::new(),
        }
    }

    /// `ip addr add CIDR dev INDEX` (IPv6 with `nodad`).
    pub fn add(&mut self, index: u32, cidr: &str) -> Result<(), NlError> {
        self.change(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, index, cidr)
    }

    /// `ip addr del CIDR dev INDEX`.
    pub fn del(&mut self, index: u32, cidr: &str) -> Result<(), NlError> {
        self.change(RTM_DELADDR, 0, index, cidr)
    }

    fn change(&mut self, ty: u16, flags: u16, index: u32, cidr: &str) -> Result<(), NlError> {
        let (addr, prefix) = parse_cidr(cidr);
        let p = &mut self.buf;
        p.clear();
        // struct ifaddrmsg: family, prefixlen, flags, scope, index.
        let family = if addr.is_ipv4() { AF_INET } else { AF_INET6 };
        p.extend_from_slice(&[family, prefix, 0, 0]);
        p.extend_from_slice(&index.to_ne_bytes());
        match addr {
            IpAddr::V4(a) => {
                nla::put(p, IFA_LOCAL, &a.octets());
                nla::put(p, IFA_ADDRESS, &a.octets());
            }
            IpAddr::V6(a) => {
                nla::put(p, IFA_ADDRESS, &a.octets());
                nla::put_u32(p, IFA_FLAGS, IFA_F_NODAD);
            }
        }
        let payload = std::mem::take(&mut self.buf);
        let r = self.sock.request(ty, flags, &payload, &mut |_| Ok(()));
        self.buf = payload;
        r
    }
}

pub fn parse_cidr(cidr: &str) -> (IpAddr, u8) {
    let (a, p) = cidr.split_once('/').unwrap_or((cidr, ""));
    let addr: IpAddr = a.parse().unwrap_or_else(|_| panic!("bad address {cidr}"));
    let prefix = match p {
        "" if addr.is_ipv4() => 32,
        "" => 128,
        p => p.parse().unwrap_or_else(|_| panic!("bad prefix {cidr}")),
    };
    (addr, prefix)
}

pub fn ip(s: &str) -> IpAddr {
    parse_cidr(s).0
}

/// One endpoint as the tests compare them: the id is the daemon's choice
/// and left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ep {
    pub addr: IpAddr,
    pub ifindex: i32,
    /// `AddrFlags` bits (the type has no order).
    pub flags: u32,
}

pub fn ep(addr: &str, ifindex: u32, flags: AddrFlags) -> Ep {
    Ep {
        addr: ip(addr),
        ifindex: ifindex as i32,
        flags: flags.bits(),
    }
}

/// The endpoint table (GET_ADDR dump), sorted, without ids; port
/// endpoints included as if they had none (addr_adv never makes them).
pub fn endpoints(pm: &mut PmClient) -> Vec<Ep> {
    let mut v: Vec<Ep> = pm.dump(None).iter().map(to_ep).collect();
    v.sort();
    v
}

fn to_ep(e: &Endpoint) -> Ep {
    Ep {
        addr: e.addr,
        ifindex: e.ifindex,
        flags: e.flags.bits(),
    }
}

/// Waits until the endpoint table is exactly `want` (any order); panics
/// with both tables and `ctx` (e.g. the daemon's log) otherwise.
pub fn wait_endpoints(pm: &mut PmClient, want: &[Ep], timeout: Duration, ctx: &dyn Fn() -> String) {
    let mut want = want.to_vec();
    want.sort();
    let deadline = Instant::now() + timeout;
    loop {
        let got = endpoints(pm);
        if got == want {
            return;
        }
        if Instant::now() >= deadline {
            panic!(
                "endpoint table after {timeout:?}:\n  got  {got:?}\n  want {want:?}\n{}",
                ctx()
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Polls the endpoint table in a tight loop until `addr` is present
/// (`present`) or absent, and returns when that was first seen; None
/// after `timeout`. One dump takes a few microseconds: that is the
/// resolution.
///
/// The loop yields the CPU after every dump: the daemon is woken by our
/// own address request, so the scheduler tends to queue it on this CPU,
/// and a loop that never yields keeps it waiting for the next tick
/// (3.5–4 ms at HZ=250 without preemption; seen with `perf sched
/// timehist`).
pub fn poll_endpoint(
    pm: &mut PmClient,
    addr: IpAddr,
    present: bool,
    timeout: Duration,
) -> Option<(Instant, Option<Endpoint>)> {
    let deadline = Instant::now() + timeout;
    loop {
        let found = pm.dump(None).into_iter().find(|e| e.addr == addr);
        let now = Instant::now();
        if found.is_some() == present {
            return Some((now, found));
        }
        if now >= deadline {
            return None;
        }
        std::thread::yield_now();
    }
}
