// SPDX-License-Identifier: BSD-3-Clause
//! Every MPTCP decoder on arbitrary bytes: no panic, and what the wire level
//! accepts re-emits into bytes that parse back identically.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mptcpd::wire::{EventMessage, PmMessage, decode_endpoint, decode_event, decode_limits};

fuzz_target!(|data: &[u8]| {
    let event = decode_event(data);
    let _ = decode_endpoint(data);
    let _ = decode_limits(data);

    if let Ok(m) = PmMessage::parse(data) {
        let mut out = Vec::new();
        m.emit(&mut out);
        assert_eq!(out.len(), m.buffer_len());
        assert_eq!(PmMessage::parse(&out).as_ref(), Ok(&m));
    }
    let msg = EventMessage::parse(data);
    if let Ok(m) = &msg {
        let mut out = Vec::new();
        m.emit(&mut out);
        assert_eq!(out.len(), m.buffer_len());
        assert_eq!(EventMessage::parse(&out).as_ref(), Ok(m));
    }
    if let Ok(Some(_)) = event {
        assert!(msg.is_ok());
    }
});
