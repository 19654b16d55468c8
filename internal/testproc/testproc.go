// Package testproc lets tests look at another process from outside, as
// an administrator would with ps and ss: what it listens on.
//
//	lns, err := testproc.TCPListeners(pid)
//	if len(lns) > 0 { t.Errorf("listens on TCP: %v", lns) }
package testproc

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// TCPListeners returns the local addresses (as /proc/net/tcp spells them,
// hex IP:port) of the TCP sockets, IPv4 and IPv6, that process pid holds
// open in the listening state. It reads /proc, so it works on Linux only,
// for a process of the same user.
func TCPListeners(pid int) ([]string, error) {
	inodes, err := socketInodes(pid)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, table := range []string{"tcp", "tcp6"} {
		f, err := os.Open(fmt.Sprintf("/proc/%d/net/%s", pid, table))
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
			fields := strings.Fields(sc.Text())
			const listen = "0A"
			if len(fields) > 9 && fields[3] == listen && inodes[fields[9]] {
				out = append(out, table+" "+fields[1])
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// socketInodes returns the inodes of the sockets pid has open.
func socketInodes(pid int) (map[string]bool, error) {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	inodes := make(map[string]bool)
	for _, e := range ents {
		link, err := os.Readlink(filepath.Join(dir, e.Name()))
		if err != nil {
			continue // closed since ReadDir
		}
		if ino, ok := strings.CutPrefix(link, "socket:["); ok {
			inodes[strings.TrimSuffix(ino, "]")] = true
		}
	}
	return inodes, nil
}
