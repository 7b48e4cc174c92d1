#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Turn entries of a capture.py log into annotated Rust golden vectors.

    python3 annotate.py LOG INDEX:RUST_NAME [INDEX:RUST_NAME ...]
    python3 annotate.py LOG            # list entries with their index

INDEX counts the `==` entries of the log from 0. Event entries hold the whole
netlink message: the 16-byte nlmsghdr is dropped, since the Rust decoders
take the bytes after it. The output uses `src/wire/golden.rs`'s `B` items:
host-order integers as `H16`/`H32` (so the vector is right on big-endian
hosts too) and everything else as `Raw` bytes in wire order. This decoder is
written independently of the Rust one on purpose.
"""

import struct
import sys

PM_ATTRS = {1: ("MPTCP_PM_ATTR_ADDR", "nest"), 2: ("MPTCP_PM_ATTR_RCV_ADD_ADDRS", "h32"),
            3: ("MPTCP_PM_ATTR_SUBFLOWS", "h32"), 4: ("MPTCP_PM_ATTR_TOKEN", "h32"),
            5: ("MPTCP_PM_ATTR_LOC_ID", "u8"), 6: ("MPTCP_PM_ATTR_ADDR_REMOTE", "nest")}
ADDR_ATTRS = {1: ("MPTCP_PM_ADDR_ATTR_FAMILY", "h16"), 2: ("MPTCP_PM_ADDR_ATTR_ID", "u8"),
              3: ("MPTCP_PM_ADDR_ATTR_ADDR4", "ip4"), 4: ("MPTCP_PM_ADDR_ATTR_ADDR6", "ip6"),
              5: ("MPTCP_PM_ADDR_ATTR_PORT", "h16"), 6: ("MPTCP_PM_ADDR_ATTR_FLAGS", "h32"),
              7: ("MPTCP_PM_ADDR_ATTR_IF_IDX", "h32")}
EV_ATTRS = {1: ("MPTCP_ATTR_TOKEN", "h32"), 2: ("MPTCP_ATTR_FAMILY", "h16"),
            3: ("MPTCP_ATTR_LOC_ID", "u8"), 4: ("MPTCP_ATTR_REM_ID", "u8"),
            5: ("MPTCP_ATTR_SADDR4", "ip4"), 6: ("MPTCP_ATTR_SADDR6", "ip6"),
            7: ("MPTCP_ATTR_DADDR4", "ip4"), 8: ("MPTCP_ATTR_DADDR6", "ip6"),
            9: ("MPTCP_ATTR_SPORT", "be16"), 10: ("MPTCP_ATTR_DPORT", "be16"),
            11: ("MPTCP_ATTR_BACKUP", "u8"), 12: ("MPTCP_ATTR_ERROR", "u8"),
            13: ("MPTCP_ATTR_FLAGS", "h16"), 14: ("MPTCP_ATTR_TIMEOUT", "h32"),
            15: ("MPTCP_ATTR_IF_IDX", "h32"), 16: ("MPTCP_ATTR_RESET_REASON", "h32"),
            17: ("MPTCP_ATTR_RESET_FLAGS", "h32"), 18: ("MPTCP_ATTR_SERVER_SIDE", "u8")}
CMDS = {1: "ADD_ADDR", 2: "DEL_ADDR", 3: "GET_ADDR", 4: "FLUSH_ADDRS", 5: "SET_LIMITS",
        6: "GET_LIMITS", 7: "SET_FLAGS", 8: "ANNOUNCE", 9: "REMOVE", 10: "SUBFLOW_CREATE",
        11: "SUBFLOW_DESTROY"}
EVENTS = {1: "CREATED", 2: "ESTABLISHED", 3: "CLOSED", 6: "ANNOUNCED", 7: "REMOVED",
          10: "SUB_ESTABLISHED", 11: "SUB_CLOSED", 13: "SUB_PRIORITY",
          15: "LISTENER_CREATED", 16: "LISTENER_CLOSED"}


def raw(b):
    return "Raw(&[" + ", ".join(f"0x{x:02x}" for x in b) + "])"


def value(kind, v):
    """(rust items, human value)"""
    if kind == "h16" and len(v) == 2:
        x = struct.unpack("<H", v)[0]
        return [f"H16({x})"], str(x)
    if kind == "h32" and len(v) == 4:
        x = struct.unpack("<I", v)[0]
        return [f"H32(0x{x:08x})"], f"{x} (0x{x:x})"
    if kind == "be16" and len(v) == 2:
        return [raw(v)], f"{struct.unpack('>H', v)[0]}, network order"
    if kind == "u8" and len(v) == 1:
        return [raw(v)], str(v[0])
    if kind == "ip4" and len(v) == 4:
        return [raw(v)], ".".join(str(x) for x in v)
    if kind == "ip6" and len(v) == 16:
        import ipaddress
        return [raw(v)], str(ipaddress.IPv6Address(v))
    return [raw(v)], "raw"


def walk(b, table, indent, out):
    off = 0
    while off + 4 <= len(b):
        n, t = struct.unpack_from("<HH", b, off)
        typ = t & 0x3FFF
        name, kind = table.get(typ, (f"unknown {typ}", "raw"))
        v = b[off + 4:off + n]
        pad = b[off + n:off + ((n + 3) & ~3)]
        flag = " | NLA_F_NESTED" if t & 0x8000 else ""
        if kind == "nest":
            out.append(f"{indent}Nla({n}, 0x{t:04x}), // {name}{flag}")
            walk(v, ADDR_ATTRS, indent + "    ", out)
        else:
            items, human = value(kind, v)
            if pad:
                items.append(raw(pad))
            padnote = f" + {len(pad)} pad" if pad else ""
            out.append(f"{indent}Nla({n}, {t}), {', '.join(items)}, // {name} = {human}{padnote}")
        off += (n + 3) & ~3


def annotate(kind, data, rust_name, label, note, idx):
    if kind == "event-message":
        data = data[16:]
        table, names = EV_ATTRS, EVENTS
    else:
        table, names = PM_ATTRS, CMDS
    src = "iproute2 6.1 under strace" if "iproute2" in note else (
        "kernel" if kind != "request-payload" else "capture.py, ACKed by the kernel")
    out = [f"/// `{label}`: linux-6.18.log entry {idx} ({src}).", "#[rustfmt::skip]",
           f"pub const {rust_name}: &[B] = &["]
    out.append(f"    {raw(data[:4])}, // genl: cmd {data[0]} {names.get(data[0], '?')}, "
               f"version {data[1]}, reserved")
    walk(data[4:], table, "    ", out)
    out.append("];")
    out.append(f"pub const {rust_name}_CAPTURED: &str = \"{data.hex()}\";")
    return "\n".join(out)


def main():
    entries = []
    with open(sys.argv[1]) as f:
        lines = f.read().split("\n")
    for i, line in enumerate(lines):
        if line.startswith("== "):
            label, kind, note = [x.strip() for x in line[3:].split("|", 2)]
            entries.append((label, kind, note, bytes.fromhex(lines[i + 1])))
    if len(sys.argv) == 2:
        for i, (label, kind, note, _) in enumerate(entries):
            print(f"{i}: {label} | {kind} | {note}")
        return
    for spec in sys.argv[2:]:
        idx, rust_name = spec.split(":")
        label, kind, note, data = entries[int(idx)]
        print(annotate(kind, data, rust_name, label, note, idx))
        print()


if __name__ == "__main__":
    main()
