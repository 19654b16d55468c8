package server

import (
	"fmt"
	"net"
	"os"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"time"
)

// infoSection renders one INFO section's fields.
type infoSection struct {
	name   string // lower-case, as INFO takes it
	title  string // as the header shows it
	dflt   bool   // part of INFO with no argument
	fields func(s *Server, f *infoFacts) [][2]string
}

// infoFacts are the figures INFO reads under other locks, gathered once
// before the sections are rendered.
type infoFacts struct {
	now           time.Time
	dirty         int64 // changes since start
	expiredKeys   int64
	evictedKeys   int64
	keys, expires int
	locks         []lockInfo
}

// gatherInfo reads the keyspace figures and the lock table. Inside EXEC
// the caller already holds the keyspace lock, and may not take the lock
// table's mutex under it (LOCK takes them in the other order), so it
// reads the keyspace directly and the lock table from the snapshot EXEC
// took before locking the keyspace.
func (s *Server) gatherInfo(c *client, now time.Time) *infoFacts {
	f := &infoFacts{now: now}
	read := func(db *keyspace) {
		f.dirty, f.expiredKeys = db.dirty, db.expiredKeys
		f.keys, f.expires = db.live, len(db.ttlIdx)
		f.evictedKeys = db.evictedKeys
	}
	if c.held > 0 {
		read(s.db)
		f.locks = c.execLocks
		return f
	}
	s.db.mu.Lock()
	read(s.db)
	s.db.mu.Unlock()
	f.locks = s.locks.snapshot(now)
	return f
}

// infoSections lists the sections in Redis's order with Redis's field
// names. Values Redis has and remoted has no use for (replication offsets,
// AOF state) are reported as Redis reports them when unused.
var infoSections = []infoSection{
	{name: "server", title: "Server", dflt: true, fields: (*Server).infoServer},
	{name: "clients", title: "Clients", dflt: true, fields: (*Server).infoClients},
	{name: "memory", title: "Memory", dflt: true, fields: (*Server).infoMemory},
	{name: "persistence", title: "Persistence", dflt: true, fields: (*Server).infoPersistence},
	{name: "stats", title: "Stats", dflt: true, fields: (*Server).infoStats},
	{name: "replication", title: "Replication", dflt: true, fields: (*Server).infoReplication},
	{name: "cpu", title: "CPU", dflt: true, fields: (*Server).infoCPU},
	{name: "commandstats", title: "Commandstats", fields: (*Server).infoCommandStats},
	{name: "errorstats", title: "Errorstats", dflt: true, fields: (*Server).infoErrorStats},
	{name: "latencystats", title: "Latencystats", fields: (*Server).infoLatencyStats},
	{name: "cluster", title: "Cluster", dflt: true, fields: (*Server).infoCluster},
	{name: "locks", title: "Locks", dflt: true, fields: (*Server).infoLocks},
	{name: "keyspace", title: "Keyspace", dflt: true, fields: (*Server).infoKeyspace},
}

// cmdInfo is INFO [section ...]: no section or "default" gives the
// default sections, "all" and "everything" give every one, and an unknown
// name contributes nothing, as in Redis.
func (s *Server) cmdInfo(c *client, args [][]byte) {
	want := map[string]bool{}
	for _, a := range args[1:] {
		want[strings.ToLower(string(a))] = true
	}
	if len(want) == 0 {
		want["default"] = true
	}
	f := s.gatherInfo(c, s.now())
	var b strings.Builder
	for _, sec := range infoSections {
		if !want[sec.name] && !want["all"] && !want["everything"] && !(want["default"] && sec.dflt) {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString("# " + sec.title + "\r\n")
		for _, kv := range sec.fields(s, f) {
			b.WriteString(kv[0] + ":" + kv[1] + "\r\n")
		}
	}
	c.w.Verbatim(b.String())
}

func i64(n int64) string { return strconv.FormatInt(n, 10) }

func (s *Server) infoServer(f *infoFacts) [][2]string {
	exe, _ := os.Executable()
	uptime := int64(f.now.Sub(s.start) / time.Second)
	return [][2]string{
		{"redis_version", RedisVersion},
		{"remoted_version", Version},
		{"redis_git_sha1", "00000000"},
		{"redis_git_dirty", "0"},
		{"redis_build_id", "0"},
		{"redis_mode", "standalone"},
		{"os", runtime.GOOS + " " + runtime.GOARCH},
		{"arch_bits", strconv.Itoa(strconv.IntSize)},
		{"multiplexing_api", s.ev.api()},
		{"go_version", runtime.Version()},
		{"process_id", strconv.Itoa(os.Getpid())},
		{"process_supervised", "no"},
		{"run_id", s.runID},
		{"tcp_port", strconv.Itoa(s.tcpPort())},
		{"server_time_usec", i64(f.now.UnixMicro())},
		{"uptime_in_seconds", i64(uptime)},
		{"uptime_in_days", i64(uptime / 86400)},
		{"hz", "10"},
		{"configured_hz", "10"},
		{"executable", exe},
		{"config_file", ""},
		{"io_threads_active", "0"},
	}
}

// tcpPort is the first TCP listener's port, 0 without one.
func (s *Server) tcpPort() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for l := range s.listeners {
		if a, ok := l.Addr().(*net.TCPAddr); ok {
			return a.Port
		}
	}
	return 0
}

func (s *Server) infoClients(f *infoFacts) [][2]string {
	// Blocked, as Redis counts them: waiting on keys (BLPOP, ...), in LOCK
	// or for another client's share-wide lock; with a timeout, also in
	// the timeout table.
	var blocked, timed int64
	s.mu.Lock()
	for _, c := range s.clients {
		kw := c.keyWait.Load()
		if kw != nil || c.lockWait.Load() || c.gateWait.Load() {
			blocked++
		}
		if c.lockLimit.Load() || (kw != nil && !kw.deadline.IsZero()) {
			timed++
		}
	}
	s.mu.Unlock()
	return [][2]string{
		{"connected_clients", i64(s.nclients.Load())},
		{"cluster_connections", "0"},
		{"maxclients", i64(s.conf.maxClients.Load())},
		{"client_recent_max_input_buffer", "0"},
		{"client_recent_max_output_buffer", "0"},
		{"blocked_clients", i64(blocked)},
		{"tracking_clients", "0"},
		{"clients_in_timeout_table", i64(timed)},
	}
}

// infoMemory reports used_memory as the live heap: the bytes of heap
// objects, which is what the data and the clients' buffers take. It
// reads runtime/metrics, which unlike runtime.ReadMemStats does not stop
// the world; a GC ballast or memory the heap has mapped but not used
// does not count, as Redis's used_memory counts what its allocator gave
// out. used_memory_peak is the highest used_memory INFO has seen.
func (s *Server) infoMemory(f *infoFacts) [][2]string {
	used := liveHeap()
	used -= min(used, s.ballast) // Run's GC ballast is no data
	peak := s.stats.peakMemory.Load()
	for used > peak && !s.stats.peakMemory.CompareAndSwap(peak, used) {
		peak = s.stats.peakMemory.Load()
	}
	peak = max(peak, used)
	rss := rssBytes()
	return [][2]string{
		{"used_memory", strconv.FormatUint(used, 10)},
		{"used_memory_human", humanBytes(used)},
		{"used_memory_rss", strconv.FormatUint(rss, 10)},
		{"used_memory_rss_human", humanBytes(rss)},
		{"used_memory_peak", strconv.FormatUint(peak, 10)},
		{"used_memory_peak_human", humanBytes(peak)},
		{"total_system_memory", strconv.FormatUint(totalMemory(), 10)},
		{"number_of_cached_scripts", strconv.Itoa(s.scripts.count())},
		{"maxmemory", getMaxmemory(s)},
		{"maxmemory_human", humanBytes(s.db.evict.maxmemory.Load())},
		{"maxmemory_policy", getMaxmemoryPolicy(s)},
		{"used_memory_dataset", strconv.FormatInt(s.db.usedMem.Load(), 10)},
		{"mem_allocator", "go-" + runtime.Version()},
	}
}

// heapObjectsMetric is the runtime/metrics name of the live heap.
const heapObjectsMetric = "/memory/classes/heap/objects:bytes"

// liveHeap is the bytes of heap objects: live ones and those dead that
// the GC has not swept yet, as HeapAlloc, read without stopping the world.
func liveHeap() uint64 {
	sample := []metrics.Sample{{Name: heapObjectsMetric}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return sample[0].Value.Uint64()
}

// humanBytes renders n as Redis's bytesToHuman does.
func humanBytes(n uint64) string {
	f := float64(n)
	switch {
	case n < 1024:
		return strconv.FormatUint(n, 10) + "B"
	case n < 1<<20:
		return fmt.Sprintf("%.2fK", f/1024)
	case n < 1<<30:
		return fmt.Sprintf("%.2fM", f/(1<<20))
	default:
		return fmt.Sprintf("%.2fG", f/(1<<30))
	}
}

func (s *Server) infoPersistence(f *infoFacts) [][2]string {
	return [][2]string{
		{"loading", "0"},
		{"async_loading", "0"},
		{"current_cow_peak", "0"},
		{"rdb_changes_since_last_save", i64(f.dirty)},
		{"rdb_bgsave_in_progress", "0"},
		{"rdb_last_save_time", i64(s.start.Unix())},
		{"rdb_last_bgsave_status", "ok"},
		{"aof_enabled", "0"},
		{"aof_rewrite_in_progress", "0"},
		{"aof_last_write_status", "ok"},
	}
}

func (s *Server) infoStats(f *infoFacts) [][2]string {
	return [][2]string{
		{"total_connections_received", i64(s.stats.connections.Load())},
		{"total_commands_processed", i64(s.commandsProcessed())},
		{"rejected_connections", i64(s.stats.rejected.Load())},
		{"expired_keys", i64(f.expiredKeys)},
		{"evicted_keys", i64(f.evictedKeys)},
		{"pubsub_channels", "0"},
		{"pubsub_patterns", "0"},
		{"total_error_replies", i64(s.stats.errors.Load())},
		{"client_output_buffer_limit_disconnections", i64(s.stats.outputLimitDrops.Load())},
	}
}

func (s *Server) infoReplication(f *infoFacts) [][2]string {
	return [][2]string{
		{"role", "master"},
		{"connected_slaves", "0"},
		{"master_failover_state", "no-failover"},
		{"master_replid", s.runID},
		{"master_repl_offset", "0"},
	}
}

func (s *Server) infoCPU(f *infoFacts) [][2]string {
	sys, user := cpuTimes()
	secs := func(d time.Duration) string {
		return fmt.Sprintf("%d.%06d", d/time.Second, d%time.Second/time.Microsecond)
	}
	return [][2]string{
		{"used_cpu_sys", secs(sys)},
		{"used_cpu_user", secs(user)},
	}
}

func (s *Server) infoCluster(f *infoFacts) [][2]string {
	return [][2]string{{"cluster_enabled", "0"}}
}

// infoKeyspace shows db0 when it has keys, as Redis does.
func (s *Server) infoKeyspace(f *infoFacts) [][2]string {
	if f.keys == 0 {
		return nil
	}
	return [][2]string{{"db0", fmt.Sprintf("keys=%d,expires=%d,avg_ttl=0", f.keys, f.expires)}}
}

// infoLocks is remoted's own section: who holds the share-wide lock, how
// many named locks are held, and how many clients wait.
func (s *Server) infoLocks(f *infoFacts) [][2]string {
	holder, named, waiters := int64(0), 0, 0
	for _, li := range f.locks {
		waiters += li.waiters
		switch {
		case li.name == shareLock:
			holder = li.holderID
		case li.holderID != 0:
			named++
		}
	}
	return [][2]string{
		{"share_lock_holder", i64(holder)},
		{"named_locks_held", strconv.Itoa(named)},
		{"lock_waiters", strconv.Itoa(waiters)},
		{"share_lock_blocked_clients", i64(s.locks.gated.Load())},
	}
}

// infoCommandStats is Redis's INFO commandstats: a line per command (and
// subcommand, as parent|sub) called, failed or rejected since the start
// or CONFIG RESETSTAT. usec_per_call is computed in single precision, as
// Redis computes it.
func (s *Server) infoCommandStats(f *infoFacts) [][2]string {
	var out [][2]string
	s.eachCommand(func(cmd *command) {
		t := s.stats.totals(cmd.idx, false)
		if t.calls == 0 && t.failed == 0 && t.rejected == 0 {
			return
		}
		usec := t.nsec / 1000
		perCall := float32(0)
		if t.calls > 0 {
			perCall = float32(usec) / float32(t.calls)
		}
		out = append(out, [2]string{"cmdstat_" + infoSafe(cmd.meta.Name), fmt.Sprintf(
			"calls=%d,usec=%d,usec_per_call=%.2f,rejected_calls=%d,failed_calls=%d",
			t.calls, usec, perCall, t.rejected, t.failed)})
	})
	return out
}

// infoErrorStats is Redis's INFO errorstats: the error replies by code,
// in the code's byte order.
func (s *Server) infoErrorStats(f *infoFacts) [][2]string {
	counts := s.stats.errorCounts()
	codes := make([]string, 0, len(counts))
	for code := range counts {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	out := make([][2]string, 0, len(codes))
	for _, code := range codes {
		out = append(out, [2]string{"errorstat_" + infoSafe(code), "count=" + i64(counts[code])})
	}
	return out
}

// infoLatencyStats is Redis's INFO latencystats: for each command with a
// latency recorded, the percentiles latency-tracking-info-percentiles
// names, in microseconds with three decimals. Empty while latency-tracking
// is off, as in Redis.
func (s *Server) infoLatencyStats(f *infoFacts) [][2]string {
	if !s.conf.latencyTracking.Load() {
		return nil
	}
	ps := *s.conf.percentiles.Load()
	var out [][2]string
	s.eachCommand(func(cmd *command) {
		hist := s.stats.totals(cmd.idx, true).hist
		if hist == nil {
			return
		}
		var b strings.Builder
		for i, p := range ps {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "p%s=%.3f", trimFloat(p), float64(hist.percentile(p))/1000)
		}
		out = append(out, [2]string{"latency_percentiles_usec_" + infoSafe(cmd.meta.Name), b.String()})
	})
	return out
}

// infoSafe replaces the characters INFO's format reserves (# : CR LF)
// with '_', as Redis's getSafeInfoString.
func infoSafe(s string) string {
	if !strings.ContainsAny(s, "#:\r\n") {
		return s
	}
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune("#:\r\n", r) {
			return '_'
		}
		return r
	}, s)
}
