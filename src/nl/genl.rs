// SPDX-License-Identifier: BSD-3-Clause
//! Generic netlink: the 4-byte `genlmsghdr`, and resolving a family's id
//! and multicast groups by name through `nlctrl` (mptcp-genl.md §1.10).
//! Ids are allocated at boot; never hard-code them.

use super::msg::Msg;
use super::{DecodeError, NlError, NlSocket, ReplyItem};
pub use crate::wire::consts::GENL_HDRLEN;
use crate::wire::genl::GenlHeader;
use crate::wire::nla::{self, NlaIter};

/// `GENL_ID_CTRL`: the one fixed family id, `nlctrl`.
pub const GENL_ID_CTRL: u16 = 16;

const CTRL_CMD_NEWFAMILY: u8 = 1;
const CTRL_CMD_GETFAMILY: u8 = 3;
/// The `nlctrl` version we speak (the kernel does not check it).
const CTRL_VERSION: u8 = 1;

const CTRL_ATTR_FAMILY_ID: u16 = 1;
const CTRL_ATTR_FAMILY_NAME: u16 = 2;
const CTRL_ATTR_VERSION: u16 = 3;
const CTRL_ATTR_MCAST_GROUPS: u16 = 7;
const CTRL_ATTR_MCAST_GRP_NAME: u16 = 1;
const CTRL_ATTR_MCAST_GRP_ID: u16 = 2;

/// A resolved generic-netlink family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenlFamily {
    /// The `nlmsg_type` of this family's requests, replies and events.
    pub id: u16,
    /// `CTRL_ATTR_VERSION` (1 for `mptcp_pm`).
    pub version: u32,
    /// Multicast groups, name → id.
    pub groups: Vec<(String, u32)>,
}

impl GenlFamily {
    /// The id of multicast group `name`, to pass to
    /// [`NlSocket::join_group`].
    pub fn group(&self, name: &str) -> Option<u32> {
        self.groups
            .iter()
            .find(|(n, _)| n == name)
            .map(|&(_, id)| id)
    }

    /// Whether `msg` belongs to this family. Check this before decoding a
    /// message as this family's: on a genl socket other families' messages
    /// (nlctrl notifications, a second family joined on the same socket)
    /// look the same after the header.
    pub fn owns(&self, msg: &Msg<'_>) -> bool {
        msg.msg_type == self.id
    }

    /// Parses a `CTRL_CMD_NEWFAMILY` reply payload (after the nlmsghdr).
    pub fn parse(payload: &[u8]) -> Result<GenlFamily, DecodeError> {
        let (hdr, attrs) = GenlHeader::split(payload)?;
        if hdr.cmd != CTRL_CMD_NEWFAMILY {
            return Err(DecodeError("nlctrl reply is not CTRL_CMD_NEWFAMILY"));
        }
        let mut id = None;
        let mut version = None;
        let mut groups = Vec::new();
        for a in NlaIter::new(attrs) {
            let a = a?;
            match a.kind {
                CTRL_ATTR_FAMILY_ID => id = Some(a.u16()?),
                CTRL_ATTR_VERSION => version = Some(a.u32()?),
                CTRL_ATTR_MCAST_GROUPS => {
                    for grp in a.nested() {
                        groups.push(parse_group(grp?.payload)?);
                    }
                }
                _ => {}
            }
        }
        Ok(GenlFamily {
            id: id.ok_or(DecodeError("nlctrl reply without CTRL_ATTR_FAMILY_ID"))?,
            version: version.ok_or(DecodeError("nlctrl reply without CTRL_ATTR_VERSION"))?,
            groups,
        })
    }
}

/// One element of `CTRL_ATTR_MCAST_GROUPS`: a nest of name and id.
fn parse_group(nest: &[u8]) -> Result<(String, u32), DecodeError> {
    let mut name = None;
    let mut id = None;
    for a in NlaIter::new(nest) {
        let a = a?;
        match a.kind {
            CTRL_ATTR_MCAST_GRP_NAME => name = Some(a.str()?),
            CTRL_ATTR_MCAST_GRP_ID => id = Some(a.u32()?),
            _ => {}
        }
    }
    match (name, id) {
        (Some(n), Some(i)) => Ok((n.to_owned(), i)),
        _ => Err(DecodeError("multicast group without name or id")),
    }
}

/// The `CTRL_CMD_GETFAMILY` request payload for `name`.
pub fn getfamily_request(name: &str) -> Vec<u8> {
    let mut p = Vec::with_capacity(GENL_HDRLEN + 8 + name.len());
    GenlHeader::new(CTRL_CMD_GETFAMILY, CTRL_VERSION).emit(&mut p);
    nla::put_str(&mut p, CTRL_ATTR_FAMILY_NAME, name);
    p
}

/// Asks `nlctrl` for family `name` through a request socket
/// (`NETLINK_GENERIC`). An unknown name is [`NlError::NoSuchFamily`].
pub fn resolve_family(sock: &mut NlSocket, name: &str) -> Result<GenlFamily, NlError> {
    let mut family = None;
    let res = sock.request(GENL_ID_CTRL, 0, &getfamily_request(name), &mut |item| {
        if let ReplyItem::Msg(m) = item
            && m.msg_type == GENL_ID_CTRL
        {
            family = Some(GenlFamily::parse(m.payload)?);
        }
        Ok(())
    });
    match res {
        Err(NlError::Kernel(e)) if e.errno == libc::ENOENT => {
            Err(NlError::NoSuchFamily(name.to_owned()))
        }
        Err(e) => Err(e),
        Ok(()) => family.ok_or(NlError::Decode(DecodeError("nlctrl sent no family"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::nla::{put, put_str, put_u32};

    /// A NEWFAMILY reply shaped like 6.18's for mptcp_pm, plus an
    /// attribute we do not know (must be skipped).
    fn newfamily(with_id: bool) -> Vec<u8> {
        let mut p = Vec::new();
        GenlHeader::new(CTRL_CMD_NEWFAMILY, 2).emit(&mut p);
        if with_id {
            put(&mut p, CTRL_ATTR_FAMILY_ID, &28u16.to_ne_bytes());
        }
        put_str(&mut p, CTRL_ATTR_FAMILY_NAME, "mptcp_pm");
        put_u32(&mut p, CTRL_ATTR_VERSION, 1);
        put_u32(&mut p, 4, 0);
        let mut groups = Vec::new();
        for (i, (n, id)) in [("mptcp_pm_cmds", 8u32), ("mptcp_pm_events", 9)]
            .iter()
            .enumerate()
        {
            let mut g = Vec::new();
            put_u32(&mut g, CTRL_ATTR_MCAST_GRP_ID, *id);
            put_str(&mut g, CTRL_ATTR_MCAST_GRP_NAME, n);
            put(&mut groups, 0x8000 | (i as u16 + 1), &g);
        }
        put(&mut p, 0x8000 | CTRL_ATTR_MCAST_GROUPS, &groups);
        p
    }

    #[test]
    fn getfamily_request_bytes() {
        // mptcp-genl.md §1.10 worked example, after the nlmsghdr.
        let mut want = vec![3, 1, 0, 0];
        want.extend(13u16.to_ne_bytes());
        want.extend(2u16.to_ne_bytes());
        want.extend(b"mptcp_pm\0\0\0\0");
        assert_eq!(getfamily_request("mptcp_pm"), want);
    }

    #[test]
    fn parses_newfamily() {
        let f = GenlFamily::parse(&newfamily(true)).unwrap();
        assert_eq!((f.id, f.version), (28, 1));
        assert_eq!(f.group("mptcp_pm_events"), Some(9));
        assert_eq!(f.group("mptcp_pm_cmds"), Some(8));
        assert_eq!(f.group("nope"), None);
        let ev = Msg {
            msg_type: 28,
            flags: 0,
            seq: 0,
            pid: 0,
            payload: &[],
        };
        assert!(f.owns(&ev));
        assert!(!f.owns(&Msg {
            msg_type: GENL_ID_CTRL,
            ..ev
        }));
    }

    #[test]
    fn rejects_incomplete_or_garbled_replies() {
        assert!(GenlFamily::parse(&newfamily(false)).is_err());
        assert!(GenlFamily::parse(&[1, 2]).is_err());
        let mut wrong_cmd = newfamily(true);
        wrong_cmd[0] = 2;
        assert!(GenlFamily::parse(&wrong_cmd).is_err());
        let full = newfamily(true);
        for cut in 0..full.len() {
            let _ = GenlFamily::parse(&full[..cut]);
        }
    }
}
