package resp

import (
	"strings"
	"testing"

	"github.com/tidwall/redcon"
)

// Per-command costs of the read side, for 16 pipelined SETs: the framer,
// the framer with the split into arguments (the server's whole read path),
// and, for comparison, redcon's reader, which the server used to run after
// the framer.
var pipeline16 = []byte(strings.Repeat("*3\r\n$3\r\nSET\r\n$8\r\nkey:0001\r\n$5\r\nvalue\r\n", 16))

// repeater yields the pipeline again on every Read, like a client that
// keeps sending it.
type repeater struct{}

func (repeater) Read(p []byte) (int, error) { return copy(p, pipeline16), nil }

// BenchmarkRedconReader parses the pipeline as redcon's server does, in
// steady state (one reader, many reads).
func BenchmarkRedconReader(b *testing.B) {
	b.ReportAllocs()
	rd := redcon.NewReader(repeater{})
	for range b.N {
		if _, err := rd.ReadCommand(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFramer runs the pipeline through the framer.
func BenchmarkFramer(b *testing.B) {
	b.ReportAllocs()
	f := NewFramer(Limits{})
	var out []byte
	for range b.N / 16 {
		var err error
		if out, err = f.feed(out[:0], pipeline16); err != nil { // 16 commands
			b.Fatal(err)
		}
	}
}

// BenchmarkFrameSplit frames the pipeline and splits each command into its
// arguments, as a connection does after every read.
func BenchmarkFrameSplit(b *testing.B) {
	b.ReportAllocs()
	f := NewFramer(Limits{})
	var (
		out  []byte
		args [][]byte
	)
	for range b.N / 16 {
		var (
			whole int
			err   error
		)
		if out, whole, _, err = f.Frame(out[:0], pipeline16); err != nil {
			b.Fatal(err)
		}
		for off := 0; off < whole; {
			var n int
			args, n = SplitCommand(out[off:whole], args)
			if len(args) != 3 {
				b.Fatal(args)
			}
			off += n
		}
	}
}
