package remoted_test

import (
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/remoted/remoted/internal/testdep"
)

// TestBench runs `remoted bench` on its smallest cell, against
// redis-server, against a second remoted pinned apart from the client, and
// with two redis-servers and no remoted (-redis-self): each prints a row
// per test with both servers' requests per second and a ratio inside the
// interval it reports, at the confidence two pairs give.
func TestBench(t *testing.T) {
	bin := buildRemoted(t)
	redisServer := testdep.Tool(t, "redis-server")
	redisBenchmark := testdep.Tool(t, "redis-benchmark")
	runs := []struct {
		baseline string // the second server's column
		flags    []string
	}{{"redis", nil}, {"remoted-2", []string{"-self"}}, {"redis-2", []string{"-redis-self"}}}
	if runtime.NumCPU() > 1 {
		runs[1].flags = append(runs[1].flags, "-pin")
	}
	for _, run := range runs {
		args := append([]string{"bench", "-only", "unix/1/1", "-repeat", "2", "-n", "20000",
			"-redis-server", redisServer, "-redis-benchmark", redisBenchmark}, run.flags...)
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("remoted %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) != 3 || !strings.Contains(lines[0], " "+run.baseline+" rps") {
			t.Fatalf("remoted %s: want a header naming %s and 2 rows, got\n%s", strings.Join(args, " "), run.baseline, out)
		}
		for i, test := range []string{"SET", "GET"} {
			// transport clients pipeline test rps rps ratio interval conf cpu bound server-µs/req
			f := strings.Fields(lines[i+1])
			if len(f) != 12 || f[0] != "unix" || f[1] != "1" || f[2] != "1" || f[3] != test {
				t.Fatalf("row %q", lines[i+1])
			}
			a, errA := strconv.ParseFloat(f[4], 64)
			b, errB := strconv.ParseFloat(f[5], 64)
			ratio, errR := strconv.ParseFloat(f[6], 64)
			loText, hiText, _ := strings.Cut(f[7], "-")
			lo, errLo := strconv.ParseFloat(loText, 64)
			hi, errHi := strconv.ParseFloat(hiText, 64)
			if errA != nil || errB != nil || errR != nil || errLo != nil || errHi != nil || a <= 0 || b <= 0 {
				t.Fatalf("row %q: unparsable or zero figures", lines[i+1])
			}
			if ratio < lo || ratio > hi {
				t.Errorf("row %q: ratio outside its interval", lines[i+1])
			}
			if f[10] != "-" && f[10] != "client" {
				t.Errorf("row %q: bound %q, want - or client", lines[i+1], f[10])
			}
			// Each server's CPU per request, a figure of 10 ms ticks that
			// 2,000 requests may not reach: parsed, never negative.
			usA, usB, _ := strings.Cut(f[11], "/")
			if x, err := strconv.ParseFloat(usA, 64); err != nil || x < 0 {
				t.Errorf("row %q: server CPU per request %q", lines[i+1], f[11])
			}
			if y, err := strconv.ParseFloat(usB, 64); err != nil || y < 0 {
				t.Errorf("row %q: server CPU per request %q", lines[i+1], f[11])
			}
			// Two pairs hold the median between them half the time.
			if f[8] != "50%" {
				t.Errorf("row %q: confidence %s, want 50%% for two pairs", lines[i+1], f[8])
			}
		}
	}
}
