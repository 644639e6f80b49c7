package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/kworkbook/kworkbook/internal/progress"
	"github.com/kworkbook/kworkbook/lessons"
)

func newResetCmd(a *app) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "reset LESSON",
		Short: "Start a lesson over: remove your work in it and restore its starting state",
		Long: `reset deletes the lesson's namespace(s) and everything in them, undoes the
cluster-wide changes the lesson's exercises make (node labels, taints,
cordons, PersistentVolumes it names), sets the lesson up again and clears
its exercises from your progress. It only deletes what kworkbook labelled
as its own; the cluster itself stays.`,
		Example: "  kworkbook reset 05",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			l, err := a.lesson(args[0])
			if err != nil {
				return err
			}
			if !yes && !confirm(a.streams, fmt.Sprintf("Delete namespace %s with all your work in it and set %s up again?", strings.Join(l.Spec.Namespaces, ", "), l.ID)) {
				return &exitError{code: ExitProblem, err: fmt.Errorf("not reset (nothing changed)")}
			}
			cl, t, err := a.connect(c.Context(), false)
			if err != nil {
				return err
			}
			env := a.env(cl, t)
			defer env.Close()
			if err := env.Reset(c.Context(), l); err != nil {
				return err
			}
			a.updateProgress(func(p *progress.Progress) error {
				clearPasses(p, l)
				return nil
			})
			fmt.Fprintf(a.streams.Out, "%s is back at its start. Read it again with: kworkbook start %s\n", l.ID, l.ID)
			return nil
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

func clearPasses(p *progress.Progress, l *lessons.Lesson) {
	pl := p.Lesson(l.ID)
	for id, e := range pl.Exercises {
		e.Passed = time.Time{}
		if e.Hints == 0 {
			delete(pl.Exercises, id)
		}
	}
}

// confirm asks a yes/no question on a terminal; without one it assumes yes
// (scripts ask by running the command).
func confirm(s IOStreams, question string) bool {
	f, ok := s.In.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return true
	}
	fmt.Fprintf(s.ErrOut, "%s [y/N] ", question)
	line, err := bufio.NewReader(s.In).ReadString('\n')
	if err != nil && err != io.EOF {
		return false
	}
	ans := strings.ToLower(strings.TrimSpace(line))
	return ans == "y" || ans == "yes"
}
