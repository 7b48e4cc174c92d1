// SPDX-License-Identifier: BSD-3-Clause
//! SIGTERM, SIGINT and SIGHUP as a readable fd for the poll loop.
//!
//! The signals are blocked first thing in `main`, before any socket is
//! opened, so one that arrives during start-up waits in the signalfd
//! instead of killing the daemon half-initialised (mptcpd had that gap).

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGTERM or SIGINT: orderly shutdown.
    Terminate,
    /// SIGHUP: re-read the configuration.
    Reload,
}

pub struct Signals {
    fd: OwnedFd,
}

fn handled_set() -> libc::sigset_t {
    // SAFETY: sigemptyset/sigaddset initialise and fill a plain set.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGHUP);
        set
    }
}

impl Signals {
    /// Blocks the three signals and opens a non-blocking signalfd for them.
    pub fn block() -> io::Result<Self> {
        let set = handled_set();
        // SAFETY: valid set; the old mask is not needed.
        let rc = unsafe { libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: -1 asks for a new fd; the set is valid.
        let fd = unsafe { libc::signalfd(-1, &set, libc::SFD_NONBLOCK | libc::SFD_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: fd was just returned by signalfd and is owned by nobody else.
        Ok(Signals {
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
        })
    }

    /// The next pending signal, if any. Termination wins over reload when
    /// both are queued, so a SIGHUP storm cannot delay a stop.
    pub fn take(&self) -> io::Result<Option<Signal>> {
        let mut out = None;
        loop {
            // SAFETY: signalfd_siginfo is plain data; we read at most its size.
            let mut info: libc::signalfd_siginfo = unsafe { std::mem::zeroed() };
            let size = std::mem::size_of::<libc::signalfd_siginfo>();
            let n = unsafe {
                libc::read(
                    self.fd.as_raw_fd(),
                    (&mut info as *mut libc::signalfd_siginfo).cast(),
                    size,
                )
            };
            if n < 0 {
                let e = io::Error::last_os_error();
                return match e.kind() {
                    io::ErrorKind::WouldBlock => Ok(out),
                    io::ErrorKind::Interrupted => continue,
                    _ => Err(e),
                };
            }
            if n as usize != size {
                return Ok(out);
            }
            let sig = info.ssi_signo as i32;
            if sig == libc::SIGTERM || sig == libc::SIGINT {
                out = Some(Signal::Terminate);
            } else if sig == libc::SIGHUP && out.is_none() {
                out = Some(Signal::Reload);
            }
        }
    }
}

impl AsRawFd for Signals {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}
