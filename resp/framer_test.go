package resp

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/tidwall/redcon"
)

// feedAll runs src through a fresh framer in one piece.
func feedAll(lim Limits, src string) (string, error) {
	out, err := NewFramer(lim).feed(nil, []byte(src))
	return string(out), err
}

func protoText(err error) string {
	var pe *ProtocolError
	if errors.As(err, &pe) {
		if pe.Text == "" {
			return "(close)"
		}
		return pe.Text
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func TestFramer(t *testing.T) {
	unauth := Limits{AuthRequired: func() bool { return true }}
	small := Limits{MaxBulkLen: 10, MaxQueryBuffer: 15}
	cases := []struct {
		name    string
		lim     Limits
		in      string
		out     string
		errText string
	}{
		{"multibulk passes", Limits{}, "*1\r\n$4\r\nPING\r\n", "*1\r\n$4\r\nPING\r\n", ""},
		{"two pipelined", Limits{}, "*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$0\r\n\r\n",
			"*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", ""},
		{"inline", Limits{}, "SET \"a b\" 'c d'\r\n", "*3\r\n$3\r\nSET\r\n$3\r\na b\r\n$3\r\nc d\r\n", ""},
		{"inline LF only", Limits{}, " PING  x \n", "*2\r\n$4\r\nPING\r\n$1\r\nx\r\n", ""},
		{"empty inline lines ignored", Limits{}, "\r\n\r\nPING\r\n", "*1\r\n$4\r\nPING\r\n", ""},
		{"star zero ignored", Limits{}, "*0\r\n*-1\r\n*1\r\n$1\r\nx\r\n", "*1\r\n$1\r\nx\r\n", ""},
		{"byte after CR unchecked", Limits{}, "*1\rx$4\rxPINGyz", "*1\r\n$4\r\nPING\r\n", ""},
		{"payload tail unchecked", Limits{}, "*1\r\n$4\r\nPINGxx", "*1\r\n$4\r\nPING\r\n", ""},
		{"bad count", Limits{}, "*abc\r\n", "", MsgProtoInvalidMultibulk},
		{"leading zero count", Limits{}, "*01\r\n", "", MsgProtoInvalidMultibulk},
		{"plus count", Limits{}, "*+1\r\n", "", MsgProtoInvalidMultibulk},
		{"count over int32", Limits{}, "*2147483648\r\n", "", MsgProtoInvalidMultibulk},
		{"expected dollar", Limits{}, "*1\r\n:1\r\n", "*1\r\n", MsgProtoExpectedDollar(':')},
		{"negative bulk", Limits{}, "*1\r\n$-5\r\n", "*1\r\n", MsgProtoInvalidBulk},
		{"bulk over limit", small, "*1\r\n$11\r\n", "*1\r\n", MsgProtoInvalidBulk},
		{"query buffer", small, "*2\r\n$10\r\n0123456789\r\n$10\r\n", "*2\r\n$10\r\n0123456789\r\n", "(close)"},
		{"unbalanced quotes", Limits{}, "PING\r\nGET \"a\r\n", "*1\r\n$4\r\nPING\r\n", MsgProtoUnbalancedQuotes},
		{"unauth multibulk", unauth, "*11\r\n", "", MsgProtoUnauthMultibulk},
		{"unauth bulk", unauth, "*1\r\n$16385\r\n", "*1\r\n", MsgProtoUnauthBulk},
		{"unauth small ok", unauth, "*1\r\n$16384\r\n", "*1\r\n$16384\r\n", ""},
		{"commands before error kept", Limits{}, "*1\r\n$4\r\nPING\r\n*x\r\n", "*1\r\n$4\r\nPING\r\n", MsgProtoInvalidMultibulk},
		{"big inline", Limits{}, strings.Repeat("a", maxInline+1), "", MsgProtoBigInline},
		{"big count", Limits{}, "*" + strings.Repeat("1", maxInline+1), "", MsgProtoBigMbulkCount},
		{"big bulk count", Limits{}, "*1\r\n$" + strings.Repeat("1", maxInline+1), "*1\r\n", MsgProtoBigBulkCount},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := feedAll(tc.lim, tc.in)
			if got := protoText(err); got != tc.errText {
				t.Errorf("error %q, want %q", got, tc.errText)
			}
			if out != tc.out {
				t.Errorf("out %q, want %q", out, tc.out)
			}
		})
	}
}

func TestSplitArgs(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		ok   bool
	}{
		{"", nil, true},
		{"   ", nil, true},
		{"a b  c", []string{"a", "b", "c"}, true},
		{`"a b" c`, []string{"a b", "c"}, true},
		{`"\x41\x4a\n\t\\\"" x`, []string{"AJ\n\t\\\"", "x"}, true},
		{`"\x4" y`, []string{"x4", "y"}, true},
		{`'it\'s' x`, []string{"it's", "x"}, true},
		{`'a\nb'`, []string{`a\nb`}, true},
		{`a"b c"d`, nil, false},
		{`a"b c"`, []string{"ab c"}, true},
		{`""`, []string{""}, true},
		{`"abc`, nil, false},
		{`'abc`, nil, false},
		{`"a"b`, nil, false},
		{"a\x00b c", []string{"a"}, true},
	}
	for _, tc := range cases {
		got, ok := splitArgs([]byte(tc.in))
		if ok != tc.ok {
			t.Errorf("splitArgs(%q) ok=%v, want %v", tc.in, ok, tc.ok)
			continue
		}
		var gs []string
		for _, a := range got {
			gs = append(gs, string(a))
		}
		if fmt.Sprint(gs) != fmt.Sprint(tc.want) || len(gs) != len(tc.want) {
			t.Errorf("splitArgs(%q) = %q, want %q", tc.in, gs, tc.want)
		}
	}
}

func TestParseInt(t *testing.T) {
	good := map[string]int64{"0": 0, "1": 1, "-1": -1, "9223372036854775807": 1<<63 - 1,
		"-9223372036854775808": -1 << 63}
	for in, want := range good {
		if got, ok := ParseInt([]byte(in)); !ok || got != want {
			t.Errorf("ParseInt(%q) = %d, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "-", "+1", "01", "-0", " 1", "1 ", "1.0", "9223372036854775808",
		"-9223372036854775809", "99999999999999999999", "abc"} {
		if _, ok := ParseInt([]byte(in)); ok {
			t.Errorf("ParseInt(%q) accepted", in)
		}
	}
}

// randomCommand builds a command of random binary arguments.
func randomCommand(r *rand.Rand) [][]byte {
	args := make([][]byte, 1+r.IntN(5))
	for i := range args {
		a := make([]byte, r.IntN(40))
		for j := range a {
			a[j] = byte(r.IntN(256))
		}
		args[i] = a
	}
	return args
}

func encodeCommand(args [][]byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b.Bytes()
}

// TestFramerRandomSplits sends 10,000 random pipelined commands cut at
// random byte boundaries through the framer into redcon's reader, and
// checks that every command arrives intact and in order.
func TestFramerRandomSplits(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var want [][][]byte
	var stream []byte
	for range 10000 {
		cmd := randomCommand(r)
		if r.IntN(10) == 0 { // some inline commands too
			word := fmt.Sprintf("cmd%d", r.IntN(1000))
			stream = append(stream, word+" \"a b\" c\r\n"...)
			want = append(want, [][]byte{[]byte(word), []byte("a b"), []byte("c")})
			continue
		}
		want = append(want, cmd)
		stream = append(stream, encodeCommand(cmd)...)
	}
	f := NewFramer(Limits{})
	var framed []byte
	for len(stream) > 0 {
		n := 1 + r.IntN(min(len(stream), 300))
		var err error
		framed, err = f.feed(framed, stream[:n])
		if err != nil {
			t.Fatal(err)
		}
		stream = stream[n:]
	}
	rd := redcon.NewReader(bytes.NewReader(framed))
	for i, w := range want {
		cmd, err := rd.ReadCommand()
		if err != nil {
			t.Fatalf("command %d: %v", i, err)
		}
		if len(cmd.Args) != len(w) {
			t.Fatalf("command %d: %d args, want %d", i, len(cmd.Args), len(w))
		}
		for j := range w {
			if !bytes.Equal(cmd.Args[j], w[j]) {
				t.Fatalf("command %d arg %d: %q, want %q", i, j, cmd.Args[j], w[j])
			}
		}
	}
}

// FuzzFramer feeds arbitrary bytes, split in two, to a framer. It must
// not panic, and what it emits must be canonical RESP that SplitCommand
// splits into whole commands, the same whether the input came in one piece
// or two.
func FuzzFramer(f *testing.F) {
	f.Add([]byte("*1\r\n$4\r\nPING\r\n"), 3)
	f.Add([]byte("SET \"a\\x41\" 'b'\r\n*0\r\n"), 5)
	f.Add([]byte("*2\r\n$1\r\na\r\n$-1\r\n"), 9)
	f.Fuzz(func(t *testing.T, data []byte, cut int) {
		lim := Limits{MaxBulkLen: 1 << 16, MaxQueryBuffer: 1 << 17}
		whole, err1 := NewFramer(lim).feed(nil, data)
		if cut < 0 {
			cut = -cut
		}
		cut %= len(data) + 1
		fr := NewFramer(lim)
		split, err2 := fr.feed(nil, data[:cut])
		if err2 == nil {
			split, err2 = fr.feed(split, data[cut:])
		}
		if !bytes.Equal(whole, split) || protoText(err1) != protoText(err2) {
			t.Fatalf("split at %d differs: %q/%v vs %q/%v", cut, whole, err1, split, err2)
		}
		// A reader that passes back the unfinished tail, as the server
		// does, splits exactly the whole commands, each once, and they
		// are canonical RESP.
		all, wholeAll, _, _ := NewFramer(lim).Frame(nil, data)
		fr = NewFramer(lim)
		var tail, got []byte
		var args [][]byte
		for _, part := range [][]byte{data[:cut], data[cut:]} {
			out, w, _, err := fr.Frame(tail, part)
			for off := 0; off < w; {
				var n int
				args, n = SplitCommand(out[off:w], args)
				if n == 0 {
					t.Fatalf("SplitCommand stops at %d of whole %q", off, out[:w])
				}
				got = appendHeader(got, '*', int64(len(args)))
				for _, a := range args {
					got = appendHeader(got, '$', int64(len(a)))
					got = append(append(got, a...), '\r', '\n')
				}
				off += n
			}
			tail = append([]byte(nil), out[w:]...)
			if err != nil {
				break
			}
		}
		if !bytes.Equal(got, all[:wholeAll]) || !bytes.Equal(tail, all[wholeAll:]) {
			t.Fatalf("split commands %q + tail %q, want %q + %q", got, tail, all[:wholeAll], all[wholeAll:])
		}
	})
}

func FuzzSplitArgs(f *testing.F) {
	for _, s := range []string{`a "b c" 'd'`, `"\x41`, `'a\'b'`, "a\x00b"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		args, ok := splitArgs(line)
		if !ok {
			return
		}
		var b bytes.Buffer
		for _, a := range args {
			b.WriteString(` "`)
			for _, c := range a {
				fmt.Fprintf(&b, `\x%02x`, c)
			}
			b.WriteByte('"')
		}
		again, ok := splitArgs(b.Bytes())
		if !ok || len(again) != len(args) {
			t.Fatalf("requoted %q: %q, %v", b.Bytes(), again, ok)
		}
		for i := range args {
			if !bytes.Equal(args[i], again[i]) {
				t.Fatalf("arg %d: %q vs %q", i, args[i], again[i])
			}
		}
	})
}

// FuzzFramerFastPath checks that the fast path for whole canonical
// commands changes nothing: the same output and error as the byte-by-byte
// state machine alone, authenticated or not.
func FuzzFramerFastPath(f *testing.F) {
	f.Add([]byte("*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"), false)
	f.Add([]byte("*2\r\n$3\r\nGET\r\n$01\r\nk\r\n"), true)
	f.Add([]byte("*11\r\n$1\r\na\r\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, unauth bool) {
		lim := Limits{MaxBulkLen: 100, MaxQueryBuffer: 150, AuthRequired: func() bool { return unauth }}
		fast := NewFramer(lim)
		slow := NewFramer(lim)
		slow.slowOnly = true
		a, errA := fast.feed(nil, data)
		b, errB := slow.feed(nil, data)
		if !bytes.Equal(a, b) || protoText(errA) != protoText(errB) {
			t.Fatalf("fast %q/%v, slow %q/%v", a, errA, b, errB)
		}
	})
}

// TestFramerBigArgRoom checks how the framer makes room for a big bulk:
// none for a header alone (a client declaring 512 MiB and sending nothing
// costs nothing), then room for all of it once reserveAfter has arrived,
// made once, so the argument is copied into place once.
func TestFramerBigArgRoom(t *testing.T) {
	f := NewFramer(Limits{})
	const n = 4 << 20
	head := "*1\r\n$" + strconv.Itoa(n) + "\r\n"
	dst, _, _, err := f.Frame(nil, []byte(head))
	if err != nil {
		t.Fatal(err)
	}
	if cap(dst) >= reserveAfter {
		t.Fatalf("after the header alone the buffer holds %d bytes", cap(dst))
	}
	chunk := bytes.Repeat([]byte("x"), 16<<10)
	reservedAt, moves := -1, 0
	for sent := 0; sent < n; sent += len(chunk) {
		before := cap(dst)
		var whole int
		dst, whole, _, err = f.Frame(dst, chunk)
		if err != nil || whole != 0 {
			t.Fatalf("at %d bytes: whole %d, err %v", sent, whole, err)
		}
		if cap(dst) != before {
			moves++
			if cap(dst) >= n {
				reservedAt = sent
			}
		}
	}
	if reservedAt < 0 || reservedAt+len(chunk) < reserveAfter || reservedAt > reserveAfter {
		t.Errorf("room for the whole argument made at %d bytes, want once %d had arrived", reservedAt, reserveAfter)
	}
	if want := len(head) + n + 2; cap(dst) != want {
		t.Errorf("buffer of %d bytes, want exactly %d", cap(dst), want)
	}
	dst, whole, _, err := f.Frame(dst, []byte("\r\n"))
	if err != nil || whole != len(dst) {
		t.Fatalf("end of the argument: whole %d of %d, err %v", whole, len(dst), err)
	}
	t.Logf("%d moves of the buffer", moves)
}
