package server

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"
)

// FuzzConnection sends arbitrary bytes to a live server as one client and
// then closes its side. The server must answer and close that connection
// within a deadline (never hang), keep its keyspace consistent, keep a key
// the input cannot name, and go on serving other clients.
func FuzzConnection(f *testing.F) {
	for _, seed := range []string{
		"*1\r\n$4\r\nPING\r\n",
		"SET a b\r\nGET a\r\nINCR a\r\nAPPEND a x\r\n",
		"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$6\r\nEXPIRE\r\n$1\r\nk\r\n",
		"MULTI\r\nSET x 1\r\n*-1\r\n*0\r\nEXEC\r\n",
		"HELLO 3\r\nCLIENT REPLY OFF\r\nKEYS *\r\nSCAN 0 MATCH [a-\r\n",
		"*2\r\n$4\r\nECHO\r\n$-1\r\n",
		"GET \"unbalanced\r\n",
		"*1\r\n$999999999999\r\n",
		"CLIENT KILL SKIPME no\r\nPING\r\n",
		"MONITOR\r\nPING\r\n",
		"SET n 9223372036854775807\r\nINCR n\r\nINCRBYFLOAT n 1e308\r\nSETRANGE n 100 x\r\n",
		// The data types, their conversions and their blocking forms.
		"HSET h f 1 g 2\r\nHINCRBYFLOAT h f 1e308\r\nHGETALL h\r\nHSCAN h 0 MATCH * COUNT 1\r\nHRANDFIELD h -5 WITHVALUES\r\n",
		"RPUSH l a b c\r\nLINSERT l BEFORE b x\r\nLPOS l b RANK -1\r\nLMOVE l l LEFT RIGHT\r\nBLPOP l 0.01\r\nLMPOP 2 l m COUNT 2\r\n",
		"SADD s 1 2 3\r\nSADD s a\r\nSINTERCARD 2 s s LIMIT 1\r\nSPOP s 2\r\nSRANDMEMBER s -3\r\nSSCAN s 0\r\n",
		"ZADD z 1 a 2 b\r\nZADD z GT CH INCR 5 a\r\nZRANGE z (1 +inf BYSCORE REV LIMIT 0 1 WITHSCORES\r\nZUNIONSTORE d 2 z s WEIGHTS 2 nan\r\nBZPOPMIN z 0.01\r\n",
		"SORT l BY nosort GET # GET h->f ALPHA LIMIT 0 2 STORE d\r\nDUMP z\r\nOBJECT ENCODING z\r\nRESTORE r 0 \"\\x00\\x01x\\n\\x00\" REPLACE\r\n",
		"MULTI\r\nBLPOP nokey 0\r\nLPUSH nokey v\r\nEXEC\r\nCLIENT UNBLOCK 1 ERROR\r\n",
	} {
		f.Add([]byte(seed))
	}
	fuzzConnection(f, Config{ProtoMaxBulkLen: 1 << 20, QueryBufferLimit: 4 << 20})
}

// FuzzConnectionAuth is FuzzConnection on a server with a password, where
// the framer works one command at a time until AUTH succeeds.
func FuzzConnectionAuth(f *testing.F) {
	for _, seed := range []string{
		"PING\r\nAUTH pw\r\nPING\r\n",
		"AUTH pw\r\n*11\r\n$4\r\nMSET\r\n",
		"AUTH wrong\r\n*2\r\n$4\r\nECHO\r\n$20000\r\n",
		"*3\r\n$5\r\nHELLO\r\n$1\r\n3\r\n$4\r\nAUTH\r\nGET a\r\n",
		"AUTH pw\r\nRESET\r\nGET a\r\nAUTH pw\r\nGET a\r\n",
	} {
		f.Add([]byte(seed))
	}
	fuzzConnection(f, Config{RequirePass: "pw", ProtoMaxBulkLen: 1 << 20, QueryBufferLimit: 4 << 20})
}

func fuzzConnection(f *testing.F, cfg Config) {
	s, path := newTestServer(f, cfg)
	admin := func(tb testing.TB) *testConn {
		c := dial(tb, path)
		if cfg.RequirePass != "" {
			c.Do("AUTH", cfg.RequirePass)
		}
		return c
	}
	if got := admin(f).Do("SET", "fuzz\x00sentinel", "kept"); got != "OK" {
		f.Fatal(got)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lower := bytes.ToLower(data)
		for _, word := range []string{"shutdown", "flush", "sentinel"} {
			if bytes.Contains(lower, []byte(word)) {
				t.Skip("would legitimately stop the server or change the sentinel")
			}
		}
		c, err := net.Dial("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Write(data); err != nil {
			return // the server may close early on a protocol error
		}
		c.(*net.UnixConn).CloseWrite()
		if _, err := io.Copy(io.Discard, c); err != nil {
			t.Fatalf("server did not finish with the connection: %v", err)
		}
		checkDBInvariants(t, s)
		if got := admin(t).Do("GET", "fuzz\x00sentinel"); got != "kept" {
			t.Fatalf("sentinel key: %q", got)
		}
	})
}
