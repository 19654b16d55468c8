#!/usr/bin/python3
"""Cross-language check of the Go stub's stored format (see stub/doc.go).

Usage: stub_interop.py URL PREFIX

Reads the values interop_test.go stored under PREFIX (a string, an int, a
float, a struct as tagged CBOR), checks them, then writes values of its own
under PREFIX + "py:" for the Go side to read. Prints "ok" and exits 0, or
prints what differed and exits 1. Needs redis-py and cbor2 (Debian
python3-redis, python3-cbor2).
"""
import sys

import cbor2
import redis

TAG = b"\xd9\xd9\xf7"


def decode(raw):
    """A stored value as Python sees it: tagged CBOR decoded, else text."""
    if raw is None:
        raise KeyError("missing")
    if raw.startswith(TAG):
        return cbor2.loads(raw)  # cbor2 unwraps the self-describe tag itself
    return raw.decode()


def main():
    url, p = sys.argv[1], sys.argv[2]
    if len(sys.argv) > 3 and sys.argv[3] == "cluster":
        from redis.cluster import RedisCluster
        r = RedisCluster.from_url(url)
    else:
        r = redis.Redis.from_url(url)
    errors = []

    def expect(key, want, conv=lambda v: v):
        got = conv(decode(r.get(p + key)))
        if got != want:
            errors.append(f"{key}: got {got!r}, want {want!r}")

    expect("s", "héllo wörld")
    expect("i", 42, int)
    expect("neg", -7, int)
    expect("f", 2.5, float)
    expect("tiny", 0.1, float)
    expect("flag", True)
    expect("nothing", None)
    expect("list", [1, "two", 3.5])
    pt = decode(r.get(p + "struct"))
    if pt.get("name") != "ada" or pt.get("tags") != ["x", "y"] or pt.get("n") != 36:
        errors.append(f"struct: got {pt!r}")
    when = pt.get("when")
    if when is None or when.year != 2026 or when.month != 5:
        errors.append(f"struct time: got {when!r}")
    raw = r.get(p + "tagstr")
    if not raw.startswith(TAG) or cbor2.loads(raw) != b"\xd9\xd9\xf7abc":
        errors.append(f"tagstr: got {raw!r}")
    # INCR works on what Go stored as an int, INCRBYFLOAT on a float.
    if r.incr(p + "i") != 43:
        errors.append("incr of Go int failed")
    if float(r.incrbyfloat(p + "f", 0.5)) != 3.0:
        errors.append("incrbyfloat of Go float failed")

    # Values for Go to read.
    r.set(p + "py:s", "from python ✓")
    r.set(p + "py:i", 12345)
    r.set(p + "py:f", 0.25)
    r.set(p + "py:big", 2**62)
    r.set(p + "py:dict", TAG + cbor2.dumps({"name": "py", "tags": ["a"], "n": 3}))
    # The tag can also come from cbor2 itself: CBORTag(55799, value).
    r.set(p + "py:list", cbor2.dumps(cbor2.CBORTag(55799, [1, 2, 3])))
    r.set(p + "py:bytes", b"\x00\x01raw")

    if errors:
        print("\n".join(errors))
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
