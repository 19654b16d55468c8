package server

import (
	"errors"
	"math"

	"github.com/remoted/remoted/internal/rdb"
	"github.com/remoted/remoted/resp"
)

// DUMP and RESTORE, in Redis 7.0's serialisation (internal/rdb): a value
// dumped by remoted restores in Redis and the other way round. DUMP
// writes each value in the encoding it has (a listpack hash as a
// listpack, a hash table as a hash), as Redis does, so that the payload
// of a value both servers hold in the same encoding is the same bytes,
// but for Redis's LZF compression of long strings, which remoted reads
// and does not write. RESTORE rebuilds a value by adding its elements, so
// it gets the encoding Redis would give it under the same limits.

func (s *Server) commandsDump(r *registry) {
	r.key("dump", s.cmdDump)
	r.key("restore", s.cmdRestore)
}

func (s *Server) cmdDump(c *client, args [][]byte) {
	e := s.db.getBytes(args[1])
	if e == nil {
		c.w.Null()
		return
	}
	c.w.Bulk(s.db.dump(e))
}

// dump is the DUMP payload of the live entry e.
func (db *keyspace) dump(e *entry) []byte {
	if e.kind() == kindString {
		return rdb.Dump(rdb.Value{Kind: rdb.String, Str: e.val})
	}
	o := db.obj(e)
	enc := rdb.Full
	switch o.encoding() {
	case "listpack", "intset":
		enc = rdb.Compact
	}
	v := rdb.Value{}
	switch o := o.(type) {
	case *hashObj:
		v.Kind = rdb.Hash
		o.each(func(field, val []byte) bool {
			v.Hash = append(v.Hash, rdb.Pair{Field: field, Value: val})
			return true
		})
	case *setObj:
		v.Kind = rdb.Set
		o.each(func(m []byte) bool {
			v.Set = append(v.Set, append([]byte(nil), m...)) // an intset's m is a scratch buffer
			return true
		})
	case *zset:
		v.Kind = rdb.ZSet
		o.each(func(z zsEntry) bool {
			v.ZSet = append(v.ZSet, rdb.ScoredMember{Member: []byte(z.member), Score: z.score})
			return true
		})
	case *list:
		v.Kind = rdb.List
		enc = rdb.Auto
		o.each(func(el []byte) bool {
			v.List = append(v.List, el)
			return true
		})
	}
	return rdb.DumpEncoded(v, enc)
}

// restoreOpts are RESTORE's options.
type restoreOpts struct {
	replace, absTTL bool
	idle, freq      int64 // -1: not given
}

// parseRestore parses RESTORE's options in Redis's order: IDLETIME and
// FREQ exclude each other (the second is a syntax error).
func parseRestore(args [][]byte) (restoreOpts, string) {
	o := restoreOpts{idle: -1, freq: -1}
	for j := 4; j < len(args); j++ {
		more := j+1 < len(args)
		switch {
		case optIs(args[j], "replace"):
			o.replace = true
		case optIs(args[j], "absttl"):
			o.absTTL = true
		case optIs(args[j], "idletime") && more && o.freq == -1:
			j++
			n, ok := resp.ParseInt(args[j])
			switch {
			case !ok:
				return o, resp.MsgNotInteger
			case n < 0:
				return o, resp.MsgRestoreIdle
			}
			o.idle = n
		case optIs(args[j], "freq") && more && o.idle == -1:
			j++
			n, ok := resp.ParseInt(args[j])
			switch {
			case !ok:
				return o, resp.MsgNotInteger
			case n < 0 || n > 255:
				return o, resp.MsgRestoreFreq
			}
			o.freq = n
		default:
			return o, resp.MsgSyntax
		}
	}
	return o, ""
}

// cmdRestore is RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s]
// [FREQ f], checking in Redis's order: options, an existing key, the TTL,
// the payload's version and checksum, then its contents.
func (s *Server) cmdRestore(c *client, args [][]byte) {
	o, errText := parseRestore(args)
	if errText != "" {
		c.w.Error(errText)
		return
	}
	db := s.db
	key := args[1]
	old := db.getBytes(key)
	if !o.replace && old != nil {
		c.w.Error(resp.MsgBusyKey)
		return
	}
	ttl, ok := resp.ParseInt(args[2])
	switch {
	case !ok:
		c.w.Error(resp.MsgNotInteger)
		return
	case ttl < 0:
		c.w.Error(resp.MsgRestoreTTL)
		return
	}
	v, err := rdb.Restore(args[3])
	switch {
	case errors.Is(err, rdb.ErrPayload):
		c.w.Error(resp.MsgDumpPayload)
		return
	case err != nil: // a stream too: remoted has none yet
		c.w.Error(resp.MsgBadData)
		return
	}
	if old != nil {
		db.removeEntry(old)
		db.dirty++
	}
	if ttl != 0 && !o.absTTL {
		if ttl > math.MaxInt64-db.now {
			ttl = math.MaxInt64
		} else {
			ttl += db.now
		}
	}
	if ttl != 0 && ttl <= db.now {
		c.w.OK() // already expired: nothing is stored, as in Redis
		return
	}
	e := db.restoreValue(key, v)
	if ttl != 0 {
		db.setExpiry(e, ttl)
	}
	db.restoreClock(e, o)
	db.dirty++
	c.w.OK()
}

// restoreValue stores v, a restored value, under key, which is free.
func (db *keyspace) restoreValue(key []byte, v rdb.Value) *entry {
	lim := &db.enc
	var o object
	switch v.Kind {
	case rdb.String:
		return db.insert(key, v.Str, 0)
	case rdb.Hash:
		h := newHashObj(0)
		for _, p := range v.Hash {
			h.set(p.Field, p.Value, lim)
		}
		o = h
	case rdb.Set:
		st := &setObj{}
		for _, m := range v.Set {
			st.add(m, lim.setIntset.Load())
		}
		o = st
	case rdb.ZSet:
		entries := make([]zsEntry, len(v.ZSet))
		for i, m := range v.ZSet {
			entries[i] = zsEntry{member: string(m.Member), score: m.Score}
		}
		o = zsetFrom(entries, lim)
	case rdb.List:
		l := newList(lim.listSize.Load())
		for _, el := range v.List {
			l.push(el, false)
		}
		o = l
	}
	e := db.insertObj(key, o)
	db.objChanged(e, 0)
	return e
}

// restoreClock applies RESTORE's IDLETIME (under an LRU policy) or FREQ
// (under an LFU policy) to the new entry, as Redis's objectSetLRUOrLFU.
func (db *keyspace) restoreClock(e *entry, o restoreOpts) {
	lfu := evictPolicy(db.evict.policy.Load()).lfu()
	switch {
	case lfu && o.freq >= 0:
		e.setClock(lfuMinutes(db.now)<<8 | uint32(o.freq))
	case !lfu && o.idle >= 0:
		now := int64(lruClock(db.now))
		then := now - o.idle
		if then < 0 { // before the clock wrapped: as long ago as it can say
			then = (now + lruClockMax/2) % lruClockMax
		}
		e.setClock(uint32(then))
	}
}
