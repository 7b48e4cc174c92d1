// SPDX-License-Identifier: BSD-3-Clause
//! Two namespaces joined by veth pairs, and MPTCP sockets between them:
//! made with libc inside a namespace, then handed to the std types (an
//! MPTCP socket is a stream socket to them).

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use crate::WAIT;
use crate::common::{Netns, veth_between, wait_until};

/// `IPPROTO_MPTCP`.
const IPPROTO_MPTCP: libc::c_int = 262;

/// `a` as the kernel's socket address, with its length.
fn sockaddr(a: SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: all-zero is a valid sockaddr_storage (and sockaddr_in6).
    let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let len = match a {
        SocketAddr::V4(a) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: a.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(a.ip().octets()),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_storage is larger than and aligned for
            // every sockaddr type.
            unsafe { std::ptr::write((&raw mut ss).cast(), sin) };
            std::mem::size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(a) => {
            // SAFETY: as above.
            let mut sin6: libc::sockaddr_in6 = unsafe { std::mem::zeroed() };
            sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
            sin6.sin6_port = a.port().to_be();
            sin6.sin6_addr.s6_addr = a.ip().octets();
            // SAFETY: as for sockaddr_in.
            unsafe { std::ptr::write((&raw mut ss).cast(), sin6) };
            std::mem::size_of::<libc::sockaddr_in6>()
        }
    };
    (ss, len as libc::socklen_t)
}

/// A non-blocking MPTCP stream socket in `ns`.
fn mptcp_socket(ns: &Netns, family: IpAddr) -> OwnedFd {
    let af = if family.is_ipv4() {
        libc::AF_INET
    } else {
        libc::AF_INET6
    };
    ns.enter(|| {
        let ty = libc::SOCK_STREAM | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK;
        // SAFETY: plain socket(2).
        let fd = unsafe { libc::socket(af, ty, IPPROTO_MPTCP) };
        assert!(fd >= 0, "MPTCP socket: {}", std::io::Error::last_os_error());
        // SAFETY: a fresh fd that nothing else owns.
        unsafe { OwnedFd::from_raw_fd(fd) }
    })
}

/// An MPTCP listener in `ns` on `addr` (port 0: the kernel picks one;
/// read it with `local_addr`). Non-blocking.
pub fn mptcp_listen(ns: &Netns, addr: SocketAddr) -> TcpListener {
    let fd = mptcp_socket(ns, addr.ip());
    let (ss, len) = sockaddr(addr);
    // SAFETY: ss holds a sockaddr of length len.
    unsafe {
        assert_eq!(
            libc::bind(fd.as_raw_fd(), (&raw const ss).cast(), len),
            0,
            "bind {addr}: {}",
            std::io::Error::last_os_error()
        );
        assert_eq!(libc::listen(fd.as_raw_fd(), 8), 0, "listen");
    }
    TcpListener::from(fd)
}

/// Connects an MPTCP socket from `ns` to `to`, bounded by [`WAIT`], and
/// returns it blocking with read timeouts.
pub fn mptcp_connect(ns: &Netns, to: SocketAddr) -> TcpStream {
    let fd = mptcp_socket(ns, to.ip());
    let (ss, len) = sockaddr(to);
    // SAFETY: ss holds a sockaddr of length len.
    let r = unsafe { libc::connect(fd.as_raw_fd(), (&raw const ss).cast(), len) };
    let e = std::io::Error::last_os_error();
    assert!(
        r == 0 || e.raw_os_error() == Some(libc::EINPROGRESS),
        "connect {to}: {e}"
    );
    let mut pfd = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLOUT,
        revents: 0,
    };
    // SAFETY: one valid pollfd.
    let n = unsafe { libc::poll(&mut pfd, 1, WAIT.as_millis() as libc::c_int) };
    assert_eq!(n, 1, "connect {to}: no answer within {WAIT:?}");
    let s = TcpStream::from(fd);
    if let Some(e) = s.take_error().unwrap() {
        panic!("connect {to}: {e}");
    }
    s.set_nonblocking(false).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s
}

pub fn accept(l: &TcpListener) -> TcpStream {
    let mut got = None;
    let ok = wait_until(WAIT, || match l.accept() {
        Ok((s, _)) => {
            got = Some(s);
            true
        }
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => false,
        Err(e) => panic!("accept: {e}"),
    });
    assert!(ok, "no connection to accept within {WAIT:?}");
    let s = got.unwrap();
    s.set_nonblocking(false).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s
}

/// One round trip of data: the client's ESTABLISHED comes only after it.
pub fn ping_pong(client: &mut TcpStream, server: &mut TcpStream) {
    let mut buf = [0u8; 4];
    client.write_all(b"ping").unwrap();
    server.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"ping");
    server.write_all(b"pong").unwrap();
    client.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"pong");
}

/// A server and a client namespace joined by two veth pairs:
/// `10.N.1.0/24` (c0–s0) and `10.N.2.0/24` (c1–s1), client .2, server .1.
pub struct TwoPaths {
    pub srv: Netns,
    pub cli: Netns,
}

impl TwoPaths {
    pub fn new(tag: &str, net: u8) -> TwoPaths {
        let srv = Netns::new(&format!("{tag}-s"));
        let cli = Netns::new(&format!("{tag}-c"));
        for path in 0..2 {
            let (c, s) = (format!("c{path}"), format!("s{path}"));
            veth_between(&cli, &c, &srv, &s);
            cli.add_addr(&c, &format!("10.{net}.{}.2/24", path + 1));
            srv.add_addr(&s, &format!("10.{net}.{}.1/24", path + 1));
        }
        TwoPaths { srv, cli }
    }
}

/// An IPv6 address usable the moment `ip` returns. Even with
/// `accept_dad=0` the kernel creates it TENTATIVE and clears that from a
/// work item, so a bind right after `ip addr add` can fail with
/// EADDRNOTAVAIL; `nodad` creates it without the flag.
pub fn add_addr_v6(ns: &Netns, dev: &str, cidr: &str) {
    ns.ip(&format!("addr add {cidr} dev {dev} nodad"));
}
