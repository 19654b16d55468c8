package server

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// rssBytes reads the resident set size from /proc/self/statm; 0 if it
// cannot.
func rssBytes() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(f[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}

// totalMemory is the machine's RAM, INFO's total_system_memory.
func totalMemory() uint64 {
	var si syscall.Sysinfo_t
	if syscall.Sysinfo(&si) != nil {
		return 0
	}
	return uint64(si.Totalram) * uint64(si.Unit)
}

// memoryAvailable is what this process may use at most: the machine's RAM,
// or the cgroup's memory.max if that is lower; 0 if unknown.
func memoryAvailable() uint64 {
	total := totalMemory()
	b, err := os.ReadFile("/sys/fs/cgroup/memory.max")
	if err != nil {
		return total
	}
	limit, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || limit == 0 { // "max": no limit
		return total
	}
	if total == 0 {
		return limit
	}
	return min(total, limit)
}
