package server

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// The histogram reports what Redis's HdrHistogram (1 ns..1 s, 2 digits)
// reports for the same latencies: the highest value of the bucket.
func TestLatencyHistPercentiles(t *testing.T) {
	spread := make([]int64, 100)
	for i := range spread {
		spread[i] = int64(i + 1)
	}
	for _, tc := range []struct {
		name    string
		ns      []int64
		p, want float64 // want in ns
	}{
		{"1 µs", []int64{1000}, 50, 1003},
		{"2 µs", []int64{2000}, 99, 2007},
		{"exact below 256", []int64{5}, 50, 5},
		{"0 counts as 1", []int64{0}, 50, 1},
		{"past 1 s counts as 1 s", []int64{2e9}, 50, 1002438655},
		{"median of 1..100", spread, 50, 50},
		{"p99 of 1..100", spread, 99, 99},
		{"p99.9 of 1..100", spread, 99.9, 100},
		{"p0 is the lowest", spread, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h latencyHist
			for _, v := range tc.ns {
				h.record(v)
			}
			if got := h.addTo(nil).percentile(tc.p); float64(got) != tc.want {
				t.Errorf("p%v = %d, want %v", tc.p, got, tc.want)
			}
		})
	}
}

// Past 128 error codes errorstats holds only ERRORSTATS_DISABLED, until
// CONFIG RESETSTAT; total_error_replies counts on.
func TestErrorStatsCap(t *testing.T) {
	s, path := newTestServer(t, Config{})
	for i := range maxErrorCodes + 2 {
		s.noteError(fmt.Sprintf("CODE%d text", i))
	}
	tc := dial(t, path)
	if got := tc.Do("INFO", "errorstats"); !strings.Contains(got, "errorstat_ERRORSTATS_DISABLED:count=1") || strings.Contains(got, "CODE") {
		t.Errorf("INFO errorstats past the cap: %q", got)
	}
	if got := infoField(t, tc, "stats", "total_error_replies"); got != fmt.Sprint(maxErrorCodes+2) {
		t.Errorf("total_error_replies = %s", got)
	}
	tc.Do("CONFIG", "RESETSTAT")
	tc.Do("GET")
	if got := tc.Do("INFO", "errorstats"); !strings.Contains(got, "errorstat_ERR:count=1") || strings.Contains(got, "DISABLED") {
		t.Errorf("INFO errorstats after RESETSTAT: %q", got)
	}
}

// Commands count as Redis counts them, also where remoted differs from
// Redis's structure: LOCK refused inside MULTI (a rejected call, and the
// transaction aborts), an error under CLIENT REPLY OFF (a failed call).
func TestCommandStats(t *testing.T) {
	_, path := newTestServer(t, Config{})
	tc := dial(t, path)
	tc.Do("CONFIG", "RESETSTAT")
	tc.Do("SET", "s", "x")
	tc.Do("MULTI")
	tc.Do("INCR", "s")
	tc.Do("LOCK")
	tc.Do("EXEC")
	tc.Do("LOCK", "n")
	tc.Do("UNLOCK", "n")
	tc.Send("CLIENT", "REPLY", "OFF") // no reply
	tc.Send("INCR", "s")
	tc.Send("CLIENT", "REPLY", "ON")
	tc.Read()
	want := []string{
		"cmdstat_set:calls=1,", "rejected_calls=0,failed_calls=0",
		"cmdstat_incr:calls=1,", "rejected_calls=0,failed_calls=1", // the queued one never ran
		"cmdstat_lock:calls=1,", "rejected_calls=1,failed_calls=0",
		"cmdstat_exec:calls=1,", "cmdstat_unlock:calls=1,", "cmdstat_client|reply:calls=2,",
	}
	got := tc.Do("INFO", "commandstats")
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("INFO commandstats lacks %q:\n%s", w, got)
		}
	}
	if got := infoField(t, tc, "errorstats", "errorstat_EXECABORT"); got != "count=1" {
		t.Errorf("errorstat_EXECABORT: %q", got)
	}
	if got := tc.Do("INFO", "latencystats"); !strings.Contains(got, "latency_percentiles_usec_lock:p50=") {
		t.Errorf("INFO latencystats: %q", got)
	}
}

// used_memory is the live heap; multiplexing_api names what waits for
// the connections, in Redis's words (epoll where the event loops run on
// Linux; under Config.Portable, what Go's poller uses on the OS).
func TestInfoMemoryAndDriver(t *testing.T) {
	for _, portable := range []bool{false, true} {
		_, path := newTestServer(t, Config{Portable: portable})
		tc := dial(t, path)
		used := infoField(t, tc, "memory", "used_memory")
		if used == "" || used == "0" {
			t.Errorf("used_memory = %q", used)
		}
		want := netpollAPI()
		if runtime.GOOS == "linux" {
			want = "epoll"
		}
		if got := infoField(t, tc, "server", "multiplexing_api"); got != want {
			t.Errorf("portable=%v: multiplexing_api = %q, want %q", portable, got, want)
		}
	}
}
