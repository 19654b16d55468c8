package server

import (
	"math"
	"strconv"

	"github.com/remoted/remoted/resp"
)

// commandsString handles the string commands: GET and SET with their
// variants, the counters, and byte ranges.
func (s *Server) commandsString(r *registry) {
	r.key("get", s.cmdGet)
	r.key("set", s.cmdSet)
	r.key("setnx", s.cmdSetnx)
	r.key("setex", s.cmdSetex("setex", expEX))
	r.key("psetex", s.cmdSetex("psetex", expPX))
	r.key("getset", s.cmdGetset)
	r.key("getdel", s.cmdGetdel)
	r.key("getex", s.cmdGetex)
	r.key("mget", s.cmdMget)
	r.key("mset", s.cmdMset)
	r.key("msetnx", s.cmdMsetnx)
	r.key("incr", s.cmdIncr)
	r.key("incrby", s.cmdIncrby)
	r.key("decr", s.cmdDecr)
	r.key("decrby", s.cmdDecrby)
	r.key("incrbyfloat", s.cmdIncrbyfloat)
	r.key("append", s.cmdAppend)
	r.key("strlen", s.cmdStrlen)
	r.key("getrange", s.cmdGetrange)
	r.key("substr", s.cmdGetrange)
	r.key("setrange", s.cmdSetrange)
}

// strExpiry is the expiry option of SET or GETEX.
type strExpiry uint8

const (
	expNone strExpiry = iota
	expEX
	expPX
	expEXAT
	expPXAT
)

// expiryOpts maps an option name (lower-case) to its kind.
var expiryOpts = map[string]strExpiry{
	"ex": expEX, "px": expPX, "exat": expEXAT, "pxat": expPXAT,
}

// setOpts are the options of SET, and of GETEX (PERSIST and the expiry).
type setOpts struct {
	nx, xx, get bool
	keepTTL     bool
	persist     bool
	expire      strExpiry
	expireArg   []byte
}

// parseSetOpts parses opts as Redis 7's parseExtendedStringArgumentsOrReply
// does, for SET (forSet) or GETEX: an option is refused with a syntax error
// when it conflicts with an earlier one, but the same option may repeat
// (the last expiry wins).
func parseSetOpts(opts [][]byte, forSet bool) (setOpts, string) {
	var o setOpts
	for i := 0; i < len(opts); i++ {
		a := opts[i]
		switch {
		case forSet && optIs(a, "nx") && !o.xx:
			o.nx = true
		case forSet && optIs(a, "xx") && !o.nx:
			o.xx = true
		case forSet && optIs(a, "get"):
			o.get = true
		case forSet && optIs(a, "keepttl") && o.expire == expNone:
			o.keepTTL = true
		case !forSet && optIs(a, "persist") && o.expire == expNone:
			o.persist = true
		default:
			k := expiryOpts[lowerASCII(cstr(a))]
			if k == expNone || o.keepTTL || o.persist ||
				(o.expire != expNone && o.expire != k) || i+1 == len(opts) {
				return o, resp.MsgSyntax
			}
			o.expire, o.expireArg = k, opts[i+1]
			i++
		}
	}
	return o, ""
}

// expireAt returns the expiry (unix ms) that the option asks for at now,
// or the error of Redis's getExpireMillisecondsOrReply for the command
// cmd: a non-positive time, or one that overflows once converted to ms
// and made absolute.
func (o setOpts) expireAt(now int64, cmd string) (int64, string) {
	return expireMillis(o.expireArg, o.expire, now, cmd)
}

func expireMillis(arg []byte, kind strExpiry, now int64, cmd string) (int64, string) {
	ms, ok := resp.ParseInt(arg)
	if !ok {
		return 0, resp.MsgNotInteger
	}
	seconds := kind == expEX || kind == expEXAT
	if ms <= 0 || (seconds && ms > math.MaxInt64/1000) {
		return 0, resp.MsgInvalidExpire(cmd)
	}
	if seconds {
		ms *= 1000
	}
	if kind == expEX || kind == expPX {
		ms += now // wraps on overflow, as in Redis, and is refused below
	}
	if ms <= 0 {
		return 0, resp.MsgInvalidExpire(cmd)
	}
	return ms, ""
}

// bulkOrNull writes e's value, or a null for a missing key.
func (c *client) bulkOrNull(e *entry) {
	if e == nil {
		c.w.Null()
		return
	}
	c.w.Bulk(e.val)
}

// getString writes key's string value, or a null for a missing key, as
// GET does, and returns its entry; ok is false if the key holds another
// type, answered with WRONGTYPE.
func (s *Server) getString(c *client, key []byte) (e *entry, ok bool) {
	e, errText := s.db.getString(key)
	if errText != "" {
		c.w.Error(errText)
		return nil, false
	}
	c.bulkOrNull(e)
	return e, true
}

func (s *Server) cmdGet(c *client, args [][]byte) { s.getString(c, args[1]) }

func (s *Server) cmdSet(c *client, args [][]byte) {
	o, errText := parseSetOpts(args[3:], true)
	var exp int64
	if errText == "" && o.expire != expNone {
		exp, errText = o.expireAt(s.db.now, "set")
	}
	if errText != "" {
		c.w.Error(errText)
		return
	}
	key := args[1]
	e := s.db.getBytes(key)
	if o.get {
		if _, ok := s.getString(c, key); !ok {
			return
		}
	}
	if (o.nx && e != nil) || (o.xx && e == nil) {
		if !o.get {
			c.w.Null()
		}
		return
	}
	s.db.store(key, e, storeArg(args[2]), exp, o.keepTTL)
	if !o.get {
		c.w.OK()
	}
}

func (s *Server) cmdSetnx(c *client, args [][]byte) {
	if s.db.getBytes(args[1]) != nil {
		c.w.Int(0)
		return
	}
	s.db.store(args[1], nil, storeArg(args[2]), 0, false)
	c.w.Int(1)
}

// cmdSetex returns the handler of SETEX key seconds value (kind
// expEX), or of PSETEX key ms value (expPX).
func (s *Server) cmdSetex(name string, kind strExpiry) handlerFunc {
	return func(c *client, args [][]byte) {
		exp, errText := expireMillis(args[2], kind, s.db.now, name)
		if errText != "" {
			c.w.Error(errText)
			return
		}
		s.db.store(args[1], s.db.getBytes(args[1]), storeArg(args[3]), exp, false)
		c.w.OK()
	}
}

func (s *Server) cmdGetset(c *client, args [][]byte) {
	if e, ok := s.getString(c, args[1]); ok {
		s.db.store(args[1], e, storeArg(args[2]), 0, false)
	}
}

func (s *Server) cmdGetdel(c *client, args [][]byte) {
	if e, ok := s.getString(c, args[1]); ok && e != nil {
		s.db.remove(string(args[1]), e)
		s.db.dirty++
	}
}

// cmdGetex replies with the value, then changes its expiry. As in Redis,
// a missing key answers null before the expiry's value is checked.
func (s *Server) cmdGetex(c *client, args [][]byte) {
	o, errText := parseSetOpts(args[2:], false)
	if errText != "" {
		c.w.Error(errText)
		return
	}
	key := args[1]
	e, errText := s.db.getString(key)
	switch {
	case errText != "":
		c.w.Error(errText)
		return
	case e == nil:
		c.w.Null()
		return
	}
	var exp int64
	if o.expire != expNone {
		if exp, errText = o.expireAt(s.db.now, "getex"); errText != "" {
			c.w.Error(errText)
			return
		}
	}
	c.w.Bulk(e.val)
	switch {
	case o.expire != expNone: // a time already past (EXAT, PXAT) deletes
		s.db.expireAt(string(key), e, exp)
	case o.persist && e.exp != 0:
		s.db.setExp(string(key), e, 0)
		s.db.dirty++
	}
}

func (s *Server) cmdMget(c *client, args [][]byte) {
	c.w.Array(len(args) - 1)
	for _, key := range args[1:] {
		e, _ := s.db.getString(key) // a key of another type reads as null
		c.bulkOrNull(e)
	}
}

func (s *Server) cmdMset(c *client, args [][]byte) {
	if len(args)%2 == 0 {
		c.w.Error(resp.MsgWrongArgs("mset"))
		return
	}
	for i := 1; i < len(args); i += 2 {
		s.db.store(args[i], s.db.getBytes(args[i]), storeArg(args[i+1]), 0, false)
	}
	c.w.OK()
}

func (s *Server) cmdMsetnx(c *client, args [][]byte) {
	if len(args)%2 == 0 {
		c.w.Error(resp.MsgWrongArgs("msetnx"))
		return
	}
	for i := 1; i < len(args); i += 2 {
		if s.db.getBytes(args[i]) != nil {
			c.w.Int(0)
			return
		}
	}
	for i := 1; i < len(args); i += 2 {
		s.db.store(args[i], s.db.getBytes(args[i]), storeArg(args[i+1]), 0, false)
	}
	c.w.Int(1)
}

func (s *Server) cmdIncr(c *client, args [][]byte) { s.incrBy(c, args[1], 1) }
func (s *Server) cmdDecr(c *client, args [][]byte) { s.incrBy(c, args[1], -1) }

func (s *Server) cmdIncrby(c *client, args [][]byte) {
	by, ok := resp.ParseInt(args[2])
	if !ok {
		c.w.Error(resp.MsgNotInteger)
		return
	}
	s.incrBy(c, args[1], by)
}

func (s *Server) cmdDecrby(c *client, args [][]byte) {
	by, ok := resp.ParseInt(args[2])
	switch {
	case !ok:
		c.w.Error(resp.MsgNotInteger)
	case by == math.MinInt64:
		c.w.Error(resp.MsgDecrOverflow)
	default:
		s.incrBy(c, args[1], -by)
	}
}

// incrBy adds by to the integer at key (0 if missing), keeping its expiry.
func (s *Server) incrBy(c *client, key []byte, by int64) {
	e, errText := s.db.getString(key)
	if errText != "" {
		c.w.Error(errText)
		return
	}
	var cur int64
	if e != nil {
		var ok bool
		if cur, ok = resp.ParseInt(e.val); !ok {
			c.w.Error(resp.MsgNotInteger)
			return
		}
	}
	n, ok := addInt64(cur, by)
	if !ok {
		c.w.Error(resp.MsgOverflow)
		return
	}
	s.db.store(key, e, strconv.AppendInt(nil, n, 10), 0, true)
	c.w.Int(n)
}

// cmdIncrbyfloat adds in C's long double, as Redis does; see incrFloat.
func (s *Server) cmdIncrbyfloat(c *client, args [][]byte) {
	key := args[1]
	e, errText := s.db.getString(key)
	if errText != "" {
		c.w.Error(errText)
		return
	}
	var cur []byte
	if e != nil {
		cur = e.val
	}
	val, errText := incrFloat(cur, args[2], e != nil)
	if errText != "" {
		c.w.Error(errText)
		return
	}
	s.db.store(key, e, val, 0, true).setFlags(floatString)
	c.w.Bulk(val)
}

func (s *Server) cmdAppend(c *client, args [][]byte) {
	key, add := args[1], args[2]
	e, errText := s.db.getString(key)
	if errText != "" {
		c.w.Error(errText)
		return
	}
	if e == nil {
		s.db.store(key, nil, storeArg(add), 0, false)
		c.w.Int(int64(len(add)))
		return
	}
	if !fitsString(int64(len(e.val)), int64(len(add)), s.conf.protoMaxBulkLen.Load()) {
		c.w.Error(resp.MsgStringTooLong)
		return
	}
	s.db.appendTo(e, add)
	c.w.Int(int64(len(e.val)))
}

func (s *Server) cmdStrlen(c *client, args [][]byte) {
	e, errText := s.db.getString(args[1])
	if errText != "" {
		c.w.Error(errText)
		return
	}
	var n int
	if e != nil {
		n = len(e.val)
	}
	c.w.Int(int64(n))
}

// cmdGetrange is GETRANGE and SUBSTR, with Redis's clamping: negative
// indexes count from the end, both ends are clamped to the string, and an
// empty range (or a missing key) is the empty string.
func (s *Server) cmdGetrange(c *client, args [][]byte) {
	start, ok1 := resp.ParseInt(args[2])
	end, ok2 := resp.ParseInt(args[3])
	if !ok1 || !ok2 {
		c.w.Error(resp.MsgNotInteger)
		return
	}
	e, errText := s.db.getString(args[1])
	switch {
	case errText != "":
		c.w.Error(errText)
	case e == nil:
		c.w.Bulk(nil)
	default:
		c.w.Bulk(byteRange(e.val, start, end))
	}
}

// byteRange is GETRANGE's slice of v from start to end, inclusive.
func byteRange(v []byte, start, end int64) []byte {
	n := int64(len(v))
	if start < 0 && end < 0 && start > end {
		return nil
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start, end = max(start, 0), max(end, 0)
	end = min(end, n-1)
	if start > end || n == 0 {
		return nil
	}
	return v[start : end+1]
}

// cmdSetrange writes at an offset, padding with zero bytes. Writing
// nothing creates no key and answers the current length.
func (s *Server) cmdSetrange(c *client, args [][]byte) {
	off, ok := resp.ParseInt(args[2])
	if !ok {
		c.w.Error(resp.MsgNotInteger)
		return
	}
	if off < 0 {
		c.w.Error(resp.MsgOffsetRange)
		return
	}
	key, b := args[1], args[3]
	e, errText := s.db.getString(key)
	switch {
	case errText != "":
		c.w.Error(errText)
		return
	case len(b) == 0 && e == nil:
		c.w.Int(0)
		return
	case len(b) == 0:
		c.w.Int(int64(len(e.val)))
		return
	case !fitsString(off, int64(len(b)), s.conf.protoMaxBulkLen.Load()):
		c.w.Error(resp.MsgStringTooLong)
		return
	}
	if e == nil {
		v := make([]byte, int(off)+len(b))
		copy(v[off:], b)
		s.db.store(key, nil, v, 0, false).setFlags(rawString) // as Redis creates it
		c.w.Int(int64(len(v)))
		return
	}
	s.db.writeAt(e, int(off), b)
	c.w.Int(int64(len(e.val)))
}

// lowerASCII returns b lower-cased as a string (short option names).
func lowerASCII(b []byte) string {
	if len(b) > 8 {
		return ""
	}
	var buf [8]byte
	for i, ch := range b {
		if ch >= 'A' && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		buf[i] = ch
	}
	return string(buf[:len(b)])
}
