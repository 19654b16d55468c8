//go:build !linux

package spawn

import "os/exec"

// startCmd starts cmd. Outside Linux there is no parent-death signal: a
// child outlives a parent that dies without cancelling it.
func startCmd(cmd *exec.Cmd, dieWithParent bool) error {
	return cmd.Start()
}
