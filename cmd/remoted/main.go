// Command remoted runs and talks to remoted share servers.
//
//	remoted [serve] [flags]   serve the default share (or --unix/--port)
//	remoted ping [URL]        check that a server answers
//	remoted get KEY           print a value (the stub's CBOR decoded)
//	remoted keys [PATTERN]    list keys, by SCAN
//	remoted bench [flags]     benchmark remoted against redis-server
//	remoted bench locks       lock handoffs: LOCK vs the SET NX PX recipe
//	remoted bench procs [-n]  N NewProc children on one auto-started share
package main

import (
	"fmt"
	"os"

	"github.com/remoted/remoted/stub"
)

func main() {
	stub.Init() // in a re-executed share server or child, runs that and exits
	args := os.Args[1:]
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(args)
	case "ping":
		err = ping(args)
	case "get":
		err = get(args)
	case "keys":
		err = keys(args)
	case "bench":
		err = bench(args)
	case "help":
		usage()
		return
	default:
		fmt.Fprintf(os.Stderr, "remoted: unknown command %q\n\n", cmd)
		usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "remoted:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprint(os.Stderr, `usage:
  remoted [serve] [flags]   serve a share (default: the default share)
  remoted ping [URL]        check that a server answers (default: the default share)
  remoted get [-url URL] KEY        print a value, CBOR in diagnostic notation
  remoted keys [-url URL] [PATTERN] list keys (SCAN)
  remoted bench [flags]     run redis-benchmark against remoted and redis-server
  remoted bench locks       lock handoffs per second: LOCK vs SET NX PX polling
  remoted bench procs [-n N]  N child processes on one auto-started share
Run "remoted serve -h" for the server's flags.
`)
}
