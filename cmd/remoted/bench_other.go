//go:build !linux

package main

import (
	"fmt"
	"runtime"
)

// bench runs remoted bench, whose tools (redis-benchmark pinned to CPUs,
// an epoll-driven lock client, /proc readings) are Linux's.
func bench(args []string) error {
	return fmt.Errorf("remoted bench needs Linux (this is %s)", runtime.GOOS)
}
