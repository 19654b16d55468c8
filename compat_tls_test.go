package remoted_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/remoted/remoted/internal/testcert"
	"github.com/remoted/remoted/internal/testdep"
	"github.com/remoted/remoted/stub"
)

// writeSelfSigned writes a self-signed certificate for 127.0.0.1 and its
// key into dir, returning their paths and a pool that trusts it.
func writeSelfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	certPEM, keyPEM, pool := testcert.New(t, "127.0.0.1")
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, pool
}

// TestTLS serves on --tls-port and reaches it with go-redis, the stub
// (a rediss:// URL with a password) and redis-cli --tls.
func TestTLS(t *testing.T) {
	if selftest() {
		t.Skip("remoted's own flags")
	}
	dir := shortTempDir(t)
	certFile, keyFile, pool := writeSelfSigned(t, dir)
	srv := startRemoted(t, "--tls-port", "0", "--tls-cert-file", certFile, "--tls-key-file", keyFile,
		"--requirepass", "pw")
	if srv.TLSAddr == "" {
		t.Fatal("no TLS listener logged")
	}
	ctx := context.Background()
	tlsCfg := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	rdb := redis.NewClient(&redis.Options{Addr: srv.TLSAddr, Password: "pw", TLSConfig: tlsCfg})
	defer rdb.Close()
	if err := rdb.Set(ctx, "k", "over tls", 0).Err(); err != nil {
		t.Fatalf("go-redis over TLS: %v", err)
	}
	s, err := stub.ConnectOptions(ctx, stub.Options{URL: "rediss://:pw@" + srv.TLSAddr, TLSConfig: tlsCfg})
	if err != nil {
		t.Fatalf("stub over rediss://: %v", err)
	}
	defer s.Close()
	if got, err := stub.GetAs[string](ctx, s, "k"); err != nil || got != "over tls" {
		t.Errorf("stub GET: %q, %v", got, err)
	}
	if err := s.WithLock(ctx, func(ctx context.Context) error { return s.Set(ctx, "locked", 1) }); err != nil {
		t.Errorf("share-wide lock over TLS: %v", err)
	}
	// A LOCK that waits, and MONITOR, over TLS: connections that get a
	// goroutine of their own rather than the event loop.
	holder, waiter := rdb.Conn(), rdb.Conn()
	defer holder.Close()
	defer waiter.Close()
	if err := holder.Do(ctx, "LOCK").Err(); err != nil {
		t.Fatal(err)
	}
	granted := make(chan error, 1)
	go func() { granted <- waiter.Do(ctx, "LOCK", "TIMEOUT", "2000").Err() }()
	mon, err := tls.Dial("tcp", srv.TLSAddr, tlsCfg)
	if err != nil {
		t.Fatal(err)
	}
	defer mon.Close()
	mon.SetDeadline(time.Now().Add(10 * time.Second))
	mon.Write([]byte("AUTH pw\r\nMONITOR\r\n"))
	monr := bufio.NewReader(mon)
	for range 2 {
		if line, err := monr.ReadString('\n'); line != "+OK\r\n" {
			t.Fatalf("AUTH, MONITOR over TLS: %q, %v", line, err)
		}
	}
	if err := holder.Do(ctx, "UNLOCK").Err(); err != nil {
		t.Fatal(err)
	}
	if err := <-granted; err != nil {
		t.Errorf("LOCK waiting over TLS: %v", err)
	}
	if err := waiter.Do(ctx, "UNLOCK").Err(); err != nil {
		t.Errorf("UNLOCK after the wait: %v", err)
	}
	for {
		line, err := monr.ReadString('\n')
		if err != nil {
			t.Fatalf("MONITOR over TLS never showed UNLOCK: %v", err)
		}
		if strings.Contains(line, `"UNLOCK"`) || strings.Contains(line, `"unlock"`) {
			break
		}
	}
	cli := testdep.Tool(t, "redis-cli")
	host, port, _ := net.SplitHostPort(srv.TLSAddr)
	out, err := exec.Command(cli, "--tls", "--cacert", certFile, "-h", host, "-p", port, "--no-auth-warning",
		"-a", "pw", "get", "k").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "over tls" {
		t.Errorf("redis-cli --tls: %q, %v", out, err)
	}
	// A plain client on the TLS port gets nothing it could read as RESP.
	c, err := net.Dial("tcp", srv.TLSAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("PING\r\n"))
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 64)
	if n, _ := c.Read(buf); strings.Contains(string(buf[:n]), "PONG") {
		t.Error("plaintext PING answered on the TLS port")
	}
}
