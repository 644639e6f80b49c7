package progress_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kworkbook/kworkbook/internal/progress"
)

func TestRoundTrip(t *testing.T) {
	s := progress.Open(t.TempDir())
	passed := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	err := s.Update(func(p *progress.Progress) error {
		l := p.Lesson("lesson-02")
		l.Started = passed.Add(-time.Hour)
		l.Exercise("run-pod").Passed = passed
		l.Exercise("expose").Hints = 2
		return nil
	})
	if err != nil {
		t.Fatalf("got %v, want the update saved", err)
	}
	p, err := s.Load()
	if err != nil {
		t.Fatalf("got %v, want progress", err)
	}
	if p.Version != progress.Version {
		t.Errorf("got version %d, want %d", p.Version, progress.Version)
	}
	if !p.Done("lesson-02", "run-pod") || p.Done("lesson-02", "expose") || p.Done("lesson-03", "run-pod") {
		t.Errorf("got done %v/%v/%v, want only lesson-02 run-pod done",
			p.Done("lesson-02", "run-pod"), p.Done("lesson-02", "expose"), p.Done("lesson-03", "run-pod"))
	}
	l := p.Lessons["lesson-02"]
	if !l.Exercises["run-pod"].Passed.Equal(passed) || l.Exercises["expose"].Hints != 2 || !l.Started.Equal(passed.Add(-time.Hour)) {
		t.Errorf("got %+v, want the times and hint count written", l)
	}
}

func TestLoadWithoutFile(t *testing.T) {
	s := progress.Open(filepath.Join(t.TempDir(), "not", "yet"))
	p, err := s.Load()
	if err != nil {
		t.Fatalf("got %v, want empty progress", err)
	}
	if p.Version != progress.Version || len(p.Lessons) != 0 {
		t.Errorf("got %+v, want empty progress of the current version", p)
	}
	if _, err := os.Stat(s.Path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v, want Load to write nothing", err)
	}
}

func TestUpdateErrorWritesNothing(t *testing.T) {
	s := progress.Open(t.TempDir())
	boom := errors.New("boom")
	if err := s.Update(func(p *progress.Progress) error {
		p.Lesson("lesson-02").Exercise("x").Hints = 1
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("got %v, want the callback's error", err)
	}
	if _, err := os.Stat(s.Path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v, want no file after a failed update", err)
	}
}

// TestAtomicWrite: readers never see a half-written file, and no temporary
// file is left behind.
func TestAtomicWrite(t *testing.T) {
	dir := t.TempDir()
	s := progress.Open(dir)
	// A large record makes a torn write likely to be seen if writes were not atomic.
	big := strings.Repeat("x", 64<<10)
	var stop atomic.Bool
	var wg sync.WaitGroup
	var reads, torn atomic.Int32
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			raw, err := os.ReadFile(s.Path)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			reads.Add(1)
			var p progress.Progress
			if err != nil || json.Unmarshal(raw, &p) != nil {
				torn.Add(1)
			}
		}
	}()
	for i := 0; i < 50; i++ {
		err := s.Update(func(p *progress.Progress) error {
			p.Lesson("lesson-02").Exercise(strconv.Itoa(i)).Hints = i
			p.Lesson("big").Exercise(big).Hints = i
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	if torn.Load() > 0 {
		t.Errorf("got %d of %d reads seeing a partial file, want none", torn.Load(), reads.Load())
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "progress.json" && e.Name() != "progress.json.lock" {
			t.Errorf("got %s left in the folder, want only progress.json and its lock", e.Name())
		}
	}
}

func TestCorruptFileMovedAside(t *testing.T) {
	for _, content := range []string{"{not json", "", `{"version": 1, "lessons": []}`, "\x00\x01"} {
		t.Run(fmt.Sprintf("%q", content), func(t *testing.T) {
			dir := t.TempDir()
			s := progress.Open(dir)
			if err := os.WriteFile(s.Path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			p, err := s.Load()
			if !errors.Is(err, progress.ErrCorrupt) {
				t.Fatalf("got %v, want ErrCorrupt", err)
			}
			if p == nil || len(p.Lessons) != 0 || p.Version != progress.Version {
				t.Errorf("got %+v, want fresh progress to go on with", p)
			}
			aside, _ := filepath.Glob(s.Path + ".corrupt-*")
			if len(aside) != 1 {
				t.Fatalf("got files aside %v, want one", aside)
			}
			if !strings.Contains(err.Error(), aside[0]) {
				t.Errorf("got %q, want it to say where the file went (%s)", err, aside[0])
			}
			kept, err := os.ReadFile(aside[0])
			if err != nil || string(kept) != content {
				t.Errorf("got %q (%v) aside, want the original bytes %q", kept, err, content)
			}
			if _, err := os.Stat(s.Path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("got %v, want the corrupt file gone from its place", err)
			}
			// The next update starts afresh and is not corrupt.
			if err := s.Update(func(p *progress.Progress) error { p.Lesson("lesson-02"); return nil }); err != nil {
				t.Fatalf("got %v, want an update to work after", err)
			}
			if _, err := s.Load(); err != nil {
				t.Errorf("got %v, want clean progress", err)
			}
		})
	}
}

func TestCorruptFilesKeptApart(t *testing.T) {
	s := progress.Open(t.TempDir())
	for _, content := range []string{"first garbage", "second garbage", "third garbage"} {
		if err := os.WriteFile(s.Path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Load(); !errors.Is(err, progress.ErrCorrupt) {
			t.Fatalf("got %v, want ErrCorrupt", err)
		}
	}
	aside, _ := filepath.Glob(s.Path + ".corrupt-*")
	var kept []string
	for _, f := range aside {
		b, _ := os.ReadFile(f)
		kept = append(kept, string(b))
	}
	sort.Strings(kept)
	if got, want := strings.Join(kept, ", "), "first garbage, second garbage, third garbage"; got != want {
		t.Errorf("got %q kept aside, want every corrupt file: %q", got, want)
	}
}

func TestUpdateOnCorruptFile(t *testing.T) {
	s := progress.Open(t.TempDir())
	if err := os.WriteFile(s.Path, []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := s.Update(func(p *progress.Progress) error {
		p.Lesson("lesson-02").Exercise("x").Hints = 1
		return nil
	})
	if err != nil {
		t.Fatalf("got %v, want the update applied to fresh progress", err)
	}
	p, err := s.Load()
	if err != nil || p.Lessons["lesson-02"].Exercises["x"].Hints != 1 {
		t.Errorf("got %+v, %v; want the update saved", p, err)
	}
	if aside, _ := filepath.Glob(s.Path + ".corrupt-*"); len(aside) != 1 {
		t.Errorf("got %v aside, want the garbage kept", aside)
	}
}

func TestNewerVersionRefused(t *testing.T) {
	s := progress.Open(t.TempDir())
	content := []byte(`{"version": 99, "lessons": {"lesson-02": {"future": true}}}`)
	if err := os.WriteFile(s.Path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(); !errors.Is(err, progress.ErrNewer) {
		t.Errorf("Load: got %v, want ErrNewer", err)
	}
	called := false
	err := s.Update(func(*progress.Progress) error { called = true; return nil })
	if !errors.Is(err, progress.ErrNewer) || called {
		t.Errorf("Update: got %v (callback run: %v), want ErrNewer and nothing done", err, called)
	}
	if got, err := os.ReadFile(s.Path); err != nil || string(got) != string(content) {
		t.Errorf("got %q, want the file left untouched", got)
	}
	if aside, _ := filepath.Glob(s.Path + ".corrupt-*"); len(aside) != 0 {
		t.Errorf("got %v, want nothing moved aside", aside)
	}
}

func TestVersion0Migrated(t *testing.T) {
	s := progress.Open(t.TempDir())
	v0 := `{"lessons": {"lesson-02": {"exercises": {"run-pod": {"passed": "2025-01-02T03:04:05Z", "hints": 1}}}}}`
	if err := os.WriteFile(s.Path, []byte(v0), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := s.Load()
	if err != nil {
		t.Fatalf("got %v, want version 0 read", err)
	}
	if p.Version != progress.Version || !p.Done("lesson-02", "run-pod") || p.Lessons["lesson-02"].Exercises["run-pod"].Hints != 1 {
		t.Errorf("got %+v, want the version 0 record at version %d", p, progress.Version)
	}
	if err := s.Update(func(*progress.Progress) error { return nil }); err != nil {
		t.Fatal(err)
	}
	var head struct{ Version int }
	raw, _ := os.ReadFile(s.Path)
	if err := json.Unmarshal(raw, &head); err != nil || head.Version != progress.Version {
		t.Errorf("got %s on disk, want it rewritten at version %d", raw, progress.Version)
	}
}

func TestProgressAccessors(t *testing.T) {
	var p progress.Progress
	if p.Done("a", "b") {
		t.Error("got done on empty progress, want not")
	}
	e := p.Lesson("a").Exercise("b")
	if p.Lesson("a").Exercise("b") != e {
		t.Error("got a new record on the second call, want the same one")
	}
	e.Passed = time.Now()
	if !p.Done("a", "b") {
		t.Error("got not done, want done")
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv("KWORKBOOK_STATE_DIR", "/tmp/kw-state")
	if got, err := progress.DefaultDir(); err != nil || got != "/tmp/kw-state" {
		t.Errorf("got %s, %v; want KWORKBOOK_STATE_DIR", got, err)
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		return
	}
	t.Setenv("KWORKBOOK_STATE_DIR", "")
	t.Setenv("XDG_STATE_HOME", "/tmp/xdg")
	if got, err := progress.DefaultDir(); err != nil || got != filepath.Join("/tmp/xdg", "kworkbook") {
		t.Errorf("got %s, %v; want $XDG_STATE_HOME/kworkbook", got, err)
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "/tmp/home")
	if got, err := progress.DefaultDir(); err != nil || got != filepath.Join("/tmp/home", ".local", "state", "kworkbook") {
		t.Errorf("got %s, %v; want ~/.local/state/kworkbook", got, err)
	}
}

// Concurrency: two kworkbook processes (check in one terminal, hint in
// another) updating at once must lose nothing.

const (
	helperEnv   = "KWORKBOOK_PROGRESS_HELPER"
	helperDir   = "KWORKBOOK_PROGRESS_HELPER_DIR"
	helperCount = 20
)

// TestHelperProcess is not a test: run by TestConcurrentProcesses, it adds
// helperCount exercises named after its worker id, one update each.
func TestHelperProcess(t *testing.T) {
	id := os.Getenv(helperEnv)
	if id == "" {
		t.Skip("only run as a helper process")
	}
	s := progress.Open(os.Getenv(helperDir))
	for i := 0; i < helperCount; i++ {
		err := s.Update(func(p *progress.Progress) error {
			p.Lesson("lesson-02").Exercise(fmt.Sprintf("w%s-%d", id, i)).Hints = i + 1
			return nil
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
	}
}

func TestConcurrentProcesses(t *testing.T) {
	const workers = 6
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
			cmd.Env = append(os.Environ(), helperEnv+"="+strconv.Itoa(w), helperDir+"="+dir)
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[w] = fmt.Errorf("worker %d: %v: %s", w, err, out)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	assertAll(t, progress.Open(dir), workers)
}

func TestConcurrentStores(t *testing.T) {
	const workers = 8
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make(chan error, workers*helperCount)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := progress.Open(dir) // a Store of its own, as another process would have
			for i := 0; i < helperCount; i++ {
				errs <- s.Update(func(p *progress.Progress) error {
					p.Lesson("lesson-02").Exercise(fmt.Sprintf("w%d-%d", w, i)).Hints = i + 1
					return nil
				})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	assertAll(t, progress.Open(dir), workers)
}

func assertAll(t *testing.T, s *progress.Store, workers int) {
	t.Helper()
	p, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	got := p.Lesson("lesson-02").Exercises
	if len(got) != workers*helperCount {
		t.Errorf("got %d exercises, want %d: updates were lost", len(got), workers*helperCount)
	}
	for w := 0; w < workers; w++ {
		for i := 0; i < helperCount; i++ {
			if e := got[fmt.Sprintf("w%d-%d", w, i)]; e == nil || e.Hints != i+1 {
				t.Errorf("got %+v for worker %d update %d, want hints %d", e, w, i, i+1)
			}
		}
	}
}

// TestNullRecords: records written as null are dropped, not dereferenced.
func TestNullRecords(t *testing.T) {
	for _, raw := range []string{
		`{"version": 1, "lessons": {"lesson-05": null}}`,
		`{"version": 1, "lessons": {"lesson-05": {"exercises": {"scale": null, "create": {"hints": -3}}}}}`,
		`{"version": 1, "lessons": null}`,
		`{"lessons": {"lesson-05": {"exercises": null}}}`,
	} {
		p, err := progress.Decode([]byte(raw))
		if err != nil {
			t.Fatalf("%s: got %v, want it read", raw, err)
		}
		if p.Done("lesson-05", "scale") || p.Done("lesson-05", "create") {
			t.Errorf("%s: got an exercise done, want none", raw)
		}
		pl := p.Lesson("lesson-05")
		pl.Exercise("scale").Hints++
		if e := pl.Exercise("create"); e.Hints < 0 {
			t.Errorf("%s: got %d hints, want a count that is not negative", raw, e.Hints)
		}
	}
}

func TestHugeProgressFile(t *testing.T) {
	dir := t.TempDir()
	s := progress.Open(dir)
	big := append([]byte(`{"version": 1, "pad": "`), make([]byte, progress.MaxSize)...)
	for i := range big[23:] {
		big[23+i] = 'x'
	}
	if err := os.WriteFile(s.Path, append(big, `"}`...), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := s.Load()
	if !errors.Is(err, progress.ErrCorrupt) || p == nil {
		t.Fatalf("got %v, want ErrCorrupt and fresh progress", err)
	}
}

// FuzzDecode: whatever the bytes of the progress file, decoding returns
// progress or an error, and the progress is safe to use.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"version": 1, "lessons": {"lesson-05": {"started": "2026-01-02T03:04:05Z", "exercises": {"scale": {"passed": "2026-01-02T03:04:05Z", "hints": 2}}}}}`))
	f.Add([]byte(`{"version": 1, "lessons": {"lesson-05": null}}`))
	f.Add([]byte(`{"version": 99}`))
	f.Add([]byte(`{"version": -1}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"lessons": {"": {"exercises": {"": null}}}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := progress.Decode(raw)
		if err != nil {
			if !errors.Is(err, progress.ErrCorrupt) && !errors.Is(err, progress.ErrNewer) {
				t.Fatalf("got %v, want ErrCorrupt or ErrNewer", err)
			}
			return
		}
		for id, l := range p.Lessons {
			for eid := range l.Exercises {
				_ = p.Done(id, eid)
			}
			l.Exercise("x").Hints++
		}
		_ = p.Done("lesson-05", "scale")
	})
}

func TestCheckedDoneStaysDone(t *testing.T) {
	var l progress.Lesson
	first := time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC)
	l.Checked(first, "a")
	later := first.Add(time.Hour)
	l.Checked(later, "b") // a failed this time
	if got := l.Exercises["a"].Passed; !got.Equal(first) {
		t.Errorf("a passed at %v, want it kept at %v", got, first)
	}
	if got := l.Exercises["b"].Passed; !got.Equal(later) {
		t.Errorf("b passed at %v, want %v", got, later)
	}
	if !l.LastChecked.Equal(later) {
		t.Errorf("last checked %v, want %v", l.LastChecked, later)
	}
}

func TestStanding(t *testing.T) {
	p := &progress.Progress{}
	ids := []string{"a", "b", "c"}
	if s := p.Standing("l", ids); s.State != "not_started" || s.Next != "a" || s.Done != 0 || s.Total != 3 {
		t.Errorf("fresh: got %+v", s)
	}
	p.Lesson("l").Checked(time.Now(), "b")
	if s := p.Standing("l", ids); s.State != "in_progress" || s.Next != "a" || s.Done != 1 {
		t.Errorf("b done: got %+v", s)
	}
	p.Lesson("l").Checked(time.Now(), "a", "c")
	if s := p.Standing("l", ids); s.State != "done" || s.Next != "" || s.Done != 3 {
		t.Errorf("all done: got %+v", s)
	}
}
