package remoted_test

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/remoted/remoted/internal/testdep"
)

// TestDefaultShare runs `remoted serve` without --unix: it must serve the
// default share's socket under $XDG_RUNTIME_DIR/remoted, private to the
// user, and remove it when stopped by SIGTERM.
func TestDefaultShare(t *testing.T) {
	if selftest() {
		t.Skip("remoted's own command line")
	}
	bin := buildRemoted(t)
	runtimeDir := shortTempDir(t)
	cmd := exec.Command(bin, "serve", "--port", "0")
	cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+runtimeDir)
	want := filepath.Join(runtimeDir, "remoted", "default.sock")
	p := runProc(t, "remoted", cmd, func(line string) bool {
		return strings.Contains(line, "reach it with: redis-cli -s "+want) // logged last
	}, true)
	select {
	case <-p.exited:
		t.Fatalf("remoted exited: %v\n%s", p.waitErr, p.out.String())
	default:
	}
	if !strings.Contains(p.out.String(), "msg=listening network=unix addr="+want) {
		t.Errorf("log does not say where it listens:\n%s", p.out.String())
	}
	fi, err := os.Stat(filepath.Dir(want))
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("share directory: %v, mode %v; want 0700", err, fi.Mode().Perm())
	}
	fi, err = os.Stat(want)
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Mode()&os.ModeSocket == 0 {
		t.Errorf("socket: %v, mode %v; want a 0600 socket", err, fi.Mode())
	}
	c, err := net.Dial("unix", want)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	p.stopped = true
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(stopTimeout):
		t.Fatal("no exit after SIGTERM")
	}
	if p.waitErr != nil {
		t.Errorf("exit after SIGTERM: %v, want 0", p.waitErr)
	}
	if _, err := os.Lstat(want); !os.IsNotExist(err) {
		t.Errorf("socket left behind after SIGTERM: %v", err)
	}
}

// TestRefuseOpenBind: a non-loopback bind without a password must not
// start, and must say why.
func TestRefuseOpenBind(t *testing.T) {
	if selftest() {
		t.Skip("remoted's own command line")
	}
	bin := buildRemoted(t)
	out, err := exec.Command(bin, "serve", "--unix", "", "--bind", "0.0.0.0", "--port", "0").CombinedOutput()
	if err == nil {
		t.Fatalf("remoted started on 0.0.0.0 without a password:\n%s", out)
	}
	if !strings.Contains(string(out), "requirepass") {
		t.Errorf("refusal does not say what to do: %s", out)
	}
}

// TestRedisCLIInteractive types into an interactive redis-cli in tmux and
// checks that it shows remoted's argument hints, which it builds from
// COMMAND DOCS, and that MONITOR shows another client's command.
func TestRedisCLIInteractive(t *testing.T) {
	cli := testdep.Tool(t, "redis-cli")
	tmux := testdep.Tool(t, "tmux")
	srv := startRemoted(t)
	const session = "cli"
	sock := filepath.Join(shortTempDir(t), "tmux.sock") // a private tmux server
	tm := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(tmux, append([]string{"-S", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %q: %v\n%s", args, err, out)
		}
		return string(out)
	}
	tm("new-session", "-d", "-s", session, "-x", "200", "-y", "20", cli+" -s "+srv.UnixPath)
	t.Cleanup(func() { exec.Command(tmux, "-S", sock, "kill-server").Run() })
	waitPane := func(want string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			pane := tm("capture-pane", "-p", "-t", session)
			if strings.Contains(pane, want) {
				return
			}
			if time.Now().After(deadline) {
				out, _ := exec.Command(tmux, "-S", sock, "list-panes", "-a", "-F", "#{pane_dead} #{pane_current_command}").CombinedOutput()
				t.Fatalf("redis-cli screen never showed %q:\n%s\npanes: %s", want, pane, out)
			}
			time.Sleep(50 * time.Millisecond) // polling the screen for the awaited text
		}
	}
	waitPane(srv.UnixPath + ">") // the prompt
	tm("send-keys", "-t", session, "SET foo bar ")
	waitPane("[NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]")
	tm("send-keys", "-t", session, "C-u", "MONITOR", "Enter")
	waitPane("OK")
	if out, err := exec.Command(cli, "-s", srv.UnixPath, "set", "greeting", "hello world").CombinedOutput(); err != nil {
		t.Fatalf("redis-cli set: %v %s", err, out)
	}
	waitPane(`"set" "greeting" "hello world"`)
}

// TestGetAndKeys: `remoted get` shows a CBOR value in diagnostic notation
// and text as stored; `remoted keys` lists keys by pattern.
func TestGetAndKeys(t *testing.T) {
	if selftest() {
		t.Skip("remoted's own command line")
	}
	bin := buildRemoted(t)
	srv := startRemoted(t)
	url := "unix://" + srv.UnixPath
	c := dialRESP(t, "unix", srv.UnixPath)
	for _, args := range [][]string{
		{"SET", "user:1", "\xd9\xd9\xf7\xa2\x64Name\x62Al\x61N\x01"}, // {"Name": "Al", "N": 1}
		{"SET", "user:2", "plain text"},
		{"SET", "other", "x"},
	} {
		if _, v, err := c.Do(args...); err != nil || v.isError() {
			t.Fatalf("%q: %v %v", args, v, err)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
		ok   bool
	}{
		{[]string{"get", "-url", url, "user:1"}, "{\"Name\": \"Al\", \"N\": 1}\n", true},
		{[]string{"get", "-url", url, "user:2"}, "plain text\n", true},
		{[]string{"get", "-url", url, "nope"}, "remoted: get nope: no such key\n", false},
		{[]string{"keys", "-url", url, "user:*"}, "user:1\nuser:2\n", true},
	} {
		out, err := exec.Command(bin, tc.args...).CombinedOutput()
		if string(out) != tc.want || (err == nil) != tc.ok {
			t.Errorf("remoted %q: %q, %v; want %q", tc.args, out, err, tc.want)
		}
	}
}
