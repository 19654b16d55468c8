package server

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/remoted/remoted/resp"
)

// Output buffer limits, as Redis's client-output-buffer-limit: per class
// of client (normal, replica, pubsub), a hard limit on the replies a
// client may leave unread, and a soft limit it may stay above for at most
// so many seconds; past either it is disconnected, counted in INFO's
// client_output_buffer_limit_disconnections and logged. A limit of 0 is
// none.
//
// A normal client is already held near one reply by backpressure (see
// conn.backlogged): what it can leave unread beyond its socket is one
// reply and the 64 KiB before it. remoted's default for normal clients is
// still a bound, 1 GiB hard, where Redis's is none: one reply past it (a
// KEYS or an EXEC of the whole share, never read) cannot take the
// server's memory; a value of the largest size (proto-max-bulk-len,
// 512 MiB) still passes. The replica and pubsub defaults are Redis's.

// outputLimit is one class's limits.
type outputLimit struct {
	hard, soft int64
	softFor    time.Duration
}

// outputLimits are every class's limits, in CONFIG GET's order.
type outputLimits struct {
	normal, replica, pubsub outputLimit
}

// DefaultOutputLimits is Config.ClientOutputBufferLimit's default.
const DefaultOutputLimits = "normal 1073741824 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"

// errOutputLimit fails the write that took a client past its limit.
var errOutputLimit = errors.New("server: client output buffer limit reached")

// outputLimitParam is the parameter's name, as CONFIG SET's errors give
// it.
const outputLimitParam = "client-output-buffer-limit"

// parseOutputLimits parses a client-output-buffer-limit value into the
// limits it changes, starting from cur: groups of class, hard, soft and
// seconds. It returns Redis's error text for a value it refuses.
func parseOutputLimits(cur outputLimits, v string) (outputLimits, string) {
	f := strings.Fields(v)
	if len(f)%4 != 0 {
		return cur, resp.MsgOutputLimitArgs(outputLimitParam)
	}
	for i := 0; i < len(f); i += 4 {
		var l *outputLimit
		switch strings.ToLower(f[i]) {
		case "normal":
			l = &cur.normal
		case "slave", "replica":
			l = &cur.replica
		case "pubsub":
			l = &cur.pubsub
		default:
			return cur, resp.MsgOutputLimitClass(outputLimitParam)
		}
		hard, ok1 := parseMemory(f[i+1])
		soft, ok2 := parseMemory(f[i+2])
		secs, err := strconv.ParseInt(f[i+3], 10, 64)
		if !ok1 || !ok2 || err != nil || secs < 0 || secs > 1<<31 {
			return cur, resp.MsgOutputLimitValue(outputLimitParam)
		}
		*l = outputLimit{hard: hard, soft: soft, softFor: time.Duration(secs) * time.Second}
	}
	return cur, ""
}

// String renders the limits as CONFIG GET shows them.
func (ls *outputLimits) String() string {
	var b strings.Builder
	for i, c := range []struct {
		name string
		l    outputLimit
	}{{"normal", ls.normal}, {"slave", ls.replica}, {"pubsub", ls.pubsub}} {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(c.name + " " + strconv.FormatInt(c.l.hard, 10) + " " + strconv.FormatInt(c.l.soft, 10) + " " + strconv.FormatInt(int64(c.l.softFor/time.Second), 10))
	}
	return b.String()
}

// outputOver reports whether a client with n bytes of replies unread is
// past its class's hard limit. It also tracks the soft limit: when the
// client goes over it, a timer disconnects the client if it is still over
// once the soft limit's seconds have passed (Redis checks only as replies
// are added; a client held back by backpressure adds none, so here a
// timer does it). Only the connection's owner calls it.
func (cn *conn) outputOver(n int64) bool {
	l := &cn.client.srv.conf.outputLimits.Load().normal
	if l.hard > 0 && n > l.hard {
		return true
	}
	if l.soft == 0 || n <= l.soft {
		if cn.overSoft.Load() != 0 {
			cn.overSoft.Store(0)
		}
		return false
	}
	if cn.overSoft.Load() == 0 {
		since := time.Now().UnixNano()
		cn.overSoft.Store(since)
		time.AfterFunc(l.softFor+time.Millisecond, func() {
			if cn.overSoft.Load() == since {
				cn.outputLimitReached(n)
				cn.client.disconnect()
			}
		})
	}
	return false
}

// outputLimitReached counts and logs a client closed for its output
// buffer limit, as Redis does, and returns the write's error.
func (cn *conn) outputLimitReached(n int64) error {
	c := cn.client
	c.srv.stats.outputLimitDrops.Add(1)
	c.srv.log.Warn("client scheduled to be closed ASAP for overcoming of output buffer limits", "id", c.id, "addr", c.tr.addr, "omem", n)
	return errOutputLimit
}

// Check reports a Config that New would not serve as given: today, a
// ClientOutputBufferLimit that does not parse.
func (cfg *Config) Check() error {
	if _, errText := parseOutputLimits(outputLimits{}, cfg.ClientOutputBufferLimit); errText != "" {
		_, why, _ := strings.Cut(errText, ") - ")
		return errors.New("server: " + outputLimitParam + " " + strconv.Quote(cfg.ClientOutputBufferLimit) + ": " + why)
	}
	return nil
}

// initialOutputLimits are Config.ClientOutputBufferLimit's limits over
// the defaults; an invalid value is logged and the defaults kept (Run
// refuses it before the server starts; see Config.Check).
func (s *Server) initialOutputLimits() *outputLimits {
	ls, _ := parseOutputLimits(outputLimits{}, DefaultOutputLimits)
	if s.cfg.ClientOutputBufferLimit == "" {
		return &ls
	}
	mine, why := parseOutputLimits(ls, s.cfg.ClientOutputBufferLimit)
	if why != "" {
		s.log.Error(why, "value", s.cfg.ClientOutputBufferLimit)
		return &ls
	}
	return &mine
}

func getOutputLimits(s *Server) string { return s.conf.outputLimits.Load().String() }

func parseOutputLimitsParam(s *Server, p *configParam, v []byte) (func(), string) {
	ls, errText := parseOutputLimits(*s.conf.outputLimits.Load(), string(v))
	if errText != "" {
		return nil, errText
	}
	return func() { s.conf.outputLimits.Store(&ls) }, ""
}
