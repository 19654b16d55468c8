//go:build !linux

package server

import "runtime/metrics"

// rssBytes estimates the resident set size where there is no /proc: the
// memory the Go runtime has mapped and not given back to the OS.
func rssBytes() uint64 {
	s := []metrics.Sample{
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
	}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 || s[1].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64() - s[1].Value.Uint64()
}

// totalMemory is the machine's RAM, INFO's total_system_memory; 0 (as
// Redis reports where it cannot tell) off Linux.
func totalMemory() uint64 { return 0 }

// memoryAvailable is what this process may use at most; 0: unknown here.
func memoryAvailable() uint64 { return 0 }
