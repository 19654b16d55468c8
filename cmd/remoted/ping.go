package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/remoted/remoted/internal/addr"
	"github.com/remoted/remoted/stub"
)

// quietLogger drops go-redis's internal log lines ("connection pool:
// failed to dial after 5 attempts"): the commands report the error once,
// in one line of their own.
type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

func init() { redis.SetLogger(quietLogger{}) }

// shareURL is the address a command talks to, normalised: the one given,
// else $REMOTED_URL, else the default share.
func shareURL(given string) (string, error) {
	if given == "" {
		given = stub.DefaultURL()
	}
	return addr.Normalize(given)
}

// noServer turns an error that says nothing listens at rawURL into one
// line that names the address (without its password) and says how to
// start a share there. For any other error it returns nil.
func noServer(rawURL string, err error) error {
	if !errors.Is(err, syscall.ECONNREFUSED) && !errors.Is(err, syscall.ENOENT) {
		return nil
	}
	hint := "remoted serve"
	if u, perr := url.Parse(rawURL); perr == nil {
		switch {
		case u.Scheme == "unix" && u.Path != addr.DefaultSocket():
			hint = "remoted serve --unix " + u.Path
		case u.Scheme != "unix":
			hint = "remoted serve --port " + u.Port() + " --requirepass-file FILE"
		}
	}
	return fmt.Errorf("no share server answers at %s; start one with: %s", addr.Redact(rawURL), hint)
}

// ping checks that the server at URL answers PING.
func ping(args []string) error {
	fs := newFlagSet("ping", "Check that the share at URL (default $REMOTED_URL, else the default share) answers PING, and say how fast.")
	timeout := fs.Duration("timeout", 3*time.Second, "give up after this long")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usageErrorf(fs, "one URL at most, got %d arguments", len(pos))
	}
	u, err := shareURL(append(pos, "")[0])
	if err != nil {
		return err
	}
	opts, err := redis.ParseURL(u)
	if err != nil {
		return fmt.Errorf("ping %s: %w", addr.Redact(u), err)
	}
	opts.Protocol = 2
	opts.DisableIdentity = true
	opts.MaxRetries = -1
	c := redis.NewClient(opts)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	start := time.Now()
	pong, err := c.Ping(ctx).Result()
	if ns := noServer(u, err); ns != nil {
		return ns
	}
	if err != nil {
		return fmt.Errorf("ping %s: %w", addr.Redact(u), err)
	}
	fmt.Fprintf(os.Stdout, "%s from %s in %v\n", pong, addr.Redact(u), time.Since(start).Round(time.Microsecond))
	return nil
}

// path prints the unix socket path of the default share or a named one
// (stub.Named), for redis-cli -s "$(remoted path)".
func path(args []string) error {
	fs := newFlagSet("path", `Print the unix socket path of the default share, or of the share named SHARE
(stub.Named): $XDG_RUNTIME_DIR/remoted/SHARE.sock, or without XDG_RUNTIME_DIR
$TMPDIR/remoted-UID/SHARE.sock (/tmp when TMPDIR is unset). For example:
redis-cli -s "$(remoted path)" ping`)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	switch len(pos) {
	case 0:
		fmt.Println(addr.DefaultSocket())
	case 1:
		fmt.Println(addr.SocketPath(pos[0]))
	default:
		return usageErrorf(fs, "one share name at most, got %d arguments", len(pos))
	}
	return nil
}
