package server

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/remoted/remoted/resp"
)

// commandsSet handles the set commands. Their replies list members in the
// set's own order, as Redis's do: an intset's ascending, a hash table's
// its slot order (Redis's is its dict's, which no one can reproduce).
// SUNION, SDIFF and SPOP of a whole set build their result in a new set
// first, as Redis does, so a result of a few integers comes back sorted.
func (s *Server) commandsSet(r *registry) {
	r.key("sadd", s.cmdSadd)
	r.key("srem", s.cmdSrem)
	r.key("smembers", s.cmdSmembers)
	r.key("sismember", s.cmdSismember)
	r.key("smismember", s.cmdSmismember)
	r.key("scard", s.cmdScard)
	r.key("spop", s.cmdSpop)
	r.key("srandmember", s.cmdSrandmember)
	r.key("smove", s.cmdSmove)
	r.key("sinter", func(c *client, args [][]byte) { s.sinter(c, args[1:], nil, false, 0) })
	r.key("sinterstore", func(c *client, args [][]byte) { s.sinter(c, args[2:], args[1], false, 0) })
	r.key("sintercard", s.cmdSintercard)
	r.key("sunion", func(c *client, args [][]byte) { s.sunionDiff(c, args[1:], nil, false) })
	r.key("sunionstore", func(c *client, args [][]byte) { s.sunionDiff(c, args[2:], args[1], false) })
	r.key("sdiff", func(c *client, args [][]byte) { s.sunionDiff(c, args[1:], nil, true) })
	r.key("sdiffstore", func(c *client, args [][]byte) { s.sunionDiff(c, args[2:], args[1], true) })
	r.key("sscan", s.cmdSscan)
}

// setLimit is set-max-intset-entries.
func (s *Server) setLimit() int64 { return s.db.enc.setIntset.Load() }

// lookupSet returns the set under key (nil and a nil entry if the key is
// missing); ok is false, WRONGTYPE answered, if the key holds another
// type.
func (s *Server) lookupSet(c *client, key []byte) (set *setObj, e *entry, ok bool) {
	set, e, errText := getTyped[*setObj](s.db, key)
	if errText != "" {
		c.w.Error(errText)
		return nil, nil, false
	}
	return set, e, true
}

// writeSet writes the members of set (nil: empty) as a set reply.
func writeSet(c *client, set *setObj) {
	if set == nil {
		c.w.Set(0)
		return
	}
	c.w.Set(set.length())
	set.each(func(m []byte) bool { c.w.Bulk(m); return true })
}

func (s *Server) cmdSadd(c *client, args [][]byte) {
	set, e, ok := s.lookupSet(c, args[1])
	if !ok {
		return
	}
	if e == nil {
		set = &setObj{}
		e = s.db.insertObj(args[1], set)
	}
	limit, added := s.setLimit(), 0
	for _, m := range args[2:] {
		if set.add(m, limit) {
			added++
		}
	}
	if added > 0 {
		s.db.objChanged(e, added)
	}
	c.w.Int(int64(added))
}

func (s *Server) cmdSrem(c *client, args [][]byte) {
	set, e, ok := s.lookupSet(c, args[1])
	if !ok {
		return
	}
	removed := 0
	if e != nil {
		for _, m := range args[2:] {
			if set.remove(m) {
				removed++
			}
		}
	}
	if removed > 0 {
		s.db.objChanged(e, removed)
	}
	c.w.Int(int64(removed))
}

func (s *Server) cmdSmembers(c *client, args [][]byte) {
	if set, _, ok := s.lookupSet(c, args[1]); ok {
		writeSet(c, set)
	}
}

func (s *Server) cmdSismember(c *client, args [][]byte) {
	if set, e, ok := s.lookupSet(c, args[1]); ok {
		c.w.Int(setBool(e != nil && set.has(args[2])))
	}
}

func (s *Server) cmdSmismember(c *client, args [][]byte) {
	set, e, ok := s.lookupSet(c, args[1])
	if !ok {
		return
	}
	c.w.Array(len(args) - 2)
	for _, m := range args[2:] {
		c.w.Int(setBool(e != nil && set.has(m)))
	}
}

func (s *Server) cmdScard(c *client, args [][]byte) {
	if set, e, ok := s.lookupSet(c, args[1]); ok {
		n := 0
		if e != nil {
			n = set.length()
		}
		c.w.Int(int64(n))
	}
}

// setBool is 1 for true, 0 for false.
func setBool(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// cmdSpop is SPOP key [count]. Without a count it pops one member (a bulk
// or null); with one, a set reply of up to count members. The count is
// checked before the key, as in Redis.
func (s *Server) cmdSpop(c *client, args [][]byte) {
	if len(args) > 3 {
		c.w.Error(resp.MsgSyntax)
		return
	}
	count, errText := popCount(args)
	if errText != "" {
		c.w.Error(errText)
		return
	}
	set, e, ok := s.lookupSet(c, args[1])
	switch {
	case !ok:
	case e == nil && count < 0:
		c.w.Null()
	case count < 0:
		var buf [20]byte
		m := set.random(buf[:])
		c.w.Bulk(m)
		set.remove(m)
		s.db.objChanged(e, 1)
	case e == nil || count == 0:
		c.w.Set(0)
	case count >= int64(set.length()):
		// The whole set, through a new set as Redis's SUNION does.
		writeSet(c, s.setUnion([]*setObj{set}))
		s.db.dirty += int64(set.length())
		s.db.removeEntry(e)
	case (int64(set.length())-count)*5 <= count:
		s.spopMost(c, set, count)
		s.db.objChanged(e, int(count))
	default:
		c.w.Set(int(count))
		var buf [20]byte
		for range count {
			m := set.random(buf[:])
			c.w.Bulk(m)
			set.remove(m)
		}
		s.db.objChanged(e, int(count))
	}
}

// spopMost pops count members of set, at least 5/6 of them, as Redis
// does: it draws the members to keep into a new set, which becomes the
// set (so a hash table of integers may become an intset again), and
// replies with the others in the set's order.
func (s *Server) spopMost(c *client, set *setObj, count int64) {
	kept, lim := &setObj{}, s.setLimit()
	var buf [20]byte
	for range int64(set.length()) - count {
		m := set.random(buf[:])
		kept.add(m, lim)
		set.remove(m)
	}
	writeSet(c, set)
	*set = *kept
}

// cmdSrandmember is SRANDMEMBER key [count]: one member (a bulk or null),
// or an array: with a positive count, that many distinct members (the
// whole set in its order if it has no more); with a negative one, that
// many draws, members may repeat.
func (s *Server) cmdSrandmember(c *client, args [][]byte) {
	if len(args) > 3 {
		c.w.Error(resp.MsgSyntax)
		return
	}
	if len(args) == 2 {
		set, e, ok := s.lookupSet(c, args[1])
		switch {
		case !ok:
		case e == nil:
			c.w.Null()
		default:
			var buf [20]byte
			c.w.Bulk(set.random(buf[:]))
		}
		return
	}
	n, ok := resp.ParseInt(args[2])
	switch {
	case !ok:
		c.w.Error(resp.MsgNotInteger)
		return
	case n == math.MinInt64:
		c.w.Error(resp.MsgLongRange(-math.MaxInt64, math.MaxInt64))
		return
	}
	set, e, ok := s.lookupSet(c, args[1])
	switch {
	case !ok:
	case e == nil || n == 0:
		c.w.Array(0)
	case n < 0 || n == 1:
		setRandomDraws(c, set, max(n, -n))
	case n >= int64(set.length()):
		c.w.Array(set.length())
		set.each(func(m []byte) bool { c.w.Bulk(m); return true })
	default:
		ms := setRandomDistinct(set, int(n))
		c.w.Array(len(ms))
		for _, m := range ms {
			c.w.BulkString(m)
		}
	}
}

// setRandomDraws writes an array of n members of set drawn at random, with
// repeats.
func setRandomDraws(c *client, set *setObj, n int64) {
	c.w.Array(int(n))
	var buf [20]byte
	for range n {
		c.w.Bulk(set.random(buf[:]))
	}
}

// setRandomDistinct returns n distinct members of set, at random, for n less
// than its length: a shuffle of all members when n is close to the
// length, else draws until n different ones came up (Redis's two cases).
func setRandomDistinct(set *setObj, n int) []string {
	size := set.length()
	if n*3 > size {
		all := make([]string, 0, size)
		set.each(func(m []byte) bool { all = append(all, string(m)); return true })
		for i := range n {
			j := i + rand.IntN(size-i)
			all[i], all[j] = all[j], all[i]
		}
		return all[:n]
	}
	seen := make(map[string]struct{}, n)
	out := make([]string, 0, n)
	var buf [20]byte
	for len(out) < n {
		m := set.random(buf[:])
		if _, dup := seen[string(m)]; !dup {
			k := string(m)
			seen[k] = struct{}{}
			out = append(out, k)
		}
	}
	return out
}

// cmdSmove is SMOVE source destination member. As in Redis, a missing
// source answers 0 before the destination's type is checked, and a move
// within one set only tells whether the member is there.
func (s *Server) cmdSmove(c *client, args [][]byte) {
	src, se, ok := s.lookupSet(c, args[1])
	if !ok {
		return
	}
	if se == nil {
		c.w.Int(0)
		return
	}
	dst, de, ok := s.lookupSet(c, args[2])
	if !ok {
		return
	}
	m := args[3]
	switch {
	case se == de:
		c.w.Int(setBool(src.has(m)))
		return
	case !src.remove(m):
		c.w.Int(0)
		return
	}
	s.db.objChanged(se, 1)
	if de == nil {
		dst = &setObj{}
		de = s.db.insertObj(args[2], dst)
	}
	if dst.add(m, s.setLimit()) {
		s.db.objChanged(de, 1)
	}
	c.w.Int(1)
}

// lookupSets returns the sets under keys, nil for a missing key; ok is
// false, WRONGTYPE answered, if any key holds another type.
func (s *Server) lookupSets(c *client, keys [][]byte) (sets []*setObj, ok bool) {
	sets = make([]*setObj, len(keys))
	for i, key := range keys {
		if sets[i], _, ok = s.lookupSet(c, key); !ok {
			return nil, false
		}
	}
	return sets, true
}

// storeSet makes set the value of dst, replacing whatever dst held, or
// deletes dst if set is empty, and replies with set's length: the end of
// SINTERSTORE, SUNIONSTORE and SDIFFSTORE.
func (s *Server) storeSet(c *client, dst []byte, set *setObj) {
	n := set.length()
	if old := s.db.getBytes(dst); old != nil {
		s.db.removeEntry(old)
		if n == 0 {
			s.db.dirty++
		}
	}
	if n > 0 {
		s.db.objChanged(s.db.insertObj(dst, set), 1)
	}
	c.w.Int(int64(n))
}

// sinter is SINTER, SINTERSTORE (dst not nil) and SINTERCARD (cardOnly,
// stopping at limit members unless it is 0), as Redis's
// sinterGenericCommand: the smallest set is walked, and its members found
// in every other set are the result, in its order.
func (s *Server) sinter(c *client, keys [][]byte, dst []byte, cardOnly bool, limit int64) {
	sets, ok := s.lookupSets(c, keys)
	if !ok {
		return
	}
	if slices.Contains(sets, nil) {
		sets = nil // an intersection with an empty set is empty
	}
	// Smallest first; a stable sort, as glibc's qsort is for Redis.
	slices.SortStableFunc(sets, func(a, b *setObj) int { return a.length() - b.length() })
	var out []string
	var n int64
	if len(sets) > 0 {
		sets[0].each(func(m []byte) bool {
			for _, o := range sets[1:] {
				if o != sets[0] && !o.has(m) {
					return true
				}
			}
			n++
			if !cardOnly {
				out = append(out, string(m))
			}
			return !cardOnly || limit == 0 || n < limit
		})
	}
	switch {
	case cardOnly:
		c.w.Int(n)
	case dst != nil:
		res, lim := &setObj{}, s.setLimit()
		for _, m := range out {
			res.add(bytesOf(m), lim)
		}
		s.storeSet(c, dst, res)
	default:
		c.w.Set(len(out))
		for _, m := range out {
			c.w.BulkString(m)
		}
	}
}

// cmdSintercard is SINTERCARD numkeys key [key ...] [LIMIT limit].
func (s *Server) cmdSintercard(c *client, args [][]byte) {
	numkeys, ok := resp.ParseInt(args[1])
	if !ok || numkeys < 1 {
		c.w.Error(resp.MsgNumkeys)
		return
	}
	if numkeys > int64(len(args)-2) {
		c.w.Error(resp.MsgNumkeysTooMany)
		return
	}
	var limit int64
	for j := 2 + int(numkeys); j < len(args); j++ {
		if !optIs(args[j], "limit") || j+1 == len(args) {
			c.w.Error(resp.MsgSyntax)
			return
		}
		j++
		if limit, ok = resp.ParseInt(args[j]); !ok || limit < 0 {
			c.w.Error(resp.MsgLimitNegative)
			return
		}
	}
	s.sinter(c, args[2:2+numkeys], nil, true, limit)
}

// setUnion returns a new set of the members of sets (nil ones are empty).
func (s *Server) setUnion(sets []*setObj) *setObj {
	res, lim := &setObj{}, s.setLimit()
	for _, set := range sets {
		if set != nil {
			set.each(func(m []byte) bool { res.add(m, lim); return true })
		}
	}
	return res
}

// sunionDiff is SUNION, SDIFF (diff), and with dst their STORE forms, as
// Redis's sunionDiffGenericCommand: the result is built in a new set,
// which is an intset while it can be, so its order and encoding are
// Redis's.
func (s *Server) sunionDiff(c *client, keys [][]byte, dst []byte, diff bool) {
	sets, ok := s.lookupSets(c, keys)
	if !ok {
		return
	}
	var res *setObj
	if diff {
		res = s.setDiff(sets)
	} else {
		res = s.setUnion(sets)
	}
	if dst != nil {
		s.storeSet(c, dst, res)
		return
	}
	writeSet(c, res)
}

// setDiff returns a new set of the members of sets[0] in no other set, with
// the algorithm Redis would choose, since it decides the result's
// encoding: either the first set's members not found in the others are
// added (algorithm 1), or all of the first set's are added and the
// others' removed (algorithm 2, a hash table if the first set's members
// would make one).
func (s *Server) setDiff(sets []*setObj) *setObj {
	res, lim := &setObj{}, s.setLimit()
	first := sets[0]
	if first == nil || slices.Contains(sets[1:], first) {
		return res
	}
	var work1, work2 int
	for _, set := range sets {
		if set != nil {
			work1 += first.length()
			work2 += set.length()
		}
	}
	if work1/2 <= work2 {
		first.each(func(m []byte) bool {
			for _, o := range sets[1:] {
				if o != nil && o.has(m) {
					return true
				}
			}
			res.add(m, lim)
			return true
		})
		return res
	}
	first.each(func(m []byte) bool { res.add(m, lim); return true })
	for _, o := range sets[1:] {
		if o != nil && res.length() > 0 {
			o.each(func(m []byte) bool { res.remove(m); return res.length() > 0 })
		}
	}
	return res
}

// cmdSscan is SSCAN key cursor [MATCH pattern] [COUNT count]. As in
// Redis, the cursor is checked first, then the key, then the options; an
// intset answers all its members at once with cursor 0.
func (s *Server) cmdSscan(c *client, args [][]byte) {
	if _, ok := parseCursor(args[2]); !ok {
		c.w.Error(resp.MsgInvalidCursor)
		return
	}
	set, e, ok := s.lookupSet(c, args[1])
	if !ok {
		return
	}
	if e == nil {
		writeSetScan(c, 0, nil)
		return
	}
	o, errText := parseScanArgs(args[2], args[3:], false)
	if errText != "" {
		c.w.Error(errText)
		return
	}
	var found []string
	cursor := uint64(0)
	if set.ht == nil {
		set.each(func(m []byte) bool { found = append(found, string(m)); return true })
	} else {
		cursor = o.cursor
		// Redis's bound: at most count*10 buckets a call.
		for iter := min(o.count, math.MaxInt64/10) * 10; ; {
			cursor = set.ht.scan(cursor, func(m string) { found = append(found, m) })
			iter--
			if cursor == 0 || iter < 0 || int64(len(found)) >= o.count {
				break
			}
		}
	}
	if o.match != nil {
		found = slices.DeleteFunc(found, func(m string) bool { return !globMatch(o.match, bytesOf(m)) })
	}
	writeSetScan(c, cursor, found)
}

// writeSetScan writes a scan's reply: the next cursor and the members found.
func writeSetScan(c *client, cursor uint64, found []string) {
	c.w.Array(2)
	c.w.BulkString(strconv.FormatUint(cursor, 10))
	c.w.Array(len(found))
	for _, m := range found {
		c.w.BulkString(m)
	}
}
