package remoted_test

import (
	"strconv"
	"strings"
	"testing"
)

// TestMaxmemoryPoliciesBlackBox sets maxmemory and each policy with
// CONFIG SET on the built remoted and on a real redis-server, writes a
// quarter of it in 1 KiB values without expiry and then four times it
// with one, and
// checks on both that the memory the policy acts on stays under the limit
// (give or take what one command and its client hold)
// (remoted's used_memory_dataset, redis-server's used_memory, which holds
// its own overhead of about 1 MB beside the data), that keys were evicted
// and counted in evicted_keys, and that the volatile policies kept every
// key without an expiry.
func TestMaxmemoryPoliciesBlackBox(t *testing.T) {
	const limit, slack = 4 << 20, 16 << 10
	servers := []struct {
		srv   *testServer
		field string
	}{{startRedis(t), "used_memory"}, {startRemoted(t), "used_memory_dataset"}}
	val := strings.Repeat("v", 1024)
	for _, policy := range []string{"allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"} {
		for _, sv := range servers {
			t.Run(policy+"/"+sv.srv.Name, func(t *testing.T) {
				c := dialRESP(t, "unix", sv.srv.UnixPath)
				mustDo(t, c, "FLUSHALL")
				mustDo(t, c, "CONFIG", "RESETSTAT")
				mustDo(t, c, "CONFIG", "SET", "maxmemory", strconv.Itoa(limit), "maxmemory-policy", policy)
				defer mustDo(t, c, "CONFIG", "SET", "maxmemory", "0", "maxmemory-policy", "noeviction")
				// A quarter of the limit without expiry, then 4x it with one.
				const persistent, total = limit / 4 / 1024, 4 * limit / 1024
				for i := range total {
					args := []string{"SET", "k" + strconv.Itoa(i), val}
					if i >= persistent {
						args = append(args, "EX", strconv.Itoa(1000+i))
					}
					mustDo(t, c, args...)
					if i%256 != 0 {
						continue
					}
					// The command after the SET evicts (INFO itself); Redis's
					// used_memory also counts this client's buffers.
					if used := infoInt(t, c, sv.field); used > limit+slack {
						t.Fatalf("after %d keys: %s %d > maxmemory %d + %d", i+1, sv.field, used, limit, slack)
					}
				}
				if n := infoInt(t, c, "evicted_keys"); n == 0 {
					t.Errorf("evicted_keys 0 after writing 4x maxmemory")
				}
				if strings.HasPrefix(policy, "volatile-") {
					for i := range persistent {
						if _, v, _ := c.Do("EXISTS", "k"+strconv.Itoa(i)); v.Str != "1" {
							t.Fatalf("k%d, without an expiry, was evicted", i)
						}
					}
				}
			})
		}
	}
}

// mustDo runs a command and fails on an error reply.
func mustDo(t *testing.T, c *respConn, args ...string) {
	t.Helper()
	raw, v, err := c.Do(args...)
	if err != nil || v.isError() {
		t.Fatalf("%s: %q %v", strings.Join(args, " "), raw, err)
	}
}

// infoInt reads one integer field of INFO.
func infoInt(t *testing.T, c *respConn, field string) int64 {
	t.Helper()
	_, v, err := c.Do("INFO", "memory", "stats")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(v.Str, "\r\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(rest, 10, 64)
			return n
		}
	}
	t.Fatalf("no %s in INFO", field)
	return 0
}
