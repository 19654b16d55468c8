package server

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
)

// DefaultPort is the TCP port of the default share (the seed's).
const DefaultPort = 7450

// DefaultSocket returns the unix socket path of the default share:
// $XDG_RUNTIME_DIR/remoted/default.sock, or, without XDG_RUNTIME_DIR, a
// per-user directory under the temp dir.
func DefaultSocket() string {
	return SocketPath("default")
}

// SocketPath returns the socket path of the named share, in the directory
// DefaultSocket uses.
func SocketPath(share string) string {
	dir := os.Getenv("XDG_RUNTIME_DIR")
	if dir != "" {
		dir = filepath.Join(dir, "remoted")
	} else {
		dir = filepath.Join(os.TempDir(), "remoted-"+strconv.Itoa(os.Getuid()))
	}
	return filepath.Join(dir, share+".sock")
}

// ListenUnix listens on a unix socket at path: its directory is created
// private (0700), a stale socket nobody answers on is removed, and the
// socket is made 0600. A live server already there is an error.
func ListenUnix(path string) (net.Listener, error) {
	if err := ShareDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	inUse, err := RemoveStaleSocket(path)
	if err != nil {
		return nil, err
	}
	if inUse {
		return nil, fmt.Errorf("server: a server is already listening on %s", path)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("server: listen: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("server: socket mode: %w", err)
	}
	return ln, nil
}

// ShareDir creates dir (0700) if it is missing and, if it is the share
// directory DefaultSocket uses, makes it 0700 and refuses it when another
// user owns it. Auto-starters call it before creating their lock file
// there; ListenUnix calls it before listening.
func ShareDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("server: socket directory: %w", err)
	}
	return privateDir(dir)
}

// privateDir makes the share directory (the one DefaultSocket uses) 0700
// and refuses it if someone else owns it. A directory the caller chose
// keeps its mode: the socket itself is 0600.
func privateDir(dir string) error {
	if filepath.Clean(dir) != filepath.Dir(DefaultSocket()) {
		return nil
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("server: socket directory: %w", err)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Getuid() {
		return fmt.Errorf("server: socket directory %s belongs to another user", dir)
	}
	if fi.Mode().Perm() != 0o700 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("server: socket directory mode: %w", err)
		}
	}
	return nil
}

// ErrNeedPassword is returned by CheckBind for a non-loopback address
// without a password.
var ErrNeedPassword = errors.New("server: refusing to listen on a non-loopback address without a password (set --requirepass)")

// CheckBind refuses a bind address other than loopback unless a password
// is set: a share must not be open to the network.
func CheckBind(host, password string) error {
	if password != "" || host == "localhost" {
		return nil
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("server: bind address %q: %w", host, err)
	}
	if !addr.IsLoopback() {
		return ErrNeedPassword
	}
	return nil
}

// DefaultThreads is how many event loops a share server runs unless told
// otherwise: half the CPUs, at least one. A share server shares its
// machine with its clients, which need CPU to send it anything.
func DefaultThreads() int { return max(1, runtime.NumCPU()/2) }

// Procs is the GOMAXPROCS for a process that mainly serves with this many
// event loops: one P for each loop, which keeps it while the loop waits
// in epoll_wait, and one for all other goroutines (see loop).
func Procs(threads int) int { return threads + 1 }
