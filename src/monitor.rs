// SPDX-License-Identifier: BSD-3-Clause
//! The network monitor: which local addresses a path manager may use.
//!
//! It keeps every interface the kernel reports (ready or not) with every
//! address on it, and reports to the policy only real changes of the set
//! of *usable* addresses. An address is usable while all of these hold:
//!
//! 1. its interface is UP and RUNNING (carrier), not loopback, and not
//!    excluded by [`Settings::iface_policy`];
//! 2. it was not present at start, or the notify flag `existing` is set
//!    (addresses present at start are otherwise recorded and left alone);
//! 3. it passes `skip_loopback` (scope host, 127/8, ::1) and
//!    `skip_link_local` (scope link, fe80::/10, 169.254/16);
//! 4. it is not tentative, DAD-failed or deprecated (re-evaluated on every
//!    RTM_NEWADDR, which is an upsert);
//! 5. with `check_route`, the last route check said a default route
//!    leaves from it through its interface.
//!
//! Fixes over mptcpd (each a known complaint, see the behaviour notes
//! §13): carrier loss and interface removal withdraw the addresses
//! (mptcpd#334) while the monitor keeps remembering them, so carrier back
//! brings them back; `check_route` is re-run on every route or rule
//! change (debounced by [`ROUTE_SETTLE`]) instead of giving up after
//! 30 ms, and a lost default route withdraws the address; `ifa_flags`
//! are honoured; `update_interface` is sent only when something changed.
//!
//! A reload ([`Monitor::reconfigure`]) judges everything again under
//! the new settings, as if the daemon had started with them, and reports
//! only the differences: an interface newly excluded is withdrawn like
//! one that lost carrier, one newly included comes in like a new one, a
//! change of its endpoint flags is one `IfaceUpdate`.
//!
//! Events come out in a safe order: `IfaceNew` before the interface's
//! `LocalAddrAdded`s, `LocalAddrRemoved`s before `IfaceGone`. Interfaces
//! present at start get no `IfaceNew` (as in mptcpd).

use std::net::IpAddr;
use std::time::{Duration, Instant};

use log::{debug, info};

use crate::daemon::{IfacePolicy, Settings};
use crate::flags::{AddrFlags, NotifyFlags};
use crate::iface::{Addr, IfName, Link, RT_SCOPE_HOST, RT_SCOPE_LINK, RouteCheck};

/// How long route and rule changes are collected before the candidate
/// addresses are checked again. A router taking a full BGP table sends
/// routes by the hundred thousand; one check round per settle period
/// keeps that cheap while a new default route is still followed quickly.
pub const ROUTE_SETTLE: Duration = Duration::from_millis(100);

/// An interface as policies see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interface {
    pub index: u32,
    pub name: IfName,
    /// `IFF_*` flags of the last RTM_NEWLINK.
    pub flags: u32,
    /// Endpoint flags for addresses of this interface (from the
    /// configuration; per interface once rules exist).
    pub addr_flags: AddrFlags,
}

/// A change of the usable-address set, for the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetEvent {
    /// An interface became usable (not sent for interfaces usable at start).
    IfaceNew(Interface),
    /// A usable interface changed (flags, name, endpoint flags).
    IfaceUpdate(Interface),
    /// A usable interface lost UP or carrier, or was deleted.
    IfaceGone(Interface),
    LocalAddrAdded {
        iface: Interface,
        addr: Addr,
    },
    LocalAddrRemoved {
        iface: Interface,
        addr: Addr,
    },
}

/// What the monitor asks for while handling one input.
#[derive(Debug, Default)]
pub struct MonitorOut {
    pub events: Vec<NetEvent>,
    /// Route checks to run: (interface index, address). Each must be
    /// answered with [`Monitor::route_check`].
    pub route_checks: Vec<(u32, IpAddr)>,
}

impl MonitorOut {
    pub fn clear(&mut self) {
        self.events.clear();
        self.route_checks.clear();
    }
}

/// Default-route state of one address under `check_route`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    /// Not a candidate, or not checked yet.
    Unknown,
    /// First check asked, no answer yet.
    Pending,
    Default,
    NoDefault,
}

#[derive(Debug)]
struct Local {
    addr: Addr,
    /// In the startup snapshot: never reported while `existing` is off.
    at_start: bool,
    route: Route,
    /// The policy has been told about it (and not told it went away).
    reported: bool,
}

#[derive(Debug)]
struct Iface {
    link: Link,
    policy: IfacePolicy,
    /// Addresses arrived before the link itself (lost or reordered
    /// NEWLINK): kept until the link shows up, never usable before.
    placeholder: bool,
    /// The policy considers this interface usable.
    announced: bool,
    addrs: Vec<Local>,
}

impl Local {
    fn silent(&self, notify: NotifyFlags) -> bool {
        self.at_start && !notify.contains(NotifyFlags::EXISTING)
    }
}

impl Iface {
    fn ready(&self) -> bool {
        !self.placeholder
            && self.link.is_up()
            && self.link.is_running()
            && !self.link.is_loopback()
            && self.policy.used
    }

    fn info(&self) -> Interface {
        Interface {
            index: self.link.index,
            name: self.link.name,
            flags: self.link.flags,
            addr_flags: self.policy.addr_flags,
        }
    }
}

/// The interface and address table. Vectors, not maps: a router has
/// tens of interfaces and a few addresses on each, and the policy-facing
/// iteration order stays the kernel's order.
#[derive(Debug)]
pub struct Monitor {
    settings: Settings,
    ifaces: Vec<Iface>,
    /// True until the first full dump is applied: addresses seen until
    /// then are "existing" ones, interfaces get no `IfaceNew`.
    startup: bool,
    recheck_at: Option<Instant>,
}

impl Monitor {
    pub fn new(settings: Settings) -> Self {
        Monitor {
            settings,
            ifaces: Vec::new(),
            startup: true,
            recheck_at: None,
        }
    }

    fn notify(&self) -> NotifyFlags {
        self.settings.notify_flags
    }

    /// RTM_NEWLINK. Returns true when the record changed.
    pub fn new_link(&mut self, link: Link, out: &mut MonitorOut) -> bool {
        let policy = self.settings.iface_policy(&link.name);
        let ii = match self.find(link.index) {
            Some(ii) => ii,
            None => {
                self.ifaces.push(Iface {
                    link,
                    policy,
                    placeholder: false,
                    announced: false,
                    addrs: Vec::new(),
                });
                self.relink(self.ifaces.len() - 1, false, out);
                return true;
            }
        };
        let iface = &mut self.ifaces[ii];
        let changed = iface.placeholder || iface.link != link || iface.policy != policy;
        iface.link = link;
        iface.policy = policy;
        iface.placeholder = false;
        self.relink(ii, changed, out);
        changed
    }

    /// RTM_DELLINK: the interface and its addresses are gone for good.
    pub fn del_link(&mut self, index: u32, out: &mut MonitorOut) -> bool {
        let Some(ii) = self.find(index) else {
            return false;
        };
        if self.ifaces[ii].announced {
            self.ifaces[ii].announced = false;
            self.evaluate_all(ii, out);
            let info = self.ifaces[ii].info();
            info!("interface {} ({}) removed", info.name, info.index);
            out.events.push(NetEvent::IfaceGone(info));
        }
        self.ifaces.remove(ii);
        true
    }

    /// RTM_NEWADDR, an upsert. Returns true when the record changed.
    pub fn new_addr(&mut self, addr: Addr, out: &mut MonitorOut) -> bool {
        let ii = match self.find(addr.index) {
            Some(ii) => ii,
            None => {
                debug!("address {} on unknown interface {}", addr.addr, addr.index);
                self.ifaces.push(Iface {
                    link: Link {
                        index: addr.index,
                        name: IfName::default(),
                        flags: 0,
                        operstate: None,
                    },
                    policy: IfacePolicy {
                        used: false,
                        addr_flags: AddrFlags::empty(),
                    },
                    placeholder: true,
                    announced: false,
                    addrs: Vec::new(),
                });
                self.ifaces.len() - 1
            }
        };
        let at_start = self.startup;
        let silent = at_start && !self.notify().contains(NotifyFlags::EXISTING);
        let iface = &mut self.ifaces[ii];
        let ai = match iface.addrs.iter().position(|l| l.addr.addr == addr.addr) {
            Some(ai) if iface.addrs[ai].addr == addr => return false,
            Some(ai) => {
                iface.addrs[ai].addr = addr;
                ai
            }
            None => {
                if silent {
                    debug!(
                        "existing address {} left alone (notify flag `existing` is off)",
                        addr.addr
                    );
                }
                iface.addrs.push(Local {
                    addr,
                    at_start,
                    route: Route::Unknown,
                    reported: false,
                });
                iface.addrs.len() - 1
            }
        };
        self.evaluate(ii, ai, out);
        true
    }

    /// RTM_DELADDR. Returns true when the address was known.
    pub fn del_addr(&mut self, addr: &Addr, out: &mut MonitorOut) -> bool {
        let Some(ii) = self.find(addr.index) else {
            return false;
        };
        let iface = &mut self.ifaces[ii];
        let Some(ai) = iface.addrs.iter().position(|l| l.addr.addr == addr.addr) else {
            return false;
        };
        let local = iface.addrs.remove(ai);
        if local.reported {
            out.events.push(NetEvent::LocalAddrRemoved {
                iface: iface.info(),
                addr: local.addr,
            });
        }
        if iface.placeholder && iface.addrs.is_empty() {
            self.ifaces.remove(ii);
        }
        true
    }

    /// A full rtnl dump: the first one is the startup snapshot, later ones
    /// follow a socket overrun. Only real differences produce events;
    /// after an overrun each one is logged at info.
    pub fn apply_dump(&mut self, links: &[Link], addrs: &[Addr], out: &mut MonitorOut) {
        let resync = !self.startup;
        let mut gone = Vec::new();
        for iface in &self.ifaces {
            for l in &iface.addrs {
                let a = &l.addr;
                if !addrs.iter().any(|d| d.index == a.index && d.addr == a.addr) {
                    gone.push(*a);
                }
            }
        }
        for a in gone {
            info!(
                "resync: address {} on interface {} is gone",
                a.addr, a.index
            );
            self.del_addr(&a, out);
        }
        let stale: Vec<u32> = self
            .ifaces
            .iter()
            .map(|i| i.link.index)
            .filter(|&ix| !links.iter().any(|l| l.index == ix))
            .collect();
        for index in stale {
            info!("resync: interface {index} is gone");
            self.del_link(index, out);
        }
        for link in links {
            if self.new_link(*link, out) && resync {
                info!("resync: interface {} ({}) changed", link.name, link.index);
            }
        }
        for a in addrs {
            if self.new_addr(*a, out) && resync {
                info!(
                    "resync: address {} on interface {} new or changed",
                    a.addr, a.index
                );
            }
        }
        self.startup = false;
    }

    /// An answer to a route check this monitor asked for. Answers for
    /// addresses that are no longer candidates are stale and ignored.
    pub fn route_check(&mut self, answer: RouteCheck, out: &mut MonitorOut) {
        let Some(ii) = self.find(answer.index) else {
            return;
        };
        let iface = &mut self.ifaces[ii];
        let Some(ai) = iface.addrs.iter().position(|l| l.addr.addr == answer.addr) else {
            return;
        };
        let local = &mut iface.addrs[ai];
        let new = if answer.has_default {
            Route::Default
        } else {
            Route::NoDefault
        };
        match (local.route, new) {
            (Route::Unknown, _) => return,
            (old, Route::Default) if old != Route::Default => info!(
                "found default route for address {} on interface {}",
                answer.addr, answer.index
            ),
            (Route::Default, Route::NoDefault) => info!(
                "no default route any more for address {} on interface {}",
                answer.addr, answer.index
            ),
            (Route::Pending, Route::NoDefault) => debug!(
                "no default route for address {} on interface {} (yet)",
                answer.addr, answer.index
            ),
            _ => {}
        }
        local.route = new;
        self.evaluate(ii, ai, out);
    }

    /// New settings (a reload). Every interface and address is judged
    /// again under them, as if the daemon had started with them (an
    /// address present at start is reported once `existing` is on, and
    /// left alone again once it is off), and only real differences are
    /// reported: an interface whose rule and state did not change gets
    /// no event at all. Turning `check_route` on keeps reported addresses
    /// until their first route check says otherwise.
    pub fn reconfigure(&mut self, settings: Settings, out: &mut MonitorOut) {
        self.settings = settings;
        if !self.notify().contains(NotifyFlags::CHECK_ROUTE) {
            self.recheck_at = None;
        }
        for ii in 0..self.ifaces.len() {
            if self.ifaces[ii].placeholder {
                continue;
            }
            let policy = self.settings.iface_policy(&self.ifaces[ii].link.name);
            let old = std::mem::replace(&mut self.ifaces[ii].policy, policy);
            if old != policy {
                info!(
                    "interface {}: rules say {} (was {})",
                    self.ifaces[ii].link.name,
                    describe(policy),
                    describe(old)
                );
            }
            self.relink(ii, old != policy, out);
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Some route or routing rule changed. Candidates are checked again
    /// once [`ROUTE_SETTLE`] has passed since the first such change.
    pub fn route_changed(&mut self, now: Instant) {
        if self.notify().contains(NotifyFlags::CHECK_ROUTE) && self.recheck_at.is_none() {
            self.recheck_at = Some(now + ROUTE_SETTLE);
        }
    }

    /// The next time [`Monitor::on_timer`] has work to do.
    pub fn poll_at(&self) -> Option<Instant> {
        self.recheck_at
    }

    pub fn on_timer(&mut self, now: Instant, out: &mut MonitorOut) {
        if self.recheck_at.is_none_or(|at| at > now) {
            return;
        }
        self.recheck_at = None;
        for iface in &self.ifaces {
            for l in iface.addrs.iter().filter(|l| l.route != Route::Unknown) {
                out.route_checks.push((iface.link.index, l.addr.addr));
            }
        }
    }

    fn relink(&mut self, ii: usize, changed: bool, out: &mut MonitorOut) {
        let ready = self.ifaces[ii].ready();
        let info = self.ifaces[ii].info();
        match (self.ifaces[ii].announced, ready) {
            (false, true) => {
                self.ifaces[ii].announced = true;
                if !self.startup {
                    info!("interface {} ({}) is usable", info.name, info.index);
                    out.events.push(NetEvent::IfaceNew(info));
                }
                self.evaluate_all(ii, out);
            }
            (true, true) => {
                if changed {
                    out.events.push(NetEvent::IfaceUpdate(info));
                }
                self.evaluate_all(ii, out);
            }
            (true, false) => {
                let why = if self.ifaces[ii].policy.used {
                    "lost UP or carrier"
                } else {
                    "is excluded by the interface rules"
                };
                info!(
                    "interface {} ({}) {why}: withdrawing its addresses",
                    info.name, info.index
                );
                self.ifaces[ii].announced = false;
                self.evaluate_all(ii, out);
                out.events.push(NetEvent::IfaceGone(info));
            }
            (false, false) => {}
        }
    }

    fn evaluate_all(&mut self, ii: usize, out: &mut MonitorOut) {
        for ai in 0..self.ifaces[ii].addrs.len() {
            self.evaluate(ii, ai, out);
        }
    }

    /// The one place that decides whether an address is reported.
    fn evaluate(&mut self, ii: usize, ai: usize, out: &mut MonitorOut) {
        let notify = self.notify();
        let iface = &mut self.ifaces[ii];
        let info = iface.info();
        let announced = iface.announced;
        let local = &mut iface.addrs[ai];
        let candidate = announced
            && !local.silent(notify)
            && local.addr.is_usable()
            && !filtered(notify, &local.addr);
        let usable = if !candidate {
            local.route = Route::Unknown;
            false
        } else if !notify.contains(NotifyFlags::CHECK_ROUTE) {
            local.route = Route::Unknown;
            true
        } else {
            // Until the first answer an address keeps its state: a new
            // one is not reported yet, and one already reported when a
            // reload turns `check_route` on is not withdrawn (and added
            // back) for nothing.
            match local.route {
                Route::Unknown => {
                    local.route = Route::Pending;
                    out.route_checks.push((info.index, local.addr.addr));
                    local.reported
                }
                Route::Pending => local.reported,
                Route::NoDefault => false,
                Route::Default => true,
            }
        };
        if usable != local.reported {
            local.reported = usable;
            let (iface, addr) = (info, local.addr);
            out.events.push(if usable {
                NetEvent::LocalAddrAdded { iface, addr }
            } else {
                NetEvent::LocalAddrRemoved { iface, addr }
            });
        }
    }

    fn find(&self, index: u32) -> Option<usize> {
        self.ifaces.iter().position(|i| i.link.index == index)
    }
}

fn describe(p: IfacePolicy) -> String {
    if p.used {
        format!("use with flags {}", p.addr_flags)
    } else {
        "leave alone".into()
    }
}

/// The notify-flag filters (`skip_loopback`, `skip_link_local`).
fn filtered(notify: NotifyFlags, a: &Addr) -> bool {
    if notify.contains(NotifyFlags::SKIP_LOOPBACK)
        && (a.scope == RT_SCOPE_HOST || a.addr.is_loopback())
    {
        return true;
    }
    let link_local = match a.addr {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => v6.is_unicast_link_local(),
    };
    notify.contains(NotifyFlags::SKIP_LINK_LOCAL) && (a.scope == RT_SCOPE_LINK || link_local)
}

mod view;

#[cfg(test)]
mod tests;
