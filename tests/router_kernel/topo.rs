// SPDX-License-Identifier: BSD-3-Clause
//! A small router: the client namespace of [`Paths`] (`cli`, where the
//! daemon runs) with two WAN links and a LAN link to the server namespace
//! (`srv`, the far side: upstream servers and a LAN host). Both WANs carry
//! a default route, WAN1 preferred, so a connection from `cli` starts on
//! WAN1 and the in-kernel PM adds subflows on the other endpoints'
//! devices.
//!
//! Net `N` (one per test, so a mistake cannot cross tests):
//! `veth-wan1` 10.N.1.2/24 – `s-wan1` 10.N.1.1,
//! `veth-wan2` 10.N.2.2/24 – `s-wan2` 10.N.2.1,
//! `veth-lan`  10.N.3.2/24 – `s-lan`  10.N.3.1.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::ops::Deref;
use std::time::Duration;

use mptcpd::flags::AddrFlags;
use mptcpd::pm::Endpoint;

use crate::common::daemon::{BIN, Daemon};
use crate::common::mptcp::Paths;
use crate::common::pm::PmClient;
use crate::common::{Netns, wait_until};

pub const WAN1: &str = "veth-wan1";
pub const WAN2: &str = "veth-wan2";
pub const LAN: &str = "veth-lan";

pub struct Router(Paths);

impl Deref for Router {
    type Target = Paths;

    fn deref(&self) -> &Paths {
        &self.0
    }
}

impl Router {
    pub fn new(tag: &str, net: u8) -> Router {
        let router = Router(Paths::new(tag, net, 0));
        router.link(WAN1, "s-wan1", 1);
        router.link(WAN2, "s-wan2", 2);
        router.link(LAN, "s-lan", 3);
        router.cli.ip(&format!(
            "route add default via 10.{net}.1.1 dev {WAN1} metric 10"
        ));
        router.cli.ip(&format!(
            "route add default via 10.{net}.2.1 dev {WAN2} metric 20"
        ));
        router
    }

    /// The router-side address on 10.N.`subnet`.0/24.
    pub fn addr(&self, subnet: u8) -> IpAddr {
        self.cli_ip(usize::from(subnet) - 1)
    }

    pub fn ifindex(&self, dev: &str) -> i32 {
        self.cli.ifindex(dev) as i32
    }
}

/// The `[core]` group every test starts from: addresses present at start
/// count (`existing`), allow-list mode, and a global flag set no rule
/// uses, so an endpoint made with the global flags would stand out.
pub const CORE: &str = "[core]\n\
    addr-flags=signal\n\
    notify-flags=existing,skip_link_local,skip_loopback\n\
    unlisted-interfaces=ignore\n";

/// The router's rules: WAN1 plain, WAN2 backup, LAN excluded.
pub fn router_conf(wan2_flags: &str) -> String {
    format!(
        "{CORE}\n[interface {WAN1}]\naddr-flags=subflow\n\n\
         [interface {WAN2}]\naddr-flags={wan2_flags}\n\n\
         [interface {LAN}]\nexclude=yes\n"
    )
}

/// An endpoint without its id (the daemon picks ids): address, flags,
/// device.
pub type Want = (IpAddr, AddrFlags, i32);

pub fn want(ep: &Endpoint) -> Want {
    (ep.addr, ep.flags, ep.ifindex)
}

/// The kernel's endpoint table, by id.
pub fn dump(pm: &mut PmClient) -> Vec<Endpoint> {
    let mut v = pm.dump(None);
    v.sort_by_key(|e| e.id);
    v
}

/// Waits until the kernel's endpoints are exactly `expected` (ids aside)
/// and returns the table; panics with the table and the daemon's log.
pub fn wait_endpoints(pm: &mut PmClient, d: &Daemon, expected: &[Want]) -> Vec<Endpoint> {
    let expected: BTreeSet<String> = expected.iter().map(|w| format!("{w:?}")).collect();
    let mut last = Vec::new();
    let ok = wait_until(Duration::from_secs(5), || {
        last = dump(pm);
        let got: BTreeSet<String> = last.iter().map(|e| format!("{:?}", want(e))).collect();
        got == expected && last.len() == expected.len()
    });
    assert!(
        ok,
        "endpoints never became {expected:#?}\nkernel has {last:#?}\ndaemon log:\n{}",
        d.log()
    );
    last
}

/// `mptcpd ARGS` in `ns` (the status client): exit code, stdout, stderr.
pub fn mptcpd_cli(ns: &Netns, args: &[&str]) -> (Option<i32>, String, String) {
    let mut argv = vec![BIN];
    argv.extend_from_slice(args);
    let out = ns.exec(&argv);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A status report, which also makes sure the daemon's loop has handled
/// everything queued before the request (one poll(2) loop serves both).
pub fn status(ns: &Netns, format: &str) -> String {
    let (code, out, err) = mptcpd_cli(ns, &[&format!("--status={format}")]);
    assert_eq!(code, Some(0), "mptcpd --status={format}: {err}");
    out
}
