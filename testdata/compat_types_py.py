#!/usr/bin/python3
"""redis-py (RESP2) on hashes, lists, sets and sorted sets; driven by
TestPythonTypes in compat_types_clients_test.go.

Usage: compat_types_py.py --unix SOCK --host 127.0.0.1 --port PORT
Runs the same checks over the unix socket and TCP, prints OK last on success
and exits non-zero (with a traceback) on the first failed assertion. The
checks compare values, so a server that answers wrongly fails them.
"""
import sys
import threading
import time

import redis

import compat_py_main


def eq(got, want):
    assert got == want, "got %r, want %r" % (got, want)


def blocked_clients(r):
    return r.info("clients")["blocked_clients"]


def when_blocked(r, serve):
    """Runs serve() in a thread once the server reports one blocked client,
    so that the blocking command issued next is served by serve's write.
    Call the function it returns once that command has returned: it raises
    serve's exception, or says the command returned without blocking."""
    errors = []
    returned = threading.Event()

    def run():
        try:
            while blocked_clients(r) != 1:
                assert not returned.is_set(), "the blocking command returned before it blocked"
                time.sleep(0.002)  # polling the server's own report
            serve()
        except Exception as e:  # reported by done()
            errors.append(e)

    th = threading.Thread(target=run, daemon=True)  # never keeps a failed run alive
    th.start()

    def done():
        returned.set()
        th.join(30)
        assert not th.is_alive(), "serving thread did not finish"
        assert not errors, errors

    return done


def hashes(r, k):
    h = k("h")
    eq(r.hset(h, mapping={"name": "ada", "lang": "py", "n": 1}), 3)
    eq(r.hset(h, "lang", "c"), 0)
    eq(r.hset(h, "year", 1843, mapping={"lang": "go"}), 1)
    eq(r.hgetall(h), {"name": "ada", "lang": "go", "n": "1", "year": "1843"})
    eq(r.hget(h, "missing"), None)
    eq(r.hmget(h, ["name", "missing", "n"]), ["ada", None, "1"])
    eq(r.hincrby(h, "n", 41), 42)
    eq(r.hincrbyfloat(h, "n", 0.5), 42.5)
    eq(r.hincrbyfloat(h, "f", -1.25), -1.25)
    eq(r.hget(h, "n"), "42.5")
    try:
        r.hincrbyfloat(h, "name", 1)
    except redis.ResponseError as e:
        assert "not a float" in str(e), e
    else:
        raise AssertionError("HINCRBYFLOAT on text did not fail")
    eq(r.hdel(h, "f", "year", "missing"), 2)
    eq(r.hexists(h, "year"), False)
    eq(r.hlen(h), 3)
    eq(sorted(r.hkeys(h)), ["lang", "n", "name"])
    eq(sorted(r.hrandfield(h, 5)), ["lang", "n", "name"])
    eq(r.type(h), "hash")
    # hscan_iter to completion over a hash beyond the listpack limits
    big = {"f%04d" % i: "v%d" % (i * 7) for i in range(600)}
    eq(r.hset(k("bighash"), mapping=big), 600)
    got = dict(r.hscan_iter(k("bighash"), count=50))
    eq(got, big)
    eq(dict(r.hscan_iter(h, match="na*")), {"name": "ada"})


def lists(r, k):
    lst = k("l")
    eq(r.rpush(lst, "a", "b", "c"), 3)
    eq(r.lpush(lst, "y", "z"), 5)
    eq(r.lrange(lst, 0, -1), ["z", "y", "a", "b", "c"])
    eq(r.lpop(lst, 2), ["z", "y"])
    eq(r.rpop(lst), "c")
    eq(r.lpos(lst, "b"), 1)
    eq(r.linsert(lst, "BEFORE", "b", "a2"), 3)
    eq(r.lrange(lst, 0, -1), ["a", "a2", "b"])
    eq(r.lmove(lst, k("l2"), "RIGHT", "LEFT"), "b")
    eq(r.type(lst), "list")

    # a blocking pop nothing serves times out (fractional timeouts: 6.0+)
    start = time.monotonic()
    eq(r.blpop([k("e1"), k("e2")], timeout=0.2), None)
    assert time.monotonic() - start >= 0.15, "BLPOP 0.2 returned early"
    eq(r.blmove(k("e1"), k("e2"), 0.1, "LEFT", "LEFT"), None)

    # served: a thread pushes once BLPOP has blocked
    done = when_blocked(r, lambda: eq(r.rpush(k("q2"), "job1", "job2"), 2))
    eq(r.blpop([k("q1"), k("q2")], timeout=10), (k("q2"), "job1"))
    done()
    eq(r.brpop([k("q1"), k("q2")], timeout=1), (k("q2"), "job2"))
    eq(r.exists(k("q2")), 0)

    done = when_blocked(r, lambda: eq(r.lpush(k("src"), "x1"), 1))
    eq(r.blmove(k("src"), k("dst"), 10, "RIGHT", "LEFT"), "x1")
    done()
    eq(r.lrange(k("dst"), 0, -1), ["x1"])
    eq(r.blmove(k("dst"), k("dst"), 1, "LEFT", "RIGHT"), "x1")  # rotate in place


def sets(r, k):
    s1, s2 = k("s1"), k("s2")
    eq(r.sadd(s1, "a", "b", "c", "d"), 4)
    eq(r.sadd(s1, "a", "e"), 1)
    eq(r.smembers(s1), {"a", "b", "c", "d", "e"})
    eq(r.sismember(s1, "c"), True)
    eq(r.smismember(s1, ["a", "z"]), [True, False])
    eq(r.sadd(s2, "c", "d", "x"), 3)
    eq(r.sinter(s1, s2), {"c", "d"})
    eq(r.sinter(s1, k("none")), set())
    eq(r.sunionstore(k("u"), [s1, s2]), 6)
    eq(r.scard(k("u")), 6)
    popped = r.spop(s1, 2)
    eq(len(set(popped)), 2)
    assert set(popped) <= {"a", "b", "c", "d", "e"}, popped
    eq(r.smembers(s1), {"a", "b", "c", "d", "e"} - set(popped))
    eq(r.type(s1), "set")
    members = {str(i * 3) for i in range(200)} | {"m%d" % i for i in range(200)}
    eq(r.sadd(k("big"), *members), 400)
    got = list(r.sscan_iter(k("big"), count=64))
    eq(set(got), members)


def zsets(r, k):
    z = k("z")
    eq(r.zadd(z, {"a": 1, "b": 2, "c": 3}), 3)
    eq(r.zadd(z, {"a": 10, "d": 4}, nx=True), 1)
    eq(r.zadd(z, {"a": 0.5, "b": 5}, gt=True, ch=True), 1)
    eq(r.zadd(z, {"a": 1.5}, incr=True), 2.5)
    eq(r.zadd(z, {"nope": 1}, xx=True, incr=True), None)
    eq(r.zrange(z, 0, -1, withscores=True), [("a", 2.5), ("c", 3.0), ("d", 4.0), ("b", 5.0)])
    eq(r.zrange(z, 0, 1, desc=True), ["b", "d"])
    eq(r.zrange(z, "(2.5", "+inf", byscore=True, offset=1, num=2), ["d", "b"])
    eq(r.zrange(z, 4, "-inf", byscore=True, desc=True, withscores=True), [("d", 4.0), ("c", 3.0), ("a", 2.5)])
    eq(r.zrangebyscore(z, 3, "+inf", start=1, num=5), ["d", "b"])
    eq(r.zrangebyscore(z, "-inf", "(4", withscores=True), [("a", 2.5), ("c", 3.0)])
    eq(r.zincrby(z, 2, "a"), 4.5)
    eq(r.zscore(z, "a"), 4.5)
    eq(r.zrank(z, "a"), 2)
    eq(r.zrank(z, "nope"), None)
    eq(r.type(z), "zset")
    eq(r.zpopmin(z), [("c", 3.0)])

    # BZPOPMIN served by a thread's ZADD, then one that times out
    done = when_blocked(r, lambda: eq(r.zadd(k("bz"), {"late": 7, "later": 8}), 2))
    eq(r.bzpopmin([k("bz0"), k("bz")], timeout=10), (k("bz"), "late", 7.0))
    done()
    eq(r.bzpopmax(k("bz"), timeout=1), (k("bz"), "later", 8.0))
    eq(r.bzpopmin(k("bz"), timeout=0.1), None)

    scores = {"m%03d" % i: i / 4 for i in range(300)}
    eq(r.zadd(k("bigz"), scores), 300)
    eq(dict(r.zscan_iter(k("bigz"), count=40)), scores)


def transactions(r, k):
    pipe = r.pipeline(transaction=True)
    pipe.hset(k("th"), mapping={"a": 1, "b": 2})
    pipe.rpush(k("tl"), "x", "y")
    pipe.sadd(k("ts"), "m", "n")
    pipe.zadd(k("tz"), {"one": 1, "two": 2})
    pipe.hincrby(k("th"), "a", 10)
    pipe.lpop(k("tl"))
    pipe.zincrby(k("tz"), 5, "one")
    pipe.hgetall(k("th"))
    pipe.smembers(k("ts"))
    pipe.zrange(k("tz"), 0, -1, withscores=True)
    for t in ("th", "tl", "ts", "tz", "none"):
        pipe.type(k(t))
    eq(pipe.execute(), [
        2, 2, 2, 2, 11, "x", 6.0,
        {"a": "11", "b": "2"}, {"m", "n"}, [("two", 2.0), ("one", 6.0)],
        "hash", "list", "set", "zset", "none",
    ])

    # WATCH on a hash: untouched commits, touched by another client fails
    acct = k("acct")
    r.hset(acct, mapping={"balance": 100})

    def withdraw(amount, meddle=None):
        with r.pipeline() as p:
            p.watch(acct)
            bal = int(p.hget(acct, "balance"))
            if meddle:
                meddle()
            p.multi()
            p.hset(acct, "balance", bal - amount)
            p.execute()

    withdraw(30)
    eq(r.hget(acct, "balance"), "70")
    try:
        withdraw(30, lambda: r.hincrby(acct, "balance", 1))
    except redis.WatchError:
        pass
    else:
        raise AssertionError("EXEC after the watched hash changed did not fail")
    eq(r.hget(acct, "balance"), "71")


def check(r, prefix):
    def k(name):
        return prefix + name

    assert r.ping() is True
    hashes(r, k)
    lists(r, k)
    sets(r, k)
    zsets(r, k)
    transactions(r, k)
    # scan_iter by type sees exactly this prefix's hashes
    eq(sorted(r.scan_iter(match=k("*"), count=20, _type="hash")), [k("acct"), k("bighash"), k("h"), k("th")])
    eq(sorted(r.scan_iter(match=k("*"), _type="zset")), [k("bigz"), k("tz"), k("z")])


def main():
    compat_py_main.run(check, "pyt:%s:", decode_responses=True)


if __name__ == "__main__":
    sys.exit(main())
