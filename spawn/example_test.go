//go:build unix

package spawn_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"

	"github.com/remoted/remoted/spawn"
)

// The examples' children are this test binary re-executed; TestMain's
// first line, spawn.Init, runs them.

func init() {
	spawn.Register("example-greet", func(ctx context.Context, args []byte) error {
		fmt.Printf("hello, %s\n", args)
		return nil
	})
	spawn.Register("example-fail", func(ctx context.Context, args []byte) error {
		return fmt.Errorf("no %s today", args)
	})
}

// A child runs a registered function with the args it was given; its
// stdout is the parent's, and Wait reports its error text.
func ExampleStart() {
	ctx := context.Background()
	p, err := spawn.Start(ctx, "example-greet", []byte("world"), spawn.StartOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("wait:", p.Wait())

	p, err = spawn.Start(ctx, "example-fail", []byte("greeting"), spawn.StartOptions{})
	if err != nil {
		log.Fatal(err)
	}
	var ee *spawn.ExitError
	if err := p.Wait(); errors.As(err, &ee) {
		fmt.Printf("%s failed (status %d): %s\n", ee.Name, ee.Code, ee.Text)
	}
	// Output:
	// hello, world
	// wait: <nil>
	// example-fail failed (status 1): no greeting today
}

// StartServer starts a share server on a socket if none answers there;
// it lives on after its starter, until its idle period without a client
// passes or a client sends SHUTDOWN.
func ExampleStartServer() {
	dir, err := os.MkdirTemp("", "spawn-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "share.sock")

	ctx := context.Background()
	if err := spawn.StartServer(ctx, spawn.ServerOptions{Socket: sock}); err != nil {
		log.Fatal(err)
	}
	// A second call finds it answering and starts nothing.
	if err := spawn.StartServer(ctx, spawn.ServerOptions{Socket: sock}); err != nil {
		log.Fatal(err)
	}

	c, err := net.Dial("unix", sock)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	fmt.Fprint(c, "SET k v\r\nGET k\r\nSHUTDOWN\r\n")
	rest, _ := io.ReadAll(bufio.NewReader(c)) // until SHUTDOWN closes the connection
	fmt.Printf("%q\n", rest)
	// Output: "+OK\r\n$1\r\nv\r\n"
}
