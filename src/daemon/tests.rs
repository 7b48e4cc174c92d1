// SPDX-License-Identifier: BSD-3-Clause
//! Timeline tests of the core: startup order, dispatch to the policy,
//! tags, timers, shutdown. A recording policy stands in for a real one.

use std::net::SocketAddr;

use super::*;
use crate::monitor::Interface;
use crate::pm::{ConnInfo, KernelError, Token};
use crate::policy::testkit::{EPERM, addr, ep, ip, up};
use crate::policy::{self, Ctx};

#[derive(Default)]
struct Rec {
    log: Vec<String>,
    /// Sent from `ready` / `shutdown` / `on_timer`.
    on_ready: Vec<Command>,
    on_shutdown: Vec<Command>,
    timer_at: Option<Instant>,
    results: Vec<(Tag, Request, CmdResult)>,
    listen_on_ready: Option<SocketAddr>,
    /// Reported by `status`.
    conns: Vec<crate::status::ConnStatus>,
}

impl Policy for Rec {
    fn name(&self) -> &'static str {
        "rec"
    }
    fn ready(&mut self, ctx: &mut Ctx<'_>, endpoints: &[Endpoint]) {
        self.log.push(format!("ready {}", endpoints.len()));
        for c in &self.on_ready {
            ctx.send(*c);
        }
        if let Some(a) = self.listen_on_ready {
            ctx.listen(a);
        }
    }
    fn new_connection(&mut self, _: &mut Ctx<'_>, c: &ConnInfo) {
        self.log.push(format!("new_connection {}", c.token));
    }
    fn connection_closed(&mut self, _: &mut Ctx<'_>, token: Token) {
        self.log.push(format!("connection_closed {token}"));
    }
    fn new_address(&mut self, _: &mut Ctx<'_>, token: Token, rem_id: u8, a: SocketAddr) {
        self.log.push(format!("new_address {token} {rem_id} {a}"));
    }
    fn listener_created(&mut self, _: &mut Ctx<'_>, a: SocketAddr) {
        self.log.push(format!("listener_created {a}"));
    }
    fn new_interface(&mut self, _: &mut Ctx<'_>, i: &Interface) {
        self.log.push(format!("new_interface {}", i.name));
    }
    fn delete_interface(&mut self, _: &mut Ctx<'_>, i: &Interface) {
        self.log.push(format!("delete_interface {}", i.name));
    }
    fn new_local_address(&mut self, ctx: &mut Ctx<'_>, i: &Interface, a: &Addr) {
        // The view already shows the address.
        assert!(ctx.net().local_addrs(i.index).any(|x| x.addr == a.addr));
        self.log
            .push(format!("new_local_address {}@{}", a.addr, i.index));
    }
    fn delete_local_address(&mut self, _: &mut Ctx<'_>, i: &Interface, a: &Addr) {
        self.log
            .push(format!("delete_local_address {}@{}", a.addr, i.index));
    }
    fn command_result(&mut self, _: &mut Ctx<'_>, tag: Tag, req: &Request, r: &CmdResult) {
        self.results.push((tag, *req, r.clone()));
    }
    fn resync(&mut self, _: &mut Ctx<'_>) {
        self.log.push("resync".into());
    }
    fn poll_at(&self) -> Option<Instant> {
        self.timer_at
    }
    fn on_timer(&mut self, _: &mut Ctx<'_>) {
        self.log.push("timer".into());
        self.timer_at = None;
    }
    fn shutdown(&mut self, ctx: &mut Ctx<'_>) {
        self.log.push("shutdown".into());
        for c in &self.on_shutdown {
            ctx.send(*c);
        }
    }
    fn reconfigure(&mut self, ctx: &mut Ctx<'_>, s: &Settings) {
        // The monitor view already shows the new state.
        let usable = ctx.net().interfaces().count();
        self.log.push(format!(
            "reconfigure {} rule(s), {usable} usable",
            s.rules.rules.len()
        ));
    }
    fn status(&self, out: &mut crate::status::PolicyStatus) {
        out.connections.extend(self.conns.iter().cloned());
    }
}

struct T {
    d: Daemon<Rec>,
    t0: Instant,
}

fn daemon(notify: NotifyFlags, rec: Rec) -> T {
    T {
        d: Daemon::new(Settings::new(AddrFlags::SUBFLOW, notify), rec),
        t0: Instant::now(),
    }
}

impl T {
    fn at(&self, ms: u64) -> Instant {
        self.t0 + Duration::from_millis(ms)
    }
    fn feed(&mut self, ms: u64, input: Input) -> Vec<Action> {
        let mut out = Vec::new();
        self.d.handle(self.at(ms), input, &mut out);
        out
    }
    fn log(&mut self) -> Vec<String> {
        std::mem::take(&mut self.d.policy.log)
    }
    /// Start with this rtnl snapshot and endpoint table; returns the
    /// actions produced when the policy became ready.
    fn start(&mut self, links: &[Link], addrs: &[Addr], eps: Vec<Endpoint>) -> Vec<Action> {
        let acts = self.feed(0, Input::Start);
        let Action::Command { tag, cmd } = acts[1] else {
            panic!("{acts:?}")
        };
        assert_eq!(acts[0], Action::DumpRtnl);
        assert_eq!(cmd, Command::DumpAddrs { token: None });
        let dump = Input::RtnlDump {
            links: links.to_vec(),
            addrs: addrs.to_vec(),
        };
        let mut got = self.feed(0, dump);
        got.extend(self.feed(
            0,
            Input::CommandResult {
                tag,
                result: Ok(Reply::Endpoints(eps)),
            },
        ));
        got
    }
}

fn cmd_tags(acts: &[Action]) -> Vec<(Tag, Command)> {
    acts.iter()
        .filter_map(|a| match a {
            Action::Command { tag, cmd } => Some((*tag, *cmd)),
            _ => None,
        })
        .collect()
}

#[test]
fn startup_waits_for_both_dumps_then_ready_then_addresses() {
    let mut t = daemon(NotifyFlags::EXISTING, Rec::default());
    let acts = t.feed(0, Input::Start);
    assert_eq!(acts.len(), 2, "{acts:?}");
    let Action::Command { tag, .. } = acts[1] else {
        panic!()
    };
    assert_eq!(t.feed(0, Input::Start), [], "only once");
    // Events before ready reach the monitor, not the policy.
    t.feed(1, Input::NewLink(up(3, "eth2")));
    let dump = Input::RtnlDump {
        links: vec![up(2, "eth1"), up(3, "eth2")],
        addrs: vec![addr(2, "192.0.2.1")],
    };
    t.feed(2, dump);
    t.feed(3, Input::NewAddr(addr(3, "198.51.100.1")));
    assert!(!t.d.is_running());
    assert_eq!(t.log(), Vec::<String>::new());
    let table = vec![ep(5, "203.0.113.9", AddrFlags::SIGNAL, 0)];
    let result = Ok(Reply::Endpoints(table));
    t.feed(4, Input::CommandResult { tag, result });
    assert!(t.d.is_running());
    // In the monitor's table order: eth2 was seen first.
    assert_eq!(
        t.log(),
        [
            "ready 1",
            "new_local_address 198.51.100.1@3",
            "new_local_address 192.0.2.1@2",
        ]
    );
    // Ids in use in the kernel are never handed out.
    assert_eq!(t.d.ids().get(ip("203.0.113.9")), Some(5));
}

#[test]
fn startup_without_endpoint_table() {
    let mut t = daemon(NotifyFlags::default(), Rec::default());
    let acts = t.feed(0, Input::Start);
    let Action::Command { tag, .. } = acts[1] else {
        panic!()
    };
    let result = Err(KernelError::from_errno(EPERM));
    t.feed(0, Input::CommandResult { tag, result });
    assert!(!t.d.is_running(), "rtnl dump still missing");
    t.feed(
        0,
        Input::RtnlDump {
            links: vec![],
            addrs: vec![],
        },
    );
    assert_eq!(t.log(), ["ready 0"]);
}

#[test]
fn policy_commands_become_tagged_actions_and_results_come_back() {
    let rec = Rec {
        on_ready: vec![Command::GetLimits, Command::DelAddr { id: 3 }],
        ..Rec::default()
    };
    let mut t = daemon(NotifyFlags::default(), rec);
    let acts = t.start(&[], &[], vec![]);
    let sent = cmd_tags(&acts);
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].1, Command::GetLimits);
    assert_ne!(sent[0].0, sent[1].0, "distinct tags");
    assert_eq!(t.d.pending_commands(), 2);
    let err = Err(KernelError::from_errno(22));
    t.feed(
        1,
        Input::CommandResult {
            tag: sent[1].0,
            result: err.clone(),
        },
    );
    t.feed(
        1,
        Input::CommandResult {
            tag: Tag(999),
            result: Ok(Reply::Ack),
        },
    );
    assert_eq!(
        t.d.policy().results,
        [(sent[1].0, Request::Pm(sent[1].1), err)]
    );
    assert_eq!(t.d.pending_commands(), 1);
}

#[test]
fn network_events_reach_the_policy_in_order() {
    let mut t = daemon(NotifyFlags::default(), Rec::default());
    t.start(&[up(2, "eth1")], &[], vec![]);
    t.log();
    t.feed(10, Input::NewAddr(addr(2, "192.0.2.1")));
    let mut lost = up(2, "eth1");
    lost.flags &= !crate::iface::IFF_RUNNING;
    t.feed(20, Input::NewLink(lost));
    t.feed(30, Input::NewLink(up(2, "eth1")));
    assert_eq!(
        t.log(),
        [
            "new_local_address 192.0.2.1@2",
            "delete_local_address 192.0.2.1@2",
            "delete_interface eth1",
            "new_interface eth1",
            "new_local_address 192.0.2.1@2",
        ]
    );
}

#[test]
fn mptcp_events_dispatch_only_when_ready() {
    let mut t = daemon(NotifyFlags::default(), Rec::default());
    let sa: SocketAddr = "192.0.2.1:80".parse().unwrap();
    let conn = ConnInfo {
        token: 7,
        local: sa,
        remote: "198.51.100.2:4000".parse().unwrap(),
        server_side: true,
        deny_join_id0: false,
    };
    t.feed(0, Input::Pm(PmEvent::Created(conn)));
    t.start(&[], &[], vec![]);
    t.log();
    t.feed(1, Input::Pm(PmEvent::Created(conn)));
    t.feed(
        2,
        Input::Pm(PmEvent::Announced {
            token: 7,
            rem_id: 2,
            addr: sa,
        }),
    );
    t.feed(3, Input::Pm(PmEvent::ListenerCreated(sa)));
    t.feed(4, Input::Pm(PmEvent::Closed { token: 7 }));
    assert_eq!(
        t.log(),
        [
            "new_connection 7",
            "new_address 7 2 192.0.2.1:80",
            "listener_created 192.0.2.1:80",
            "connection_closed 7"
        ]
    );
}

#[test]
fn idle_core_never_wakes_up() {
    let mut t = daemon(NotifyFlags::CHECK_ROUTE, Rec::default());
    assert_eq!(t.d.poll_at(), None);
    t.start(&[up(2, "eth1")], &[], vec![]);
    assert_eq!(t.d.poll_at(), None);
    t.feed(5, Input::RouteChanged);
    assert_eq!(t.d.poll_at(), Some(t.at(5) + crate::monitor::ROUTE_SETTLE));
    assert_eq!(t.feed(6, Input::Timer), [], "not due yet");
    t.feed(200, Input::Timer);
    assert_eq!(t.d.poll_at(), None);
}

#[test]
fn route_checks_are_actions_and_answers_report() {
    let mut t = daemon(NotifyFlags::CHECK_ROUTE, Rec::default());
    t.start(&[up(2, "eth1")], &[], vec![]);
    t.log();
    let acts = t.feed(10, Input::NewAddr(addr(2, "192.0.2.1")));
    let check = Action::CheckRoute {
        index: 2,
        addr: ip("192.0.2.1"),
    };
    assert_eq!(acts, std::slice::from_ref(&check));
    assert_eq!(t.log(), Vec::<String>::new());
    let answer = RouteCheck {
        index: 2,
        addr: ip("192.0.2.1"),
        has_default: true,
    };
    t.feed(11, Input::RouteCheck(answer));
    assert_eq!(t.log(), ["new_local_address 192.0.2.1@2"]);
    // Route change: re-check after the settle time, via the timer.
    t.feed(20, Input::RouteChanged);
    assert_eq!(t.feed(20 + 100, Input::Timer), [check]);
}

#[test]
fn policy_timer_runs_when_due() {
    let mut t = daemon(NotifyFlags::default(), Rec::default());
    t.start(&[], &[], vec![]);
    t.log();
    t.d.policy.timer_at = Some(t.at(50));
    assert_eq!(t.d.poll_at(), Some(t.at(50)));
    t.feed(49, Input::Timer);
    assert_eq!(t.log(), Vec::<String>::new());
    t.feed(50, Input::Timer);
    assert_eq!(t.log(), ["timer"]);
    assert_eq!(t.d.poll_at(), None);
}

#[test]
fn overrun_asks_for_a_dump_and_applies_the_difference() {
    let mut t = daemon(NotifyFlags::default(), Rec::default());
    t.start(&[up(2, "eth1")], &[], vec![]);
    t.feed(1, Input::NewAddr(addr(2, "192.0.2.1")));
    t.log();
    assert_eq!(t.feed(2, Input::RtnlOverrun), [Action::DumpRtnl]);
    let dump = Input::RtnlDump {
        links: vec![up(2, "eth1")],
        addrs: vec![addr(2, "192.0.2.1"), addr(2, "192.0.2.7")],
    };
    t.feed(3, dump);
    assert_eq!(t.log(), ["new_local_address 192.0.2.7@2"]);
}

#[test]
fn events_lost_asks_the_policy_to_resync() {
    let mut t = daemon(NotifyFlags::default(), Rec::default());
    t.feed(0, Input::EventsLost);
    t.start(&[], &[], vec![]);
    t.log();
    t.feed(1, Input::EventsLost);
    assert_eq!(t.log(), ["resync"]);
}

#[test]
fn shutdown_waits_for_cleanup_answers_then_exits() {
    let rec = Rec {
        on_shutdown: vec![Command::DelAddr { id: 1 }, Command::DelAddr { id: 2 }],
        ..Rec::default()
    };
    let mut t = daemon(NotifyFlags::default(), rec);
    t.start(&[up(2, "eth1")], &[], vec![]);
    let acts = t.feed(100, Input::Shutdown);
    let sent = cmd_tags(&acts);
    assert_eq!(sent.len(), 2);
    assert!(!acts.contains(&Action::Exit));
    assert_eq!(t.d.poll_at(), Some(t.at(100) + SHUTDOWN_GRACE));
    // Network and MPTCP events no longer reach the policy.
    t.log();
    t.feed(101, Input::NewAddr(addr(2, "192.0.2.1")));
    assert_eq!(t.log(), Vec::<String>::new());
    let ack = |tag| Input::CommandResult {
        tag,
        result: Ok(Reply::Ack),
    };
    assert!(!t.feed(102, ack(sent[0].0)).contains(&Action::Exit));
    assert_eq!(t.feed(103, ack(sent[1].0)), [Action::Exit]);
    assert_eq!(t.d.poll_at(), None);
    assert_eq!(t.feed(104, Input::Shutdown), [], "stopped: nothing more");
}

#[test]
fn shutdown_gives_up_after_the_grace_period() {
    let rec = Rec {
        on_shutdown: vec![Command::DelAddr { id: 1 }],
        ..Rec::default()
    };
    let mut t = daemon(NotifyFlags::default(), rec);
    t.start(&[], &[], vec![]);
    t.feed(0, Input::Shutdown);
    let grace = SHUTDOWN_GRACE.as_millis() as u64;
    assert_eq!(t.feed(grace - 1, Input::Timer), []);
    assert_eq!(t.feed(grace, Input::Timer), [Action::Exit]);
}

#[test]
fn shutdown_without_cleanup_before_ready_and_twice() {
    let mut t = daemon(NotifyFlags::default(), Rec::default());
    t.start(&[], &[], vec![]);
    assert_eq!(t.feed(1, Input::Shutdown), [Action::Exit]);
    assert_eq!(t.log(), ["ready 0", "shutdown"]);

    let mut t = daemon(NotifyFlags::default(), Rec::default());
    t.feed(0, Input::Start);
    assert_eq!(
        t.feed(1, Input::Shutdown),
        [Action::Exit],
        "not ready: nothing to undo"
    );
    assert_eq!(t.log(), Vec::<String>::new());

    let rec = Rec {
        on_shutdown: vec![Command::DelAddr { id: 1 }],
        ..Rec::default()
    };
    let mut t = daemon(NotifyFlags::default(), rec);
    t.start(&[], &[], vec![]);
    t.feed(1, Input::Shutdown);
    assert_eq!(t.feed(2, Input::Shutdown), [Action::Exit], "second signal");
}

#[test]
fn policy_selection_by_name() {
    let s = Settings::default();
    #[cfg(feature = "addr_adv")]
    assert!(policy::COMPILED_IN.contains(&"addr_adv"));
    // Every listed name builds the policy of that name; an unknown name
    // builds nothing (Config::policy_name turns that into exit 1).
    for name in policy::COMPILED_IN {
        assert_eq!(policy::new_policy(name, &s).map(|p| p.name()), Some(*name));
    }
    assert!(policy::new_policy("zzz", &s).is_none());
}

#[test]
fn listeners_are_requests_with_results() {
    let want: SocketAddr = "192.0.2.1:0".parse().unwrap();
    let rec = Rec {
        listen_on_ready: Some(want),
        ..Rec::default()
    };
    let mut t = daemon(NotifyFlags::default(), rec);
    let acts = t.start(&[], &[], vec![]);
    let [Action::Listen { tag, addr }] = acts[..] else {
        panic!("{acts:?}")
    };
    assert_eq!(addr, want);
    let bound: SocketAddr = "192.0.2.1:40000".parse().unwrap();
    let result = Ok(Reply::Listening(bound));
    t.feed(
        1,
        Input::CommandResult {
            tag,
            result: result.clone(),
        },
    );
    assert_eq!(t.d.policy().results, [(tag, Request::Listen(want), result)]);
    assert_eq!(t.d.pending_commands(), 0);
}

/// Reloads, counters and the status report at the core's level.
mod reload;
