package stub_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/remoted/remoted/stub"
)

// The whole Share suite runs on the cluster backend too (forEachBackend);
// these tests check what is particular to a cluster.

// TestClusterSpread: keys set together land on every master, and the
// calls over many keys see all of them.
func TestClusterSpread(t *testing.T) {
	ctx := tctx(t)
	s := connect(t, realCluster(t))
	if !s.Cluster() {
		t.Fatal("Cluster() = false on a cluster")
	}
	p := t.Name() + ":"
	m := map[string]any{}
	var want []string
	for i := range 300 {
		k := fmt.Sprintf("%sk%03d", p, i)
		m[k] = i
		want = append(want, k)
	}
	must(t, s.SetMany(ctx, m))

	// Each master holds a share of them.
	var mu sync.Mutex
	perNode := map[string]int{}
	cc := s.Redis().(*redis.ClusterClient)
	must(t, cc.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		keys, _, err := node.Scan(ctx, 0, p+"*", 1000).Result()
		mu.Lock()
		perNode[node.Options().Addr] = len(keys)
		mu.Unlock()
		return err
	}))
	if len(perNode) != len(clusterAddrs) {
		t.Errorf("keys found on %d masters, want %d: %v", len(perNode), len(clusterAddrs), perNode)
	}
	for addr, n := range perNode {
		if n == 0 {
			t.Errorf("no key on %s: %v", addr, perNode)
		}
	}

	got, err := stub.GetManyAs[int](ctx, s, append(want, p+"missing")...)
	must(t, err)
	if len(got) != len(want) {
		t.Errorf("GetMany: %d values, want %d", len(got), len(want))
	}
	for i, k := range want {
		if got[k] != i {
			t.Errorf("GetMany[%s] = %d, want %d", k, got[k], i)
			break
		}
	}
	keys, err := s.Keys(ctx, p+"*")
	must(t, err)
	if !slices.Equal(keys, want) {
		t.Errorf("Keys: %d keys, want the %d set", len(keys), len(want))
	}
	n, err := s.Delete(ctx, append(want, p+"missing")...)
	if err != nil || n != len(want) {
		t.Errorf("Delete = %d, %v; want %d", n, err, len(want))
	}
	if keys, _ := s.Keys(ctx, p+"*"); len(keys) != 0 {
		t.Errorf("after Delete, Keys = %v", keys)
	}
}

// TestClusterConnect: any one node's URL reaches the whole cluster, a
// dead first node is skipped for the next one named; addr= on a server
// that is not a cluster, and a database other than 0 on one that is, are
// refused.
func TestClusterConnect(t *testing.T) {
	ctx := tctx(t)
	realCluster(t)
	for _, addr := range clusterAddrs {
		s := connect(t, "redis://"+addr)
		if !s.Cluster() {
			t.Fatalf("%s: Cluster() = false", addr)
		}
		// 50 keys reach every node from any of them.
		for i := range 50 {
			must(t, s.Set(ctx, fmt.Sprintf("%s:%d", t.Name(), i), addr))
		}
	}

	ports, err := freePorts(1)
	must(t, err)
	dead := fmt.Sprintf("127.0.0.1:%d", ports[0])
	s := connect(t, fmt.Sprintf("redis://%s?addr=%s", dead, clusterAddrs[1]))
	if v, err := stub.GetAs[string](ctx, s, t.Name()+":0"); err != nil || v != clusterAddrs[len(clusterAddrs)-1] {
		t.Errorf("through the second seed: %q, %v", v, err)
	}

	_, err = stub.Connect(ctx, realRedis(t)+"?addr="+clusterAddrs[0])
	if err == nil || !strings.Contains(err.Error(), "not a Redis Cluster") {
		t.Errorf("addr= on a single redis-server: %v", err)
	}
	_, err = stub.Connect(ctx, "redis://"+clusterAddrs[0]+"/1")
	if err == nil || !strings.Contains(err.Error(), "only database 0") {
		t.Errorf("database 1 on a cluster: %v", err)
	}
}

// TestClusterProcs: REMOTED_URL pointing at a cluster is all a program
// changes: InitShare connects there, and NewProc children share it.
func TestClusterProcs(t *testing.T) {
	ctx := tctx(t)
	t.Setenv("REMOTED_URL", realCluster(t))
	s, err := stub.InitShare(ctx)
	must(t, err)
	defer s.Close()
	if !s.Cluster() {
		t.Fatal("InitShare on a cluster URL: Cluster() = false")
	}
	var procs []*stub.Proc
	for i := range 5 {
		p, err := stub.NewProc(ctx, s, setKey, [2]string{fmt.Sprintf("%s:%d", t.Name(), i), "from a child"})
		must(t, err)
		procs = append(procs, p)
	}
	for i, p := range procs {
		must(t, p.Wait())
		if v, err := stub.GetAs[string](ctx, s, fmt.Sprintf("%s:%d", t.Name(), i)); v != "from a child" {
			t.Errorf("child %d wrote %q, %v", i, v, err)
		}
	}
}
