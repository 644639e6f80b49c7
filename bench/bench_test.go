// Package bench measures kworkbook against DESIGN.md's budgets on a real
// cluster (kworkbook's own). Like the e2e tier it runs only with
// KWORKBOOK_E2E=1:
//
//	KWORKBOOK_E2E=1 go test ./bench/ -run '^$' -bench . -benchtime 5x
package bench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// kworkbookBinary builds the binary once, as a learner would run it.
func kworkbookBinary(b *testing.B) string {
	b.Helper()
	if os.Getenv("KWORKBOOK_E2E") != "1" {
		b.Skip("set KWORKBOOK_E2E=1 to benchmark against a real cluster")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kworkbook-bench-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "kworkbook")
		out, err := exec.Command("go", "build", "-o", binary, "../cmd/kworkbook").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("%v: %s", err, out)
		}
	})
	if buildErr != nil {
		b.Fatal(buildErr)
	}
	return binary
}

// run runs a command and fails the benchmark unless it exits with one of codes.
func run(b *testing.B, env []string, name string, args []string, codes ...int) string {
	b.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		b.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	if len(codes) == 0 {
		codes = []int{0}
	}
	for _, c := range codes {
		if code == c {
			return string(out)
		}
	}
	b.Fatalf("%s %s: exit %d\n%s", name, strings.Join(args, " "), code, out)
	return ""
}

func stateEnv(b *testing.B) []string {
	return []string{"KWORKBOOK_STATE_DIR=" + b.TempDir()}
}

// BenchmarkCheckLesson05 times `kworkbook check lesson-05` on a warm cluster
// in two states, the lesson solved and the lesson reset and left untouched
// (work not done: every check fails, and must fail at once), against the
// same checks written as a shell script of kubectl calls (what a Killercoda
// verify.sh does), and reports both side by side. Budget: 0.3 s or less,
// and at least 10 times faster than the script, in both states.
func BenchmarkCheckLesson05(b *testing.B) {
	bin := kworkbookBinary(b)
	env := stateEnv(b)
	script, err := filepath.Abs("verify-lesson-05.sh")
	if err != nil {
		b.Fatal(err)
	}
	for _, state := range []struct {
		name, code string
		prepare    func()
	}{
		{"solved", "0", func() {
			run(b, env, bin, []string{"reset", "05", "--yes"})
			run(b, env, bin, []string{"solve", "05"})
			run(b, env, bin, []string{"check", "05", "--timeout", "2m"}) // settled and passing: warm
			run(b, nil, "bash", []string{script})                        // the script agrees the lesson is solved
		}},
		{"untouched", "1", func() {
			run(b, env, bin, []string{"reset", "05", "--yes"})
			// Settled: nothing in the lesson's namespace changed a moment ago.
			time.Sleep(6 * time.Second)
			run(b, env, bin, []string{"check", "05"}, 1)
			run(b, nil, "bash", []string{script}, 1) // the script agrees nothing is done
		}},
	} {
		b.Run(state.name, func(b *testing.B) {
			b.StopTimer()
			state.prepare()
			codes := []int{0}
			if state.code == "1" {
				codes = []int{1}
			}
			var kw, sh time.Duration
			b.StartTimer()
			for i := 0; i < b.N; i++ {
				t := time.Now()
				run(b, env, bin, []string{"check", "05"}, codes...)
				kw += time.Since(t)
				t = time.Now()
				run(b, nil, "bash", []string{script}, codes...)
				sh += time.Since(t)
			}
			b.StopTimer()
			n := float64(b.N)
			b.ReportMetric(kw.Seconds()/n, "kworkbook-s/op")
			b.ReportMetric(sh.Seconds()/n, "kubectl-script-s/op")
			b.ReportMetric(sh.Seconds()/kw.Seconds(), "script/kworkbook")
			b.Logf("check lesson-05 (%s): kworkbook %.3fs, kubectl script %.3fs (%.1fx)", state.name, kw.Seconds()/n, sh.Seconds()/n, sh.Seconds()/kw.Seconds())
		})
	}
}

// BenchmarkStart times `kworkbook start` with the cluster up and the lesson
// already set up: the lesson on screen (budget: under a second).
func BenchmarkStart(b *testing.B) {
	bin := kworkbookBinary(b)
	env := stateEnv(b)
	run(b, env, bin, []string{"setup", "05"})
	b.ResetTimer()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		t := time.Now()
		out := run(b, env, bin, []string{"start", "05", "--no-pager"})
		total += time.Since(t)
		if !strings.Contains(out, "Deployments") {
			b.Fatalf("start did not show the lesson:\n%s", out)
		}
	}
	b.StopTimer()
	b.ReportMetric(total.Seconds()/float64(b.N), "start-s/op")
	b.Logf("start lesson-05 (cluster up): %.3fs", total.Seconds()/float64(b.N))
}

// BenchmarkWatchReaction times, from the moment kubectl changes the cluster,
// until `kworkbook watch` prints the new verdict. Each iteration makes an
// exercise pass (create a ConfigMap) and fail again (delete it).
func BenchmarkWatchReaction(b *testing.B) {
	bin := kworkbookBinary(b)
	env := stateEnv(b)
	run(b, env, bin, []string{"reset", "02", "--yes"})
	run(b, env, bin, []string{"solve", "02", "run-pod"})
	ip := strings.TrimSpace(run(b, nil, "kubectl", []string{"--context", "kind-kworkbook", "get", "pod", "web", "-n", "kw-first", "-o", "jsonpath={.status.podIP}"}))

	lines := startLong(b, env, bin, "watch", "02")
	waitLine(b, lines, "✗ lesson-02 find-ip")

	// The change is made when kubectl returns (kubectl's own start-up is
	// not kworkbook's reaction time).
	kubectl := func(args ...string) time.Time {
		run(b, nil, "kubectl", append([]string{"--context", "kind-kworkbook", "-n", "kw-first"}, args...))
		return time.Now()
	}
	var total time.Duration
	var worst time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := kubectl("create", "configmap", "answers", "--from-literal=podIP="+ip)
		d := waitLine(b, lines, "✓ lesson-02 find-ip").Sub(t)
		total += d
		worst = max(worst, d)
		t = kubectl("delete", "configmap", "answers")
		d = waitLine(b, lines, "✗ lesson-02 find-ip").Sub(t)
		total += d
		worst = max(worst, d)
	}
	b.StopTimer()
	avg := total.Seconds() / float64(2*b.N)
	b.ReportMetric(avg, "reaction-s/change")
	b.ReportMetric(worst.Seconds(), "worst-s")
	b.Logf("watch reaction: %.3fs on average, %.3fs at worst, over %d changes (budget: 1s)", avg, worst.Seconds(), 2*b.N)
}

// BenchmarkGradeCourse times grading the whole course on the existing
// cluster: for every lesson, setup, the reference solution, and all checks.
func BenchmarkGradeCourse(b *testing.B) {
	bin := kworkbookBinary(b)
	env := stateEnv(b)
	ids := lessonIDs(b, bin, env)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		for _, id := range ids {
			run(b, env, bin, []string{"reset", id, "--yes"})
			run(b, env, bin, []string{"solve", id})
		}
		solved := time.Since(start)
		out := run(b, env, bin, append([]string{"grade", "-o", "text", "--timeout", "2m"}, ids...))
		if !strings.Contains(out, "100%") {
			b.Fatalf("the solved course does not grade 100%%:\n%s", out)
		}
		b.Logf("whole course (%d lessons): setup + solutions %.1fs, grading %.1fs, total %.1fs",
			len(ids), solved.Seconds(), time.Since(start).Seconds()-solved.Seconds(), time.Since(start).Seconds())
		b.ReportMetric(time.Since(start).Seconds(), "course-s")
	}
	b.StopTimer()
	for _, id := range ids {
		run(b, env, bin, []string{"reset", id, "--yes"})
	}
}

func lessonIDs(b *testing.B, bin string, env []string) []string {
	cmd := exec.Command(bin, "list", "-o", "json")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		b.Fatal(err)
	}
	var list []struct{ ID string }
	if err := json.Unmarshal(out, &list); err != nil {
		b.Fatal(err)
	}
	var ids []string
	for _, l := range list {
		ids = append(ids, l.ID)
	}
	if len(ids) == 0 {
		b.Fatalf("no lessons listed:\n%s", out)
	}
	return ids
}

type stampedLine struct {
	text string
	at   time.Time
}

// startLong starts a kworkbook command that runs until stopped (watch,
// serve) and returns its output lines; the end of the benchmark stops it
// with Ctrl-C (SIGINT) and waits for it.
func startLong(b *testing.B, env []string, bin string, args ...string) <-chan stampedLine {
	b.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Signal(syscall.SIGINT); _ = cmd.Wait() })
	return lineReader(out)
}

func lineReader(r io.Reader) <-chan stampedLine {
	ch := make(chan stampedLine, 64)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			ch <- stampedLine{sc.Text(), time.Now()}
		}
		close(ch)
	}()
	return ch
}

func waitLine(b *testing.B, lines <-chan stampedLine, want string) time.Time {
	b.Helper()
	timeout := time.After(2 * time.Minute)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				b.Fatalf("watch ended before printing %q", want)
			}
			if strings.Contains(l.text, want) {
				return l.at
			}
		case <-timeout:
			b.Fatalf("watch did not print %q within 2 minutes", want)
		}
	}
}
