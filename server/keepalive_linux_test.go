package server

import (
	"net"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestTCPKeepAlive: a TCP client accepted after CONFIG SET tcp-keepalive
// n has keepalive probes after n idle seconds, every n/3, as Redis sets
// them; 0 turns them off.
func TestTCPKeepAlive(t *testing.T) {
	s := New(Config{})
	for _, tc := range []struct {
		secs      int64
		on        int
		idle, gap int
	}{{60, 1, 60, 20}, {300, 1, 300, 100}, {0, 0, 0, 0}} {
		s.conf.tcpKeepAlive.Store(tc.secs)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		sc, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		s.keepAlive(sc)
		raw, _ := sc.(syscall.Conn).SyscallConn()
		raw.Control(func(fd uintptr) {
			on, _ := unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_KEEPALIVE)
			idle, _ := unix.GetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_KEEPIDLE)
			gap, _ := unix.GetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_KEEPINTVL)
			if on != tc.on || (tc.on == 1 && (idle != tc.idle || gap != tc.gap)) {
				t.Errorf("tcp-keepalive %d: SO_KEEPALIVE %d, idle %d, interval %d", tc.secs, on, idle, gap)
			}
		})
		c.Close()
		sc.Close()
		ln.Close()
	}
}
