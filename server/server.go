// Package server is the remoted share server: one keyspace of Redis
// strings served over the Redis protocol (RESP2 and RESP3) on any number of
// listeners, with Redis 7's replies and error texts.
//
// Usage:
//
//	srv := server.New(server.Config{RequirePass: "secret"})
//	ln, _ := net.Listen("unix", "/run/user/1000/remoted/default.sock")
//	go srv.Serve(ln)
//	...
//	srv.Shutdown(ctx) // drains in-flight commands, then closes clients
//
// Serve may be called for several listeners (say a unix socket and a TCP
// port); they share one keyspace. The lifecycle mirrors net/http: Serve
// returns ErrServerClosed after Shutdown or Close.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/remoted/remoted/resp"
)

// Version is remoted's version, reported as remoted_version in INFO and as
// version in HELLO.
const Version = "0.1.0"

// RedisVersion is the Redis level remoted implements, reported as
// redis_version in INFO for clients that check it.
const RedisVersion = "7.0.0"

// ErrServerClosed is returned by Serve after Shutdown or Close.
var ErrServerClosed = errors.New("server: closed")

// Config configures a Server. Zero values mean the documented defaults.
type Config struct {
	// RequirePass, if set, makes clients AUTH before anything but AUTH,
	// HELLO, PING and QUIT. Compared in constant time.
	RequirePass string
	// MaxClients limits connected clients (default 10000); a client past
	// it gets "ERR max number of clients reached" and is disconnected.
	MaxClients int
	// ProtoMaxBulkLen is the largest bulk argument (default 512 MiB).
	ProtoMaxBulkLen int64
	// QueryBufferLimit is the most one incomplete command may hold
	// (default 1 GiB).
	QueryBufferLimit int64
	// Timeout closes a client idle for longer, in whole seconds, as
	// Redis's timeout does (a client blocked in LOCK or in MONITOR is
	// spared); 0 means never.
	Timeout time.Duration
	// IdleExit, if positive, shuts the server down once it has had no
	// client for that long (counted from the last disconnect, or from the
	// start). Zero means never.
	IdleExit time.Duration
	// Logger receives the server's log; nil means slog.Default().
	Logger *slog.Logger
	// Threads is how many event loops serve connections, each on an OS
	// thread of its own while it runs; 0 means DefaultThreads. A program
	// that mostly serves should set GOMAXPROCS to Procs(Threads).
	Threads int
	// ClientOutputBufferLimit is client-output-buffer-limit in Redis's
	// syntax ("normal 1gb 0 0 pubsub 32mb 8mb 60"); classes it does not
	// name keep DefaultOutputLimits. See outlimit.go.
	ClientOutputBufferLimit string
	// TCPKeepAlive is tcp-keepalive: the period of TCP keepalive probes
	// on TCP and TLS connections, which find peers that vanished without
	// closing (default DefaultTCPKeepAlive, as Redis; negative: off).
	TCPKeepAlive time.Duration
	// TLSHandshakeTimeout bounds a TLS client's handshake (default
	// DefaultTLSHandshakeTimeout), so that clients that connect and stall
	// cannot hold connections, and maxclients slots, open for ever.
	TLSHandshakeTimeout time.Duration
	// Portable, if set, serves every connection with a goroutine of its
	// own, the driver of every OS but Linux, instead of the event loops;
	// it is there so that the portable driver is tested on Linux too.
	Portable bool
	// MaxMemory limits the bytes the keyspace holds, as Redis's maxmemory
	// (CONFIG SET maxmemory changes it); 0 means no limit. The keyspace
	// accounts its keys, values and indexes on every write; past the
	// limit, keys are evicted by MaxMemoryPolicy before each command, and
	// if none can be, commands that would add data get Redis's OOM error.
	MaxMemory uint64
	// MaxMemoryPolicy is Redis's maxmemory-policy: "noeviction" (the
	// default when empty), "allkeys-lru", "allkeys-lfu", "allkeys-random",
	// "volatile-lru", "volatile-lfu", "volatile-random" or "volatile-ttl".
	// New panics on any other name.
	MaxMemoryPolicy string
	// BusyPoll is how long an event loop polls for more work before it
	// sleeps, while polling pays (see waiter); 0 means DefaultBusyPoll,
	// negative means never.
	BusyPoll time.Duration
}

// DefaultTCPKeepAlive is Config.TCPKeepAlive's default, Redis's 300 s.
const DefaultTCPKeepAlive = 300 * time.Second

// DefaultBusyPoll is Config.BusyPoll's default: about one round trip of a
// client in a request loop on the same machine (20-25 µs on this
// project's), so that polling catches the next request of such a client.
const DefaultBusyPoll = 25 * time.Microsecond

// Server is a share server. Its methods are safe for concurrent use.
type Server struct {
	cfg   Config
	conf  liveConfig // the settings CONFIG SET changes; see config.go
	log   *slog.Logger
	db    *keyspace
	cmds  map[string]*command
	table *resp.Table // the commands served, for COMMAND
	start time.Time
	runID string

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	clients   map[int64]*client
	idleTimer *time.Timer
	ev        eventLoops // started by the first Serve

	nextID    atomic.Int64
	nclients  atomic.Int64
	closing   atomic.Bool
	done      chan struct{} // closed once every client has gone after shutdown
	closingCh chan struct{} // closed when shutdown begins
	closeMu   sync.Once
	sweepMu   sync.Once

	monitors monitorSet
	stats    stats
	locks    *lockTable
	scripts  scripts // the Lua engine; see script.go

	// ballast is the GC ballast Run keeps in the heap (see gcBallast),
	// which used_memory leaves out. Set before Serve.
	ballast uint64

	// clock, if set before Serve, replaces time.Now (tests of expiry).
	clock func() time.Time
}

// now returns the server's current time.
func (s *Server) now() time.Time {
	if s.clock != nil {
		return s.clock()
	}
	return time.Now()
}

// New returns a server with an empty keyspace.
func New(cfg Config) *Server {
	if cfg.MaxClients <= 0 {
		cfg.MaxClients = 10000
	}
	if cfg.ProtoMaxBulkLen <= 0 {
		cfg.ProtoMaxBulkLen = resp.DefaultMaxBulkLen
	}
	if cfg.QueryBufferLimit <= 0 {
		cfg.QueryBufferLimit = resp.DefaultMaxQueryBuffer
	}
	if cfg.Threads <= 0 {
		cfg.Threads = DefaultThreads()
	}
	switch {
	case cfg.TCPKeepAlive == 0:
		cfg.TCPKeepAlive = DefaultTCPKeepAlive
	case cfg.TCPKeepAlive < 0:
		cfg.TCPKeepAlive = 0
	}
	if cfg.TLSHandshakeTimeout <= 0 {
		cfg.TLSHandshakeTimeout = DefaultTLSHandshakeTimeout
	}
	if cfg.BusyPoll == 0 {
		cfg.BusyPoll = DefaultBusyPoll
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	var id [20]byte
	rand.Read(id[:])
	s := &Server{
		cfg:       cfg,
		log:       cfg.Logger,
		db:        newDB(),
		start:     time.Now(),
		runID:     hex.EncodeToString(id[:]),
		listeners: make(map[net.Listener]struct{}),
		clients:   make(map[int64]*client),
		done:      make(chan struct{}),
		closingCh: make(chan struct{}),
	}
	s.locks = newLockTable(s)
	s.registerAll()
	s.initStats()
	s.initConfig()
	s.initMaxMemory()
	s.armIdle()
	return s
}

// Serve accepts connections on ln until Shutdown or Close, and returns
// ErrServerClosed then; any other error is the listener's. Serve closes ln.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closing.Load() {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	s.listeners[ln] = struct{}{}
	s.ev.start(s)
	s.mu.Unlock()
	s.sweepMu.Do(func() {
		go s.sweep()
		go s.reclaim()
	})
	defer func() {
		s.mu.Lock()
		delete(s.listeners, ln)
		s.mu.Unlock()
		ln.Close()
	}()
	unixPath := ""
	if a, ok := ln.Addr().(*net.UnixAddr); ok {
		unixPath = a.Name
	}
	var delay time.Duration // after a failed accept, as net/http does
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.closing.Load() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				s.log.Warn("accept failed; retrying", "err", err, "in", delay)
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		s.open(nc, unixPath)
	}
}

// open serves a new connection, or refuses it past maxclients.
func (s *Server) open(nc net.Conn, unixPath string) {
	s.keepAlive(nc)
	cn := newConn(nc, s.connLimits(), s.requirePass() != "", unixPath)
	c := newClient(s, cn)
	s.prepareClient(c)
	s.mu.Lock()
	if s.closing.Load() {
		s.mu.Unlock()
		nc.Close()
		return
	}
	if int64(len(s.clients)) >= s.conf.maxClients.Load() {
		s.mu.Unlock()
		s.stats.rejected.Add(1)
		nc.SetWriteDeadline(time.Now().Add(time.Second))
		nc.Write([]byte("-" + resp.MsgMaxClients + "\r\n"))
		nc.Close()
		return
	}
	s.clients[c.id] = c
	if s.idleTimer != nil {
		s.idleTimer.Stop()
		s.idleTimer = nil
	}
	s.mu.Unlock()
	s.nclients.Add(1)
	s.stats.connections.Add(1)
	s.watchIdle()
	if !s.ev.take(cn) {
		go s.serveConn(c, cn.t.(*netTransport))
	}
}

// Done is closed when the server has shut down: after Shutdown or Close,
// or after IdleExit with no client.
func (s *Server) Done() <-chan struct{} { return s.done }

// Shutdown stops accepting connections, lets every command already started
// finish and its reply reach the client, then closes all connections. If
// ctx ends first it closes the rest at once and returns ctx's error.
func (s *Server) Shutdown(ctx context.Context) error {
	s.beginClose()
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		s.closeAll()
		<-s.done
		return ctx.Err()
	}
}

// Close stops the server at once: listeners and connections are closed
// without waiting for replies in flight.
func (s *Server) Close() error {
	s.beginClose()
	s.closeAll()
	<-s.done
	return nil
}

// beginClose closes the listeners and asks every connection to finish: an
// idle one is woken from its read by an expired deadline; a busy one runs
// no further command.
func (s *Server) beginClose() {
	s.closeMu.Do(func() {
		s.mu.Lock()
		s.closing.Store(true)
		close(s.closingCh)
		if s.idleTimer != nil {
			s.idleTimer.Stop()
		}
		for l := range s.listeners {
			l.Close()
		}
		for _, c := range s.clients {
			c.tr.interrupt(false)
		}
		s.checkDoneLocked()
		s.mu.Unlock()
	})
}

func (s *Server) closeAll() {
	s.mu.Lock()
	for _, c := range s.clients {
		c.tr.interrupt(true)
	}
	s.mu.Unlock()
}

// checkDoneLocked closes done once shutdown has begun and no client is
// left. s.mu is held.
func (s *Server) checkDoneLocked() {
	if s.closing.Load() && len(s.clients) == 0 {
		select {
		case <-s.done:
		default:
			s.ev.stop()
			close(s.done)
		}
	}
}

// armIdle starts the idle-exit countdown when no client is connected.
func (s *Server) armIdle() {
	if s.cfg.IdleExit <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.clients) > 0 || s.closing.Load() {
		return
	}
	if s.idleTimer != nil {
		s.idleTimer.Stop()
	}
	s.idleTimer = time.AfterFunc(s.cfg.IdleExit, s.idleFired)
}

func (s *Server) idleFired() {
	s.mu.Lock()
	idle := len(s.clients) == 0
	s.mu.Unlock()
	if idle {
		s.log.Info("no client for the idle period; exiting", "idle_exit", s.cfg.IdleExit)
		s.beginClose()
	}
}

// release forgets a client whose connection has closed.
func (s *Server) release(c *client) {
	c.endTx()
	s.locks.releaseAll(c)
	s.stats.commands.Add(c.ncmds.Load())
	s.monitors.remove(c)
	s.mu.Lock()
	delete(s.clients, c.id)
	s.checkDoneLocked()
	s.mu.Unlock()
	s.nclients.Add(-1)
	s.armIdle()
}

// commandsProcessed is total_commands_processed: the commands of clients
// gone plus those of clients connected (counted per client, so that
// counting costs no shared cache line).
func (s *Server) commandsProcessed() int64 {
	n := s.stats.commands.Load()
	s.mu.Lock()
	for _, c := range s.clients {
		n += c.ncmds.Load()
	}
	s.mu.Unlock()
	return n
}
