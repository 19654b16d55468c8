package server

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/remoted/remoted/internal/cnum"
	"github.com/remoted/remoted/resp"
)

// commandsZset handles the sorted set commands.
func (s *Server) commandsZset(r *registry) {
	r.key("zadd", s.cmdZadd)
	r.key("zincrby", s.cmdZincrby)
	r.key("zrem", s.cmdZrem)
	r.key("zscore", s.cmdZscore)
	r.key("zmscore", s.cmdZmscore)
	r.key("zcard", s.cmdZcard)
	r.key("zcount", s.cmdZcount)
	r.key("zlexcount", s.cmdZlexcount)
	r.key("zrange", s.zrangeCmd(zrangeAuto, false))
	r.key("zrevrange", s.zrangeCmd(zrangeRank, true))
	r.key("zrangebyscore", s.zrangeCmd(zrangeScore, false))
	r.key("zrevrangebyscore", s.zrangeCmd(zrangeScore, true))
	r.key("zrangebylex", s.zrangeCmd(zrangeLex, false))
	r.key("zrevrangebylex", s.zrangeCmd(zrangeLex, true))
	r.key("zrangestore", s.cmdZrangestore)
	r.key("zrank", s.zrankCmd(false))
	r.key("zrevrank", s.zrankCmd(true))
	r.key("zpopmin", s.zpopCmd(false))
	r.key("zpopmax", s.zpopCmd(true))
	r.key("zmpop", s.cmdZmpop)
	r.key("bzpopmin", s.bzpopCmd(false))
	r.key("bzpopmax", s.bzpopCmd(true))
	r.key("bzmpop", s.cmdBzmpop)
	r.key("zrandmember", s.cmdZrandmember)
	r.key("zunion", s.zsetOpCmd(zsetUnion, false, false))
	r.key("zinter", s.zsetOpCmd(zsetInter, false, false))
	r.key("zdiff", s.zsetOpCmd(zsetDiff, false, false))
	r.key("zunionstore", s.zsetOpCmd(zsetUnion, true, false))
	r.key("zinterstore", s.zsetOpCmd(zsetInter, true, false))
	r.key("zdiffstore", s.zsetOpCmd(zsetDiff, true, false))
	r.key("zintercard", s.zsetOpCmd(zsetInter, false, true))
	r.key("zremrangebyrank", s.zremrangeCmd(zrangeRank))
	r.key("zremrangebyscore", s.zremrangeCmd(zrangeScore))
	r.key("zremrangebylex", s.zremrangeCmd(zrangeLex))
	r.key("zscan", s.cmdZscan)
}

// Scores.

// parseScore parses a score or a weight as Redis's getDoubleFromObject:
// all of b a number, no leading space, not NaN, not out of range.
func parseScore(b []byte) (float64, bool) {
	f, n, erange := cnum.Strtod(b)
	if len(b) == 0 || cnum.IsSpace(b[0]) || n != len(b) || erange || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// scoreAsInt returns f as an integer, and true, when Redis's listpack
// would store it as one: an integral score within ±2^62 (-0 included, so
// that it becomes 0).
func scoreAsInt(f float64) (int64, bool) {
	if f < -(math.MaxInt64/2) || f > math.MaxInt64/2 {
		return 0, false
	}
	ll := int64(f)
	return ll, float64(ll) == f
}

// scoreRange is a range of scores, each end inclusive or exclusive.
type scoreRange struct {
	min, max     float64
	minEx, maxEx bool
}

// parseScoreRange parses min and max as Redis's zslParseRange: a float
// for strtod, "(" first for an exclusive end.
func parseScoreRange(minArg, maxArg []byte) (r scoreRange, ok bool) {
	bound := func(b []byte) (float64, bool, bool) {
		ex := len(b) > 0 && b[0] == '('
		if ex {
			b = b[1:]
		}
		f, n, _ := cnum.Strtod(b)
		return f, ex, n == len(b) && !math.IsNaN(f)
	}
	var ok1, ok2 bool
	r.min, r.minEx, ok1 = bound(minArg)
	r.max, r.maxEx, ok2 = bound(maxArg)
	return r, ok1 && ok2
}

func (r *scoreRange) aboveMin(e zsEntry) bool {
	return e.score > r.min || !r.minEx && e.score == r.min
}

func (r *scoreRange) aboveMax(e zsEntry) bool {
	return e.score > r.max || r.maxEx && e.score == r.max
}

// lexBound is one end of a lexicographic range: "-", "+", or a member,
// inclusive ("[") or exclusive ("(").
type lexBound struct {
	inf int8 // -1 for "-", 1 for "+", 0 for a member
	s   string
	ex  bool
}

// lexRange is a range of members, for sets whose scores are all equal.
type lexRange struct{ min, max lexBound }

// parseLexRange parses min and max as Redis's zslParseLexRange.
func parseLexRange(minArg, maxArg []byte) (r lexRange, ok bool) {
	bound := func(b []byte) (lexBound, bool) {
		switch {
		case len(b) == 1 && b[0] == '+':
			return lexBound{inf: 1}, true
		case len(b) == 1 && b[0] == '-':
			return lexBound{inf: -1}, true
		case len(b) > 0 && (b[0] == '(' || b[0] == '['):
			return lexBound{s: string(b[1:]), ex: b[0] == '('}, true
		}
		return lexBound{}, false
	}
	var ok1, ok2 bool
	r.min, ok1 = bound(minArg)
	r.max, ok2 = bound(maxArg)
	return r, ok1 && ok2
}

// cmp compares a member with the bound.
func (b *lexBound) cmp(m string) int {
	if b.inf != 0 {
		return -int(b.inf)
	}
	return strings.Compare(m, b.s)
}

func (r *lexRange) aboveMin(e zsEntry) bool {
	c := r.min.cmp(e.member)
	return c > 0 || c == 0 && !r.min.ex
}

func (r *lexRange) aboveMax(e zsEntry) bool {
	c := r.max.cmp(e.member)
	return c > 0 || c == 0 && r.max.ex
}

// span returns the ranks lo to hi (inclusive; lo > hi if none) of the
// members that are above min and not above max.
func (z *zset) span(aboveMin, aboveMax func(zsEntry) bool) (lo, hi int) {
	return z.search(aboveMin), z.search(aboveMax) - 1
}

// Replies.

// writeZEntries writes members, with their scores if withScores: a flat
// array in RESP2, an array of [member, score] pairs in RESP3.
func writeZEntries(w *resp.Writer, entries []zsEntry, withScores bool) {
	writeZEntriesFunc(w, len(entries), func(i int) zsEntry { return entries[i] }, withScores)
}

// writeZEntriesFunc is writeZEntries for the n entries get returns.
func writeZEntriesFunc(w *resp.Writer, n int, get func(i int) zsEntry, withScores bool) {
	pairs := withScores && w.Proto() == 3
	if withScores && !pairs {
		w.Array(2 * n)
	} else {
		w.Array(n)
	}
	for i := range n {
		e := get(i)
		if pairs {
			w.Array(2)
		}
		w.BulkString(e.member)
		if withScores {
			w.Double(e.score)
		}
	}
}

// zsetRead returns the sorted set under key for a command that reads it;
// a missing key gives nil. On WRONGTYPE it writes the error and returns
// false.
func (s *Server) zsetRead(c *client, key []byte) (*zset, *entry, bool) {
	z, e, errText := getTyped[*zset](s.db, key)
	if errText != "" {
		c.w.Error(errText)
		return nil, nil, false
	}
	return z, e, true
}

// storeZset replaces dst with a sorted set of entries (distinct members)
// and replies with its length; no entries deletes dst.
func (s *Server) storeZset(c *client, dst []byte, entries []zsEntry) {
	s.db.del(string(dst))
	if len(entries) > 0 {
		e := s.db.insertObj(dst, zsetFrom(entries, &s.db.enc))
		s.db.objChanged(e, 1)
	}
	c.w.Int(int64(len(entries)))
}

// ZADD and ZINCRBY.

// zaddFlags are ZADD's options.
type zaddFlags struct{ nx, xx, gt, lt, ch, incr bool }

func (s *Server) cmdZadd(c *client, args [][]byte) {
	var f zaddFlags
	i := 2
	for ; i < len(args); i++ {
		switch a := args[i]; {
		case optIs(a, "nx"):
			f.nx = true
		case optIs(a, "xx"):
			f.xx = true
		case optIs(a, "gt"):
			f.gt = true
		case optIs(a, "lt"):
			f.lt = true
		case optIs(a, "ch"):
			f.ch = true
		case optIs(a, "incr"):
			f.incr = true
		default:
			goto pairs
		}
	}
pairs:
	n := len(args) - i
	switch {
	case n == 0 || n%2 != 0:
		c.w.Error(resp.MsgSyntax)
	case f.nx && f.xx:
		c.w.Error(resp.MsgZaddNXXX)
	case f.nx && (f.gt || f.lt) || f.gt && f.lt:
		c.w.Error(resp.MsgZaddGTLTNX)
	case f.incr && n > 2:
		c.w.Error(resp.MsgZaddIncrPair)
	default:
		s.zadd(c, args[1], f, args[i:])
	}
}

func (s *Server) cmdZincrby(c *client, args [][]byte) {
	s.zadd(c, args[1], zaddFlags{incr: true}, args[2:])
}

// zadd applies ZADD's score/member pairs under the checked flags f.
func (s *Server) zadd(c *client, key []byte, f zaddFlags, pairs [][]byte) {
	scores := make([]float64, len(pairs)/2)
	for i := range scores {
		var ok bool
		if scores[i], ok = parseScore(pairs[2*i]); !ok {
			c.w.Error(resp.MsgNotFloat)
			return
		}
	}
	z, e, ok := s.zsetRead(c, key)
	if !ok {
		return
	}
	var added, updated, processed int
	var last float64
	if e != nil || !f.xx {
		if e == nil {
			z = newZset()
			e = s.db.insertObj(key, z)
		}
		for i, score := range scores {
			member := string(pairs[2*i+1])
			cur, exists := z.score(member)
			switch {
			case exists && f.nx, !exists && f.xx:
				continue
			case exists:
				if f.incr {
					score += cur
					if math.IsNaN(score) {
						s.db.objChanged(e, added+updated)
						c.w.Error(resp.MsgZsetNaN)
						return
					}
				}
				if f.lt && score >= cur || f.gt && score <= cur {
					continue
				}
				if score != cur {
					z.set(member, score, &s.db.enc)
					updated++
				}
			default:
				z.set(member, score, &s.db.enc)
				added++
			}
			processed++
			last = score
		}
		s.db.objChanged(e, added+updated)
	}
	switch {
	case f.incr && processed > 0:
		c.w.Double(last)
	case f.incr:
		c.w.Null()
	case f.ch:
		c.w.Int(int64(added + updated))
	default:
		c.w.Int(int64(added))
	}
}

func (s *Server) cmdZrem(c *client, args [][]byte) {
	z, e, ok := s.zsetRead(c, args[1])
	if !ok {
		return
	}
	n := 0
	if e != nil {
		for _, m := range args[2:] {
			if z.remove(string(m)) {
				n++
			}
		}
		s.db.objChanged(e, n)
	}
	c.w.Int(int64(n))
}

// Lookups.

func (s *Server) cmdZscore(c *client, args [][]byte) {
	z, e, ok := s.zsetRead(c, args[1])
	if !ok {
		return
	}
	if e != nil {
		if f, ok := z.score(string(args[2])); ok {
			c.w.Double(f)
			return
		}
	}
	c.w.Null()
}

func (s *Server) cmdZmscore(c *client, args [][]byte) {
	z, e, ok := s.zsetRead(c, args[1])
	if !ok {
		return
	}
	c.w.Array(len(args) - 2)
	for _, m := range args[2:] {
		if e != nil {
			if f, ok := z.score(string(m)); ok {
				c.w.Double(f)
				continue
			}
		}
		c.w.Null()
	}
}

func (s *Server) cmdZcard(c *client, args [][]byte) {
	z, e, ok := s.zsetRead(c, args[1])
	if !ok {
		return
	}
	n := 0
	if e != nil {
		n = z.length()
	}
	c.w.Int(int64(n))
}

func (s *Server) cmdZcount(c *client, args [][]byte) {
	r, ok := parseScoreRange(args[2], args[3])
	if !ok {
		c.w.Error(resp.MsgZsetMinMaxFloat)
		return
	}
	s.zcount(c, args[1], r.aboveMin, r.aboveMax)
}

func (s *Server) cmdZlexcount(c *client, args [][]byte) {
	r, ok := parseLexRange(args[2], args[3])
	if !ok {
		c.w.Error(resp.MsgZsetMinMaxLex)
		return
	}
	s.zcount(c, args[1], r.aboveMin, r.aboveMax)
}

// zcount replies with the number of members of the set under key that
// are above min and not above max.
func (s *Server) zcount(c *client, key []byte, aboveMin, aboveMax func(zsEntry) bool) {
	z, e, ok := s.zsetRead(c, key)
	if !ok {
		return
	}
	n := 0
	if e != nil {
		lo, hi := z.span(aboveMin, aboveMax)
		n = max(hi-lo+1, 0)
	}
	c.w.Int(int64(n))
}

func (s *Server) zrankCmd(rev bool) handlerFunc {
	return func(c *client, args [][]byte) {
		z, e, ok := s.zsetRead(c, args[1])
		if !ok {
			return
		}
		if e != nil {
			if r, ok := z.rank(string(args[2])); ok {
				if rev {
					r = z.length() - 1 - r
				}
				c.w.Int(int64(r))
				return
			}
		}
		c.w.Null()
	}
}

// ZRANGE and its kin.

// zrangeKind is what a ZRANGE selects by.
type zrangeKind uint8

const (
	zrangeAuto zrangeKind = iota // ZRANGE: by rank unless BYSCORE or BYLEX
	zrangeRank
	zrangeScore
	zrangeLex
)

// zrangeSpec is a parsed ZRANGE: what to select and how to reply.
type zrangeSpec struct {
	kind          zrangeKind
	rev           bool
	withScores    bool
	offset, limit int64 // LIMIT; limit < 0: no limit
	start, end    int64 // by rank
	score         scoreRange
	lex           lexRange
}

// parseZrange parses the arguments after the key of ZRANGE (store false)
// or ZRANGESTORE's source as Redis's zrangeGenericCommand does: the
// options first, then the range. kind and rev are the command's own
// (ZRANGEBYSCORE, ZREVRANGE...); ZRANGE's are zrangeAuto and false.
func parseZrange(args [][]byte, store bool, kind zrangeKind, rev bool) (sp zrangeSpec, errText string) {
	sp = zrangeSpec{kind: kind, rev: rev, limit: -1}
	auto, autoDir := kind == zrangeAuto, kind == zrangeAuto
	for j := 2; j < len(args); j++ {
		left := len(args) - j - 1
		switch a := args[j]; {
		case !store && optIs(a, "withscores"):
			sp.withScores = true
		case optIs(a, "limit") && left >= 2:
			var ok1, ok2 bool
			sp.offset, ok1 = resp.ParseInt(args[j+1])
			sp.limit, ok2 = resp.ParseInt(args[j+2])
			if !ok1 || !ok2 {
				return sp, resp.MsgNotInteger
			}
			j += 2
		case autoDir && optIs(a, "rev"):
			sp.rev, autoDir = true, false
		case auto && optIs(a, "bylex"):
			sp.kind, auto = zrangeLex, false
		case auto && optIs(a, "byscore"):
			sp.kind, auto = zrangeScore, false
		default:
			return sp, resp.MsgSyntax
		}
	}
	if sp.kind == zrangeAuto {
		sp.kind = zrangeRank
	}
	if sp.limit != -1 && sp.kind == zrangeRank {
		return sp, resp.MsgZrangeLimitRank
	}
	if sp.withScores && sp.kind == zrangeLex {
		return sp, resp.MsgZrangeLexScores
	}
	minArg, maxArg := args[0], args[1]
	if sp.rev && sp.kind != zrangeRank {
		minArg, maxArg = maxArg, minArg
	}
	return sp, sp.parseBounds(minArg, maxArg)
}

// parseBounds parses the range's ends, ranks or scores or members as
// sp.kind says, returning Redis's error text for a bad one.
func (sp *zrangeSpec) parseBounds(minArg, maxArg []byte) string {
	var ok bool
	switch sp.kind {
	case zrangeRank:
		var ok2 bool
		sp.start, ok = resp.ParseInt(minArg)
		sp.end, ok2 = resp.ParseInt(maxArg)
		if !ok || !ok2 {
			return resp.MsgNotInteger
		}
	case zrangeScore:
		if sp.score, ok = parseScoreRange(minArg, maxArg); !ok {
			return resp.MsgZsetMinMaxFloat
		}
	case zrangeLex:
		if sp.lex, ok = parseLexRange(minArg, maxArg); !ok {
			return resp.MsgZsetMinMaxLex
		}
	}
	return ""
}

// rankSpan returns the ranks lo to hi (ascending, inclusive; lo > hi if
// none) that the indexes start and end (negative from the end) select,
// as Redis sanitizes them; with rev they count from the highest score.
func rankSpan(n int, start, end int64, rev bool) (lo, hi int) {
	ln := int64(n)
	if start < 0 {
		start += ln
	}
	if end < 0 {
		end += ln
	}
	start = max(start, 0)
	if start > end || start >= ln {
		return 0, -1
	}
	end = min(end, ln-1)
	if rev {
		return int(ln - 1 - end), int(ln - 1 - start)
	}
	return int(start), int(end)
}

// selectRange returns the members sp selects, in reply order.
func (z *zset) selectRange(sp *zrangeSpec) []zsEntry {
	var lo, hi int
	switch sp.kind {
	case zrangeRank:
		lo, hi = rankSpan(z.length(), sp.start, sp.end, sp.rev)
	default:
		if sp.kind == zrangeScore {
			lo, hi = z.span(sp.score.aboveMin, sp.score.aboveMax)
		} else {
			lo, hi = z.span(sp.lex.aboveMin, sp.lex.aboveMax)
		}
		if sp.offset < 0 || int64(hi-lo+1) <= sp.offset {
			return nil
		}
		off := int(sp.offset)
		if sp.rev {
			hi -= off
			if sp.limit >= 0 && int64(hi-lo+1) > sp.limit {
				lo = hi - int(sp.limit) + 1
			}
		} else {
			lo += off
			if sp.limit >= 0 && int64(hi-lo+1) > sp.limit {
				hi = lo + int(sp.limit) - 1
			}
		}
	}
	out := z.ranks(lo, hi)
	if sp.rev {
		slices.Reverse(out)
	}
	return out
}

// zrangeCmd returns the handler of ZRANGE (kind zrangeAuto) or of one of
// its older forms.
func (s *Server) zrangeCmd(kind zrangeKind, rev bool) handlerFunc {
	return func(c *client, args [][]byte) {
		if out, sp, ok := s.zrange(c, args[1], args[2:], false, kind, rev); ok {
			writeZEntries(c.w, out, sp.withScores)
		}
	}
}

func (s *Server) cmdZrangestore(c *client, args [][]byte) {
	if out, _, ok := s.zrange(c, args[2], args[3:], true, zrangeAuto, false); ok {
		s.storeZset(c, args[1], out)
	}
}

// zrange parses a ZRANGE's arguments after the key (see parseZrange) and
// returns what they select from the set under key; on an error it
// replies and returns false.
func (s *Server) zrange(c *client, key []byte, args [][]byte, store bool, kind zrangeKind, rev bool) ([]zsEntry, *zrangeSpec, bool) {
	sp, errText := parseZrange(args, store, kind, rev)
	if errText != "" {
		c.w.Error(errText)
		return nil, nil, false
	}
	z, e, ok := s.zsetRead(c, key)
	if !ok || e == nil {
		return nil, &sp, ok
	}
	return z.selectRange(&sp), &sp, true
}

// zremrangeCmd returns the handler of ZREMRANGEBYRANK, ZREMRANGEBYSCORE
// or ZREMRANGEBYLEX.
func (s *Server) zremrangeCmd(kind zrangeKind) handlerFunc {
	return func(c *client, args [][]byte) {
		sp := zrangeSpec{kind: kind, limit: -1}
		if errText := sp.parseBounds(args[2], args[3]); errText != "" {
			c.w.Error(errText)
			return
		}
		z, e, ok := s.zsetRead(c, args[1])
		if !ok {
			return
		}
		n := 0
		if e != nil {
			var lo, hi int
			switch kind {
			case zrangeRank:
				lo, hi = rankSpan(z.length(), sp.start, sp.end, false)
			case zrangeScore:
				lo, hi = z.span(sp.score.aboveMin, sp.score.aboveMax)
			case zrangeLex:
				lo, hi = z.span(sp.lex.aboveMin, sp.lex.aboveMax)
			}
			n = z.removeRanks(lo, hi)
			s.db.objChanged(e, n)
		}
		c.w.Int(int64(n))
	}
}

// Pops.

// pop removes and returns up to count members from the low end of z, or
// the high end with high, in the order popped.
func (z *zset) pop(count int, high bool) []zsEntry {
	n := z.length()
	count = min(count, n)
	var out []zsEntry
	if high {
		out = z.ranks(n-count, n-1)
		slices.Reverse(out)
		z.removeRanks(n-count, n-1)
	} else {
		out = z.ranks(0, count-1)
		z.removeRanks(0, count-1)
	}
	return out
}

// zpopCmd returns the handler of ZPOPMIN or, with high, ZPOPMAX.
func (s *Server) zpopCmd(high bool) handlerFunc {
	return func(c *client, args [][]byte) {
		if len(args) > 3 {
			c.w.Error(resp.MsgSyntax)
			return
		}
		count, errText := popCount(args)
		if errText != "" {
			c.w.Error(errText)
			return
		}
		z, e, ok := s.zsetRead(c, args[1]) // the type is checked first, count 0 or not
		if !ok {
			return
		}
		if e == nil || count == 0 {
			c.w.Array(0)
			return
		}
		out := z.pop(int(min(max(count, 1), math.MaxInt32)), high)
		s.db.objChanged(e, len(out))
		if count == -1 || c.w.Proto() == 2 {
			c.w.Array(2 * len(out)) // flat, as RESP2, without a count
			for _, x := range out {
				c.w.BulkString(x.member)
				c.w.Double(x.score)
			}
			return
		}
		writeZPairs(c.w, out)
	}
}

func (s *Server) cmdZmpop(c *client, args [][]byte) {
	keys, high, count, errText := parseZmpop(args[1:])
	if errText != "" {
		c.w.Error(errText)
		return
	}
	if !s.zpopFirst(c, keys, high, count, writeZmpop(c)) {
		c.w.NullArray()
	}
}

// parseZmpop parses ZMPOP's arguments from numkeys on: the keys, MIN or
// MAX, and the optional COUNT (1 if not given).
func parseZmpop(args [][]byte) (keys [][]byte, high bool, count int, errText string) {
	numkeys, ok := resp.ParseInt(args[0])
	if !ok || numkeys < 1 {
		return nil, false, 0, resp.MsgNumkeys
	}
	if numkeys >= int64(len(args)-1) {
		return nil, false, 0, resp.MsgSyntax
	}
	where := int(numkeys) + 1
	switch {
	case optIs(args[where], "min"):
	case optIs(args[where], "max"):
		high = true
	default:
		return nil, false, 0, resp.MsgSyntax
	}
	n := int64(-1)
	for j := where + 1; j < len(args); j++ {
		if n != -1 || !optIs(args[j], "count") || j+1 >= len(args) {
			return nil, false, 0, resp.MsgSyntax
		}
		j++
		if n, ok = resp.ParseInt(args[j]); !ok || n < 1 {
			return nil, false, 0, resp.MsgCountGreater
		}
	}
	return args[1:where], high, int(min(max(n, 1), math.MaxInt32)), ""
}

// zpopFirst pops up to count members from the first of keys that holds a
// sorted set and replies with reply; it reports whether it found one. A
// key of another type before it gets WRONGTYPE, and true.
func (s *Server) zpopFirst(c *client, keys [][]byte, high bool, count int, reply func(key []byte, out []zsEntry)) bool {
	for _, key := range keys {
		z, e, ok := s.zsetRead(c, key)
		if !ok {
			return true
		}
		if e != nil {
			out := z.pop(count, high)
			s.db.objChanged(e, len(out))
			reply(key, out)
			return true
		}
	}
	return false
}

// writeZmpop returns the writer of ZMPOP's reply: the key, then the
// members and scores popped as pairs.
func writeZmpop(c *client) func(key []byte, out []zsEntry) {
	return func(key []byte, out []zsEntry) {
		c.w.Array(2)
		c.w.Bulk(key)
		writeZPairs(c.w, out)
	}
}

// writeZPairs writes members and scores as an array of [member, score]
// pairs, in either protocol (ZMPOP, ZPOPMIN with a count in RESP3).
func writeZPairs(w *resp.Writer, entries []zsEntry) {
	w.Array(len(entries))
	for _, e := range entries {
		w.Array(2)
		w.BulkString(e.member)
		w.Double(e.score)
	}
}

// ZRANDMEMBER.

func (s *Server) cmdZrandmember(c *client, args [][]byte) {
	if len(args) == 2 {
		z, e, ok := s.zsetRead(c, args[1])
		if !ok {
			return
		}
		if e == nil {
			c.w.Null()
			return
		}
		c.w.BulkString(z.at(rand.IntN(z.length())).member)
		return
	}
	n, ok := resp.ParseInt(args[2])
	if !ok {
		c.w.Error(resp.MsgNotInteger)
		return
	}
	if n == math.MinInt64 {
		c.w.Error(resp.MsgLongRange(-math.MaxInt64, math.MaxInt64))
		return
	}
	withScores := false
	if len(args) > 4 || len(args) == 4 && !optIs(args[3], "withscores") {
		c.w.Error(resp.MsgSyntax)
		return
	} else if len(args) == 4 {
		withScores = true
		if n < -math.MaxInt64/2 || n > math.MaxInt64/2 {
			c.w.Error(resp.MsgOutOfRange)
			return
		}
	}
	z, e, ok := s.zsetRead(c, args[1])
	if !ok {
		return
	}
	if e == nil || n == 0 {
		c.w.Array(0)
		return
	}
	size := z.length()
	switch {
	case n < 0 || n == 1:
		// Repeats allowed: each pick independent, in random order,
		// written as picked.
		count := -n
		if n == 1 {
			count = 1
		}
		writeZEntriesFunc(c.w, int(count), func(int) zsEntry { return z.at(rand.IntN(size)) }, withScores)
	case n >= int64(size):
		// The whole set, highest first, as Redis does.
		out := z.ranks(0, size-1)
		slices.Reverse(out)
		writeZEntries(c.w, out, withScores)
	default:
		// Distinct members, in random order: a shuffle when they are
		// many of the set's, else random picks until enough differ.
		var idx []int
		if n*3 > int64(size) {
			idx = rand.Perm(size)[:n]
		} else {
			picked := make(map[int]bool, n)
			for len(idx) < int(n) {
				if r := rand.IntN(size); !picked[r] {
					picked[r] = true
					idx = append(idx, r)
				}
			}
		}
		writeZEntriesFunc(c.w, len(idx), func(i int) zsEntry { return z.at(idx[i]) }, withScores)
	}
}

// ZUNION, ZINTER, ZDIFF and their kin.

// zsetOp is a set operation on sorted sets.
type zsetOp uint8

const (
	zsetUnion zsetOp = iota
	zsetInter
	zsetDiff
)

// zsetAgg combines the weighted scores of a member present in several
// inputs.
type zsetAgg uint8

const (
	zsetAggSum zsetAgg = iota
	zsetAggMin
	zsetAggMax
)

func (a zsetAgg) apply(acc, v float64) float64 {
	switch a {
	case zsetAggMin:
		if v < acc {
			return v
		}
		return acc
	case zsetAggMax:
		if v > acc {
			return v
		}
		return acc
	}
	acc += v
	if math.IsNaN(acc) {
		return 0
	}
	return acc
}

// zsetMembers is a set (the set type's object) as an input of ZUNION and
// its kin, where each of its members scores 1. A set that also has a
// has(member) method is searched with it rather than walked.
type zsetMembers interface {
	object
	each(fn func(m []byte) bool)
}

// zsetInput is one input key of ZUNION and its kin.
type zsetInput struct {
	z      *zset       // a sorted set, or nil
	set    zsetMembers // a set, or nil
	weight float64
}

func (in *zsetInput) length() int {
	switch {
	case in.z != nil:
		return in.z.length()
	case in.set != nil:
		return in.set.length()
	}
	return 0
}

// each calls fn with each member and its (unweighted) score.
func (in *zsetInput) each(fn func(m string, score float64) bool) {
	switch {
	case in.z != nil:
		in.z.each(func(e zsEntry) bool { return fn(e.member, e.score) })
	case in.set != nil:
		in.set.each(func(m []byte) bool { return fn(string(m), 1) })
	}
}

// find returns a member's score in the input.
func (in *zsetInput) find(m string) (float64, bool) {
	switch {
	case in.z != nil:
		return in.z.score(m)
	case in.set != nil:
		if h, ok := in.set.(interface{ has(m []byte) bool }); ok {
			return 1, h.has([]byte(m))
		}
		found := false
		in.set.each(func(x []byte) bool {
			found = string(x) == m
			return !found
		})
		return 1, found
	}
	return 0, false
}

// zsetOpCmd returns the handler of ZUNION, ZINTER, ZDIFF, their STORE
// forms (store) or ZINTERCARD (card).
func (s *Server) zsetOpCmd(op zsetOp, store, card bool) handlerFunc {
	return func(c *client, args [][]byte) {
		name := strings.ToLower(string(args[0]))
		first := 1
		if store {
			first = 2
		}
		n, ok := resp.ParseInt(args[first])
		switch {
		case !ok:
			c.w.Error(resp.MsgNotInteger)
			return
		case n < 1:
			c.w.Error(resp.MsgZsetNoKeys(name))
			return
		case n > int64(len(args)-first-1):
			c.w.Error(resp.MsgSyntax)
			return
		}
		inputs := make([]zsetInput, n)
		j := first + 1
		for i := range inputs {
			inputs[i].weight = 1
			e := s.db.getBytes(args[j])
			j++
			if e == nil {
				continue
			}
			var o object
			if e.kind() != kindString {
				o = s.db.obj(e)
			}
			switch {
			case e.kind() == kindZSet:
				inputs[i].z = o.(*zset)
			case e.kind() == kindSet && o != nil:
				if set, ok := o.(zsetMembers); ok {
					inputs[i].set = set
					continue
				}
				fallthrough
			default:
				c.w.Error(resp.MsgWrongType)
				return
			}
		}
		agg, withScores, limit := zsetAggSum, false, int64(0)
		for j < len(args) {
			left := len(args) - j
			switch a := args[j]; {
			case op != zsetDiff && !card && left >= len(inputs)+1 && optIs(a, "weights"):
				j++
				for i := range inputs {
					if inputs[i].weight, ok = parseScore(args[j]); !ok {
						c.w.Error(resp.MsgZsetWeight)
						return
					}
					j++
				}
			case op != zsetDiff && !card && left >= 2 && optIs(a, "aggregate"):
				switch b := args[j+1]; {
				case optIs(b, "sum"):
					agg = zsetAggSum
				case optIs(b, "min"):
					agg = zsetAggMin
				case optIs(b, "max"):
					agg = zsetAggMax
				default:
					c.w.Error(resp.MsgSyntax)
					return
				}
				j += 2
			case !store && !card && optIs(a, "withscores"):
				withScores = true
				j++
			case card && left >= 2 && optIs(a, "limit"):
				if limit, ok = resp.ParseInt(args[j+1]); !ok || limit < 0 {
					c.w.Error(resp.MsgLimitNegative)
					return
				}
				j += 2
			default:
				c.w.Error(resp.MsgSyntax)
				return
			}
		}
		var out []zsEntry
		switch op {
		case zsetUnion:
			out = zunion(inputs, agg)
		case zsetInter:
			out = zinter(inputs, agg, card, int(min(limit, math.MaxInt32)))
		case zsetDiff:
			out = zdiff(inputs)
		}
		switch {
		case card:
			c.w.Int(int64(len(out)))
		case store:
			s.storeZset(c, args[1], out)
		default:
			slices.SortFunc(out, zsCmp)
			writeZEntries(c.w, out, withScores)
		}
	}
}

// zsetByLength orders the inputs by length, as Redis does before a union or
// an intersection; the order of the sums follows it.
func zsetByLength(inputs []zsetInput) []zsetInput {
	sorted := slices.Clone(inputs)
	slices.SortStableFunc(sorted, func(a, b zsetInput) int { return a.length() - b.length() })
	return sorted
}

// weighted is a score times a weight, 0 where that is NaN (inf times 0).
func zsetWeighted(score, weight float64) float64 {
	v := score * weight
	if math.IsNaN(v) {
		return 0
	}
	return v
}

func zunion(inputs []zsetInput, agg zsetAgg) []zsEntry {
	acc := map[string]int{} // member -> index in out
	var out []zsEntry
	for _, in := range zsetByLength(inputs) {
		in.each(func(m string, score float64) bool {
			v := zsetWeighted(score, in.weight)
			if i, ok := acc[m]; ok {
				out[i].score = agg.apply(out[i].score, v)
			} else {
				acc[m] = len(out)
				out = append(out, zsEntry{m, v})
			}
			return true
		})
	}
	return out
}

// zinter returns the intersection; with card, only its first limit
// members (all if limit is 0), scores not computed past the first input.
func zinter(inputs []zsetInput, agg zsetAgg, card bool, limit int) []zsEntry {
	sorted := zsetByLength(inputs)
	if sorted[0].length() == 0 {
		return nil
	}
	var out []zsEntry
	sorted[0].each(func(m string, score float64) bool {
		acc := zsetWeighted(score, sorted[0].weight)
		for _, in := range sorted[1:] {
			v, ok := in.find(m)
			if !ok {
				return true
			}
			acc = agg.apply(acc, v*in.weight)
		}
		out = append(out, zsEntry{m, acc})
		return !card || limit == 0 || len(out) < limit
	})
	return out
}

// zdiff returns the members of the first input in none of the others,
// with their scores in the first.
func zdiff(inputs []zsetInput) []zsEntry {
	var out []zsEntry
	inputs[0].each(func(m string, score float64) bool {
		for _, in := range inputs[1:] {
			if _, ok := in.find(m); ok {
				return true
			}
		}
		out = append(out, zsEntry{m, score})
		return true
	})
	return out
}

// ZSCAN.

func (s *Server) cmdZscan(c *client, args [][]byte) {
	o, errText := parseScanArgs(args[2], args[3:], false)
	if errText != "" {
		c.w.Error(errText)
		return
	}
	z, e, ok := s.zsetRead(c, args[1])
	if !ok {
		return
	}
	var found []zsEntry
	next := uint64(0)
	keep := func(x zsEntry) {
		if o.match == nil || globMatch(o.match, []byte(x.member)) {
			found = append(found, x)
		}
	}
	switch {
	case e == nil:
	case z.big != nil:
		// COUNT slots at a time, the cursor being the next slot.
		next = z.big.scan(o.cursor, o.count, keep)
	default:
		// A compact set is returned whole, as Redis does.
		for _, x := range z.small {
			keep(x)
		}
	}
	c.w.Array(2)
	c.w.BulkString(strconv.FormatUint(next, 10))
	c.w.Array(2 * len(found))
	var buf []byte
	for _, x := range found {
		c.w.BulkString(x.member)
		buf = buf[:0]
		if ll, ok := scoreAsInt(x.score); ok && z.big == nil {
			buf = strconv.AppendInt(buf, ll, 10)
		} else {
			buf = resp.AppendDouble(buf, x.score)
		}
		c.w.Bulk(buf)
	}
}

// Blocking pops.

// bzpopCmd returns the handler of BZPOPMIN or, with high, BZPOPMAX: the
// reply is the key, the member and its score.
func (s *Server) bzpopCmd(high bool) handlerFunc {
	return func(c *client, args [][]byte) {
		reply := func(key []byte, out []zsEntry) {
			c.w.Array(3)
			c.w.Bulk(key)
			c.w.BulkString(out[0].member)
			c.w.Double(out[0].score)
		}
		s.zblock(c, args[1:len(args)-1], args[len(args)-1], high, 1, reply)
	}
}

func (s *Server) cmdBzmpop(c *client, args [][]byte) {
	keys, high, count, errText := parseZmpop(args[2:])
	if errText != "" {
		c.w.Error(errText)
		return
	}
	s.zblock(c, keys, args[1], high, count, writeZmpop(c))
}

// zblock pops up to count members from the first of keys that holds a
// sorted set, or else waits for one to, until the deadline timeout (the
// command's argument, seconds) sets; a wait that times out replies with
// the null array.
func (s *Server) zblock(c *client, keys [][]byte, timeout []byte, high bool, count int, reply func(key []byte, out []zsEntry)) {
	deadline, errText := blockDeadline(timeout, time.UnixMilli(s.db.now))
	if errText != "" {
		c.w.Error(errText)
		return
	}
	if s.zpopFirst(c, keys, high, count, reply) {
		return
	}
	try := func(db *keyspace, key []byte) bool {
		z, e, _ := getTyped[*zset](db, key)
		if e == nil {
			return false // gone again, or of another type
		}
		out := z.pop(count, high)
		db.objChanged(e, len(out))
		reply(key, out)
		return true
	}
	s.block(c, keys, deadline, try, c.w.NullArray)
}
