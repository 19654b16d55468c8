package stub

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
	"github.com/remoted/remoted/internal/addr"
)

// Options configures ConnectOptions. Zero values mean the documented
// defaults.
type Options struct {
	// URL is the share's address: unix:///path/to.sock (with a password,
	// unix://:PASS@/path/to.sock or unix:///path/to.sock?password=PASS),
	// redis://[user:pass@]host:port[/0], rediss://... for TLS, a bare
	// socket path (/tmp/x.sock) or host:port. Empty means DefaultURL(). For a Redis Cluster, any one node's URL will do;
	// addr=host:port parameters name more nodes to try first contact with
	// (redis://node1:7000?addr=node2:7000&addr=node3:7000), as go-redis's
	// ParseClusterURL reads them.
	URL string
	// TLSConfig, if set, replaces the TLS configuration a rediss:// URL
	// implies (say, to trust a private CA).
	TLSConfig *tls.Config
	// DialTimeout bounds connecting and the handshake (default 5 s).
	DialTimeout time.Duration
	// PoolSize is the most connections the Share opens for its plain
	// commands (default go-redis's, 10 per CPU). Each locked Mutex, and
	// the share-wide lock, hold one more of their own.
	PoolSize int
	// LockLease is the lease of a lock on a server without LOCK (a real
	// Redis): the lock key expires that long after its holder stops
	// renewing it (default 10 s). Renewal runs every LockLease/3.
	LockLease time.Duration
}

// DefaultURL is the default share's address: $REMOTED_URL if set, else
// the unix socket of the default share (see addr.DefaultSocket).
func DefaultURL() string {
	if u := os.Getenv("REMOTED_URL"); u != "" {
		return u
	}
	return "unix://" + addr.DefaultSocket()
}

// Connect connects to the share at url ("" for DefaultURL()), which must
// be running. See ConnectOptions.
func Connect(ctx context.Context, url string) (*Share, error) {
	return ConnectOptions(ctx, Options{URL: url})
}

// ConnectOptions connects to a running share. Connecting costs one round
// trip: the stub sends HELLO 3 (with AUTH when the URL has a password)
// itself, learns from the reply whether the server is remoted, and hands
// the connection to go-redis with that reply, so go-redis's own handshake
// of the first connection does not go to the server again. Every later
// connection costs go-redis's one HELLO: the stub turns off its CLIENT
// SETINFO and maintenance-notification handshakes.
//
// A server that is not remoted (Redis, Valkey) gets the lease-based lock
// fallback (see Mutex). A node of a Redis Cluster (HELLO's mode is
// "cluster") gets a go-redis ClusterClient over the whole cluster: see
// Share.Cluster for what changes there. The caller closes the Share.
func ConnectOptions(ctx context.Context, o Options) (*Share, error) {
	if o.URL == "" {
		o.URL = DefaultURL()
	}
	ropt, seeds, err := parseURL(o.URL)
	if err != nil {
		return nil, fmt.Errorf("stub: connect: %w", err)
	}
	// Children (NewProc) get the URL as normalised here: a relative
	// socket path made absolute means the same share in any directory.
	o.URL, _ = addr.Normalize(o.URL)
	if o.TLSConfig != nil {
		// A rediss:// URL names the server to verify; a caller's config
		// without ServerName gets that name, as go-redis's own would.
		cfg := o.TLSConfig.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName, _, _ = net.SplitHostPort(ropt.Addr)
		}
		ropt.TLSConfig = cfg
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = 5 * time.Second
	}
	if o.LockLease <= 0 {
		o.LockLease = 10 * time.Second
	}
	ropt.DialTimeout = o.DialTimeout
	setClientOptions(ropt)
	ropt.PoolSize = o.PoolSize

	d := &dialer{network: ropt.Network, tls: ropt.TLSConfig, timeout: o.DialTimeout}
	var hc *helloConn
	var info helloInfo
	for _, d.addr = range seeds { // the first node that answers
		if hc, info, err = d.handshake(ctx, ropt.Username, ropt.Password); err == nil {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	s := &Share{
		opts:   o,
		ropt:   ropt,
		dialer: d,
		server: info.server,
		native: info.server == "remoted",
	}
	switch {
	case info.mode == "cluster" && ropt.DB != 0:
		hc.Close()
		return nil, fmt.Errorf("stub: connect: %s is a Redis Cluster node, and a cluster has only database 0, not %d", d.addr, ropt.DB)
	case info.mode == "cluster":
		// go-redis learns the cluster's nodes from CLUSTER SLOTS and dials
		// each itself; the greeted connection is not one it asks for.
		hc.Close()
		// The node that answered goes first, so go-redis asks it first.
		seeds = slices.DeleteFunc(seeds, func(a string) bool { return a == d.addr })
		seeds = append([]string{d.addr}, seeds...)
		s.cluster = redis.NewClusterClient(clusterOptions(ropt, seeds))
		s.rdb = s.cluster
	case len(seeds) > 1:
		hc.Close()
		return nil, fmt.Errorf("stub: connect: %s is not a Redis Cluster node (HELLO says mode %q), but the URL names more nodes with addr=", ropt.Addr, info.mode)
	default:
		d.first.Store(hc)
		ropt.Dialer = d.dial
		s.rdb = redis.NewClient(ropt)
	}
	s.mutexes = make(map[*Mutex]struct{})
	s.closeCtx, s.closeCancel = context.WithCancel(context.Background())
	return s, nil
}

// parseURL parses a share URL as go-redis's ParseURL does, after taking
// out the addr parameters of a cluster URL; seeds is the URL's address
// followed by theirs. Its errors name the URL without its password.
func parseURL(raw string) (o *redis.Options, seeds []string, err error) {
	norm, err := addr.Normalize(raw)
	if err != nil {
		return nil, nil, err
	}
	u, err := url.Parse(norm)
	if err != nil {
		return nil, nil, err
	}
	q := u.Query()
	more := q["addr"]
	if len(more) > 0 {
		q.Del("addr")
		u.RawQuery = q.Encode()
	}
	if o, err = redis.ParseURL(u.String()); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", addr.Redact(raw), err)
	}
	if len(more) > 0 && o.Network == "unix" {
		return nil, nil, fmt.Errorf("%s: addr= names cluster nodes, which a unix:// URL cannot reach", addr.Redact(raw))
	}
	return o, append([]string{o.Addr}, more...), nil
}

// clusterOptions carries what ConnectOptions set for one server over to a
// cluster of them; each node's client gets setClientOptions's handshake
// and timeouts.
func clusterOptions(o *redis.Options, seeds []string) *redis.ClusterOptions {
	return &redis.ClusterOptions{
		Addrs:       seeds,
		Username:    o.Username,
		Password:    o.Password,
		TLSConfig:   o.TLSConfig,
		DialTimeout: o.DialTimeout,
		PoolSize:    o.PoolSize,
		Protocol:    3,
		NewClient: func(no *redis.Options) *redis.Client {
			setClientOptions(no)
			return redis.NewClient(no)
		},
	}
}

// setClientOptions makes go-redis's handshake one HELLO: RESP3 (both
// remoted and Redis 6+ answer HELLO 3, so go-redis never falls back to
// AUTH), no CLIENT SETINFO (DisableIdentity), no CLIENT MAINT_NOTIFICATIONS
// (disabled) and no CLIENT SETNAME (no ClientName). Reads wait without a
// socket timeout, bounded by the context instead, because on remoted any
// keyspace command may wait for another process's share-wide lock.
func setClientOptions(o *redis.Options) {
	o.Protocol = 3
	o.DisableIdentity = true
	o.ClientName = ""
	o.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	o.ReadTimeout = -1
	o.ContextTimeoutEnabled = true
}

// dialer opens connections to the share for go-redis. The first one it
// hands out is the connection Connect already greeted (first).
type dialer struct {
	network, addr string
	tls           *tls.Config
	timeout       time.Duration
	first         atomic.Pointer[helloConn]
}

func (d *dialer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if hc := d.first.Swap(nil); hc != nil {
		return hc, nil
	}
	return d.dialRaw(ctx)
}

func (d *dialer) dialRaw(ctx context.Context) (net.Conn, error) {
	nd := net.Dialer{Timeout: d.timeout, KeepAlive: 5 * time.Minute}
	nc, err := nd.DialContext(ctx, d.network, d.addr)
	if err != nil {
		return nil, fmt.Errorf("stub: connect: %w", err)
	}
	if d.tls == nil {
		return nc, nil
	}
	tc := tls.Client(nc, d.tls)
	if err := tc.HandshakeContext(ctx); err != nil {
		nc.Close()
		return nil, fmt.Errorf("stub: connect: tls: %w", err)
	}
	return tc, nil
}

// helloInfo is what the stub reads from HELLO's reply.
type helloInfo struct {
	server  string // "remoted", "redis", "valkey", ...
	version string
	mode    string // "standalone", "cluster" or "sentinel"
}

// handshake dials and sends HELLO 3 as go-redis would, returning the
// connection primed to replay the reply to go-redis's own HELLO.
func (d *dialer) handshake(ctx context.Context, user, pass string) (*helloConn, helloInfo, error) {
	var info helloInfo
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	nc, err := d.dialRaw(ctx)
	if err != nil {
		return nil, info, err
	}
	if dl, ok := ctx.Deadline(); ok {
		nc.SetDeadline(dl)
	}
	args := []string{"hello", "3"}
	if pass != "" {
		if user == "" {
			user = "default"
		}
		args = append(args, "auth", user, pass)
	}
	if _, err := nc.Write(appendCommand(nil, args)); err != nil {
		nc.Close()
		return nil, info, fmt.Errorf("stub: connect: %w", err)
	}
	rec := &recorder{r: nc}
	v, err := readValue(bufio.NewReader(rec), 0)
	if err != nil {
		nc.Close()
		return nil, info, fmt.Errorf("stub: connect: reading HELLO reply: %w", err)
	}
	if e, ok := v.(redisError); ok {
		nc.Close()
		return nil, info, fmt.Errorf("stub: connect: HELLO: %w (remoted, or Redis 6 or later, is needed)", e)
	}
	nc.SetDeadline(time.Time{})
	if kv, ok := v.([]any); ok {
		for i := 0; i+1 < len(kv); i += 2 {
			k, _ := kv[i].(string)
			val, _ := kv[i+1].(string)
			switch k {
			case "server":
				info.server = val
			case "version":
				info.version = val
			case "mode":
				info.mode = val
			}
		}
	}
	return &helloConn{Conn: nc, reply: rec.buf}, info, nil
}

// helloConn is a connection already greeted with HELLO: the first command
// go-redis writes on it, its own HELLO, is swallowed and answered with
// the reply the server gave the stub's.
type helloConn struct {
	net.Conn
	done  atomic.Bool // the replay is over: pass everything through
	mu    sync.Mutex
	wrote bool
	reply []byte
}

func (c *helloConn) Write(p []byte) (int, error) {
	if c.done.Load() {
		return c.Conn.Write(p)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.wrote {
		c.wrote = true
		if isHello(p) {
			return len(p), nil
		}
		c.reply = nil // not what we expected: forget the replay
		c.done.Store(true)
	}
	return c.Conn.Write(p)
}

func (c *helloConn) Read(p []byte) (int, error) {
	if c.done.Load() {
		return c.Conn.Read(p)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.wrote && len(c.reply) > 0 {
		n := copy(p, c.reply)
		c.reply = c.reply[n:]
		if len(c.reply) == 0 {
			c.done.Store(true)
		}
		return n, nil
	}
	return c.Conn.Read(p)
}

// isHello reports whether p is a RESP command named HELLO.
func isHello(p []byte) bool {
	// *N\r\n$5\r\nhello\r\n
	i := strings.Index(string(p[:min(len(p), 16)]), "$5\r\n")
	return len(p) > 0 && p[0] == '*' && i > 0 && len(p) >= i+9 && strings.EqualFold(string(p[i+4:i+9]), "hello")
}

// recorder keeps every byte read through it.
type recorder struct {
	r   io.Reader
	buf []byte
}

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.buf = append(r.buf, p[:n]...)
	return n, err
}

func appendCommand(b []byte, args []string) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, "\r\n"...)
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, "\r\n"...)
		b = append(b, a...)
		b = append(b, "\r\n"...)
	}
	return b
}

// redisError is an error reply read by readValue.
type redisError string

func (e redisError) Error() string { return string(e) }

// readValue reads one RESP2/RESP3 value, just enough of the protocol for
// HELLO's reply: aggregates come back as []any (a map flattened to
// key, value, ...), strings as string, numbers and the rest as their text.
func readValue(r *bufio.Reader, depth int) (any, error) {
	if depth > 8 {
		return nil, errors.New("reply nested too deep")
	}
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return nil, fmt.Errorf("malformed reply %q", line)
	}
	kind, body := line[0], line[1:len(line)-2]
	switch kind {
	case '-', '!':
		return redisError(body), nil
	case '+', ':', ',', '#', '(', '_':
		return body, nil
	case '$', '=', '*', '%', '~', '>', '|':
		n, err := strconv.Atoi(body)
		if err != nil || n > 1<<20 {
			return nil, fmt.Errorf("malformed reply %q", line)
		}
		if n < 0 {
			return nil, nil
		}
		if kind == '$' || kind == '=' {
			b := make([]byte, n+2)
			if _, err := io.ReadFull(r, b); err != nil {
				return nil, err
			}
			return string(b[:n]), nil
		}
		if kind == '%' || kind == '|' {
			n *= 2
		}
		out := make([]any, 0, min(n, 64))
		for range n {
			v, err := readValue(r, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		if kind == '|' { // an attribute precedes the real reply
			return readValue(r, depth)
		}
		return out, nil
	}
	return nil, fmt.Errorf("malformed reply %q", line)
}
