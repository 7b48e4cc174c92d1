// SPDX-License-Identifier: BSD-3-Clause
//! [`NlSocket`]: our owned netlink socket, and the event receive path.

use std::fmt;
use std::io;
use std::mem::{self, MaybeUninit};
use std::os::fd::{AsRawFd, RawFd};
use std::time::Duration;

use netlink_sys::{Socket, SocketAddr};

use super::msg::{Messages, Msg};
use super::{NLMSG_NOOP, NLMSG_OVERRUN};

/// Receive buffer of every socket. Dump replies pack many messages per
/// datagram: the kernel sizes a dump part after our largest recv buffer,
/// capped at 32 KiB, and a single message (a link with many attributes)
/// may need more; 64 KiB covers both. Events are one message each, so an
/// event socket uses the same buffer one datagram at a time.
const RX_BUF_LEN: usize = 64 * 1024;

/// A suggested `SO_RCVBUF` for event sockets. The kernel charges each
/// queued event at its skb truesize (≈1 KiB for a small message), so this
/// holds on the order of a thousand events while the loop is busy: enough
/// for an interface with many addresses going down, or many connections
/// closing at once. The default (`rmem_default`, often 208 KiB, far less
/// on small routers) is what overruns.
pub const EVENT_RCVBUF: usize = 1024 * 1024;

/// `SOL_NETLINK` options: the same numbers on every architecture.
const SOL_NETLINK: libc::c_int = 270;
const NETLINK_CAP_ACK: libc::c_int = 10;
const NETLINK_EXT_ACK: libc::c_int = 11;

/// A bound netlink socket connected to the kernel, with its own receive
/// buffer and request sequence counter.
///
/// Deliberately not `Clone`: `netlink_sys::Socket` is `Clone` over a raw
/// fd and closes it on drop, so a clone would close the fd twice. We own
/// exactly one and never clone it.
pub struct NlSocket {
    pub(super) sock: Socket,
    pub(super) port_id: u32,
    /// Last sequence number used by [`NlSocket::request`].
    pub(super) seq: u32,
    /// Left uninitialised: zeroing it (as `vec![0; …]` does) would make
    /// all of it resident in every socket, 64 KiB each, while the kernel
    /// writes only what it sends (a few hundred bytes per event).
    pub(super) rx: Box<[MaybeUninit<u8>]>,
    /// How much of `rx` some `recvmsg` has written (high-water mark).
    pub(super) rx_filled: usize,
    /// Request being sent; kept to reuse its allocation.
    pub(super) tx: Vec<u8>,
}

/// Why draining an event socket stopped early.
#[derive(Debug)]
pub enum RecvError {
    /// The kernel dropped messages for this socket (`ENOBUFS`, an
    /// `NLMSG_OVERRUN` message, or a datagram too big for our buffer).
    /// State built from events is stale: resync (re-dump). The socket and
    /// its group memberships stay usable; call again to read what was
    /// queued after the loss.
    Overrun,
    Io(io::Error),
}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecvError::Overrun => f.write_str("netlink messages lost (ENOBUFS)"),
            RecvError::Io(e) => write!(f, "netlink recv: {e}"),
        }
    }
}

impl std::error::Error for RecvError {}

/// One received datagram, in `NlSocket::rx`.
pub(super) struct Datagram {
    pub len: usize,
    /// `nl_pid` of the source address: 0 for the kernel.
    pub sender: u32,
    /// `MSG_TRUNC`: the datagram was larger than our buffer.
    pub truncated: bool,
}

impl NlSocket {
    /// Opens a socket of `protocol` ([`super::NETLINK_ROUTE`] or
    /// [`super::NETLINK_GENERIC`]), close-on-exec, bound to a port id the
    /// kernel chooses, connected to the kernel, with extended ACKs and
    /// capped ACKs requested. The socket is blocking; event sockets are
    /// drained with non-blocking reads regardless.
    pub fn open(protocol: isize) -> io::Result<NlSocket> {
        // netlink_sys opens it SOCK_CLOEXEC.
        let mut sock = Socket::new(protocol)?;
        let addr = sock.bind_auto()?;
        sock.connect(&SocketAddr::new(0, 0))?;
        let s = NlSocket {
            sock,
            port_id: addr.port_number(),
            seq: 0,
            rx: Box::new_uninit_slice(RX_BUF_LEN),
            rx_filled: 0,
            tx: Vec::new(),
        };
        // Kernels before 4.12 lack NETLINK_EXT_ACK: errors then come
        // without text, which is not a reason to stop.
        for (opt, name) in [(NETLINK_EXT_ACK, "EXT_ACK"), (NETLINK_CAP_ACK, "CAP_ACK")] {
            if let Err(e) = setsockopt_int(s.fd(), SOL_NETLINK, opt, 1) {
                log::debug!("netlink: NETLINK_{name} not available: {e}");
            }
        }
        Ok(s)
    }

    pub fn fd(&self) -> RawFd {
        self.sock.as_raw_fd()
    }

    /// The port id the kernel gave us; unicast replies carry it in
    /// `nlmsg_pid`.
    pub fn port_id(&self) -> u32 {
        self.port_id
    }

    /// Joins a multicast group by number (`NETLINK_ADD_MEMBERSHIP`), which
    /// works for generic-netlink group ids above 31 too.
    pub fn join_group(&self, group: u32) -> io::Result<()> {
        self.sock.add_membership(group)
    }

    pub fn set_nonblocking(&self, nonblocking: bool) -> io::Result<()> {
        self.sock.set_non_blocking(nonblocking)
    }

    /// Sets the receive queue size. `SO_RCVBUFFORCE` first (ignores
    /// `net.core.rmem_max`, needs CAP_NET_ADMIN), else `SO_RCVBUF` (capped
    /// at `rmem_max`). The kernel doubles the value for bookkeeping.
    pub fn set_rcvbuf(&self, bytes: usize) -> io::Result<()> {
        let v = bytes.min(i32::MAX as usize / 2) as libc::c_int;
        // SOL_SOCKET and SO_* differ on MIPS: always the libc constants.
        match setsockopt_int(self.fd(), libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, v) {
            Ok(()) => Ok(()),
            Err(e) => {
                log::debug!("netlink: SO_RCVBUFFORCE refused ({e}), using SO_RCVBUF");
                setsockopt_int(self.fd(), libc::SOL_SOCKET, libc::SO_RCVBUF, v)
            }
        }
    }

    /// The receive queue size as the kernel reports it (doubled).
    pub fn rcvbuf(&self) -> io::Result<usize> {
        self.sock.get_rx_buf_sz()
    }

    /// Drains the socket until `EAGAIN`, calling `f` for every message the
    /// kernel sent, and returns how many were delivered.
    ///
    /// Reads never block, whatever the socket's mode. `NLMSG_NOOP` is
    /// skipped, datagrams whose source is not the kernel are dropped, and a
    /// malformed datagram loses only its unframable tail (logged). A
    /// truncated datagram counts as an overrun: messages were lost.
    ///
    /// On a generic-netlink event socket, the caller must compare
    /// `msg.msg_type` with the resolved family id ([`super::GenlFamily::owns`])
    /// before parsing a message as MPTCP: genl parsing cannot tell
    /// families apart by itself.
    pub fn recv_messages(&mut self, f: &mut dyn FnMut(Msg<'_>)) -> Result<usize, RecvError> {
        let mut count = 0;
        loop {
            let d = match self.recv_datagram(libc::MSG_DONTWAIT) {
                Ok(d) => d,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(count),
                Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => {
                    return Err(RecvError::Overrun);
                }
                Err(e) => return Err(RecvError::Io(e)),
            };
            if d.sender != 0 {
                log::debug!("netlink: dropping datagram from port {}", d.sender);
                continue;
            }
            if d.truncated {
                log::warn!("netlink: datagram larger than {RX_BUF_LEN} bytes truncated");
            }
            let mut lost = d.truncated;
            for m in Messages::new(self.received(d.len)) {
                match m {
                    Ok(m) if m.msg_type == NLMSG_NOOP => {}
                    Ok(m) if m.msg_type == NLMSG_OVERRUN => lost = true,
                    Ok(m) => {
                        count += 1;
                        f(m);
                    }
                    Err(e) => log::warn!("netlink: dropping rest of datagram: {e}"),
                }
            }
            if lost {
                return Err(RecvError::Overrun);
            }
        }
    }

    /// The first `len` bytes of the receive buffer (`len` from the
    /// [`Datagram`] just received).
    pub(super) fn received(&self, len: usize) -> &[u8] {
        let len = len.min(self.rx_filled);
        // SAFETY: the first `rx_filled` bytes have been written by the
        // kernel (u8 has no invalid values once written).
        unsafe { std::slice::from_raw_parts(self.rx.as_ptr().cast(), len) }
    }

    /// Receives one datagram into `self.rx`, retrying on `EINTR`.
    pub(super) fn recv_datagram(&mut self, flags: libc::c_int) -> io::Result<Datagram> {
        loop {
            // SAFETY: all-zero is a valid sockaddr_nl and msghdr.
            let mut addr: libc::sockaddr_nl = unsafe { mem::zeroed() };
            let mut iov = libc::iovec {
                iov_base: self.rx.as_mut_ptr().cast(),
                iov_len: self.rx.len(),
            };
            let mut mh: libc::msghdr = unsafe { mem::zeroed() };
            mh.msg_name = (&raw mut addr).cast();
            mh.msg_namelen = mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t;
            mh.msg_iov = &raw mut iov;
            mh.msg_iovlen = 1;
            // SAFETY: mh points at live locals and at self.rx for its
            // whole length; the kernel writes no further.
            let n = unsafe { libc::recvmsg(self.fd(), &mut mh, flags) };
            if n < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            let len = (n as usize).min(self.rx.len());
            self.rx_filled = self.rx_filled.max(len);
            return Ok(Datagram {
                len,
                sender: addr.nl_pid,
                truncated: mh.msg_flags & libc::MSG_TRUNC != 0,
            });
        }
    }

    /// Waits until the socket is readable or `timeout` passes; `Ok(false)`
    /// on timeout.
    pub(super) fn wait_readable(&self, timeout: Duration) -> io::Result<bool> {
        let mut pfd = libc::pollfd {
            fd: self.fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = timeout.as_millis().min(i32::MAX as u128) as libc::c_int;
        loop {
            // SAFETY: one valid pollfd.
            let n = unsafe { libc::poll(&mut pfd, 1, ms) };
            if n >= 0 {
                return Ok(n > 0);
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }
}

fn setsockopt_int(
    fd: RawFd,
    level: libc::c_int,
    opt: libc::c_int,
    value: libc::c_int,
) -> io::Result<()> {
    // SAFETY: the option value is a live c_int of the size we pass.
    let r = unsafe {
        libc::setsockopt(
            fd,
            level,
            opt,
            (&raw const value).cast(),
            mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
