// SPDX-License-Identifier: BSD-3-Clause
//! sspi's reactions to MPTCP events, network changes, answers and timers.

use std::net::SocketAddr;
use std::time::Instant;

use log::{debug, info, warn};

use super::conns::{Ann, ConnState, Sub};
use super::*;
use crate::status::{ConnStatus, PolicyStatus, SubflowStatus};

impl Policy for Sspi {
    fn name(&self) -> &'static str {
        NAME
    }

    fn ready(&mut self, _ctx: &mut Ctx<'_>, _endpoints: &[Endpoint]) {
        info!("sspi path manager initialized.");
    }

    fn new_connection(&mut self, ctx: &mut Ctx<'_>, info: &ConnInfo) {
        self.track(ctx, info);
    }

    fn connection_established(&mut self, ctx: &mut Ctx<'_>, info: &ConnInfo) {
        let Some(conn) = self.track(ctx, info) else {
            return;
        };
        if conn.state == ConnState::KernelPm {
            return;
        }
        conn.state = ConnState::Established;
        self.fill(ctx, info.token);
    }

    fn connection_closed(&mut self, ctx: &mut Ctx<'_>, token: Token) {
        let Some(mut conn) = self.table.remove(token) else {
            return;
        };
        for s in &mut conn.slots {
            self.forget_listener(ctx, token, s);
        }
        debug!(
            "sspi: connection {token:08x} closed, {} tracked",
            self.table.conns.len()
        );
    }

    fn new_address(&mut self, ctx: &mut Ctx<'_>, token: Token, rem_id: u8, addr: SocketAddr) {
        let Some(conn) = self.table.conns.get_mut(&token) else {
            return;
        };
        if conn.deny_join_id0
            && conn.peer.is_none()
            && addr.ip().to_canonical().is_ipv4() == conn.peer_is_v4()
        {
            conn.peer = Some((rem_id, addr));
            self.fill(ctx, token);
        }
    }

    fn address_removed(&mut self, _ctx: &mut Ctx<'_>, token: Token, rem_id: u8) {
        if let Some(conn) = self.table.conns.get_mut(&token)
            && conn.deny_join_id0
            && conn.peer.is_some_and(|(id, _)| id == rem_id)
        {
            conn.peer = None;
        }
    }

    fn new_subflow(&mut self, ctx: &mut Ctx<'_>, sf: &SubflowInfo) {
        let token = sf.token;
        let Some(conn) = self.table.managed(token) else {
            return;
        };
        let local_ip = sf.local.ip().to_canonical();
        let peer = conn.peer.map(|(_, p)| p);
        let iface = ctx.net().iface_of_addr(local_ip);
        let si = conn
            .slots
            .iter()
            .position(|s| s.creating.is_some() && s.local == local_ip && peer == Some(sf.remote))
            .or_else(|| iface.and_then(|i| conn.slot(i.index)));
        let new = Sub {
            local: sf.local,
            remote: sf.remote,
            loc_id: sf.loc_id,
            rem_id: sf.rem_id,
        };
        let Some(si) = si else {
            // A subflow the peer opened on an interface we have nothing
            // on (or whose address we do not use): it is that
            // interface's one subflow.
            if let Some(i) = iface {
                let mut s = Slot::new(i.index, local_ip, sf.loc_id);
                s.sub = Some(new);
                conn.slots.push(s);
            }
            return;
        };
        let slot = &mut conn.slots[si];
        let ours = slot.creating.is_some() && slot.local == local_ip;
        if ours {
            slot.creating = None;
        }
        if let Some(old) = slot.sub
            && (old.local, old.remote) != (sf.local, sf.remote)
        {
            info!(
                "sspi: subflow already exists on network interface ({}), closing new subflow \
                 {} -> {} of {token:08x}",
                slot.ifindex, sf.local, sf.remote
            );
            ctx.subflow_destroy(token, sf.local, sf.remote);
            return;
        }
        slot.sub = Some(new);
        slot.fails = 0;
        slot.id_checked = false;
        let backup = slot.backup && !slot.initial && (ours || slot.ann == Ann::Announced);
        self.table.cancel(token, si);
        if backup {
            // Older kernels ignore the flag in SUBFLOW_CREATE.
            ctx.set_backup(token, sf.local, sf.remote, true);
        }
        // A subflow kept only because it was the last one can go now.
        let Some(conn) = self.table.conns.get(&token) else {
            return;
        };
        if let Some(gi) = conn.slots.iter().position(|s| s.gone) {
            if let Some(sub) = conn.slots[gi].sub {
                ctx.subflow_destroy(token, sub.local, sub.remote);
            }
            self.table.drop_slot(token, gi);
        }
    }

    fn subflow_closed(&mut self, ctx: &mut Ctx<'_>, sf: &SubflowInfo) {
        let token = sf.token;
        let Some(conn) = self.table.managed(token) else {
            return;
        };
        let local_ip = sf.local.ip().to_canonical();
        let peer = conn.peer.map(|(_, p)| p);
        let server = conn.server_side;
        let si = match conn.slot_of_sub(sf.local, sf.remote) {
            Some(si) => {
                conn.slots[si].sub = None;
                si
            }
            None => {
                // The outcome of our SUBFLOW_CREATE (error set), if any.
                let Some(si) = conn.slots.iter().position(|s| {
                    s.creating.is_some() && s.local == local_ip && peer == Some(sf.remote)
                }) else {
                    return;
                };
                debug!(
                    "sspi: subflow {} -> {} of {token:08x} failed (error {:?})",
                    sf.local, sf.remote, sf.error
                );
                conn.slots[si].creating = None;
                si
            }
        };
        let slot = &conn.slots[si];
        if slot.gone || !usable(ctx.net(), slot) {
            if slot.ann == Ann::None {
                self.table.drop_slot(token, si);
            }
            return;
        }
        // A client heals its subflows; a server waits for the peer.
        if !server && conn.state == ConnState::Established {
            self.table.schedule(token, si, ctx.now());
        }
    }

    fn listener_created(&mut self, _ctx: &mut Ctx<'_>, addr: SocketAddr) {
        self.listeners.app_listening(addr);
    }

    fn listener_closed(&mut self, _ctx: &mut Ctx<'_>, addr: SocketAddr) {
        self.listeners.app_closed(addr);
    }

    fn new_local_address(&mut self, ctx: &mut Ctx<'_>, _iface: &Interface, _addr: &Addr) {
        let tokens: Vec<Token> = self.table.conns.keys().copied().collect();
        for token in tokens {
            self.fill(ctx, token);
        }
    }

    fn delete_local_address(&mut self, ctx: &mut Ctx<'_>, iface: &Interface, addr: &Addr) {
        let (index, ip) = (iface.index, addr.addr);
        let touched = self.withdraw_where(ctx, |s| s.ifindex == index && s.local == ip);
        // Another address of the interface may take over.
        for token in touched {
            self.fill(ctx, token);
        }
        let in_use = self
            .table
            .conns
            .values()
            .any(|c| c.slots.iter().any(|s| s.local == ip && !s.initial));
        if !in_use {
            ctx.ids().remove(ip);
        }
    }

    fn delete_interface(&mut self, ctx: &mut Ctx<'_>, iface: &Interface) {
        let index = iface.index;
        self.withdraw_where(ctx, |s| s.ifindex == index);
    }

    fn command_result(&mut self, ctx: &mut Ctx<'_>, tag: Tag, req: &Request, result: &CmdResult) {
        let err = result.as_ref().err();
        match *req {
            Request::Listen(asked) => self.listen_result(ctx, tag, asked, result),
            Request::Pm(Command::SubflowCreate { token, .. }) => {
                let Some(e) = err else { return };
                let si = self
                    .table
                    .conns
                    .get(&token)
                    .and_then(|c| c.slots.iter().position(|s| s.creating == Some(tag)));
                match si {
                    Some(si) => self.slot_failed(ctx, token, si, e),
                    None if is_kernel_pm(e) => self.mark_kernel_pm(ctx, token),
                    None => debug!("sspi: add_subflow on {token:08x}: {e}"),
                }
            }
            Request::Pm(Command::Announce { token, .. }) => {
                let si = self
                    .table
                    .conns
                    .get(&token)
                    .and_then(|c| c.slots.iter().position(|s| s.ann == Ann::Announcing(tag)));
                let Some(si) = si else { return };
                match err {
                    None => {
                        let s = &mut self.table.conns.get_mut(&token).unwrap().slots[si];
                        s.ann = Ann::Announced;
                        s.id_checked = false;
                    }
                    Some(e) => self.slot_failed(ctx, token, si, e),
                }
            }
            Request::Pm(Command::DumpAddrs { token: Some(token) }) => {
                self.dump_result(ctx, token, result)
            }
            Request::Pm(Command::SubflowDestroy {
                token,
                local,
                remote,
            }) => match err {
                // Closed meanwhile (by the peer, or by a REMOVE).
                Some(e) if e.errno == ESRCH => debug!("sspi: {local} -> {remote}: {e}"),
                Some(e) if is_kernel_pm(e) => self.mark_kernel_pm(ctx, token),
                Some(e) => warn!("sspi: remove_subflow {local} -> {remote} of {token:08x}: {e}"),
                None => {}
            },
            _ => {
                if let Some(e) = err {
                    warn!("sspi: {}: {e}", req.op_name());
                }
            }
        }
    }

    fn resync(&mut self, ctx: &mut Ctx<'_>) {
        // Events may be missing for any connection: re-read each one's
        // address list (which also finds connections that closed), and
        // try clients whose ESTABLISHED may have been lost (the kernel
        // answers ENOTCONN if it really was not).
        let tokens: Vec<Token> = self.table.conns.keys().copied().collect();
        for token in tokens {
            let Some(conn) = self.table.conns.get_mut(&token) else {
                continue;
            };
            match conn.state {
                ConnState::KernelPm => continue,
                ConnState::Created if !conn.server_side => {
                    conn.state = ConnState::Established;
                    self.fill(ctx, token);
                }
                _ => self.fill(ctx, token),
            }
            ctx.dump_conn_addrs(token);
        }
    }

    fn poll_at(&self) -> Option<Instant> {
        self.table.next_deadline()
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>) {
        for (token, ifindex) in self.table.due(ctx.now()) {
            let Some(conn) = self.table.conns.get(&token) else {
                continue;
            };
            let Some(si) = conn.slot(ifindex) else {
                continue;
            };
            let s = &conn.slots[si];
            if conn.state != ConnState::Established || s.sub.is_some() || s.creating.is_some() {
                continue;
            }
            if usable(ctx.net(), s) {
                start_create(&mut self.table, ctx, token, si);
            } else {
                self.table.drop_slot(token, si);
            }
        }
    }

    fn reconfigure(&mut self, ctx: &mut Ctx<'_>, _settings: &Settings) {
        // `backup` may have changed per interface: follow it on the
        // subflows we made or that joined our announcements.
        for (&token, conn) in &mut self.table.conns {
            for s in conn.slots.iter_mut().filter(|s| !s.initial) {
                let Some(i) = ctx.net().interface(s.ifindex) else {
                    continue;
                };
                let backup = i.addr_flags.contains(AddrFlags::BACKUP);
                if backup == s.backup {
                    continue;
                }
                s.backup = backup;
                if let Some(sub) = s.sub {
                    ctx.set_backup(token, sub.local, sub.remote, backup);
                }
            }
        }
    }

    fn status(&self, out: &mut PolicyStatus) {
        let mut tokens: Vec<Token> = self.table.conns.keys().copied().collect();
        tokens.sort_unstable();
        for token in tokens {
            let c = &self.table.conns[&token];
            out.connections.push(ConnStatus {
                token,
                local: c.local,
                remote: c.remote,
                server_side: c.server_side,
                subflows: c
                    .slots
                    .iter()
                    .filter(|s| !s.initial)
                    .filter_map(|s| {
                        let sub = s.sub?;
                        Some(SubflowStatus {
                            local: sub.local,
                            remote: sub.remote,
                            loc_id: sub.loc_id,
                            rem_id: sub.rem_id,
                            backup: s.backup,
                            ifindex: Some(s.ifindex as i32),
                        })
                    })
                    .collect(),
            });
        }
    }

    fn shutdown(&mut self, _ctx: &mut Ctx<'_>) {
        // Subflows and announcements stay with their connections; the
        // event loop closes our listeners on exit.
        info!("sspi path manager exited.");
    }
}

impl Sspi {
    /// The table entry for a connection event (created on the first
    /// event seen for the token), with its initial subflow's slot.
    fn track(&mut self, ctx: &mut Ctx<'_>, info: &ConnInfo) -> Option<&mut conns::Conn> {
        let fresh = !self.table.conns.contains_key(&info.token);
        let conn = self.table.admit(info)?;
        if fresh {
            conn.slots.reserve_exact(ctx.net().interfaces().count());
            let initial = info.local.ip().to_canonical();
            if let Some(i) = ctx.net().iface_of_addr(initial) {
                conn.slots
                    .push(initial_slot(i.index, info.local, info.remote));
            }
            debug!(
                "sspi: tracking connection {:08x} {} -> {}{}",
                info.token,
                info.local,
                info.remote,
                if info.server_side {
                    " (server side)"
                } else {
                    ""
                }
            );
        }
        Some(conn)
    }
}
