package spawn

import "os"

// setProcName sets the process's name, the comm that plain ps and top
// show, to name (the kernel keeps 15 bytes). It writes /proc/self/comm,
// which names the whole process, whichever thread writes it; it is best
// effort.
func setProcName(name string) {
	os.WriteFile("/proc/self/comm", []byte(name), 0)
}
