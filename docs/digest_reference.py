#!/usr/bin/env python3
"""Independent reference implementation of the hvsim run digest (docs/sim-core.md).

Written from the documented algorithm, not from the Rust code, to produce the known values the
Rust unit tests check. Run: python3 docs/digest_reference.py
"""
M = (1 << 64) - 1
K1, K2 = 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F
A0, B0 = 0x243F6A8885A308D3, 0x13198A2E03707344
KEY_SEED = 0xA4093822299F31D0
KIND = {"trap": 1, "exit": 2}
TAG = {"u64": 0, "i64": 1, "bool": 2, "str": 3}


def fmix64(x):
    x ^= x >> 33
    x = (x * 0xFF51AFD7ED558CCD) & M
    x ^= x >> 33
    x = (x * 0xC4CEB9FE1A85EC53) & M
    x ^= x >> 33
    return x


def le_words(b, multiple):
    """Bytes as little-endian 64-bit words, zero-padded to a multiple of `multiple` bytes."""
    if len(b) % multiple:
        b = b + b"\0" * (multiple - len(b) % multiple)
    return [int.from_bytes(b[i:i + 8], "little") for i in range(0, len(b), 8)]


def name_key(s):
    b = s.encode()
    h = KEY_SEED ^ len(b)
    for w in le_words(b, 8):
        h = ((h ^ w) * K1) & M
        h ^= h >> 32
    return fmix64(h)


def words_event(kind, cpu, vtime, name, fields):
    if kind not in KIND:
        return []
    w = [KIND[kind] | (cpu << 32), vtime, name_key(name), len(fields)]
    for fname, ty, v in fields:
        w.append((name_key(fname) & ~3 & M) | TAG[ty])
        if ty == "u64":
            w.append(v)
        elif ty == "i64":
            w.append(v & M)
        elif ty == "bool":
            w.append(1 if v else 0)
        else:
            b = v.encode()
            w.append(len(b))
            w += le_words(b, 16)
    assert len(w) % 2 == 0
    return w


def digest(events):
    a, b, n = A0, B0, 0
    for ev in events:
        for w in words_event(*ev):
            if n % 2 == 0:
                a = ((a ^ w) * K1) & M
                a ^= a >> 32
            else:
                b = ((b + w) * K2) & M
                b ^= b >> 29
            n += 1
    f1 = fmix64(a ^ n)
    f2 = fmix64(b ^ f1)
    f3 = fmix64(f1 ^ f2)
    return "%016x%016x" % (f2, f3)


if __name__ == "__main__":
    print("empty     ", digest([]))
    print("two_events", digest([
        ("exit", 0, 1200, "MmioRead", [("addr", "u64", 0x10000000), ("off", "i64", -8),
                                      ("signed_ext", "bool", False), ("dev", "str", "uart0")]),
        ("insn", 0, 1250, "addi", []),
        ("trap", 1, 1300, "VirtualInstruction", [("cause", "u64", 22)]),
    ]))
    print("long_str  ", digest([
        ("exit", 3, 7, "Hypercall", [("nr", "u64", 1), ("msg", "str", "seventeen bytes!!"),
                                     ("hardware_entry_failure_reason", "u64", 2**64 - 1)]),
    ]))
    print("key_addr  ", "%016x" % name_key("addr"))
    print("key_empty ", "%016x" % name_key(""))
    print("key_long  ", "%016x" % name_key("hardware_entry_failure_reason"))
