package server

import (
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
)

// stats are the counters INFO reports: the totals of INFO stats, the
// per-command counters of INFO commandstats and latencystats, and the
// error counts of INFO errorstats.
type stats struct {
	connections atomic.Int64  // total_connections_received
	commands    atomic.Int64  // commands of clients gone; see commandsProcessed
	rejected    atomic.Int64  // rejected_connections
	errors      atomic.Int64  // total_error_replies
	peakMemory  atomic.Uint64 // used_memory_peak, as INFO has seen it

	outputLimitDrops atomic.Int64 // client_output_buffer_limit_disconnections

	// stripes hold the per-command counters. A client counts in stripe
	// id&mask, so clients served at once on different threads seldom
	// share a cache line; INFO sums the stripes. One shared counter per
	// command would make every GET of every thread bounce one line.
	stripes []statStripe
	mask    int64
	ncmds   int // commands and subcommands, the length of each stripe

	errMu  sync.Mutex
	errTab map[string]int64 // errorstat_<code>; nil until an error
	errOff bool             // errorstats stopped at maxErrorCodes
}

// statStripe is one stripe of per-command counters, indexed by
// command.idx.
type statStripe struct {
	cmds []cmdCounters
	_    [64]byte // keeps the next stripe's header off this one's line
}

// cmdCounters are one command's counters in one stripe: Redis's calls,
// microseconds (kept in ns), rejected_calls and failed_calls, and its
// latency histogram.
type cmdCounters struct {
	calls, nsec, failed, rejected atomic.Int64
	hist                          latencyHist
}

// initStats numbers the commands and makes the stripes: one per
// GOMAXPROCS, rounded up to a power of two, at most 16. Called by New
// once the commands are registered.
func (s *Server) initStats() {
	n := 0
	s.eachCommand(func(cmd *command) {
		cmd.idx = n
		n++
	})
	nstripes := 1
	for nstripes < min(runtime.GOMAXPROCS(0), 16) {
		nstripes *= 2
	}
	st := &s.stats
	st.ncmds = n
	st.mask = int64(nstripes - 1)
	st.stripes = make([]statStripe, nstripes)
	for i := range st.stripes {
		st.stripes[i].cmds = make([]cmdCounters, n)
	}
}

// eachCommand calls fn for every command in the order INFO lists them:
// COMMAND's order, a container's subcommands after it.
func (s *Server) eachCommand(fn func(cmd *command)) {
	for _, meta := range s.table.All() {
		cmd := s.cmds[meta.Name]
		fn(cmd)
		for _, sm := range meta.Subcommands {
			fn(cmd.subs[sm.Name[len(meta.Name)+1:]])
		}
	}
}

// counters returns the client's counters for cmd.
func (st *stats) counters(c *client, cmd *command) *cmdCounters {
	return &st.stripes[c.id&st.mask].cmds[cmd.idx]
}

// cmdTotals are one command's counters summed over the stripes.
type cmdTotals struct {
	calls, nsec, failed, rejected int64
	hist                          *histCounts // nil without a recorded call
}

// totals sums the stripes' counters of the command numbered idx.
func (st *stats) totals(idx int, withHist bool) cmdTotals {
	var t cmdTotals
	for i := range st.stripes {
		cc := &st.stripes[i].cmds[idx]
		t.calls += cc.calls.Load()
		t.nsec += cc.nsec.Load()
		t.failed += cc.failed.Load()
		t.rejected += cc.rejected.Load()
		if withHist {
			t.hist = cc.hist.addTo(t.hist)
		}
	}
	return t
}

// maxErrorCodes bounds errorstats: past this many distinct codes, the
// table is replaced by ERRORSTATS_DISABLED until CONFIG RESETSTAT, as
// Redis 7.4 does. Redis 7.0 has no bound; remoted's codes are its own
// today, but scripts' error_reply will let clients make up codes.
const maxErrorCodes = 128

// noteError counts an error reply as Redis's afterErrorReply does:
// total_error_replies, and errorstat_<code> for its first word (the code
// within its first 31 bytes, else ERR). It is every writer's error hook.
func (s *Server) noteError(msg string) {
	s.stats.errors.Add(1)
	code := "ERR"
	if i := strings.IndexByte(msg[:min(len(msg), 31)], ' '); i > 0 {
		code = msg[:i]
	}
	st := &s.stats
	st.errMu.Lock()
	defer st.errMu.Unlock()
	switch _, known := st.errTab[code]; {
	case st.errOff:
	case known:
		st.errTab[code]++
	case len(st.errTab) >= maxErrorCodes:
		s.log.Warn("errorstats stopped adding new errors: too many error codes; CONFIG RESETSTAT restarts them")
		st.errTab = map[string]int64{"ERRORSTATS_DISABLED": 1}
		st.errOff = true
	case st.errTab == nil:
		st.errTab = map[string]int64{strings.Clone(code): 1}
	default:
		st.errTab[strings.Clone(code)] = 1
	}
}

// errorCounts copies errorstats.
func (st *stats) errorCounts() map[string]int64 {
	st.errMu.Lock()
	defer st.errMu.Unlock()
	out := make(map[string]int64, len(st.errTab))
	for k, v := range st.errTab {
		out[k] = v
	}
	return out
}

// resetStats is CONFIG RESETSTAT: it zeroes what Redis's resetServerStats,
// resetCommandTableStats and resetErrorTableStats zero and remoted
// counts (commands, connections, rejected connections, expired keys,
// error replies, every command's counters and histogram, errorstats).
func (s *Server) resetStats(c *client) {
	st := &s.stats
	st.connections.Store(0)
	st.rejected.Store(0)
	st.errors.Store(0)
	for i := range st.stripes {
		for j := range st.stripes[i].cmds {
			cc := &st.stripes[i].cmds[j]
			cc.calls.Store(0)
			cc.nsec.Store(0)
			cc.failed.Store(0)
			cc.rejected.Store(0)
			cc.hist.reset()
		}
	}
	st.errMu.Lock()
	st.errTab, st.errOff = nil, false
	st.errMu.Unlock()
	// total_commands_processed is the clients' own counts plus those of
	// clients gone: start the latter at minus the former.
	s.mu.Lock()
	var live int64
	for _, c := range s.clients {
		live += c.ncmds.Load()
	}
	st.commands.Store(-live)
	s.mu.Unlock()
	c.withDB(func(db *keyspace) { db.expiredKeys = 0 }) // held already inside EXEC
}
