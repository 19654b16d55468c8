package remoted_test

import (
	"fmt"
	"os"
	"testing"
)

// TestTypesMemory loads each collection the data-types issue measures
// into remoted and a real redis-server side by side and logs each one's
// RSS, used_memory and the ratio of the RSS (see memBeside): 1M hashes
// of 10 fields, one hash of 1M fields, one list of 1M 10-byte elements,
// one set of 1M members (strings, then integers) and one sorted set of
// 1M members. A measure, not a check; the README quotes it.
//
//	REMOTED_MEM=1 go test -run TypesMemory -v -timeout 30m .
func TestTypesMemory(t *testing.T) {
	if spec := os.Getenv(envMem); spec == "" || spec == "0" {
		t.Skipf("set %s=1 to measure the collections' memory beside redis-server", envMem)
	}
	const n = 1000000
	loads := []struct {
		name string
		cmd  func(b []byte, i int) []byte // appends the i-th of the n commands
	}{
		{"1M hashes x 10 fields", func(b []byte, i int) []byte {
			b = fmt.Appendf(b, "*22\r\n$4\r\nHSET\r\n$11\r\nhash:%06d\r\n", i)
			for f := range 10 {
				b = fmt.Appendf(b, "$6\r\nfield%d\r\n$9\r\nv%08d\r\n", f, i*10+f)
			}
			return b
		}},
		{"1 hash x 1M fields", func(b []byte, i int) []byte {
			return fmt.Appendf(b, "*4\r\n$4\r\nHSET\r\n$3\r\nbig\r\n$13\r\nfield:%07d\r\n$13\r\nvalue:%07d\r\n", i, i)
		}},
		{"1 list x 1M elements", func(b []byte, i int) []byte {
			return fmt.Appendf(b, "*3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$10\r\nel:%07d\r\n", i)
		}},
		{"1 set x 1M members", func(b []byte, i int) []byte {
			return fmt.Appendf(b, "*3\r\n$4\r\nSADD\r\n$1\r\ns\r\n$14\r\nm:%012d\r\n", i)
		}},
		{"1 set x 1M integers", func(b []byte, i int) []byte {
			v := fmt.Sprint(i * 7)
			return fmt.Appendf(b, "*3\r\n$4\r\nSADD\r\n$1\r\ns\r\n$%d\r\n%s\r\n", len(v), v)
		}},
		{"1 sorted set x 1M members", func(b []byte, i int) []byte {
			score := fmt.Sprint((i * 7919) % n)
			return fmt.Appendf(b, "*4\r\n$4\r\nZADD\r\n$1\r\nz\r\n$%d\r\n%s\r\n$15\r\nmember:%08d\r\n", len(score), score, i)
		}},
	}
	for _, l := range loads {
		t.Run(l.name, func(t *testing.T) {
			memBeside(t, l.name, n, func(t *testing.T, srv *testServer) { pipeline(t, srv, n, ":", l.cmd) })
		})
	}
}
