// SPDX-License-Identifier: BSD-3-Clause
//! The status socket: `mptcpd --status` asks the running daemon what it
//! is doing. It costs one idle fd in the poll set and nothing else while
//! nobody asks (no state file rewritten on every change).
//!
//! An abstract unix socket, so it needs no writable /run (the daemon may
//! run as a dynamic user) and, being bound to the network namespace,
//! every namespace's daemon has its own. Only root and the daemon's own
//! user get an answer: the report lists addresses and connections.
//!
//! Protocol: the client sends one line, `json` or `text`; the daemon
//! answers with the report and closes.

use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::time::Duration;

/// The abstract name (no leading NUL here).
pub const CONTROL_NAME: &[u8] = b"mptcpd/status";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Text,
}

impl Format {
    fn request(self) -> &'static [u8] {
        match self {
            Format::Json => b"json\n",
            Format::Text => b"text\n",
        }
    }
}

fn sockaddr() -> (libc::sockaddr_un, libc::socklen_t) {
    // SAFETY: sockaddr_un is plain data.
    let mut sa: libc::sockaddr_un = unsafe { std::mem::zeroed() };
    sa.sun_family = libc::AF_UNIX as libc::sa_family_t;
    // sun_path[0] stays 0: the abstract namespace.
    for (i, b) in CONTROL_NAME.iter().enumerate() {
        sa.sun_path[i + 1] = *b as libc::c_char;
    }
    let len = std::mem::size_of::<libc::sa_family_t>() + 1 + CONTROL_NAME.len();
    (sa, len as libc::socklen_t)
}

fn check(rc: libc::c_int) -> io::Result<libc::c_int> {
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc)
    }
}

pub struct ControlSocket {
    fd: OwnedFd,
}

impl ControlSocket {
    /// Binds and listens. Fails with EADDRINUSE when another daemon of
    /// this namespace holds the name.
    pub fn bind() -> io::Result<ControlSocket> {
        // SAFETY: plain socket(2); the fd is owned right away.
        let fd = check(unsafe {
            libc::socket(
                libc::AF_UNIX,
                libc::SOCK_STREAM | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
                0,
            )
        })?;
        // SAFETY: fd is a fresh socket nobody else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let (sa, len) = sockaddr();
        // SAFETY: sa is a valid sockaddr_un of `len` bytes.
        check(unsafe {
            libc::bind(
                fd.as_raw_fd(),
                (&sa as *const libc::sockaddr_un).cast(),
                len,
            )
        })?;
        // SAFETY: plain listen(2) on our socket.
        check(unsafe { libc::listen(fd.as_raw_fd(), 4) })?;
        Ok(ControlSocket { fd })
    }

    /// Serves every waiting client with `render`. A slow or silent
    /// client gets at most 200 ms, so it cannot stall the daemon.
    pub fn serve(&self, render: &mut dyn FnMut(Format) -> String) {
        loop {
            // SAFETY: accept4 on our listening socket, no peer address.
            let c = unsafe {
                libc::accept4(
                    self.fd.as_raw_fd(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    libc::SOCK_CLOEXEC,
                )
            };
            if c < 0 {
                let e = io::Error::last_os_error();
                if e.kind() != io::ErrorKind::Interrupted && e.kind() != io::ErrorKind::WouldBlock {
                    log::debug!("status socket: accept: {e}");
                }
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return;
            }
            // SAFETY: c is a fresh connected socket nobody else owns.
            let stream = unsafe { UnixStream::from_raw_fd(c) };
            if let Err(e) = answer(stream, render) {
                log::debug!("status socket: {e}");
            }
        }
    }
}

impl AsRawFd for ControlSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

fn peer_uid(s: &UnixStream) -> io::Result<u32> {
    // SAFETY: ucred is plain data; getsockopt writes at most its size.
    let mut cred: libc::ucred = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    check(unsafe {
        libc::getsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    })?;
    Ok(cred.uid)
}

fn answer(mut s: UnixStream, render: &mut dyn FnMut(Format) -> String) -> io::Result<()> {
    let uid = peer_uid(&s)?;
    // SAFETY: geteuid cannot fail.
    let me = unsafe { libc::geteuid() };
    if uid != 0 && uid != me {
        return s.write_all(b"error: permission denied\n");
    }
    s.set_read_timeout(Some(Duration::from_millis(200)))?;
    s.set_write_timeout(Some(Duration::from_millis(200)))?;
    let mut req = [0u8; 8];
    let mut n = 0;
    while n < req.len() {
        let k = s.read(&mut req[n..])?;
        if k == 0 {
            break;
        }
        n += k;
        if req[..n].contains(&b'\n') {
            break;
        }
    }
    let format = match &req[..n] {
        b"json\n" => Format::Json,
        b"text\n" => Format::Text,
        _ => return s.write_all(b"error: expected \"json\" or \"text\"\n"),
    };
    s.write_all(render(format).as_bytes())
}

/// The client side of `mptcpd --status`: the report of the daemon of
/// the caller's network namespace.
pub fn query(format: Format) -> io::Result<String> {
    // SAFETY: as in bind().
    let fd =
        check(unsafe { libc::socket(libc::AF_UNIX, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) })?;
    // SAFETY: fresh socket.
    let mut s = unsafe { UnixStream::from_raw_fd(fd) };
    let (sa, len) = sockaddr();
    // SAFETY: sa is a valid sockaddr_un of `len` bytes.
    check(unsafe { libc::connect(s.as_raw_fd(), (&sa as *const libc::sockaddr_un).cast(), len) })?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    s.write_all(format.request())?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    Ok(out)
}
