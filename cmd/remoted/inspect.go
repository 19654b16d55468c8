package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/remoted/remoted/internal/cbortag"
	"github.com/remoted/remoted/stub"
)

// shareFlags parses the -url flag common to get and keys.
func shareFlags(name string, args []string) (*flag.FlagSet, *string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	url := fs.String("url", "", "the share's address (default $REMOTED_URL, else the default share)")
	return fs, url, fs.Parse(args)
}

func connectFor(url string) (context.Context, context.CancelFunc, *stub.Share, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	s, err := stub.Connect(ctx, url)
	if err != nil {
		cancel()
		return nil, nil, nil, err
	}
	return ctx, cancel, s, nil
}

// get prints one value as a person reads it, as INSPECT renders it: a
// value the stub stored in CBOR in diagnostic notation ({"Name": "x",
// "N": 1}), anything else as stored. It renders locally, so it works on a
// real Redis too, which has no INSPECT.
func get(args []string) error {
	fs, url, err := shareFlags("get", args)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("get: usage: remoted get [-url URL] KEY")
	}
	ctx, cancel, s, err := connectFor(*url)
	if err != nil {
		return err
	}
	defer cancel()
	defer s.Close()
	raw, err := s.Redis().Get(ctx, fs.Arg(0)).Bytes()
	if errors.Is(err, redis.Nil) {
		return fmt.Errorf("get %s: no such key", fs.Arg(0))
	}
	if err != nil {
		return fmt.Errorf("get %s: %w", fs.Arg(0), err)
	}
	fmt.Println(string(cbortag.Inspect(raw)))
	return nil
}

// keys lists the keys matching a Redis glob pattern (default *), by SCAN.
func keys(args []string) error {
	fs, url, err := shareFlags("keys", args)
	if err != nil {
		return err
	}
	pattern := "*"
	switch fs.NArg() {
	case 0:
	case 1:
		pattern = fs.Arg(0)
	default:
		return errors.New("keys: usage: remoted keys [-url URL] [PATTERN]")
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
		fmt.Println(k)
	}
	return nil
}
