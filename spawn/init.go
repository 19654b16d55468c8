package spawn

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync/atomic"
)

// envRole names the role a re-executed process runs: roleServer or
// roleChild. Init removes it from the environment before running the role,
// so that processes the role starts do not inherit it.
const envRole = "REMOTED_SPAWN_ROLE"

const (
	roleServer = "server"
	roleChild  = "child"
)

// The pipes a role inherits, as cmd.ExtraFiles: fd 3 carries input from
// the parent (the server's config, the child's name and args), fd 4
// carries the answer back (readiness, the child's error text).
const (
	fdIn  = 3
	fdOut = 4
)

// ErrNotInitialized is returned by Start and StartServer in a process that
// has not called Init: the re-executed binary would run main again instead
// of the role (at worst starting processes without end).
var ErrNotInitialized = errors.New("spawn: Init was not called (it must be the first line of main and TestMain)")

var initialized atomic.Bool

// Init runs the role this process was started in and exits, or returns
// false at once when the process was not started in a role. It must be the
// first line of main and of TestMain in any program that calls Start or
// StartServer. Init exits with status 0 when the role succeeds, 1 when it
// fails, and 2 when a child function panics; it calls os.Exit only after
// the role's deferred cleanup has run. Calling it more than once is
// harmless.
func Init() bool {
	initialized.Store(true)
	role, ok := os.LookupEnv(envRole)
	if !ok {
		return false
	}
	os.Unsetenv(envRole)
	os.Exit(runRole(role))
	return true // not reached
}

// runRole runs role and returns the process's exit status.
func runRole(role string) int {
	in, out, err := rolePipes()
	if err != nil {
		fmt.Fprintf(os.Stderr, "spawn: %s role: %v\n", role, err)
		return 1
	}
	defer in.Close()
	defer out.Close()
	switch role {
	case roleServer:
		if err := runServer(in, out); err != nil {
			fmt.Fprintf(os.Stderr, "spawn: server: %v\n", err)
			return 1
		}
		return 0
	case roleChild:
		return runChild(in, out)
	default:
		fmt.Fprintf(os.Stderr, "spawn: unknown role %q\n", role)
		return 1
	}
}

// ErrUnsupported is returned by Start and StartServer where processes
// cannot be started in a role (Windows: no unix sockets to hand down, no
// fork-and-exec pipes); connecting to a running share works everywhere.
var ErrUnsupported = fmt.Errorf("spawn: starting share servers and child processes is not supported on %s: %w", runtime.GOOS, errors.ErrUnsupported)

// requireInit reports ErrUnsupported where processes cannot be started,
// and ErrNotInitialized when Init has not run.
func requireInit() error {
	if !canSpawn {
		return ErrUnsupported
	}
	if !initialized.Load() {
		return ErrNotInitialized
	}
	return nil
}

// selfExe is the path that re-executes the running binary: /proc/self/exe
// (which works even if the file was replaced or removed), else
// os.Executable.
func selfExe() (string, error) {
	const proc = "/proc/self/exe"
	if _, err := os.Stat(proc); err == nil {
		return proc, nil
	}
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("spawn: locate own executable: %w", err)
	}
	return exe, nil
}

// roleEnv returns the environment of a process started in role: ours, then
// extra, then the role (which extra cannot override).
func roleEnv(role string, extra []string) []string {
	env := append(os.Environ(), extra...)
	return append(env, envRole+"="+role)
}
