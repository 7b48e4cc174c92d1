// SPDX-License-Identifier: BSD-3-Clause
//! MPTCP listening sockets for the userspace path manager
//! (mptcpd-behaviour.md §8, mptcp-genl.md §4.3).
//!
//! A peer's MP_JOIN toward an address we announce only succeeds if an
//! MPTCP socket listens on that address and port in our namespace, and
//! the kernel opens none for the userspace PM. So before an `ANNOUNCE`
//! the daemon calls [`Listeners::listen`], and after the `REMOVE` of that
//! address on a connection [`Listeners::release`]. Several connections
//! may announce the same address:port: one socket serves them all,
//! reference counted. The sockets are never accepted from: the kernel
//! attaches joins to their connection by token.
//!
//! Port 0 asks for an ephemeral port; the listener is then stored under
//! the port the kernel chose, which the caller announces and later
//! passes back to `release`. So two `listen(addr:0)` give two listeners
//! on two ports, as in mptcpd.

use std::collections::HashMap;
use std::io;
use std::mem::{size_of, zeroed};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// `IPPROTO_MPTCP`.
pub const IPPROTO_MPTCP: libc::c_int = 262;

/// One listening socket and the number of announcements using it.
#[derive(Debug)]
struct Listener {
    /// Only held: dropping it closes the socket.
    _socket: OwnedFd,
    refs: u32,
}

/// Reference-counted MPTCP listeners, keyed by local address and port.
/// Dropping it closes every socket.
#[derive(Debug, Default)]
pub struct Listeners {
    map: HashMap<(IpAddr, u16), Listener>,
}

impl Listeners {
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes one reference on the listener for `addr`, opening it if
    /// there is none, and returns the address it is bound to (with the
    /// real port when `addr`'s port was 0).
    ///
    /// `EINVAL` for the unspecified, broadcast or a multicast address:
    /// a listener must belong to one local address. Socket errors are
    /// passed on, e.g. `EADDRINUSE` when an application already listens
    /// there (then its own listener may well cover the joins).
    pub fn listen(&mut self, addr: SocketAddr) -> io::Result<SocketAddr> {
        let ip = addr.ip().to_canonical();
        if ip.is_unspecified() || ip.is_multicast() || ip == IpAddr::V4(Ipv4Addr::BROADCAST) {
            return Err(io::Error::from_raw_os_error(libc::EINVAL));
        }
        if let Some(l) = self.map.get_mut(&(addr.ip(), addr.port())) {
            l.refs = l
                .refs
                .checked_add(1)
                .ok_or(io::Error::from_raw_os_error(libc::EOVERFLOW))?;
            return Ok(addr);
        }
        let (fd, port) = open_listener(&addr)?;
        let mut bound = addr;
        bound.set_port(port);
        log::debug!("opened MPTCP listener on {bound}");
        self.map.insert(
            (bound.ip(), port),
            Listener {
                _socket: fd,
                refs: 1,
            },
        );
        Ok(bound)
    }

    /// Drops one reference on the listener for `addr` (its real port);
    /// closes the socket when none is left and then returns true.
    /// `EINVAL` when there is no listener for `addr`.
    pub fn release(&mut self, addr: SocketAddr) -> io::Result<bool> {
        let key = (addr.ip(), addr.port());
        let Some(l) = self.map.get_mut(&key) else {
            return Err(io::Error::from_raw_os_error(libc::EINVAL));
        };
        l.refs -= 1;
        if l.refs > 0 {
            return Ok(false);
        }
        // Dropping the OwnedFd closes the socket.
        self.map.remove(&key);
        log::debug!("closed MPTCP listener on {addr}");
        Ok(true)
    }

    /// References held on the listener for `addr`; 0 when there is none.
    pub fn refs(&self, addr: SocketAddr) -> u32 {
        self.map
            .get(&(addr.ip(), addr.port()))
            .map_or(0, |l| l.refs)
    }

    /// The number of open listening sockets.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Closes every listener (shutdown), whatever its count.
    pub fn close_all(&mut self) {
        self.map.clear();
    }
}

/// `socket`, `SO_REUSEADDR`, `bind`, `listen(fd, 0)`, then the bound port
/// from `getsockname`.
fn open_listener(addr: &SocketAddr) -> io::Result<(OwnedFd, u16)> {
    let family = match addr {
        SocketAddr::V4(_) => libc::AF_INET,
        SocketAddr::V6(_) => libc::AF_INET6,
    };
    // Non-blocking and close-on-exec: nothing ever blocks on it, and a
    // child process must not keep the port open.
    let ty = libc::SOCK_STREAM | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK;
    // SAFETY: plain syscall; the result is checked before it is owned.
    let raw = unsafe { libc::socket(family, ty, IPPROTO_MPTCP) };
    if raw < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a fresh descriptor that nothing else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    // A port of ours whose connections linger in TIME_WAIT after a
    // restart stays usable. It does not let us share a port an
    // application listens on: that still fails with EADDRINUSE.
    let one: libc::c_int = 1;
    // SAFETY: a valid fd and a c_int option of the size given.
    check(unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_REUSEADDR,
            (&raw const one).cast(),
            size_of::<libc::c_int>() as libc::socklen_t,
        )
    })?;
    let (sa, len) = to_raw(addr);
    // SAFETY: `sa` holds a sockaddr of `len` bytes.
    check(unsafe { libc::bind(fd.as_raw_fd(), (&raw const sa).cast(), len) })?;
    // Backlog 0: joins never wait in the accept queue; only a plain
    // connection to this address:port would, and nobody accepts those.
    // SAFETY: a valid fd.
    check(unsafe { libc::listen(fd.as_raw_fd(), 0) })?;
    // SAFETY: zeroed sockaddr_storage is valid; getsockname writes at
    // most `len` bytes into it.
    let mut bound: libc::sockaddr_storage = unsafe { zeroed() };
    let mut len = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    check(unsafe { libc::getsockname(fd.as_raw_fd(), (&raw mut bound).cast(), &mut len) })?;
    let port = port_of(&bound).ok_or(io::Error::from_raw_os_error(libc::EAFNOSUPPORT))?;
    Ok((fd, port))
}

fn check(ret: libc::c_int) -> io::Result<()> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// `addr` as a `sockaddr_in`/`sockaddr_in6` in a `sockaddr_storage`,
/// with its length. Port and addresses in network order.
fn to_raw(addr: &SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: all-zero is a valid value of these C structs.
    let mut ss: libc::sockaddr_storage = unsafe { zeroed() };
    let len = match addr {
        SocketAddr::V4(a) => {
            let mut sin: libc::sockaddr_in = unsafe { zeroed() };
            sin.sin_family = libc::AF_INET as libc::sa_family_t;
            sin.sin_port = a.port().to_be();
            sin.sin_addr.s_addr = u32::from_ne_bytes(a.ip().octets());
            // SAFETY: sockaddr_storage is larger than and aligned for
            // every sockaddr type.
            unsafe { (&raw mut ss).cast::<libc::sockaddr_in>().write(sin) };
            size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(a) => {
            let mut sin6: libc::sockaddr_in6 = unsafe { zeroed() };
            sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
            sin6.sin6_port = a.port().to_be();
            sin6.sin6_flowinfo = a.flowinfo();
            sin6.sin6_addr.s6_addr = a.ip().octets();
            // Needed to bind a link-local address.
            sin6.sin6_scope_id = a.scope_id();
            // SAFETY: as above.
            unsafe { (&raw mut ss).cast::<libc::sockaddr_in6>().write(sin6) };
            size_of::<libc::sockaddr_in6>()
        }
    };
    (ss, len as libc::socklen_t)
}

/// The port (host order) of an AF_INET/AF_INET6 socket address.
fn port_of(ss: &libc::sockaddr_storage) -> Option<u16> {
    let ptr: *const libc::sockaddr_storage = ss;
    // SAFETY: the family says which struct the storage holds; both fit.
    match libc::c_int::from(ss.ss_family) {
        libc::AF_INET => Some(u16::from_be(unsafe {
            (*ptr.cast::<libc::sockaddr_in>()).sin_port
        })),
        libc::AF_INET6 => Some(u16::from_be(unsafe {
            (*ptr.cast::<libc::sockaddr_in6>()).sin6_port
        })),
        _ => None,
    }
}

#[cfg(test)]
#[path = "listeners_tests.rs"]
mod tests;
