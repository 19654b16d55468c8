package server

import (
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/remoted/remoted/resp"
)

// commandsHash handles the hash commands (see type_hash.go for the
// structure).
func (s *Server) commandsHash(r *registry) {
	r.key("hset", s.cmdHset)
	r.key("hmset", s.cmdHset)
	r.key("hsetnx", s.cmdHsetnx)
	r.key("hget", s.cmdHget)
	r.key("hmget", s.cmdHmget)
	r.key("hgetall", s.cmdHgetall)
	r.key("hdel", s.cmdHdel)
	r.key("hexists", s.cmdHexists)
	r.key("hlen", s.cmdHlen)
	r.key("hstrlen", s.cmdHstrlen)
	r.key("hkeys", s.cmdHkeys)
	r.key("hvals", s.cmdHvals)
	r.key("hincrby", s.cmdHincrby)
	r.key("hincrbyfloat", s.cmdHincrbyfloat)
	r.key("hrandfield", s.cmdHrandfield)
	r.key("hscan", s.cmdHscan)
}

// readHash returns the hash under key, nil if there is none; ok is false
// if the key holds another type, answered with WRONGTYPE.
func (s *Server) readHash(c *client, key []byte) (h *hashObj, ok bool) {
	h, _, errText := getTyped[*hashObj](s.db, key)
	if errText != "" {
		c.w.Error(errText)
		return nil, false
	}
	return h, true
}

// writeHash returns the hash under key and its entry, creating an empty
// one if there is none, with room for the encoded strs (the caller must
// then add to it and call objChanged); ok is false if the key holds
// another type, answered with WRONGTYPE. An existing listpack gets that
// room too, so that the command grows it once.
func (s *Server) writeHash(c *client, key []byte, strs ...[]byte) (h *hashObj, e *entry, ok bool) {
	room := 0
	for _, a := range strs {
		room += uvarintLen(len(a)) + len(a)
	}
	h, e, errText := getTyped[*hashObj](s.db, key)
	switch {
	case errText != "":
		c.w.Error(errText)
		return nil, nil, false
	case e == nil:
		h = newHashObj(room)
		return h, s.db.insertObj(key, h), true
	}
	h.reserve(room)
	return h, e, true
}

// cmdHset serves HSET, which replies with the number of new fields, and
// HMSET, which replies OK.
func (s *Server) cmdHset(c *client, args [][]byte) {
	hmset := optIs(args[0], "hmset")
	if len(args)%2 != 0 {
		name := "hset"
		if hmset {
			name = "hmset"
		}
		c.w.Error(resp.MsgWrongArgs(name))
		return
	}
	h, e, ok := s.writeHash(c, args[1], args[2:]...)
	if !ok {
		return
	}
	added := 0
	for i := 2; i < len(args); i += 2 {
		if h.set(args[i], args[i+1], &s.db.enc) {
			added++
		}
	}
	h.trim()
	s.db.objChanged(e, (len(args)-2)/2)
	if hmset {
		c.w.OK()
		return
	}
	c.w.Int(int64(added))
}

func (s *Server) cmdHsetnx(c *client, args [][]byte) {
	h, e, ok := s.writeHash(c, args[1])
	if !ok {
		return
	}
	if _, found := h.get(args[2]); found {
		c.w.Int(0)
		return
	}
	h.set(args[2], args[3], &s.db.enc)
	h.trim()
	s.db.objChanged(e, 1)
	c.w.Int(1)
}

func (s *Server) cmdHget(c *client, args [][]byte) {
	h, ok := s.readHash(c, args[1])
	if !ok {
		return
	}
	if h != nil {
		if v, found := h.get(args[2]); found {
			c.w.Bulk(v)
			return
		}
	}
	c.w.Null()
}

func (s *Server) cmdHmget(c *client, args [][]byte) {
	h, ok := s.readHash(c, args[1])
	if !ok {
		return
	}
	c.w.Array(len(args) - 2)
	for _, f := range args[2:] {
		if h != nil {
			if v, found := h.get(f); found {
				c.w.Bulk(v)
				continue
			}
		}
		c.w.Null()
	}
}

// hashLen is h's number of pairs, 0 for a missing hash.
func hashLen(h *hashObj) int {
	if h == nil {
		return 0
	}
	return h.length()
}

func (s *Server) cmdHgetall(c *client, args [][]byte) {
	h, ok := s.readHash(c, args[1])
	if !ok {
		return
	}
	c.w.Map(hashLen(h))
	if h != nil {
		h.each(func(f, v []byte) bool {
			c.w.Bulk(f)
			c.w.Bulk(v)
			return true
		})
	}
}

// hashList writes the fields (values false) or the values of the hash
// under args[1], as HKEYS and HVALS do.
func (s *Server) hashList(c *client, args [][]byte, values bool) {
	h, ok := s.readHash(c, args[1])
	if !ok {
		return
	}
	c.w.Array(hashLen(h))
	if h != nil {
		h.each(func(f, v []byte) bool {
			if values {
				f = v
			}
			c.w.Bulk(f)
			return true
		})
	}
}

func (s *Server) cmdHkeys(c *client, args [][]byte) { s.hashList(c, args, false) }

func (s *Server) cmdHvals(c *client, args [][]byte) { s.hashList(c, args, true) }

func (s *Server) cmdHdel(c *client, args [][]byte) {
	h, e, errText := getTyped[*hashObj](s.db, args[1])
	if errText != "" {
		c.w.Error(errText)
		return
	}
	deleted := 0
	if h != nil {
		for _, f := range args[2:] {
			if h.del(f) {
				deleted++
			}
		}
	}
	if deleted > 0 {
		h.trim()
		s.db.objChanged(e, deleted)
	}
	c.w.Int(int64(deleted))
}

func (s *Server) cmdHexists(c *client, args [][]byte) {
	h, ok := s.readHash(c, args[1])
	if !ok {
		return
	}
	found := false
	if h != nil {
		_, found = h.get(args[2])
	}
	c.w.Int(boolInt(found))
}

// boolInt is 1 for true, 0 for false.
func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (s *Server) cmdHlen(c *client, args [][]byte) {
	if h, ok := s.readHash(c, args[1]); ok {
		c.w.Int(int64(hashLen(h)))
	}
}

func (s *Server) cmdHstrlen(c *client, args [][]byte) {
	h, ok := s.readHash(c, args[1])
	if !ok {
		return
	}
	var v []byte
	if h != nil {
		v, _ = h.get(args[2])
	}
	c.w.Int(int64(len(v)))
}

// cmdHincrby adds an integer to a field's value, a missing field
// counting as 0. As in Redis the increment is checked before the key.
func (s *Server) cmdHincrby(c *client, args [][]byte) {
	incr, ok := resp.ParseInt(args[3])
	if !ok {
		c.w.Error(resp.MsgNotInteger)
		return
	}
	h, e, ok := s.writeHash(c, args[1])
	if !ok {
		return
	}
	var cur int64
	if v, found := h.get(args[2]); found {
		if cur, ok = resp.ParseInt(v); !ok {
			c.w.Error(resp.MsgHashNotInteger)
			return
		}
	}
	if cur, ok = addInt64(cur, incr); !ok {
		c.w.Error(resp.MsgOverflow)
		return
	}
	h.set(args[2], strconv.AppendInt(nil, cur, 10), &s.db.enc)
	h.trim()
	s.db.objChanged(e, 1)
	c.w.Int(cur)
}

// cmdHincrbyfloat adds a number to a field's value in long double, as
// INCRBYFLOAT does (incrFloat), with the hash's own error texts: an
// infinite increment and a value that is not a number are refused.
func (s *Server) cmdHincrbyfloat(c *client, args [][]byte) {
	incr, ok := parseLongDouble(args[3])
	if !ok {
		c.w.Error(resp.MsgNotFloat)
		return
	}
	if incr.IsInf() {
		c.w.Error(resp.MsgNaNOrInfinityArg)
		return
	}
	h, e, ok := s.writeHash(c, args[1])
	if !ok {
		return
	}
	cur, found := h.get(args[2])
	if found {
		if _, ok := parseLongDouble(cur); !ok {
			c.w.Error(resp.MsgHashNotFloat)
			return
		}
	}
	val, errText := incrFloat(cur, args[3], found)
	if errText != "" {
		c.w.Error(errText)
		return
	}
	h.set(args[2], val, &s.db.enc)
	h.trim()
	s.db.objChanged(e, 1)
	c.w.Bulk(val)
}

// cmdHrandfield replies with a random field, or with COUNT fields:
// distinct ones for a positive count (the whole hash, in its order, if
// the count reaches its length), possibly repeated ones for a negative
// count; WITHVALUES adds each one's value, as a [field, value] pair in
// RESP3.
func (s *Server) cmdHrandfield(c *client, args [][]byte) {
	if len(args) == 2 {
		h, ok := s.readHash(c, args[1])
		switch {
		case !ok:
		case h == nil:
			c.w.Null()
		default:
			f, _ := h.random()
			c.w.Bulk(f)
		}
		return
	}
	count, ok := resp.ParseInt(args[2])
	switch {
	case !ok:
		c.w.Error(resp.MsgNotInteger)
		return
	case count == math.MinInt64:
		c.w.Error(resp.MsgLongRange(-math.MaxInt64, math.MaxInt64))
		return
	case len(args) > 4 || (len(args) == 4 && !optIs(args[3], "withvalues")):
		c.w.Error(resp.MsgSyntax)
		return
	}
	withValues := len(args) == 4
	if withValues && (count < -math.MaxInt64/2 || count > math.MaxInt64/2) {
		c.w.Error(resp.MsgOutOfRange)
		return
	}
	h, ok := s.readHash(c, args[1])
	if !ok {
		return
	}
	if h == nil || count == 0 {
		c.w.Array(0)
		return
	}
	pairs := c.w.Proto() == 3 && withValues
	header := func(n int64) {
		if withValues && !pairs {
			n *= 2
		}
		c.w.Array(int(n))
	}
	write := func(f, v []byte) bool {
		if pairs {
			c.w.Array(2)
		}
		c.w.Bulk(f)
		if withValues {
			c.w.Bulk(v)
		}
		return true
	}
	size := int64(h.length())
	switch {
	case count < 0:
		header(-count)
		for range -count {
			write(h.random())
		}
	case count >= size:
		header(size)
		h.each(write)
	default:
		header(count)
		h.sample(int(count), write)
	}
}

// sample calls fn for n distinct pairs chosen at random, n less than the
// hash's length: a selection in the hash's order when n is a good part
// of it, else random draws until n distinct fields came up.
func (h *hashObj) sample(n int, fn func(field, val []byte) bool) {
	size := h.length()
	if h.table() == nil || n*3 > size {
		left := size
		h.each(func(f, v []byte) bool {
			if rand.IntN(left) < n {
				fn(f, v)
				n--
			}
			left--
			return n > 0
		})
		return
	}
	seen := make(map[string]bool, n)
	for len(seen) < n {
		f, v := h.random()
		if !seen[string(f)] {
			seen[string(f)] = true
			fn(f, v)
		}
	}
}

// cmdHscan replies with a listpack hash's every pair (filtered by
// MATCH) and cursor 0, as Redis does, and walks a hashtable's buckets
// with Redis's cursor. As in Redis, a bad cursor is refused before the
// key is looked up, the other options after.
func (s *Server) cmdHscan(c *client, args [][]byte) {
	o, errText := parseScanArgs(args[2], args[3:], false)
	if errText == resp.MsgInvalidCursor {
		c.w.Error(errText)
		return
	}
	h, ok := s.readHash(c, args[1])
	switch {
	case !ok:
		return
	case h == nil:
		c.w.Array(2)
		c.w.BulkString("0")
		c.w.Array(0)
		return
	case errText != "":
		c.w.Error(errText)
		return
	}
	var items [][]byte
	collect := func(f, v []byte) bool {
		if o.match == nil || globMatch(o.match, f) {
			items = append(items, f, v)
		}
		return true
	}
	cursor := uint64(0)
	if t := h.table(); t == nil {
		h.each(collect)
	} else {
		// Redis counts visited fields and values against COUNT, and
		// filters afterwards; it visits at most 10*COUNT buckets.
		visited, budget := int64(0), int64(math.MaxInt64)
		if o.count <= math.MaxInt64/10 {
			budget = o.count * 10
		}
		cursor = o.cursor
		for {
			cursor = t.scanBucket(cursor, func(f, v []byte) {
				visited += 2
				collect(f, v)
			})
			if cursor == 0 || budget == 0 || visited >= o.count {
				break
			}
			budget--
		}
	}
	c.w.Array(2)
	c.w.BulkString(strconv.FormatUint(cursor, 10))
	c.w.Array(len(items))
	for _, b := range items {
		c.w.Bulk(b)
	}
}
