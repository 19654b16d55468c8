package remoted_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runExample builds and runs ./examples/<name> with a private
// XDG_RUNTIME_DIR and no REMOTED_URL, as on a fresh machine, and returns
// its output and that runtime dir.
func runExample(t *testing.T, name string, args ...string) (string, string) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	if out, err := exec.Command("go", "build", "-o", bin, "./examples/"+name).CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", name, err, out)
	}
	runtimeDir := shortTempDir(t)
	cmd := exec.Command(bin, args...)
	env := []string{"XDG_RUNTIME_DIR=" + runtimeDir}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "REMOTED_URL=") && !strings.HasPrefix(kv, "XDG_RUNTIME_DIR=") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
	return string(out), runtimeDir
}

// TestExampleHello runs the seed's hello world: it must start the default
// share by itself, print the seed's line, and leave a server that exits
// about five seconds later, removing its socket.
func TestExampleHello(t *testing.T) {
	out, runtimeDir := runExample(t, "hello")
	if out != "The other process got 'Hello World' as the answer\n" {
		t.Errorf("output %q", out)
	}
	sock := filepath.Join(runtimeDir, "remoted", "default.sock")
	start := time.Now()
	for {
		if _, err := os.Lstat(sock); os.IsNotExist(err) {
			break
		}
		if time.Since(start) > 30*time.Second {
			t.Fatal("the auto-started server is still there after 30 s")
		}
		time.Sleep(50 * time.Millisecond) // polling for the socket to go
	}
	if log, err := os.ReadFile(sock + ".log"); err != nil || !strings.Contains(string(log), "no client for the idle period") {
		t.Errorf("server log does not show an idle exit: %v\n%s", err, log)
	}
}

func TestExampleWorkers(t *testing.T) {
	out, _ := runExample(t, "workers", "-n", "4", "-jobs", "100")
	if out != "4 workers did 100 jobs; the squares add up to 338350\n" {
		t.Errorf("output %q", out)
	}
}
