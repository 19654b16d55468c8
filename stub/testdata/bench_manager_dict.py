#!/usr/bin/python3
"""Python's multiprocessing.Manager().dict() doing the stub benchmark's work.

Usage: bench_manager_dict.py [SECONDS]

For 1 and 16 worker processes, each runs set (d[key] = value) and then get
(d[key]) ops over 1000 keys for SECONDS (default 3) each, and the script
prints ops/s per phase, comparable with `go test -bench SetGet ./stub/`.
"""
import multiprocessing as mp
import sys
import time

KEYS = ["bench:%d" % i for i in range(1000)]
VALUE = "value-0123456789"


def worker(d, op, seconds, start, out):
    start.wait()
    n, i = 0, 0
    end = time.perf_counter() + seconds
    while True:
        for _ in range(100):
            k = KEYS[i % len(KEYS)]
            if op == "set":
                d[k] = VALUE
            else:
                d[k]
            i += 1
        n += 100
        if time.perf_counter() >= end:
            break
    out.put(n)


def run(d, op, procs, seconds):
    start = mp.Event()
    out = mp.Queue()
    ps = [mp.Process(target=worker, args=(d, op, seconds, start, out)) for _ in range(procs)]
    for p in ps:
        p.start()
    t0 = time.perf_counter()
    start.set()
    total = sum(out.get() for _ in ps)
    elapsed = time.perf_counter() - t0
    for p in ps:
        p.join()
    return total / elapsed


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    with mp.Manager() as m:
        d = m.dict()
        for k in KEYS:
            d[k] = VALUE
        for procs in (1, 16):
            for op in ("set", "get"):
                print("%s/manager-dict/p%d\t%.0f ops/s" % (op, procs, run(d, op, procs, seconds)))


if __name__ == "__main__":
    main()
