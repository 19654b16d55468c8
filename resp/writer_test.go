package resp

import (
	"bytes"
	"math"
	"testing"

	"github.com/tidwall/redcon"
)

// TestWriterProtocols: each reply as RESP2 and RESP3 clients read it.
func TestWriterProtocols(t *testing.T) {
	for _, tc := range []struct {
		name         string
		write        func(w *Writer)
		resp2, resp3 string
	}{
		{"null", func(w *Writer) { w.Null() }, "$-1\r\n", "_\r\n"},
		{"null array", func(w *Writer) { w.NullArray() }, "*-1\r\n", "_\r\n"},
		{"map", func(w *Writer) { w.Map(1); w.BulkString("k"); w.Int(7) }, "*2\r\n$1\r\nk\r\n:7\r\n", "%1\r\n$1\r\nk\r\n:7\r\n"},
		{"set", func(w *Writer) { w.Set(0) }, "*0\r\n", "~0\r\n"},
		{"verbatim", func(w *Writer) { w.Verbatim("a:1") }, "$3\r\na:1\r\n", "=7\r\ntxt:a:1\r\n"},
		{"empty bulk", func(w *Writer) { w.Bulk(nil) }, "$0\r\n\r\n", "$0\r\n\r\n"},
		{"error", func(w *Writer) { w.Error(MsgSyntax) }, "-ERR syntax error\r\n", "-ERR syntax error\r\n"},
		{"true", func(w *Writer) { w.boolean(true) }, ":1\r\n", "#t\r\n"},
		{"false", func(w *Writer) { w.boolean(false) }, ":0\r\n", "#f\r\n"},
		{"double", func(w *Writer) { w.double(1.5) }, "$3\r\n1.5\r\n", ",1.5\r\n"},
		{"tenth", func(w *Writer) { w.double(0.1) }, "$19\r\n0.10000000000000001\r\n", ",0.10000000000000001\r\n"},
		{"inf", func(w *Writer) { w.double(math.Inf(-1)) }, "$4\r\n-inf\r\n", ",-inf\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for proto, want := range map[int]string{2: tc.resp2, 3: tc.resp3} {
				var buf bytes.Buffer
				out := redcon.NewWriter(&buf)
				w := NewWriter(out)
				w.SetProto(proto)
				tc.write(w)
				if err := out.Flush(); err != nil {
					t.Fatal(err)
				}
				if buf.String() != want {
					t.Errorf("RESP%d: %q, want %q", proto, buf.String(), want)
				}
			}
		})
	}
}
