// SPDX-License-Identifier: BSD-3-Clause
use super::*;

fn attr_bytes(kind: u16, payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    put(&mut v, kind, payload);
    v
}

#[test]
fn put_pads_and_iterates_back() {
    let mut buf = Vec::new();
    put_str(&mut buf, 2, "mptcp_pm");
    put_u32(&mut buf, 3, 7);
    put(&mut buf, 0x8007, &attr_bytes(1, b"x\0"));
    // "mptcp_pm\0" is 9 bytes: nla_len 13, padded to 16.
    assert_eq!(&buf[..2], &13u16.to_ne_bytes());
    assert_eq!(buf.len(), 16 + 8 + 12);
    let got: Vec<_> = NlaIter::new(&buf).collect::<Result<_, _>>().unwrap();
    assert_eq!(got.len(), 3);
    assert_eq!(got[0].str(), Ok("mptcp_pm"));
    assert_eq!(got[1].u32(), Ok(7));
    assert_eq!(got[2].kind, 7, "NLA_F_NESTED is masked off");
    assert_eq!(got[2].raw_type(), 0x8007, "and kept for re-emitting");
    let inner: Vec<_> = got[2].nested().collect::<Result<_, _>>().unwrap();
    assert_eq!(inner[0].str(), Ok("x"));
}

#[test]
fn last_attribute_without_padding_is_accepted() {
    let mut buf = attr_bytes(1, &[9]);
    buf.truncate(5);
    let got: Vec<_> = NlaIter::new(&buf).collect();
    assert_eq!(
        got,
        vec![Ok(Nla {
            kind: 1,
            flags: 0,
            payload: &[9]
        })]
    );
}

#[test]
fn bad_lengths_stop_iteration_with_an_error() {
    for bad in [
        &[1u8][..],                          // short header
        &[3, 0, 1, 0][..],                   // nla_len below 4
        &[9, 0, 1, 0, 1, 2, 3, 4][..],       // nla_len past the end
        &[0xff, 0xff, 1, 0, 0, 0, 0, 0][..], // absurd nla_len
    ] {
        let bad: Vec<u8> = if cfg!(target_endian = "big") {
            // Keep the test meaningful on big-endian: swap the u16s.
            let mut b = bad.to_vec();
            if b.len() >= 4 {
                b.swap(0, 1);
                b.swap(2, 3);
            }
            b
        } else {
            bad.to_vec()
        };
        let got: Vec<_> = NlaIter::new(&bad).collect();
        assert_eq!(got.len(), 1, "{bad:?}");
        assert!(got[0].is_err(), "{bad:?}");
    }
}

#[test]
fn typed_getters_check_sizes() {
    let a = Nla {
        kind: 1,
        flags: 0,
        payload: &[1, 2, 3],
    };
    assert!(a.u8().is_err());
    assert!(a.u16().is_err());
    assert!(a.u32().is_err());
    let s = Nla {
        kind: 1,
        flags: 0,
        payload: &[0xff, 0xfe, 0],
    };
    assert!(s.str().is_err());
    let nonul = Nla {
        kind: 1,
        flags: 0,
        payload: b"eth0",
    };
    assert_eq!(nonul.str(), Ok("eth0"));
}
