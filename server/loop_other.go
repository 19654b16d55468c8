//go:build !linux

package server

// eventLoops is empty where there is no event loop: every connection
// gets a goroutine of its own (see netTransport).
type eventLoops struct{}

func (ev *eventLoops) start(*Server)   {}
func (ev *eventLoops) take(*conn) bool { return false }
func (ev *eventLoops) stop()           {}
func (ev *eventLoops) api() string     { return netpollAPI() }
func (ev *eventLoops) running() int    { return 0 }
