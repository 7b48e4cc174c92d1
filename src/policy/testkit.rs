// SPDX-License-Identifier: BSD-3-Clause
//! Test kit for policies and the daemon core.
//!
//! - [`FakeKernel`] executes MPTCP PM commands with the rules observed on
//!   Linux 6.18 (mptcp-genl.md §2.2, §2.8, §2.9): 8 endpoints at most,
//!   the ERANGE → EBUSY → EEXIST order of ADD_ADDR checks, IMPLICIT
//!   replacement only without an id, DEL_ADDR by id, SET_FLAGS changing
//!   only backup/fullmesh, limits capped at 8.
//! - [`Harness`] drives a [`Daemon`] on a virtual clock: each input is run
//!   to quiescence (commands executed on the fake kernel, route checks
//!   answered from a route table, rtnl dumps answered from a fake host),
//!   and every command sent is recorded, so a test reads
//!   "at T feed X, expect commands [..]".

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use crate::daemon::{Action, Daemon, Input, Settings};
use crate::flags::AddrFlags;
use crate::iface::{
    Addr, IFA_F_PERMANENT, IFF_LOWER_UP, IFF_RUNNING, IFF_UP, IfName, Link, RT_SCOPE_UNIVERSE,
    RouteCheck,
};
use crate::pm::{Command, Endpoint, KernelError, Limits};
use crate::policy::{CmdResult, Policy, Reply, Tag};

/// `MPTCP_PM_ADDR_MAX`: endpoints per netns and highest limit value.
pub const MAX: u32 = 8;

pub const EBUSY: i32 = 16;
pub const EEXIST: i32 = 17;
pub const EINVAL: i32 = 22;
pub const ERANGE: i32 = 34;
pub const EPERM: i32 = 1;
pub const EADDRINUSE: i32 = 98;

pub fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// A link that is UP with carrier.
pub fn up(index: u32, name: &str) -> Link {
    Link {
        index,
        name: IfName::new(name),
        flags: IFF_UP | IFF_RUNNING | IFF_LOWER_UP,
        operstate: Some(6),
    }
}

/// A global, permanent, usable address.
pub fn addr(index: u32, s: &str) -> Addr {
    let a = ip(s);
    Addr {
        index,
        addr: a,
        prefix_len: if a.is_ipv4() { 24 } else { 64 },
        scope: RT_SCOPE_UNIVERSE,
        flags: IFA_F_PERMANENT,
    }
}

pub fn ep(id: u8, s: &str, flags: AddrFlags, ifindex: i32) -> Endpoint {
    Endpoint {
        id,
        addr: ip(s),
        port: 0,
        flags,
        ifindex,
    }
}

/// The in-kernel PM state of one network namespace.
#[derive(Debug, Clone)]
pub struct FakeKernel {
    /// Sorted by id, as GET_ADDR dumps them.
    pub endpoints: Vec<Endpoint>,
    pub subflows: u32,
    pub add_addr_accepted: u32,
    next_id: u8,
    /// (interface index, address) pairs with a default route.
    pub routes: Vec<(u32, IpAddr)>,
    /// Errors for the next command with this op name (`Command::op_name`).
    pub inject: Vec<(&'static str, i32)>,
}

impl Default for FakeKernel {
    fn default() -> Self {
        FakeKernel {
            endpoints: Vec::new(),
            subflows: 2,
            add_addr_accepted: 0,
            next_id: 1,
            routes: Vec::new(),
            inject: Vec::new(),
        }
    }
}

impl FakeKernel {
    /// A table as left by earlier runs or other tools (IMPLICIT entries
    /// included, which ADD_ADDR cannot create).
    pub fn with_endpoints(eps: &[Endpoint]) -> Self {
        let mut k = FakeKernel::default();
        for e in eps {
            assert!(e.id != 0 && k.endpoints.iter().all(|x| x.id != e.id));
            k.insert(*e);
        }
        k
    }

    /// What a join from an unknown local address does: an IMPLICIT entry.
    pub fn implicit(&mut self, s: &str) -> u8 {
        let id = self.alloc_id().expect("free id");
        self.insert(ep(id, s, AddrFlags::IMPLICIT, 0));
        id
    }

    pub fn find(&self, s: &str) -> Option<Endpoint> {
        self.endpoints.iter().copied().find(|e| e.addr == ip(s))
    }

    pub fn execute(&mut self, cmd: &Command) -> CmdResult {
        if let Some(i) = self.inject.iter().position(|(op, _)| *op == cmd.op_name()) {
            let (_, errno) = self.inject.remove(i);
            return Err(KernelError::from_errno(errno));
        }
        let einval = Err(KernelError::from_errno(EINVAL));
        match *cmd {
            Command::AddAddr(ep) => self.add(ep).map(|_| Reply::Ack),
            Command::DelAddr { id: 0 } => Ok(Reply::Ack),
            Command::DelAddr { id } => match self.endpoints.iter().position(|e| e.id == id) {
                Some(i) => {
                    self.endpoints.remove(i);
                    Ok(Reply::Ack)
                }
                None => einval,
            },
            Command::GetAddr { id } => match self.endpoints.iter().find(|e| e.id == id) {
                Some(e) => Ok(Reply::Endpoint(*e)),
                None => einval,
            },
            Command::DumpAddrs { token: None } => Ok(Reply::Endpoints(self.endpoints.clone())),
            Command::DumpAddrs { token: Some(_) } => Ok(Reply::Endpoints(Vec::new())),
            Command::FlushAddrs => {
                self.endpoints.clear();
                self.next_id = 1;
                Ok(Reply::Ack)
            }
            Command::SetLimits(l) => {
                if l.subflows.unwrap_or(0) > MAX || l.add_addr_accepted.unwrap_or(0) > MAX {
                    return einval;
                }
                self.subflows = l.subflows.unwrap_or(self.subflows);
                self.add_addr_accepted = l.add_addr_accepted.unwrap_or(self.add_addr_accepted);
                Ok(Reply::Ack)
            }
            Command::GetLimits => Ok(Reply::Limits(Limits {
                subflows: Some(self.subflows),
                add_addr_accepted: Some(self.add_addr_accepted),
            })),
            Command::SetFlags {
                token: None, local, ..
            } => {
                let found = self.endpoints.iter_mut().find(|e| {
                    if local.id != 0 {
                        e.id == local.id
                    } else {
                        e.addr == local.addr
                    }
                });
                let Some(e) = found else { return einval };
                let toggle = AddrFlags::BACKUP | AddrFlags::FULLMESH;
                let new = e.flags.without(toggle) | AddrFlags(local.flags.0 & toggle.0);
                if new.contains(AddrFlags::SIGNAL | AddrFlags::FULLMESH) {
                    return einval;
                }
                e.flags = new;
                Ok(Reply::Ack)
            }
            // This namespace uses the in-kernel PM.
            _ => einval,
        }
    }

    fn add(&mut self, ep: Endpoint) -> Result<u8, KernelError> {
        let err = |errno| Err(KernelError::from_errno(errno));
        if ep.flags.intersects(AddrFlags::IMPLICIT)
            || ep.flags.contains(AddrFlags::SIGNAL | AddrFlags::FULLMESH)
        {
            return err(EINVAL);
        }
        if self.endpoints.len() >= MAX as usize {
            return err(ERANGE);
        }
        if ep.id != 0 && self.endpoints.iter().any(|e| e.id == ep.id) {
            return err(EBUSY);
        }
        if let Some(cur) = self
            .endpoints
            .iter_mut()
            .find(|e| e.addr == ep.addr && e.port == ep.port)
        {
            if !cur.flags.contains(AddrFlags::IMPLICIT) {
                return err(EEXIST);
            }
            if ep.id != 0 {
                return err(EINVAL);
            }
            cur.flags = ep.flags;
            cur.ifindex = ep.ifindex;
            return Ok(cur.id);
        }
        let id = if ep.id != 0 {
            ep.id
        } else {
            self.alloc_id()
                .ok_or_else(|| KernelError::from_errno(EINVAL))?
        };
        self.insert(Endpoint { id, ..ep });
        Ok(id)
    }

    /// The kernel continues after the last id it handed out, wrapping.
    fn alloc_id(&mut self) -> Option<u8> {
        let free = |id: &u8| !self.endpoints.iter().any(|e| e.id == *id);
        let id = (self.next_id..=255)
            .find(free)
            .or_else(|| (1..=255).find(free))?;
        Some(id)
    }

    fn insert(&mut self, ep: Endpoint) {
        if ep.id > self.next_id {
            self.next_id = ep.id;
        }
        self.endpoints.push(ep);
        self.endpoints.sort_by_key(|e| e.id);
    }
}

/// In which order the event loop runs actions produced while handling
/// an answer: after the ones already queued, or right away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Fifo,
    Immediate,
}

pub struct Harness<P: Policy> {
    pub daemon: Daemon<P>,
    pub kernel: FakeKernel,
    /// The fake host's rtnl state, for dumps.
    pub links: Vec<Link>,
    pub addrs: Vec<Addr>,
    pub order: Order,
    /// When false, commands are held in `held` instead of executed.
    pub auto: bool,
    pub held: Vec<(Tag, Command)>,
    pub route_checks: Vec<(u32, IpAddr)>,
    /// Listening sockets the loop would hold (bound addresses).
    pub listeners: Vec<SocketAddr>,
    pub exited: bool,
    t0: Instant,
    pub now: Instant,
}

impl<P: Policy> Harness<P> {
    pub fn new(settings: Settings, policy: P) -> Self {
        let t0 = Instant::now();
        Harness {
            daemon: Daemon::new(settings, policy),
            kernel: FakeKernel::default(),
            links: Vec::new(),
            addrs: Vec::new(),
            order: Order::Fifo,
            auto: true,
            held: Vec::new(),
            route_checks: Vec::new(),
            listeners: Vec::new(),
            exited: false,
            t0,
            now: t0,
        }
    }

    /// Sets the virtual clock to `ms` milliseconds after the start.
    pub fn at(&mut self, ms: u64) -> &mut Self {
        self.now = self.t0 + Duration::from_millis(ms);
        self
    }

    pub fn ms(&self, at: Instant) -> u64 {
        at.duration_since(self.t0).as_millis() as u64
    }

    /// Feeds one input and runs everything it causes; returns the
    /// commands executed (or held), in order.
    pub fn input(&mut self, input: Input) -> Vec<Command> {
        let mut queue = VecDeque::new();
        let mut sent = Vec::new();
        let mut acts = Vec::new();
        self.daemon.handle(self.now, input, &mut acts);
        queue.extend(acts.drain(..));
        let mut steps = 0;
        while let Some(action) = queue.pop_front() {
            steps += 1;
            assert!(
                steps < 10_000,
                "no quiescence: the core keeps producing actions"
            );
            let next = match action {
                Action::Command { tag, cmd } => {
                    sent.push(cmd);
                    if !self.auto {
                        self.held.push((tag, cmd));
                        continue;
                    }
                    let result = self.kernel.execute(&cmd);
                    Input::CommandResult { tag, result }
                }
                Action::CheckRoute { index, addr } => {
                    self.route_checks.push((index, addr));
                    let has_default = self.kernel.routes.contains(&(index, addr));
                    Input::RouteCheck(RouteCheck {
                        index,
                        addr,
                        has_default,
                    })
                }
                Action::Listen { tag, mut addr } => {
                    if addr.port() == 0 {
                        addr.set_port(40_000 + self.listeners.len() as u16);
                    }
                    let result = if self.listeners.contains(&addr) {
                        Err(KernelError::from_errno(EADDRINUSE))
                    } else {
                        self.listeners.push(addr);
                        Ok(Reply::Listening(addr))
                    };
                    Input::CommandResult { tag, result }
                }
                Action::CloseListener { tag, addr } => {
                    let known = self.listeners.contains(&addr);
                    self.listeners.retain(|l| *l != addr);
                    let result = match known {
                        true => Ok(Reply::Ack),
                        false => Err(KernelError::from_errno(EINVAL)),
                    };
                    Input::CommandResult { tag, result }
                }
                Action::DumpRtnl => Input::RtnlDump {
                    links: self.links.clone(),
                    addrs: self.addrs.clone(),
                },
                Action::Exit => {
                    self.exited = true;
                    continue;
                }
            };
            self.daemon.handle(self.now, next, &mut acts);
            match self.order {
                Order::Fifo => queue.extend(acts.drain(..)),
                Order::Immediate => {
                    for a in acts.drain(..).rev() {
                        queue.push_front(a);
                    }
                }
            }
        }
        sent
    }

    /// Answers a held command (with `auto` off) and runs what follows.
    pub fn answer(&mut self, tag: Tag, result: CmdResult) -> Vec<Command> {
        self.held.retain(|(t, _)| *t != tag);
        self.input(Input::CommandResult { tag, result })
    }

    pub fn start(&mut self) -> Vec<Command> {
        self.input(Input::Start)
    }

    /// RTM_NEWLINK on the fake host.
    pub fn link(&mut self, link: Link) -> Vec<Command> {
        match self.links.iter_mut().find(|l| l.index == link.index) {
            Some(l) => *l = link,
            None => self.links.push(link),
        }
        self.input(Input::NewLink(link))
    }

    /// Carrier on or off (RUNNING and LOWER_UP follow it).
    pub fn carrier(&mut self, index: u32, on: bool) -> Vec<Command> {
        let mut link = *self
            .links
            .iter()
            .find(|l| l.index == index)
            .expect("known link");
        if on {
            link.flags |= IFF_RUNNING | IFF_LOWER_UP;
        } else {
            link.flags &= !(IFF_RUNNING | IFF_LOWER_UP);
        }
        self.link(link)
    }

    /// The kernel's sequence for a deleted interface: DELADDR for each
    /// address, then DELLINK.
    pub fn del_link(&mut self, index: u32) -> Vec<Command> {
        let mut sent = Vec::new();
        let gone: Vec<Addr> = self
            .addrs
            .iter()
            .copied()
            .filter(|a| a.index == index)
            .collect();
        for a in gone {
            sent.extend(self.del_addr(a));
        }
        let link = *self
            .links
            .iter()
            .find(|l| l.index == index)
            .expect("known link");
        self.links.retain(|l| l.index != index);
        sent.extend(self.input(Input::DelLink(link)));
        sent
    }

    /// RTM_NEWADDR on the fake host (an upsert).
    pub fn addr(&mut self, a: Addr) -> Vec<Command> {
        match self
            .addrs
            .iter_mut()
            .find(|x| x.index == a.index && x.addr == a.addr)
        {
            Some(x) => *x = a,
            None => self.addrs.push(a),
        }
        self.input(Input::NewAddr(a))
    }

    pub fn del_addr(&mut self, a: Addr) -> Vec<Command> {
        self.addrs
            .retain(|x| !(x.index == a.index && x.addr == a.addr));
        self.input(Input::DelAddr(a))
    }

    /// Moves the clock to the core's deadline and feeds `Timer`.
    pub fn timer(&mut self) -> Vec<Command> {
        let at = self.daemon.poll_at().expect("a deadline");
        self.now = self.now.max(at);
        self.input(Input::Timer)
    }
}
