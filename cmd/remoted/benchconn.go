package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
)

// benchConn is the smallest RESP2 client the lock benchmark needs: it
// sends commands, pipelined or not, and reads simple, integer, bulk and
// error replies. A client library would cost the benchmark more CPU per
// command than a server spends serving it (go-redis used twice remoted's
// CPU in "bench locks"), and measure itself; redis-benchmark is written
// the same way for the same reason.
type benchConn struct {
	net.Conn
	r   *bufio.Reader
	out []byte
}

func dialBench(sock string) (*benchConn, error) {
	c, err := net.Dial("unix", sock)
	if err != nil {
		return nil, err
	}
	return &benchConn{Conn: c, r: bufio.NewReaderSize(c, 16<<10)}, nil
}

// send queues a command; flush writes what is queued.
func (bc *benchConn) send(args ...string) {
	bc.out = fmt.Appendf(bc.out, "*%d\r\n", len(args))
	for _, a := range args {
		bc.out = fmt.Appendf(bc.out, "$%d\r\n%s\r\n", len(a), a)
	}
}

func (bc *benchConn) flush() error {
	_, err := bc.Write(bc.out)
	bc.out = bc.out[:0]
	return err
}

// do sends one command and reads its reply.
func (bc *benchConn) do(args ...string) (string, error) {
	bc.send(args...)
	if err := bc.flush(); err != nil {
		return "", err
	}
	return bc.read()
}

// maxBenchBulk bounds a bulk reply: the benchmark's replies are short,
// and a bad length must not make it allocate without bound.
const maxBenchBulk = 1 << 20

// errBenchReply is a reply the benchmark does not expect.
var errBenchReply = errors.New("bench: unexpected reply")

// read reads one reply: a status, integer or bulk string as its text, a
// null as "", an error reply as an error.
func (bc *benchConn) read() (string, error) {
	line, err := bc.r.ReadSlice('\n')
	if err != nil {
		return "", err
	}
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return "", fmt.Errorf("%w: %q", errBenchReply, line)
	}
	text := string(line[1 : len(line)-2])
	switch line[0] {
	case '+', ':':
		return text, nil
	case '-':
		return "", errors.New(text)
	case '$', '*':
		n, err := strconv.Atoi(text)
		if err != nil || (line[0] == '*' && n >= 0) {
			return "", fmt.Errorf("%w: %q", errBenchReply, line)
		}
		if n < 0 {
			return "", nil
		}
		if n > maxBenchBulk {
			return "", fmt.Errorf("%w: a %d-byte bulk string", errBenchReply, n)
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(bc.r, buf); err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	}
	return "", fmt.Errorf("%w: %q", errBenchReply, line)
}
