package cli

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/kworkbook/kworkbook/lessons"
)

func newLessonsCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lessons",
		Short: "Tools for lesson authors",
	}
	cmd.AddCommand(newLintCmd(a), newProveCmd(a))
	return cmd
}

func newLintCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "lint [DIR]",
		Short: "Check that lesson files, exercise ids and references line up",
		Long: `lint loads lessons and reports every problem as FILE:LINE: message: YAML
errors, unknown fields, exercises without a prose block (or the reverse),
checks that cannot work, manifests outside the lesson's namespaces,
unpinned images; and every translation (README.<lang>.md,
lesson.<lang>.yaml) against the English: exercises missing on either side,
messages for checks that do not exist, and translations whose English
changed since (stale), with a summary line per language. Without DIR it
checks the built-in lessons and --lessons-dir. Exits 1 when there are
problems.`,
		Example: "  kworkbook lessons lint\n  kworkbook lessons lint ./my-lessons",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			var cat *lessons.Catalog
			var err error
			if len(args) == 1 {
				st, statErr := os.Stat(args[0])
				if statErr != nil || !st.IsDir() {
					return &exitError{code: ExitProblem, err: fmt.Errorf("%s: %w", args[0], lessons.ErrNoDir)}
				}
				cat, err = lessons.Load(os.DirFS(args[0]), args[0])
			} else {
				cat, err = lessons.LoadDefault(a.globals.lessonsDir)
			}
			var pe *lessons.ProblemsError
			if err != nil && !errors.As(err, &pe) {
				return err
			}
			var warnings, probs []lessons.Problem
			if cat != nil {
				warnings = cat.Warnings
			}
			if pe != nil {
				probs = pe.Problems
			}
			var summaries []string
			if cat != nil {
				for _, lang := range cat.Langs() {
					ps, st := cat.LintEdition(lang)
					probs = append(probs, ps...)
					summaries = append(summaries, st.String())
				}
			}
			if len(probs) > 0 {
				for _, p := range lessons.Sorted(append(append([]lessons.Problem{}, probs...), warnings...)) {
					fmt.Fprintln(a.streams.Out, p.String())
				}
				for _, s := range summaries {
					fmt.Fprintln(a.streams.Out, s)
				}
				fmt.Fprintf(a.streams.Out, "%s found\n", englishCount(len(probs), "problem", "problems"))
				return failed()
			}
			for _, p := range warnings {
				fmt.Fprintln(a.streams.Out, p.String())
			}
			for _, s := range summaries {
				fmt.Fprintln(a.streams.Out, s)
			}
			n := 0
			for _, l := range cat.Lessons {
				n += len(l.Spec.Exercises)
			}
			fmt.Fprintf(a.streams.Out, "%s, %s: no problems", englishCount(len(cat.Lessons), "lesson", "lessons"), englishCount(n, "exercise", "exercises"))
			if len(warnings) > 0 {
				fmt.Fprintf(a.streams.Out, " (%s)", englishCount(len(warnings), "warning", "warnings"))
			}
			fmt.Fprintln(a.streams.Out)
			return nil
		},
	}
}

// englishCount says "1 lesson" or "3 lessons": lint and prove speak to
// lesson authors, in English, as their file:line problems do.
func englishCount(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
