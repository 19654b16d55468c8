package server

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/remoted/remoted/resp"
)

// liveConfig holds the settings CONFIG SET changes while the server runs.
// Every reader loads them atomically, so a change is seen by the next
// command that reads it; CONFIG SET itself is serialised by mu.
//
// What a change reaches, as in Redis unless said: requirepass, the next
// AUTH and HELLO AUTH, and whether a connection not yet authenticated may
// run commands (connections already authenticated stay so); maxclients,
// the next connection accepted (connected clients stay); timeout, every
// client from the next check; proto-max-bulk-len, SETRANGE and APPEND
// at once. The framing limits (proto-max-bulk-len, client-query-buffer-
// limit) reach every connection at its next read, as in Redis, which reads
// them at each parse (see conn.feed).
type liveConfig struct {
	mu              sync.Mutex // serialises CONFIG SET
	requirePass     atomic.Pointer[string]
	maxClients      atomic.Int64
	timeout         atomic.Int64 // seconds; 0: never
	protoMaxBulkLen atomic.Int64
	queryBufLimit   atomic.Int64
	latencyTracking atomic.Bool
	percentiles     atomic.Pointer[[]float64]
	outputLimits    atomic.Pointer[outputLimits]
	tcpKeepAlive    atomic.Int64 // seconds; 0: off

	timerMu  sync.Mutex
	timer    *time.Timer // the next idle check, or nil; guarded by timerMu
	timerGen uint64      // counts timers armed; guarded by timerMu
}

// initConfig sets the live settings from the Config New was given.
func (s *Server) initConfig() {
	lc := &s.conf
	if s.cfg.RequirePass != "" {
		lc.requirePass.Store(&s.cfg.RequirePass)
	}
	lc.maxClients.Store(int64(s.cfg.MaxClients))
	lc.timeout.Store(int64(s.cfg.Timeout / time.Second))
	lc.protoMaxBulkLen.Store(s.cfg.ProtoMaxBulkLen)
	lc.queryBufLimit.Store(s.cfg.QueryBufferLimit)
	lc.latencyTracking.Store(true)
	lc.percentiles.Store(&[]float64{50, 99, 99.9})
	lc.outputLimits.Store(s.initialOutputLimits())
	lc.tcpKeepAlive.Store(int64(s.cfg.TCPKeepAlive / time.Second))
}

// requirePass is the password clients must AUTH with, "" for none.
func (s *Server) requirePass() string {
	if p := s.conf.requirePass.Load(); p != nil {
		return *p
	}
	return ""
}

// connLimits are the framing limits for a connection accepted now.
func (s *Server) connLimits() resp.Limits {
	return resp.Limits{MaxBulkLen: s.conf.protoMaxBulkLen.Load(), MaxQueryBuffer: s.conf.queryBufLimit.Load()}
}

// prepareClient fits a client just made to the live settings: its
// authentication under the current requirepass and its error counting.
func (s *Server) prepareClient(c *client) {
	c.authed = s.requirePass() == ""
	c.tr.needAuth = !c.authed
	c.out.SetErrorHook(s.noteError)
}

// configParam is one parameter CONFIG GET reports and CONFIG SET may
// change. parse checks a value and returns what applies it, or Redis's
// error text; a nil parse means the parameter is immutable.
type configParam struct {
	name  string
	get   func(s *Server) string
	parse func(s *Server, p *configParam, v []byte) (apply func(), errText string)
}

// configParams are the parameters, in the order CONFIG GET lists them.
// Redis's order is its dictionary's, which varies between runs. The
// collections' encoding limits follow (see encoding.go).
var configParams = append([]configParam{
	fixedParam("appendonly", "no"),
	fixedParam("bind", "127.0.0.1"),
	{name: "client-output-buffer-limit", get: getOutputLimits, parse: parseOutputLimitsParam},
	memoryParam("client-query-buffer-limit", 1<<20, math.MaxInt64, func(s *Server) *atomic.Int64 { return &s.conf.queryBufLimit }),
	{name: "databases", get: func(*Server) string { return "1" }},
	{name: "latency-tracking", get: getLatencyTracking, parse: parseLatencyTracking},
	{name: "latency-tracking-info-percentiles", get: getPercentiles, parse: parsePercentiles},
	intParam("maxclients", 1, math.MaxUint32, func(s *Server) *atomic.Int64 { return &s.conf.maxClients }),
	{name: "lfu-decay-time", get: getEvictInt(func(ev *evictState) *atomic.Int64 { return &ev.decayTime }), parse: parseEvictInt(0, math.MaxInt32, func(ev *evictState) *atomic.Int64 { return &ev.decayTime })},
	{name: "lfu-log-factor", get: getEvictInt(func(ev *evictState) *atomic.Int64 { return &ev.logFactor }), parse: parseEvictInt(0, math.MaxInt32, func(ev *evictState) *atomic.Int64 { return &ev.logFactor })},
	{name: "maxmemory", get: getMaxmemory, parse: parseMaxmemory},
	{name: "maxmemory-policy", get: getMaxmemoryPolicy, parse: parseMaxmemoryPolicy},
	{name: "maxmemory-samples", get: getEvictInt(func(ev *evictState) *atomic.Int64 { return &ev.samples }), parse: parseEvictInt(1, math.MaxInt32, func(ev *evictState) *atomic.Int64 { return &ev.samples })},
	{name: "port", get: func(s *Server) string { return strconv.Itoa(s.tcpPort()) }, parse: parseFixed},
	memoryParam("proto-max-bulk-len", 1<<20, math.MaxInt64, func(s *Server) *atomic.Int64 { return &s.conf.protoMaxBulkLen }),
	{name: "requirepass", get: (*Server).requirePass, parse: parseRequirePass},
	fixedParam("save", ""),
	intParam("tcp-keepalive", 0, math.MaxInt32, func(s *Server) *atomic.Int64 { return &s.conf.tcpKeepAlive }),
	{name: "timeout", get: getTimeout, parse: parseTimeout},
}, encodingParams()...)

// lookupParam finds a parameter by name, in any case.
func lookupParam(name []byte) *configParam {
	for i := range configParams {
		if strings.EqualFold(configParams[i].name, string(name)) {
			return &configParams[i]
		}
	}
	return nil
}

// fixedParam is a parameter Redis can change and remoted serves only at
// one value: setting that value is accepted (clients and test suites set
// save "" and appendonly no), any other is refused.
func fixedParam(name, value string) configParam {
	return configParam{name: name, get: func(*Server) string { return value }, parse: parseFixed}
}

func parseFixed(s *Server, p *configParam, v []byte) (func(), string) {
	if strings.EqualFold(string(v), p.get(s)) {
		return func() {}, ""
	}
	return nil, resp.MsgConfigFixed(p.name)
}

// intParam is an integer parameter between lo and hi.
func intParam(name string, lo, hi int64, field func(*Server) *atomic.Int64) configParam {
	return configParam{
		name: name,
		get:  func(s *Server) string { return strconv.FormatInt(field(s).Load(), 10) },
		parse: func(s *Server, p *configParam, v []byte) (func(), string) {
			n, ok := resp.ParseInt(v)
			if !ok {
				return nil, resp.MsgConfigNotInteger(name)
			}
			if n < lo || n > hi {
				return nil, resp.MsgConfigRange(name, strconv.FormatInt(lo, 10), strconv.FormatInt(hi, 10))
			}
			return func() { field(s).Store(n) }, ""
		},
	}
}

// memoryParam is a size parameter between lo and hi, given as Redis's
// memtoull reads one: digits and an optional unit.
func memoryParam(name string, lo, hi int64, field func(*Server) *atomic.Int64) configParam {
	return configParam{
		name: name,
		get:  func(s *Server) string { return strconv.FormatInt(field(s).Load(), 10) },
		parse: func(s *Server, p *configParam, v []byte) (func(), string) {
			n, ok := parseMemory(string(v))
			if !ok {
				return nil, resp.MsgConfigNotMemory(name)
			}
			if n < lo || n > hi {
				return nil, resp.MsgConfigRange(name, strconv.FormatInt(lo, 10), strconv.FormatInt(hi, 10))
			}
			return func() { field(s).Store(n) }, ""
		},
	}
}

// memoryUnits are memtoull's units, case-insensitive.
var memoryUnits = map[string]int64{
	"": 1, "b": 1, "k": 1000, "kb": 1024, "m": 1000 * 1000, "mb": 1 << 20, "g": 1000 * 1000 * 1000, "gb": 1 << 30,
}

// parseMemory is Redis's memtoull: decimal digits (none means 0) and a
// unit. A product past int64 is refused, where Redis's wraps.
func parseMemory(v string) (int64, bool) {
	i := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	mul, ok := memoryUnits[strings.ToLower(v[i:])]
	if !ok {
		return 0, false
	}
	n := uint64(0)
	if i > 0 {
		var err error
		if n, err = strconv.ParseUint(v[:i], 10, 64); err != nil {
			return 0, false
		}
	}
	if n > math.MaxInt64/uint64(mul) {
		return 0, false
	}
	return int64(n) * mul, true
}

func parseRequirePass(s *Server, p *configParam, v []byte) (func(), string) {
	pass := string(v)
	return func() {
		if pass == "" {
			s.conf.requirePass.Store(nil)
			return
		}
		s.conf.requirePass.Store(&pass)
	}, ""
}

func getTimeout(s *Server) string { return strconv.FormatInt(s.conf.timeout.Load(), 10) }

func parseTimeout(s *Server, p *configParam, v []byte) (func(), string) {
	set := intParam(p.name, 0, math.MaxInt32, func(s *Server) *atomic.Int64 { return &s.conf.timeout })
	apply, errText := set.parse(s, &set, v)
	if apply == nil {
		return nil, errText
	}
	return func() {
		apply()
		s.armIdleCheck(time.Duration(s.conf.timeout.Load()) * time.Second)
	}, ""
}

func getLatencyTracking(s *Server) string {
	if s.conf.latencyTracking.Load() {
		return "yes"
	}
	return "no"
}

func parseLatencyTracking(s *Server, p *configParam, v []byte) (func(), string) {
	switch strings.ToLower(string(v)) {
	case "yes":
		return func() { s.conf.latencyTracking.Store(true) }, ""
	case "no":
		return func() { s.conf.latencyTracking.Store(false) }, ""
	}
	return nil, resp.MsgConfigYesNo(p.name)
}

// getPercentiles renders the percentiles as Redis does: each with %f,
// trailing zeros and point dropped, space-separated.
func getPercentiles(s *Server) string {
	var b strings.Builder
	for i, p := range *s.conf.percentiles.Load() {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(trimFloat(p))
	}
	return b.String()
}

// trimFloat formats f with %f and drops trailing zeros and a trailing
// point, as Redis's trimDoubleString.
func trimFloat(f float64) string {
	t := strconv.FormatFloat(f, 'f', 6, 64)
	t = strings.TrimRight(t, "0")
	return strings.TrimSuffix(t, ".")
}

func parsePercentiles(s *Server, p *configParam, v []byte) (func(), string) {
	var ps []float64
	for _, word := range strings.Fields(string(v)) {
		f, err := strconv.ParseFloat(word, 64)
		if err != nil {
			return nil, resp.MsgConfigPercentiles(p.name)
		}
		if f < 0 || f > 100 {
			return nil, resp.MsgConfigPercentileRange(p.name)
		}
		ps = append(ps, f)
	}
	return func() { s.conf.percentiles.Store(&ps) }, ""
}

// cmdConfigGet is CONFIG GET pattern [pattern ...]: every parameter a
// pattern matches (globs, case-insensitive), each once. A parameter asked
// for by its plain name is answered under the name as given, as Redis
// does.
func (s *Server) cmdConfigGet(c *client, args [][]byte) {
	var found [][2]string
	for _, p := range configParams {
		for _, pat := range args[2:] {
			exact := bytes.IndexAny(pat, "[*?") < 0 && strings.EqualFold(string(pat), p.name)
			if exact || globMatch(bytes.ToLower(pat), []byte(p.name)) {
				name := p.name
				if exact {
					name = string(pat)
				}
				found = append(found, [2]string{name, p.get(s)})
				break
			}
		}
	}
	c.w.Map(len(found))
	for _, kv := range found {
		c.w.BulkString(kv[0])
		c.w.BulkString(kv[1])
	}
}

// cmdConfigSet is CONFIG SET parameter value [parameter value ...]: all
// of them or none. As in Redis, the first parameter that cannot be set at
// all (unknown, immutable, given twice) is named as the client spelled
// it; then each value is checked, and a refused one is named by its
// parameter's own name.
func (s *Server) cmdConfigSet(c *client, args [][]byte) {
	if len(args)%2 != 0 {
		c.w.Error(resp.MsgSyntax)
		return
	}
	pairs := args[2:]
	params, errText := settableParams(pairs)
	if errText != "" {
		c.w.Error(errText)
		return
	}
	s.conf.mu.Lock()
	defer s.conf.mu.Unlock()
	applies := make([]func(), len(params))
	for i, p := range params {
		apply, errText := p.parse(s, p, pairs[2*i+1])
		if apply == nil {
			c.w.Error(errText)
			return
		}
		applies[i] = apply
	}
	for _, apply := range applies {
		apply()
	}
	c.w.OK()
}

// settableParams looks up the parameters of CONFIG SET's name/value
// pairs, or returns the error for the first that cannot be set.
func settableParams(pairs [][]byte) ([]*configParam, string) {
	params := make([]*configParam, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		p := lookupParam(pairs[i])
		switch {
		case p == nil:
			return nil, resp.MsgConfigSetUnknown(pairs[i])
		case p.parse == nil:
			return nil, resp.MsgConfigImmutable(pairs[i])
		case slices.Contains(params, p):
			return nil, resp.MsgConfigDuplicate(pairs[i])
		}
		params = append(params, p)
	}
	return params, ""
}

// cmdConfigResetStat is CONFIG RESETSTAT.
func (s *Server) cmdConfigResetStat(c *client, args [][]byte) {
	s.resetStats(c)
	c.w.OK()
}

// armIdleCheck (re)starts the idle check to run after d, or stops it if
// timeout is 0 or the server is closing.
func (s *Server) armIdleCheck(d time.Duration) {
	lc := &s.conf
	lc.timerMu.Lock()
	defer lc.timerMu.Unlock()
	s.armIdleCheckLocked(d)
}

// armIdleCheckLocked is armIdleCheck with timerMu held. Each timer has a
// generation, so a check that finds it was replaced while it ran leaves
// the new one alone.
func (s *Server) armIdleCheckLocked(d time.Duration) {
	lc := &s.conf
	if lc.timer != nil {
		lc.timer.Stop()
		lc.timer = nil
	}
	lc.timerGen++
	if lc.timeout.Load() <= 0 || s.closing.Load() {
		return
	}
	gen := lc.timerGen
	lc.timer = time.AfterFunc(d, func() { s.idleCheck(gen) })
}

// watchIdle starts the idle check for a client just connected, if timeout
// is set and no check is due (the last one found no client).
func (s *Server) watchIdle() {
	if s.conf.timeout.Load() <= 0 {
		return
	}
	lc := &s.conf
	lc.timerMu.Lock()
	defer lc.timerMu.Unlock()
	if lc.timer == nil {
		s.armIdleCheckLocked(time.Duration(lc.timeout.Load()) * time.Second)
	}
}

// idleCheck closes the clients idle for longer than timeout, as Redis's
// clientsCronHandleTimeout does, through the path CLIENT KILL takes; a
// client blocked in a wait (LOCK, the share-wide lock) or in MONITOR is
// spared. It runs again when the next client could reach the timeout
// (after timeout, if some were spared). With no client left it stops and
// the next connection starts it (watchIdle), so an idle server sleeps.
func (s *Server) idleCheck(gen uint64) {
	lc := &s.conf
	lc.timerMu.Lock()
	if lc.timerGen == gen {
		lc.timer = nil // from here a new client arms a check of its own
	}
	lc.timerMu.Unlock()
	limit := lc.timeout.Load() * 1000 // ms
	if limit <= 0 || s.closing.Load() {
		return
	}
	next := s.closeIdle(s.now().UnixMilli(), limit)
	lc.timerMu.Lock()
	defer lc.timerMu.Unlock()
	if lc.timerGen == gen && next >= 0 {
		s.armIdleCheckLocked(time.Duration(next) * time.Millisecond)
	}
}

// closeIdle disconnects the clients idle for more than limit ms at now
// (unix ms) and returns how long until the next may be, or -1 if no
// client is left.
func (s *Server) closeIdle(now, limit int64) int64 {
	var idle []*client
	next := int64(-1)
	soonest := func(at int64) {
		if next < 0 || at-now < next {
			next = at - now
		}
	}
	s.mu.Lock()
	for _, c := range s.clients {
		last := c.lastActive.Load()
		switch {
		case c.lockWait.Load() || c.gateWait.Load() || c.keyWait.Load() != nil:
			soonest(now + limit)
		case now-last > limit:
			idle = append(idle, c)
		default:
			soonest(last + limit + 1)
		}
	}
	s.mu.Unlock()
	for _, c := range idle {
		if s.isMonitor(c) {
			soonest(now + limit)
			continue
		}
		s.log.Debug("closing idle client", "client", c.id, "addr", c.tr.addr)
		c.disconnect()
	}
	return next
}

// isMonitor reports whether c is in MONITOR mode.
func (s *Server) isMonitor(c *client) bool {
	ms := &s.monitors
	ms.mu.Lock()
	defer ms.mu.Unlock()
	_, ok := ms.mons[c]
	return ok
}
