package server

import (
	"github.com/remoted/remoted/resp"
)

// commandsObject handles OBJECT, which looks inside a key's value without
// touching it (its LRU clock and LFU counter stay as they are).
func (s *Server) commandsObject(r *registry) {
	r.key("object|encoding", s.objectCmd(func(s *Server, c *client, e *entry) {
		c.w.BulkString(s.db.encoding(e))
	}))
	r.key("object|refcount", s.objectCmd(func(s *Server, c *client, e *entry) {
		c.w.Int(s.db.refcount(e))
	}))
	r.key("object|idletime", s.objectCmd(func(s *Server, c *client, e *entry) {
		if evictPolicy(s.db.evict.policy.Load()).lfu() {
			c.w.Error(resp.MsgObjectIdleLFU)
			return
		}
		c.w.Int(int64(s.db.idleMs(e) / 1000))
	}))
	r.key("object|freq", s.objectCmd(func(s *Server, c *client, e *entry) {
		if !evictPolicy(s.db.evict.policy.Load()).lfu() {
			c.w.Error(resp.MsgObjectFreqNotLFU)
			return
		}
		c.w.Int(int64(s.db.lfuDecayed(e)))
	}))
	r.plain("object|help", func(c *client, args [][]byte) { c.writeHelp(objectHelp) })
}

// objectCmd returns the handler of an OBJECT subcommand on a key: a
// missing key answers null, as in Redis.
func (s *Server) objectCmd(fn func(s *Server, c *client, e *entry)) handlerFunc {
	return func(c *client, args [][]byte) {
		e := s.db.peekLive(args[2])
		if e == nil {
			c.w.Null()
			return
		}
		fn(s, c, e)
	}
}

// Redis's string representations and their limits.
const (
	embstrMax      = 44    // OBJ_ENCODING_EMBSTR_SIZE_LIMIT
	sharedIntegers = 10000 // OBJ_SHARED_INTEGERS: 0..9999 are shared
)

// encoding is OBJECT ENCODING's answer: for a collection its type's, for
// a string the representation Redis 7.0 would have given it (see
// stringEncoding).
func (db *keyspace) encoding(e *entry) string {
	if e.kind() != kindString {
		return db.obj(e).encoding()
	}
	return stringEncoding(e.val, e.flags())
}

// stringEncoding is the representation Redis gives a string: "raw" once
// APPEND or SETRANGE wrote it in place (or SETRANGE created it); "int"
// for an integer of at most 20 characters in canonical form, unless
// INCRBYFLOAT stored it; "embstr" up to 44 bytes; "raw" beyond.
func stringEncoding(v []byte, flags uint32) string {
	switch {
	case flags&rawString != 0:
		return "raw"
	case flags&floatString == 0 && len(v) <= 20 && isCanonicalInt(v):
		return "int"
	case len(v) <= embstrMax:
		return "embstr"
	}
	return "raw"
}

// isCanonicalInt reports whether v is an int64 written as Redis's
// string2ll accepts and ll2string would write it back.
func isCanonicalInt(v []byte) bool {
	_, ok := resp.ParseInt(v)
	return ok && (len(v) == 1 || (v[0] != '0' && (v[0] != '-' || v[1] != '0')))
}

// refcount is OBJECT REFCOUNT's answer: Redis shares the integers 0 to
// 9999 among all keys (refcount INT_MAX) unless an LRU or LFU maxmemory
// policy is set; any other value has one reference.
func (db *keyspace) refcount(e *entry) int64 {
	p := evictPolicy(db.evict.policy.Load())
	lruOrLFU := db.evict.maxmemory.Load() != 0 && (p == allkeysLRU || p == volatileLRU || p.lfu())
	if e.kind() == kindString && !lruOrLFU && stringEncoding(e.val, e.flags()) == "int" {
		if n, _ := resp.ParseInt(e.val); n >= 0 && n < sharedIntegers {
			return 1<<31 - 1
		}
	}
	return 1
}

var objectHelp = []string{
	"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"ENCODING <key>",
	"    Return the kind of internal representation used in order to store the value",
	"    associated with a <key>.",
	"FREQ <key>",
	"    Return the access frequency index of the <key>. The returned integer is",
	"    proportional to the logarithm of the recent access frequency of the key.",
	"IDLETIME <key>",
	"    Return the idle time of the <key>, that is the approximated number of",
	"    seconds elapsed since the last access to the key.",
	"REFCOUNT <key>",
	"    Return the number of references of the value associated with the specified",
	"    <key>.",
	"HELP",
	"    Prints this help.",
}
