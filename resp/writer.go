package resp

import (
	"math"
	"strconv"

	"github.com/tidwall/redcon"
)

// Writer writes replies for one connection in the connection's protocol:
// RESP2 (the default) or RESP3 after HELLO 3. Replies are appended to a
// redcon.Writer, the connection's reply buffer, which encodes RESP2; RESP3
// types redcon lacks are appended as raw bytes. A Writer belongs to one
// connection and is not safe for concurrent use.
type Writer struct {
	out   *redcon.Writer
	proto int
	buf   []byte // scratch for RESP3 headers and numbers

	errs, mark uint64           // errors written; errs at the last ErrorsSinceMark
	onError    func(msg string) // see SetErrorHook
}

// NewWriter returns a RESP2 writer appending to out.
func NewWriter(out *redcon.Writer) *Writer {
	return &Writer{out: out, proto: 2}
}

// Proto returns the protocol version in use, 2 or 3.
func (w *Writer) Proto() int { return w.proto }

// SetProto switches the writer to RESP2 or RESP3.
func (w *Writer) SetProto(p int) { w.proto = p }

// Drop forgets every reply written and not yet flushed.
func (w *Writer) Drop() { w.out.SetBuffer(nil) }

// Take returns the replies written and not yet flushed, and forgets them.
func (w *Writer) Take() []byte {
	b := w.out.Buffer()
	w.out.SetBuffer(nil)
	return b
}

// Raw writes replies rendered already (by Take, say) as they are.
func (w *Writer) Raw(b []byte) { w.out.WriteRaw(b) }

// OK writes +OK.
func (w *Writer) OK() { w.out.WriteRaw(okReply) }

var (
	okReply        = []byte("+OK\r\n")
	nullBulk       = []byte("$-1\r\n")
	nullArray      = []byte("*-1\r\n")
	null3          = []byte("_\r\n")
	queuedReply    = []byte("+QUEUED\r\n")
	emptyArray     = []byte("*0\r\n")
	integerZero    = []byte(":0\r\n")
	integerOne     = []byte(":1\r\n")
	resp3True      = []byte("#t\r\n")
	resp3False     = []byte("#f\r\n")
	pongReply      = []byte("+PONG\r\n")
	emptyBulkReply = []byte("$0\r\n\r\n")
)

// Simple writes a simple string (+s). s must not contain CR or LF.
func (w *Writer) Simple(s string) { w.out.WriteString(s) }

// Pong writes +PONG.
func (w *Writer) Pong() { w.out.WriteRaw(pongReply) }

// Queued writes +QUEUED.
func (w *Writer) Queued() { w.out.WriteRaw(queuedReply) }

// Error writes an error line; msg starts with its code ("ERR ...").
func (w *Writer) Error(msg string) {
	w.out.WriteError(msg)
	w.errs++
	if w.onError != nil {
		w.onError(msg)
	}
}

// ErrorCounted writes an error line that the error statistics have
// counted already (a script's error that a command it called replied):
// the hook is not called, but ErrorsSinceMark sees it.
func (w *Writer) ErrorCounted(msg string) {
	w.out.WriteError(msg)
	w.errs++
}

// SetErrorHook makes Error call fn with each error text it writes, for
// the server's error statistics (Redis counts an error reply even when
// the reply itself is discarded). fn runs on the writer's goroutine.
func (w *Writer) SetErrorHook(fn func(msg string)) { w.onError = fn }

// ErrorsSinceMark reports whether Error was called since the last call of
// ErrorsSinceMark, and sets the mark: the server asks it before and after
// each command to tell a command that failed (Redis's failed_calls).
func (w *Writer) ErrorsSinceMark() bool {
	n := w.errs != w.mark
	w.mark = w.errs
	return n
}

// Int writes an integer reply.
func (w *Writer) Int(n int64) {
	switch n {
	case 0:
		w.out.WriteRaw(integerZero)
	case 1:
		w.out.WriteRaw(integerOne)
	default:
		w.out.WriteInt64(n)
	}
}

// boolean writes a RESP3 boolean, or the integer 1 or 0 in RESP2.
// Unexported until a command replies with one.
func (w *Writer) boolean(b bool) {
	switch {
	case w.proto == 3 && b:
		w.out.WriteRaw(resp3True)
	case w.proto == 3:
		w.out.WriteRaw(resp3False)
	case b:
		w.out.WriteRaw(integerOne)
	default:
		w.out.WriteRaw(integerZero)
	}
}

// Bulk writes a bulk string.
func (w *Writer) Bulk(b []byte) {
	if len(b) == 0 {
		w.out.WriteRaw(emptyBulkReply)
		return
	}
	w.out.WriteBulk(b)
}

// BulkString writes a bulk string.
func (w *Writer) BulkString(s string) { w.out.WriteBulkString(s) }

// Null writes the null bulk string ($-1) in RESP2, or _ in RESP3.
func (w *Writer) Null() {
	if w.proto == 3 {
		w.out.WriteRaw(null3)
		return
	}
	w.out.WriteRaw(nullBulk)
}

// NullArray writes the null array (*-1) in RESP2, or _ in RESP3.
func (w *Writer) NullArray() {
	if w.proto == 3 {
		w.out.WriteRaw(null3)
		return
	}
	w.out.WriteRaw(nullArray)
}

// Array writes an array header for n elements.
func (w *Writer) Array(n int) {
	if n == 0 {
		w.out.WriteRaw(emptyArray)
		return
	}
	w.out.WriteArray(n)
}

// Map writes a map header for n key/value pairs: %n in RESP3, an array of
// 2n elements in RESP2.
func (w *Writer) Map(n int) {
	if w.proto == 3 {
		w.header('%', n)
		return
	}
	w.Array(2 * n)
}

// Set writes a set header: ~n in RESP3, an array in RESP2.
func (w *Writer) Set(n int) {
	if w.proto == 3 {
		w.header('~', n)
		return
	}
	w.Array(n)
}

// double writes a double: ,f in RESP3, a bulk string in RESP2, in the
// text of appendDouble. Unexported until a command replies with one.
func (w *Writer) double(f float64) {
	w.buf = w.buf[:0]
	if w.proto == 3 {
		w.buf = append(w.buf, ',')
		w.buf = appendDouble(w.buf, f)
		w.buf = append(w.buf, '\r', '\n')
		w.out.WriteRaw(w.buf)
		return
	}
	w.buf = appendDouble(w.buf, f)
	w.out.WriteBulk(w.buf)
}

// Verbatim writes a verbatim string of format "txt" in RESP3, a bulk string
// in RESP2 (INFO, CLIENT LIST, CLIENT INFO).
func (w *Writer) Verbatim(s string) { w.VerbatimAs("txt", s) }

// VerbatimAs writes a verbatim string of the given three-letter format in
// RESP3, a bulk string in RESP2 (a script's {verbatim_string = ...}). As
// Redis, it cuts a longer format to three bytes and pads a shorter one
// with spaces.
func (w *Writer) VerbatimAs(format, s string) {
	format = (format + "   ")[:3]
	if w.proto != 3 {
		w.out.WriteBulkString(s)
		return
	}
	w.buf = append(w.buf[:0], '=')
	w.buf = strconv.AppendInt(w.buf, int64(len(s)+4), 10)
	w.buf = append(w.buf, "\r\n"...)
	w.buf = append(w.buf, format...)
	w.buf = append(w.buf, ':')
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
	w.out.WriteRaw(w.buf)
}

func (w *Writer) header(kind byte, n int) {
	w.buf = append(w.buf[:0], kind)
	w.buf = strconv.AppendInt(w.buf, int64(n), 10)
	w.buf = append(w.buf, '\r', '\n')
	w.out.WriteRaw(w.buf)
}

// appendDouble appends f as Redis 7 prints a double reply: "inf", "-inf",
// "nan", or %.17g.
func appendDouble(b []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(b, "inf"...)
	case math.IsInf(f, -1):
		return append(b, "-inf"...)
	case math.IsNaN(f):
		return append(b, "nan"...)
	}
	return strconv.AppendFloat(b, f, 'g', 17, 64)
}

// Bool writes a RESP3 boolean, or the integer 1 or 0 in RESP2; scripts
// reply with one.
func (w *Writer) Bool(b bool) { w.boolean(b) }

// BigNumber writes a big number given as its digits: (digits in RESP3, a
// bulk string in RESP2.
func (w *Writer) BigNumber(digits string) {
	if w.proto != 3 {
		w.out.WriteBulkString(digits)
		return
	}
	w.buf = append(w.buf[:0], '(')
	w.buf = append(w.buf, digits...)
	w.buf = append(w.buf, '\r', '\n')
	w.out.WriteRaw(w.buf)
}
