package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kworkbook/kworkbook/lessons"
)

func newSolveCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "solve LESSON [EXERCISE]",
		Short: "Apply the reference solution (for lesson authors and teachers)",
		Long: `solve applies the reference solution of every exercise of a lesson, in
order, or of one exercise: its manifests server-side and its kubectl
commands against the lesson's cluster. It sets the lesson up first when
needed. It changes the cluster as a learner would; it does not mark
exercises done (run kworkbook check for that).`,
		Example: "  kworkbook solve 05\n  kworkbook solve 05 scale && kworkbook check 05 scale",
		Args:    cobra.RangeArgs(1, 2),
		RunE: func(c *cobra.Command, args []string) error {
			l, err := a.lesson(args[0])
			if err != nil {
				return err
			}
			exercises := l.Spec.Exercises
			if len(args) == 2 {
				e, err := l.FindExercise(args[1])
				if err != nil {
					return &exitError{code: ExitProblem, err: err}
				}
				exercises = []*lessons.Exercise{e}
			}
			cl, t, err := a.connect(c.Context(), false)
			if err != nil {
				return err
			}
			env := a.env(cl, t)
			defer env.Close()
			started, err := env.Started(c.Context(), l)
			if err != nil {
				return err
			}
			if !started {
				if err := env.Setup(c.Context(), l); err != nil {
					return err
				}
			}
			for _, e := range exercises {
				if err := env.Apply(c.Context(), l, e.Solution, false); err != nil {
					return fmt.Errorf("%s: %w", a.p().T("solve.failed", "Exercise", e.ID), err)
				}
				fmt.Fprintln(a.streams.Out, " ✓ "+a.p().T("solve.applied", "N", e.Index, "Exercise", e.ID))
			}
			return nil
		},
	}
	return cmd
}
