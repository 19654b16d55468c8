package server_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/remoted/remoted/server"
)

// A server on a unix socket, one client, and a graceful stop: Serve
// returns ErrServerClosed once Shutdown has drained the connections.
func Example() {
	dir, err := os.MkdirTemp("", "server-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ln, err := net.Listen("unix", filepath.Join(dir, "share.sock"))
	if err != nil {
		log.Fatal(err)
	}

	srv := server.New(server.Config{}) // zero values: Redis's defaults
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	c, err := net.Dial("unix", ln.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	fmt.Fprint(c, "SET greeting hello\r\nGET greeting\r\n") // inline commands, as nc -U would send them
	for range 3 {
		line, _ := r.ReadString('\n')
		fmt.Printf("%q\n", line)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fmt.Println("shutdown:", srv.Shutdown(ctx))
	fmt.Println("serve:", errors.Is(<-served, server.ErrServerClosed))
	// Output:
	// "+OK\r\n"
	// "$5\r\n"
	// "hello\r\n"
	// shutdown: <nil>
	// serve: true
}
