package spawn

import (
	"os/exec"
	"runtime"
	"sync"
	"syscall"
)

// Linux delivers a child's Pdeathsig when the thread that forked it exits,
// not when the process does, and the Go runtime ends a thread when a
// goroutine locked to it returns. So children that must die with the
// parent are forked from one goroutine that locks its thread and never
// returns: that thread lives exactly as long as the process.
var forker struct {
	once sync.Once
	reqs chan func()
}

// startCmd starts cmd; with dieWithParent, the child gets SIGTERM when
// this process dies.
func startCmd(cmd *exec.Cmd, dieWithParent bool) error {
	if !dieWithParent {
		return cmd.Start()
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGTERM
	forker.once.Do(func() {
		forker.reqs = make(chan func())
		go forkLoop(forker.reqs)
	})
	errc := make(chan error, 1)
	forker.reqs <- func() { errc <- cmd.Start() }
	return <-errc
}

func forkLoop(reqs <-chan func()) {
	runtime.LockOSThread() // never unlocked: the thread must not exit
	for fn := range reqs {
		fn()
	}
}
