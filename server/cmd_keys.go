package server

import (
	"bytes"
	"math"
	"strconv"

	"github.com/remoted/remoted/resp"
)

// commandsKeyspace handles the commands on keys whatever their value:
// deletion, existence, listing (KEYS, SCAN, RANDOMKEY), renaming and
// copying, and expiry.
func (s *Server) commandsKeyspace(r *registry) {
	r.key("del", s.cmdDel)
	r.key("unlink", s.cmdDel)
	r.key("exists", s.cmdExists)
	r.key("touch", s.cmdExists)
	r.key("keys", s.cmdKeys)
	r.key("scan", s.cmdScan)
	r.key("type", s.cmdType)
	r.key("randomkey", s.cmdRandomKey)
	r.key("rename", s.cmdRename)
	r.key("renamenx", s.cmdRenameNX)
	r.key("copy", s.cmdCopy)
	r.key("expire", s.expireCmd(expireKind{name: "expire", unit: 1000, relative: true}))
	r.key("pexpire", s.expireCmd(expireKind{name: "pexpire", unit: 1, relative: true}))
	r.key("expireat", s.expireCmd(expireKind{name: "expireat", unit: 1000}))
	r.key("pexpireat", s.expireCmd(expireKind{name: "pexpireat", unit: 1}))
	r.key("ttl", s.ttlCmd(false, false))
	r.key("pttl", s.ttlCmd(true, false))
	r.key("expiretime", s.ttlCmd(false, true))
	r.key("pexpiretime", s.ttlCmd(true, true))
	r.key("persist", s.cmdPersist)
}

// cmdDel is DEL and UNLINK: the number of keys removed, a key named twice
// counted once.
func (s *Server) cmdDel(c *client, args [][]byte) {
	n := int64(0)
	for _, key := range args[1:] {
		if s.db.getBytes(key) != nil && s.db.del(string(key)) {
			n++
		}
	}
	c.w.Int(n)
}

// cmdExists is EXISTS and TOUCH: the number of keys that exist, a key
// named twice counted twice.
func (s *Server) cmdExists(c *client, args [][]byte) {
	n := int64(0)
	for _, key := range args[1:] {
		if s.db.getBytes(key) != nil {
			n++
		}
	}
	c.w.Int(n)
}

func (s *Server) cmdKeys(c *client, args [][]byte) {
	pattern := args[1]
	all := len(pattern) == 1 && pattern[0] == '*'
	var keys []string
	s.db.each(func(key string, _ *entry) {
		if all || globMatch(pattern, []byte(key)) {
			keys = append(keys, key)
		}
	})
	writeKeys(c.w, keys)
}

func writeKeys(w *resp.Writer, keys []string) {
	w.Array(len(keys))
	for _, k := range keys {
		w.BulkString(k)
	}
}

// scanOpts are SCAN's parsed arguments.
type scanOpts struct {
	cursor  uint64
	count   int64
	match   []byte // nil: every key
	typ     []byte
	hasType bool
}

// parseScan parses SCAN's arguments in Redis's order: the cursor first,
// then the options left to right, the first bad one reported.
func parseScan(args [][]byte) (scanOpts, string) { return parseScanArgs(args[1], args[2:], true) }

// parseScanArgs parses a cursor and the options after it: those of SCAN,
// or with keys false those of HSCAN, SSCAN and ZSCAN, which have no TYPE.
func parseScanArgs(cursor []byte, opts [][]byte, keys bool) (scanOpts, string) {
	o := scanOpts{count: 10}
	var ok bool
	if o.cursor, ok = parseCursor(cursor); !ok {
		return o, resp.MsgInvalidCursor
	}
	args := opts
	for i := 0; i < len(args); i += 2 {
		if i+1 >= len(args) {
			return o, resp.MsgSyntax
		}
		switch v := args[i+1]; {
		case optIs(args[i], "count"):
			if o.count, ok = resp.ParseInt(v); !ok {
				return o, resp.MsgNotInteger
			}
			if o.count < 1 {
				return o, resp.MsgSyntax
			}
		case optIs(args[i], "match"):
			o.match = v
			if len(v) == 1 && v[0] == '*' {
				o.match = nil
			}
		case keys && optIs(args[i], "type"):
			o.typ, o.hasType = v, true
		default:
			return o, resp.MsgSyntax
		}
	}
	return o, ""
}

func (s *Server) cmdScan(c *client, args [][]byte) {
	o, errText := parseScan(args)
	if errText != "" {
		c.w.Error(errText)
		return
	}
	// A TYPE no type has keeps nothing, as in Redis 7.0.
	kind, known := kindNamed(cstr(o.typ)) // a C string to Redis: it ends at a NUL
	var keys []string
	next := s.db.scan(o.cursor, int(min(o.count, math.MaxInt)), func(key string, e *entry) {
		if o.hasType && (!known || e.kind() != kind) {
			return
		}
		if o.match == nil || globMatch(o.match, []byte(key)) {
			keys = append(keys, key)
		}
	})
	c.w.Array(2)
	c.w.BulkString(strconv.FormatUint(next, 10))
	writeKeys(c.w, keys)
}

func (s *Server) cmdType(c *client, args [][]byte) {
	e := s.db.getBytes(args[1])
	if e == nil {
		c.w.Simple("none")
		return
	}
	c.w.Simple(e.kind().String())
}

func (s *Server) cmdRandomKey(c *client, args [][]byte) {
	key, ok := s.db.randomKey()
	if !ok {
		c.w.Null()
		return
	}
	c.w.BulkString(key)
}

func (s *Server) cmdRename(c *client, args [][]byte)   { s.rename(c, args, false) }
func (s *Server) cmdRenameNX(c *client, args [][]byte) { s.rename(c, args, true) }

// rename is RENAME and, with nx, RENAMENX. Renaming a key to itself is
// allowed and changes nothing, but the key must exist.
func (s *Server) rename(c *client, args [][]byte, nx bool) {
	src, dst := args[1], args[2]
	e := s.db.getBytes(src)
	switch {
	case e == nil:
		c.w.Error(resp.MsgNoSuchKey)
	case bytes.Equal(src, dst) && nx:
		c.w.Int(0)
	case bytes.Equal(src, dst):
		c.w.OK()
	case nx && s.db.getBytes(dst) != nil:
		c.w.Int(0)
	default:
		s.db.rename(string(src), string(dst), e)
		if nx {
			c.w.Int(1)
		} else {
			c.w.OK()
		}
	}
}

// copyOpts are COPY's parsed options.
type copyOpts struct {
	replace bool
}

// parseCopy parses COPY's options. There is one database, so DB must
// name 0; any other index is out of range.
func parseCopy(args [][]byte) (copyOpts, string) {
	var o copyOpts
	for i := 3; i < len(args); i++ {
		switch {
		case optIs(args[i], "replace"):
			o.replace = true
		case optIs(args[i], "db") && i+1 < len(args):
			i++
			db, ok := resp.ParseInt(args[i])
			switch {
			case !ok:
				return o, resp.MsgNotInteger
			case db != int64(int32(db)):
				return o, resp.MsgIntRange
			case db != 0:
				return o, resp.MsgDBIndex
			}
		default:
			return o, resp.MsgSyntax
		}
	}
	if bytes.Equal(args[1], args[2]) {
		return o, resp.MsgSameObject
	}
	return o, ""
}

func (s *Server) cmdCopy(c *client, args [][]byte) {
	o, errText := parseCopy(args)
	if errText != "" {
		c.w.Error(errText)
		return
	}
	e := s.db.getBytes(args[1])
	if e == nil || (!o.replace && s.db.getBytes(args[2]) != nil) {
		c.w.Int(0)
		return
	}
	s.db.copyKey(string(args[2]), e)
	c.w.Int(1)
}

// expireKind tells the EXPIRE family apart: the command's name for its
// errors, the milliseconds in a unit of its time argument, and whether
// that time is relative to now.
type expireKind struct {
	name     string
	unit     int64
	relative bool
}

// expireOpts are an EXPIRE family command's parsed arguments.
type expireOpts struct {
	when           int64 // unix ms
	nx, xx, gt, lt bool
}

// parseExpire parses the options first and the time after them, as Redis
// does, so a bad option is reported before a bad time.
func parseExpire(args [][]byte, k expireKind, now int64) (expireOpts, string) {
	var o expireOpts
	for _, a := range args[3:] {
		switch {
		case optIs(a, "nx"):
			o.nx = true
		case optIs(a, "xx"):
			o.xx = true
		case optIs(a, "gt"):
			o.gt = true
		case optIs(a, "lt"):
			o.lt = true
		default:
			// Redis trims CR and LF off the end of a formatted error.
			return o, resp.MsgUnsupportedOption(bytes.TrimRight(cstr(a), "\r\n"))
		}
	}
	if o.nx && (o.xx || o.gt || o.lt) {
		return o, resp.MsgExpireNXXX
	}
	if o.gt && o.lt {
		return o, resp.MsgExpireGTLT
	}
	when, ok := resp.ParseInt(args[2])
	if !ok {
		return o, resp.MsgNotInteger
	}
	if when > math.MaxInt64/k.unit || when < math.MinInt64/k.unit {
		return o, resp.MsgInvalidExpire(k.name)
	}
	when *= k.unit
	if k.relative {
		if when > math.MaxInt64-now {
			return o, resp.MsgInvalidExpire(k.name)
		}
		when += now
	}
	o.when = when
	return o, ""
}

// allows reports whether the options let a key whose expiry is cur (0:
// none, which GT and LT take as infinite) get the new one.
func (o expireOpts) allows(cur int64) bool {
	switch {
	case o.nx && cur != 0, o.xx && cur == 0:
		return false
	case o.gt && (cur == 0 || o.when <= cur):
		return false
	case o.lt && cur != 0 && o.when >= cur:
		return false
	}
	return true
}

// expireCmd returns the handler of one EXPIRE family command. A time in
// the past deletes the key and still answers 1.
func (s *Server) expireCmd(k expireKind) handlerFunc {
	return func(c *client, args [][]byte) {
		o, errText := parseExpire(args, k, s.db.now)
		if errText != "" {
			c.w.Error(errText)
			return
		}
		e := s.db.getBytes(args[1])
		if e == nil || !o.allows(e.exp) {
			c.w.Int(0)
			return
		}
		s.db.expireAt(string(args[1]), e, o.when)
		c.w.Int(1)
	}
}

// ttlCmd returns the handler of TTL (ms false, abs false), PTTL,
// EXPIRETIME (abs: the unix time of expiry) or PEXPIRETIME: -2 for a
// missing key, -1 for one without expiry. Seconds are rounded as Redis
// rounds them, (ms+500)/1000, without overflow.
func (s *Server) ttlCmd(ms, abs bool) handlerFunc {
	return func(c *client, args [][]byte) {
		e := s.db.getBytes(args[1])
		switch {
		case e == nil:
			c.w.Int(-2)
		case e.exp == 0:
			c.w.Int(-1)
		default:
			t := e.exp
			if !abs {
				t = max(s.db.ttl(e), 0)
			}
			if !ms {
				t = t/1000 + (t%1000+500)/1000
			}
			c.w.Int(t)
		}
	}
}

func (s *Server) cmdPersist(c *client, args [][]byte) {
	if e := s.db.getBytes(args[1]); e != nil && s.db.persist(string(args[1]), e) {
		c.w.Int(1)
		return
	}
	c.w.Int(0)
}

// cstr returns b up to its first NUL byte: what Redis sees of an argument
// it reads as a C string (option names, SCAN's cursor and type).
func cstr(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// optIs reports whether arg names the option name (lower-case), compared
// as Redis's strcasecmp does.
func optIs(arg []byte, name string) bool {
	return asciiEqualFold(cstr(arg), name)
}

// parseCursor parses a SCAN cursor as Redis does with strtoull: decimal,
// an optional sign (a negative value wraps around), no leading space, no
// trailing bytes before a NUL; the empty string is 0.
func parseCursor(b []byte) (uint64, bool) {
	b = cstr(b)
	if len(b) == 0 {
		return 0, true
	}
	neg := b[0] == '-'
	if b[0] == '+' || b[0] == '-' {
		b = b[1:]
	}
	if len(b) == 0 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}
