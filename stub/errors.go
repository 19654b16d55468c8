package stub

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/remoted/remoted/resp"
)

// Errors returned by the stub, checked with errors.Is even when wrapped.
var (
	// ErrNotFound: the key does not exist (Get, GetAs).
	ErrNotFound = errors.New("stub: key not found")
	// ErrLockTimeout: a lock was not granted before the timeout or the
	// context's deadline. An error from Lock wraps it together with
	// context.DeadlineExceeded.
	ErrLockTimeout = errors.New("stub: lock timeout")
	// ErrNotLocked: Unlock of a lock this Share or Mutex does not hold,
	// or remoted's reply to such an UNLOCK (resp.MsgNotLockHolder).
	ErrNotLocked = errors.New("stub: lock not held")
	// ErrEmptyLockName: Share.Mutex("") used; the share-wide lock is
	// Share.Lock. remoted refuses LOCK "" alike (resp.MsgLockEmptyName).
	ErrEmptyLockName = errors.New("stub: a lock name must not be empty")
	// ErrLockHeld: Lock of a lock this Share or Mutex already holds;
	// locks are not re-entrant. A Mutex reports it without asking the
	// server; remoted's reply to such a LOCK (resp.MsgLockReentry) maps
	// to it too.
	ErrLockHeld = errors.New("stub: lock already held; locks are not re-entrant")
	// ErrLockLost: the connection holding a lock dropped (the server then
	// released the lock), or, on a real Redis, the lease expired before it
	// could be renewed.
	ErrLockLost = errors.New("stub: lock lost")
	// ErrUnsupportedType: a value the codec cannot encode (channel,
	// function, complex number), or text read into a target other than a
	// string, []byte, number or interface.
	ErrUnsupportedType = errors.New("stub: unsupported type")
	// ErrInvalidTarget: Get or Unmarshal given a nil or non-pointer target.
	ErrInvalidTarget = errors.New("stub: decode target must be a non-nil pointer")
	// ErrClosed: the Share was closed.
	ErrClosed = errors.New("stub: share closed")
)

// DecodeError reports a stored value that cannot be decoded into the
// requested type: CBOR that does not fit it, or text that is not a number
// of its kind. Err is the cause (a strconv or cbor error, or
// ErrUnsupportedType).
type DecodeError struct {
	Key  string       // the key read, if known
	Type reflect.Type // the target type
	CBOR bool         // the value was tagged CBOR (else text)
	Text string       // the text, shortened, if the value was text
	Err  error
}

// Error names the key, the target type and the cause.
func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString("stub: decode")
	if e.Key != "" {
		fmt.Fprintf(&b, " key %q", e.Key)
	}
	if e.CBOR {
		fmt.Fprintf(&b, ": CBOR into %s: %v", e.Type, e.Err)
	} else {
		fmt.Fprintf(&b, ": text %q into %s: %v", e.Text, e.Type, e.Err)
	}
	return b.String()
}

// Unwrap returns Err, for errors.Is and errors.As.
func (e *DecodeError) Unwrap() error { return e.Err }

// mapError translates a go-redis result into the stub's errors: a nil
// reply becomes ErrNotFound, remoted's lock replies (resp's Msg texts)
// become ErrLockHeld, ErrNotLocked and ErrEmptyLockName (wrapping the
// server's error too), and a closed client becomes ErrClosed. Anything
// else is returned as is.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, redis.Nil) {
		return ErrNotFound
	}
	if errors.Is(err, redis.ErrClosed) {
		return fmt.Errorf("%w (%w)", ErrClosed, err)
	}
	var re redis.Error
	if errors.As(err, &re) {
		switch re.Error() {
		case resp.MsgLockReentry:
			return fmt.Errorf("%w (%w)", ErrLockHeld, err)
		case resp.MsgNotLockHolder:
			return fmt.Errorf("%w (%w)", ErrNotLocked, err)
		case resp.MsgLockEmptyName:
			return fmt.Errorf("%w (%w)", ErrEmptyLockName, err)
		}
	}
	return err
}
