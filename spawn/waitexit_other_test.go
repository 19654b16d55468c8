//go:build unix && !linux

package spawn_test

import (
	"errors"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// waitExit waits for any process (not only a child) to exit. Without
// pidfds it asks, every few milliseconds, whether the pid still exists.
func waitExit(t testing.TB, pid int, timeout time.Duration) {
	t.Helper()
	for end := time.Now().Add(timeout); ; time.Sleep(5 * time.Millisecond) {
		if err := unix.Kill(pid, 0); errors.Is(err, unix.ESRCH) {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("process %d still running after %v", pid, timeout)
		}
	}
}
