//go:build !linux

package server

import "errors"

// Without epoll every connection gets a goroutine of its own (serveConn);
// see loop_linux.go.

type loop struct{}

type leaderToken struct{ deposed bool }

func newLoop(*Server) (*loop, error) {
	return nil, errors.New("server: no event loop on this platform")
}

func (lp *loop) close()             {}
func (lp *loop) add(cn *conn) error { return errors.New("server: no event loop on this platform") }
func (cn *conn) detachFD() bool     { return false }
func (cn *conn) block()             {}
func (cn *conn) leave() error       { return nil }
