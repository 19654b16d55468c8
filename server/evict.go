package server

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/remoted/remoted/resp"
)

// maxmemory, after Redis 7.0's evict.c. The keyspace accounts the bytes it
// holds on every write (usedMem: each entry's allocation, the entry chunks,
// the index and the expiry list), which is what the limit is compared
// with; INFO's used_memory stays the Go heap. Before each command, if the
// accounted bytes exceed maxmemory, keys are evicted by the policy until
// they do not; if that is impossible (noeviction, or no key the policy may
// take), a command flagged denyoom, or any command queued in MULTI, is
// refused with Redis's OOM error.
//
// LRU and LFU are approximated as Redis does: each entry keeps a 24-bit
// clock (seconds) or, under an LFU policy, 16 bits of minutes and an 8-bit
// logarithmic counter that decays; eviction samples maxmemory-samples keys
// into a pool of the 16 best candidates and evicts the best still present.

// evictPolicy is a maxmemory-policy.
type evictPolicy int32

const (
	noEviction evictPolicy = iota
	allkeysLRU
	allkeysLFU
	allkeysRandom
	volatileLRU
	volatileLFU
	volatileRandom
	volatileTTL
)

// policyNames are the policies' names, in the order Redis lists them in
// its error for a bad one.
var policyNames = []struct {
	name string
	p    evictPolicy
}{
	{"volatile-lru", volatileLRU}, {"volatile-lfu", volatileLFU},
	{"volatile-random", volatileRandom}, {"volatile-ttl", volatileTTL},
	{"allkeys-lru", allkeysLRU}, {"allkeys-lfu", allkeysLFU},
	{"allkeys-random", allkeysRandom}, {"noeviction", noEviction},
}

func (p evictPolicy) String() string {
	for _, pn := range policyNames {
		if pn.p == p {
			return pn.name
		}
	}
	return "noeviction"
}

func (p evictPolicy) lfu() bool      { return p == allkeysLFU || p == volatileLFU }
func (p evictPolicy) volatile() bool { return p >= volatileLRU }

// evictState is the keyspace's maxmemory settings and eviction pool. The
// settings are atomic: CONFIG SET changes them without the keyspace lock.
type evictState struct {
	maxmemory atomic.Uint64 // 0: no limit
	policy    atomic.Int32
	samples   atomic.Int64
	logFactor atomic.Int64 // lfu-log-factor
	decayTime atomic.Int64 // lfu-decay-time, minutes
	pool      [evictPoolSize]evictCandidate
}

// evictPoolSize is Redis's EVPOOL_SIZE.
const evictPoolSize = 16

// evictCandidate is a key in the eviction pool: the higher its score,
// the better a victim.
type evictCandidate struct {
	key   string
	idx   uint32
	score uint64
	set   bool
}

func (ev *evictState) init() {
	ev.samples.Store(5)
	ev.logFactor.Store(10)
	ev.decayTime.Store(1)
}

// Redis's LRU and LFU clocks.
const (
	lruClockMax = 1<<24 - 1
	lfuInitVal  = 5
)

func lruClock(nowMs int64) uint32   { return uint32(nowMs/1000) & lruClockMax }
func lfuMinutes(nowMs int64) uint32 { return uint32(nowMs/60000) & 0xFFFF }

// newEntry sets a new entry's clock or counter.
func (db *keyspace) newEntry(e *entry) {
	if evictPolicy(db.evict.policy.Load()).lfu() {
		e.setClock(lfuMinutes(db.now)<<8 | lfuInitVal)
		return
	}
	e.setClock(lruClock(db.now))
}

// accessed records an access to e for the LRU or LFU policy.
func (db *keyspace) accessed(e *entry) {
	if !evictPolicy(db.evict.policy.Load()).lfu() {
		e.setClock(lruClock(db.now))
		return
	}
	counter := db.lfuDecayed(e)
	if counter < 255 {
		base := max(float64(counter)-lfuInitVal, 0)
		if rand.Float64() < 1/(base*float64(db.evict.logFactor.Load())+1) {
			counter++
		}
	}
	e.setClock(lfuMinutes(db.now)<<8 | counter)
}

// lfuDecayed is e's LFU counter less one for each lfu-decay-time minutes
// since it was last decremented, as Redis's LFUDecrAndReturn.
func (db *keyspace) lfuDecayed(e *entry) uint32 {
	then, counter := e.clock()>>8, e.clock()&0xFF
	now := lfuMinutes(db.now)
	elapsed := now - then
	if now < then {
		elapsed = 0xFFFF - then + now
	}
	if d := uint32(db.evict.decayTime.Load()); d > 0 {
		return counter - min(elapsed/d, counter)
	}
	return counter
}

// idleMs is e's idle time by the LRU clock, as Redis's
// estimateObjectIdleTime.
func (db *keyspace) idleMs(e *entry) uint64 {
	now, then := lruClock(db.now), e.clock()
	if now >= then {
		return uint64(now-then) * 1000
	}
	return uint64(now+(lruClockMax-then)) * 1000
}

// updateUsed publishes the accounted bytes: the keys' and values'
// allocations, their entries, the index and the expiry list. Entries not
// in use (and the list of them) are not counted: like the free memory of
// Redis's allocator, which its used_memory leaves out, they are reused by
// the next keys added, and given back when the keyspace empties.
func (db *keyspace) updateUsed() {
	entries := int64(db.live) * int64(unsafe.Sizeof(entry{}))
	used := db.valMem + entries + db.index.bytes() + int64(cap(db.ttlIdx))*4
	db.usedMem.Store(used)
	db.noteSize(used)
}

// overLimit reports whether the accounted bytes exceed maxmemory.
func (db *keyspace) overLimit() bool {
	limit := db.evict.maxmemory.Load()
	return limit != 0 && uint64(db.usedMem.Load()) > limit
}

// evictBudget bounds the time one command spends evicting, as Redis's
// maxmemory-eviction-tenacity does (its default allows about 500 µs): the
// next commands go on where it stopped, so a maxmemory lowered far below
// the data does not stall every client at once.
const evictBudget = time.Millisecond

// evictToLimit evicts keys by the policy until the accounted bytes are
// within maxmemory or the budget is spent, and reports whether they are
// within it or eviction is under way (Redis's EVICT_RUNNING): false only
// if the policy can evict nothing more.
func (db *keyspace) evictToLimit() bool {
	var start time.Time
	for n := 0; db.overLimit(); n++ {
		if !db.evictOne() {
			return false
		}
		if n%16 == 0 {
			if n == 0 {
				start = time.Now()
			} else if time.Since(start) > evictBudget {
				return true
			}
		}
	}
	return true
}

// evictOne removes one key chosen by the policy, and reports whether
// there was one to remove.
func (db *keyspace) evictOne() bool {
	var victim *entry
	switch p := evictPolicy(db.evict.policy.Load()); p {
	case noEviction:
		return false
	case allkeysRandom:
		victim = db.randomEntry()
	case volatileRandom:
		if len(db.ttlIdx) > 0 {
			victim = db.at(db.ttlIdx[rand.IntN(len(db.ttlIdx))])
		}
	default:
		victim = db.poolVictim(p)
	}
	if victim == nil {
		return false
	}
	db.removeEntry(victim) // touches the key: its watchers' EXEC fails
	db.evictedKeys++
	return true
}

// poolVictim samples keys into the pool and takes its best candidate
// still present, as Redis's evictionPoolPopulate and performEvictions.
func (db *keyspace) poolVictim(p evictPolicy) *entry {
	pool := &db.evict.pool
	for {
		if db.live == 0 || (p.volatile() && len(db.ttlIdx) == 0) {
			return nil
		}
		n := int(min(db.evict.samples.Load(), int64(db.live)))
		for range n {
			var idx uint32
			if p.volatile() {
				idx = db.ttlIdx[rand.IntN(len(db.ttlIdx))]
			} else {
				idx, _ = db.randomIdx()
			}
			e := db.at(idx)
			db.poolInsert(e, idx, db.score(p, e))
		}
		for k := evictPoolSize - 1; k >= 0; k-- {
			c := pool[k]
			if !c.set {
				continue
			}
			pool[k] = evictCandidate{}
			if e := db.candidate(c, p); e != nil {
				return e
			}
		}
	}
}

// candidate returns the entry of a pool candidate if it still holds the
// candidate's key and the policy may evict it. The pool outlives the keys
// it names (and a change of policy), as Redis's does, so an index may lie
// beyond the entries after a flush, or name a key without an expiry that
// an allkeys policy sampled.
func (db *keyspace) candidate(c evictCandidate, p evictPolicy) *entry {
	if c.idx >= db.nslots {
		return nil
	}
	e := db.at(c.idx)
	if e.val == nil || keyOf(e) != c.key || (p.volatile() && e.ttl == 0) {
		return nil
	}
	return e
}

// clearPool empties the eviction pool, letting go of its keys.
func (ev *evictState) clearPool() { ev.pool = [evictPoolSize]evictCandidate{} }

// score is how good a victim e is under the policy.
func (db *keyspace) score(p evictPolicy, e *entry) uint64 {
	switch p {
	case allkeysLFU, volatileLFU:
		return 255 - uint64(db.lfuDecayed(e))
	case volatileTTL:
		return math.MaxUint64 - uint64(e.exp)
	}
	return db.idleMs(e)
}

// poolInsert puts e in the pool, kept in ascending score, unless the pool
// is full of better candidates.
func (db *keyspace) poolInsert(e *entry, idx uint32, score uint64) {
	pool := &db.evict.pool
	k := 0
	for k < evictPoolSize && pool[k].set && pool[k].score < score {
		k++
	}
	switch {
	case k == 0 && pool[evictPoolSize-1].set:
		return // worse than every candidate in a full pool
	case k < evictPoolSize && !pool[k].set:
	case !pool[evictPoolSize-1].set:
		copy(pool[k+1:], pool[k:evictPoolSize-1])
	default:
		k--
		copy(pool[:k], pool[1:k+1])
	}
	pool[k] = evictCandidate{key: keyOf(e), idx: idx, score: score, set: true}
}

// oomCheck evicts keys if the keyspace is over maxmemory and returns
// Redis's OOM error for a command that must then be refused; errText, a
// refusal already decided, is returned as it is. It is dispatch's hook.
func (s *Server) oomCheck(c *client, cmd *command, errText string) string {
	if errText != "" || cmd == nil || !s.db.overLimit() {
		return errText
	}
	ok := true
	c.withDB(func(db *keyspace) {
		if c.held == 0 {
			db.now = s.now().UnixMilli()
		}
		ok = db.evictToLimit()
	})
	if ok || !refusedOnOOM(c, cmd) {
		return ""
	}
	return resp.MsgOOM
}

// refusedOnOOM reports whether cmd is refused when memory cannot be
// freed, as Redis's processCommand decides: a denyoom command, an EXEC
// with one queued, or in MULTI anything but EXEC, DISCARD, QUIT and RESET.
func refusedOnOOM(c *client, cmd *command) bool {
	name := cmd.meta.Name
	if name == "exec" && c.tx != nil {
		for _, q := range c.tx.cmds {
			if q.cmd.meta.Has("denyoom") {
				return true
			}
		}
	}
	if c.tx != nil && name != "exec" && name != "discard" && name != "quit" && name != "reset" {
		return true
	}
	return cmd.meta.Has("denyoom")
}

// The maxmemory parameters of CONFIG SET and GET.

func getMaxmemory(s *Server) string {
	return strconv.FormatUint(s.db.evict.maxmemory.Load(), 10)
}

// parseMaxmemory reads the value as Redis's memtoull does, into the full
// unsigned range: digits that overflow saturate, and the unit's product
// wraps.
func parseMaxmemory(s *Server, p *configParam, v []byte) (func(), string) {
	text := string(v)
	i := 0
	for i < len(text) && text[i] >= '0' && text[i] <= '9' {
		i++
	}
	mul, ok := memoryUnits[strings.ToLower(text[i:])]
	if !ok {
		return nil, resp.MsgConfigNotMemory(p.name)
	}
	n := uint64(0)
	if i > 0 {
		var err error
		if n, err = strconv.ParseUint(text[:i], 10, 64); err != nil {
			n = math.MaxUint64
		}
	}
	n *= uint64(mul)
	return func() { s.db.evict.maxmemory.Store(n) }, ""
}

func getMaxmemoryPolicy(s *Server) string {
	return evictPolicy(s.db.evict.policy.Load()).String()
}

func parseMaxmemoryPolicy(s *Server, p *configParam, v []byte) (func(), string) {
	names := make([]string, len(policyNames))
	for i, pn := range policyNames {
		if strings.EqualFold(pn.name, string(v)) {
			return func() { s.db.evict.policy.Store(int32(pn.p)) }, ""
		}
		names[i] = pn.name
	}
	return nil, resp.MsgConfigEnum(p.name, names)
}

// getEvictInt and parseEvictInt make an integer parameter of the
// eviction settings (maxmemory-samples, lfu-log-factor, lfu-decay-time).
func getEvictInt(field func(*evictState) *atomic.Int64) func(*Server) string {
	return func(s *Server) string { return strconv.FormatInt(field(&s.db.evict).Load(), 10) }
}

func parseEvictInt(lo, hi int64, field func(*evictState) *atomic.Int64) func(*Server, *configParam, []byte) (func(), string) {
	return func(s *Server, p *configParam, v []byte) (func(), string) {
		set := intParam(p.name, lo, hi, func(s *Server) *atomic.Int64 { return field(&s.db.evict) })
		return set.parse(s, &set, v)
	}
}

// initMaxMemory applies Config.MaxMemory and MaxMemoryPolicy.
func (s *Server) initMaxMemory() {
	s.db.evict.maxmemory.Store(s.cfg.MaxMemory)
	if s.cfg.MaxMemoryPolicy == "" {
		return
	}
	apply, errText := parseMaxmemoryPolicy(s, &configParam{name: "maxmemory-policy"}, []byte(s.cfg.MaxMemoryPolicy))
	if apply == nil {
		panic("server: Config.MaxMemoryPolicy: " + errText)
	}
	apply()
}
