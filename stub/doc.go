// Package stub is the Go client of a remoted share: a dictionary held by a
// server process that every process of a program reads and writes as if it
// were a local map, with values of any Go type and a share-wide lock.
//
// Usage:
//
//	s, err := stub.Connect(ctx, "") // $REMOTED_URL, else the default share's socket
//	if err != nil { ... }
//	defer s.Close()
//
//	s.Set(ctx, "user:1", User{Name: "ada", Age: 36})
//	u, err := stub.GetAs[User](ctx, s, "user:1")
//	n, err := s.Incr(ctx, "visits", 1)
//
//	err = s.WithLock(ctx, func(ctx context.Context) error {
//		// no other connection touches the keyspace meanwhile
//		total, _ := stub.GetAs[int](ctx, s, "total")
//		return s.Set(ctx, "total", total+1)
//	})
//
// A share is any server speaking the Redis protocol: remoted itself, or a
// Redis or Valkey server (see "Real Redis" below). Errors are the
// documented sentinels ErrNotFound, ErrLockTimeout, ErrNotLocked,
// ErrLockHeld, ErrLockLost, ErrEmptyLockName, ErrClosed,
// ErrUnsupportedType, ErrInvalidTarget and the type *DecodeError, checked
// with errors.Is and errors.As.
//
// # Stored format
//
// Every value is one Redis string, so any Redis client in any language can
// read and write it:
//
//   - string and []byte, and named types of those kinds: the bytes as they
//     are. ("hello" is stored as hello.)
//   - integers (int, int8 ... uint64, and named types such as
//     time.Duration) and floats: decimal text, so INCR, INCRBY and
//     INCRBYFLOAT work on them and every client reads a number. Integers
//     are strconv.FormatInt/FormatUint; floats are the shortest text that
//     reads back as the same value (strconv 'g', -1): 1.5, 1e+21, 0.1,
//     NaN, +Inf, -Inf.
//   - everything else (bool, nil, structs, maps, slices, arrays, pointers,
//     time.Time, ...): CBOR (RFC 8949) behind the self-describe tag 55799,
//     that is the bytes d9 d9 f7 and then one CBOR data item. Maps are
//     encoded in core deterministic order; struct fields by their Go name
//     or their `cbor:"..."` (else `json:"..."`) tag; time.Time as tag 0
//     with RFC 3339 text.
//   - a string or []byte whose first bytes are d9 d9 f7 is stored as
//     tagged CBOR (a byte string: such text is never valid UTF-8), never
//     raw, so a reader never mistakes it for CBOR. Read into a string or
//     []byte it comes back as it was.
//
// Reading: a value that starts with d9 d9 f7 is CBOR and decodes into the
// target as CBOR does (into any: maps as map[string]any, or map[any]any
// when a key is not a string; integers as int64, or *big.Int past its
// range). Anything else is text: copied into a string or []byte, parsed
// into an integer or float target (a *DecodeError wrapping strconv's error
// if it is not one), returned as a string into an any; any other target
// gives a *DecodeError wrapping ErrUnsupportedType.
//
// A reader in Python, with redis-py and cbor2:
//
//	raw = r.get("key")                      # bytes, or None if missing
//	if raw.startswith(b"\xd9\xd9\xf7"):
//	    value = cbor2.loads(raw)            # cbor2 drops tag 55799 itself
//	else:
//	    value = raw.decode()                # text; int(...)/float(...) for numbers
//
// and a writer stores str/int/float as text (r.set("n", 42)) and anything
// else as b"\xd9\xd9\xf7" + cbor2.dumps(value). INSPECT key on remoted
// (redis-cli inspect key) shows a CBOR value as diagnostic notation.
//
// # Connections and locks
//
// A Share pools connections (go-redis underneath) and is safe for
// concurrent use. Connecting costs one round trip (see ConnectOptions).
// The share-wide lock (Lock, Unlock, WithLock) and each held Mutex own a
// connection of their own: on remoted a lock belongs to a connection, and
// the server releases it when the connection closes, so a process that
// dies cannot leave a share locked. While a Share holds the share-wide
// lock, every call through it, from any goroutine, runs on the lock's
// connection; other connections' keyspace commands wait until Unlock.
//
// # Processes
//
// The share is the seed's multi-process model: one server holds the
// dictionary, and every process of the program, parent or child, is a
// client of it. Four calls make that workflow:
//
//   - Init, the first line of main (and of TestMain): the binary itself
//     is the share server and every child, re-executed; in such a process
//     Init runs that role and exits, elsewhere it returns at once.
//   - InitShare connects to the default share, or a Named one, and when
//     no server answers starts one (this binary, re-executed in a session
//     of its own, stdout and stderr appended to a log beside the socket),
//     which exits by itself once it has had no client for IdleExit
//     (default 5 s). Any number of processes may call it at once: exactly
//     one server starts. The default share is a unix socket in
//     $XDG_RUNTIME_DIR/remoted/, else in a per-user directory under the
//     temp dir (see DefaultURL); with REMOTED_URL set, InitShare only
//     connects there.
//   - Register, in a package-level variable, names a function
//     func(ctx, *Share, A) error that children can run; A is any type the
//     codec takes.
//   - NewProc starts a registered function in a child with an argument of
//     that type (sent over a pipe, so it may be large). The child gets a
//     Share of its own on the parent's share, a ctx cancelled by SIGTERM,
//     the parent's stdout and stderr, and SIGTERM if the parent dies
//     (unless Detached). The parent Waits: nil, or an error carrying the
//     child's error text, panic or exit status (*spawn.ExitError).
//
// In a program:
//
//	var worker = stub.Register("worker", func(ctx context.Context, s *stub.Share, n int) error {
//		_, err := s.Incr(ctx, "done", int64(n))
//		return err
//	})
//
//	func main() {
//		stub.Init()
//		ctx := context.Background()
//		s, err := stub.InitShare(ctx)
//		if err != nil { ... }
//		defer s.Close()
//		p, err := stub.NewProc(ctx, s, worker, 3)
//		if err != nil { ... }
//		err = p.Wait()
//	}
//
// Children coordinate through the share like any clients: its keys, the
// share-wide lock, Mutexes. A child that dies holding a lock frees it.
//
// # Real Redis
//
// Against a server that is not remoted (detected at connect from HELLO's
// server field), everything above works the same except the locks, which
// fall back to leases: SET remoted:lock:<name> <token> NX PX <lease>
// (remoted:lock:* for the share-wide lock), renewed while held and
// released by a token-checked script. They are advisory: other clients of
// the Redis are not stopped, and the share-wide lock does not freeze the
// keyspace. Keys leaves the lease keys out.
//
// # Redis Cluster
//
// Where one machine is not enough, point REMOTED_URL (or Options.URL) at
// any node of a Redis Cluster, optionally naming more nodes with addr=
// parameters; the stub sees HELLO's mode "cluster" and talks to every node
// through one go-redis ClusterClient. The locks are leases as on any Redis.
// SetMany, GetMany and Delete send one command per key, since one MSET,
// MGET or DEL cannot span hash slots: each key is atomic, the group is
// not. Keys walks every master. See Share.Cluster.
package stub
