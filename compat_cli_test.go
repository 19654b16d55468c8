package remoted_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/remoted/remoted/internal/testdep"
	"github.com/remoted/remoted/internal/testproc"
)

// TestPrivateDefaultShare runs plain `remoted serve`: it must serve the
// default share's socket under $XDG_RUNTIME_DIR/remoted, private to the
// user (0600 in a 0700 directory), listen on nothing else (no TCP port
// another local user could reach: issue 19's passwordless door), and
// remove the socket when stopped by SIGTERM.
func TestPrivateDefaultShare(t *testing.T) {
	if selftest() {
		t.Skip("remoted's own command line")
	}
	runtimeDir := shortTempDir(t)
	s := serveArgs(t, append(os.Environ(), "XDG_RUNTIME_DIR="+runtimeDir), 1)
	want := filepath.Join(runtimeDir, "remoted", "default.sock")
	if len(s.addrs) != 1 || s.addrs["unix"] != want {
		t.Errorf("listeners %v, want the unix socket %s only", s.addrs, want)
	}
	if lns, err := testproc.TCPListeners(s.proc.cmd.Process.Pid); err != nil || len(lns) > 0 {
		t.Errorf("plain remoted serve listens on TCP: %v, %v", lns, err)
	}
	fi, err := os.Stat(filepath.Dir(want))
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("share directory: %v, mode %v; want 0700", err, fi.Mode().Perm())
	}
	fi, err = os.Stat(want)
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Mode()&os.ModeSocket == 0 {
		t.Errorf("socket: %v, mode %v; want a 0600 socket", err, fi.Mode())
	}
	dialRESP(t, "unix", want).c.Close()
	s.proc.stopped = true
	s.proc.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.proc.exited:
	case <-time.After(stopTimeout):
		t.Fatal("no exit after SIGTERM")
	}
	if s.proc.waitErr != nil {
		t.Errorf("exit after SIGTERM: %v, want 0", s.proc.waitErr)
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
		{"SET", "bin", "caf\xc3\xa9\x00\xff\"\\\n"},
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
		// Flags after the arguments, a bare socket path for the URL.
		{[]string{"get", "user:2", "-url", srv.UnixPath}, "plain text\n", true},
		{[]string{"keys", "user:*", "--url", srv.UnixPath}, "user:1\nuser:2\n", true},
		// Bytes a terminal would not show, quoted as redis-cli quotes them.
		{[]string{"get", "bin", "-url", url}, `"caf\xc3\xa9\x00\xff\"\\\n"` + "\n", true},
		{[]string{"get", "bin", "-url", url, "-raw"}, "caf\xc3\xa9\x00\xff\"\\\n\n", true},
	} {
		out, err := exec.Command(bin, tc.args...).CombinedOutput()
		if string(out) != tc.want || (err == nil) != tc.ok {
			t.Errorf("remoted %q: %q, %v; want %q", tc.args, out, err, tc.want)
		}
	}
}

// TestCLIHelp: remoted --help, -h and help list every command with one
// line each and exit 0, as does every command's -h; version and
// --version print the version; a wrong use exits 2.
func TestCLIHelp(t *testing.T) {
	if selftest() {
		t.Skip("remoted's own command line")
	}
	bin := buildRemoted(t)
	commands := []string{"serve", "ping", "get", "keys", "path", "version", "help", "bench", "bench locks", "bench procs"}
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		out, err := exec.Command(bin, args...).Output()
		if err != nil {
			t.Errorf("remoted %q: %v", args, err)
		}
		for _, c := range commands {
			if !strings.Contains(string(out), "\n  "+c+" ") {
				t.Errorf("remoted %q does not list %q:\n%s", args, c, out)
			}
		}
	}
	for _, c := range commands {
		args := append(strings.Fields(c), "-h")
		out, err := exec.Command(bin, args...).Output()
		want := "usage: remoted " + c
		if c == "help" {
			want = "usage: remoted COMMAND" // help's help is the list
		}
		if err != nil || !strings.HasPrefix(string(out), want) {
			t.Errorf("remoted %q: %v\n%s", args, err, out)
		}
	}
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, err := exec.Command(bin, args...).Output()
		if err != nil || !strings.HasPrefix(string(out), "remoted 0.") {
			t.Errorf("remoted %q: %q, %v", args, out, err)
		}
	}
	for _, args := range [][]string{{"nosuch"}, {"get"}, {"serve", "--nosuch"}, {"ping", "a", "b"}} {
		cmd := exec.Command(bin, args...)
		out, _ := cmd.CombinedOutput()
		if code := cmd.ProcessState.ExitCode(); code != 2 {
			t.Errorf("remoted %q: exit %d, want 2\n%s", args, code, out)
		}
	}
}

// TestCLINoServer: ping, get and keys where no server answers say so in
// one line, with the address and how to start one, and nothing of
// go-redis's own logging.
func TestCLINoServer(t *testing.T) {
	if selftest() {
		t.Skip("remoted's own command line")
	}
	bin := buildRemoted(t)
	dir := shortTempDir(t)
	sock := filepath.Join(dir, "remoted", "default.sock")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ping"}, "remoted: no share server answers at unix://" + sock + "; start one with: remoted serve\n"},
		{[]string{"get", "k"}, "remoted: no share server answers at unix://" + sock + "; start one with: remoted serve\n"},
		{[]string{"keys", "-url", dir + "/x.sock"}, "remoted: no share server answers at unix://" + dir + "/x.sock; start one with: remoted serve --unix " + dir + "/x.sock\n"},
		{[]string{"ping", "redis://:pw@127.0.0.1:1"}, "remoted: no share server answers at redis://:xxxxx@127.0.0.1:1; start one with: remoted serve --port 1 --requirepass-file FILE\n"},
	} {
		cmd := exec.Command(bin, tc.args...)
		cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+dir, "REMOTED_URL=")
		out, err := cmd.CombinedOutput()
		if err == nil || string(out) != tc.want {
			t.Errorf("remoted %q: %v\n%q\nwant\n%q", tc.args, err, out, tc.want)
		}
	}
}
