package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/remoted/remoted/internal/addr"
)

// defaultURL is the default share's address, or $REMOTED_URL.
func defaultURL() string {
	if u := os.Getenv("REMOTED_URL"); u != "" {
		return u
	}
	return "unix://" + addr.DefaultSocket()
}

// ping checks that the server at URL answers PING.
func ping(args []string) error {
	fs := flag.NewFlagSet("ping", flag.ContinueOnError)
	timeout := fs.Duration("timeout", 3*time.Second, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return err
	}
	url := defaultURL()
	if fs.NArg() > 0 {
		url = fs.Arg(0)
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		return fmt.Errorf("ping: %w", err)
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
	if err != nil {
		return fmt.Errorf("ping %s: %w", url, err)
	}
	fmt.Printf("%s from %s in %v\n", pong, url, time.Since(start).Round(time.Microsecond))
	return nil
}
