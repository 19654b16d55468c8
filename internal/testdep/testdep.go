// Package testdep is how a test says what it needs from the machine (a
// program such as redis-server, a Python module): when it is missing, the
// test fails under CI=true, where `make test` has installed everything,
// and is skipped elsewhere.
package testdep

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// Missing fails the test under CI=true and skips it otherwise; the message
// says what is missing.
func Missing(tb testing.TB, format string, args ...any) {
	tb.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		tb.Fatalf("%s (CI=true: a missing test dependency is a failure; `make deps` installs it)", msg)
	}
	tb.Skipf("%s: skipping (`make deps` installs it; under CI=true this is a failure)", msg)
}

// Tool returns the path of an executable found on PATH, or calls Missing.
func Tool(tb testing.TB, name string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(tb, "%s not found", name)
	}
	return p
}
