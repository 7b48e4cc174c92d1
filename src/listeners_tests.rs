// SPDX-License-Identifier: BSD-3-Clause
//! Listener bookkeeping without privileges. The namespace tests with
//! events and `ss` are in tests/listeners_kernel.rs.

use std::net::{Ipv6Addr, SocketAddrV6};

use super::*;

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn errno(r: io::Result<impl std::fmt::Debug>) -> i32 {
    r.expect_err("expected an error").raw_os_error().unwrap()
}

#[test]
fn refuses_addresses_that_are_not_one_local_address() {
    let mut l = Listeners::new();
    for a in [
        "0.0.0.0:0",
        "0.0.0.0:7000",
        "[::]:7000",
        "[::ffff:0.0.0.0]:7000",
        "255.255.255.255:7000",
        "224.0.0.1:7000",
        "[ff02::1]:7000",
    ] {
        assert_eq!(errno(l.listen(sa(a))), libc::EINVAL, "{a}");
    }
    assert!(l.is_empty());
}

#[test]
fn release_of_an_unknown_listener_is_einval() {
    let mut l = Listeners::new();
    assert_eq!(errno(l.release(sa("192.0.2.1:7000"))), libc::EINVAL);
    assert_eq!(l.refs(sa("192.0.2.1:7000")), 0);
}

#[test]
fn raw_socket_addresses_are_network_order() {
    let (ss, len) = to_raw(&sa("192.0.2.7:258"));
    assert_eq!(len as usize, size_of::<libc::sockaddr_in>());
    let sin = unsafe { *(&raw const ss).cast::<libc::sockaddr_in>() };
    assert_eq!(sin.sin_family, libc::AF_INET as libc::sa_family_t);
    assert_eq!(sin.sin_port.to_ne_bytes(), [1, 2]);
    assert_eq!(sin.sin_addr.s_addr.to_ne_bytes(), [192, 0, 2, 7]);
    assert_eq!(port_of(&ss), Some(258));

    let v6 = SocketAddrV6::new(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1), 7000, 0, 5);
    let (ss, len) = to_raw(&SocketAddr::V6(v6));
    assert_eq!(len as usize, size_of::<libc::sockaddr_in6>());
    let sin6 = unsafe { *(&raw const ss).cast::<libc::sockaddr_in6>() };
    assert_eq!(sin6.sin6_family, libc::AF_INET6 as libc::sa_family_t);
    assert_eq!(sin6.sin6_addr.s6_addr, v6.ip().octets());
    assert_eq!(sin6.sin6_scope_id, 5);
    assert_eq!(port_of(&ss), Some(7000));

    let unspec: libc::sockaddr_storage = unsafe { zeroed() };
    assert_eq!(port_of(&unspec), None);
}

/// Whether a plain TCP socket can bind `addr` (no SO_REUSEADDR): false
/// while our listener holds it.
fn can_bind(addr: SocketAddr) -> bool {
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) };
    assert!(fd >= 0);
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    let (ss, len) = to_raw(&addr);
    unsafe { libc::bind(fd.as_raw_fd(), (&raw const ss).cast(), len) == 0 }
}

/// On the loopback address: needs no privileges, sends nothing.
#[test]
fn loopback_listener_is_shared_and_closed_at_zero() {
    let mut l = Listeners::new();
    let bound = match l.listen(sa("127.0.0.1:0")) {
        Ok(b) => b,
        Err(e)
            if matches!(
                e.raw_os_error(),
                Some(libc::EPROTONOSUPPORT | libc::ENOPROTOOPT)
            ) =>
        {
            eprintln!("skipping: no MPTCP sockets here ({e})");
            return;
        }
        Err(e) => panic!("listen: {e}"),
    };
    assert_eq!(bound.ip(), sa("127.0.0.1:0").ip());
    assert_ne!(bound.port(), 0, "ephemeral port read back");
    assert!(!can_bind(bound), "our listener holds the port");

    assert_eq!(l.listen(bound).unwrap(), bound);
    assert_eq!((l.len(), l.refs(bound)), (1, 2));
    assert!(!l.release(bound).unwrap());
    assert_eq!((l.len(), l.refs(bound)), (1, 1));
    assert!(!can_bind(bound), "still listening after one release");
    assert!(l.release(bound).unwrap());
    assert!(l.is_empty());
    assert!(can_bind(bound), "socket closed at zero");
    assert_eq!(errno(l.release(bound)), libc::EINVAL);

    // Port 0 is not a key: each such request opens its own listener.
    let a = l.listen(sa("127.0.0.1:0")).unwrap();
    let b = l.listen(sa("127.0.0.1:0")).unwrap();
    assert_ne!(a.port(), b.port());
    assert_eq!(l.len(), 2);
    l.close_all();
    assert!(l.is_empty());
    assert!(can_bind(a) && can_bind(b));
}
