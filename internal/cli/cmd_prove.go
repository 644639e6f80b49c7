package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/kworkbook/kworkbook/checker"
	"github.com/kworkbook/kworkbook/internal/prove"
)

func newProveCmd(a *app) *cobra.Command {
	var keep bool
	cmd := &cobra.Command{
		Use:   "prove [LESSON...]",
		Short: "Prove lessons on the cluster: fail as shipped, reject near misses, pass with the solution",
		Long: `prove runs, for each lesson: reset, every exercise must FAIL; each near miss
must FAIL (at the check it names); each reference solution must PASS; reset,
every exercise must FAIL again. It changes the cluster (it resets the
lessons), so run it on kworkbook's cluster or a cluster you can spare.
Without LESSON it proves every lesson, in order.`,
		Example: "  kworkbook lessons prove 05\n  kworkbook lessons prove --lessons-dir ./my-lessons 14",
		RunE: func(c *cobra.Command, args []string) error {
			cat, err := a.lessons()
			if err != nil {
				return err
			}
			list := cat.Lessons
			if len(args) > 0 {
				list = nil
				for _, id := range args {
					l, err := cat.Find(id)
					if err != nil {
						return err
					}
					list = append(list, l)
				}
			}
			cl, t, err := a.connect(c.Context(), false)
			if err != nil {
				return err
			}
			env := a.env(cl, t)
			defer env.Close()
			p := &prove.Prover{
				Env:      env,
				Checker:  a.checker(c.Context(), cl, checker.Options{}),
				Teardown: !keep,
				Report:   func(s prove.Step) { fmt.Fprintln(a.streams.Out, s.String()) },
			}
			start := time.Now()
			unproven := 0
			steps, nearMisses, alternatives := 0, 0, 0
			for _, l := range list {
				res, err := p.Lesson(c.Context(), l)
				steps += len(res.Steps)
				nearMisses += res.NearMisses
				alternatives += res.Alternatives
				if errors.Is(err, prove.ErrUnproven) {
					unproven++
					continue
				}
				if err != nil {
					return fmt.Errorf("proving %s: %w", l.ID, err)
				}
			}
			fmt.Fprintf(a.streams.Out, "%s proved, %d unproven (%d steps, %d near misses, %d alternatives) in %.1fs\n",
				englishCount(len(list)-unproven, "lesson", "lessons"), unproven, steps, nearMisses, alternatives, time.Since(start).Seconds())
			if unproven > 0 {
				return failed()
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&keep, "keep", false, "leave each lesson set up at its start instead of removing it")
	return cmd
}
