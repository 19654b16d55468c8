package resp

import (
	"strconv"
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

// BenchmarkFrameTrickle frames one SET of a big value arriving in 4 KiB
// reads, for values of 8 and 32 MiB. Framing must stay linear in the
// bytes however they are split: B/op stays near the value's size (one
// buffer made for the whole argument, see bigArg), and the MB/s of the two
// cases stay of one order (a quadratic framer would lose a factor of four
// on the larger; caches and page faults cost the larger some anyway).
func BenchmarkFrameTrickle(b *testing.B) {
	for _, size := range []int{8 << 20, 32 << 20} {
		b.Run(strconv.Itoa(size>>20)+"MiB", func(b *testing.B) {
			cmd := []byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + strconv.Itoa(size) + "\r\n" + strings.Repeat("v", size) + "\r\n")
			b.SetBytes(int64(len(cmd)))
			b.ReportAllocs()
			for range b.N {
				f := NewFramer(Limits{})
				var (
					out   []byte
					whole int
					err   error
				)
				for rest := cmd; len(rest) > 0; {
					n := min(4<<10, len(rest))
					if out, whole, _, err = f.Frame(out[whole:], rest[:n]); err != nil {
						b.Fatal(err)
					}
					rest = rest[n:]
				}
				if whole != len(out) || len(out) < size {
					b.Fatalf("framed %d of %d bytes", whole, len(out))
				}
			}
		})
	}
}
