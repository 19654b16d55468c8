//go:build !linux

package spawn

// setProcName does nothing where there is no /proc/self/comm: ps shows
// the argv[0] the server was started with.
func setProcName(string) {}
