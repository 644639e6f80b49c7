package e2e

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestWatchFlow: start → check fails → the exercise done with kubectl →
// watch shows it pass → Ctrl-C ends watch cleanly → list shows progress.
func TestWatchFlow(t *testing.T) {
	state := []string{"KWORKBOOK_STATE_DIR=" + t.TempDir()}
	expect(t, kworkbook(t, state, "reset", "02", "--yes"), 0)
	expect(t, kworkbook(t, state, "start", "02", "--no-pager"), 0)
	expect(t, kworkbook(t, state, "check", "02", "run-pod"), 1)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, suite.binary, "watch", "02")
	cmd.Env = append(os.Environ(), state...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	waitFor := func(what string) {
		t.Helper()
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("watch ended before showing %q", what)
				}
				t.Logf("watch: %s", l)
				if strings.Contains(l, what) {
					return
				}
			case <-ctx.Done():
				t.Fatalf("watch did not show %q", what)
			}
		}
	}
	waitFor("✗ lesson-02 run-pod")
	kubectl(t, "run", "web", "--image=nginx:1.27", "-n", "kw-first")
	waitFor("✓ lesson-02 run-pod")

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	waitFor("stopped watching")
	if err := cmd.Wait(); err != nil {
		t.Errorf("watch did not exit cleanly on Ctrl-C: %v", err)
	}
	expect(t, kworkbook(t, state, "list"), 0, "1/4 in progress")
}
