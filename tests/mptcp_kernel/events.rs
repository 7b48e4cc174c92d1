// SPDX-License-Identifier: BSD-3-Clause
//! What the kernel must report about one real connection, from both ends:
//! CREATED and ESTABLISHED with each end's own view, one token per end,
//! CLOSED after everything else.

use std::net::{SocketAddr, TcpListener, TcpStream};

use mptcpd::pm::PmEvent;

use crate::WAIT;
use crate::common::pm::PmEvents;

/// The token every token-bearing event of one side carries; fails if
/// they disagree or there is none.
pub fn one_token(side: &str, seen: &[PmEvent]) -> u32 {
    let tokens: Vec<u32> = seen.iter().filter_map(PmEvent::token).collect();
    assert!(!tokens.is_empty(), "{side}: no connection events");
    assert!(
        tokens.iter().all(|t| *t == tokens[0]),
        "{side}: events of one connection with different tokens: {seen:#?}"
    );
    assert_ne!(tokens[0], 0, "{side}: token 0");
    tokens[0]
}

/// Waits for CREATED and ESTABLISHED on both ends, each reporting the
/// connection from its own point of view, and returns the (client,
/// server) tokens.
pub fn expect_open(
    cli_ev: &mut PmEvents,
    srv_ev: &mut PmEvents,
    client_addr: SocketAddr,
    server_addr: SocketAddr,
) -> (u32, u32) {
    assert_eq!(
        srv_ev.wait_for("LISTENER_CREATED", WAIT, |e| {
            matches!(e, PmEvent::ListenerCreated(_))
        }),
        PmEvent::ListenerCreated(server_addr)
    );
    let mut tokens = [0; 2];
    let sides = [
        (cli_ev, client_addr, server_addr, false),
        (srv_ev, server_addr, client_addr, true),
    ];
    for (i, (ev, local, remote, server_side)) in sides.into_iter().enumerate() {
        let created = ev.wait_for("CREATED", WAIT, |e| matches!(e, PmEvent::Created(_)));
        let est = ev.wait_for("ESTABLISHED", WAIT, |e| {
            matches!(e, PmEvent::Established(_))
        });
        let (PmEvent::Created(c), PmEvent::Established(e)) = (created, est) else {
            unreachable!()
        };
        assert_eq!(c, e, "CREATED and ESTABLISHED disagree");
        assert_eq!((c.local, c.remote), (local, remote), "{c:?}");
        assert_eq!(c.server_side, server_side, "{c:?}");
        assert_ne!(c.token, 0);
        tokens[i] = c.token;
    }
    (tokens[0], tokens[1])
}

/// Closes the connection and its listener, then waits for CLOSED with the
/// connection's token on both ends and LISTENER_CLOSED on the server, and
/// checks that each end's events carried one token, in a sane order.
pub fn expect_closed(
    cli_ev: &mut PmEvents,
    srv_ev: &mut PmEvents,
    sockets: (TcpStream, TcpStream, TcpListener),
    (tc, ts): (u32, u32),
    server_addr: SocketAddr,
) {
    drop(sockets);
    let is_closed = |e: &PmEvent| matches!(e, PmEvent::Closed { .. });
    assert_eq!(
        cli_ev.wait_for("client CLOSED", WAIT, is_closed),
        PmEvent::Closed { token: tc }
    );
    assert_eq!(
        srv_ev.wait_for("server CLOSED", WAIT, is_closed),
        PmEvent::Closed { token: ts }
    );
    assert_eq!(
        srv_ev.wait_for("LISTENER_CLOSED", WAIT, |e| {
            matches!(e, PmEvent::ListenerClosed(_))
        }),
        PmEvent::ListenerClosed(server_addr)
    );
    for (side, ev, token) in [("client", cli_ev, tc), ("server", srv_ev, ts)] {
        assert_eq!(one_token(side, &ev.seen), token);
        assert_in_order(side, &ev.seen);
    }
}

/// CREATED, then ESTABLISHED, and CLOSED after every other event of the
/// connection.
fn assert_in_order(side: &str, seen: &[PmEvent]) {
    let pos = |f: fn(&PmEvent) -> bool| {
        seen.iter()
            .position(f)
            .unwrap_or_else(|| panic!("{side}: missing event in {seen:#?}"))
    };
    let created = pos(|e| matches!(e, PmEvent::Created(_)));
    let established = pos(|e| matches!(e, PmEvent::Established(_)));
    let closed = pos(|e| matches!(e, PmEvent::Closed { .. }));
    let last = seen.iter().rposition(|e| e.token().is_some()).unwrap();
    assert!(
        created < established && established < closed && closed == last,
        "{side}: events out of order: {seen:#?}"
    );
}
