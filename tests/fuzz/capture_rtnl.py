#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Capture real rtnetlink traffic as seeds for the `rtnl_decode` fuzz target.

Run as root: `python3 tests/fuzz/capture_rtnl.py tests/fuzz/seeds/rtnl_decode`.

In a private network namespace (`fzrt-<pid>`, deleted on exit, also on
error) it subscribes to the monitor's rtnetlink groups, then adds and
removes veth links, addresses (192.0.2.0/24, 198.51.100.0/24,
203.0.113.0/24, 2001:db8::/32), routes (default, table 1000, multipath)
and a source rule; then dumps links, addresses and routes, asks for a
route the way `rtnl::route::request` does, and provokes an extended-ACK
error. Every datagram received is written twice, in the target's two
input layouts (see tests/decoder_checks/mod.rs): `dg-N` (0x80 + the whole
datagram) and `m-N-K` (type selector, flags high byte, payload).
"""

import os
import select
import socket
import struct
import subprocess
import sys
import time

NETLINK_ROUTE = 0
SOL_NETLINK = 270
NETLINK_EXT_ACK = 11
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 0x1, 0x4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK = 16, 17, 18
RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR = 20, 21, 22
RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE = 24, 25, 26
RTM_NEWRULE, RTM_DELRULE = 32, 33
# RTNLGRP_LINK, IPV4_IFADDR, IPV4_ROUTE, IPV4_RULE, IPV6_IFADDR, IPV6_ROUTE, IPV6_RULE
GROUPS = [1, 5, 7, 8, 9, 11, 19]
AF_INET, AF_INET6 = 2, 10
RTM_F_LOOKUP_TABLE, RTM_F_FIB_MATCH = 0x1000, 0x2000
RTA_DST, RTA_SRC, RTA_OIF = 1, 2, 4

# Must match RTNL_TYPES in tests/decoder_checks/mod.rs.
TYPES = [RTM_NEWLINK, RTM_DELLINK, RTM_NEWADDR, RTM_DELADDR, RTM_NEWROUTE,
         RTM_DELROUTE, RTM_NEWRULE, RTM_DELRULE, NLMSG_ERROR, NLMSG_DONE]

SETUP = [
    "link add wan0 type veth peer name wan0p",
    "link set wan0p up",
    "link set wan0 up",
    "addr add 192.0.2.1/24 dev wan0",
    "addr add 2001:db8:1::1/64 dev wan0 nodad",
    "addr add 2001:db8:1::2/64 dev wan0",
    "route add default via 192.0.2.254 dev wan0",
    "-6 route add default via 2001:db8:1::fe dev wan0",
    "link add wwan0 type veth peer name wwan0p",
    "link set wwan0p up",
    "link set wwan0 up",
    "addr add 198.51.100.2 peer 198.51.100.1 dev wwan0",
    "route add 198.51.100.0/24 dev wwan0 table 1000",
    "rule add from 198.51.100.2 table 1000",
    "route add 203.0.113.0/24 nexthop dev wan0 nexthop dev wwan0",
    "addr del 2001:db8:1::2/64 dev wan0",
    "link set wwan0 down",
    "rule del from 198.51.100.2 table 1000",
    "link del wwan0",
]


def nlattr(kind, payload):
    length = 4 + len(payload)
    return struct.pack("=HH", length, kind) + payload + b"\0" * (-length % 4)


def send(sock, msg_type, flags, seq, payload):
    hdr = struct.pack("=IHHII", 16 + len(payload), msg_type, flags, seq, 0)
    sock.send(hdr + payload)


def drain(sock, out, deadline):
    while time.monotonic() < deadline:
        ready, _, _ = select.select([sock], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            return
        out.append(sock.recv(65536))


def until_done(sock, out, seq):
    """Reads the answer to request `seq` (dump or ACK), with a deadline."""
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        ready, _, _ = select.select([sock], [], [], 0.2)
        if not ready:
            continue
        dg = sock.recv(65536)
        out.append(dg)
        off = 0
        while off + 16 <= len(dg):
            length, t, _, s, _ = struct.unpack_from("=IHHII", dg, off)
            if s == seq and t in (NLMSG_DONE, NLMSG_ERROR):
                return
            if t == RTM_NEWROUTE and s == seq:
                return
            off += max(16, (length + 3) & ~3)
    raise SystemExit(f"no answer to request {seq}")


def inner(outdir):
    events = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
    events.bind((0, sum(1 << (g - 1) for g in GROUPS if g <= 32)))
    dgrams = []
    for cmd in SETUP:
        subprocess.run(["ip"] + cmd.split(), check=True)
        drain(events, dgrams, time.monotonic() + 0.1)
    drain(events, dgrams, time.monotonic() + 0.3)

    req = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
    req.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    req.bind((0, 0))
    # Dumps, as rtnl::dump_links / dump_addrs and `ip route` make them.
    send(req, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, b"\0" * 16)
    until_done(req, dgrams, 1)
    send(req, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 2, b"\0" * 8)
    until_done(req, dgrams, 2)
    for seq, fam in ((3, AF_INET), (4, AF_INET6)):
        send(req, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, seq,
             struct.pack("=BBBBBBBBI", fam, 0, 0, 0, 0, 0, 0, 0, 0))
        until_done(req, dgrams, seq)
    # The default-route check's question (rtnl::route::request).
    idx = socket.if_nametoindex("wan0")
    rtmsg = struct.pack("=BBBBBBBBI", AF_INET, 32, 32, 0, 0, 0, 0, 0,
                        RTM_F_LOOKUP_TABLE | RTM_F_FIB_MATCH)
    payload = (rtmsg + nlattr(RTA_DST, bytes([192, 0, 2, 1]))
               + nlattr(RTA_SRC, bytes([192, 0, 2, 1])) + nlattr(RTA_OIF, struct.pack("=I", idx)))
    send(req, RTM_GETROUTE, NLM_F_REQUEST, 5, payload)
    until_done(req, dgrams, 5)
    # An extended-ACK refusal: GETLINK of an index nobody has.
    send(req, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 6,
         struct.pack("=BBHiII", 0, 0, 0, 99999, 0, 0))
    until_done(req, dgrams, 6)

    os.makedirs(outdir, exist_ok=True)
    n_msgs = 0
    for n, dg in enumerate(dgrams):
        with open(os.path.join(outdir, f"dg-{n:03}"), "wb") as f:
            f.write(b"\x80" + dg)
        off, k = 0, 0
        while off + 16 <= len(dg):
            length, t, flags, _, _ = struct.unpack_from("=IHHII", dg, off)
            if length < 16 or off + length > len(dg):
                break
            if t in TYPES:
                with open(os.path.join(outdir, f"m-{n:03}-{k}"), "wb") as f:
                    f.write(bytes([TYPES.index(t), flags >> 8]) + dg[off + 16:off + length])
                n_msgs += 1
            off += (length + 3) & ~3
            k += 1
    print(f"{len(dgrams)} datagrams, {n_msgs} messages written to {outdir}")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--inner":
        inner(sys.argv[2])
        return
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    ns = f"fzrt-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        subprocess.run(["ip", "netns", "exec", ns, sys.executable, os.path.abspath(__file__),
                        "--inner", os.path.abspath(sys.argv[1])], check=True, timeout=60)
    finally:
        subprocess.run(["ip", "netns", "del", ns], check=False)


if __name__ == "__main__":
    main()
