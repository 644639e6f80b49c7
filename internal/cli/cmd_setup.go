package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newSetupCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "setup LESSON...",
		Short: "Prepare lessons on the cluster without showing them (for CI and classrooms)",
		Long: `setup does what start does to the cluster, for several lessons and without
rendering them: it creates kworkbook's cluster when needed (or uses the one
named by --context), then each lesson's namespace and starting objects.
Lessons already set up are left as they are.`,
		Example: "  kworkbook setup 02 05 && kubectl apply -f student/ && kworkbook grade 02 05",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			list, err := a.lessonList(args)
			if err != nil {
				return err
			}
			cl, t, err := a.connect(c.Context(), true)
			if err != nil {
				return err
			}
			env := a.env(cl, t)
			defer env.Close()
			for _, l := range list {
				started, err := env.Started(c.Context(), l)
				if err != nil {
					return err
				}
				if started {
					fmt.Fprintln(a.streams.ErrOut, " • "+a.p().T("setup.already", "Lesson", l.ID))
					continue
				}
				if err := env.Setup(c.Context(), l); err != nil {
					return err
				}
			}
			return nil
		},
	}
}
