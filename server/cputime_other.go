//go:build !unix

package server

import "time"

// cpuTimes is the CPU the process has used; not measured here.
func cpuTimes() (sys, user time.Duration) { return 0, 0 }
