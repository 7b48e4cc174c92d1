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
use crate::control::{ControlSocket, Format};
use crate::daemon::{Action, Daemon, Input, Settings};
use crate::exit::{EX_OK, EXIT_FAILURE};
use crate::iface::{Addr, Link, RouteCheck};
use crate::listeners::Listeners;
use crate::nl::{self, GenlFamily, NlError, NlSocket, RecvError, ReplyItem};
use crate::pm::{Command, KernelError, PmEvent};
use crate::policy::{self, CmdResult, Reply, Selected};
use crate::rtnl::{self, RtnlMsg};
use crate::signals::{Signal, Signals};
use crate::wire;

/// The kernel side of the daemon: sockets and the resolved family.
pub struct Kernel {
    pub family: GenlFamily,
    pub genl: NlSocket,
    pub pm_events: NlSocket,
    pub rtnl: NlSocket,
    pub rtnl_events: NlSocket,
    /// Links and addresses dumped at start, handed to the core as the
    /// answer to its first dump request.
    pub snapshot: Option<(Vec<Link>, Vec<Addr>)>,
}

impl Kernel {
    /// Resolves `mptcp_pm`, joins `mptcp_pm_events`, subscribes to
    /// rtnetlink. Every failure is fatal and says what to check.
    pub fn open() -> Result<Kernel, String> {
        let open = |proto, what: &str| {
            NlSocket::open(proto).map_err(|e| format!("cannot open {what} netlink socket: {e}"))
        };
        let mut rtnl = open(nl::NETLINK_ROUTE, "rtnetlink")?;
        let rtnl_events = open(nl::NETLINK_ROUTE, "rtnetlink event")?;
        if let Err(e) = rtnl_events.set_rcvbuf(nl::socket::EVENT_RCVBUF) {
            log::debug!("rtnetlink event socket: cannot raise SO_RCVBUF: {e}");
        }
        rtnl_events
            .set_nonblocking(true)
            .map_err(|e| format!("rtnetlink event socket: {e}"))?;
        // The snapshot comes before anything MPTCP: it needs no privilege
        // and works under qemu-user, which refuses generic netlink, so the
        // cross smoke test exercises a real rtnetlink dump.
        let snapshot = rtnl::snapshot(&rtnl_events, &mut rtnl).map_err(|e| {
            format!("cannot subscribe to rtnetlink and dump links and addresses: {e}")
        })?;
        log::debug!(
            "startup snapshot: {} links, {} addresses",
            snapshot.0.len(),
            snapshot.1.len()
        );
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
            snapshot: Some(snapshot),
        })
    }
}

/// The daemon's settings from the effective configuration.
pub fn settings(config: &Config) -> Settings {
    let mut s =
        Settings::new(config.addr_flags, config.notify_flags).with_rules(config.rules.clone());
    s.max_connections = config.max_connections;
    s
}

/// Runs the daemon until SIGTERM/SIGINT. Returns the exit code.
pub fn run(cli: CliOptions, config: Config, policy_name: &str, signals: Signals) -> i32 {
    let kernel = match Kernel::open() {
        Ok(k) => k,
        Err(e) => {
            log::error!("{e}");
            return EXIT_FAILURE;
        }
    };
    let settings = settings(&config);
    let Some(policy) = policy::new_policy(policy_name, &settings) else {
        log::error!("policy {policy_name} is not compiled in");
        return EXIT_FAILURE;
    };
    warn_about_setup(policy_name, &config);
    // Optional: without it the daemon works, only `--status` cannot ask.
    let control = match ControlSocket::bind() {
        Ok(c) => Some(c),
        Err(e) => {
            log::warn!("status socket unavailable, --status will not answer: {e}");
            None
        }
    };
    let mut lp = Loop {
        control,
        cli,
        config,
        kernel,
        signals,
        daemon: Daemon::new(settings, policy),
        listeners: Listeners::new(),
        actions: Vec::new(),
        inputs: std::collections::VecDeque::new(),
        pm_batch: Vec::new(),
        rtnl_batch: Vec::new(),
        buf: Vec::with_capacity(256),
    };
    if let Some(code) = lp.feed(Input::Start) {
        return code;
    }
    if !lp.daemon.is_running() {
        log::error!("start-up did not complete");
        return EXIT_FAILURE;
    }
    log::info!(
        "mptcpd {} ready, path manager {policy_name}",
        env!("CARGO_PKG_VERSION")
    );
    lp.run()
}

/// Settings that make a policy useless are legal but worth one line.
fn warn_about_setup(policy: &str, config: &Config) {
    if policy == "addr_adv" && config.addr_flags.is_empty() {
        log::warn!(
            "addr-flags is empty: endpoints will have no flags and the kernel will not use \
             them for new subflows (set addr-flags=subflow)"
        );
    }
    let userspace = match std::fs::read_to_string("/proc/sys/net/mptcp/path_manager") {
        Ok(s) => s.trim() == "userspace",
        Err(_) => std::fs::read_to_string("/proc/sys/net/mptcp/pm_type")
            .map(|s| s.trim() == "1")
            .unwrap_or(false),
    };
    match (policy, userspace) {
        ("sspi", false) => log::warn!(
            "sspi drives the userspace path manager, but this network namespace uses the \
             in-kernel one (sysctl net.mptcp.path_manager=userspace)"
        ),
        ("addr_adv", true) => log::warn!(
            "addr_adv drives the in-kernel path manager, but this network namespace uses the \
             userspace one: endpoints are ignored for its connections"
        ),
        _ => {}
    }
}

struct Loop {
    control: Option<ControlSocket>,
    cli: CliOptions,
    config: Config,
    kernel: Kernel,
    signals: Signals,
    daemon: Daemon<Selected>,
    listeners: Listeners,
    /// Reused buffers: after the first events the loop allocates only
    /// for what the core itself keeps.
    actions: Vec<Action>,
    inputs: std::collections::VecDeque<Input>,
    pm_batch: Vec<PmEvent>,
    rtnl_batch: Vec<RtnlMsg>,
    buf: Vec<u8>,
}

const SIGNALS: usize = 0;
const PM_EVENTS: usize = 1;
const RTNL_EVENTS: usize = 2;
const CONTROL: usize = 3;

impl Loop {
    fn run(&mut self) -> i32 {
        loop {
            let fds = [
                self.signals.as_raw_fd(),
                self.kernel.pm_events.fd(),
                self.kernel.rtnl_events.fd(),
                // poll(2) skips negative fds.
                self.control.as_ref().map_or(-1, |c| c.as_raw_fd()),
            ];
            let ready = match poll(&fds, self.daemon.poll_at()) {
                Ok(r) => r,
                Err(e) => {
                    log::error!("poll: {e}");
                    return EXIT_FAILURE;
                }
            };
            if ready[SIGNALS] {
                let input = match self.signals.take() {
                    Ok(Some(Signal::Terminate)) => {
                        log::info!("terminating");
                        Some(Input::Shutdown)
                    }
                    Ok(Some(Signal::Reload)) => self.reload(),
                    Ok(None) => None,
                    Err(e) => {
                        log::warn!("reading signals: {e}");
                        None
                    }
                };
                if let Some(code) = input.and_then(|i| self.feed(i)) {
                    return code;
                }
            }
            // rtnl first: a connection event may concern an address whose
            // arrival is queued behind it.
            if ready[RTNL_EVENTS]
                && let Some(code) = self.drain_rtnl_events()
            {
                return code;
            }
            if ready[PM_EVENTS]
                && let Some(code) = self.drain_pm_events()
            {
                return code;
            }
            if ready[CONTROL]
                && let Some(c) = &self.control
            {
                let daemon = &self.daemon;
                c.serve(&mut |format| match format {
                    Format::Json => {
                        let mut s = daemon.status().to_json();
                        s.push('\n');
                        s
                    }
                    Format::Text => daemon.status().to_text(),
                });
            }
            if self.daemon.poll_at().is_some_and(|t| t <= Instant::now())
                && let Some(code) = self.feed(Input::Timer)
            {
                return code;
            }
        }
    }

    /// Hands one input to the core and carries out every action that
    /// follows, feeding each answer back, until the core is quiet.
    /// Returns the exit code once the core asks to exit.
    fn feed(&mut self, input: Input) -> Option<i32> {
        self.inputs.push_back(input);
        while let Some(input) = self.inputs.pop_front() {
            let mut actions = std::mem::take(&mut self.actions);
            self.daemon.handle(Instant::now(), input, &mut actions);
            for a in actions.drain(..) {
                match self.execute(a) {
                    Step::Answer(i) => self.inputs.push_back(i),
                    Step::Done => {}
                    Step::Exit(code) => {
                        self.listeners.close_all();
                        return Some(code);
                    }
                }
            }
            self.actions = actions;
        }
        None
    }

    fn execute(&mut self, action: Action) -> Step {
        match action {
            Action::Command { tag, cmd } => Step::Answer(Input::CommandResult {
                tag,
                result: self.command(&cmd),
            }),
            Action::CheckRoute { index, addr } => {
                let has_default =
                    match rtnl::check_default_route(&mut self.kernel.rtnl, index, addr) {
                        Ok(b) => b,
                        Err(e) => {
                            log::debug!("route check {addr} dev {index}: {e}");
                            false
                        }
                    };
                Step::Answer(Input::RouteCheck(RouteCheck {
                    index,
                    addr,
                    has_default,
                }))
            }
            Action::DumpRtnl => {
                if let Some((links, addrs)) = self.kernel.snapshot.take() {
                    return Step::Answer(Input::RtnlDump { links, addrs });
                }
                match rtnl::dump(&mut self.kernel.rtnl) {
                    Ok((links, addrs)) => Step::Answer(Input::RtnlDump { links, addrs }),
                    Err(e) if !self.daemon.is_running() => {
                        log::error!("cannot dump links and addresses: {e}");
                        Step::Exit(EXIT_FAILURE)
                    }
                    Err(e) => {
                        // The table stays as it was; the next overrun or
                        // change event tries again.
                        log::error!("resync dump of links and addresses failed: {e}");
                        Step::Done
                    }
                }
            }
            Action::Listen { tag, addr } => {
                let result = self
                    .listeners
                    .listen(addr)
                    .map(Reply::Listening)
                    .map_err(|e| io_to_kernel(&e));
                Step::Answer(Input::CommandResult { tag, result })
            }
            Action::CloseListener { tag, addr } => {
                let result = self
                    .listeners
                    .release(addr)
                    .map(|_| Reply::Ack)
                    .map_err(|e| io_to_kernel(&e));
                Step::Answer(Input::CommandResult { tag, result })
            }
            Action::Exit => Step::Exit(EX_OK),
        }
    }

    /// Sends one MPTCP PM command and collects its answer.
    fn command(&mut self, cmd: &Command) -> CmdResult {
        self.buf.clear();
        wire::encode_command(cmd, &mut self.buf);
        let flags = if wire::is_dump(cmd) {
            nl::NLM_F_DUMP
        } else {
            0
        };
        let mut endpoints = Vec::new();
        let mut reply = Reply::Ack;
        let mut on_reply = |item: ReplyItem<'_>| -> Result<(), NlError> {
            match item {
                ReplyItem::Restart => endpoints.clear(),
                ReplyItem::Msg(m) => match cmd {
                    Command::DumpAddrs { .. } => match wire::decode_endpoint(m.payload) {
                        Ok(ep) => endpoints.push(ep),
                        Err(e) => log::warn!("dump_addrs: malformed endpoint skipped: {e}"),
                    },
                    Command::GetAddr { .. } => {
                        reply = Reply::Endpoint(
                            wire::decode_endpoint(m.payload)
                                .map_err(|_| NlError::Decode(nl::DecodeError("endpoint")))?,
                        )
                    }
                    Command::GetLimits => {
                        reply = Reply::Limits(
                            wire::decode_limits(m.payload)
                                .map_err(|_| NlError::Decode(nl::DecodeError("limits")))?,
                        )
                    }
                    _ => {}
                },
            }
            Ok(())
        };
        let family = self.kernel.family.id;
        let r = self
            .kernel
            .genl
            .request(family, flags, &self.buf, &mut on_reply);
        log::debug!("{} {cmd:?}: {r:?}", cmd.op_name());
        match r {
            Ok(()) if matches!(cmd, Command::DumpAddrs { .. }) => Ok(Reply::Endpoints(endpoints)),
            Ok(()) => Ok(reply),
            Err(e) => Err(nl_to_kernel(e)),
        }
    }

    /// SIGHUP: a good file becomes the running configuration and the
    /// core applies only the difference; a bad one changes nothing.
    fn reload(&mut self) -> Option<Input> {
        let new = match config::load_effective(&self.cli) {
            Ok((c, warnings)) => {
                for w in &warnings {
                    log::warn!("{w}");
                }
                c
            }
            Err(e) => {
                log::error!("reload refused, the running configuration stays: {e}");
                return None;
            }
        };
        let changes = self.config.describe_changes(&new);
        if changes.is_empty() {
            log::info!("reload: {} unchanged", new.path.display());
        }
        for c in &changes {
            log::info!("reload: {c}");
        }
        if new.path_manager != self.config.path_manager
            || new.load_plugins != self.config.load_plugins
        {
            log::warn!("reload: a different path-manager takes effect only after a restart");
        }
        if let Some(w) = crate::logging::configure(new.log, new.debug) {
            log::warn!("{w}");
        }
        let input = Input::Reconfigure(settings(&new));
        self.config = new;
        Some(input)
    }

    fn drain_pm_events(&mut self) -> Option<i32> {
        let family = &self.kernel.family;
        let batch = &mut self.pm_batch;
        let r = self.kernel.pm_events.recv_messages(&mut |m| {
            // Only the resolved family is MPTCP: anything else on this
            // socket is not parsed as such.
            if !family.owns(&m) {
                log::debug!("ignoring generic netlink message of type {}", m.msg_type);
                return;
            }
            match wire::decode_event(m.payload) {
                Ok(Some(ev)) => batch.push(ev),
                Ok(None) => log::debug!("unhandled MPTCP event"),
                Err(e) => log::warn!("malformed MPTCP event dropped: {e}"),
            }
        });
        let lost = overrun(r, "MPTCP event socket");
        let mut batch = std::mem::take(&mut self.pm_batch);
        for ev in batch.drain(..) {
            if let Some(code) = self.feed(Input::Pm(ev)) {
                return Some(code);
            }
        }
        self.pm_batch = batch;
        if lost {
            return self.feed(Input::EventsLost);
        }
        None
    }

    fn drain_rtnl_events(&mut self) -> Option<i32> {
        let batch = &mut self.rtnl_batch;
        let r = self
            .kernel
            .rtnl_events
            .recv_messages(&mut |m| match rtnl::parse(m.msg_type, m.payload) {
                Ok(RtnlMsg::Other(_)) => {}
                Ok(msg) => batch.push(msg),
                Err(e) => log::warn!("malformed rtnetlink message dropped: {e}"),
            });
        let lost = overrun(r, "rtnetlink event socket");
        let mut batch = std::mem::take(&mut self.rtnl_batch);
        // Route changes come in bursts; one re-check per batch is enough.
        let mut route_changed = false;
        for msg in batch.drain(..) {
            let input = match msg {
                RtnlMsg::NewLink(l) => Input::NewLink(l),
                RtnlMsg::DelLink(l) => Input::DelLink(l),
                RtnlMsg::NewAddr(a) => Input::NewAddr(a),
                RtnlMsg::DelAddr(a) => Input::DelAddr(a),
                RtnlMsg::RouteChange => {
                    route_changed = true;
                    continue;
                }
                RtnlMsg::Other(_) => continue,
            };
            if let Some(code) = self.feed(input) {
                return Some(code);
            }
        }
        self.rtnl_batch = batch;
        if route_changed && let Some(code) = self.feed(Input::RouteChanged) {
            return Some(code);
        }
        if lost {
            self.discard_rtnl_queue();
            return self.feed(Input::RtnlOverrun);
        }
        None
    }

    /// After an overrun, every message still queued predates the resync
    /// dump: applied after it, a stale RTM_NEWADDR would bring back an
    /// address that is gone (the kernel reports ENOBUFS before the queue).
    /// Messages that arrive from here on are newer than the dump and are
    /// applied normally.
    fn discard_rtnl_queue(&mut self) {
        // Bounded in case changes keep coming faster than we read; each
        // round ends at EAGAIN or at a further overrun.
        for _ in 0..64 {
            match self.kernel.rtnl_events.recv_messages(&mut |_| {}) {
                Ok(n) => {
                    log::debug!("discarded {n} rtnetlink message(s) older than the resync");
                    return;
                }
                Err(RecvError::Overrun) => {}
                Err(RecvError::Io(e)) => {
                    log::warn!("rtnetlink event socket: {e}");
                    return;
                }
            }
        }
    }
}

/// Whether events were lost (the caller resyncs); other socket errors
/// are logged and the socket is read again on the next wake-up.
fn overrun(r: Result<usize, RecvError>, what: &str) -> bool {
    match r {
        Ok(_) => false,
        Err(RecvError::Overrun) => true,
        Err(RecvError::Io(e)) => {
            log::warn!("{what}: {e}");
            false
        }
    }
}

enum Step {
    Answer(Input),
    Done,
    Exit(i32),
}

fn io_to_kernel(e: &std::io::Error) -> KernelError {
    KernelError::from_errno(e.raw_os_error().unwrap_or(libc::EIO))
}

/// Failures that are not the kernel's refusal still reach the policy as
/// an errno, so it has one error path.
fn nl_to_kernel(e: NlError) -> KernelError {
    match e {
        NlError::Kernel(k) => k,
        NlError::Io(io) => io_to_kernel(&io),
        NlError::Timeout => KernelError::from_errno(libc::ETIMEDOUT),
        NlError::Decode(d) => KernelError {
            msg: Some(format!("malformed reply: {d}")),
            ..KernelError::from_errno(libc::EBADMSG)
        },
        NlError::DumpInterrupted => KernelError::from_errno(libc::EINTR),
        NlError::NoSuchFamily(_) => KernelError::from_errno(libc::ENOENT),
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
