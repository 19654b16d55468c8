// Package spawn is remoted's process mechanics: it re-executes the running
// binary in a role — the share server, or a registered child function —
// and gives the parent a handle on the result.
//
// Two things are built on it:
//
//   - StartServer: race-free auto-start of a share server. Starters
//     serialise on a lock file beside the socket; the server is this same
//     binary re-executed in a new session, detached from the starter, with
//     its stdio in a log file beside the socket; readiness (or the error
//     that stopped it) comes back over a pipe. Any number of processes may
//     call StartServer at once: exactly one server starts.
//   - Register and Start: a child process running a registered function,
//     its args sent over a pipe (so they may be large), its returned error
//     text sent back over another, its ctx cancelled on SIGTERM; the child
//     gets SIGTERM when the parent dies unless it was started Detached.
//
// Init must be the first line of main (and of TestMain in tests that start
// servers or children): in a process started in a role it runs that role
// and exits; otherwise it returns false at once. Start and StartServer
// refuse to run (ErrNotInitialized) in a process that has not called Init,
// because the re-executed binary would run main again instead of the role.
//
// Most programs use it through package stub (stub.InitShare, stub.Register,
// stub.NewProc), which also picks the default share's socket. Used
// directly, the program chooses the socket's path, in a directory of its
// own (StartServer creates a missing one with mode 0700):
//
//	func init() {
//		spawn.Register("greet", func(ctx context.Context, args []byte) error {
//			fmt.Printf("hello, %s\n", args)
//			return nil
//		})
//	}
//
//	func main() {
//		if spawn.Init() {
//			return // not reached: Init exits in a role
//		}
//		ctx := context.Background()
//		sock := filepath.Join(os.TempDir(), fmt.Sprintf("myapp-%d", os.Getuid()), "share.sock")
//		if err := spawn.StartServer(ctx, spawn.ServerOptions{Socket: sock}); err != nil {
//			log.Fatal(err)
//		}
//		p, err := spawn.Start(ctx, "greet", []byte("world"), spawn.StartOptions{})
//		if err != nil {
//			log.Fatal(err)
//		}
//		if err := p.Wait(); err != nil {
//			var ee *spawn.ExitError
//			if errors.As(err, &ee) {
//				log.Fatalf("child %d failed: %s", ee.Pid, ee.Text)
//			}
//			log.Fatal(err)
//		}
//	}
//
// The server then answers on sock to any Redis client (redis-cli -s sock)
// and exits once it has had no client for ServerOptions.IdleExit. See
// the examples for both halves run as tests.
//
// spawn works on Linux; parent-death signalling (Pdeathsig) is Linux-only.
package spawn
