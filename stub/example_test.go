package stub_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/remoted/remoted/stub"
)

// The examples connect to $REMOTED_URL, which TestMain points at an
// in-process remoted server.

func Example() {
	ctx := context.Background()
	s, err := stub.Connect(ctx, "") // $REMOTED_URL, else the default share
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	type User struct {
		Name string
		Age  int
	}
	s.Set(ctx, "ex:user", User{Name: "ada", Age: 36}) // CBOR
	s.Set(ctx, "ex:visits", 41)                       // text "41"
	n, _ := s.Incr(ctx, "ex:visits", 1)
	u, _ := stub.GetAs[User](ctx, s, "ex:user")
	fmt.Println(u.Name, u.Age, n)

	_, err = stub.GetAs[string](ctx, s, "ex:nobody")
	fmt.Println(errors.Is(err, stub.ErrNotFound))
	// Output:
	// ada 36 42
	// true
}

func ExampleShare_WithLock() {
	ctx := context.Background()
	s, err := stub.Connect(ctx, "")
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	s.Set(ctx, "ex:balance", 100)
	// Read-modify-write with no other process in between.
	err = s.WithLock(ctx, func(ctx context.Context) error {
		b, err := stub.GetAs[int](ctx, s, "ex:balance")
		if err != nil {
			return err
		}
		return s.Set(ctx, "ex:balance", b-30)
	})
	b, _ := stub.GetAs[int](ctx, s, "ex:balance")
	fmt.Println(b, err)
	// Output: 70 <nil>
}

func ExampleShare_Mutex() {
	ctx := context.Background()
	s, err := stub.Connect(ctx, "")
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	m := s.Mutex("ex:jobs")
	if err := m.Lock(ctx); err != nil {
		log.Fatal(err)
	}
	// Another Mutex of the same name waits (here: gives up).
	ok, _ := s.Mutex("ex:jobs").TryLock(ctx, 0)
	fmt.Println(ok)
	fmt.Println(m.Unlock(ctx))
	// Output:
	// false
	// <nil>
}

func ExampleShare_GetMany() {
	ctx := context.Background()
	s, err := stub.Connect(ctx, "")
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	s.SetMany(ctx, map[string]any{"ex:a": 1, "ex:b": 2})
	m, _ := stub.GetManyAs[int](ctx, s, "ex:a", "ex:b", "ex:missing")
	fmt.Println(m)
	// Output: map[ex:a:1 ex:b:2]
}

func ExampleMarshal() {
	for _, v := range []any{"text", 42, 2.5, true, []int{1, 2}} {
		b, _ := stub.Marshal(v)
		fmt.Printf("%q\n", b)
	}
	// Output:
	// "text"
	// "42"
	// "2.5"
	// "\xd9\xd9\xf7\xf5"
	// "\xd9\xd9\xf7\x82\x01\x02"
}
