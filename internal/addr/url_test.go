package addr

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ in, want string }{
		{"unix:///tmp/x.sock", "unix:///tmp/x.sock"},
		{"UNIX:///tmp/x.sock", "unix:///tmp/x.sock"},
		{"unix://:pw@/tmp/x.sock", "unix://:pw@/tmp/x.sock"},
		{"unix:///tmp/x.sock?password=pw", "unix://:pw@/tmp/x.sock"},
		{"unix://al@/tmp/x.sock?password=pw&db=0", "unix://al:pw@/tmp/x.sock?db=0"},
		{"/tmp/x.sock", "unix:///tmp/x.sock"},
		{"x.sock", "unix://" + filepath.Join(wd, "x.sock")},
		{"./run/x", "unix://" + filepath.Join(wd, "run/x")},
		{"redis://:pw@127.0.0.1:7450", "redis://:pw@127.0.0.1:7450"},
		{"rediss://h:6380/0", "rediss://h:6380/0"},
		{"127.0.0.1:7450", "redis://127.0.0.1:7450"},
		{"[::1]:7450", "redis://[::1]:7450"},
		{":7450", "redis://localhost:7450"},
		{"  localhost:1  ", "redis://localhost:1"},
	} {
		got, err := Normalize(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// TestNormalizeBad: a bad address's error names it, hides its password
// and says what would do.
func TestNormalizeBad(t *testing.T) {
	for _, tc := range []struct{ in, shown string }{
		{"", `""`},
		{"localhost", `"localhost"`},
		{"host:port", `"host:port"`},
		{"host:70000", `"host:70000"`},
		{"http://h:1", `"http://h:1"`},
		{"redis://:s3cret@h:x", `"redis://:xxxxx@h:x"`},
		{"redis://:s3 cret@h:1", `"redis://:xxxxx@h:1"`},
		{"unix://tmp/x.sock", `"unix://tmp/x.sock"`},
		{"unix://", `"unix://"`},
		{"unix://:s3cret@/x?password=s3cret", `"unix://:xxxxx@/x?password=xxxxx"`},
	} {
		_, err := Normalize(tc.in)
		if err == nil {
			t.Errorf("Normalize(%q) accepted it", tc.in)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tc.shown) || strings.Contains(msg, "s3cret") || !strings.Contains(msg, "host:port") {
			t.Errorf("Normalize(%q): %q; want it to name %s, hide the password and say what would do", tc.in, msg, tc.shown)
		}
	}
}

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"redis://:pw@h:1", "redis://:xxxxx@h:1"},
		{"redis://al:pw@h:1/0", "redis://al:xxxxx@h:1/0"},
		{"redis://al@h:1", "redis://al@h:1"},
		{"unix:///tmp/a:b@c.sock", "unix:///tmp/a:b@c.sock"},
		{"unix:///x?db=0&password=pw", "unix:///x?db=0&password=xxxxx"},
		{"/tmp/x.sock", "/tmp/x.sock"},
		{"h:1", "h:1"},
	} {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzNormalize: Normalize never panics, is idempotent, returns URLs of
// the three schemes, and never shows a password in an error.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"unix:///tmp/x.sock", "/tmp/x.sock", "h:1", "[::1]:2", "redis://u:p@h:3/0",
		"unix:///x?password=p", "rediss://h", "x.sock", "unix://h/x", ":7450", "redis://h:%zz"} {
		f.Add(s, "pw")
	}
	f.Fuzz(func(t *testing.T, s, pass string) {
		out, err := Normalize(s)
		if err == nil {
			checkNormal(t, s, out)
		}
		// A password of letters and digits behind a marker s lacks, so
		// that only a leak can put it in the message.
		if len(pass) < 3 || strings.Trim(pass, alnum) != "" || strings.Contains(s, "Zq9") {
			return
		}
		pass = "Zq9" + pass
		for _, in := range []string{"redis://u:" + pass + "@" + s, "unix:///x?password=" + pass + "&" + s} {
			if _, err := Normalize(in); err != nil && strings.Contains(err.Error(), pass) {
				t.Errorf("Normalize(%q): error shows the password: %v", in, err)
			}
		}
	})
}

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func checkNormal(t *testing.T, in, out string) {
	t.Helper()
	again, err := Normalize(out)
	if err != nil || again != out {
		t.Errorf("Normalize(%q) = %q, but Normalize of that = %q, %v", in, out, again, err)
	}
	u, err := url.Parse(out)
	if err != nil {
		t.Fatalf("Normalize(%q) = %q, which does not parse: %v", in, out, err)
	}
	switch u.Scheme {
	case "unix", "redis", "rediss":
	default:
		t.Errorf("Normalize(%q) = %q: scheme %q", in, out, u.Scheme)
	}
}
