package stub_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/remoted/remoted/spawn"
	"github.com/remoted/remoted/stub"
)

// addTo is a function children run: registered in a package-level var, so
// that the child, this same binary re-executed, has it before Init runs.
var addTo = stub.Register("example-add", func(ctx context.Context, s *stub.Share, n int) error {
	if n < 0 {
		return fmt.Errorf("cannot add %d", n)
	}
	_, err := s.Incr(ctx, "ex:procs:total", int64(n))
	return err
})

// The multi-process workflow: the parent gets a share (InitShare starts a
// server when none answers; here TestMain's REMOTED_URL names one), starts
// children that each get their own Share on it, and waits for them.
// stub.Init is TestMain's first line, as it is main's in a program.
func ExampleNewProc() {
	ctx := context.Background()
	s, err := stub.InitShare(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if err := s.Set(ctx, "ex:procs:total", 0); err != nil {
		log.Fatal(err)
	}

	var procs []*stub.Proc
	for n := 1; n <= 4; n++ {
		p, err := stub.NewProc(ctx, s, addTo, n)
		if err != nil {
			log.Fatal(err)
		}
		procs = append(procs, p)
	}
	for _, p := range procs {
		if err := p.Wait(); err != nil {
			log.Fatal(err)
		}
	}
	total, _ := stub.GetAs[int](ctx, s, "ex:procs:total")
	fmt.Println("total:", total)

	// A child's error comes back to Wait with its text.
	p, err := stub.NewProc(ctx, s, addTo, -1)
	if err != nil {
		log.Fatal(err)
	}
	var ee *spawn.ExitError
	if err := p.Wait(); errors.As(err, &ee) {
		fmt.Println("child:", ee.Text)
	}
	// Output:
	// total: 10
	// child: cannot add -1
}
