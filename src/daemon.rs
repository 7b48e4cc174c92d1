// SPDX-License-Identifier: BSD-3-Clause
//! The sans-I/O daemon core: owns the network monitor, the address-id
//! manager and the selected policy; turns [`Input`]s into [`Action`]s.
//!
//! No sockets, no clock, no `poll` here. The event loop calls
//! [`Daemon::handle`] with the current time and one input, carries out
//! the actions in order, feeds every answer back as an input, and sleeps
//! until [`Daemon::poll_at`] (forever when it is `None`).
//!
//! Startup: `Input::Start` asks for the rtnl dump and the kernel's
//! endpoint table; once both are in, ids are seeded from the table, the
//! policy gets `ready`, then one `new_local_address` per usable address.
//! Shutdown: `Input::Shutdown` gives the policy `shutdown`; `Action::Exit`
//! follows once every command it sent is answered (or after
//! [`SHUTDOWN_GRACE`]). A second `Shutdown` exits at once.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use log::{debug, info, warn};

use crate::flags::{AddrFlags, NotifyFlags};
use crate::ids::IdManager;
use crate::iface::{Addr, IfName, Link, RouteCheck};
use crate::monitor::{Monitor, MonitorOut, NetEvent};
use crate::pm::{Command, Endpoint, PmEvent};
pub use crate::policy::{CmdResult, Reply, Request, Tag};
use crate::policy::{Ctx, Outbox, Policy};
use crate::rules::{IfaceUse, InterfaceRules};
use crate::status::{Counters, PolicyStatus, Status};

/// Longest wait for the answers to the shutdown cleanup before exiting.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// What the daemon needs from the configuration. A new value can be
/// applied at run time with [`Input::Reconfigure`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// `addr-flags`: flags of the endpoints a policy creates (unless an
    /// interface rule overrides them).
    pub addr_flags: AddrFlags,
    /// `notify-flags`: network-monitor rules.
    pub notify_flags: NotifyFlags,
    /// `[interface PATTERN]` groups and `unlisted-interfaces`.
    pub rules: InterfaceRules,
    /// `[sspi] max-connections`: connections a userspace-PM policy tracks
    /// at most; `None` = the policy's default. Read at start only.
    pub max_connections: Option<usize>,
}

/// How one interface is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IfacePolicy {
    /// False: the interface never counts as usable.
    pub used: bool,
    /// Endpoint flags for its addresses.
    pub addr_flags: AddrFlags,
}

impl Settings {
    /// Without interface rules: every interface is used with `addr_flags`.
    pub fn new(addr_flags: AddrFlags, notify_flags: NotifyFlags) -> Self {
        Settings {
            addr_flags,
            notify_flags,
            rules: InterfaceRules::default(),
            max_connections: None,
        }
    }

    #[must_use]
    pub fn with_rules(mut self, rules: InterfaceRules) -> Self {
        self.rules = rules;
        self
    }

    /// The single place that decides per interface whether it is used
    /// and with which endpoint flags (the interface rules). The monitor
    /// re-evaluates it on every RTM_NEWLINK, so a rename is followed, and
    /// for every interface on [`Input::Reconfigure`].
    pub fn iface_policy(&self, name: &IfName) -> IfacePolicy {
        match self.rules.decide(name.as_str(), self.addr_flags) {
            IfaceUse::Used(addr_flags) => IfacePolicy {
                used: true,
                addr_flags,
            },
            IfaceUse::ExcludedByRule | IfaceUse::Unlisted => IfacePolicy {
                used: false,
                addr_flags: self.addr_flags,
            },
        }
    }
}

/// Everything that can happen to the daemon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Begin: the core asks for the rtnl dump and the endpoint table.
    Start,
    /// A full rtnl dump (links, then addresses). The first is the startup
    /// snapshot; later ones resynchronise after an overrun.
    RtnlDump {
        links: Vec<Link>,
        addrs: Vec<Addr>,
    },
    /// ENOBUFS on the rtnl event socket: events were lost.
    RtnlOverrun,
    NewLink(Link),
    DelLink(Link),
    NewAddr(Addr),
    DelAddr(Addr),
    /// Any RTM_NEWROUTE / RTM_DELROUTE or routing-rule change.
    RouteChanged,
    /// The answer to [`Action::CheckRoute`] (errors: `has_default` false).
    RouteCheck(RouteCheck),
    /// An event of the `mptcp_pm_events` group.
    Pm(PmEvent),
    /// The answer to [`Action::Command`] with the same tag.
    CommandResult {
        tag: Tag,
        result: CmdResult,
    },
    /// ENOBUFS on the MPTCP event socket (or an operator's request to
    /// reconcile): the policy compares its state with the kernel's.
    EventsLost,
    /// [`Daemon::poll_at`] has passed.
    Timer,
    /// Apply new settings (SIGHUP): the monitor judges every interface
    /// and address again and reports only the differences; the policy
    /// gets `reconfigure` (addr_adv re-reads the endpoint table and then
    /// changes only what differs). Ignored during shutdown.
    Reconfigure(Settings),
    /// SIGTERM / SIGINT.
    Shutdown,
}

/// What the event loop must do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Send this MPTCP PM command; answer with [`Input::CommandResult`]
    /// carrying `tag` (exactly one answer per command).
    Command { tag: Tag, cmd: Command },
    /// Ask the FIB whether a default route leaves from `addr` through
    /// interface `index` (RTM_GETROUTE, RTA_SRC + RTA_OIF, FIB_MATCH);
    /// answer with [`Input::RouteCheck`].
    CheckRoute { index: u32, addr: IpAddr },
    /// Open an MPTCP listening socket on `addr` and keep it until asked
    /// to close it (or until exit); answer with [`Input::CommandResult`]:
    /// [`Reply::Listening`] with the bound address, or the errno.
    Listen { tag: Tag, addr: SocketAddr },
    /// Close the listener bound to `addr`; answer with
    /// [`Input::CommandResult`] ([`Reply::Ack`], EINVAL if unknown).
    CloseListener { tag: Tag, addr: SocketAddr },
    /// Dump links then addresses; answer with [`Input::RtnlDump`].
    DumpRtnl,
    /// Cleanup is complete: exit with status 0.
    Exit,
}

#[derive(Debug)]
enum Phase {
    Idle,
    Starting {
        rtnl_done: bool,
        /// The daemon's own endpoint dump; its answer seeds the ids.
        dump: Tag,
        endpoints: Option<Vec<Endpoint>>,
    },
    Running,
    Stopping {
        deadline: Instant,
    },
    Stopped,
}

#[derive(Debug)]
struct Pending {
    tag: Tag,
    req: Request,
}

pub struct Daemon<P> {
    monitor: Monitor,
    ids: IdManager,
    policy: P,
    phase: Phase,
    /// Commands sent and not answered yet. Normally zero or a few: the
    /// event loop answers each one right after sending it.
    pending: Vec<Pending>,
    outbox: Outbox,
    mout: MonitorOut,
    counters: Counters,
}

impl<P: Policy> Daemon<P> {
    pub fn new(settings: Settings, policy: P) -> Self {
        Daemon {
            monitor: Monitor::new(settings),
            ids: IdManager::new(),
            policy,
            phase: Phase::Idle,
            pending: Vec::new(),
            outbox: Outbox::new(),
            mout: MonitorOut::default(),
            counters: Counters::default(),
        }
    }

    pub fn monitor(&self) -> &Monitor {
        &self.monitor
    }

    pub fn policy(&self) -> &P {
        &self.policy
    }

    pub fn ids(&self) -> &IdManager {
        &self.ids
    }

    /// The policy has had `ready` and not yet `shutdown`.
    pub fn is_running(&self) -> bool {
        matches!(self.phase, Phase::Running)
    }

    /// Commands sent and not answered.
    pub fn pending_commands(&self) -> usize {
        self.pending.len()
    }

    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// The status report: interfaces and addresses with the reason each
    /// is used or not, what the policy owns and tracks, counters.
    pub fn status(&self) -> Status {
        let mut ps = PolicyStatus::default();
        self.policy.status(&mut ps);
        let phase = match self.phase {
            Phase::Idle => "idle",
            Phase::Starting { .. } => "starting",
            Phase::Running => "running",
            Phase::Stopping { .. } => "stopping",
            Phase::Stopped => "stopped",
        };
        Status::new(
            self.policy.name(),
            phase,
            self.monitor.status(),
            ps,
            self.counters.clone(),
        )
    }

    /// The next time the core has something to do on its own; `None`:
    /// nothing until the next input (no idle wake-ups).
    pub fn poll_at(&self) -> Option<Instant> {
        let policy = match self.phase {
            Phase::Running => self.policy.poll_at(),
            Phase::Stopping { deadline } => Some(deadline),
            Phase::Stopped => return None,
            _ => None,
        };
        match (self.monitor.poll_at(), policy) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Handles one input at time `now`, appending actions to `out`.
    pub fn handle(&mut self, now: Instant, input: Input, out: &mut Vec<Action>) {
        if matches!(self.phase, Phase::Stopped) {
            return;
        }
        self.count(&input);
        match input {
            Input::Start => self.start(out),
            Input::RtnlDump { links, addrs } => {
                self.monitor.apply_dump(&links, &addrs, &mut self.mout);
                if let Phase::Starting { rtnl_done, .. } = &mut self.phase {
                    *rtnl_done = true;
                }
            }
            Input::RtnlOverrun => {
                warn!("rtnetlink events lost (overrun): resynchronising from a full dump");
                out.push(Action::DumpRtnl);
            }
            Input::NewLink(link) => {
                self.monitor.new_link(link, &mut self.mout);
            }
            Input::DelLink(link) => {
                self.monitor.del_link(link.index, &mut self.mout);
            }
            Input::NewAddr(addr) => {
                self.monitor.new_addr(addr, &mut self.mout);
            }
            Input::DelAddr(addr) => {
                self.monitor.del_addr(&addr, &mut self.mout);
            }
            Input::RouteChanged => self.monitor.route_changed(now),
            Input::RouteCheck(answer) => self.monitor.route_check(answer, &mut self.mout),
            Input::Pm(ev) => {
                if self.is_running() {
                    let (policy, mut ctx) = self.split(now);
                    dispatch_pm(policy, &mut ctx, &ev);
                } else {
                    debug!("MPTCP event before ready or after shutdown dropped: {ev:?}");
                }
            }
            Input::CommandResult { tag, result } => self.command_result(now, tag, result),
            Input::EventsLost => {
                if self.is_running() {
                    warn!("MPTCP events lost: reconciling with the kernel");
                    let (policy, mut ctx) = self.split(now);
                    policy.resync(&mut ctx);
                }
            }
            Input::Timer => {}
            Input::Reconfigure(settings) => self.reconfigure(now, settings),
            Input::Shutdown => self.shutdown(now, out),
        }
        self.run_timers(now);
        self.flush(now, out);
        self.advance(now, out);
    }

    fn count(&mut self, input: &Input) {
        let c = &mut self.counters;
        match input {
            Input::Pm(ev) => c.pm_event(ev),
            Input::NewLink(_)
            | Input::DelLink(_)
            | Input::NewAddr(_)
            | Input::DelAddr(_)
            | Input::RouteChanged => c.rtnl_events += 1,
            Input::RtnlOverrun => c.rtnl_overruns += 1,
            Input::EventsLost => c.events_lost += 1,
            Input::CommandResult { result: Err(e), .. } => c.kernel_error(e.errno),
            Input::Reconfigure(_) => c.reloads += 1,
            _ => {}
        }
    }

    /// The policy hears of the reload before the network callbacks it
    /// causes, so that it can re-read the kernel's state first.
    fn reconfigure(&mut self, now: Instant, settings: Settings) {
        if matches!(self.phase, Phase::Stopping { .. }) {
            debug!("reload during shutdown ignored");
            return;
        }
        info!("applying new settings");
        self.monitor.reconfigure(settings.clone(), &mut self.mout);
        if self.is_running() {
            let (policy, mut ctx) = self.split(now);
            policy.reconfigure(&mut ctx, &settings);
        }
    }

    fn start(&mut self, out: &mut Vec<Action>) {
        if !matches!(self.phase, Phase::Idle) {
            return;
        }
        out.push(Action::DumpRtnl);
        // Sent like a policy's command by flush(); its answer is
        // recognised by the tag.
        let dump = self
            .outbox
            .push(Request::Pm(Command::DumpAddrs { token: None }));
        self.phase = Phase::Starting {
            rtnl_done: false,
            dump,
            endpoints: None,
        };
    }

    fn command_result(&mut self, now: Instant, tag: Tag, result: CmdResult) {
        let Some(pos) = self.pending.iter().position(|p| p.tag == tag) else {
            debug!("result for unknown command {tag:?} ignored");
            return;
        };
        let p = self.pending.swap_remove(pos);
        if let Phase::Starting {
            dump,
            endpoints: slot,
            ..
        } = &mut self.phase
            && *dump == tag
        {
            let endpoints = match result {
                Ok(Reply::Endpoints(v)) => v,
                Ok(other) => {
                    warn!("dump_addrs: unexpected reply {other:?}");
                    Vec::new()
                }
                Err(e) => {
                    warn!("dump_addrs: {e}: starting without the kernel's endpoint table");
                    Vec::new()
                }
            };
            *slot = Some(endpoints);
            return;
        }
        if matches!(self.phase, Phase::Running | Phase::Stopping { .. }) {
            let (policy, mut ctx) = self.split(now);
            policy.command_result(&mut ctx, tag, &p.req, &result);
        }
    }

    fn shutdown(&mut self, now: Instant, out: &mut Vec<Action>) {
        match self.phase {
            Phase::Running => {
                info!("shutting down: {} cleans up", self.policy.name());
                self.phase = Phase::Stopping {
                    deadline: now + SHUTDOWN_GRACE,
                };
                let (policy, mut ctx) = self.split(now);
                policy.shutdown(&mut ctx);
            }
            Phase::Stopping { .. } => {
                warn!("second shutdown request: exiting without waiting");
                self.exit(out);
            }
            _ => self.exit(out),
        }
    }

    fn exit(&mut self, out: &mut Vec<Action>) {
        self.phase = Phase::Stopped;
        out.push(Action::Exit);
    }

    fn run_timers(&mut self, now: Instant) {
        self.monitor.on_timer(now, &mut self.mout);
        if self.is_running() && self.policy.poll_at().is_some_and(|at| at <= now) {
            let (policy, mut ctx) = self.split(now);
            policy.on_timer(&mut ctx);
        }
    }

    /// Turns what the monitor and the policy produced into actions.
    fn flush(&mut self, now: Instant, out: &mut Vec<Action>) {
        for (index, addr) in self.mout.route_checks.drain(..) {
            out.push(Action::CheckRoute { index, addr });
        }
        let mut events = std::mem::take(&mut self.mout.events);
        if self.is_running() {
            let (policy, mut ctx) = self.split(now);
            for ev in &events {
                dispatch_net(policy, &mut ctx, ev);
            }
        }
        events.clear();
        self.mout.events = events;
        for (tag, req) in self.outbox.take() {
            self.pending.push(Pending { tag, req });
            self.counters.commands_sent += 1;
            out.push(match req {
                Request::Pm(cmd) => Action::Command { tag, cmd },
                Request::Listen(addr) => Action::Listen { tag, addr },
                Request::CloseListener(addr) => Action::CloseListener { tag, addr },
            });
        }
    }

    /// Phase changes that depend on answers: ready, exit.
    fn advance(&mut self, now: Instant, out: &mut Vec<Action>) {
        match &mut self.phase {
            Phase::Starting {
                rtnl_done: true,
                endpoints,
                ..
            } if endpoints.is_some() => {
                let endpoints = endpoints.take().unwrap_or_default();
                for ep in &endpoints {
                    self.ids.map(ep.addr, ep.id);
                }
                self.phase = Phase::Running;
                info!(
                    "ready: path manager {}, {} kernel endpoint(s) at start",
                    self.policy.name(),
                    endpoints.len()
                );
                let usable: Vec<_> = self.monitor.reported().map(|(i, a)| (i, *a)).collect();
                let (policy, mut ctx) = self.split(now);
                policy.ready(&mut ctx, &endpoints);
                for (iface, addr) in &usable {
                    policy.new_local_address(&mut ctx, iface, addr);
                }
                self.flush(now, out);
            }
            Phase::Stopping { deadline } => {
                if self.pending.is_empty() {
                    info!("cleanup complete");
                    self.exit(out);
                } else if *deadline <= now {
                    warn!(
                        "exiting with {} cleanup command(s) unanswered",
                        self.pending.len()
                    );
                    self.exit(out);
                }
            }
            _ => {}
        }
    }

    fn split(&mut self, now: Instant) -> (&mut P, Ctx<'_>) {
        let ctx = Ctx::new(now, &self.monitor, &mut self.ids, &mut self.outbox);
        (&mut self.policy, ctx)
    }
}

fn dispatch_net<P: Policy>(policy: &mut P, ctx: &mut Ctx<'_>, ev: &NetEvent) {
    match ev {
        NetEvent::IfaceNew(i) => policy.new_interface(ctx, i),
        NetEvent::IfaceUpdate(i) => policy.update_interface(ctx, i),
        NetEvent::IfaceGone(i) => policy.delete_interface(ctx, i),
        NetEvent::LocalAddrAdded { iface, addr } => policy.new_local_address(ctx, iface, addr),
        NetEvent::LocalAddrRemoved { iface, addr } => policy.delete_local_address(ctx, iface, addr),
    }
}

fn dispatch_pm<P: Policy>(policy: &mut P, ctx: &mut Ctx<'_>, ev: &PmEvent) {
    match *ev {
        PmEvent::Created(ref c) => policy.new_connection(ctx, c),
        PmEvent::Established(ref c) => policy.connection_established(ctx, c),
        PmEvent::Closed { token } => policy.connection_closed(ctx, token),
        PmEvent::Announced {
            token,
            rem_id,
            addr,
        } => policy.new_address(ctx, token, rem_id, addr),
        PmEvent::Removed { token, rem_id } => policy.address_removed(ctx, token, rem_id),
        PmEvent::SubEstablished(ref s) => policy.new_subflow(ctx, s),
        PmEvent::SubClosed(ref s) => policy.subflow_closed(ctx, s),
        PmEvent::SubPriority(ref s) => policy.subflow_priority(ctx, s),
        PmEvent::ListenerCreated(a) => policy.listener_created(ctx, a),
        PmEvent::ListenerClosed(a) => policy.listener_closed(ctx, a),
    }
}

#[cfg(test)]
mod tests;
