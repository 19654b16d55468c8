package server

import (
	"bytes"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/remoted/remoted/internal/repr"
)

// monitorSet holds the connections in MONITOR mode. Each has its own
// queue, written by a goroutine that owns the connection (it has left its
// driver, see conn.leave), so feeding a monitor never blocks the command
// being shown.
type monitorSet struct {
	mu   sync.Mutex
	mons map[*client]*monitor
	n    atomic.Int32 // len(mons), read on every command without the lock
}

type monitor struct {
	mu     sync.Mutex
	buf    []byte
	wake   chan struct{}
	closed bool
}

// maxMonitorBacklog is how much a slow monitor may fall behind before it
// is disconnected, so it cannot make the server hold memory without bound.
const maxMonitorBacklog = 64 << 20

func (ms *monitorSet) active() bool { return ms.n.Load() > 0 }

// add turns c into a monitor: its connection leaves its driver (the event
// loop, or its goroutine) for two goroutines of its own, one writing the
// feed and one reading (and ignoring) what the client sends, until QUIT or
// disconnect.
func (ms *monitorSet) add(c *client) {
	// Fed from now on: whatever runs after the client sees +OK is shown.
	m := &monitor{wake: make(chan struct{}, 1)}
	ms.mu.Lock()
	if ms.mons == nil {
		ms.mons = make(map[*client]*monitor)
	}
	ms.mons[c] = m
	ms.n.Store(int32(len(ms.mons)))
	ms.mu.Unlock()
	c.w.OK()
	cn := c.tr
	nt, err := cn.t.detach(cn)
	if nt != nil {
		cn.setTransport(nt)
	}
	cn.left = true // the driver has let go, whatever happens below
	if err != nil {
		ms.remove(c)
		cn.handOff = func() { cn.closeSocket(); c.srv.release(c) }
		return
	}
	cn.handOff = func() { go m.write(cn); go ms.read(c, m, nt) }
}

// read serves what a monitor sends: QUIT ends it, anything else is
// ignored.
func (ms *monitorSet) read(c *client, m *monitor, nt *netTransport) {
	defer c.srv.release(c)
	defer ms.remove(c)
	cn := c.tr
	var buf []byte
	for {
		for args := cn.next(); args != nil; args = cn.next() {
			if asciiEqualFold(args[0], "quit") {
				m.push([]byte("+OK\r\n"))
				return
			}
		}
		cn.compact()
		if cn.perr != nil || c.killed.Load() || c.srv.closing.Load() || nt.readMore(cn, &buf) != nil {
			return
		}
	}
}

func (ms *monitorSet) remove(c *client) {
	ms.mu.Lock()
	m := ms.mons[c]
	delete(ms.mons, c)
	ms.n.Store(int32(len(ms.mons)))
	ms.mu.Unlock()
	if m != nil {
		m.close()
	}
}

// feed shows one command to every monitor, as Redis formats it.
// A command a script calls (fromScript) is shown as Redis shows it, from
// "lua".
func (ms *monitorSet) feed(from *client, args [][]byte, now time.Time, fromScript bool) {
	line := monitorLine(from, args, now, fromScript)
	ms.mu.Lock()
	defer ms.mu.Unlock()
	for c, m := range ms.mons {
		if c != from && !m.push(line) {
			c.disconnect()
		}
	}
}

func (m *monitor) push(line []byte) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed || len(m.buf) > maxMonitorBacklog {
		return false
	}
	m.buf = append(m.buf, line...)
	select {
	case m.wake <- struct{}{}:
	default:
	}
	return true
}

func (m *monitor) close() {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

func (m *monitor) write(cn *conn) {
	defer cn.closeSocket()
	if cn.flush() != nil { // MONITOR's +OK
		return
	}
	var out []byte
	for range m.wake {
		m.mu.Lock()
		out, m.buf = m.buf, out[:0]
		closed := m.closed
		m.mu.Unlock()
		if len(out) > 0 {
			cn.out.WriteRaw(out)
			if cn.flush() != nil {
				return
			}
		}
		if closed {
			return
		}
	}
}

// monitorLine renders a command as MONITOR shows it:
// +1339518083.107412 [0 127.0.0.1:60866] "keys" "*"
func monitorLine(c *client, args [][]byte, now time.Time, fromScript bool) []byte {
	b := []byte{'+'}
	b = strconv.AppendInt(b, now.Unix(), 10)
	b = append(b, '.')
	us := strconv.AppendInt(nil, int64(now.Nanosecond()/1000), 10)
	b = append(b, bytes.Repeat([]byte{'0'}, 6-len(us))...)
	b = append(b, us...)
	b = append(b, " [0 "...)
	if fromScript {
		b = append(b, "lua"...)
	} else if c.tr.unixPath != "" {
		b = append(b, "unix:"...)
		b = append(b, c.tr.unixPath...)
	} else {
		b = append(b, c.tr.addr...)
	}
	b = append(b, ']')
	// Passwords are not shown: every argument of AUTH, and the user and
	// password after HELLO's AUTH.
	from, to := len(args), len(args)
	switch {
	case asciiEqualFold(args[0], "auth"):
		from = 1
	case asciiEqualFold(args[0], "hello"):
		for i := 2; i < len(args); i++ {
			if asciiEqualFold(args[i], "auth") {
				from, to = i+1, min(i+3, len(args))
				break
			}
		}
	}
	for i, a := range args {
		b = append(b, ' ')
		if i >= from && i < to {
			b = append(b, `"(redacted)"`...)
			continue
		}
		b = repr.Append(b, a)
	}
	return append(b, '\r', '\n')
}
