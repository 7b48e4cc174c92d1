// SPDX-License-Identifier: BSD-3-Clause
//! The policy API: what a path-management policy is told ([`Policy`]),
//! what it may do ([`Ctx`]), and which policies are compiled in.
//!
//! mptcpd loaded policies as plugins; here each one is a module under
//! `policies/`, compiled in by its cargo feature and chosen at run time
//! by name ([`new_policy`], [`select`]). Dispatch is static: [`Selected`]
//! is an enum with one variant per compiled-in policy.
//!
//! Unlike mptcpd, every command a policy sends gets a [`Tag`], and the
//! kernel's answer (ACK, error with errno and extended-ACK text, or reply
//! data) comes back to the policy through [`Policy::command_result`].
//! The daemon's event loop executes commands in order and answers each
//! one; a policy must still not assume that an answer arrives before the
//! next callback. See `policies/README.md` for the full contract.

use std::net::SocketAddr;
use std::time::Instant;

use crate::daemon::Settings;
use crate::flags::AddrFlags;
use crate::ids::IdManager;
use crate::iface::Addr;
use crate::monitor::{Interface, Monitor};
use crate::pm::{Command, ConnInfo, Endpoint, KernelError, Limits, SubflowInfo, Token};
use crate::status::PolicyStatus;

#[cfg(feature = "addr_adv")]
#[path = "../policies/addr_adv.rs"]
pub mod addr_adv;

#[cfg(feature = "sspi")]
#[path = "../policies/sspi.rs"]
pub mod sspi;

#[cfg(test)]
pub mod testkit;

/// Names one command; its result comes back with the same tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(pub u64);

/// A successful answer from the kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// The command was applied (NLMSG_ERROR with code 0).
    Ack,
    /// GET_ADDR dump, in the kernel's order (by id).
    Endpoints(Vec<Endpoint>),
    /// GET_ADDR do.
    Endpoint(Endpoint),
    /// GET_LIMITS.
    Limits(Limits),
    /// [`Request::Listen`]: the address the socket is bound to (with the
    /// port the kernel chose when 0 was asked).
    Listening(SocketAddr),
}

/// One thing a policy asks the event loop for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// An MPTCP path-manager command.
    Pm(Command),
    /// Open an MPTCP listening socket (`IPPROTO_MPTCP`, bind, listen) on
    /// `addr`, port 0 = ephemeral. A userspace PM needs one before it
    /// announces an address: peers join to the announced address and
    /// port, and the kernel refuses joins nothing listens for.
    Listen(SocketAddr),
    /// Close the listener bound to this address (as returned in
    /// [`Reply::Listening`]); answered with [`Reply::Ack`].
    CloseListener(SocketAddr),
}

impl Request {
    /// mptcpd's operation name, for log lines.
    pub fn op_name(&self) -> &'static str {
        match self {
            Request::Pm(c) => c.op_name(),
            Request::Listen(_) => "listen",
            Request::CloseListener(_) => "close_listener",
        }
    }
}

/// What a command came to.
pub type CmdResult = Result<Reply, KernelError>;

/// The command interface's recorder. Commands are only recorded here,
/// in order; the daemon turns them into actions for the event loop, and
/// tests read them back. Nothing is sent from inside a policy callback.
#[derive(Debug, Default)]
pub struct Outbox {
    next: u64,
    queued: Vec<(Tag, Request)>,
}

impl Outbox {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, req: Request) -> Tag {
        self.next += 1;
        let tag = Tag(self.next);
        self.queued.push((tag, req));
        tag
    }

    /// Commands recorded and not yet taken.
    pub fn queued(&self) -> &[(Tag, Request)] {
        &self.queued
    }

    pub fn take(&mut self) -> std::vec::Drain<'_, (Tag, Request)> {
        self.queued.drain(..)
    }
}

/// What a policy callback may use: the clock value of this input, a
/// read-only view of the network monitor, the address-id manager, and
/// the command interface.
pub struct Ctx<'a> {
    now: Instant,
    net: &'a Monitor,
    ids: &'a mut IdManager,
    out: &'a mut Outbox,
}

impl<'a> Ctx<'a> {
    pub fn new(
        now: Instant,
        net: &'a Monitor,
        ids: &'a mut IdManager,
        out: &'a mut Outbox,
    ) -> Self {
        Ctx { now, net, ids, out }
    }

    /// The time of the input being handled (never read from a clock).
    pub fn now(&self) -> Instant {
        self.now
    }

    /// Interfaces and their usable addresses.
    pub fn net(&self) -> &Monitor {
        self.net
    }

    /// The daemon's address-id manager (in-kernel PM endpoint ids),
    /// seeded from the kernel's endpoint table at start.
    pub fn ids(&mut self) -> &mut IdManager {
        self.ids
    }

    /// Any command; the helpers below are shorthands.
    pub fn send(&mut self, cmd: Command) -> Tag {
        self.out.push(Request::Pm(cmd))
    }

    /// Any request (command or listener).
    pub fn request(&mut self, req: Request) -> Tag {
        self.out.push(req)
    }

    /// Opens an MPTCP listener on `addr`; see [`Request::Listen`].
    pub fn listen(&mut self, addr: SocketAddr) -> Tag {
        self.request(Request::Listen(addr))
    }

    /// Closes the listener bound to `addr`.
    pub fn close_listener(&mut self, addr: SocketAddr) -> Tag {
        self.request(Request::CloseListener(addr))
    }

    // In-kernel path manager.

    /// ADD_ADDR. `ep.id` 0 lets the kernel pick (and converts an
    /// IMPLICIT endpoint of the same address, keeping its id).
    pub fn add_addr(&mut self, ep: Endpoint) -> Tag {
        self.send(Command::AddAddr(ep))
    }

    /// DEL_ADDR by id (id 0 removes no endpoint: do not send it).
    pub fn del_addr(&mut self, id: u8) -> Tag {
        self.send(Command::DelAddr { id })
    }

    pub fn get_addr(&mut self, id: u8) -> Tag {
        self.send(Command::GetAddr { id })
    }

    /// GET_ADDR dump of the endpoint table; answered with
    /// [`Reply::Endpoints`].
    pub fn dump_addrs(&mut self) -> Tag {
        self.send(Command::DumpAddrs { token: None })
    }

    pub fn flush_addrs(&mut self) -> Tag {
        self.send(Command::FlushAddrs)
    }

    /// SET_LIMITS; `None` fields stay unchanged in the kernel.
    pub fn set_limits(&mut self, limits: Limits) -> Tag {
        self.send(Command::SetLimits(limits))
    }

    pub fn get_limits(&mut self) -> Tag {
        self.send(Command::GetLimits)
    }

    /// SET_FLAGS on an endpoint (by `ep.id`, or by address when 0). Only
    /// `backup` and `fullmesh` can change this way.
    pub fn set_flags(&mut self, ep: Endpoint) -> Tag {
        self.send(Command::SetFlags {
            token: None,
            local: ep,
            remote: None,
        })
    }

    // Userspace path manager, per connection.

    /// ANNOUNCE `addr` (id ≠ 0, `signal` set) on connection `token`.
    pub fn announce(&mut self, token: Token, addr: Endpoint) -> Tag {
        self.send(Command::Announce { token, addr })
    }

    /// REMOVE the announcement with local id `loc_id`.
    pub fn remove(&mut self, token: Token, loc_id: u8) -> Tag {
        self.send(Command::Remove { token, loc_id })
    }

    pub fn subflow_create(&mut self, token: Token, local: Endpoint, remote: SocketAddr) -> Tag {
        self.send(Command::SubflowCreate {
            token,
            local,
            remote,
        })
    }

    pub fn subflow_destroy(&mut self, token: Token, local: SocketAddr, remote: SocketAddr) -> Tag {
        self.send(Command::SubflowDestroy {
            token,
            local,
            remote,
        })
    }

    /// SET_FLAGS `backup` on the subflows between `local` and `remote`.
    pub fn set_backup(
        &mut self,
        token: Token,
        local: SocketAddr,
        remote: SocketAddr,
        backup: bool,
    ) -> Tag {
        let flags = if backup {
            AddrFlags::BACKUP
        } else {
            AddrFlags::empty()
        };
        self.send(Command::SetFlags {
            token: Some(token),
            local: Endpoint {
                id: 0,
                addr: local.ip(),
                port: local.port(),
                flags,
                ifindex: 0,
            },
            remote: Some(remote),
        })
    }

    /// GET_ADDR dump of the addresses of a userspace-PM connection.
    pub fn dump_conn_addrs(&mut self, token: Token) -> Tag {
        self.send(Command::DumpAddrs { token: Some(token) })
    }
}

/// A path-management policy. Every callback has a no-op default, so a
/// policy implements only what it reacts to. Callbacks never block and
/// never do I/O: they record commands through the [`Ctx`].
///
/// Connection callbacks are mptcpd's (`new_connection` = CREATED, …),
/// network callbacks likewise (`new_local_address`, …; see
/// [`crate::monitor`] for when each fires).
#[allow(unused_variables)]
pub trait Policy {
    /// The name it is selected by (`--path-manager`).
    fn name(&self) -> &'static str;

    /// The daemon is synchronised: `endpoints` is the kernel's in-kernel
    /// PM endpoint table at start (empty if it could not be read). The
    /// usable addresses follow as `new_local_address` right after.
    fn ready(&mut self, ctx: &mut Ctx<'_>, endpoints: &[Endpoint]) {}

    fn new_connection(&mut self, ctx: &mut Ctx<'_>, conn: &ConnInfo) {}
    fn connection_established(&mut self, ctx: &mut Ctx<'_>, conn: &ConnInfo) {}
    fn connection_closed(&mut self, ctx: &mut Ctx<'_>, token: Token) {}
    /// The peer announced `addr` with id `rem_id` (ANNOUNCED).
    fn new_address(&mut self, ctx: &mut Ctx<'_>, token: Token, rem_id: u8, addr: SocketAddr) {}
    /// The peer withdrew address `rem_id` (REMOVED).
    fn address_removed(&mut self, ctx: &mut Ctx<'_>, token: Token, rem_id: u8) {}
    fn new_subflow(&mut self, ctx: &mut Ctx<'_>, sf: &SubflowInfo) {}
    fn subflow_closed(&mut self, ctx: &mut Ctx<'_>, sf: &SubflowInfo) {}
    fn subflow_priority(&mut self, ctx: &mut Ctx<'_>, sf: &SubflowInfo) {}
    fn listener_created(&mut self, ctx: &mut Ctx<'_>, addr: SocketAddr) {}
    fn listener_closed(&mut self, ctx: &mut Ctx<'_>, addr: SocketAddr) {}

    fn new_interface(&mut self, ctx: &mut Ctx<'_>, iface: &Interface) {}
    fn update_interface(&mut self, ctx: &mut Ctx<'_>, iface: &Interface) {}
    fn delete_interface(&mut self, ctx: &mut Ctx<'_>, iface: &Interface) {}
    fn new_local_address(&mut self, ctx: &mut Ctx<'_>, iface: &Interface, addr: &Addr) {}
    fn delete_local_address(&mut self, ctx: &mut Ctx<'_>, iface: &Interface, addr: &Addr) {}

    /// The answer to a command this policy sent. The default logs
    /// failures in mptcpd's shape ("add_addr: <extack>: <strerror>").
    fn command_result(&mut self, ctx: &mut Ctx<'_>, tag: Tag, req: &Request, result: &CmdResult) {
        if let Err(e) = result {
            log::error!("{}: {}", req.op_name(), e);
        }
    }

    /// MPTCP events were lost, or the kernel state may have been changed
    /// behind our back: compare with the kernel and repair.
    fn resync(&mut self, ctx: &mut Ctx<'_>) {}

    /// The policy's next deadline; [`Policy::on_timer`] runs once it is due.
    fn poll_at(&self) -> Option<Instant> {
        None
    }
    fn on_timer(&mut self, ctx: &mut Ctx<'_>) {}

    /// SIGTERM: undo what should not outlive the daemon. The daemon exits
    /// once every command sent from here (and from the results that
    /// follow) is answered, or after [`crate::daemon::SHUTDOWN_GRACE`].
    fn shutdown(&mut self, ctx: &mut Ctx<'_>) {}

    /// New settings (reload). The monitor has already judged every
    /// interface and address under them (`ctx.net()` shows the result);
    /// the network callbacks for the differences follow right after this
    /// one. Re-read kernel state here if your picture may be stale.
    fn reconfigure(&mut self, ctx: &mut Ctx<'_>, settings: &Settings) {}

    /// Adds what the policy owns (endpoints) and tracks (connections and
    /// subflows) to a status report.
    fn status(&self, out: &mut PolicyStatus) {}
}

/// Names of the compiled-in policies, in preference order: without a
/// (matching) `path-manager` setting the first one is used, as mptcpd
/// used its highest-priority plugin.
pub const COMPILED_IN: &[&str] = &[
    #[cfg(feature = "addr_adv")]
    addr_adv::NAME,
    #[cfg(feature = "sspi")]
    sspi::NAME,
];

/// The compiled-in policies. To add one: a variant here, an arm in
/// [`new_policy`] and in `each!`, a name in [`COMPILED_IN`].
pub enum Selected {
    #[cfg(feature = "addr_adv")]
    AddrAdv(addr_adv::AddrAdv),
    #[cfg(feature = "sspi")]
    Sspi(sspi::Sspi),
}

/// The policy called exactly `name`, if compiled in.
pub fn new_policy(name: &str, settings: &Settings) -> Option<Selected> {
    let _ = settings;
    match name {
        #[cfg(feature = "addr_adv")]
        addr_adv::NAME => Some(Selected::AddrAdv(addr_adv::AddrAdv::new(settings))),
        #[cfg(feature = "sspi")]
        sspi::NAME => Some(Selected::Sspi(sspi::Sspi::new(settings))),
        _ => None,
    }
}

/// Calls `$call` on whichever policy is selected.
macro_rules! each {
    ($self:ident, ref $p:ident => $call:expr) => {
        match *$self {
            #[cfg(feature = "addr_adv")]
            Selected::AddrAdv(ref $p) => $call,
            #[cfg(feature = "sspi")]
            Selected::Sspi(ref $p) => $call,
        }
    };
    ($self:ident, mut $p:ident => $call:expr) => {
        match *$self {
            #[cfg(feature = "addr_adv")]
            Selected::AddrAdv(ref mut $p) => $call,
            #[cfg(feature = "sspi")]
            Selected::Sspi(ref mut $p) => $call,
        }
    };
}

#[allow(unused_variables)]
impl Policy for Selected {
    fn name(&self) -> &'static str {
        each!(self, ref p => p.name())
    }
    fn ready(&mut self, ctx: &mut Ctx<'_>, endpoints: &[Endpoint]) {
        each!(self, mut p => p.ready(ctx, endpoints))
    }
    fn new_connection(&mut self, ctx: &mut Ctx<'_>, conn: &ConnInfo) {
        each!(self, mut p => p.new_connection(ctx, conn))
    }
    fn connection_established(&mut self, ctx: &mut Ctx<'_>, conn: &ConnInfo) {
        each!(self, mut p => p.connection_established(ctx, conn))
    }
    fn connection_closed(&mut self, ctx: &mut Ctx<'_>, token: Token) {
        each!(self, mut p => p.connection_closed(ctx, token))
    }
    fn new_address(&mut self, ctx: &mut Ctx<'_>, token: Token, rem_id: u8, addr: SocketAddr) {
        each!(self, mut p => p.new_address(ctx, token, rem_id, addr))
    }
    fn address_removed(&mut self, ctx: &mut Ctx<'_>, token: Token, rem_id: u8) {
        each!(self, mut p => p.address_removed(ctx, token, rem_id))
    }
    fn new_subflow(&mut self, ctx: &mut Ctx<'_>, sf: &SubflowInfo) {
        each!(self, mut p => p.new_subflow(ctx, sf))
    }
    fn subflow_closed(&mut self, ctx: &mut Ctx<'_>, sf: &SubflowInfo) {
        each!(self, mut p => p.subflow_closed(ctx, sf))
    }
    fn subflow_priority(&mut self, ctx: &mut Ctx<'_>, sf: &SubflowInfo) {
        each!(self, mut p => p.subflow_priority(ctx, sf))
    }
    fn listener_created(&mut self, ctx: &mut Ctx<'_>, addr: SocketAddr) {
        each!(self, mut p => p.listener_created(ctx, addr))
    }
    fn listener_closed(&mut self, ctx: &mut Ctx<'_>, addr: SocketAddr) {
        each!(self, mut p => p.listener_closed(ctx, addr))
    }
    fn new_interface(&mut self, ctx: &mut Ctx<'_>, iface: &Interface) {
        each!(self, mut p => p.new_interface(ctx, iface))
    }
    fn update_interface(&mut self, ctx: &mut Ctx<'_>, iface: &Interface) {
        each!(self, mut p => p.update_interface(ctx, iface))
    }
    fn delete_interface(&mut self, ctx: &mut Ctx<'_>, iface: &Interface) {
        each!(self, mut p => p.delete_interface(ctx, iface))
    }
    fn new_local_address(&mut self, ctx: &mut Ctx<'_>, iface: &Interface, addr: &Addr) {
        each!(self, mut p => p.new_local_address(ctx, iface, addr))
    }
    fn delete_local_address(&mut self, ctx: &mut Ctx<'_>, iface: &Interface, addr: &Addr) {
        each!(self, mut p => p.delete_local_address(ctx, iface, addr))
    }
    fn command_result(&mut self, ctx: &mut Ctx<'_>, tag: Tag, req: &Request, result: &CmdResult) {
        each!(self, mut p => p.command_result(ctx, tag, req, result))
    }
    fn resync(&mut self, ctx: &mut Ctx<'_>) {
        each!(self, mut p => p.resync(ctx))
    }
    fn poll_at(&self) -> Option<Instant> {
        each!(self, ref p => p.poll_at())
    }
    fn on_timer(&mut self, ctx: &mut Ctx<'_>) {
        each!(self, mut p => p.on_timer(ctx))
    }
    fn shutdown(&mut self, ctx: &mut Ctx<'_>) {
        each!(self, mut p => p.shutdown(ctx))
    }
    fn reconfigure(&mut self, ctx: &mut Ctx<'_>, settings: &Settings) {
        each!(self, mut p => p.reconfigure(ctx, settings))
    }
    fn status(&self, out: &mut PolicyStatus) {
        each!(self, ref p => p.status(out))
    }
}
