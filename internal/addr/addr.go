// Package addr says where a share lives: the default share's private
// directory and socket paths, the unix listener that keeps them private,
// the check that refuses a TCP listener without a password (protected
// mode), and the share addresses the stub and the command line accept.
// server, spawn, stub and cmd/remoted share it, so they agree on every
// path.
package addr

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
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
		return nil, fmt.Errorf("addr: a server is already listening on %s", path)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("addr: listen: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("addr: socket mode: %w", err)
	}
	return ln, nil
}

// ShareDir creates dir (0700) if it is missing and, if it is the share
// directory DefaultSocket uses, makes it 0700 and refuses it when another
// user owns it. Auto-starters call it before creating their lock file
// there; ListenUnix calls it before listening.
func ShareDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("addr: socket directory: %w", err)
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
		return fmt.Errorf("addr: socket directory: %w", err)
	}
	if ownedByOther(fi) {
		return fmt.Errorf("addr: socket directory %s belongs to another user", dir)
	}
	if fi.Mode().Perm() != 0o700 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("addr: socket directory mode: %w", err)
		}
	}
	return nil
}

// ErrNeedPassword is returned by CheckTCP for a non-loopback address
// without a password.
var ErrNeedPassword = errors.New("addr: refusing to listen on a non-loopback address without a password (set --requirepass)")

// ErrProtectedMode is returned by CheckTCP for a loopback address without
// a password when the caller has not opted out of protected mode.
var ErrProtectedMode = errors.New("addr: refusing to listen on TCP without a password: every local user can reach a TCP port, " +
	"and without a password any of them could read the share or freeze it with LOCK " +
	"(set --requirepass, or --protected-mode no to accept that on a loopback address)")

// CheckTCP is remoted's protected mode for a TCP (or TLS) listener on
// host. A unix socket is private to its user (mode 0600 in a 0700
// directory), a TCP port is not: on loopback every local user reaches
// it, elsewhere the network does. So without a password CheckTCP refuses
// any TCP listener (ErrProtectedMode) unless allowNoPassword, and even
// then refuses a non-loopback host (ErrNeedPassword). Redis's
// protected-mode refuses only non-loopback clients of a server without a
// password; a share must also be closed to the other users of its
// machine.
func CheckTCP(host, password string, allowNoPassword bool) error {
	if password != "" {
		return nil
	}
	if host != "localhost" {
		a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
		if err != nil {
			return fmt.Errorf("addr: bind address %q: %w", host, err)
		}
		if !a.IsLoopback() {
			return ErrNeedPassword
		}
	}
	if !allowNoPassword {
		return ErrProtectedMode
	}
	return nil
}

// RemoveStaleSocket removes path if it is a unix socket nobody answers on.
// It reports whether something still listens there.
func RemoveStaleSocket(path string) (inUse bool, err error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if fi.Mode()&os.ModeSocket == 0 {
		return false, errors.New("addr: " + path + " exists and is not a socket")
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return true, nil
	}
	return false, os.Remove(path)
}
