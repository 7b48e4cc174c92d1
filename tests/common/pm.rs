// SPDX-License-Identifier: BSD-3-Clause
//! Talking `mptcp_pm` to the kernel of a test namespace through our own
//! codec and netlink layer: [`PmClient`] runs [`Command`]s on a request
//! socket, [`PmEvents`] collects decoded events from `mptcp_pm_events`.
//!
//! Both sockets are opened inside the namespace (the kernel binds a
//! netlink socket to the namespace it was created in) and then used from
//! the test thread.

use std::time::Duration;

use mptcpd::nl::{GenlFamily, NETLINK_GENERIC, NLM_F_DUMP, NlError, NlSocket, ReplyItem};
use mptcpd::pm::{Command, Endpoint, Limits, PmEvent};
use mptcpd::wire;

use super::{Netns, wait_until};

/// Opens a generic-netlink socket in `ns` and resolves `mptcp_pm` on it.
fn open_resolved(ns: &Netns) -> (NlSocket, GenlFamily) {
    ns.enter(|| {
        let mut sock = NlSocket::open(NETLINK_GENERIC).expect("open genl socket");
        let family =
            mptcpd::nl::resolve_family(&mut sock, wire::MPTCP_PM_NAME).expect("resolve mptcp_pm");
        (sock, family)
    })
}

/// What the kernel answered to one command, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// A bare ACK (every command except GET_ADDR and GET_LIMITS).
    Ack,
    /// GET_ADDR: one entry for a "do", the whole table for a dump.
    Endpoints(Vec<Endpoint>),
    Limits(Limits),
}

/// A request socket in one namespace with `mptcp_pm` resolved.
pub struct PmClient {
    sock: NlSocket,
    family: GenlFamily,
}

impl PmClient {
    pub fn open(ns: &Netns) -> PmClient {
        let (sock, family) = open_resolved(ns);
        PmClient { sock, family }
    }

    pub fn family(&self) -> &GenlFamily {
        &self.family
    }

    /// Sends `cmd` (encoded by `wire::encode_command`, with `NLM_F_DUMP`
    /// when `wire::is_dump` says so) and decodes the data replies with
    /// `wire::decode_endpoint` / `wire::decode_limits`.
    ///
    /// A kernel refusal comes back as `Err(NlError::Kernel(_))`. A reply
    /// our decoders reject is a bug under test, so it panics with the
    /// decoder's message.
    pub fn run(&mut self, cmd: &Command) -> Result<Reply, NlError> {
        let mut payload = Vec::new();
        wire::encode_command(cmd, &mut payload);
        let flags = if wire::is_dump(cmd) { NLM_F_DUMP } else { 0 };
        let family_id = self.family.id;
        let mut endpoints = Vec::new();
        let mut limits = None;
        let mut data = 0usize;
        self.sock.request(family_id, flags, &payload, &mut |item| {
            match item {
                ReplyItem::Restart => {
                    endpoints.clear();
                    limits = None;
                    data = 0;
                }
                ReplyItem::Msg(m) => {
                    assert_eq!(m.msg_type, family_id, "reply of another family to {cmd:?}");
                    data += 1;
                    match cmd {
                        Command::GetAddr { .. } | Command::DumpAddrs { .. } => endpoints.push(
                            wire::decode_endpoint(m.payload)
                                .unwrap_or_else(|e| panic!("{cmd:?}: {e}")),
                        ),
                        Command::GetLimits => {
                            limits = Some(
                                wire::decode_limits(m.payload)
                                    .unwrap_or_else(|e| panic!("{cmd:?}: {e}")),
                            )
                        }
                        _ => {}
                    }
                }
            }
            Ok(())
        })?;
        Ok(match cmd {
            Command::GetAddr { .. } | Command::DumpAddrs { .. } => Reply::Endpoints(endpoints),
            Command::GetLimits => {
                assert_eq!(data, 1, "GET_LIMITS must answer with one message");
                Reply::Limits(limits.expect("GET_LIMITS data"))
            }
            _ => {
                assert_eq!(data, 0, "{cmd:?} must answer with a bare ACK");
                Reply::Ack
            }
        })
    }

    /// Runs a command that must succeed with a bare ACK.
    pub fn ok(&mut self, cmd: &Command) {
        match self.run(cmd) {
            Ok(Reply::Ack) => {}
            other => panic!("{cmd:?}: expected an ACK, got {other:?}"),
        }
    }

    /// Runs a command that must fail, and returns the kernel's error.
    pub fn err(&mut self, cmd: &Command) -> mptcpd::pm::KernelError {
        match self.run(cmd) {
            Err(NlError::Kernel(e)) => e,
            other => panic!("{cmd:?}: expected a kernel error, got {other:?}"),
        }
    }

    /// The in-kernel PM endpoint table (GET_ADDR dump), or with a token a
    /// userspace-PM connection's local addresses.
    pub fn dump(&mut self, token: Option<u32>) -> Vec<Endpoint> {
        match self.run(&Command::DumpAddrs { token }) {
            Ok(Reply::Endpoints(v)) => v,
            other => panic!("GET_ADDR dump: {other:?}"),
        }
    }

    /// GET_ADDR by id.
    pub fn get_addr(&mut self, id: u8) -> Result<Endpoint, NlError> {
        match self.run(&Command::GetAddr { id })? {
            Reply::Endpoints(v) if v.len() == 1 => Ok(v[0]),
            other => panic!("GET_ADDR id {id}: expected one endpoint, got {other:?}"),
        }
    }

    pub fn limits(&mut self) -> Limits {
        match self.run(&Command::GetLimits) {
            Ok(Reply::Limits(l)) => l,
            other => panic!("GET_LIMITS: {other:?}"),
        }
    }
}

/// An event socket in one namespace, joined to `mptcp_pm_events`, and
/// every event decoded from it so far.
///
/// While one exists, the namespace has a listener on the group, which the
/// kernel requires before it accepts joins on a userspace-PM server.
pub struct PmEvents {
    sock: NlSocket,
    family: GenlFamily,
    /// In arrival order; unknown event types are left out.
    pub seen: Vec<PmEvent>,
}

impl PmEvents {
    pub fn open(ns: &Netns) -> PmEvents {
        let (sock, family) = open_resolved(ns);
        let group = family
            .group(wire::MPTCP_PM_EV_GRP_NAME)
            .expect("mptcp_pm_events group");
        sock.join_group(group).expect("join mptcp_pm_events");
        PmEvents {
            sock,
            family,
            seen: Vec::new(),
        }
    }

    /// Reads what is queued, decoding each message with
    /// `wire::decode_event`; a message it rejects panics.
    pub fn drain(&mut self) {
        let family = &self.family;
        let seen = &mut self.seen;
        self.sock
            .recv_messages(&mut |m| {
                if !family.owns(&m) {
                    return;
                }
                match wire::decode_event(m.payload) {
                    Ok(Some(ev)) => seen.push(ev),
                    Ok(None) => {}
                    Err(e) => panic!("undecodable event: {e}"),
                }
            })
            .expect("recv events");
    }

    /// Waits up to `timeout` for an event matching `pred` among those seen
    /// so far and those still to come; returns the first match.
    pub fn wait_for(
        &mut self,
        what: &str,
        timeout: Duration,
        mut pred: impl FnMut(&PmEvent) -> bool,
    ) -> PmEvent {
        let mut found = None;
        wait_until(timeout, || {
            self.drain();
            found = self.seen.iter().find(|e| pred(e)).copied();
            found.is_some()
        });
        found.unwrap_or_else(|| panic!("no {what} within {timeout:?}; saw {:#?}", self.seen))
    }
}
