package main

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

	"golang.org/x/sys/unix"
)

// benchConn is the smallest RESP2 client the lock benchmark needs, on a
// non-blocking unix socket: commands are queued with send and written by
// flush; replies (status, integer, bulk, null, error) are parsed from
// what fill has read. The benchmark drives all its connections from one
// thread with epoll (see lockDriver), as redis-benchmark does: a client
// library, or a goroutine per connection, costs the client more CPU per
// round trip than the server spends serving it, and the benchmark would
// measure its own client.
type benchConn struct {
	fd  int
	in  []byte // read, not yet parsed
	out []byte // queued, not yet written
}

func dialBench(sock string) (*benchConn, error) {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	bc := &benchConn{fd: fd}
	err = unix.Connect(fd, &unix.SockaddrUnix{Name: sock})
	if err == unix.EINPROGRESS || err == unix.EAGAIN {
		err = bc.await(unix.POLLOUT)
	}
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("bench: connect %s: %w", sock, err)
	}
	return bc, nil
}

func (bc *benchConn) Close() error { return unix.Close(bc.fd) }

// await blocks until the socket is ready for events (POLLIN, POLLOUT).
func (bc *benchConn) await(events int16) error {
	for {
		_, err := unix.Poll([]unix.PollFd{{Fd: int32(bc.fd), Events: events}}, -1)
		if err != unix.EINTR {
			return err
		}
	}
}

// send queues a command.
func (bc *benchConn) send(args ...string) {
	bc.out = append(bc.out, '*')
	bc.out = strconv.AppendInt(bc.out, int64(len(args)), 10)
	bc.out = append(bc.out, "\r\n"...)
	for _, a := range args {
		bc.out = append(bc.out, '$')
		bc.out = strconv.AppendInt(bc.out, int64(len(a)), 10)
		bc.out = append(bc.out, "\r\n"...)
		bc.out = append(bc.out, a...)
		bc.out = append(bc.out, "\r\n"...)
	}
}

// flush writes everything queued, waiting for room if the socket is full
// (which a few hundred bytes of commands never make it in practice).
func (bc *benchConn) flush() error {
	for len(bc.out) > 0 {
		n, err := unix.Write(bc.fd, bc.out)
		switch {
		case err == unix.EAGAIN:
			if err := bc.await(unix.POLLOUT); err != nil {
				return err
			}
		case err == unix.EINTR:
		case err != nil:
			return err
		default:
			bc.out = bc.out[:copy(bc.out, bc.out[n:])]
		}
	}
	return nil
}

// fill reads what the socket has; io.EOF-like closes are errors.
func (bc *benchConn) fill() error {
	if cap(bc.in)-len(bc.in) < 4096 {
		bc.in = append(bc.in, make([]byte, 16<<10)...)[:len(bc.in)]
	}
	n, err := unix.Read(bc.fd, bc.in[len(bc.in):cap(bc.in)])
	switch {
	case err == unix.EAGAIN || err == unix.EINTR:
		return nil
	case err != nil:
		return err
	case n == 0:
		return errBenchClosed
	}
	bc.in = bc.in[:len(bc.in)+n]
	return nil
}

// next takes one whole reply off what was read: ok is false if there is
// none yet.
func (bc *benchConn) next() (reply string, ok bool, err error) {
	reply, n, err := parseReply(bc.in)
	if n == 0 || err != nil {
		return "", false, err
	}
	bc.in = bc.in[:copy(bc.in, bc.in[n:])]
	return reply, true, nil
}

// do sends one command and waits for its reply (for setting up a run).
func (bc *benchConn) do(args ...string) (string, error) {
	bc.send(args...)
	if err := bc.flush(); err != nil {
		return "", err
	}
	for {
		if reply, ok, err := bc.next(); ok || err != nil {
			return reply, err
		}
		if err := bc.await(unix.POLLIN); err != nil {
			return "", err
		}
		if err := bc.fill(); err != nil {
			return "", err
		}
	}
}

// maxBenchBulk bounds a bulk reply: the benchmark's replies are short,
// and a bad length must not make it wait for, or buffer, without bound.
const maxBenchBulk = 1 << 20

var (
	errBenchReply  = errors.New("bench: unexpected reply")
	errBenchClosed = errors.New("bench: the server closed the connection")
)

// parseReply parses the reply at the start of b: a status, integer or bulk
// string as its text, a null as "", an error reply as an error. n is the
// bytes it took, 0 if b holds no whole reply yet.
func parseReply(b []byte) (reply string, n int, err error) {
	end := bytes.IndexByte(b, '\n')
	if end < 0 {
		return "", 0, nil
	}
	line := b[:end+1]
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return "", 0, fmt.Errorf("%w: %q", errBenchReply, line)
	}
	text := string(line[1 : len(line)-2])
	switch line[0] {
	case '+', ':':
		return text, len(line), nil
	case '-':
		return "", len(line), errors.New(text)
	case '$', '*':
		size, err := strconv.Atoi(text)
		switch {
		case err != nil || (line[0] == '*' && size >= 0):
			return "", 0, fmt.Errorf("%w: %q", errBenchReply, line)
		case size < 0:
			return "", len(line), nil
		case size > maxBenchBulk:
			return "", 0, fmt.Errorf("%w: a %d-byte bulk string", errBenchReply, size)
		}
		whole := len(line) + size + 2
		if len(b) < whole {
			return "", 0, nil
		}
		if b[whole-2] != '\r' || b[whole-1] != '\n' {
			return "", 0, fmt.Errorf("%w: bulk string not ended by CRLF", errBenchReply)
		}
		return string(b[len(line) : len(line)+size]), whole, nil
	}
	return "", 0, fmt.Errorf("%w: %q", errBenchReply, line)
}
