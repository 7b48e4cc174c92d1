// SPDX-License-Identifier: BSD-3-Clause
//! Read-only views of the monitor: what policies may use, and the
//! per-interface and per-address reasons for the status report.

use std::net::IpAddr;

use super::{Iface, Interface, Local, Monitor, Route, filtered};
use crate::flags::NotifyFlags;
use crate::iface::{Addr, IFA_F_DADFAILED, IFA_F_DEPRECATED, IFA_F_TENTATIVE};
use crate::rules::IfaceUse;
use crate::status::{AddrState, AddrStatus, IfaceReason, IfaceStatus};

impl Monitor {
    /// Usable interfaces.
    pub fn interfaces(&self) -> impl Iterator<Item = Interface> + '_ {
        self.ifaces.iter().filter(|i| i.announced).map(Iface::info)
    }

    /// A usable interface by index.
    pub fn interface(&self, index: u32) -> Option<Interface> {
        self.interfaces().find(|i| i.index == index)
    }

    /// The reported (usable) addresses of interface `index`.
    pub fn local_addrs(&self, index: u32) -> impl Iterator<Item = &Addr> + '_ {
        self.ifaces
            .iter()
            .filter(move |i| i.link.index == index)
            .flat_map(|i| i.addrs.iter().filter(|l| l.reported).map(|l| &l.addr))
    }

    /// Every reported address with its interface.
    pub fn reported(&self) -> impl Iterator<Item = (Interface, &Addr)> + '_ {
        self.ifaces.iter().flat_map(|i| {
            let info = i.info();
            i.addrs
                .iter()
                .filter(|l| l.reported)
                .map(move |l| (info, &l.addr))
        })
    }

    /// The usable interface that holds `ip`, whether or not the address
    /// itself is reported (a connection may use a filtered address).
    pub fn iface_of_addr(&self, ip: IpAddr) -> Option<Interface> {
        self.ifaces
            .iter()
            .find(|i| i.announced && i.addrs.iter().any(|l| l.addr.addr == ip))
            .map(Iface::info)
    }

    /// Number of interfaces and addresses remembered (reported or not).
    pub fn table_size(&self) -> (usize, usize) {
        let addrs = self.ifaces.iter().map(|i| i.addrs.len()).sum();
        (self.ifaces.len(), addrs)
    }

    /// Every interface known (usable or not) with the reason, and every
    /// address on it with its state, in the kernel's order.
    pub fn status(&self) -> Vec<IfaceStatus> {
        self.ifaces
            .iter()
            .map(|i| {
                let reason = self.iface_reason(i);
                IfaceStatus {
                    index: i.link.index,
                    name: i.link.name,
                    flags: i.link.flags,
                    reason,
                    addr_flags: (reason == IfaceReason::Used).then_some(i.policy.addr_flags),
                    addrs: i
                        .addrs
                        .iter()
                        .map(|l| AddrStatus {
                            addr: l.addr.addr,
                            prefix_len: l.addr.prefix_len,
                            state: self.addr_state(reason, l),
                        })
                        .collect(),
                    connections: 0,
                    subflows: 0,
                }
            })
            .collect()
    }

    fn iface_reason(&self, i: &Iface) -> IfaceReason {
        if i.ready() {
            IfaceReason::Used
        } else if i.link.is_loopback() {
            IfaceReason::Loopback
        } else if !i.placeholder && !i.policy.used {
            match self
                .settings
                .rules
                .decide(i.link.name.as_str(), self.settings.addr_flags)
            {
                IfaceUse::Unlisted => IfaceReason::Unlisted,
                _ => IfaceReason::Excluded,
            }
        } else if !i.link.is_up() {
            IfaceReason::LinkDown
        } else {
            IfaceReason::NoCarrier
        }
    }

    /// Follows the order of `Monitor::evaluate`, so the state names the
    /// first rule that keeps the address out.
    fn addr_state(&self, iface: IfaceReason, l: &Local) -> AddrState {
        let notify = self.notify();
        if l.reported {
            return AddrState::Used;
        }
        match iface {
            IfaceReason::Used => {}
            IfaceReason::Excluded | IfaceReason::Unlisted => return AddrState::Excluded,
            _ => return AddrState::InterfaceUnused,
        }
        let f = l.addr.flags;
        if l.silent(notify) {
            AddrState::NotExisting
        } else if filtered(notify, &l.addr) {
            AddrState::Skipped
        } else if f & IFA_F_DADFAILED != 0 {
            AddrState::DadFailed
        } else if f & IFA_F_TENTATIVE != 0 {
            AddrState::Tentative
        } else if f & IFA_F_DEPRECATED != 0 {
            AddrState::Deprecated
        } else if notify.contains(NotifyFlags::CHECK_ROUTE) && l.route == Route::NoDefault {
            AddrState::NoRoute
        } else {
            AddrState::RoutePending
        }
    }
}
