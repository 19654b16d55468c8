package server

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// floodGet sends GET big from a new connection that reads nothing until
// the server has counted n clients closed for their output limits, and
// reports whether the server closed this one.
func floodGet(t *testing.T, path string, admin *testConn, n string) bool {
	t.Helper()
	c := dial(t, path)
	c.Send("GET", "big")
	waitFor(t, func() bool { return infoField(t, admin, "stats", "client_output_buffer_limit_disconnections") == n })
	_, closed := c.ReadRaw(5 * time.Second)
	return closed
}

// A client that leaves more unread than the hard limit is disconnected
// (on either driver), counted in INFO, and nobody else is disturbed; a
// client under the limit is served in full.
func TestOutputLimitHard(t *testing.T) {
	for _, portable := range []bool{false, true} {
		_, path := newTestServer(t, Config{Portable: portable, ClientOutputBufferLimit: "normal 1mb 0 0"})
		admin := dial(t, path)
		big := strings.Repeat("x", 4<<20)
		if got := admin.Do("SET", "big", big); got != "OK" {
			t.Fatal(got)
		}
		if !floodGet(t, path, admin, "1") {
			t.Errorf("portable=%v: a client 3 MiB over the hard limit is still connected", portable)
		}
		if got := admin.Do("CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0"); got != "OK" {
			t.Fatal(got)
		}
		if got := admin.Do("GET", "big"); got != big {
			t.Errorf("portable=%v: GET without a limit: %d bytes", portable, len(got))
		}
	}
}

// A client over the soft limit for longer than its seconds is
// disconnected, though it asks for nothing more.
func TestOutputLimitSoft(t *testing.T) {
	for _, portable := range []bool{false, true} {
		_, path := newTestServer(t, Config{Portable: portable, ClientOutputBufferLimit: "normal 0 512kb 1"})
		admin := dial(t, path)
		if got := admin.Do("SET", "big", strings.Repeat("x", 4<<20)); got != "OK" {
			t.Fatal(got)
		}
		start := time.Now()
		if !floodGet(t, path, admin, "1") {
			t.Fatalf("portable=%v: a stalled client over the soft limit is still connected", portable)
		}
		if d := time.Since(start); d < time.Second {
			t.Errorf("portable=%v: disconnected after %v, before the soft limit's second", portable, d)
		}
	}
}

func TestParseOutputLimits(t *testing.T) {
	def, why := parseOutputLimits(outputLimits{}, DefaultOutputLimits)
	if why != "" || def.String() != DefaultOutputLimits {
		t.Fatalf("defaults: %q %q", def.String(), why)
	}
	for _, tc := range []struct{ in, want, why string }{
		{"", DefaultOutputLimits, ""},
		{"normal 1gb 0 0", DefaultOutputLimits, ""},
		{"NORMAL 1k 2kb 3 replica 1 2 3", "normal 1000 2048 3 slave 1 2 3 pubsub 33554432 8388608 60", ""},
		{"normal 1gb 0", "", "Wrong number of arguments in buffer limit configuration."},
		{"master 1 1 1", "", "Invalid client class specified in buffer limit configuration."},
		{"normal -1 2 3", "", "Error in hard, soft or soft_seconds setting in buffer limit configuration."},
		{"normal 1 2 -3", "", "Error in hard, soft or soft_seconds setting in buffer limit configuration."},
		{"normal x 2 3", "", "Error in hard, soft or soft_seconds setting in buffer limit configuration."},
	} {
		got, why := parseOutputLimits(def, tc.in)
		if tc.why != "" {
			tc.why = "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - " + tc.why
		}
		if why != tc.why || (why == "" && got.String() != tc.want) {
			t.Errorf("%q: %q %q, want %q %q", tc.in, got.String(), why, tc.want, tc.why)
		}
	}
	bad := Config{ClientOutputBufferLimit: "normal 1"}
	if bad.Check() == nil {
		t.Error("Check accepted a bad client-output-buffer-limit")
	}
}

// CLIENT LIST's buffer fields are true: fd is the socket's, qbuf counts
// input received and not yet run, omem and oll the replies left unread,
// on both drivers.
func TestClientListBuffers(t *testing.T) {
	for _, portable := range []bool{false, true} {
		_, path := newTestServer(t, Config{Portable: portable})
		admin := dial(t, path)
		line := func(id string) string {
			return admin.Do("CLIENT", "LIST", "ID", id)
		}
		field := func(id, name string) int64 {
			for f := range strings.FieldsSeq(line(id)) {
				if v, ok := strings.CutPrefix(f, name+"="); ok {
					n, _ := strconv.ParseInt(v, 10, 64)
					return n
				}
			}
			t.Fatalf("no %s in %q", name, line(id))
			return 0
		}
		half := dial(t, path)
		id := half.Do("CLIENT", "ID")
		if fd := field(id, "fd"); fd <= 2 {
			t.Errorf("portable=%v: fd=%d", portable, fd)
		}
		half.Write("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\n01234")
		waitFor(t, func() bool { return field(id, "qbuf") > 0 })
		admin.Do("SET", "big", strings.Repeat("x", 4<<20))
		stalled := dial(t, path)
		sid := stalled.Do("CLIENT", "ID")
		stalled.Send("GET", "big")
		waitFor(t, func() bool { return field(sid, "omem") > 0 })
		if oll := field(sid, "oll"); oll < 1 {
			t.Errorf("portable=%v: oll=%d with omem=%d", portable, oll, field(sid, "omem"))
		}
	}
}
