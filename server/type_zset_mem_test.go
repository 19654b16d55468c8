package server

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"
)

func TestZsetMemProbe(t *testing.T) {
	if os.Getenv("ZSET_MEM") == "" {
		t.Skip()
	}
	var lim encodingLimits
	lim.init()
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	z := newZset()
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 1000000; i++ {
		z.set(fmt.Sprintf("member:%d", i), r.Float64()*1e6, &lim)
	}
	runtime.GC()
	runtime.ReadMemStats(&m1)
	t.Logf("live %d bytes, %.1f per member; memSize %d", m1.HeapAlloc-m0.HeapAlloc, float64(m1.HeapAlloc-m0.HeapAlloc)/1e6, z.memSize())
	runtime.KeepAlive(z)
}
