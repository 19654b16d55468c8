package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/remoted/remoted/internal/cbortag"
	"github.com/remoted/remoted/internal/repr"
	"github.com/remoted/remoted/stub"
)

// connectFor connects to the share at the -url flag's address (default
// $REMOTED_URL, else the default share), with a one-line error when no
// server answers there.
func connectFor(given string) (context.Context, context.CancelFunc, *stub.Share, error) {
	u, err := shareURL(given)
	if err != nil {
		return nil, nil, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	s, err := stub.Connect(ctx, u)
	if err != nil {
		cancel()
		if ns := noServer(u, err); ns != nil {
			return nil, nil, nil, ns
		}
		return nil, nil, nil, err
	}
	return ctx, cancel, s, nil
}

// urlFlag adds the -url flag of the commands that talk to a share.
func urlFlag(fs *flag.FlagSet) *string {
	return fs.String("url", "", "the share's address: unix:///path, a socket path, redis://[:PASSWORD@]HOST:PORT or HOST:PORT (default $REMOTED_URL, else the default share)")
}

// get prints one value as a person reads it, as INSPECT renders it: a
// value the stub stored in CBOR in diagnostic notation ({"Name": "x",
// "N": 1}), anything else as stored when it is printable, else quoted
// as redis-cli quotes it ("\x00\xff"). It renders locally, so it works
// on a real Redis too, which has no INSPECT.
func get(args []string) error {
	fs := newFlagSet("get", "Print the value of KEY: a Go value the stub stored in CBOR in diagnostic notation\n"+
		`({"Name": "Al", "N": 1}), text as it is, and anything with bytes a terminal`+"\n"+
		`would not show quoted as redis-cli quotes it ("caf\xc3\xa9\x00").`)
	url := urlFlag(fs)
	raw := fs.Bool("raw", false, "write the value's bytes as stored, unquoted and undecoded (as redis-cli --raw)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf(fs, "want one KEY, got %d arguments", len(pos))
	}
	ctx, cancel, s, err := connectFor(*url)
	if err != nil {
		return err
	}
	defer cancel()
	defer s.Close()
	v, err := s.Redis().Get(ctx, pos[0]).Bytes()
	if errors.Is(err, redis.Nil) {
		return fmt.Errorf("get %s: no such key", repr.IfNeeded([]byte(pos[0])))
	}
	if err != nil {
		return fmt.Errorf("get %s: %w", repr.IfNeeded([]byte(pos[0])), err)
	}
	if !*raw {
		v = repr.IfNeeded(cbortag.Inspect(v))
	}
	os.Stdout.Write(append(v, '\n'))
	return nil
}

// keys lists the keys matching a Redis glob pattern (default *), by SCAN.
func keys(args []string) error {
	fs := newFlagSet("keys", "List the keys matching the Redis glob PATTERN (default *), by SCAN, one a line;\nkeys with bytes a terminal would not show are quoted as redis-cli quotes them.")
	url := urlFlag(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	pattern := "*"
	switch len(pos) {
	case 0:
	case 1:
		pattern = pos[0]
	default:
		return usageErrorf(fs, "one PATTERN at most, got %d arguments", len(pos))
	}
	ctx, cancel, s, err := connectFor(*url)
	if err != nil {
		return err
	}
	defer cancel()
	defer s.Close()
	list, err := s.Keys(ctx, pattern)
	if err != nil {
		return err
	}
	for _, k := range list {
		os.Stdout.Write(append(repr.IfNeeded([]byte(k)), '\n'))
	}
	return nil
}
