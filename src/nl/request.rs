// SPDX-License-Identifier: BSD-3-Clause
//! The one blocking request helper, for generic netlink and rtnetlink
//! alike: send one request, collect its replies, until the ACK or the end
//! of the dump.
//!
//! What the kernel answers (mptcp-genl.md §1.5, §1.6), all with our seq:
//! - a "do": zero or more data messages, then `NLMSG_ERROR` (0 = ACK);
//! - a dump: data messages with `NLM_F_MULTI`, then `NLMSG_DONE` whose s32
//!   status may be −errno; a dump refused at once is a plain
//!   `NLMSG_ERROR`. Any part may carry `NLM_F_DUMP_INTR`: the dump was
//!   inconsistent and is redone here.
//!
//! The reply logic is a pure state machine ([`Exchange`]) fed with
//! datagrams, so it is unit-tested without a kernel.

use std::time::Duration;

use super::msg::{self, Messages, Msg};
use super::socket::NlSocket;
use super::{
    DecodeError, NLM_F_ACK, NLM_F_DUMP_INTR, NLM_F_REQUEST, NLMSG_DONE, NLMSG_ERROR, NLMSG_NOOP,
    NLMSG_OVERRUN, NlError,
};

/// How long to wait for each reply datagram. The kernel answers a "do"
/// inside `sendmsg()` and builds dump parts inside `recvmsg()`, so any
/// wait at all means something is wrong; this only bounds the damage.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(5);

/// Attempts of a dump before giving up on `NLM_F_DUMP_INTR`. A dump is
/// interrupted only when the table changes under it, so a few retries
/// suffice unless something rewrites the table in a tight loop.
const DUMP_ATTEMPTS: u32 = 4;

/// What [`NlSocket::request`] hands to its callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyItem<'a> {
    /// A data message of our reply (not ERROR/DONE/NOOP).
    Msg(Msg<'a>),
    /// The dump was interrupted: forget everything received so far for
    /// this request; it is being sent again.
    Restart,
}

/// Where an exchange stands after a datagram.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Step {
    /// The terminating message has not come yet.
    More,
    Done,
    /// The dump ended but was interrupted: send it again.
    Retry,
}

/// Reply state of one request (one attempt).
pub(super) struct Exchange {
    seq: u32,
    interrupted: bool,
    /// The callback's first error; the rest of the reply is still drained
    /// so that the socket is clean (a half-read dump would make the next
    /// dump fail with `EBUSY`).
    failed: Option<NlError>,
}

impl Exchange {
    pub(super) fn new(seq: u32) -> Self {
        Exchange {
            seq,
            interrupted: false,
            failed: None,
        }
    }

    pub(super) fn feed(
        &mut self,
        datagram: &[u8],
        on_reply: &mut dyn FnMut(ReplyItem<'_>) -> Result<(), NlError>,
    ) -> Result<Step, NlError> {
        for m in Messages::new(datagram) {
            let m = m?;
            if m.seq != self.seq {
                log::debug!(
                    "netlink: skipping message type {} seq {} while waiting for seq {}",
                    m.msg_type,
                    m.seq,
                    self.seq
                );
                continue;
            }
            if m.flags & NLM_F_DUMP_INTR != 0 && !self.interrupted {
                log::debug!("netlink: dump seq {} interrupted", self.seq);
                self.interrupted = true;
                if self.failed.is_none() {
                    self.failed = on_reply(ReplyItem::Restart).err();
                }
            }
            match m.msg_type {
                NLMSG_NOOP => {}
                NLMSG_OVERRUN => {
                    return Err(DecodeError("NLMSG_OVERRUN on a request socket").into());
                }
                NLMSG_ERROR => {
                    if let Some(e) = msg::decode_error(m.flags, m.payload)? {
                        return Err(self.failed.take().unwrap_or(NlError::Kernel(e)));
                    }
                    return self.finish();
                }
                NLMSG_DONE => {
                    if let Some(e) = msg::decode_done(m.flags, m.payload) {
                        return Err(self.failed.take().unwrap_or(NlError::Kernel(e)));
                    }
                    return self.finish();
                }
                _ if self.interrupted || self.failed.is_some() => {}
                _ => self.failed = on_reply(ReplyItem::Msg(m)).err(),
            }
        }
        Ok(Step::More)
    }

    fn finish(&mut self) -> Result<Step, NlError> {
        match self.failed.take() {
            Some(e) => Err(e),
            None if self.interrupted => Ok(Step::Retry),
            None => Ok(Step::Done),
        }
    }
}

impl NlSocket {
    /// Sends one request and feeds its replies to `on_reply`, blocking
    /// until the kernel's ACK or the end of the dump.
    ///
    /// - `msg_type`: the rtnetlink `RTM_*` type, or a resolved
    ///   generic-netlink family id;
    /// - `flags`: extra `nlmsg_flags` such as [`super::NLM_F_DUMP`]; this
    ///   adds `NLM_F_REQUEST | NLM_F_ACK` and a fresh sequence number;
    /// - `payload`: what follows the `nlmsghdr` (for genl: genlmsghdr and
    ///   attributes, e.g. from `crate::wire::encode_command`).
    ///
    /// `on_reply` sees each data message, and [`ReplyItem::Restart`] when
    /// an interrupted dump is redone (at most a few times, then
    /// [`NlError::DumpInterrupted`]). If it returns an error, the rest of
    /// the reply is drained unseen and that error is returned. Messages
    /// with another seq (late replies to an abandoned request, stray
    /// multicast) are skipped. Use a socket that joins no group.
    pub fn request(
        &mut self,
        msg_type: u16,
        flags: u16,
        payload: &[u8],
        on_reply: &mut dyn FnMut(ReplyItem<'_>) -> Result<(), NlError>,
    ) -> Result<(), NlError> {
        for _ in 0..DUMP_ATTEMPTS {
            self.seq = self.seq.wrapping_add(1).max(1);
            let seq = self.seq;
            self.tx.clear();
            msg::put_msg(
                &mut self.tx,
                msg_type,
                flags | NLM_F_REQUEST | NLM_F_ACK,
                seq,
                payload,
            );
            self.sock.send(&self.tx, 0)?;
            let mut ex = Exchange::new(seq);
            loop {
                // Generic-netlink "do" handlers and rtnetlink requests
                // answer inside sendmsg(): the reply is normally queued
                // already, so try first and poll only when it is not.
                let d = match self.recv_datagram(libc::MSG_DONTWAIT) {
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        if !self.wait_readable(REPLY_TIMEOUT)? {
                            return Err(NlError::Timeout);
                        }
                        self.recv_datagram(0)?
                    }
                    other => other?,
                };
                if d.sender != 0 {
                    log::debug!("netlink: dropping datagram from port {}", d.sender);
                    continue;
                }
                if d.truncated {
                    // Our buffer is larger than any dump part the kernel
                    // builds; this is not a reply we can trust.
                    return Err(DecodeError("reply datagram larger than the buffer").into());
                }
                match ex.feed(self.received(d.len), on_reply)? {
                    Step::More => {}
                    Step::Done => return Ok(()),
                    Step::Retry => break,
                }
            }
        }
        Err(NlError::DumpInterrupted)
    }
}

#[cfg(test)]
#[path = "request_tests.rs"]
mod tests;
