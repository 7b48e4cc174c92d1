#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Capture MPTCP path-manager generic-netlink traffic on the running kernel.

Builds two private network namespaces joined by two veth pairs, runs a real
MPTCP connection between them with the userspace path manager on both ends,
and records, as hex:

* every request this script sends (bytes built here by hand from the wire
  spec, independently of the Rust codec) and the kernel's answer to it
  (ACK / NACK, replies);
* every multicast event of the `mptcp_pm_events` group in both namespaces;
* the requests iproute2 (`ip mptcp ...`, run under strace) sends for the
  in-kernel path-manager commands, in a third namespace.

Run as root: `python3 tests/captures/capture.py OUTFILE`. All namespaces are
deleted on exit. Addresses: 10.100.x.0/24 and 2001:db8::/32 only.
See README.md next to this file.
"""

import ctypes
import os
import re
import select
import socket
import struct
import subprocess
import sys
import time

AF_NETLINK = 16
NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NLM_F_DUMP = 0x300
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLA_F_NESTED = 0x8000
GENL_ID_CTRL = 16
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
CTRL_ATTR_MCAST_GROUPS = 7
CTRL_ATTR_MCAST_GRP_NAME = 1
CTRL_ATTR_MCAST_GRP_ID = 2
IPPROTO_MPTCP = 262
CLONE_NEWNET = 0x40000000

# mptcp_pm commands
ADD_ADDR, DEL_ADDR, GET_ADDR, FLUSH_ADDRS, SET_LIMITS, GET_LIMITS = 1, 2, 3, 4, 5, 6
SET_FLAGS, ANNOUNCE, REMOVE, SUBFLOW_CREATE, SUBFLOW_DESTROY = 7, 8, 9, 10, 11
# MPTCP_PM_ATTR_*
PM_ADDR, PM_RCV_ADD_ADDRS, PM_SUBFLOWS, PM_TOKEN, PM_LOC_ID, PM_ADDR_REMOTE = 1, 2, 3, 4, 5, 6
# MPTCP_PM_ADDR_ATTR_*
A_FAMILY, A_ID, A_ADDR4, A_ADDR6, A_PORT, A_FLAGS, A_IF_IDX = 1, 2, 3, 4, 5, 6, 7
FLAG_SIGNAL, FLAG_SUBFLOW, FLAG_BACKUP = 0x1, 0x2, 0x4
# events and MPTCP_ATTR_*
EVENTS = {1: "CREATED", 2: "ESTABLISHED", 3: "CLOSED", 6: "ANNOUNCED", 7: "REMOVED",
          10: "SUB_ESTABLISHED", 11: "SUB_CLOSED", 13: "SUB_PRIORITY",
          15: "LISTENER_CREATED", 16: "LISTENER_CLOSED"}
E_TOKEN, E_SPORT = 1, 9

libc = ctypes.CDLL(None, use_errno=True)
ROOT_NS = os.open("/proc/self/ns/net", os.O_RDONLY)
PREFIX = f"wcap-{os.getpid()}"
NS_SRV, NS_CLI, NS_KPM = f"{PREFIX}-srv", f"{PREFIX}-cli", f"{PREFIX}-kpm"
LOG = []


def log(label, kind, data, note=""):
    LOG.append((label, kind, data.hex(), note))


def setns(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


class InNs:
    """Create sockets inside a namespace; they stay there afterwards."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        fd = os.open(f"/run/netns/{self.name}", os.O_RDONLY)
        setns(fd)
        os.close(fd)

    def __exit__(self, *a):
        setns(ROOT_NS)


def sh(*cmd, check=True):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    if check and r.returncode != 0:
        raise RuntimeError(f"{cmd}: {r.stderr}")
    return r.stdout


def nla(t, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, t) + payload + b"\0" * ((4 - n % 4) % 4)


def attrs(b):
    out = []
    off = 0
    while off + 4 <= len(b):
        n, t = struct.unpack_from("=HH", b, off)
        if n < 4 or off + n > len(b):
            break
        out.append((t & 0x3FFF, b[off + 4:off + n]))
        off += (n + 3) & ~3
    return out


def addr_nest(t, family=None, ip=None, id=None, port=None, flags=None, ifindex=None):
    """Address nest, attributes in iproute2's order (id, flags, if_idx, port,
    family, address): the order the Rust encoder also uses."""
    b = b""
    if id is not None:
        b += nla(A_ID, struct.pack("B", id))
    if flags is not None:
        b += nla(A_FLAGS, struct.pack("=I", flags))
    if ifindex is not None:
        b += nla(A_IF_IDX, struct.pack("=i", ifindex))
    if port is not None:
        b += nla(A_PORT, struct.pack("=H", port))  # host order (!)
    if family is not None:
        b += nla(A_FAMILY, struct.pack("=H", family))
    if ip is not None:
        if family == socket.AF_INET:
            b += nla(A_ADDR4, socket.inet_pton(socket.AF_INET, ip))
        else:
            b += nla(A_ADDR6, socket.inet_pton(socket.AF_INET6, ip))
    return nla(t | NLA_F_NESTED, b)


class Genl:
    def __init__(self, ns, events=False):
        self.ns = ns
        with InNs(ns):
            self.s = socket.socket(AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.s.bind((0, 0))
        self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.seq = 100
        self.family, self.groups = self.resolve()
        if events:
            self.s.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
                              self.groups["mptcp_pm_events"])

    def send(self, mtype, flags, payload):
        self.seq += 1
        msg = struct.pack("=IHHII", 16 + len(payload), mtype, flags, self.seq, 0) + payload
        self.s.send(msg)
        return msg

    def recv_all(self, timeout=2.0):
        """Messages up to and including the ACK/DONE of the last request."""
        out = []
        deadline = time.time() + timeout
        while time.time() < deadline:
            r, _, _ = select.select([self.s], [], [], max(0, deadline - time.time()))
            if not r:
                break
            data = self.s.recv(65536)
            off = 0
            done = False
            while off + 16 <= len(data):
                n, t, f, seq, pid = struct.unpack_from("=IHHII", data, off)
                if n < 16:
                    break
                out.append(data[off:off + n])
                if t in (NLMSG_ERROR, NLMSG_DONE):
                    done = True
                off += (n + 3) & ~3
            if done:
                break
        return out

    def resolve(self):
        self.send(GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK,
                  bytes([CTRL_CMD_GETFAMILY, 1, 0, 0]) + nla(CTRL_ATTR_FAMILY_NAME, b"mptcp_pm\0"))
        fam, groups = None, {}
        for m in self.recv_all():
            if struct.unpack_from("=H", m, 4)[0] != GENL_ID_CTRL:
                continue
            for t, v in attrs(m[20:]):
                if t == CTRL_ATTR_FAMILY_ID:
                    fam = struct.unpack("=H", v)[0]
                elif t == CTRL_ATTR_MCAST_GROUPS:
                    for _, g in attrs(v):
                        d = dict(attrs(g))
                        name = d[CTRL_ATTR_MCAST_GRP_NAME].rstrip(b"\0").decode()
                        groups[name] = struct.unpack("=I", d[CTRL_ATTR_MCAST_GRP_ID])[0]
        assert fam, "mptcp_pm family not found"
        return fam, groups

    def request(self, label, cmd, body, dump=False):
        """Send one mptcp_pm request; log it and every answer. Returns
        (error, replies)."""
        payload = bytes([cmd, 1, 0, 0]) + body
        flags = NLM_F_REQUEST | NLM_F_ACK | (NLM_F_DUMP if dump else 0)
        self.send(self.family, flags, payload)
        log(label, "request-payload", payload, f"ns={self.ns} family_id={self.family}")
        err, replies = None, []
        for m in self.recv_all():
            t = struct.unpack_from("=H", m, 4)[0]
            if t == NLMSG_ERROR:
                err = struct.unpack_from("=i", m, 16)[0]
                log(label, "ack", m, f"error={err}")
            elif t == NLMSG_DONE:
                log(label, "done", m)
            else:
                replies.append(m[16:])
                log(label, "reply-payload", m[16:])
        print(f"{label}: error={err} replies={len(replies)}", file=sys.stderr)
        return err, replies


class Monitor:
    def __init__(self, ns, tag):
        self.g = Genl(ns, events=True)
        self.tag = tag
        self.seen = []  # (event name, attrs dict)

    def poll(self):
        while True:
            r, _, _ = select.select([self.g.s], [], [], 0)
            if not r:
                return
            data = self.g.s.recv(65536)
            off = 0
            while off + 16 <= len(data):
                n = struct.unpack_from("=I", data, off)[0]
                if n < 16:
                    break
                m = data[off:off + n]
                name = EVENTS.get(m[16], f"event{m[16]}")
                self.seen.append((name, dict(attrs(m[20:]))))
                log(f"{self.tag} {name}", "event-message", m, f"ns={self.g.ns}")
                print(f"  [{self.tag}] {name}", file=sys.stderr)
                off += (n + 3) & ~3


def wait_for(mons, mon, name, timeout=5.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        for m in mons:
            m.poll()
        for ev, a in mon.seen:
            if ev == name:
                mon.seen.remove((ev, a))
                return a
        time.sleep(0.02)
    raise TimeoutError(f"{mon.tag}: no {name}")


def settle(mons, t=0.5):
    end = time.time() + t
    while time.time() < end:
        for m in mons:
            m.poll()
        time.sleep(0.02)


def u32(v):
    return struct.unpack("=I", v)[0]


def setup():
    for ns in (NS_SRV, NS_CLI, NS_KPM):
        sh("ip", "netns", "add", ns)
    for i in (1, 2):
        sh("ip", "link", "add", f"s{i}", "netns", NS_SRV, "type", "veth", "peer", "name", f"c{i}",
           "netns", NS_CLI)
        for ns, dev, host in ((NS_SRV, f"s{i}", 1), (NS_CLI, f"c{i}", 2)):
            sh("ip", "-n", ns, "addr", "add", f"10.100.{i}.{host}/24", "dev", dev)
            sh("ip", "-n", ns, "addr", "add", f"2001:db8:{i}::{host}/64", "dev", dev, "nodad")
            sh("ip", "-n", ns, "link", "set", dev, "up")
    for ns in (NS_SRV, NS_CLI):
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "netns", "exec", ns, "sysctl", "-qw", "net.mptcp.pm_type=1")
    sh("ip", "link", "add", "k1", "netns", NS_KPM, "type", "veth", "peer", "name", "k2",
       "netns", NS_KPM)
    for dev in ("k1", "k2", "lo"):
        sh("ip", "-n", NS_KPM, "link", "set", dev, "up")
    sh("ip", "-n", NS_KPM, "addr", "add", "10.100.3.1/24", "dev", "k1")


def teardown():
    for ns in (NS_SRV, NS_CLI, NS_KPM):
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def upm_scenario():
    srv_mon, cli_mon = Monitor(NS_SRV, "server"), Monitor(NS_CLI, "client")
    mons = [srv_mon, cli_mon]
    srv, cli = Genl(NS_SRV), Genl(NS_CLI)

    with InNs(NS_SRV):
        lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_MPTCP)
        lst6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM, IPPROTO_MPTCP)
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(("0.0.0.0", 7000))
    lst.listen()
    wait_for(mons, srv_mon, "LISTENER_CREATED")
    lst6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    lst6.bind(("2001:db8:1::1", 7001))
    lst6.listen()
    wait_for(mons, srv_mon, "LISTENER_CREATED")

    with InNs(NS_CLI):
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_MPTCP)
    c.settimeout(5)
    c.bind(("10.100.1.2", 40000))
    c.connect(("10.100.1.1", 7000))
    s, _ = lst.accept()
    s.settimeout(5)
    c.sendall(b"hello")
    s.recv(16)
    s.sendall(b"world")
    c.recv(16)
    ccreated = wait_for(mons, cli_mon, "CREATED")
    wait_for(mons, cli_mon, "ESTABLISHED")
    screated = wait_for(mons, srv_mon, "CREATED")
    wait_for(mons, srv_mon, "ESTABLISHED")
    ctok, stok = u32(ccreated[E_TOKEN]), u32(screated[E_TOKEN])
    tok = lambda t: nla(PM_TOKEN, struct.pack("=I", t))
    v4 = socket.AF_INET

    err, _ = cli.request("SUBFLOW_CREATE 10.100.2.2 id 2 -> 10.100.1.1:7000", SUBFLOW_CREATE,
                         tok(ctok) + addr_nest(PM_ADDR, v4, "10.100.2.2", id=2)
                         + addr_nest(PM_ADDR_REMOTE, v4, "10.100.1.1", port=7000))
    assert err == 0
    sub = wait_for(mons, cli_mon, "SUB_ESTABLISHED")
    wait_for(mons, srv_mon, "SUB_ESTABLISHED")
    sub_sport = struct.unpack("!H", sub[E_SPORT])[0]

    err, _ = srv.request("ANNOUNCE 10.100.2.1 id 5 port 7000 signal", ANNOUNCE,
                         tok(stok) + addr_nest(PM_ADDR, v4, "10.100.2.1", id=5, port=7000,
                                               flags=FLAG_SIGNAL))
    assert err == 0
    wait_for(mons, cli_mon, "ANNOUNCED")

    srv.request("GET_ADDR dump token (server)", GET_ADDR, tok(stok), dump=True)
    srv.request("GET_ADDR id 5 token (server)", GET_ADDR, tok(stok) + addr_nest(PM_ADDR, id=5))

    err, _ = cli.request("SET_FLAGS token backup 10.100.2.2 -> 10.100.1.1:7000", SET_FLAGS,
                         tok(ctok) + addr_nest(PM_ADDR, v4, "10.100.2.2", flags=FLAG_BACKUP)
                         + addr_nest(PM_ADDR_REMOTE, v4, "10.100.1.1", port=7000))
    assert err == 0
    wait_for(mons, srv_mon, "SUB_PRIORITY")

    err, _ = srv.request("REMOVE id 5", REMOVE, tok(stok) + nla(PM_LOC_ID, bytes([5])))
    assert err == 0
    wait_for(mons, cli_mon, "REMOVED")

    err, _ = cli.request(f"SUBFLOW_DESTROY 10.100.2.2:{sub_sport} -> 10.100.1.1:7000",
                         SUBFLOW_DESTROY,
                         tok(ctok) + addr_nest(PM_ADDR, v4, "10.100.2.2", port=sub_sport)
                         + addr_nest(PM_ADDR_REMOTE, v4, "10.100.1.1", port=7000))
    assert err == 0
    wait_for(mons, cli_mon, "SUB_CLOSED")
    wait_for(mons, srv_mon, "SUB_CLOSED")

    err, _ = cli.request("SUBFLOW_CREATE 10.100.2.2 id 2 -> 10.100.1.1:7999 (refused)",
                         SUBFLOW_CREATE,
                         tok(ctok) + addr_nest(PM_ADDR, v4, "10.100.2.2", id=2)
                         + addr_nest(PM_ADDR_REMOTE, v4, "10.100.1.1", port=7999))
    assert err == 0
    wait_for(mons, cli_mon, "SUB_CLOSED")

    # IPv6 connection, bound to a device so that the events carry IF_IDX.
    with InNs(NS_CLI):
        c6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM, IPPROTO_MPTCP)
    c6.settimeout(5)
    c6.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"c1")
    c6.connect(("2001:db8:1::1", 7001))
    s6, _ = lst6.accept()
    c6.sendall(b"x")
    s6.recv(4)
    s6.sendall(b"y")
    c6.recv(4)
    wait_for(mons, cli_mon, "CREATED")
    wait_for(mons, cli_mon, "ESTABLISHED")
    stok6 = u32(wait_for(mons, srv_mon, "CREATED")[E_TOKEN])
    wait_for(mons, srv_mon, "ESTABLISHED")
    err, _ = srv.request("ANNOUNCE 2001:db8:2::1 id 6 signal", ANNOUNCE,
                         tok(stok6) + addr_nest(PM_ADDR, socket.AF_INET6, "2001:db8:2::1", id=6,
                                                flags=FLAG_SIGNAL))
    assert err == 0
    wait_for(mons, cli_mon, "ANNOUNCED")
    c6.close()
    s6.close()
    wait_for(mons, cli_mon, "CLOSED")
    wait_for(mons, srv_mon, "CLOSED")

    c.close()
    s.close()
    wait_for(mons, cli_mon, "CLOSED")
    wait_for(mons, srv_mon, "CLOSED")
    lst.close()
    lst6.close()
    wait_for(mons, srv_mon, "LISTENER_CLOSED")
    settle(mons)


def strace_ip(family, label, *args):
    """Run `ip mptcp ...` under strace; log the mptcp_pm payloads it sent.
    strace cannot name the family of a socket in another namespace, so
    match the resolved family id."""
    trace = f"/tmp/{PREFIX}.strace"
    sh("strace", "-f", "-xx", "-s", "65535", "-e", "trace=sendmsg,sendto", "-o", trace,
       "ip", "-n", NS_KPM, "mptcp", *args)
    with open(trace) as f:
        for line in f:
            m = re.search(r'nlmsg_type=(mptcp_pm|0x[0-9a-f]+)\b.*?nlmsg_pid=0\}, '
                          r'"((?:\\x[0-9a-f]{2})*)"', line)
            if not m or m.group(1) not in ("mptcp_pm", hex(family)):
                continue
            payload = bytes.fromhex(m.group(2).replace("\\x", ""))
            log(label, "request-payload", payload, "ip " + " ".join(args) + " (iproute2 6.1)")
            print(f"{label}: {len(payload)} bytes", file=sys.stderr)
    os.unlink(trace)


def kpm_scenario():
    k = Genl(NS_KPM)
    ifidx = int(sh("ip", "-n", NS_KPM, "-o", "link", "show", "k2").split(":")[0])
    strace_ip(k.family, "ADD_ADDR v4 iproute2", "endpoint", "add", "10.100.3.2", "id", "3", "dev", "k2",
              "subflow")
    strace_ip(k.family, "ADD_ADDR v6 iproute2", "endpoint", "add", "2001:db8:3::2", "id", "4", "dev", "k2",
              "subflow", "backup")
    strace_ip(k.family, "ADD_ADDR v4 signal port iproute2", "endpoint", "add", "10.100.3.1", "port", "5001",
              "signal")
    strace_ip(k.family, "SET_LIMITS iproute2", "limits", "set", "subflows", "2", "add_addr_accepted", "3")
    strace_ip(k.family, "GET_LIMITS iproute2", "limits", "show")
    strace_ip(k.family, "GET_ADDR dump iproute2", "endpoint", "show")
    strace_ip(k.family, "GET_ADDR id 3 iproute2", "endpoint", "show", "id", "3")
    strace_ip(k.family, "SET_FLAGS id 3 backup iproute2", "endpoint", "change", "id", "3", "backup")
    k.request("GET_LIMITS", GET_LIMITS, b"")
    k.request("GET_ADDR dump", GET_ADDR, b"", dump=True)
    k.request("GET_ADDR id 4", GET_ADDR, addr_nest(PM_ADDR, id=4))
    strace_ip(k.family, "DEL_ADDR id 3 iproute2", "endpoint", "delete", "id", "3")
    strace_ip(k.family, "FLUSH_ADDRS iproute2", "endpoint", "flush")
    print(f"kpm ifindex of k2 = {ifidx}", file=sys.stderr)
    LOG.append(("kpm", "note", "", f"ifindex of k2 = {ifidx}"))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "capture.log"
    try:
        setup()
        kpm_scenario()
        upm_scenario()
    finally:
        teardown()
    with open(out, "w") as f:
        f.write(f"# kernel {os.uname().release}, {sh('ip', '-V').strip()}\n")
        for label, kind, hx, note in LOG:
            f.write(f"== {label} | {kind} | {note}\n{hx}\n")
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
