// Command remoted serves a share and talks to one.
//
//	remoted [serve] [flags]   serve the default share's private unix socket (or --unix/--port)
//	remoted ping [URL]        check that a share answers
//	remoted get KEY           print a value (the stub's CBOR decoded)
//	remoted keys [PATTERN]    list keys, by SCAN
//	remoted path [SHARE]      print a share's socket path
//	remoted version           print the version
//	remoted bench [flags]     benchmark remoted against redis-server
//	remoted bench locks       lock handoffs: LOCK vs the SET NX PX recipe
//	remoted bench procs [-n]  N NewProc children on one auto-started share
//
// "remoted help" lists the commands, "remoted COMMAND -h" shows one.
package main

import (
	"os"

	"github.com/remoted/remoted/stub"
)

func main() {
	stub.Init() // in a re-executed share server or child, runs that and exits
	os.Exit(run(os.Args[1:]))
}
