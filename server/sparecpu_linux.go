package server

import (
	"bytes"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"
)

// spareCPU says whether an event loop may poll (see waiter) without
// keeping anyone from a CPU: it holds while the machine has no more
// runnable threads than CPUs, by the running count in /proc/loadavg read
// every 50 ms. A share with thousands of busy client processes has tens of
// runnable threads at any moment, and a loop that polled there would take
// CPU they need (2,000 processes finished 5-20% later with polling on);
// a client in a request loop, or two passing a lock, leave a CPU idle,
// which polling then uses. Three readings in a row with room turn it on,
// one without turns it off.
type spareCPU struct {
	ok   atomic.Bool
	stop chan struct{}
}

// watchCPU starts the readings; close(stop) ends them.
func watchCPU() *spareCPU {
	sc := &spareCPU{stop: make(chan struct{})}
	go sc.watch()
	return sc
}

func (sc *spareCPU) watch() {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	room := 0
	for {
		select {
		case <-sc.stop:
			return
		case <-tick.C:
		}
		running, ok := runnableThreads()
		// The reading counts the thread reading it.
		if ok && running-1 <= runtime.NumCPU() {
			room++
		} else {
			room = 0
		}
		sc.ok.Store(room >= 3)
	}
}

// runnableThreads is the first number of /proc/loadavg's fourth field:
// the threads running or ready to run now.
func runnableThreads() (int, bool) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0, false
	}
	f := bytes.Fields(b)
	if len(f) < 4 {
		return 0, false
	}
	r, _, ok := bytes.Cut(f[3], []byte("/"))
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(string(r))
	return n, err == nil
}
