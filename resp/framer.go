package resp

import (
	"bytes"
	"math"
	"strconv"
)

// Limits bound what one connection may make the server hold. Zero fields
// mean the documented defaults.
type Limits struct {
	// MaxBulkLen is proto-max-bulk-len: the largest bulk argument
	// (default 512 MiB).
	MaxBulkLen int64
	// MaxQueryBuffer is client-query-buffer-limit: the most bytes one
	// incomplete command may occupy (default 1 GiB). A client past it is
	// disconnected without a reply, as Redis does.
	MaxQueryBuffer int64
	// AuthRequired, if set, reports whether the connection still has to
	// authenticate; such a connection may send at most 10 arguments of at
	// most 16 KiB each, as in Redis.
	AuthRequired func() bool
}

// Default limits, as Redis 7 names and sets them.
const (
	DefaultMaxBulkLen     = 512 << 20
	DefaultMaxQueryBuffer = 1 << 30
	maxInline             = 64 << 10 // PROTO_INLINE_MAX_SIZE
	maxMultibulk          = math.MaxInt32
	bigArg                = 32 << 10 // PROTO_MBULK_BIG_ARG
	// reserveAfter is how much of a big argument must have arrived
	// before the framer makes room for all of it (see header).
	reserveAfter       = 256 << 10
	unauthMaxMultibulk = 10
	unauthMaxBulk      = 16384
)

// ProtocolError is a malformed request. Text is the error reply Redis sends
// before closing the connection; it is empty when Redis closes silently
// (query buffer limit).
type ProtocolError struct{ Text string }

// Error returns the reply text prefixed with "resp: ", or says the query
// buffer limit was reached.
func (e *ProtocolError) Error() string {
	if e.Text == "" {
		return "resp: query buffer limit reached"
	}
	return "resp: " + e.Text
}

// ErrQueryBufferLimit is returned when a command grows past MaxQueryBuffer.
var ErrQueryBufferLimit = &ProtocolError{}

type frameState uint8

const (
	stStart    frameState = iota // at the start of a command
	stCount                      // reading "*<n>" up to '\r'
	stDollar                     // expecting the '$' of a bulk header
	stBulkLen                    // reading "$<n>" up to '\r'
	stSkipLF                     // skipping the byte after a header's '\r'
	stPayload                    // copying a bulk payload
	stPayloadE                   // skipping the two bytes after a payload
	stInline                     // reading an inline command line
)

// Framer turns the byte stream a client sends into canonical RESP
// multibulk commands (split by SplitCommand), enforcing Redis's limits and
// reproducing its parsing: inline commands are split as sdssplitargs does
// and rewritten as multibulk, "*0" and "*-1" are ignored, the two bytes
// after a bulk payload are skipped unchecked, and every protocol error gets
// Redis's reply text. A Framer holds one connection's state and is not safe
// for concurrent use.
type Framer struct {
	lim      Limits
	state    frameState
	line     []byte // header digits or inline line being collected
	left     int64  // bulks left in the current multibulk
	payload  int64  // payload bytes left in the current bulk
	skip     int    // CRLF bytes left after a payload
	cmdBytes int64  // bytes of the current command so far
	next     frameState
	reserve  bool  // make room for the rest of this big bulk once reserveAfter of it came
	got      int64 // payload bytes of the current bulk so far
	auth     bool  // the unauthenticated limits apply, for this Frame call
	slowOnly bool  // tests: never take the fast path
}

// NewFramer returns a Framer enforcing lim.
func NewFramer(lim Limits) *Framer {
	if lim.MaxBulkLen <= 0 {
		lim.MaxBulkLen = DefaultMaxBulkLen
	}
	if lim.MaxQueryBuffer <= 0 {
		lim.MaxQueryBuffer = DefaultMaxQueryBuffer
	}
	return &Framer{lim: lim}
}

// SetLimits changes the proto-max-bulk-len and client-query-buffer-limit
// the framer applies from its next call on (zero or less: the default),
// for a CONFIG SET that must reach connected clients as in Redis. A bulk
// already under way keeps the length it was allowed.
func (f *Framer) SetLimits(maxBulkLen, maxQueryBuffer int64) {
	if maxBulkLen <= 0 {
		maxBulkLen = DefaultMaxBulkLen
	}
	if maxQueryBuffer <= 0 {
		maxQueryBuffer = DefaultMaxQueryBuffer
	}
	f.lim.MaxBulkLen, f.lim.MaxQueryBuffer = maxBulkLen, maxQueryBuffer
}

// feed is Frame for a whole stream at once, for tests: it appends to dst
// the canonical RESP for the bytes in src and returns it, with a
// *ProtocolError after the commands completed before one.
func (f *Framer) feed(dst, src []byte) ([]byte, error) {
	var err error
	for len(src) > 0 && err == nil {
		dst, _, src, err = f.Frame(dst, src)
	}
	return dst, err
}

// Frame appends to dst the canonical RESP for the bytes in src, returned
// as out, and says where the complete commands end: out[:whole] holds
// whole commands only, and out[whole:] is the beginning of one still
// arriving. dst must be empty or hold just that unfinished beginning from
// the previous call, so a reader passes back out[whole:] and never parses
// a command twice. Pass out[:whole] to SplitCommand.
//
// On a protocol error out[:whole] still holds every command completed
// before it, and err is a *ProtocolError: the connection must run those,
// reply with the error's Text (nothing if it is empty) and close.
//
// While the connection has to authenticate, Frame stops after each whole
// command and returns the bytes after it as rest, to be framed once that
// command has run: Redis checks the unauthenticated limits command by
// command, so a pipelined AUTH lifts them for the commands behind it.
func (f *Framer) Frame(dst, src []byte) (out []byte, whole int, rest []byte, err error) {
	// No command runs during a call, so whether the connection has to
	// authenticate is asked once.
	f.auth = f.lim.AuthRequired != nil && f.lim.AuthRequired()
	base := len(dst)
	for len(src) > 0 {
		if f.state == stStart {
			whole = len(dst)
			if whole > base && f.auth { // one framed in this call
				return dst, whole, src, nil
			}
		}
		switch f.state {
		case stStart:
			if n := f.whole(src); n > 0 && !f.slowOnly {
				dst = append(dst, src[:n]...)
				src = src[n:]
				continue
			}
			if src[0] == '*' {
				f.state, f.line = stCount, f.line[:0]
				src = src[1:]
				continue
			}
			f.state, f.line = stInline, f.line[:0]
		case stCount:
			src, dst, err = f.count(dst, src)
		case stDollar:
			if src[0] != '$' {
				return dst, whole, nil, &ProtocolError{MsgProtoExpectedDollar(src[0])}
			}
			f.state, f.line = stBulkLen, f.line[:0]
			src = src[1:]
		case stBulkLen:
			src, dst, err = f.bulkLen(dst, src)
		case stSkipLF:
			src, f.state = src[1:], f.next
		case stPayload:
			n := int64(len(src))
			if n > f.payload {
				n = f.payload
			}
			if f.reserve && f.got+n >= reserveAfter {
				dst = growExact(dst, int(f.payload)+2)
				f.reserve = false
			}
			f.got += n
			dst = append(dst, src[:n]...)
			src, f.payload = src[n:], f.payload-n
			if f.payload == 0 {
				dst = append(dst, '\r', '\n')
				f.state, f.skip = stPayloadE, 2
			}
		case stPayloadE:
			src, f.skip = src[1:], f.skip-1
			if f.skip == 0 {
				f.endBulk()
			}
		case stInline:
			src, dst, err = f.inline(dst, src)
		}
		if err != nil {
			return dst, whole, nil, err
		}
	}
	if f.state == stStart {
		whole = len(dst)
	}
	return dst, whole, nil, nil
}

// SplitCommand reads the first command of b, which must start with whole
// commands as Frame writes them, and returns its arguments (appended to
// args[:0], pointing into b) and its length; n is 0 when b is empty or does
// not start with a whole canonical command.
func SplitCommand(b []byte, args [][]byte) (_ [][]byte, n int) {
	args = args[:0]
	if len(b) == 0 || b[0] != '*' {
		return args, 0
	}
	count, i, ok := canonicalHeader(b, 1)
	if !ok || count <= 0 {
		return args, 0
	}
	for ; count > 0; count-- {
		if i >= len(b) || b[i] != '$' {
			return args[:0], 0
		}
		l, j, ok := canonicalHeader(b, i+1)
		if !ok || l < 0 || int64(len(b)-j) < l+2 {
			return args[:0], 0
		}
		end := j + int(l)
		args = append(args, b[j:end:end])
		i = end + 2
	}
	return args, i
}

// collect appends src up to the first stop byte to f.line. It reports
// whether the stop byte was found and returns the rest after it.
func (f *Framer) collect(src []byte, stop byte, max int) (rest []byte, found, tooBig bool) {
	if i := bytes.IndexByte(src, stop); i >= 0 {
		f.line = append(f.line, src[:i]...)
		return src[i+1:], true, false
	}
	f.line = append(f.line, src...)
	return nil, false, len(f.line) > max
}

// whole is the fast path: if src starts with a complete multibulk command
// already in canonical form (what clients send: "*N\r\n", then N times
// "$L\r\n", L bytes, "\r\n"), within every limit, it returns the
// command's length, to be passed on as it is. Anything else (a partial
// command, an inline one, an odd but valid form, an error) returns 0 and
// goes through the state machine, which decides it exactly.
func (f *Framer) whole(src []byte) int {
	if len(src) < 4 || src[0] != '*' {
		return 0
	}
	n, i, ok := canonicalHeader(src, 1)
	if !ok || n <= 0 || n > maxMultibulk {
		return 0
	}
	auth := f.auth
	if auth && n > unauthMaxMultibulk {
		return 0
	}
	var total int64
	for ; n > 0; n-- {
		if i >= len(src) || src[i] != '$' {
			return 0
		}
		l, j, ok := canonicalHeader(src, i+1)
		if !ok || l < 0 || l > f.lim.MaxBulkLen || (auth && l > unauthMaxBulk) {
			return 0
		}
		total += l
		if total > f.lim.MaxQueryBuffer {
			return 0
		}
		end := int64(j) + l
		if end+2 > int64(len(src)) || src[end] != '\r' || src[end+1] != '\n' {
			return 0
		}
		i = int(end) + 2
	}
	return i
}

// canonicalHeader reads the non-negative decimal number at src[i:] up to
// "\r\n" and returns it with the index after the "\n"; ok is false unless
// the digits are what appendHeader would write (so passing them on changes
// nothing). Negative numbers are never canonical here: the state machine
// decides what they mean.
func canonicalHeader(src []byte, i int) (n int64, next int, ok bool) {
	start := i
	for ; i < len(src); i++ {
		c := src[i]
		if c < '0' || c > '9' {
			break
		}
		if i-start == 18 {
			return 0, 0, false // 19 digits or more: let parseLL decide
		}
		n = n*10 + int64(c-'0')
	}
	digits := i - start
	if digits == 0 || (digits > 1 && src[start] == '0') ||
		i+1 >= len(src) || src[i] != '\r' || src[i+1] != '\n' {
		return 0, 0, false
	}
	return n, i + 2, true
}

func (f *Framer) count(dst, src []byte) ([]byte, []byte, error) {
	rest, found, tooBig := f.collect(src, '\r', maxInline)
	if tooBig {
		return nil, dst, &ProtocolError{MsgProtoBigMbulkCount}
	}
	if !found {
		return rest, dst, nil
	}
	n, ok := parseLL(f.line)
	switch {
	case !ok || n > maxMultibulk:
		return nil, dst, &ProtocolError{MsgProtoInvalidMultibulk}
	case n > unauthMaxMultibulk && f.auth:
		return nil, dst, &ProtocolError{MsgProtoUnauthMultibulk}
	}
	f.state, f.next = stSkipLF, stStart
	if n > 0 {
		f.next, f.left, f.cmdBytes = stDollar, n, 0
		dst = appendHeader(dst, '*', n)
	}
	return rest, dst, nil
}

func (f *Framer) bulkLen(dst, src []byte) ([]byte, []byte, error) {
	rest, found, tooBig := f.collect(src, '\r', maxInline)
	if tooBig {
		return nil, dst, &ProtocolError{MsgProtoBigBulkCount}
	}
	if !found {
		return rest, dst, nil
	}
	n, ok := parseLL(f.line)
	switch {
	case !ok || n < 0 || n > f.lim.MaxBulkLen:
		return nil, dst, &ProtocolError{MsgProtoInvalidBulk}
	case n > unauthMaxBulk && f.auth:
		return nil, dst, &ProtocolError{MsgProtoUnauthBulk}
	}
	f.cmdBytes += n
	if f.cmdBytes > f.lim.MaxQueryBuffer {
		return nil, dst, ErrQueryBufferLimit
	}
	dst = appendHeader(dst, '$', n)
	// A big argument gets room for all of it at once, as Redis makes for
	// one past PROTO_MBULK_BIG_ARG: growing by doubling as it arrives
	// would copy it several times and leave the smaller buffers behind
	// (a 100 MiB SET cost 3.5 times its size). Unlike Redis, the room is
	// made only once reserveAfter of it has arrived, so that a client
	// declaring 512 MiB and sending nothing costs nothing, and an event
	// loop is not held up allocating for it (with the race detector,
	// seconds).
	f.reserve = n > reserveAfter && cap(dst)-len(dst) < int(n)+2
	f.got = 0
	f.state, f.next, f.payload = stSkipLF, stPayload, n
	if n == 0 {
		dst = append(dst, '\r', '\n')
		f.next, f.skip = stPayloadE, 2
	}
	return rest, dst, nil
}

// growExact returns b with room for n more bytes, in a buffer of exactly
// that capacity when it must move: made, not appended to, so that memory
// fresh from the OS is not written to (and paid for) before the bytes
// arrive.
func growExact(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b
	}
	nb := make([]byte, len(b), len(b)+n)
	copy(nb, b)
	return nb
}

// endBulk moves on after a bulk's trailing CRLF.
func (f *Framer) endBulk() {
	f.left--
	if f.left == 0 {
		f.state = stStart
		return
	}
	f.state = stDollar
}

func (f *Framer) inline(dst, src []byte) ([]byte, []byte, error) {
	rest, found, tooBig := f.collect(src, '\n', maxInline)
	if tooBig {
		return nil, dst, &ProtocolError{MsgProtoBigInline}
	}
	if !found {
		return rest, dst, nil
	}
	line := f.line
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	args, ok := splitArgs(line)
	if !ok {
		return nil, dst, &ProtocolError{MsgProtoUnbalancedQuotes}
	}
	if len(args) > 0 {
		dst = appendHeader(dst, '*', int64(len(args)))
		for _, a := range args {
			dst = appendHeader(dst, '$', int64(len(a)))
			dst = append(dst, a...)
			dst = append(dst, '\r', '\n')
		}
	}
	f.state = stStart
	return rest, dst, nil
}

func appendHeader(dst []byte, kind byte, n int64) []byte {
	dst = append(dst, kind)
	dst = strconv.AppendInt(dst, n, 10)
	return append(dst, '\r', '\n')
}

// parseLL parses a decimal integer as Redis's string2ll does: an optional
// '-', no '+', no leading zeros, no spaces, at most 20 bytes, in range.
func parseLL(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || b[0] < '1' || b[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// ParseInt parses a command argument as Redis parses integers
// (string2ll): no spaces, no '+', no leading zeros.
func ParseInt(b []byte) (int64, bool) { return parseLL(b) }
