// Package prove proves a lesson in both directions on a real cluster, the
// way rustlings proves its exercises: after setup every exercise fails; each
// near miss fails (at the check it names); each reference solution passes;
// after reset every exercise fails again. Lesson authors run it with
// `kworkbook lessons prove`, and the end-to-end tier runs it for every lesson.
package prove

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kworkbook/kworkbook/checker"
	"github.com/kworkbook/kworkbook/lessons"
	"github.com/kworkbook/kworkbook/sandbox"
)

// ErrUnproven is wrapped when a lesson does not prove out.
var ErrUnproven = errors.New("the lesson does not prove out")

// Step is one observation.
type Step struct {
	Lesson   string
	Exercise string
	// Phase: "setup", "before", "near miss", "alternative", "solution", "reset", "after reset", "teardown".
	Phase string
	// Detail names the near miss.
	Detail string
	// OK: what was observed is what had to be.
	OK bool
	// Verdict is what the checker said.
	Verdict  string
	Duration time.Duration
}

func (s Step) String() string {
	mark := "ok  "
	if !s.OK {
		mark = "FAIL"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", mark, s.Lesson)
	if s.Exercise != "" {
		fmt.Fprintf(&b, " %s", s.Exercise)
	}
	fmt.Fprintf(&b, " [%s]", s.Phase)
	if s.Detail != "" {
		fmt.Fprintf(&b, " %s", s.Detail)
	}
	if s.Verdict != "" {
		fmt.Fprintf(&b, " → %s", firstLine(s.Verdict))
	}
	fmt.Fprintf(&b, " (%.1fs)", s.Duration.Seconds())
	return b.String()
}

// Result is a lesson's proof.
type Result struct {
	Lesson       string
	Steps        []Step
	NearMisses   int
	Alternatives int
	Duration     time.Duration
}

// Failed lists the steps that did not hold.
func (r Result) Failed() []Step {
	var out []Step
	for _, s := range r.Steps {
		if !s.OK {
			out = append(out, s)
		}
	}
	return out
}

// Prover runs proofs.
type Prover struct {
	Env     *sandbox.Env
	Checker *checker.Checker
	// Report, when set, receives each step as it happens.
	Report func(Step)
	// Teardown removes the lesson at the end, so the next lesson starts on
	// a tidy cluster; otherwise the lesson is left at its start.
	Teardown bool
	// Shared, when set, is held by a near miss or an alternative that
	// writes to the namespace default, from its first step to the end of
	// its cleanup: lessons proved side by side share that namespace, and
	// two of them may each make a pod named web there.
	Shared sync.Locker
}

// Lesson proves one lesson. The error reports steps that could not be
// applied, or wraps ErrUnproven when an observation did not hold.
func (p *Prover) Lesson(ctx context.Context, l *lessons.Lesson) (Result, error) {
	start := time.Now()
	// Between answers the lesson is reset in place; the first and last
	// resets delete its namespaces, as a learner's reset does.
	inPlace := p.Env.InPlace
	defer func() { p.Env.InPlace = inPlace }()
	r := &run{p: p, l: l, res: Result{Lesson: l.ID}}
	err := r.all(ctx)
	r.res.Duration = time.Since(start)
	if err == nil && len(r.res.Failed()) > 0 {
		err = fmt.Errorf("%w: %s: %d step(s) did not hold", ErrUnproven, l.ID, len(r.res.Failed()))
	}
	return r.res, err
}

type run struct {
	p   *Prover
	l   *lessons.Lesson
	res Result
}

func (r *run) add(s Step) {
	s.Lesson = r.l.ID
	r.res.Steps = append(r.res.Steps, s)
	if r.p.Report != nil {
		r.p.Report(s)
	}
}

func (r *run) all(ctx context.Context) error {
	t := time.Now()
	if err := r.p.Env.Reset(ctx, r.l); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	r.add(Step{Phase: "setup", OK: true, Duration: time.Since(t)})
	r.allFail(ctx, "before")

	r.p.Env.InPlace = true
	for i, e := range r.l.Spec.Exercises {
		for _, nm := range e.NearMisses {
			if err := r.answer(ctx, i, e, nm, false); err != nil {
				return err
			}
		}
		for _, alt := range e.Alternatives {
			if err := r.answer(ctx, i, e, alt, true); err != nil {
				return err
			}
		}
		t := time.Now()
		if err := r.p.Env.Apply(ctx, r.l, e.Solution, false); err != nil {
			return fmt.Errorf("solution of %s: %w", e.ID, err)
		}
		v := r.p.Checker.Exercise(ctx, r.l, e)
		r.add(Step{Exercise: e.ID, Phase: "solution", OK: v.Passed(), Verdict: verdictText(v), Duration: time.Since(t)})
	}

	r.p.Env.InPlace = false
	t = time.Now()
	if err := r.p.Env.Reset(ctx, r.l); err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	r.add(Step{Phase: "reset", OK: true, Duration: time.Since(t)})
	r.allFail(ctx, "after reset")
	if r.p.Teardown {
		t = time.Now()
		if err := r.p.Env.Teardown(ctx, r.l); err != nil {
			return fmt.Errorf("teardown: %w", err)
		}
		r.add(Step{Phase: "teardown", OK: true, Duration: time.Since(t)})
	}
	return nil
}

// allFail checks that no exercise passes.
func (r *run) allFail(ctx context.Context, phase string) {
	t := time.Now()
	vs := r.p.Checker.Lesson(ctx, r.l)
	for _, v := range vs {
		r.add(Step{Exercise: v.Exercise, Phase: phase, OK: v.Status == checker.Fail, Verdict: verdictText(v), Duration: time.Since(t)})
	}
}

// answer applies a near miss (an almost-right answer, which must fail)
// or an alternative (another correct answer, which must pass) on top of
// the solutions of the exercises before it, then restores that state.
func (r *run) answer(ctx context.Context, i int, e *lessons.Exercise, nm *lessons.NearMiss, correct bool) error {
	phase := "near miss"
	if correct {
		phase = "alternative"
		r.res.Alternatives++
	} else {
		r.res.NearMisses++
	}
	t := time.Now()
	if r.p.Shared != nil && writesDefault(nm) {
		r.p.Shared.Lock()
		defer r.p.Shared.Unlock()
	}
	if err := r.p.Env.Apply(ctx, r.l, nm.Steps(), false); err != nil {
		return fmt.Errorf("%s %q of %s: %w", phase, nm.Name, e.ID, err)
	}
	v := r.p.Checker.Exercise(ctx, r.l, e)
	ok := v.Status == checker.Fail
	if correct {
		ok = v.Passed()
	}
	failedAt := ""
	for _, c := range v.Checks {
		if c.Status == checker.Fail {
			failedAt = c.ID
		}
	}
	detail := fmt.Sprintf("%q", nm.Name)
	if nm.FailsAt != "" && !correct {
		detail += " fails at " + nm.FailsAt
		if failedAt != nm.FailsAt {
			ok = false
			detail += fmt.Sprintf(" (failed at %q instead)", failedAt)
		}
	}
	r.add(Step{Exercise: e.ID, Phase: phase, Detail: detail, OK: ok, Verdict: verdictText(v), Duration: time.Since(t)})

	for _, c := range nm.Cleanup {
		if _, err := r.p.Env.Run(ctx, r.l, c); err != nil {
			return fmt.Errorf("cleanup of %s %q: %w", phase, nm.Name, err)
		}
	}
	if err := r.p.Env.Reset(ctx, r.l); err != nil {
		return fmt.Errorf("reset after %s %q: %w", phase, nm.Name, err)
	}
	for _, prev := range r.l.Spec.Exercises[:i] {
		if err := r.p.Env.Apply(ctx, r.l, prev.Solution, false); err != nil {
			return fmt.Errorf("replaying the solution of %s: %w", prev.ID, err)
		}
	}
	return nil
}

// writesDefault reports whether an answer's commands or cleanup name the
// namespace default (every answer that writes there cleans up there).
func writesDefault(nm *lessons.NearMiss) bool {
	for _, c := range append(slices.Clone(nm.Commands), nm.Cleanup...) {
		if defaultNamespace.MatchString(c) {
			return true
		}
	}
	return false
}

var defaultNamespace = regexp.MustCompile(`(?:(?:-n|--namespace)[ =]|namespace: )default(?:$|[\s'"/;|&)])`)

func verdictText(v checker.Verdict) string {
	if v.Status == checker.Pass {
		return "PASS: " + v.Message
	}
	return strings.ToUpper(string(v.Status)) + ": " + v.Message
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
