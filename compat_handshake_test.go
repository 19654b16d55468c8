package remoted_test

import (
	"bufio"
	"context"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// monitorConn is a raw connection in MONITOR mode.
type monitorConn struct {
	c net.Conn
	r *bufio.Reader
}

func startMonitor(t *testing.T, sock string) *monitorConn {
	t.Helper()
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := c.Write([]byte("MONITOR\r\n")); err != nil {
		t.Fatal(err)
	}
	m := &monitorConn{c: c, r: bufio.NewReader(c)}
	if line := m.line(t); line != "+OK" {
		t.Fatalf("MONITOR: %q", line)
	}
	return m
}

func (m *monitorConn) line(t *testing.T) string {
	t.Helper()
	m.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	s, err := m.r.ReadString('\n')
	if err != nil {
		t.Fatalf("monitor read: %v", err)
	}
	return strings.TrimRight(s, "\r\n")
}

// monitorArgsRE takes the quoted arguments after "[0 addr]".
var monitorArgsRE = regexp.MustCompile(`^\+\d+\.\d+ \[0 [^\]]*\] (.*)$`)

// commandsUntil returns the monitored commands (lower-cased name and
// arguments joined by spaces, quotes removed) up to and including the
// first whose name is last. Everything is lower-cased.
func (m *monitorConn) commandsUntil(t *testing.T, last string) []string {
	t.Helper()
	var got []string
	for {
		line := m.line(t)
		sub := monitorArgsRE.FindStringSubmatch(line)
		if sub == nil {
			t.Fatalf("unexpected monitor line %q", line)
		}
		args := strings.Split(strings.ToLower(strings.ReplaceAll(sub[1], `"`, "")), " ")
		got = append(got, strings.Join(args, " "))
		if args[0] == last {
			return got
		}
	}
}

// TestGoRedisHandshake checks that go-redis v9 with default options
// connects in one round trip: HELLO 3 succeeds (no fallback to RESP2 or
// AUTH), CLIENT SETINFO is accepted, and the maintenance-notifications
// probe is answered with an error, as a server without the feature must.
func TestGoRedisHandshake(t *testing.T) {
	srv := startRemoted(t)
	if srv.Name != "remoted" {
		t.Skip("handshake expectations are remoted's")
	}
	for _, tc := range []struct {
		name string
		opts *redis.Options
	}{
		{"unix", &redis.Options{Network: "unix", Addr: srv.UnixPath}},
		{"tcp", &redis.Options{Addr: srv.TCPAddr}},
	} {
		t.Run(tc.name, func(t *testing.T) { checkHandshake(t, srv.UnixPath, tc.opts) })
	}
}

func checkHandshake(t *testing.T, monitorSock string, opts *redis.Options) {
	mon := startMonitor(t, monitorSock)
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	ctx := context.Background()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("PING: %v", err)
	}
	got := mon.commandsUntil(t, "ping")
	for i, prefix := range []string{"hello 3", "client setinfo lib-name", "client setinfo lib-ver"} {
		if i >= len(got) || !strings.HasPrefix(got[i], prefix) {
			t.Fatalf("handshake %q: command %d should start with %q", got, i, prefix)
		}
	}
	for _, cmd := range got[3 : len(got)-1] {
		if !strings.HasPrefix(cmd, "client maint_notifications") {
			t.Errorf("unexpected handshake command %q in %q", cmd, got)
		}
	}
	info, err := rdb.ClientInfo(ctx).Result()
	if err != nil {
		t.Fatalf("CLIENT INFO through go-redis: %v", err)
	}
	if info.Resp != 3 || !strings.HasPrefix(info.LibName, "go-redis") {
		t.Errorf("client info: resp=%d lib-name=%q", info.Resp, info.LibName)
	}
	// The probe got an error reply, not +OK.
	if err := rdb.Do(ctx, "CLIENT", "MAINT_NOTIFICATIONS", "on").Err(); err == nil ||
		!strings.Contains(err.Error(), "unknown subcommand") {
		t.Errorf("CLIENT MAINT_NOTIFICATIONS: %v, want an unknown subcommand error", err)
	}
}
