//go:build unix

package server

import "golang.org/x/sys/unix"

// sockGone reports whether the client at the other end of socket fd has
// hung up or the socket failed: a peek finds the end of its input (bytes
// still to read hide it) or an error. It never blocks or consumes input.
func sockGone(fd int) bool {
	if fd < 0 {
		return false
	}
	var b [1]byte
	for {
		n, _, err := unix.Recvfrom(fd, b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
		switch err {
		case unix.EINTR:
			continue
		case nil:
			return n == 0
		case unix.EAGAIN:
			return false
		default:
			return true
		}
	}
}
