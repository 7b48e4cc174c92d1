// SPDX-License-Identifier: BSD-3-Clause
//! Timeline tests of sspi: the whole core (monitor + policy) on a virtual
//! clock. Userspace-PM commands are executed by `Upm`, a fake of one
//! namespace's userspace PM with 6.18's rules (mptcp-genl.md §2.2, §2.9,
//! §4.2): per-connection (address, id) pairing including IMPLICIT
//! entries, ANNOUNCE needing id ≠ 0 and `signal`, REMOVE closing the
//! subflows of its id, SUBFLOW_DESTROY by exact 4-tuple (ESRCH
//! otherwise), "userspace PM not selected" for in-kernel-PM connections.
//! Events are fed by the test, as the kernel would send them.

use std::collections::HashMap;
use std::net::SocketAddr;

use super::conns::{Conn, Slot};
use super::*;
use crate::daemon::{Input, Settings};
use crate::flags::NotifyFlags;
use crate::ids::IdManager;
use crate::monitor::MonitorOut;
use crate::pm::PmEvent;
use crate::policy::testkit::{FakeKernel, Harness, Order, addr, ip, up};
use crate::policy::{Outbox, Policy};
use crate::status::PolicyStatus;

const EACCES: i32 = 13;

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn kerr(errno: i32, msg: &str) -> KernelError {
    KernelError {
        msg: Some(msg.to_owned()),
        ..KernelError::from_errno(errno)
    }
}

#[derive(Debug, Default)]
struct UConn {
    kpm: bool,
    /// The connection's local address list: (address, id, implicit).
    ids: Vec<(IpAddr, u8, bool)>,
    subflows: Vec<(SocketAddr, SocketAddr, u8)>,
}

/// The userspace PM of the fake namespace.
#[derive(Debug, Default)]
struct Upm {
    conns: HashMap<Token, UConn>,
    /// Errors for the next command with this op name.
    inject: Vec<(&'static str, KernelError)>,
}

impl UConn {
    fn pair(&mut self, addr: IpAddr, id: u8) -> Result<(), KernelError> {
        for &(a, i, _) in &self.ids {
            if a == addr && i == id {
                return Ok(());
            }
            if a == addr || i == id {
                return Err(kerr(EINVAL, "did not match address and id"));
            }
        }
        self.ids.push((addr, id, false));
        Ok(())
    }
}

impl Upm {
    fn exec(&mut self, cmd: &Command, kpm: &mut FakeKernel) -> CmdResult {
        if let Some(i) = self.inject.iter().position(|(op, _)| *op == cmd.op_name()) {
            return Err(self.inject.remove(i).1);
        }
        let token = match *cmd {
            Command::SubflowCreate { token, .. }
            | Command::SubflowDestroy { token, .. }
            | Command::Announce { token, .. }
            | Command::Remove { token, .. }
            | Command::SetFlags {
                token: Some(token), ..
            }
            | Command::DumpAddrs { token: Some(token) } => token,
            _ => return kpm.execute(cmd),
        };
        let Some(c) = self.conns.get_mut(&token) else {
            return match cmd {
                Command::DumpAddrs { .. } => Ok(Reply::Endpoints(Vec::new())),
                _ => Err(kerr(EINVAL, "invalid token")),
            };
        };
        if c.kpm {
            return Err(kerr(EINVAL, "userspace PM not selected"));
        }
        match *cmd {
            Command::SubflowCreate { local, .. } => {
                c.pair(local.addr, local.id).map(|_| Reply::Ack)
            }
            Command::Announce { addr, .. } => {
                if addr.id == 0 {
                    return Err(kerr(EINVAL, "invalid addr id"));
                }
                if !addr.flags.contains(AddrFlags::SIGNAL) {
                    return Err(kerr(EINVAL, "invalid addr flags"));
                }
                c.pair(addr.addr, addr.id).map(|_| Reply::Ack)
            }
            Command::Remove { loc_id, .. } => {
                if !c.ids.iter().any(|e| e.1 == loc_id) {
                    return Err(kerr(EINVAL, "address with id not found"));
                }
                c.ids.retain(|e| e.1 != loc_id);
                c.subflows.retain(|s| s.2 != loc_id);
                Ok(Reply::Ack)
            }
            Command::SubflowDestroy { local, remote, .. } => {
                let Some(i) = c
                    .subflows
                    .iter()
                    .position(|s| s.0 == local && s.1 == remote)
                else {
                    return Err(kerr(ESRCH, "subflow not found"));
                };
                let (l, _, id) = c.subflows.remove(i);
                c.ids.retain(|e| !(e.0 == l.ip() && e.1 == id));
                Ok(Reply::Ack)
            }
            Command::SetFlags { .. } => Ok(Reply::Ack),
            Command::DumpAddrs { .. } => Ok(Reply::Endpoints(
                c.ids
                    .iter()
                    .map(|&(a, id, imp)| Endpoint {
                        id,
                        addr: a,
                        port: 0,
                        flags: if imp {
                            AddrFlags::IMPLICIT
                        } else {
                            AddrFlags::empty()
                        },
                        ifindex: 0,
                    })
                    .collect(),
            )),
            _ => unreachable!(),
        }
    }
}

/// A started daemon with sspi on a host with eth0 (10.0.1.2,
/// 2001:db8:1::2), eth1 (10.0.2.2, 2001:db8:2::2), eth2 (10.0.3.2).
struct T {
    h: Harness<Sspi>,
    k: Upm,
}

const PEER: &str = "10.9.0.1:443";

impl T {
    fn new(flags: AddrFlags, max: usize) -> T {
        let settings = Settings::new(flags, NotifyFlags::EXISTING);
        let mut h = Harness::new(settings.clone(), Sspi::with_max_connections(&settings, max));
        h.auto = false;
        h.links = vec![up(2, "eth0"), up(3, "eth1"), up(4, "eth2")];
        h.addrs = vec![
            addr(2, "10.0.1.2"),
            addr(2, "2001:db8:1::2"),
            addr(3, "10.0.2.2"),
            addr(3, "2001:db8:2::2"),
            addr(4, "10.0.3.2"),
        ];
        let mut t = T {
            h,
            k: Upm::default(),
        };
        let sent = t.input(0, Input::Start);
        assert_eq!(sent, [Command::DumpAddrs { token: None }]);
        assert!(t.h.daemon.is_running());
        t
    }

    fn std() -> T {
        T::new(AddrFlags::empty(), DEFAULT_MAX_CONNECTIONS)
    }

    /// Executes held commands (and what their answers cause) in order.
    fn pump(&mut self, mut sent: Vec<Command>) -> Vec<Command> {
        while !self.h.held.is_empty() {
            let (tag, cmd) = self.h.held.remove(0);
            let r = self.k.exec(&cmd, &mut self.h.kernel);
            sent.extend(self.h.answer(tag, r));
        }
        sent
    }

    fn input(&mut self, ms: u64, input: Input) -> Vec<Command> {
        self.h.at(ms);
        let sent = self.h.input(input);
        self.pump(sent)
    }

    fn ev(&mut self, ms: u64, ev: PmEvent) -> Vec<Command> {
        self.input(ms, Input::Pm(ev))
    }

    fn timer(&mut self) -> Vec<Command> {
        let sent = self.h.timer();
        self.pump(sent)
    }

    fn next_ms(&self) -> Option<u64> {
        self.h.daemon.poll_at().map(|t| self.h.ms(t))
    }

    /// CREATED + ESTABLISHED of a connection the fake kernel knows.
    fn open(
        &mut self,
        ms: u64,
        token: Token,
        local: &str,
        remote: &str,
        server: bool,
    ) -> Vec<Command> {
        self.k.conns.entry(token).or_default();
        let c = conn(token, local, remote, server);
        let mut sent = self.ev(ms, PmEvent::Created(c));
        sent.extend(self.ev(ms, PmEvent::Established(c)));
        sent
    }

    /// The kernel reports a subflow as established (and knows it).
    fn sub_up(
        &mut self,
        ms: u64,
        token: Token,
        local: &str,
        remote: &str,
        loc_id: u8,
    ) -> Vec<Command> {
        let c = self.k.conns.entry(token).or_default();
        c.subflows.push((sa(local), sa(remote), loc_id));
        if c.ids.iter().all(|e| e.0 != sa(local).ip()) {
            c.ids.push((sa(local).ip(), loc_id, true));
        }
        self.ev(
            ms,
            PmEvent::SubEstablished(sf(token, local, remote, loc_id)),
        )
    }

    fn sub_closed(
        &mut self,
        ms: u64,
        token: Token,
        local: &str,
        remote: &str,
        error: Option<u8>,
    ) -> Vec<Command> {
        if let Some(c) = self.k.conns.get_mut(&token) {
            c.subflows
                .retain(|s| !(s.0 == sa(local) && s.1 == sa(remote)));
        }
        let mut s = sf(token, local, remote, 0);
        s.error = error;
        self.ev(ms, PmEvent::SubClosed(s))
    }

    fn policy(&self) -> &Sspi {
        self.h.daemon.policy()
    }

    fn conn(&self, token: Token) -> &Conn {
        &self.policy().table.conns[&token]
    }
}

fn conn(token: Token, local: &str, remote: &str, server_side: bool) -> ConnInfo {
    ConnInfo {
        token,
        local: sa(local),
        remote: sa(remote),
        server_side,
        deny_join_id0: false,
    }
}

fn sf(token: Token, local: &str, remote: &str, loc_id: u8) -> SubflowInfo {
    SubflowInfo {
        token,
        local: sa(local),
        remote: sa(remote),
        loc_id,
        rem_id: 0,
        backup: false,
        ifindex: None,
        error: None,
        reset_reason: None,
        reset_flags: None,
    }
}

fn create(token: Token, id: u8, local: &str, ifindex: i32, remote: &str) -> Command {
    create_flags(token, id, local, ifindex, remote, AddrFlags::empty())
}

fn create_flags(
    token: Token,
    id: u8,
    local: &str,
    ifindex: i32,
    remote: &str,
    flags: AddrFlags,
) -> Command {
    Command::SubflowCreate {
        token,
        local: Endpoint {
            id,
            addr: ip(local),
            port: 0,
            flags,
            ifindex,
        },
        remote: sa(remote),
    }
}

fn destroy(token: Token, local: &str, remote: &str) -> Command {
    Command::SubflowDestroy {
        token,
        local: sa(local),
        remote: sa(remote),
    }
}

fn announce(token: Token, id: u8, a: &str, port: u16, ifindex: i32) -> Command {
    Command::Announce {
        token,
        addr: Endpoint {
            id,
            addr: ip(a),
            port,
            flags: AddrFlags::SIGNAL,
            ifindex,
        },
    }
}

// Client side.

#[test]
fn client_opens_one_subflow_per_other_interface_after_established() {
    let mut t = T::std();
    t.k.conns.entry(1).or_default();
    let c = conn(1, "10.0.1.2:40000", PEER, false);
    assert_eq!(
        t.ev(10, PmEvent::Created(c)),
        [],
        "nothing before ESTABLISHED"
    );
    let sent = t.ev(20, PmEvent::Established(c));
    assert_eq!(
        sent,
        [
            create(1, 1, "10.0.2.2", 3, PEER),
            create(1, 2, "10.0.3.2", 4, PEER)
        ]
    );
    // The ids are per address, the same on the next connection.
    let sent = t.open(30, 2, "10.0.1.2:40001", "10.9.0.7:80", false);
    assert_eq!(
        sent,
        [
            create(2, 1, "10.0.2.2", 3, "10.9.0.7:80"),
            create(2, 2, "10.0.3.2", 4, "10.9.0.7:80")
        ]
    );
    // A connection from eth1 gets subflows from eth0 and eth2.
    let sent = t.open(40, 3, "10.0.2.2:40002", PEER, false);
    assert_eq!(
        sent,
        [
            create(3, 3, "10.0.1.2", 2, PEER),
            create(3, 2, "10.0.3.2", 4, PEER)
        ]
    );
    // Outcomes: established subflows fill their slots, no more commands.
    assert_eq!(t.sub_up(50, 1, "10.0.2.2:50000", PEER, 1), []);
    assert_eq!(t.sub_up(50, 1, "10.0.3.2:50001", PEER, 2), []);
    assert_eq!(t.conn(1).live_subflows(), 3);
    assert_eq!(t.next_ms(), None, "idle: no deadline");
}

#[test]
fn ipv6_peer_uses_ipv6_addresses_only() {
    let mut t = T::std();
    let sent = t.open(10, 1, "[2001:db8:1::2]:40000", "[2001:db8:9::1]:443", false);
    // eth2 has no IPv6 address: no subflow from it.
    assert_eq!(
        sent,
        [create(1, 1, "2001:db8:2::2", 3, "[2001:db8:9::1]:443")]
    );
}

#[test]
fn interface_added_later_gets_a_subflow_on_every_open_connection() {
    let mut t = T::std();
    t.open(10, 1, "10.0.1.2:40000", PEER, false);
    t.open(10, 2, "10.0.1.2:40001", PEER, false);
    // A connection that is only CREATED gets nothing yet.
    t.k.conns.entry(3).or_default();
    t.ev(10, PmEvent::Created(conn(3, "10.0.1.2:40002", PEER, false)));
    let sent = t.input(100, Input::NewLink(up(5, "wwan0")));
    assert_eq!(sent, []);
    t.h.addrs.push(addr(5, "10.0.4.2"));
    let sent = t.input(110, Input::NewAddr(addr(5, "10.0.4.2")));
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent.contains(&create(1, 3, "10.0.4.2", 5, PEER)));
    assert!(sent.contains(&create(2, 3, "10.0.4.2", 5, PEER)));
    // Known already: reported again, nothing new.
    assert_eq!(t.input(120, Input::NewAddr(addr(5, "10.0.4.2"))), []);
}

#[test]
fn address_removed_destroys_exact_subflow_and_forgets_it() {
    let mut t = T::std();
    t.open(10, 1, "10.0.1.2:40000", PEER, false);
    t.sub_up(20, 1, "10.0.2.2:50000", PEER, 1);
    t.sub_up(20, 1, "10.0.3.2:50001", PEER, 2);
    let sent = t.input(100, Input::DelAddr(addr(3, "10.0.2.2")));
    assert_eq!(sent, [destroy(1, "10.0.2.2:50000", PEER)]);
    assert!(t.conn(1).slot(3).is_none(), "eth1's slot is gone");
    // eth1 still has an IPv6 address, but the peer is IPv4: nothing.
    // The SUB_CLOSED that follows our destroy is not a failure: no retry.
    assert_eq!(t.sub_closed(110, 1, "10.0.2.2:50000", PEER, None), []);
    assert_eq!(t.next_ms(), None);
    assert_eq!(t.h.daemon.ids().get(ip("10.0.2.2")), None, "id released");
    // Back: a new subflow, with the lowest free id.
    t.h.addrs.push(addr(3, "10.0.2.2"));
    let sent = t.input(200, Input::NewAddr(addr(3, "10.0.2.2")));
    assert_eq!(sent, [create(1, 1, "10.0.2.2", 3, PEER)]);
}

#[test]
fn interface_deleted_destroys_its_subflows() {
    let mut t = T::std();
    t.open(10, 1, "10.0.1.2:40000", PEER, false);
    t.open(10, 2, "10.0.1.2:40001", PEER, false);
    t.sub_up(20, 1, "10.0.3.2:50001", PEER, 2);
    t.sub_up(20, 2, "10.0.3.2:50002", PEER, 2);
    t.h.at(100);
    let sent = t.h.del_link(4);
    let sent = t.pump(sent);
    assert_eq!(
        sent.len(),
        2,
        "one destroy per connection, nothing else: {sent:?}"
    );
    assert!(sent.contains(&destroy(1, "10.0.3.2:50001", PEER)));
    assert!(sent.contains(&destroy(2, "10.0.3.2:50002", PEER)));
    assert!(t.conn(1).slot(4).is_none() && t.conn(2).slot(4).is_none());
}

#[test]
fn carrier_loss_keeps_a_connections_last_subflow() {
    let mut t = T::std();
    t.open(10, 1, "10.0.1.2:40000", PEER, false);
    // Neither extra subflow came up; eth0 (initial) loses carrier.
    t.sub_closed(20, 1, "10.0.2.2:50000", PEER, Some(111));
    t.sub_closed(20, 1, "10.0.3.2:50001", PEER, Some(111));
    t.h.at(30);
    let sent = t.h.carrier(2, false);
    let sent = t.pump(sent);
    assert!(
        !sent
            .iter()
            .any(|c| matches!(c, Command::SubflowDestroy { .. })),
        "the only subflow stays: {sent:?}"
    );
    // Once another subflow is up, the kept one goes.
    let due = t.next_ms().expect("retries pending");
    let sent = t.timer();
    assert!(due <= 130, "first retry after 100 ms, got {due}");
    assert!(
        sent.contains(&create(1, 1, "10.0.2.2", 3, PEER)),
        "{sent:?}"
    );
    let sent = t.sub_up(200, 1, "10.0.2.2:50007", PEER, 1);
    assert_eq!(sent, [destroy(1, "10.0.1.2:40000", PEER)]);
}

#[test]
fn duplicate_subflow_on_an_interface_is_closed_and_bookkeeping_survives() {
    let mut t = T::std();
    t.open(10, 1, "10.0.1.2:40000", PEER, false);
    t.sub_up(20, 1, "10.0.2.2:50000", PEER, 1);
    // The peer (or someone) opens another subflow on eth1.
    let sent = t.sub_up(30, 1, "10.0.2.2:50009", "10.9.0.2:443", 1);
    assert_eq!(sent, [destroy(1, "10.0.2.2:50009", "10.9.0.2:443")]);
    // Its SUB_CLOSED must not erase the kept subflow (mptcpd's bug).
    assert_eq!(
        t.sub_closed(40, 1, "10.0.2.2:50009", "10.9.0.2:443", None),
        []
    );
    let sent = t.sub_up(50, 1, "10.0.2.2:50010", "10.9.0.2:443", 1);
    assert_eq!(sent, [destroy(1, "10.0.2.2:50010", "10.9.0.2:443")]);
    // A join on the initial interface is a duplicate too.
    let sent = t.sub_up(60, 1, "10.0.1.2:50011", "10.9.0.2:443", 3);
    assert_eq!(sent, [destroy(1, "10.0.1.2:50011", "10.9.0.2:443")]);
    assert_eq!(t.conn(1).live_subflows(), 2);
}

#[test]
fn failed_subflow_is_retried_with_backoff_reset_on_success() {
    let mut t = T::new(AddrFlags::empty(), 16);
    t.open(0, 1, "10.0.1.2:40000", PEER, false);
    t.sub_up(0, 1, "10.0.3.2:50001", PEER, 2);
    let mut now = 0;
    let mut delays = Vec::new();
    for _ in 0..11 {
        t.sub_closed(now, 1, "10.0.2.2:50000", PEER, Some(111));
        let due = t.next_ms().expect("retry scheduled");
        delays.push(due - now);
        let sent = t.timer();
        now = due;
        assert_eq!(sent, [create(1, 1, "10.0.2.2", 3, PEER)]);
    }
    assert_eq!(
        delays,
        [
            100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000, 30000
        ]
    );
    // Success resets the back-off; a later close (interface still
    // usable) is retried after 100 ms again.
    t.sub_up(now + 5, 1, "10.0.2.2:50100", PEER, 1);
    assert_eq!(t.next_ms(), None);
    t.sub_closed(now + 10, 1, "10.0.2.2:50100", PEER, None);
    assert_eq!(t.next_ms(), Some(now + 110));
    // The interface goes during the wait: no retry, nothing pending.
    t.h.at(now + 50);
    let sent = t.h.carrier(3, false);
    assert_eq!(t.pump(sent), []);
    assert_eq!(t.next_ms(), None);
}

#[test]
fn backup_flag_goes_into_create_and_set_flags_follows() {
    let mut t = T::new(AddrFlags::BACKUP, DEFAULT_MAX_CONNECTIONS);
    let sent = t.open(10, 1, "10.0.1.2:40000", PEER, false);
    assert_eq!(
        sent[0],
        create_flags(1, 1, "10.0.2.2", 3, PEER, AddrFlags::BACKUP)
    );
    let sent = t.sub_up(20, 1, "10.0.2.2:50000", PEER, 1);
    assert_eq!(
        sent,
        [Command::SetFlags {
            token: Some(1),
            local: Endpoint {
                id: 0,
                addr: ip("10.0.2.2"),
                port: 50000,
                flags: AddrFlags::BACKUP,
                ifindex: 0,
            },
            remote: Some(sa(PEER)),
        }]
    );
}

#[test]
fn id_mismatch_rereads_the_connections_ids_and_reuses_the_kernels() {
    let mut t = T::std();
    // The kernel already pairs 10.0.2.2 with id 5 (IMPLICIT) and id 2
    // with another address on this connection.
    let c = t.k.conns.entry(1).or_default();
    c.ids.push((ip("10.0.2.2"), 5, true));
    c.ids.push((ip("10.7.7.7"), 2, true));
    let sent = t.open(10, 1, "10.0.1.2:40000", PEER, false);
    assert_eq!(
        sent,
        [
            create(1, 1, "10.0.2.2", 3, PEER),
            create(1, 2, "10.0.3.2", 4, PEER),
            Command::DumpAddrs { token: Some(1) },
            Command::DumpAddrs { token: Some(1) },
            create(1, 5, "10.0.2.2", 3, PEER),
            create(1, 3, "10.0.3.2", 4, PEER),
        ]
    );
    // Settled: no loop.
    assert_eq!(t.h.held.len(), 0);
    assert_eq!(t.next_ms(), None);
}

#[test]
fn einval_twice_falls_back_to_backoff_not_a_loop() {
    let mut t = T::std();
    t.k.inject
        .push(("add_subflow", kerr(EINVAL, "something else")));
    t.k.inject
        .push(("add_subflow", kerr(EINVAL, "something else")));
    let c = conn(1, "10.0.1.2:40000", PEER, false);
    t.k.conns.entry(1).or_default();
    t.h.at(0);
    let sent = t.h.del_link(4);
    t.pump(sent);
    t.ev(0, PmEvent::Created(c));
    let sent = t.ev(0, PmEvent::Established(c));
    assert_eq!(
        sent,
        [
            create(1, 1, "10.0.2.2", 3, PEER),
            Command::DumpAddrs { token: Some(1) },
            create(1, 1, "10.0.2.2", 3, PEER),
        ]
    );
    assert_eq!(t.next_ms(), Some(100), "then the ordinary back-off");
}

#[test]
fn kernel_pm_connection_is_marked_and_left_alone() {
    let mut t = T::std();
    t.k.conns.entry(1).or_default().kpm = true;
    let sent = t.open(10, 1, "10.0.1.2:40000", PEER, false);
    assert_eq!(sent.len(), 2, "both creates fail, nothing more: {sent:?}");
    assert_eq!(t.conn(1).state, ConnState::KernelPm);
    assert!(t.conn(1).slots.is_empty());
    // Nothing on later events either.
    t.h.addrs.push(addr(5, "10.0.4.2"));
    t.input(20, Input::NewLink(up(5, "wwan0")));
    assert_eq!(t.input(30, Input::NewAddr(addr(5, "10.0.4.2"))), []);
    assert_eq!(t.sub_up(40, 1, "10.0.1.2:50000", "10.9.0.2:443", 3), []);
    assert_eq!(t.next_ms(), None);
    // Gone from the table at CLOSED.
    t.ev(50, PmEvent::Closed { token: 1 });
    assert_eq!(t.policy().tracked(), 0);
}

#[test]
fn deny_join_id0_peer_is_joined_at_its_announced_address() {
    let mut t = T::std();
    t.k.conns.entry(1).or_default();
    let mut c = conn(1, "10.0.1.2:40000", PEER, false);
    c.deny_join_id0 = true;
    t.ev(10, PmEvent::Created(c));
    assert_eq!(t.ev(10, PmEvent::Established(c)), [], "no join to id 0");
    let sent = t.ev(
        20,
        PmEvent::Announced {
            token: 1,
            rem_id: 4,
            addr: sa("10.9.0.4:443"),
        },
    );
    assert_eq!(
        sent,
        [
            create(1, 1, "10.0.2.2", 3, "10.9.0.4:443"),
            create(1, 2, "10.0.3.2", 4, "10.9.0.4:443")
        ]
    );
}

#[test]
fn table_is_bounded_and_frees_on_close() {
    let mut t = T::new(AddrFlags::empty(), 2);
    t.open(10, 1, "10.0.1.2:40000", PEER, false);
    t.open(10, 2, "10.0.1.2:40001", PEER, false);
    assert_eq!(
        t.open(10, 3, "10.0.1.2:40002", PEER, false),
        [],
        "left to the kernel"
    );
    assert!(t.policy().table.full_warned);
    assert_eq!(t.policy().tracked(), 2);
    t.ev(20, PmEvent::Closed { token: 1 });
    let sent = t.open(30, 4, "10.0.1.2:40003", PEER, false);
    assert_eq!(sent.len(), 2);
    assert_eq!(t.policy().tracked(), 2);
}

#[test]
fn entry_sizes_are_as_documented() {
    // conns.rs states these (x86_64); a change must update the doc.
    if cfg!(target_pointer_width = "64") {
        assert_eq!(std::mem::size_of::<Conn>(), 128);
        assert_eq!(std::mem::size_of::<Slot>(), 168);
    }
}

#[test]
fn bookkeeping_is_exact_over_many_connections() {
    for server in [false, true] {
        let mut t = T::std();
        for round in 0..200u32 {
            let token = 1000 + round;
            let local = if server {
                "10.0.1.2:443"
            } else {
                "10.0.1.2:40000"
            };
            let remote = if server { "10.9.0.1:40000" } else { PEER };
            t.open(u64::from(round), token, local, remote, server);
            if !server {
                t.sub_up(u64::from(round), token, "10.0.2.2:50000", remote, 1);
                t.sub_closed(u64::from(round), token, "10.0.3.2:50001", remote, Some(111));
            }
            t.ev(u64::from(round), PmEvent::Closed { token });
            t.k.conns.remove(&token);
        }
        let p = t.policy();
        assert_eq!(p.tracked(), 0);
        assert_eq!(p.listener_keys(), 0);
        assert!(p.table.timers.is_empty());
        assert!(t.h.listeners.is_empty(), "every listener closed");
        assert_eq!(t.next_ms(), None);
    }
}

#[test]
fn both_loop_orders_give_the_same_commands() {
    let mut results = Vec::new();
    for order in [Order::Fifo, Order::Immediate] {
        let mut t = T::std();
        t.h.order = order;
        let c = t.k.conns.entry(1).or_default();
        c.ids.push((ip("10.0.2.2"), 5, true));
        let mut sent = t.open(10, 1, "10.0.1.2:40000", PEER, false);
        sent.extend(t.open(10, 2, "10.0.1.2:443", "10.9.0.1:40000", true));
        sent.sort_by_key(|c| format!("{c:?}"));
        results.push(sent);
    }
    assert_eq!(results[0], results[1]);
}

// Server side.

#[test]
fn server_announces_each_other_interface_behind_a_shared_listener() {
    let mut t = T::std();
    let sent = t.open(10, 1, "10.0.1.2:443", "10.9.0.1:40000", true);
    assert_eq!(
        sent,
        [
            announce(1, 1, "10.0.2.2", 0, 3),
            announce(1, 2, "10.0.3.2", 0, 4)
        ]
    );
    assert_eq!(t.h.listeners, [sa("10.0.2.2:443"), sa("10.0.3.2:443")]);
    let sent = t.open(20, 2, "10.0.1.2:443", "10.9.0.5:40001", true);
    assert_eq!(
        sent,
        [
            announce(2, 1, "10.0.2.2", 0, 3),
            announce(2, 2, "10.0.3.2", 0, 4)
        ]
    );
    assert_eq!(t.h.listeners.len(), 2, "shared by both connections");
    // Joins arrive on the announced addresses.
    assert_eq!(t.sub_up(30, 1, "10.0.2.2:443", "10.9.0.1:40010", 1), []);
    // Address withdrawn: REMOVE first (it also closes the subflow with
    // that id), no SUBFLOW_DESTROY for it; the listener stays for
    // connection 2 until its REMOVE.
    let sent = t.input(40, Input::DelAddr(addr(3, "10.0.2.2")));
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent.contains(&Command::Remove {
        token: 1,
        loc_id: 1
    }));
    assert!(sent.contains(&Command::Remove {
        token: 2,
        loc_id: 1
    }));
    assert_eq!(t.h.listeners, [sa("10.0.3.2:443")]);
    // CLOSED releases the rest.
    t.ev(50, PmEvent::Closed { token: 1 });
    assert_eq!(t.h.listeners, [sa("10.0.3.2:443")]);
    t.ev(60, PmEvent::Closed { token: 2 });
    assert!(t.h.listeners.is_empty());
    assert_eq!(t.policy().listener_keys(), 0);
}

#[test]
fn server_remove_comes_before_destroy_of_other_subflows_on_the_address() {
    let mut t = T::std();
    t.open(10, 1, "10.0.1.2:443", "10.9.0.1:40000", true);
    // The peer's join landed on 10.0.2.2 with an IMPLICIT id 7 (e.g.
    // before our announcement was processed).
    t.sub_up(20, 1, "10.0.2.2:443", "10.9.0.1:40010", 7);
    let sent = t.input(30, Input::DelAddr(addr(3, "10.0.2.2")));
    assert_eq!(
        sent,
        [
            Command::Remove {
                token: 1,
                loc_id: 1
            },
            destroy(1, "10.0.2.2:443", "10.9.0.1:40010")
        ]
    );
}

#[test]
fn server_closes_duplicate_joins() {
    let mut t = T::std();
    t.open(10, 1, "10.0.1.2:443", "10.9.0.1:40000", true);
    // A join to the initial address: eth0 already carries the initial
    // subflow.
    let sent = t.sub_up(20, 1, "10.0.1.2:443", "10.9.0.1:40011", 0);
    assert_eq!(sent, [destroy(1, "10.0.1.2:443", "10.9.0.1:40011")]);
    assert_eq!(t.sub_up(30, 1, "10.0.3.2:443", "10.9.0.1:40012", 2), []);
    let sent = t.sub_up(40, 1, "10.0.3.2:443", "10.9.0.1:40013", 2);
    assert_eq!(sent, [destroy(1, "10.0.3.2:443", "10.9.0.1:40013")]);
    // The closes of the duplicates change nothing.
    t.sub_closed(50, 1, "10.0.1.2:443", "10.9.0.1:40011", None);
    t.sub_closed(50, 1, "10.0.3.2:443", "10.9.0.1:40013", None);
    assert_eq!(t.conn(1).live_subflows(), 2);
}

#[test]
fn server_announces_without_listener_when_the_application_covers_it() {
    // LISTENER_CREATED on the wildcard address with the port: no socket.
    let mut t = T::std();
    t.ev(5, PmEvent::ListenerCreated(sa("0.0.0.0:443")));
    let sent = t.open(10, 1, "10.0.1.2:443", "10.9.0.1:40000", true);
    assert_eq!(sent.len(), 2);
    assert!(t.h.listeners.is_empty());
    // Our listen failing with EADDRINUSE: announce anyway, no socket.
    let mut t = T::std();
    t.h.listeners = vec![sa("10.0.2.2:443"), sa("10.0.3.2:443")];
    let sent = t.open(10, 1, "10.0.1.2:443", "10.9.0.1:40000", true);
    assert_eq!(
        sent,
        [
            announce(1, 1, "10.0.2.2", 0, 3),
            announce(1, 2, "10.0.3.2", 0, 4)
        ]
    );
    t.ev(20, PmEvent::Closed { token: 1 });
    assert_eq!(t.h.listeners.len(), 2, "the application's stay open");
    assert_eq!(t.policy().listener_keys(), 0);
}

#[test]
fn server_falls_back_to_an_ephemeral_port() {
    // Driven directly: the harness' listeners never fail with EACCES.
    let settings = Settings::new(AddrFlags::empty(), NotifyFlags::EXISTING);
    let mut net = Monitor::new(settings.clone());
    let mut mo = MonitorOut::default();
    net.apply_dump(
        &[up(2, "eth0"), up(3, "eth1")],
        &[addr(2, "10.0.1.2"), addr(3, "10.0.2.2")],
        &mut mo,
    );
    let mut ids = IdManager::new();
    let mut out = Outbox::new();
    let mut p = Sspi::new(&settings);
    let now = std::time::Instant::now();
    let c = conn(1, "10.0.1.2:80", "10.9.0.1:40000", true);
    let mut ctx = Ctx::new(now, &net, &mut ids, &mut out);
    p.new_connection(&mut ctx, &c);
    p.connection_established(&mut ctx, &c);
    let q: Vec<_> = out.take().collect();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].1, Request::Listen(sa("10.0.2.2:80")));
    let mut ctx = Ctx::new(now, &net, &mut ids, &mut out);
    p.command_result(
        &mut ctx,
        q[0].0,
        &q[0].1,
        &Err(KernelError::from_errno(EACCES)),
    );
    let q: Vec<_> = out.take().collect();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].1, Request::Listen(sa("10.0.2.2:0")));
    let mut ctx = Ctx::new(now, &net, &mut ids, &mut out);
    let bound = Ok(Reply::Listening(sa("10.0.2.2:41234")));
    p.command_result(&mut ctx, q[0].0, &q[0].1, &bound);
    let q: Vec<_> = out.take().collect();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].1, Request::Pm(announce(1, 1, "10.0.2.2", 41234, 3)));
    // CLOSED: our listener on the ephemeral port is closed.
    let mut ctx = Ctx::new(now, &net, &mut ids, &mut out);
    p.connection_closed(&mut ctx, 1);
    let q: Vec<_> = out.take().collect();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].1, Request::CloseListener(sa("10.0.2.2:41234")));
}

#[test]
fn server_backup_marks_joined_subflows() {
    let mut t = T::new(AddrFlags::BACKUP, DEFAULT_MAX_CONNECTIONS);
    t.open(10, 1, "10.0.1.2:443", "10.9.0.1:40000", true);
    let sent = t.sub_up(20, 1, "10.0.2.2:443", "10.9.0.1:40010", 1);
    assert!(
        matches!(sent[..], [Command::SetFlags { token: Some(1), .. }]),
        "{sent:?}"
    );
    // Not on the initial subflow's interface.
    assert_eq!(
        t.sub_up(20, 1, "10.0.1.2:443", "10.9.0.1:40011", 0),
        [destroy(1, "10.0.1.2:443", "10.9.0.1:40011")]
    );
}

#[test]
fn resync_probes_created_clients_and_drops_dead_connections() {
    let mut t = T::std();
    // Connection 1: ESTABLISHED was lost. Connection 2: CLOSED was lost.
    t.k.conns.entry(1).or_default();
    t.ev(10, PmEvent::Created(conn(1, "10.0.1.2:40000", PEER, false)));
    t.open(10, 2, "10.0.1.2:40001", PEER, false);
    t.sub_up(20, 2, "10.0.2.2:50000", PEER, 1);
    t.sub_up(20, 2, "10.0.3.2:50001", PEER, 2);
    t.k.conns.remove(&2);
    let sent = t.input(30, Input::EventsLost);
    assert!(
        sent.contains(&create(1, 1, "10.0.2.2", 3, PEER)),
        "{sent:?}"
    );
    assert!(sent.contains(&Command::DumpAddrs { token: Some(2) }));
    assert_eq!(t.policy().tracked(), 1, "connection 2 dropped");
    // A probe on a connection not yet established: ENOTCONN, wait.
    let mut t = T::std();
    t.k.conns.entry(1).or_default();
    t.ev(10, PmEvent::Created(conn(1, "10.0.1.2:40000", PEER, false)));
    t.k.inject
        .push(("add_subflow", KernelError::from_errno(ENOTCONN)));
    t.k.inject
        .push(("add_subflow", KernelError::from_errno(ENOTCONN)));
    t.input(30, Input::EventsLost);
    assert_eq!(t.conn(1).state, ConnState::Created);
    assert_eq!(t.next_ms(), None);
}

#[test]
fn status_lists_connections_and_reload_follows_backup() {
    let mut t = T::std();
    t.open(10, 1, "10.0.1.2:40000", PEER, false);
    t.sub_up(20, 1, "10.0.2.2:50000", PEER, 1);
    let mut st = PolicyStatus::default();
    t.policy().status(&mut st);
    assert_eq!(st.connections.len(), 1);
    let c = &st.connections[0];
    assert_eq!(
        (c.token, c.local, c.server_side),
        (1, sa("10.0.1.2:40000"), false)
    );
    assert_eq!(c.subflows.len(), 1, "the initial subflow is not listed");
    assert_eq!(c.subflows[0].local, sa("10.0.2.2:50000"));
    assert_eq!(c.subflows[0].ifindex, Some(3));
    // addr-flags=backup on reload: the subflow we made becomes backup.
    let settings = Settings::new(AddrFlags::BACKUP, NotifyFlags::EXISTING);
    let sent = t.input(30, Input::Reconfigure(settings));
    assert_eq!(
        sent,
        [Command::SetFlags {
            token: Some(1),
            local: Endpoint {
                id: 0,
                addr: ip("10.0.2.2"),
                port: 50000,
                flags: AddrFlags::BACKUP,
                ifindex: 0,
            },
            remote: Some(sa(PEER)),
        }]
    );
}

#[test]
fn unknown_token_drops_the_connection() {
    let mut t = T::std();
    t.open(10, 1, "10.0.1.2:40000", PEER, false);
    // CLOSED was lost; the connection is gone from the kernel.
    t.k.conns.remove(&1);
    t.sub_closed(20, 1, "10.0.2.2:50000", PEER, Some(111));
    let sent = t.timer();
    assert_eq!(sent, [create(1, 1, "10.0.2.2", 3, PEER)]);
    assert_eq!(t.policy().tracked(), 0);
    assert_eq!(t.next_ms(), None);
}
