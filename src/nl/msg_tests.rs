// SPDX-License-Identifier: BSD-3-Clause
use super::*;
use crate::nl::testbuf::{ack, ack_uncapped, done, ext_ack, msg};
use crate::nl::{NLM_F_MULTI, NLMSG_ERROR};

#[test]
fn splits_several_messages_with_padding() {
    let mut dgram = msg(20, NLM_F_MULTI, 7, &[1, 2, 3, 4, 5]);
    assert_eq!(dgram.len(), 24, "21 bytes padded to 24");
    dgram.extend(msg(21, 0, 8, &[]));
    dgram.extend(msg(3, NLM_F_MULTI, 7, &0i32.to_ne_bytes()));
    let got: Vec<_> = Messages::new(&dgram).collect::<Result<_, _>>().unwrap();
    assert_eq!(got.len(), 3);
    assert_eq!(
        got[0],
        Msg {
            msg_type: 20,
            flags: NLM_F_MULTI,
            seq: 7,
            pid: 0,
            payload: &[1, 2, 3, 4, 5]
        }
    );
    assert_eq!(
        (got[1].msg_type, got[1].seq, got[1].payload.len()),
        (21, 8, 0)
    );
    assert_eq!(got[2].payload, &0i32.to_ne_bytes());
}

#[test]
fn last_message_without_padding_is_accepted() {
    let mut dgram = msg(20, 0, 1, &[9, 9, 9]);
    dgram.truncate(19);
    let got: Vec<_> = Messages::new(&dgram).collect();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].unwrap().payload, &[9, 9, 9]);
}

#[test]
fn malformed_datagrams_yield_one_error_then_stop() {
    let good = msg(20, 0, 1, &[0; 4]);
    let mut cases = Vec::new();
    // nlmsg_len past the end of the datagram.
    let mut long = good.clone();
    long[..4].copy_from_slice(&100u32.to_ne_bytes());
    cases.push(long);
    // nlmsg_len smaller than the header: stepping by it would loop.
    let mut short = good.clone();
    short[..4].copy_from_slice(&8u32.to_ne_bytes());
    cases.push(short);
    // zero length.
    let mut zero = good.clone();
    zero[..4].copy_from_slice(&0u32.to_ne_bytes());
    cases.push(zero);
    // A good message followed by 5 stray bytes.
    let mut trailing = good.clone();
    trailing.extend_from_slice(&[1, 2, 3, 4, 5]);
    cases.push(trailing);
    for case in cases {
        let got: Vec<_> = Messages::new(&case).collect();
        assert!(got.last().unwrap().is_err(), "{case:?}");
        assert_eq!(got.iter().filter(|r| r.is_err()).count(), 1);
    }
}

#[test]
fn splitter_never_panics_on_arbitrary_bytes() {
    // Cheap deterministic fuzz: every prefix of a mixed datagram, each
    // with one byte corrupted in turn.
    let mut dgram = msg(20, 0, 1, &[1, 2, 3]);
    dgram.extend(ack(
        1,
        -22,
        NLM_F_CAPPED | NLM_F_ACK_TLVS,
        &ext_ack(Some("x"), Some(20), None),
    ));
    for cut in 0..=dgram.len() {
        for pos in 0..cut {
            let mut d = dgram[..cut].to_vec();
            d[pos] ^= 0xa5;
            for m in Messages::new(&d).flatten() {
                if m.msg_type == NLMSG_ERROR {
                    let _ = decode_error(m.flags, m.payload);
                }
                let _ = decode_done(m.flags, m.payload);
            }
        }
    }
}

#[test]
fn ack_is_none_and_nack_carries_errno() {
    let a = ack(5, 0, NLM_F_CAPPED, &[]);
    let m = Messages::new(&a).next().unwrap().unwrap();
    assert_eq!(decode_error(m.flags, m.payload), Ok(None));

    let n = ack(5, -17, NLM_F_CAPPED, &[]);
    let m = Messages::new(&n).next().unwrap().unwrap();
    let e = decode_error(m.flags, m.payload).unwrap().unwrap();
    assert_eq!(e, KernelError::from_errno(17));
}

#[test]
fn nack_ext_ack_tlvs_capped_and_uncapped() {
    let tlvs = ext_ack(Some("limit greater than maximum (8)"), Some(24), Some(3));
    let want = KernelError {
        errno: 22,
        msg: Some("limit greater than maximum (8)".into()),
        offset: Some(24),
        missing_attr: Some(3),
    };
    let capped = ack(9, -22, NLM_F_CAPPED | NLM_F_ACK_TLVS, &tlvs);
    let m = Messages::new(&capped).next().unwrap().unwrap();
    assert_eq!(
        decode_error(m.flags, m.payload).unwrap(),
        Some(want.clone())
    );

    let uncapped = ack_uncapped(9, -22, NLM_F_ACK_TLVS, &tlvs);
    let m = Messages::new(&uncapped).next().unwrap().unwrap();
    assert_eq!(decode_error(m.flags, m.payload).unwrap(), Some(want));
}

#[test]
fn tlvs_are_ignored_without_the_ack_tlvs_flag() {
    // Same bytes, but the kernel did not say TLVs follow: they must not
    // be read (they would be our echoed request in an uncapped ACK).
    let tlvs = ext_ack(Some("nope"), None, None);
    let n = ack(9, -22, NLM_F_CAPPED, &tlvs);
    let m = Messages::new(&n).next().unwrap().unwrap();
    assert_eq!(
        decode_error(m.flags, m.payload),
        Ok(Some(KernelError::from_errno(22)))
    );
}

#[test]
fn error_payload_shapes() {
    assert!(decode_error(0, &[]).is_err());
    assert!(decode_error(0, &5i32.to_ne_bytes()).is_err());
    // Negative code, TLV flag set, but no room for the copied header.
    let short = (-1i32).to_ne_bytes();
    assert_eq!(
        decode_error(NLM_F_ACK_TLVS, &short),
        Ok(Some(KernelError::from_errno(1)))
    );
}

#[test]
fn done_status() {
    let ok = done(1, 0, 0);
    let m = Messages::new(&ok).next().unwrap().unwrap();
    assert_eq!(decode_done(m.flags, m.payload), None);

    let mut p = (-16i32).to_ne_bytes().to_vec();
    p.extend(ext_ack(Some("dump busy"), None, None));
    let failed = msg(3, NLM_F_MULTI | NLM_F_ACK_TLVS, 1, &p);
    let m = Messages::new(&failed).next().unwrap().unwrap();
    let e = decode_done(m.flags, m.payload).unwrap();
    assert_eq!((e.errno, e.msg.as_deref()), (16, Some("dump busy")));
    assert_eq!(decode_done(0, &[]), None);
}

/// Found by the `rtnl_decode` fuzz target: a status of `i32::MIN` was
/// negated into a negative errno. Codes past `-MAX_ERRNO` are no errno.
#[test]
fn status_beyond_max_errno_is_not_an_errno() {
    for code in [i32::MIN, -4096] {
        assert!(decode_error(0, &code.to_ne_bytes()).is_err(), "{code}");
        let e = decode_done(0, &code.to_ne_bytes()).expect("still a failed dump");
        assert_eq!(e.errno, libc::EPROTO, "{code}");
    }
    assert_eq!(
        decode_error(0, &(-4095i32).to_ne_bytes()),
        Ok(Some(KernelError::from_errno(4095)))
    );
    assert_eq!(
        decode_done(0, &(-4095i32).to_ne_bytes()).unwrap().errno,
        4095
    );
}
