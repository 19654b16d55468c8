package server

import (
	"bytes"
	"math"
	"time"

	"github.com/remoted/remoted/resp"
)

// commandsList handles the list commands: pushes and pops at either end,
// positions and ranges, moves between lists, and their blocking forms.
func (s *Server) commandsList(r *registry) {
	r.key("lpush", s.cmdPush(true, false))
	r.key("rpush", s.cmdPush(false, false))
	r.key("lpushx", s.cmdPush(true, true))
	r.key("rpushx", s.cmdPush(false, true))
	r.key("lpop", s.cmdPop(true))
	r.key("rpop", s.cmdPop(false))
	r.key("llen", s.cmdLlen)
	r.key("lrange", s.cmdLrange)
	r.key("lindex", s.cmdLindex)
	r.key("lset", s.cmdLset)
	r.key("lrem", s.cmdLrem)
	r.key("ltrim", s.cmdLtrim)
	r.key("linsert", s.cmdLinsert)
	r.key("lpos", s.cmdLpos)
	r.key("lmove", s.cmdLmove)
	r.key("rpoplpush", s.cmdRpoplpush)
	r.key("lmpop", s.cmdLmpop)
	r.key("blpop", s.cmdBpop(true))
	r.key("brpop", s.cmdBpop(false))
	r.key("blmove", s.cmdBlmove)
	r.key("brpoplpush", s.cmdBrpoplpush)
	r.key("blmpop", s.cmdBlmpop)
}

// getList returns the list under key, or nil for a missing key; ok is
// false, with WRONGTYPE written, if the key holds another type.
func (s *Server) getList(c *client, key []byte) (l *list, e *entry, ok bool) {
	l, e, errText := getTyped[*list](s.db, key)
	if errText != "" {
		c.w.Error(errText)
		return nil, nil, false
	}
	return l, e, true
}

// existingList returns the list under key; for a missing key it calls
// missing, which writes the command's reply, and for a key of another
// type it writes WRONGTYPE; ok is true only for a list.
func (s *Server) existingList(c *client, key []byte, missing func()) (l *list, e *entry, ok bool) {
	l, e, ok = s.getList(c, key)
	if ok && l == nil {
		missing()
		return nil, nil, false
	}
	return l, e, ok
}

// pushTo pushes vals onto the list l under the entry e, creating the list
// (and e) under key when l is nil, and accounts for the change.
func (s *Server) pushTo(key []byte, l *list, e *entry, front bool, vals ...[]byte) *list {
	if l == nil {
		l = newList(s.db.enc.listSize.Load())
		e = s.db.insertObj(key, l)
	}
	for _, v := range vals {
		l.push(v, front)
	}
	s.db.objChanged(e, len(vals))
	return l
}

// cmdPush is LPUSH or RPUSH (front: at the head), or with onlyExisting
// LPUSHX or RPUSHX, which push nothing to a missing key.
func (s *Server) cmdPush(front, onlyExisting bool) handlerFunc {
	return func(c *client, args [][]byte) {
		l, e, ok := s.getList(c, args[1])
		if !ok {
			return
		}
		if l == nil && onlyExisting {
			c.w.Int(0)
			return
		}
		l = s.pushTo(args[1], l, e, front, args[2:]...)
		c.w.Int(int64(l.length()))
	}
}

// whereArg parses LEFT or RIGHT, returning true for LEFT (the head).
func whereArg(arg []byte) (front bool, ok bool) {
	switch {
	case optIs(arg, "left"):
		return true, true
	case optIs(arg, "right"):
		return false, true
	}
	return false, false
}

// popN pops up to n elements of l, under e, from the head (front) or
// the tail, writing them as an array, and accounts for the change.
func (s *Server) popN(c *client, l *list, e *entry, n int64, front bool) {
	n = min(n, int64(l.length()))
	c.w.Array(int(n))
	for range n {
		c.w.Bulk(l.pop(front))
	}
	if n > 0 { // a count of 0 changes nothing, for WATCH too
		s.db.objChanged(e, int(n))
	}
}

// cmdPop is LPOP (front) or RPOP: one element, or with a count an array
// of up to count elements.
func (s *Server) cmdPop(front bool) handlerFunc {
	return func(c *client, args [][]byte) {
		if len(args) > 3 {
			c.w.Error(resp.MsgWrongArgs(lowerASCII(args[0])))
			return
		}
		count, errText := popCount(args)
		if errText != "" {
			c.w.Error(errText)
			return
		}
		l, e, ok := s.getList(c, args[1])
		switch {
		case !ok:
		case l == nil && count < 0:
			c.w.Null()
		case l == nil:
			c.w.NullArray()
		case count < 0:
			c.w.Bulk(l.pop(front))
			s.db.objChanged(e, 1)
		default:
			s.popN(c, l, e, count, front)
		}
	}
}

func (s *Server) cmdLlen(c *client, args [][]byte) {
	if l, _, ok := s.getList(c, args[1]); ok {
		c.w.Int(int64(listLen(l)))
	}
}

// listLen is the length of l, 0 for a missing list.
func listLen(l *list) int {
	if l == nil {
		return 0
	}
	return l.length()
}

// listRange converts LRANGE's and LTRIM's start and stop, which count
// from the tail when negative, into the first position and the number
// of elements of a list of n elements; count is 0 for an empty range.
func listRange(start, stop int64, n int) (first, count int) {
	lo, hi := rankSpan(n, start, stop, false)
	if lo > hi {
		return 0, 0
	}
	return lo, hi - lo + 1
}

// intArgs parses args as integers, answering the first that is not one
// with Redis's error.
func intArgs(c *client, args ...[]byte) ([]int64, bool) {
	out := make([]int64, len(args))
	for i, a := range args {
		n, ok := resp.ParseInt(a)
		if !ok {
			c.w.Error(resp.MsgNotInteger)
			return nil, false
		}
		out[i] = n
	}
	return out, true
}

func (s *Server) cmdLrange(c *client, args [][]byte) {
	r, ok := intArgs(c, args[2], args[3])
	if !ok {
		return
	}
	l, _, ok := s.getList(c, args[1])
	if !ok {
		return
	}
	first, n := listRange(r[0], r[1], listLen(l))
	c.w.Array(n)
	if n == 0 {
		return
	}
	l.rangeFrom(first, func(v []byte) bool {
		c.w.Bulk(v)
		n--
		return n > 0
	})
}

func (s *Server) cmdLtrim(c *client, args [][]byte) {
	r, ok := intArgs(c, args[2], args[3])
	if !ok {
		return
	}
	l, e, ok := s.getList(c, args[1])
	if !ok {
		return
	}
	if l != nil {
		length := l.length()
		first, n := listRange(r[0], r[1], length)
		l.removeRange(first+n, length-first-n)
		l.removeRange(0, first)
		s.db.objChanged(e, length-n)
	}
	c.w.OK()
}

// listIndex converts an index counting from the tail when negative into
// a position of a list of n elements; ok is false past either end.
func listIndex(i int64, n int) (int, bool) {
	if i < 0 {
		i += int64(n)
	}
	return int(i), i >= 0 && i < int64(n)
}

func (s *Server) cmdLindex(c *client, args [][]byte) {
	l, _, ok := s.existingList(c, args[1], c.w.Null)
	if !ok {
		return
	}
	r, ok := intArgs(c, args[2])
	if !ok {
		return
	}
	if i, ok := listIndex(r[0], l.length()); ok {
		c.w.Bulk(l.index(i))
	} else {
		c.w.Null()
	}
}

func (s *Server) cmdLset(c *client, args [][]byte) {
	l, e, ok := s.existingList(c, args[1], func() { c.w.Error(resp.MsgNoSuchKey) })
	if !ok {
		return
	}
	r, ok := intArgs(c, args[2])
	if !ok {
		return
	}
	i, ok := listIndex(r[0], l.length())
	if !ok {
		c.w.Error(resp.MsgIndexOutOfRange)
		return
	}
	l.set(i, args[3])
	s.db.objChanged(e, 1)
	c.w.OK()
}

func (s *Server) cmdLrem(c *client, args [][]byte) {
	r, ok := intArgs(c, args[2])
	if !ok {
		return
	}
	l, e, ok := s.existingList(c, args[1], func() { c.w.Int(0) })
	if !ok {
		return
	}
	count := r[0]
	limit := 0
	if count != 0 {
		// A count beyond the list's length removes every match.
		limit = int(min(absInt64(count), int64(l.length())))
	}
	elem := args[3]
	n := l.removeMatches(func(v []byte) bool { return bytes.Equal(v, elem) }, limit, count < 0)
	if n > 0 {
		s.db.objChanged(e, n)
	}
	c.w.Int(int64(n))
}

// absInt64 is |n|, with -2^63 taken as 2^63-1.
func absInt64(n int64) int64 {
	if n >= 0 {
		return n
	}
	if n == math.MinInt64 {
		return math.MaxInt64
	}
	return -n
}

func (s *Server) cmdLinsert(c *client, args [][]byte) {
	var after bool
	switch {
	case optIs(args[2], "after"):
		after = true
	case optIs(args[2], "before"):
	default:
		c.w.Error(resp.MsgSyntax)
		return
	}
	l, e, ok := s.existingList(c, args[1], func() { c.w.Int(0) })
	if !ok {
		return
	}
	pos, i := -1, 0
	l.each(func(v []byte) bool {
		if bytes.Equal(v, args[3]) {
			pos = i
			return false
		}
		i++
		return true
	})
	if pos < 0 {
		c.w.Int(-1)
		return
	}
	if after {
		pos++
	}
	l.insert(pos, args[4])
	s.db.objChanged(e, 1)
	c.w.Int(int64(l.length()))
}

// lposOpts are LPOS's options; count is -1 without COUNT.
type lposOpts struct {
	rank, count, maxlen int64
}

// parseLposOpts parses LPOS's RANK, COUNT and MAXLEN, as Redis does: each
// may repeat, the last one wins.
func parseLposOpts(args [][]byte) (lposOpts, string) {
	o := lposOpts{rank: 1, count: -1}
	for i := 0; i < len(args); i++ {
		if i+1 == len(args) {
			return o, resp.MsgSyntax
		}
		var dst *int64
		switch {
		case optIs(args[i], "rank"):
			dst = &o.rank
		case optIs(args[i], "count"):
			dst = &o.count
		case optIs(args[i], "maxlen"):
			dst = &o.maxlen
		default:
			return o, resp.MsgSyntax
		}
		i++
		// RANK's value gets the integer error; COUNT's and MAXLEN's,
		// their own for a negative number, as in Redis.
		n, ok := resp.ParseInt(args[i])
		switch {
		case dst == &o.rank && !ok:
			return o, resp.MsgNotInteger
		case dst == &o.rank && n == 0:
			return o, resp.MsgLposRankZero
		case dst == &o.count && (!ok || n < 0):
			return o, resp.MsgLposCountNegative
		case dst == &o.maxlen && (!ok || n < 0):
			return o, resp.MsgLposMaxlenNegative
		}
		*dst = n
	}
	return o, ""
}

func (s *Server) cmdLpos(c *client, args [][]byte) {
	o, errText := parseLposOpts(args[3:])
	if errText != "" {
		c.w.Error(errText)
		return
	}
	l, _, ok := s.getList(c, args[1])
	if !ok {
		return
	}
	if l == nil {
		if o.count >= 0 {
			c.w.Array(0)
		} else {
			c.w.Null()
		}
		return
	}
	fromTail := o.rank < 0
	rank := o.rank
	if fromTail {
		rank = -rank // -2^63 stays negative: the first match counts, as in Redis
	}
	n := int64(l.length())
	var found []int64
	var scanned, matches int64
	visit := func(v []byte) bool {
		if o.maxlen != 0 && scanned >= o.maxlen {
			return false
		}
		pos := scanned
		if fromTail {
			pos = n - 1 - scanned
		}
		scanned++
		if !bytes.Equal(v, args[2]) {
			return true
		}
		matches++
		if matches < rank {
			return true
		}
		found = append(found, pos)
		return o.count == 0 || matches-rank+1 < o.count
	}
	if fromTail {
		l.rangeBack(visit)
	} else {
		l.each(visit)
	}
	if o.count >= 0 {
		c.w.Array(len(found))
		for _, p := range found {
			c.w.Int(p)
		}
		return
	}
	if len(found) == 0 {
		c.w.Null()
		return
	}
	c.w.Int(found[0])
}

// move pops an element of src (from the head when fromFront) and pushes
// it onto dst (at the head when toFront), as LMOVE does, and writes it;
// src is the live list under srcEntry. It checks dst's type first and
// answers WRONGTYPE without a change.
func (s *Server) move(c *client, src *list, srcEntry *entry, srcKey, dstKey []byte, fromFront, toFront bool) {
	if bytes.Equal(srcKey, dstKey) {
		v := src.pop(fromFront)
		src.push(v, toFront)
		s.db.objChanged(srcEntry, 1)
		c.w.Bulk(v)
		return
	}
	dst, dstEntry, ok := s.getList(c, dstKey)
	if !ok {
		return
	}
	v := src.pop(fromFront)
	s.db.objChanged(srcEntry, 0) // one change in all, counted by the push
	s.pushTo(dstKey, dst, dstEntry, toFront, v)
	c.w.Bulk(v)
}

func (s *Server) cmdLmove(c *client, args [][]byte) {
	from, ok1 := whereArg(args[3])
	to, ok2 := whereArg(args[4])
	if !ok1 || !ok2 {
		c.w.Error(resp.MsgSyntax)
		return
	}
	s.lmove(c, args[1], args[2], from, to)
}

func (s *Server) cmdRpoplpush(c *client, args [][]byte) {
	s.lmove(c, args[1], args[2], false, true)
}

// lmove is LMOVE: a null for a missing source.
func (s *Server) lmove(c *client, srcKey, dstKey []byte, from, to bool) {
	src, e, ok := s.getList(c, srcKey)
	switch {
	case !ok:
	case src == nil:
		c.w.Null()
	default:
		s.move(c, src, e, srcKey, dstKey, from, to)
	}
}

// mpopArgs are LMPOP's arguments after numkeys' position.
type mpopArgs struct {
	keys  [][]byte
	front bool
	count int64
}

// parseMpop parses LMPOP's numkeys, keys, LEFT|RIGHT and COUNT, args
// starting at numkeys.
func parseMpop(args [][]byte) (mpopArgs, string) {
	var m mpopArgs
	numkeys, ok := resp.ParseInt(args[0])
	if !ok || numkeys < 1 {
		return m, resp.MsgNumkeys
	}
	if numkeys >= int64(len(args))-1 {
		return m, resp.MsgSyntax
	}
	m.keys = args[1 : 1+numkeys]
	rest := args[1+numkeys:]
	if m.front, ok = whereArg(rest[0]); !ok {
		return m, resp.MsgSyntax
	}
	m.count = -1
	for i := 1; i < len(rest); i++ {
		if m.count != -1 || !optIs(rest[i], "count") || i+1 == len(rest) {
			return m, resp.MsgSyntax
		}
		i++
		n, ok := resp.ParseInt(rest[i])
		if !ok || n < 1 {
			return m, resp.MsgCountGreater
		}
		m.count = n
	}
	if m.count == -1 {
		m.count = 1
	}
	return m, ""
}

// mpop pops from the first non-empty list of m.keys, writing [key,
// elements], and reports whether it found one; it writes WRONGTYPE
// (and reports true) for a key of another type met first.
func (s *Server) mpop(c *client, m mpopArgs) bool {
	for _, key := range m.keys {
		l, e, ok := s.getList(c, key)
		if !ok {
			return true
		}
		if l != nil {
			s.popReply(c, key, l, e, m.count, m.front)
			return true
		}
	}
	return false
}

// popReply pops up to n elements of the list l under key (entry e) and
// writes LMPOP's reply: [key, [elements]].
func (s *Server) popReply(c *client, key []byte, l *list, e *entry, n int64, front bool) {
	c.w.Array(2)
	c.w.Bulk(key)
	s.popN(c, l, e, n, front)
}

func (s *Server) cmdLmpop(c *client, args [][]byte) {
	m, errText := parseMpop(args[1:])
	if errText != "" {
		c.w.Error(errText)
		return
	}
	if !s.mpop(c, m) {
		c.w.NullArray()
	}
}

// The blocking commands: each serves at once when one of its lists has
// an element, as its non-blocking form would; otherwise it blocks (see
// block.go), to be served when a list is created under one of its keys.

// cmdBpop is BLPOP (front) or BRPOP: [key, element] from the first
// non-empty list, or a null array at the timeout.
func (s *Server) cmdBpop(front bool) handlerFunc {
	return func(c *client, args [][]byte) {
		deadline, errText := blockDeadline(args[len(args)-1], c.now)
		if errText != "" {
			c.w.Error(errText)
			return
		}
		keys := args[1 : len(args)-1]
		serve := func(db *keyspace, key []byte) bool {
			l, e, _ := getTyped[*list](db, key)
			if l == nil {
				return false
			}
			c.w.Array(2)
			c.w.Bulk(key)
			c.w.Bulk(l.pop(front))
			db.objChanged(e, 1)
			return true
		}
		for _, key := range keys {
			l, _, ok := s.getList(c, key)
			if !ok {
				return
			}
			if l != nil {
				serve(s.db, key)
				return
			}
		}
		s.block(c, keys, deadline, serve, func() { c.w.NullArray() })
	}
}

// cmdBlmpop is BLMPOP: LMPOP that blocks while every list is missing.
func (s *Server) cmdBlmpop(c *client, args [][]byte) {
	m, errText := parseMpop(args[2:])
	var deadline time.Time
	if errText == "" { // the timeout is parsed last, as in Redis
		deadline, errText = blockDeadline(args[1], c.now)
	}
	if errText != "" {
		c.w.Error(errText)
		return
	}
	if s.mpop(c, m) {
		return
	}
	s.block(c, m.keys, deadline, func(db *keyspace, key []byte) bool {
		l, e, _ := getTyped[*list](db, key)
		if l == nil {
			return false
		}
		s.popReply(c, key, l, e, m.count, m.front)
		return true
	}, func() { c.w.NullArray() })
}

func (s *Server) cmdBlmove(c *client, args [][]byte) {
	from, ok1 := whereArg(args[3])
	to, ok2 := whereArg(args[4])
	if !ok1 || !ok2 {
		c.w.Error(resp.MsgSyntax)
		return
	}
	s.blmove(c, args[1], args[2], args[5], from, to)
}

func (s *Server) cmdBrpoplpush(c *client, args [][]byte) {
	s.blmove(c, args[1], args[2], args[3], false, true)
}

// blmove is BLMOVE: LMOVE that blocks while the source is missing. A
// client served once the source appears gets WRONGTYPE, and nothing
// moves, if the destination then holds another type.
func (s *Server) blmove(c *client, srcKey, dstKey, timeout []byte, from, to bool) {
	deadline, errText := blockDeadline(timeout, c.now)
	if errText != "" {
		c.w.Error(errText)
		return
	}
	src, e, ok := s.getList(c, srcKey)
	switch {
	case !ok:
	case src != nil:
		s.move(c, src, e, srcKey, dstKey, from, to)
	default:
		// Redis 7.0 answers a timeout with a null array, as for the
		// other blocking list commands, but a transaction, which does not
		// wait, with a null bulk string.
		inTx := c.execing
		s.block(c, [][]byte{srcKey}, deadline, func(db *keyspace, key []byte) bool {
			src, e, _ := getTyped[*list](db, key)
			if src == nil {
				return false
			}
			s.move(c, src, e, srcKey, dstKey, from, to)
			return true
		}, func() {
			if inTx {
				c.w.Null()
			} else {
				c.w.NullArray()
			}
		})
	}
}
