package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kworkbook/kworkbook/internal/progress"
	"github.com/kworkbook/kworkbook/internal/render"
	"github.com/kworkbook/kworkbook/lessons"
)

func newHintCmd(a *app) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "hint LESSON [EXERCISE]",
		Short: "Reveal the next step of an exercise's hint ladder",
		Long: `Each exercise has a ladder of hints: a nudge, then the shape of the command,
then the full answer. hint shows the steps revealed so far plus one more,
and remembers where you are. Without EXERCISE it picks the first exercise
not done yet.`,
		Example: "  kworkbook hint 05\n  kworkbook hint 05 scale\n  kworkbook hint 05 scale --all",
		Args:    cobra.RangeArgs(1, 2),
		RunE: func(c *cobra.Command, args []string) error {
			l, err := a.lesson(args[0])
			if err != nil {
				return err
			}
			p, err := a.loadProgress()
			if err != nil {
				return err
			}
			e, err := pickExercise(l, p, args[1:])
			if err != nil {
				return err
			}
			if len(e.Hints) == 0 {
				return errors.New(a.p().T("hint.none", "Exercise", e.ID))
			}
			shown := 0
			a.updateProgress(func(p *progress.Progress) error {
				pe := p.Lesson(l.ID).Exercise(e.ID)
				switch {
				case all:
					pe.Hints = len(e.Hints)
				case pe.Hints < len(e.Hints):
					pe.Hints++
				}
				shown = pe.Hints
				return nil
			})
			if shown == 0 { // progress could not be saved: still help
				shown = 1
				if all {
					shown = len(e.Hints)
				}
			}
			return a.printHints(l, e, shown)
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "reveal every step of the ladder")
	return cmd
}

// pickExercise resolves the named exercise, or the first one not done.
func pickExercise(l *lessons.Lesson, p *progress.Progress, args []string) (*lessons.Exercise, error) {
	if len(args) > 0 {
		e, err := l.FindExercise(args[0])
		if err != nil {
			return nil, &exitError{code: ExitProblem, err: err}
		}
		return e, nil
	}
	for _, e := range l.Spec.Exercises {
		if !p.Done(l.ID, e.ID) {
			return e, nil
		}
	}
	return l.Spec.Exercises[len(l.Spec.Exercises)-1], nil
}

func (a *app) printHints(l *lessons.Lesson, e *lessons.Exercise, shown int) error {
	p := a.p()
	labels := []string{"hint.nudge", "hint.shape", "hint.answer"}
	md := "### " + p.T("hint.heading", "Lesson", l.ID, "N", e.Index, "Title", e.Title) + "\n\n"
	for i := 0; i < shown && i < len(e.Hints); i++ {
		label := p.T("hint.numbered", "N", i+1)
		if len(e.Hints) == 3 {
			label = p.T(labels[i])
		}
		md += fmt.Sprintf("**%s (%d/%d)**\n\n%s\n\n", label, i+1, len(e.Hints), e.Hints[i])
	}
	if shown < len(e.Hints) {
		md += p.T("hint.more", "Command", fmt.Sprintf("`kworkbook hint %s %s`", l.ID, e.ID)) + "\n"
	}
	isTTY, width := tty(a.streams.Out)
	if width == 0 || width > 100 {
		width = 80
	}
	out, err := render.Markdown(md, render.Options{Width: width, Style: render.ChooseStyle(isTTY, noColor(), darkBackground)})
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(a.streams.Out, out)
	return err
}
