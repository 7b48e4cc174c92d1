// SPDX-License-Identifier: BSD-3-Clause
//! The listener manager against the real kernel, each test in a fresh
//! network namespace: one shared socket per address:port, closed at the
//! last release, ephemeral ports, the kernel's LISTENER_CREATED /
//! LISTENER_CLOSED events, and errors from the socket calls.

mod common;

use std::net::{IpAddr, SocketAddr};
use std::os::fd::OwnedFd;
use std::time::Duration;

use common::mptcp::{bind_listen, mptcp_listeners, socket};
use common::{Netns, require_kernel, wait_until};
use mptcpd::listeners::{IPPROTO_MPTCP, Listeners};
use mptcpd::nl::{GenlFamily, NETLINK_GENERIC, NlSocket, resolve_family};
use mptcpd::wire::GenlHeader;
use mptcpd::wire::nla::NlaIter;

/// `mptcp_pm_events` commands and attributes used here (mptcp-genl.md
/// §2.3, §2.6).
const MPTCP_EVENT_LISTENER_CREATED: u8 = 15;
const MPTCP_EVENT_LISTENER_CLOSED: u8 = 16;
const MPTCP_ATTR_SADDR4: u16 = 5;
const MPTCP_ATTR_SADDR6: u16 = 6;
/// Network order in events.
const MPTCP_ATTR_SPORT: u16 = 9;

const WAIT: Duration = Duration::from_secs(5);

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// A namespace with 192.0.2.1/24 and 2001:db8::1/64 on a veth end.
fn netns(prefix: &str) -> Netns {
    let ns = Netns::new(prefix);
    ns.add_veth("v0", "v1");
    ns.add_addr("v0", "192.0.2.1/24");
    ns.add_addr("v0", "2001:db8::1/64");
    ns
}

/// How many MPTCP sockets listen on exactly `addr` in `ns`.
fn listening(ns: &Netns, addr: SocketAddr) -> usize {
    let addr = addr.to_string();
    mptcp_listeners(ns).iter().filter(|a| **a == addr).count()
}

/// An event socket joined to `mptcp_pm_events` inside `ns`.
struct PmEvents {
    sock: NlSocket,
    fam: GenlFamily,
    /// Every listener event received so far: (cmd, local address).
    seen: Vec<(u8, SocketAddr)>,
}

impl PmEvents {
    fn join(ns: &Netns) -> PmEvents {
        ns.enter(|| {
            let mut requests = NlSocket::open(NETLINK_GENERIC).expect("request socket");
            let fam = resolve_family(&mut requests, "mptcp_pm").expect("resolve mptcp_pm");
            let sock = NlSocket::open(NETLINK_GENERIC).expect("event socket");
            let group = fam.group("mptcp_pm_events").expect("mptcp_pm_events");
            sock.join_group(group).expect("join mptcp_pm_events");
            PmEvents {
                sock,
                fam,
                seen: Vec::new(),
            }
        })
    }

    /// Adds the listener events that have arrived to `seen`.
    fn drain(&mut self) {
        let got = &mut self.seen;
        let fam = &self.fam;
        self.sock
            .recv_messages(&mut |m| {
                if !fam.owns(&m) {
                    return;
                }
                let (hdr, attrs) = GenlHeader::split(m.payload).expect("genl header");
                let cmd = hdr.cmd;
                if cmd != MPTCP_EVENT_LISTENER_CREATED && cmd != MPTCP_EVENT_LISTENER_CLOSED {
                    return;
                }
                let (mut ip, mut port) = (None, None);
                for a in NlaIter::new(attrs) {
                    let a = a.expect("event attribute");
                    match a.kind {
                        MPTCP_ATTR_SADDR4 => {
                            ip = <[u8; 4]>::try_from(a.payload).ok().map(IpAddr::from)
                        }
                        MPTCP_ATTR_SADDR6 => {
                            ip = a.payload.first_chunk::<16>().map(|b| IpAddr::from(*b))
                        }
                        MPTCP_ATTR_SPORT => {
                            port = <[u8; 2]>::try_from(a.payload).ok().map(u16::from_be_bytes)
                        }
                        _ => {}
                    }
                }
                let (ip, port) = (ip.expect("saddr"), port.expect("sport"));
                got.push((cmd, SocketAddr::new(ip, port)));
            })
            .expect("recv_messages");
    }

    /// Waits for the event `(cmd, addr)`, failing the test after WAIT.
    fn expect(&mut self, cmd: u8, addr: SocketAddr) {
        let ok = wait_until(WAIT, || {
            self.drain();
            self.seen.contains(&(cmd, addr))
        });
        assert!(ok, "no event {cmd} for {addr}; saw {:?}", self.seen);
    }
}

#[test]
fn same_address_and_port_share_one_socket_until_the_last_release() {
    if !require_kernel() {
        return;
    }
    let ns = netns("lm-share");
    let mut ev = PmEvents::join(&ns);
    let mut lm = Listeners::new();
    let a = sa("192.0.2.1:7000");

    assert_eq!(ns.enter(|| lm.listen(a)).expect("first listen"), a);
    assert_eq!(ns.enter(|| lm.listen(a)).expect("second listen"), a);
    assert_eq!((lm.len(), lm.refs(a)), (1, 2));
    assert_eq!(listening(&ns, a), 1, "one socket for two references");
    ev.expect(MPTCP_EVENT_LISTENER_CREATED, a);

    assert!(!lm.release(a).unwrap(), "one reference left");
    assert_eq!(listening(&ns, a), 1, "still listening");
    // close(2) sends LISTENER_CLOSED synchronously: had the socket been
    // closed, the event would be queued by now.
    ev.drain();
    assert!(
        !ev.seen.contains(&(MPTCP_EVENT_LISTENER_CLOSED, a)),
        "closed too early: {:?}",
        ev.seen
    );

    assert!(lm.release(a).unwrap(), "last reference closes");
    assert!(lm.is_empty());
    assert_eq!(listening(&ns, a), 0, "socket gone");
    ev.expect(MPTCP_EVENT_LISTENER_CLOSED, a);
    assert_eq!(
        lm.release(a).unwrap_err().raw_os_error(),
        Some(libc::EINVAL)
    );
}

#[test]
fn port_zero_gets_an_ephemeral_port_v4_and_v6() {
    if !require_kernel() {
        return;
    }
    let ns = netns("lm-ephem");
    let mut ev = PmEvents::join(&ns);
    let mut lm = Listeners::new();
    let mut bound = Vec::new();
    for want in ["192.0.2.1:0", "[2001:db8::1]:0"] {
        let want = sa(want);
        let got = ns.enter(|| lm.listen(want)).expect("listen");
        assert_eq!(got.ip(), want.ip());
        assert_ne!(got.port(), 0, "{want}: port read back");
        assert_eq!(listening(&ns, got), 1, "{got} listening");
        ev.expect(MPTCP_EVENT_LISTENER_CREATED, got);
        // The real port is the key from now on.
        assert_eq!(ns.enter(|| lm.listen(got)).unwrap(), got);
        assert_eq!(lm.refs(got), 2);
        bound.push(got);
    }
    assert_eq!(lm.len(), 2);
    lm.close_all();
    for got in bound {
        assert_eq!(listening(&ns, got), 0, "{got} closed by close_all");
        ev.expect(MPTCP_EVENT_LISTENER_CLOSED, got);
    }
}

/// An application's listener inside `ns`: MPTCP or plain TCP.
fn app_listener(ns: &Netns, addr: SocketAddr, protocol: libc::c_int) -> OwnedFd {
    let fd = socket(ns, addr.ip(), protocol);
    bind_listen(&fd, addr, 1);
    fd
}

#[test]
fn socket_errors_are_returned() {
    if !require_kernel() {
        return;
    }
    let ns = netns("lm-errors");
    let mut lm = Listeners::new();
    let _mptcp_app = app_listener(&ns, sa("192.0.2.1:7001"), IPPROTO_MPTCP);
    // A wildcard listener covers our address too.
    let _tcp_app = app_listener(&ns, sa("0.0.0.0:7002"), 0);
    for a in ["192.0.2.1:7001", "192.0.2.1:7002"] {
        let err = ns.enter(|| lm.listen(sa(a))).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EADDRINUSE), "{a}: {err}");
    }
    // Not an address of this namespace.
    let err = ns.enter(|| lm.listen(sa("198.51.100.9:7003"))).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EADDRNOTAVAIL), "{err}");
    assert!(lm.is_empty(), "failed listens leave nothing behind");
    assert_eq!(listening(&ns, sa("192.0.2.1:7001")), 1, "the app's only");
}
