// SPDX-License-Identifier: BSD-3-Clause
use super::*;
use crate::nl::testbuf::{ack, done, ext_ack, msg};
use crate::nl::{NLM_F_ACK_TLVS, NLM_F_CAPPED, NLM_F_MULTI};

/// What the callback saw: message payload's first byte, or `None` for a
/// restart.
#[derive(Default)]
struct Seen(Vec<Option<u8>>);

impl Seen {
    fn cb(&mut self) -> impl FnMut(ReplyItem<'_>) -> Result<(), NlError> + '_ {
        |item| {
            self.0.push(match item {
                ReplyItem::Msg(m) => Some(m.payload[0]),
                ReplyItem::Restart => None,
            });
            Ok(())
        }
    }
}

fn feed(ex: &mut Exchange, dgram: &[u8], seen: &mut Seen) -> Result<Step, NlError> {
    ex.feed(dgram, &mut seen.cb())
}

#[test]
fn do_with_data_then_ack() {
    let mut seen = Seen::default();
    let mut ex = Exchange::new(3);
    assert_eq!(
        feed(&mut ex, &msg(0x1c, 0, 3, &[7]), &mut seen).unwrap(),
        Step::More
    );
    assert_eq!(
        feed(&mut ex, &ack(3, 0, NLM_F_CAPPED, &[]), &mut seen).unwrap(),
        Step::Done
    );
    assert_eq!(seen.0, vec![Some(7)]);
}

#[test]
fn data_and_ack_in_one_datagram() {
    let mut seen = Seen::default();
    let mut ex = Exchange::new(3);
    let mut d = msg(0x1c, 0, 3, &[7]);
    d.extend(ack(3, 0, NLM_F_CAPPED, &[]));
    assert_eq!(feed(&mut ex, &d, &mut seen).unwrap(), Step::Done);
    assert_eq!(seen.0, vec![Some(7)]);
}

#[test]
fn stray_seqs_are_skipped() {
    let mut seen = Seen::default();
    let mut ex = Exchange::new(4);
    // A late ACK of request 3 and a multicast event (seq 0) first.
    let mut d = ack(3, -17, NLM_F_CAPPED, &[]);
    d.extend(msg(20, 0, 0, &[1]));
    d.extend(msg(20, NLM_F_MULTI, 4, &[2]));
    assert_eq!(feed(&mut ex, &d, &mut seen).unwrap(), Step::More);
    assert_eq!(
        feed(&mut ex, &done(4, 0, 0), &mut seen).unwrap(),
        Step::Done
    );
    assert_eq!(seen.0, vec![Some(2)]);
}

#[test]
fn nack_carries_errno_and_ext_ack() {
    let mut seen = Seen::default();
    let mut ex = Exchange::new(1);
    let tlvs = ext_ack(Some("limit greater than maximum (8)"), None, None);
    let d = ack(1, -22, NLM_F_CAPPED | NLM_F_ACK_TLVS, &tlvs);
    match feed(&mut ex, &d, &mut seen) {
        Err(NlError::Kernel(e)) => {
            assert_eq!(e.errno, 22);
            assert_eq!(e.msg.as_deref(), Some("limit greater than maximum (8)"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn multipart_dump_across_datagrams() {
    let mut seen = Seen::default();
    let mut ex = Exchange::new(9);
    let mut d1 = msg(16, NLM_F_MULTI, 9, &[1]);
    d1.extend(msg(16, NLM_F_MULTI, 9, &[2]));
    assert_eq!(feed(&mut ex, &d1, &mut seen).unwrap(), Step::More);
    let mut d2 = msg(16, NLM_F_MULTI, 9, &[3]);
    d2.extend(done(9, 0, 0));
    assert_eq!(feed(&mut ex, &d2, &mut seen).unwrap(), Step::Done);
    assert_eq!(seen.0, vec![Some(1), Some(2), Some(3)]);
}

#[test]
fn done_with_error_status_fails_the_dump() {
    let mut seen = Seen::default();
    let mut ex = Exchange::new(9);
    let mut d = msg(16, NLM_F_MULTI, 9, &[1]);
    d.extend(done(9, -16, 0));
    assert_eq!(feed(&mut ex, &d, &mut seen).unwrap_err().errno(), Some(16));
}

#[test]
fn dump_intr_restarts_once_and_asks_for_retry() {
    let mut seen = Seen::default();
    let mut ex = Exchange::new(9);
    let mut d = msg(16, NLM_F_MULTI, 9, &[1]);
    d.extend(msg(16, NLM_F_MULTI | NLM_F_DUMP_INTR, 9, &[2]));
    d.extend(msg(16, NLM_F_MULTI | NLM_F_DUMP_INTR, 9, &[3]));
    assert_eq!(feed(&mut ex, &d, &mut seen).unwrap(), Step::More);
    assert_eq!(
        feed(&mut ex, &done(9, 0, NLM_F_DUMP_INTR), &mut seen).unwrap(),
        Step::Retry
    );
    // Message 1 was delivered, then one Restart; 2 and 3 were withheld.
    assert_eq!(seen.0, vec![Some(1), None]);
}

#[test]
fn dump_intr_on_done_only() {
    let mut seen = Seen::default();
    let mut ex = Exchange::new(9);
    let mut d = msg(16, NLM_F_MULTI, 9, &[1]);
    d.extend(done(9, 0, NLM_F_DUMP_INTR));
    assert_eq!(feed(&mut ex, &d, &mut seen).unwrap(), Step::Retry);
    assert_eq!(seen.0, vec![Some(1), None]);
}

#[test]
fn callback_error_drains_then_wins() {
    let mut ex = Exchange::new(2);
    let mut calls = 0;
    let mut cb = |_: ReplyItem<'_>| {
        calls += 1;
        Err(NlError::Decode(DecodeError("bad message")))
    };
    let mut d = msg(16, NLM_F_MULTI, 2, &[1]);
    d.extend(msg(16, NLM_F_MULTI, 2, &[2]));
    assert_eq!(ex.feed(&d, &mut cb).unwrap(), Step::More);
    match ex.feed(&done(2, 0, 0), &mut cb) {
        Err(NlError::Decode(DecodeError("bad message"))) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(calls, 1, "no delivery after the first error");
}

#[test]
fn malformed_reply_is_a_decode_error() {
    let mut seen = Seen::default();
    let mut ex = Exchange::new(2);
    let mut d = msg(16, NLM_F_MULTI, 2, &[1]);
    d[..4].copy_from_slice(&3u32.to_ne_bytes());
    assert!(matches!(
        feed(&mut ex, &d, &mut seen),
        Err(NlError::Decode(_))
    ));
}
