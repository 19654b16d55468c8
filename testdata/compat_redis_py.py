#!/usr/bin/python3
"""redis-py (RESP2) against a running remoted; driven by compat_test.go.

Usage: compat_redis_py.py --unix SOCK --host 127.0.0.1 --port PORT
Runs the same checks over the unix socket and TCP, prints OK last on success
and exits non-zero (with a traceback) on the first failed assertion.
"""
import sys

import redis

import compat_py_main


def check(r, prefix):
    def k(name):
        return prefix + name

    assert r.ping() is True
    assert r.set(k("s"), "hello") is True
    assert r.get(k("s")) == b"hello", r.get(k("s"))
    assert r.get(k("missing")) is None
    assert r.set(k("s"), "x", nx=True) is None
    assert r.set(k("s"), "world", xx=True, get=True) == b"hello"
    assert r.incr(k("n")) == 1
    assert r.incr(k("n"), 41) == 42
    assert r.decr(k("n")) == 41
    assert r.incrbyfloat(k("f"), 2.5) == 2.5
    assert r.append(k("s"), "!") == 6
    assert r.strlen(k("s")) == 6
    assert r.getrange(k("s"), 0, 2) == b"wor"
    try:
        r.incr(k("s"))
    except redis.ResponseError as e:
        assert "not an integer" in str(e), e
    else:
        raise AssertionError("INCR on text did not fail")
    assert r.mset({k("a"): "1", k("b"): "2"}) is True
    assert r.mget([k("a"), k("missing"), k("b")]) == [b"1", None, b"2"]
    assert r.exists(k("a"), k("b"), k("missing")) == 2
    assert r.type(k("a")) == b"string"
    assert r.expire(k("a"), 100) is True
    ttl = r.ttl(k("a"))
    assert 99 <= ttl <= 100, ttl
    assert r.ttl(k("b")) == -1
    assert r.ttl(k("missing")) == -2
    assert r.persist(k("a")) is True
    assert r.ttl(k("a")) == -1
    assert r.rename(k("a"), k("a2")) is True
    assert r.get(k("a2")) == b"1"
    # binary-safe values
    blob = bytes(range(256))
    assert r.set(k("bin"), blob) is True
    assert r.get(k("bin")) == blob
    # scan_iter over a few hundred keys
    r.mset({k("scan:%03d" % i): i for i in range(250)})
    found = set(r.scan_iter(match=k("scan:*"), count=40))
    assert len(found) == 250, len(found)
    assert len(r.keys(k("scan:00*"))) == 10
    # a non-transactional pipeline
    pipe = r.pipeline(transaction=False)
    for _ in range(500):
        pipe.incr(k("pipe"))
    pipe.get(k("pipe"))
    res = pipe.execute()
    assert res[-1] == b"500", res[-1]
    assert res[:3] == [1, 2, 3]
    assert r.delete(k("s"), k("n"), k("missing")) == 2
    assert r.dbsize() >= 250


def main():
    compat_py_main.run(check, "py:%s:")


if __name__ == "__main__":
    sys.exit(main())
