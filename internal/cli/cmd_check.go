package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/kworkbook/kworkbook/checker"
	"github.com/kworkbook/kworkbook/internal/locale"
	"github.com/kworkbook/kworkbook/internal/progress"
	"github.com/kworkbook/kworkbook/lessons"
)

type checkOptions struct {
	timeout time.Duration
}

func newCheckCmd(a *app) *cobra.Command {
	o := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check [LESSON [EXERCISE]]",
		Short: "Check your work on the cluster",
		Long: `check reads the cluster and says, for each exercise, whether it is done, and
if not, what it saw instead. Checks never change the cluster. Without a
lesson, it checks the lesson you worked on last. Exits 1 when an exercise
is not done yet.`,
		Example: "  kworkbook check\n  kworkbook check 05\n  kworkbook check 05 scale",
		Args:    cobra.MaximumNArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			if err := validTimeout(o.timeout); err != nil {
				return err
			}
			l, err := a.lessonOrCurrent(args)
			if err != nil {
				return err
			}
			var only *lessons.Exercise
			if len(args) == 2 {
				if only, err = l.FindExercise(args[1]); err != nil {
					return &exitError{code: ExitProblem, err: err}
				}
			}
			vs, err := a.check(c.Context(), l, only, checker.Options{Timeout: o.timeout})
			if err != nil {
				return err
			}
			printVerdicts(a.streams.Out, a.p(), newPalette(a.streams.Out), l, vs)
			return verdictsExit(vs)
		},
	}
	cmd.Flags().DurationVar(&o.timeout, "timeout", 0, "wait at most this long for each check to pass (default: each check's own, a few seconds)")
	return cmd
}

// check runs the checks of a lesson (or one exercise) and records passes.
func (a *app) check(ctx context.Context, l *lessons.Lesson, only *lessons.Exercise, opts checker.Options) ([]checker.Verdict, error) {
	c, _, err := a.connect(ctx, false)
	if err != nil {
		return nil, err
	}
	ch := a.checker(ctx, c, opts)
	var vs []checker.Verdict
	if only != nil {
		vs = []checker.Verdict{ch.Exercise(ctx, l, only)}
	} else {
		vs = ch.Lesson(ctx, l)
	}
	a.updateProgress(func(p *progress.Progress) error {
		p.Lesson(l.ID).Checked(time.Now().UTC(), checker.PassedIDs(vs)...)
		return nil
	})
	return vs, nil
}

// verdictsExit is exit 1 when an exercise failed, 2 when a check could not run.
func verdictsExit(vs []checker.Verdict) error {
	code := ExitOK
	for _, v := range vs {
		switch v.Status {
		case checker.Error:
			code = ExitProblem
		case checker.Fail:
			if code == ExitOK {
				code = ExitFailed
			}
		}
	}
	if code == ExitOK {
		return nil
	}
	return &exitError{code: code, silent: true}
}

// lessonOrCurrent resolves args[0], or the lesson worked on last.
func (a *app) lessonOrCurrent(args []string) (*lessons.Lesson, error) {
	if len(args) > 0 {
		return a.lesson(args[0])
	}
	p, err := a.loadProgress()
	if err != nil {
		return nil, err
	}
	var id string
	var last time.Time
	for lid, pl := range p.Lessons {
		t := pl.LastChecked
		if pl.Started.After(t) {
			t = pl.Started
		}
		if t.After(last) {
			id, last = lid, t
		}
	}
	if id == "" {
		return nil, &exitError{code: ExitProblem, err: errors.New(a.p().T("cli.no_lesson_started"))}
	}
	l, err := a.lesson(id)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", a.p().T("cli.last_lesson"), err)
	}
	return l, nil
}

// validTimeout refuses a negative --timeout, which would fail every check
// at once and look like the learner's mistake.
func validTimeout(d time.Duration) error { return validDuration("timeout", d) }

// validDuration refuses a negative duration flag: a usage error.
func validDuration(flag string, d time.Duration) error {
	if d < 0 {
		return &exitError{code: ExitProblem, err: errors.New(locale.EnglishPrinter().T("cli.bad_duration", "Flag", flag, "Value", d.String()))}
	}
	return nil
}
