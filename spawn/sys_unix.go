//go:build unix

package spawn

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// lockFile takes an exclusive flock on path (created 0600 if missing) and
// returns its release. The lock belongs to the open file, so it also
// excludes other goroutines of this process, and the kernel drops it if
// the process dies. The file is left in place: removing a lock file races
// with its next user.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock file: %w", err)
	}
	fd := int(f.Fd())
	if err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err == nil {
		return func() { f.Close() }, nil
	} else if !errors.Is(err, unix.EWOULDBLOCK) {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	got := make(chan error, 1)
	go func() { got <- flock(fd) }()
	select {
	case err := <-got:
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		return func() { f.Close() }, nil
	case <-ctx.Done():
		go func() { <-got; f.Close() }() // release once it is ours
		return nil, fmt.Errorf("lock %s: %w", path, context.Cause(ctx))
	}
}

// flock blocks for an exclusive lock on fd.
func flock(fd int) error {
	for {
		err := unix.Flock(fd, unix.LOCK_EX)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// rolePipes returns the inherited pipes, made close-on-exec so that
// processes the role starts do not hold them open.
func rolePipes() (in, out *os.File, err error) {
	for _, fd := range []int{fdIn, fdOut} {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
			return nil, nil, fmt.Errorf("inherited pipe %d: %w", fd, err)
		}
		unix.CloseOnExec(fd)
	}
	return os.NewFile(fdIn, "spawn-in"), os.NewFile(fdOut, "spawn-out"), nil
}

// canSpawn: processes can be started in a role here.
const canSpawn = true

// detachedAttr starts a process in a session of its own, away from the
// terminal's signals.
func detachedAttr(detached bool) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setsid: detached}
}

// oNoFollow makes OpenFile refuse a symbolic link.
const oNoFollow = syscall.O_NOFOLLOW
