"""The command line shared by the redis-py scripts driven by the Go tests
(compat_redis_py.py, compat_types_py.py).

run(check, prefix) parses --unix SOCK --host 127.0.0.1 --port PORT, calls
check(client, prefix % name) with a redis-py client over the unix socket and
one over TCP, and prints OK last; a failed assertion escapes as a traceback
and a non-zero exit.
"""
import argparse

import redis


def run(check, prefix, **client_options):
    ap = argparse.ArgumentParser()
    ap.add_argument("--unix", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    a = ap.parse_args()
    print("redis-py", redis.__version__)
    for name, client in (
        ("unix", redis.Redis(unix_socket_path=a.unix, socket_timeout=30, **client_options)),
        ("tcp", redis.Redis(host=a.host, port=a.port, socket_timeout=30, **client_options)),
    ):
        check(client, prefix % name)
        client.close()
        print("redis-py over %s: ok" % name)
    print("OK")
