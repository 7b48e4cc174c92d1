// SPDX-License-Identifier: BSD-3-Clause
//! Hand-built rtnetlink payloads, host order, shaped like what 6.18 sends
//! (mptcp-genl.md §3.3–3.5).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::route::{is_default_via, request};
use super::*;
use crate::iface::{IFA_F_PERMANENT, IFA_F_TENTATIVE, IFF_LOWER_UP, IFF_RUNNING, IFF_UP};
use crate::wire::nla::{put, put_str, put_u32};

fn link_payload(index: i32, flags: u32, name: Option<&str>, operstate: Option<u8>) -> Vec<u8> {
    let mut p = vec![AF_UNSPEC, 0];
    p.extend(1u16.to_ne_bytes()); // ARPHRD_ETHER
    p.extend(index.to_ne_bytes());
    p.extend(flags.to_ne_bytes());
    p.extend(0u32.to_ne_bytes());
    put_u32(&mut p, 4, 1500); // IFLA_MTU, ignored
    if let Some(n) = name {
        put_str(&mut p, IFLA_IFNAME, n);
    }
    if let Some(o) = operstate {
        put(&mut p, IFLA_OPERSTATE, &[o]);
    }
    p
}

fn addr_payload(family: u8, prefix: u8, hdr_flags: u8, scope: u8, index: u32) -> Vec<u8> {
    let mut p = vec![family, prefix, hdr_flags, scope];
    p.extend(index.to_ne_bytes());
    p
}

#[test]
fn newlink_and_dellink() {
    let flags = IFF_UP | IFF_RUNNING | IFF_LOWER_UP | 0x1002;
    let p = link_payload(7, flags, Some("wan0"), Some(6));
    let want = Link {
        index: 7,
        name: IfName::new("wan0"),
        flags,
        operstate: Some(6),
    };
    assert_eq!(parse(RTM_NEWLINK, &p), Ok(RtnlMsg::NewLink(want)));
    assert_eq!(parse(RTM_DELLINK, &p), Ok(RtnlMsg::DelLink(want)));
    let no_oper = link_payload(7, 0, Some("wan0"), None);
    assert_eq!(parse_link(&no_oper).unwrap().operstate, None);
}

#[test]
fn link_without_name_or_with_bad_index_is_rejected() {
    assert!(parse_link(&link_payload(7, 0, None, Some(6))).is_err());
    assert!(parse_link(&link_payload(0, 0, Some("x"), None)).is_err());
    assert!(parse_link(&link_payload(-3, 0, Some("x"), None)).is_err());
    assert!(parse_link(&[0; 15]).is_err());
}

#[test]
fn ipv4_address_on_broadcast_link() {
    let mut p = addr_payload(AF_INET, 24, IFA_F_PERMANENT as u8, 0, 3);
    put(&mut p, IFA_ADDRESS, &[192, 0, 2, 7]);
    put(&mut p, IFA_LOCAL, &[192, 0, 2, 7]);
    put(&mut p, IFA_FLAGS, &IFA_F_PERMANENT.to_ne_bytes());
    let a = match parse(RTM_NEWADDR, &p).unwrap() {
        RtnlMsg::NewAddr(a) => a,
        other => panic!("{other:?}"),
    };
    assert_eq!(a.addr, IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7)));
    assert_eq!(
        (a.index, a.prefix_len, a.scope, a.flags),
        (3, 24, 0, IFA_F_PERMANENT)
    );
    assert!(matches!(parse(RTM_DELADDR, &p), Ok(RtnlMsg::DelAddr(d)) if d == a));
}

#[test]
fn point_to_point_prefers_ifa_local_in_either_order() {
    for local_first in [true, false] {
        let mut p = addr_payload(AF_INET, 32, 0, 0, 4);
        let (local, peer) = ([10, 1, 1, 2], [10, 1, 1, 1]);
        if local_first {
            put(&mut p, IFA_LOCAL, &local);
            put(&mut p, IFA_ADDRESS, &peer);
        } else {
            put(&mut p, IFA_ADDRESS, &peer);
            put(&mut p, IFA_LOCAL, &local);
        }
        let a = parse_addr(&p).unwrap().unwrap();
        assert_eq!(a.addr, IpAddr::V4(Ipv4Addr::new(10, 1, 1, 2)));
    }
}

#[test]
fn ipv6_address_flags_from_ifa_flags_word() {
    // The header byte says PERMANENT only; IFA_FLAGS adds a bit above 0x80
    // (MANAGETEMPADDR 0x100) and TENTATIVE: the word wins.
    let mut p = addr_payload(AF_INET6, 64, IFA_F_PERMANENT as u8, 0, 5);
    let ip = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
    put(&mut p, IFA_ADDRESS, &ip.octets());
    put(&mut p, 6, &[0; 16]); // IFA_CACHEINFO, ignored
    put_u32(&mut p, IFA_FLAGS, IFA_F_PERMANENT | IFA_F_TENTATIVE | 0x100);
    let a = parse_addr(&p).unwrap().unwrap();
    assert_eq!(a.addr, IpAddr::V6(ip));
    assert_eq!(a.flags, IFA_F_PERMANENT | IFA_F_TENTATIVE | 0x100);
    assert!(!a.is_usable());
    // Without IFA_FLAGS, the header byte is used.
    let mut p = addr_payload(AF_INET6, 64, IFA_F_TENTATIVE as u8, 253, 5);
    put(&mut p, IFA_ADDRESS, &ip.octets());
    let a = parse_addr(&p).unwrap().unwrap();
    assert_eq!((a.flags, a.scope), (IFA_F_TENTATIVE, 253));
}

#[test]
fn address_edge_cases() {
    // Non-IP family: not ours, not an error.
    assert_eq!(
        parse(RTM_NEWADDR, &addr_payload(45, 0, 0, 0, 1)),
        Ok(RtnlMsg::Other(RTM_NEWADDR))
    );
    // No address attribute at all.
    assert!(parse_addr(&addr_payload(AF_INET, 24, 0, 0, 1)).is_err());
    // IPv4 family with a 16-byte address.
    let mut p = addr_payload(AF_INET, 24, 0, 0, 1);
    put(&mut p, IFA_ADDRESS, &[0; 16]);
    assert!(parse_addr(&p).is_err());
    assert!(parse_addr(&[AF_INET, 24, 0]).is_err());
}

fn route_payload(family: u8, dst_len: u8, table: u8, rtm_type: u8) -> Vec<u8> {
    let mut p = vec![family, dst_len, 0, 0, table, 3, 0, rtm_type];
    p.extend(0u32.to_ne_bytes());
    p
}

#[test]
fn route_and_rule_messages() {
    let main = route_payload(AF_INET, 0, 254, 1);
    assert_eq!(parse(RTM_NEWROUTE, &main), Ok(RtnlMsg::RouteChange));
    assert_eq!(parse(RTM_DELROUTE, &main), Ok(RtnlMsg::RouteChange));
    let local = route_payload(AF_INET, 32, 255, 2);
    assert_eq!(
        parse(RTM_NEWROUTE, &local),
        Ok(RtnlMsg::Other(RTM_NEWROUTE))
    );
    // RTA_TABLE overrides the byte (tables above 255 put 252 there).
    let mut t1000 = route_payload(AF_INET, 0, 252, 1);
    put_u32(&mut t1000, RTA_TABLE, 1000);
    assert_eq!(parse(RTM_NEWROUTE, &t1000), Ok(RtnlMsg::RouteChange));
    let mut hidden_local = route_payload(AF_INET6, 128, 252, 2);
    put_u32(&mut hidden_local, RTA_TABLE, 255);
    assert_eq!(
        parse(RTM_NEWROUTE, &hidden_local),
        Ok(RtnlMsg::Other(RTM_NEWROUTE))
    );
    assert_eq!(parse(RTM_NEWRULE, &[2, 0, 0, 0]), Ok(RtnlMsg::RouteChange));
    assert!(parse(RTM_NEWROUTE, &[2, 0]).is_err());
    assert_eq!(parse(99, &[]), Ok(RtnlMsg::Other(99)));
}

#[test]
fn parse_never_panics_on_arbitrary_bytes() {
    let mut samples = vec![link_payload(7, 1, Some("eth0"), Some(6))];
    let mut a = addr_payload(AF_INET6, 64, 0, 0, 5);
    put(&mut a, IFA_ADDRESS, &[1; 16]);
    put_u32(&mut a, IFA_FLAGS, 0x80);
    samples.push(a);
    samples.push(request(3, IpAddr::V4(Ipv4Addr::new(192, 0, 2, 9))));
    for s in samples {
        for cut in 0..=s.len() {
            for pos in 0..cut {
                let mut d = s[..cut].to_vec();
                d[pos] ^= 0x5a;
                for t in [RTM_NEWLINK, RTM_NEWADDR, RTM_NEWROUTE, RTM_NEWRULE] {
                    let _ = parse(t, &d);
                }
                let _ = is_default_via(&d, 3);
            }
        }
    }
}

#[test]
fn route_check_request_bytes() {
    let src = Ipv4Addr::new(198, 51, 100, 2);
    let p = request(3, IpAddr::V4(src));
    let mut want = vec![AF_INET, 32, 32, 0, 0, 0, 0, 0];
    want.extend(0x3000u32.to_ne_bytes());
    put(&mut want, 1, &[192, 0, 2, 1]);
    put(&mut want, 2, &src.octets());
    put_u32(&mut want, 4, 3);
    assert_eq!(p, want);

    let p6 = request(4, "2001:db8:1::2".parse().unwrap());
    assert_eq!(&p6[..3], &[AF_INET6, 128, 128]);
    assert_eq!(p6.len(), RTMSG_LEN + 20 + 20 + 8);
    assert_eq!(
        &p6[RTMSG_LEN + 4..RTMSG_LEN + 20],
        &"2001:db8::1".parse::<Ipv6Addr>().unwrap().octets()
    );
}

#[test]
fn default_route_answers() {
    // default via the device: dst_len 0, RTA_OIF 3, RTA_GATEWAY, RTA_TABLE.
    let mut via3 = route_payload(AF_INET, 0, 254, 1);
    put_u32(&mut via3, RTA_TABLE, 254);
    put(&mut via3, 5, &[198, 51, 100, 1]);
    put_u32(&mut via3, 4, 3);
    assert_eq!(is_default_via(&via3, 3), Ok(true));
    assert_eq!(
        is_default_via(&via3, 4),
        Ok(false),
        "leaves through another device"
    );

    // Connected /24 (more specific, with RTA_DST).
    let mut connected = route_payload(AF_INET, 24, 254, 1);
    put(&mut connected, 1, &[198, 51, 100, 0]);
    put_u32(&mut connected, 4, 3);
    assert_eq!(is_default_via(&connected, 3), Ok(false));

    // Blackhole default.
    assert_eq!(
        is_default_via(&route_payload(AF_INET, 0, 254, 6), 3),
        Ok(false)
    );

    // Nexthop object, no RTA_OIF: trust the OIF-constrained lookup.
    let mut nhid = route_payload(AF_INET, 0, 254, 1);
    put_u32(&mut nhid, 30, 12);
    assert_eq!(is_default_via(&nhid, 3), Ok(true));
}

#[test]
fn multipath_default_route() {
    let mut nhs = Vec::new();
    for ifindex in [5i32, 3] {
        nhs.extend(8u16.to_ne_bytes());
        nhs.extend([0, 0]);
        nhs.extend(ifindex.to_ne_bytes());
    }
    let mut p = route_payload(AF_INET, 0, 254, 1);
    put(&mut p, 9, &nhs);
    assert_eq!(is_default_via(&p, 3), Ok(true));
    assert_eq!(is_default_via(&p, 5), Ok(true));
    assert_eq!(is_default_via(&p, 4), Ok(false));
    let mut bad = route_payload(AF_INET, 0, 254, 1);
    put(&mut bad, 9, &[2, 0, 0, 0, 3, 0, 0, 0]);
    assert!(is_default_via(&bad, 3).is_err());
}
