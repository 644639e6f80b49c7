package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kworkbook/kworkbook/internal/cli"
	"github.com/kworkbook/kworkbook/internal/progress"
	"github.com/kworkbook/kworkbook/lessons"
)

// env isolates a test from the machine: its own state folder, no lessons
// folder or context from the environment, a kubeconfig of its own and no
// docker on PATH, so no command can reach a real cluster.
type env struct {
	state      string
	kubeconfig string
	catalog    *lessons.Catalog
}

func newEnv(t *testing.T, contexts ...string) *env {
	t.Helper()
	cat, err := lessons.LoadDefault("")
	if err != nil {
		t.Skipf("the embedded lessons have problems (see the lessons tests): %v", err)
	}
	e := &env{state: t.TempDir(), kubeconfig: writeKubeconfig(t, contexts...), catalog: cat}
	t.Setenv("KWORKBOOK_STATE_DIR", e.state)
	t.Setenv("KWORKBOOK_CONTEXT", "")
	t.Setenv("KWORKBOOK_LESSONS_DIR", "")
	t.Setenv("KUBECONFIG", e.kubeconfig)
	t.Setenv("NO_COLOR", "1")
	t.Setenv("PATH", t.TempDir())
	return e
}

// writeKubeconfig writes a kubeconfig whose contexts point at a port where
// nothing listens; the first context is the current one.
func writeKubeconfig(t *testing.T, contexts ...string) string {
	t.Helper()
	cfg := clientcmdapi.NewConfig()
	for i, c := range contexts {
		cfg.Clusters[c] = &clientcmdapi.Cluster{Server: "https://127.0.0.1:1"}
		cfg.AuthInfos[c] = &clientcmdapi.AuthInfo{Token: "t"}
		cfg.Contexts[c] = &clientcmdapi.Context{Cluster: c, AuthInfo: c}
		if i == 0 {
			cfg.CurrentContext = c
		}
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

type result struct {
	code        int
	out, errOut string
}

func run(t *testing.T, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Run(context.Background(), args, cli.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	return result{code, out.String(), errOut.String()}
}

func (r result) expect(t *testing.T, code int, facts ...string) {
	t.Helper()
	if r.code != code {
		t.Errorf("got exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.out, r.errOut)
	}
	for _, f := range facts {
		if !strings.Contains(r.out+r.errOut, f) {
			t.Errorf("got\nstdout:\n%s\nstderr:\n%s\nwant it to say %q", r.out, r.errOut, f)
		}
	}
}

func TestVersion(t *testing.T) {
	newEnv(t)
	run(t, "--version").expect(t, cli.ExitOK, "kworkbook", cli.Version())
	run(t, "version").expect(t, cli.ExitOK, "kworkbook "+cli.Version())
}

func TestList(t *testing.T) {
	e := newEnv(t)
	first := e.catalog.Lessons[0]
	err := progress.Open(e.state).Update(func(p *progress.Progress) error {
		p.Lesson(first.ID).Exercise(first.Spec.Exercises[0].ID).Passed = p.Lesson(first.ID).Started.AddDate(2026, 0, 0)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	r := run(t, "list")
	r.expect(t, cli.ExitOK, "LESSON", "PROGRESS", fmt.Sprintf("%d lessons", len(e.catalog.Lessons)))
	for _, l := range e.catalog.Lessons {
		if !strings.Contains(r.out, l.ID) || !strings.Contains(r.out, l.Title()) {
			t.Errorf("got\n%s\nwant %s (%s) listed", r.out, l.ID, l.Title())
		}
	}

	r = run(t, "list", "-o", "json")
	r.expect(t, cli.ExitOK)
	var states []struct {
		ID        string `json:"id"`
		Title     string `json:"title"`
		Exercises int    `json:"exercises"`
		Done      int    `json:"done"`
		State     string `json:"state"`
		Next      string `json:"next"`
	}
	if err := json.Unmarshal([]byte(r.out), &states); err != nil {
		t.Fatalf("got %v parsing\n%s\nwant JSON", err, r.out)
	}
	if len(states) != len(e.catalog.Lessons) {
		t.Fatalf("got %d lessons, want %d", len(states), len(e.catalog.Lessons))
	}
	s := states[0]
	if s.ID != first.ID || s.Done != 1 || s.Exercises != len(first.Spec.Exercises) {
		t.Errorf("got %+v, want %s with 1 of %d done", s, first.ID, len(first.Spec.Exercises))
	}
	if len(first.Spec.Exercises) > 1 && (s.State != "in progress" || s.Next != first.Spec.Exercises[1].ID) {
		t.Errorf("got state %q next %q, want in progress, next %s", s.State, s.Next, first.Spec.Exercises[1].ID)
	}
	for _, s := range states[1:] {
		if s.State != "not started" || s.Done != 0 {
			t.Errorf("got %+v, want not started", s)
		}
	}
}

func TestLessonsLintClean(t *testing.T) {
	e := newEnv(t)
	n := 0
	for _, l := range e.catalog.Lessons {
		n += len(l.Spec.Exercises)
	}
	run(t, "lessons", "lint").expect(t, cli.ExitOK, fmt.Sprintf("%d lessons, %d exercises: no problems", len(e.catalog.Lessons), n))
}

// brokenLessons writes a lesson folder with problems that have lines: an
// unknown field in lesson.yaml and a bad exercise block in README.md.
func brokenLessons(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"98-broken/README.md": "---\ntitle: Broken\ndocs: [https://kubernetes.io/docs/]\n---\n\n# Broken\n\n```exercise\nid: one\ntitle: One\nhint: [a, b]\n```\n",
		"98-broken/lesson.yaml": "namespaces: [kw-broken]\nexercises:\n  - id: one\n    checks:\n      - kind: Pod\n        nmae: web\n" +
			"    solution: {commands: [\"kubectl run web --image=nginx -n kw-broken\"]}\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var (
	problemLine    = regexp.MustCompile(`^[^\s:]+:\d+: \S`)
	editionSummary = regexp.MustCompile(`^[a-z]{2,3}: \d+/\d+ lessons, \d+/\d+ exercises, \d+/\d+ messages, \d+ stale$`)
)

func TestLessonsLintProblems(t *testing.T) {
	newEnv(t)
	dir := brokenLessons(t)
	for _, args := range [][]string{{"--lessons-dir", dir, "lessons", "lint"}, {"lessons", "lint", dir}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := run(t, args...)
			r.expect(t, cli.ExitFailed, "98-broken/lesson.yaml:6:", `unknown field "nmae"`, "98-broken/README.md:11:", `unknown field "hint"`,
				"98-broken/lesson.yaml:7:", `image "nginx"`)
			lines := strings.Split(strings.TrimSpace(r.out), "\n")
			problems := 0
			for _, l := range lines[:len(lines)-1] {
				switch {
				case problemLine.MatchString(l):
					problems++
				case editionSummary.MatchString(l):
				default:
					t.Errorf("got line %q, want FILE:LINE: message or a language's summary", l)
				}
			}
			if last := lines[len(lines)-1]; last != fmt.Sprintf("%d problems found", problems) {
				t.Errorf("got last line %q, want the count of problems", last)
			}
		})
	}
}

func TestLessonsLintNotAFolder(t *testing.T) {
	newEnv(t)
	run(t, "lessons", "lint", filepath.Join(t.TempDir(), "nope")).expect(t, cli.ExitProblem, "not a directory")
	run(t, "--lessons-dir", filepath.Join(t.TempDir(), "nope"), "list").expect(t, cli.ExitProblem, "not a directory")
}

// TestBrokenLessonsDirStopsCommands: lessons with problems stop every
// command with exit 2 (1 means an exercise is not done, or, for lint,
// that it found problems).
func TestBrokenLessonsDirStopsCommands(t *testing.T) {
	newEnv(t)
	dir := brokenLessons(t)
	for _, args := range [][]string{{"list"}, {"grade"}, {"grade", "98"}, {"check", "98"}, {"hint", "98"}, {"start", "98"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			run(t, append([]string{"--lessons-dir", dir}, args...)...).expect(t, cli.ExitProblem, "98-broken/lesson.yaml:6")
		})
	}
	run(t, "--lessons-dir", dir, "lessons", "lint").expect(t, cli.ExitFailed, "98-broken/lesson.yaml:6")
}

func TestUnknownLesson(t *testing.T) {
	e := newEnv(t)
	for _, args := range [][]string{{"start", "99"}, {"hint", "nope"}, {"check", "lesson-99"}, {"reset", "--yes", "99"}, {"solve", "99"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := run(t, args...)
			r.expect(t, cli.ExitProblem, e.catalog.IDs()...)
			if r.out != "" {
				t.Errorf("got stdout %q, want the error on stderr only", r.out)
			}
		})
	}
}

func TestUnknownExercise(t *testing.T) {
	e := newEnv(t)
	l := e.catalog.Lessons[0]
	run(t, "hint", l.ID, "no-such-exercise").expect(t, cli.ExitProblem, l.Spec.Exercises[0].ID)
}

func TestNoSandbox(t *testing.T) {
	e := newEnv(t, "prod")
	l := e.catalog.Lessons[0]
	// check never creates the sandbox: it says how to.
	run(t, "check", l.ID).expect(t, cli.ExitProblem, "kworkbook sandbox up", "--context prod")
	// start would create it, and needs Docker for that, which this test hides.
	r := run(t, "start", l.ID)
	r.expect(t, cli.ExitProblem, "Docker", "--context")
	if strings.Contains(r.errOut, "https://127.0.0.1:1") {
		t.Errorf("got %q, want the current context (prod) never contacted", r.errOut)
	}
	// No kubeconfig context at all.
	e2 := writeKubeconfig(t)
	run(t, "--kubeconfig", e2, "check", l.ID).expect(t, cli.ExitProblem, "kworkbook sandbox up")
}

func TestOtherClusterUnreachable(t *testing.T) {
	e := newEnv(t, "prod")
	r := run(t, "--context", "prod", "check", e.catalog.Lessons[0].ID)
	r.expect(t, cli.ExitProblem, "prod")
	run(t, "--context", "prd", "check", e.catalog.Lessons[0].ID).expect(t, cli.ExitProblem, `"prd"`, "prod")
	run(t, "--context", "prod", "sandbox", "up").expect(t, cli.ExitProblem, "prod")
	run(t, "--context", "prod", "sandbox", "down", "--yes").expect(t, cli.ExitProblem, "never deletes prod")
}

func TestBadUsage(t *testing.T) {
	newEnv(t)
	tests := [][]string{
		{"list", "--bogus"},
		{"list", "extra"},
		{"list", "-o", "yaml"},
		{"check", "--timeout", "soon"},
		{"hint"},
		{"start"},
		{"start", "02", "03"},
		{"--context"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			run(t, args...).expect(t, cli.ExitProblem)
		})
	}
	run(t, "frobnicate").expect(t, cli.ExitProblem, "frobnicate")
	r := run(t, "--bogus")
	r.expect(t, cli.ExitProblem, "see kworkbook --help")
	if strings.Contains(r.errOut, "kworkbook kworkbook") {
		t.Errorf("got %q, want the command named once", r.errOut)
	}
	run(t, "sandbox", "up", "--bogus").expect(t, cli.ExitProblem, "see kworkbook sandbox up --help")
}

// TestUnknownSubcommand: a typo after a command group is a usage error
// that lists the choices, not the group's help with exit 0.
func TestUnknownSubcommand(t *testing.T) {
	newEnv(t)
	for args, choices := range map[string][]string{
		"sandbox bogus":   {"up", "down", "status"},
		"lessons bogus":   {"lint", "prove"},
		"completion foo":  {"bash", "zsh", "fish", "powershell"},
		"sandbox stauts":  {"status"},
		"lessons lnit x":  {"lint"},
		"completion bash": nil,
	} {
		t.Run(args, func(t *testing.T) {
			r := run(t, strings.Fields(args)...)
			if choices == nil {
				r.expect(t, cli.ExitOK)
				return
			}
			r.expect(t, cli.ExitProblem, append([]string{"unknown command", strings.Fields(args)[1]}, choices...)...)
		})
	}
	// Alone, a group shows its help.
	run(t, "sandbox").expect(t, cli.ExitOK, "Available Commands")
}

func TestNegativeTimeoutAndWidth(t *testing.T) {
	e := newEnv(t)
	id := e.catalog.Lessons[0].ID
	run(t, "check", id, "--timeout", "-5s").expect(t, cli.ExitProblem, "--timeout -5s", "positive")
	run(t, "grade", "--timeout=-1m").expect(t, cli.ExitProblem, "--timeout")
	run(t, "class", "down", "--context", "any", "--wait", "-2m").expect(t, cli.ExitProblem, "--wait -2m0s", "positive")
	run(t, "start", id, "--width", "-3").expect(t, cli.ExitProblem, "--width -3")
	run(t, "start", id, "--width", "100000").expect(t, cli.ExitProblem, "--width 100000")
}

// TestConfirmWithoutTerminal: reset and sandbox down delete work; without
// a terminal to ask on (a script, a pipe) they refuse unless --yes is
// given, whatever is piped in.
func TestConfirmWithoutTerminal(t *testing.T) {
	e := newEnv(t, "prod")
	id := e.catalog.Lessons[0].ID
	for _, in := range []string{"", "n\n", "y\n"} {
		for _, args := range [][]string{{"reset", id}, {"sandbox", "down"}} {
			var out, errOut bytes.Buffer
			code := cli.Run(context.Background(), args, cli.IOStreams{In: strings.NewReader(in), Out: &out, ErrOut: &errOut})
			r := result{code, out.String(), errOut.String()}
			r.expect(t, cli.ExitProblem, "pass --yes")
		}
	}
	// With --yes, reset goes on to the cluster (none here: exit 2 for that reason).
	r := run(t, "reset", id, "--yes")
	r.expect(t, cli.ExitProblem, "kworkbook sandbox up")
	if strings.Contains(r.errOut, "pass --yes") {
		t.Errorf("got %q, want --yes to answer the question", r.errOut)
	}
	run(t, "--yes", "reset", id).expect(t, cli.ExitProblem, "kworkbook sandbox up")
}

// hintLesson is an exercise with a ladder of at least three hints.
func hintLesson(t *testing.T, e *env) (*lessons.Lesson, *lessons.Exercise) {
	t.Helper()
	for _, l := range e.catalog.Lessons {
		for _, x := range l.Spec.Exercises {
			if len(x.Hints) >= 3 {
				return l, x
			}
		}
	}
	t.Skip("no exercise with three hints")
	return nil, nil
}

func hintsShown(t *testing.T, r result, n int) int {
	t.Helper()
	shown := 0
	for i := 1; i <= n; i++ {
		if strings.Contains(r.out, fmt.Sprintf("(%d/%d)", i, n)) {
			if i != shown+1 {
				t.Errorf("got hint %d/%d without %d/%d, want the ladder in order", i, n, shown+1, n)
			}
			shown = i
		}
	}
	return shown
}

func TestHintLadder(t *testing.T) {
	e := newEnv(t)
	l, x := hintLesson(t, e)
	n := len(x.Hints)
	for step := 1; step <= n+1; step++ {
		r := run(t, "hint", l.ID, x.ID)
		r.expect(t, cli.ExitOK, x.Title[:min(20, len(x.Title))])
		want := min(step, n)
		if got := hintsShown(t, r, n); got != want {
			t.Errorf("call %d: got %d hints shown, want %d\n%s", step, got, want, r.out)
		}
		if more := strings.Contains(r.out, "Still stuck?"); more != (want < n) {
			t.Errorf("call %d: got the 'run again' line %v, want %v", step, more, want < n)
		}
	}
	p, err := progress.Open(e.state).Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Lessons[l.ID].Exercises[x.ID].Hints; got != n {
		t.Errorf("got %d hints recorded, want %d", got, n)
	}
}

func TestHintAll(t *testing.T) {
	e := newEnv(t)
	l, x := hintLesson(t, e)
	r := run(t, "hint", l.ID, x.ID, "--all")
	r.expect(t, cli.ExitOK)
	if got := hintsShown(t, r, len(x.Hints)); got != len(x.Hints) {
		t.Errorf("got %d hints, want all %d", got, len(x.Hints))
	}
	p, _ := progress.Open(e.state).Load()
	if got := p.Lessons[l.ID].Exercises[x.ID].Hints; got != len(x.Hints) {
		t.Errorf("got %d hints recorded, want %d", got, len(x.Hints))
	}
}

func TestHintPicksTheFirstExerciseNotDone(t *testing.T) {
	e := newEnv(t)
	var l *lessons.Lesson
	for _, c := range e.catalog.Lessons {
		if len(c.Spec.Exercises) >= 2 {
			l = c
			break
		}
	}
	if l == nil {
		t.Skip("no lesson with two exercises")
	}
	first, second := l.Spec.Exercises[0], l.Spec.Exercises[1]
	run(t, "hint", l.ID).expect(t, cli.ExitOK, fmt.Sprintf("exercise 1: %s", first.Title[:min(15, len(first.Title))]))
	err := progress.Open(e.state).Update(func(p *progress.Progress) error {
		p.Lesson(l.ID).Exercise(first.ID).Passed = p.Lesson(l.ID).Started.AddDate(2026, 0, 0)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	run(t, "hint", l.ID).expect(t, cli.ExitOK, fmt.Sprintf("exercise 2: %s", second.Title[:min(15, len(second.Title))]))
	// By number too.
	run(t, "hint", l.ID, "2").expect(t, cli.ExitOK, "exercise 2:")
}

func TestHintWithCorruptProgress(t *testing.T) {
	e := newEnv(t)
	l, x := hintLesson(t, e)
	if err := os.WriteFile(filepath.Join(e.state, "progress.json"), []byte("{garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, "hint", l.ID, x.ID)
	r.expect(t, cli.ExitOK, "warning:", "unreadable")
	if hintsShown(t, r, len(x.Hints)) != 1 {
		t.Errorf("got\n%s\nwant the first hint", r.out)
	}
}

func TestNewerProgressRefused(t *testing.T) {
	e := newEnv(t)
	if err := os.WriteFile(filepath.Join(e.state, "progress.json"), []byte(`{"version": 99}`), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, "list").expect(t, cli.ExitProblem, "newer kworkbook")
}
