package server

import "runtime"

// DefaultThreads is how many event loops a share server runs unless told
// otherwise: half the CPUs, at least one. A share server shares its
// machine with its clients, which need CPU to send it anything.
func DefaultThreads() int { return max(1, runtime.NumCPU()/2) }

// Procs is the GOMAXPROCS for a process that mainly serves with this many
// event loops: one P for each loop, which keeps it while the loop waits
// in epoll_wait, and one for all other goroutines (see loop).
func Procs(threads int) int { return threads + 1 }
