#!/usr/bin/python3
"""redis-py (RESP2) on Lua scripts: its Lock, whose release, extend and
reacquire are scripts run by EVALSHA with an EVAL fallback, and its
Script objects; driven by TestPythonScripts in compat_scripts_clients_test.go.

Usage: compat_scripts_py.py --unix SOCK --host 127.0.0.1 --port PORT
Prints OK last on success and exits non-zero (with a traceback) on the
first failed assertion.
"""
import redis
from redis.exceptions import LockNotOwnedError, NoScriptError, ResponseError

import compat_py_main


def eq(got, want):
    assert got == want, "got %r, want %r" % (got, want)


def check(r, k):
    r.script_flush()
    # Lock: acquire, extend, reacquire, release.
    lock = r.lock(k + "lock", timeout=10)
    assert lock.acquire(blocking=False)
    assert lock.owned()
    assert not r.lock(k + "lock", timeout=10).acquire(blocking=False)
    assert lock.extend(5)
    assert 10000 < r.pttl(k + "lock") <= 15000, r.pttl(k + "lock")
    assert lock.reacquire()
    assert 9000 < r.pttl(k + "lock") <= 10000, r.pttl(k + "lock")
    lock.release()
    eq(r.exists(k + "lock"), 0)
    # Released by another owner: the lock expired and someone else took it.
    lock = r.lock(k + "lock2", timeout=10)
    assert lock.acquire(blocking=False)
    r.delete(k + "lock2")
    other = r.lock(k + "lock2", timeout=10)
    assert other.acquire(blocking=False)
    try:
        lock.extend(5)
        raise AssertionError("extend by a non-owner succeeded")
    except LockNotOwnedError:
        pass
    try:
        lock.reacquire()
        raise AssertionError("reacquire by a non-owner succeeded")
    except LockNotOwnedError:
        pass
    try:
        lock.release()
        raise AssertionError("release by a non-owner succeeded")
    except LockNotOwnedError:
        pass
    eq(r.exists(k + "lock2"), 1)
    other.release()
    # Script objects: EVALSHA, and the EVAL fallback after SCRIPT FLUSH.
    incr = r.register_script("return redis.call('incrby', KEYS[1], ARGV[1])")
    eq(incr(keys=[k + "n"], args=[5]), 5)
    r.script_flush()
    eq(incr(keys=[k + "n"], args=[2]), 7)
    eq(r.script_exists(incr.sha), [True])
    try:
        r.evalsha("f" * 40, 0)
        raise AssertionError("EVALSHA of an unknown script succeeded")
    except NoScriptError:
        pass
    try:
        r.eval("return redis.call('nosuch')", 0)
        raise AssertionError("an unknown command in a script succeeded")
    except ResponseError as e:
        assert "Unknown Redis command called from script" in str(e), e
    eq(r.eval("return {1, 'two', {ok='three'}}", 0), [1, b"two", b"three"])
    eq(r.eval_ro("return redis.call('get', KEYS[1])", 1, k + "n"), b"7")
    pipe = r.pipeline()
    pipe.eval("return redis.call('incr', KEYS[1])", 1, k + "n")
    pipe.get(k + "n")
    eq(pipe.execute(), [8, b"8"])


compat_py_main.run(check, "py-script:%s:")
