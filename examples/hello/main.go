// Command hello is remoteD's hello world, line for line in Go: it starts
// (or finds) the default share, runs a child process that puts an answer in
// it, and waits for the answer to appear. The share server it started exits
// by itself about five seconds after the last client leaves.
//
//	go run ./examples/hello
package main

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/remoted/remoted/stub"
)

// otherProcess runs in a child process, with its own handle on the share.
var otherProcess = stub.Register("hello.other", func(ctx context.Context, share *stub.Share, _ struct{}) error {
	return share.Set(ctx, "myresult", "Hello World")
})

func main() {
	stub.Init()
	ctx := context.Background()
	share, err := stub.InitShare(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer share.Close()
	share.Delete(ctx, "myresult")

	if _, err := stub.NewProc(ctx, share, otherProcess, struct{}{}); err != nil {
		log.Fatal(err)
	}
	for {
		if ok, err := share.Has(ctx, "myresult"); err != nil {
			log.Fatal(err)
		} else if ok {
			break
		}
		time.Sleep(10 * time.Millisecond) // the seed polled too
	}
	answer, err := stub.GetAs[string](ctx, share, "myresult")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("The other process got '%s' as the answer\n", answer)
}
