// SPDX-License-Identifier: BSD-3-Clause
//! The only poll(2) of the program: sockets, signals and timers in, the
//! core's actions out.
//!
//! Four netlink sockets, each in one role (mptcp-genl.md §1.1): MPTCP
//! events and rtnetlink changes arrive on two non-blocking event sockets;
//! commands and dumps go through two blocking request sockets, whose
//! replies the kernel has queued by the time `sendmsg` returns, so the loop
//! never waits on them.

use std::os::fd::{AsRawFd, RawFd};
use std::time::Instant;

use crate::cli::CliOptions;
use crate::config::{self, Config};
use crate::exit::{EX_OK, EXIT_FAILURE};
use crate::nl::{self, GenlFamily, NlError, NlSocket, RecvError};
use crate::signals::{Signal, Signals};
use crate::wire;

/// Policies compiled into this binary, in order of preference.
pub const COMPILED_IN: &[&str] = &[
    #[cfg(feature = "addr_adv")]
    "addr_adv",
    #[cfg(feature = "sspi")]
    "sspi",
];

/// The kernel side of the daemon: sockets and the resolved family.
pub struct Kernel {
    pub family: GenlFamily,
    pub genl: NlSocket,
    pub pm_events: NlSocket,
    pub rtnl: NlSocket,
    pub rtnl_events: NlSocket,
}

impl Kernel {
    /// Resolves `mptcp_pm`, joins `mptcp_pm_events`, subscribes to
    /// rtnetlink. Every failure is fatal and says what to check.
    pub fn open() -> Result<Kernel, String> {
        let open = |proto, what: &str| {
            NlSocket::open(proto).map_err(|e| format!("cannot open {what} netlink socket: {e}"))
        };
        let mut genl = open(nl::NETLINK_GENERIC, "generic")?;
        let family = nl::resolve_family(&mut genl, wire::MPTCP_PM_NAME).map_err(|e| match e {
            NlError::NoSuchFamily(_) => format!(
                "MPTCP generic netlink family \"{}\" not found: the kernel lacks the MPTCP \
                 path manager (CONFIG_MPTCP)",
                wire::MPTCP_PM_NAME
            ),
            other => format!("cannot resolve \"{}\": {other}", wire::MPTCP_PM_NAME),
        })?;
        let group = family.group(wire::MPTCP_PM_EV_GRP_NAME).ok_or_else(|| {
            format!(
                "the kernel's {} family has no \"{}\" group",
                wire::MPTCP_PM_NAME,
                wire::MPTCP_PM_EV_GRP_NAME
            )
        })?;
        let pm_events = open(nl::NETLINK_GENERIC, "MPTCP event")?;
        // A larger queue absorbs connection bursts; losing events costs a
        // resync. Failure to enlarge is not fatal.
        if let Err(e) = pm_events.set_rcvbuf(nl::socket::EVENT_RCVBUF) {
            log::debug!("MPTCP event socket: cannot raise SO_RCVBUF: {e}");
        }
        pm_events
            .set_nonblocking(true)
            .and_then(|_| pm_events.join_group(group))
            .map_err(|e| {
                format!(
                    "cannot join \"{}\" (needs CAP_NET_ADMIN): {e}",
                    wire::MPTCP_PM_EV_GRP_NAME
                )
            })?;
        let rtnl = open(nl::NETLINK_ROUTE, "rtnetlink")?;
        let rtnl_events = open(nl::NETLINK_ROUTE, "rtnetlink event")?;
        if let Err(e) = rtnl_events.set_rcvbuf(nl::socket::EVENT_RCVBUF) {
            log::debug!("rtnetlink event socket: cannot raise SO_RCVBUF: {e}");
        }
        rtnl_events
            .set_nonblocking(true)
            .and_then(|_| crate::rtnl::subscribe(&rtnl_events))
            .map_err(|e| format!("cannot subscribe to rtnetlink groups: {e}"))?;
        log::debug!(
            "family {} id {} version {}, {} group id {group}",
            wire::MPTCP_PM_NAME,
            family.id,
            family.version,
            wire::MPTCP_PM_EV_GRP_NAME
        );
        Ok(Kernel {
            family,
            genl,
            pm_events,
            rtnl,
            rtnl_events,
        })
    }
}

/// Runs the daemon until SIGTERM/SIGINT. Returns the exit code.
pub fn run(cli: CliOptions, config: Config, policy: &str, signals: Signals) -> i32 {
    let kernel = match Kernel::open() {
        Ok(k) => k,
        Err(e) => {
            log::error!("{e}");
            return EXIT_FAILURE;
        }
    };
    let mut lp = Loop {
        cli,
        config,
        kernel,
        signals,
    };
    log::info!(
        "mptcpd {} ready, path manager {policy}",
        env!("CARGO_PKG_VERSION")
    );
    lp.run()
}

struct Loop {
    cli: CliOptions,
    config: Config,
    kernel: Kernel,
    signals: Signals,
}

const SIGNALS: usize = 0;
const PM_EVENTS: usize = 1;
const RTNL_EVENTS: usize = 2;

impl Loop {
    fn run(&mut self) -> i32 {
        loop {
            let fds = [
                self.signals.as_raw_fd(),
                self.kernel.pm_events.fd(),
                self.kernel.rtnl_events.fd(),
            ];
            let ready = match poll(&fds, None) {
                Ok(r) => r,
                Err(e) => {
                    log::error!("poll: {e}");
                    return EXIT_FAILURE;
                }
            };
            if ready[SIGNALS] {
                match self.signals.take() {
                    Ok(Some(Signal::Terminate)) => {
                        log::info!("terminating");
                        return EX_OK;
                    }
                    Ok(Some(Signal::Reload)) => self.reload(),
                    Ok(None) => {}
                    Err(e) => log::warn!("reading signals: {e}"),
                }
            }
            if ready[PM_EVENTS] {
                self.drain_pm_events();
            }
            if ready[RTNL_EVENTS] {
                self.drain_rtnl_events();
            }
        }
    }

    fn reload(&mut self) {
        let new = match config::load_effective(&self.cli) {
            Ok((c, warnings)) => {
                for w in &warnings {
                    log::warn!("{w}");
                }
                c
            }
            Err(e) => {
                log::error!("reload refused, the running configuration stays: {e}");
                return;
            }
        };
        let changes = self.config.describe_changes(&new);
        if changes.is_empty() {
            log::info!("reload: {} unchanged", new.path.display());
        }
        for c in &changes {
            log::info!("reload: {c}");
        }
        if let Some(w) = crate::logging::configure(new.log, new.debug) {
            log::warn!("{w}");
        }
        self.config = new;
    }

    fn drain_pm_events(&mut self) {
        let family = &self.kernel.family;
        let r = self.kernel.pm_events.recv_messages(&mut |m| {
            if !family.owns(&m) {
                log::debug!("ignoring generic netlink message of type {}", m.msg_type);
                return;
            }
            match wire::decode_event(m.payload) {
                Ok(Some(ev)) => log::debug!("MPTCP event {ev:?}"),
                Ok(None) => log::debug!("unhandled MPTCP event"),
                Err(e) => log::warn!("malformed MPTCP event dropped: {e}"),
            }
        });
        match r {
            Ok(_) => {}
            Err(RecvError::Overrun) => log::info!("MPTCP events lost (receive queue overrun)"),
            Err(RecvError::Io(e)) => log::warn!("MPTCP event socket: {e}"),
        }
    }

    fn drain_rtnl_events(&mut self) {
        let r = self
            .kernel
            .rtnl_events
            .recv_messages(&mut |m| match crate::rtnl::parse(m.msg_type, m.payload) {
                Ok(msg) => log::debug!("rtnetlink {msg:?}"),
                Err(e) => log::warn!("malformed rtnetlink message dropped: {e}"),
            });
        match r {
            Ok(_) => {}
            Err(RecvError::Overrun) => log::info!("rtnetlink events lost (receive queue overrun)"),
            Err(RecvError::Io(e)) => log::warn!("rtnetlink event socket: {e}"),
        }
    }
}

/// poll(2) on `fds` for input; `deadline` None = wait forever (no idle
/// wake-ups). Returns which fds are readable (or in error, which the
/// reader then reports).
fn poll<const N: usize>(fds: &[RawFd; N], deadline: Option<Instant>) -> std::io::Result<[bool; N]> {
    let mut pfds = fds.map(|fd| libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    });
    let timeout = match deadline {
        None => -1,
        Some(d) => {
            let ms = d
                .saturating_duration_since(Instant::now())
                .as_micros()
                .div_ceil(1000);
            ms.min(i32::MAX as u128) as i32
        }
    };
    loop {
        // SAFETY: pfds is a valid array of N pollfd structures.
        let n = unsafe { libc::poll(pfds.as_mut_ptr(), N as libc::nfds_t, timeout) };
        if n >= 0 {
            break;
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
    Ok(pfds.map(|p| p.revents != 0))
}
