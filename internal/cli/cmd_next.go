package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newNextCmd(a *app) *cobra.Command {
	o := &startOptions{}
	cmd := &cobra.Command{
		Use:   "next",
		Short: "Start the next lesson you have not finished",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			cat, err := a.lessons()
			if err != nil {
				return err
			}
			p, err := a.loadProgress()
			if err != nil {
				return err
			}
			for _, l := range cat.Lessons {
				s := stateOf(l, p)
				if s.State == "done" {
					continue
				}
				fmt.Fprintln(a.streams.ErrOut, a.p().T("next.lesson", "Lesson", l.ID, "Title", l.Title(), "Exercise", s.Next))
				return a.start(c.Context(), l, o)
			}
			fmt.Fprintln(a.streams.Out, a.p().T("next.all_done"))
			return nil
		},
	}
	cmd.Flags().BoolVar(&o.noPager, "no-pager", false, "print the lesson instead of opening it in a pager")
	return cmd
}
