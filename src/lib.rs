// SPDX-License-Identifier: BSD-3-Clause
//! mptcpd-rs: a Multipath TCP path-management daemon, drop-in for mptcpd.
//!
//! Layers, bottom up:
//! - [`wire`]: the MPTCP generic-netlink codec (pure, no I/O);
//! - [`nl`] and [`rtnl`]: netlink sockets, the blocking request helper,
//!   family resolution, and rtnetlink input converted into [`iface`] types;
//! - [`monitor`], [`ids`], [`policy`], [`daemon`]: the sans-I/O core that
//!   turns inputs into kernel commands;
//! - [`event_loop`]: the only `poll(2)`, which carries those out;
//! - [`cli`], [`config`], [`logging`], [`exit`]: the mptcpd-compatible
//!   surface.

pub mod cli;
pub mod config;
pub mod control;
pub mod daemon;
pub mod event_loop;
pub mod exit;
pub mod flags;
pub mod ids;
pub mod iface;
pub mod listeners;
pub mod logging;
pub mod monitor;
pub mod nl;
pub mod pm;
pub mod policy;
pub mod rtnl;
pub mod rules;
pub mod signals;
pub mod startup;
pub mod status;
pub mod wire;
