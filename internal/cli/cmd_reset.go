package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/kworkbook/kworkbook/internal/locale"
	"github.com/kworkbook/kworkbook/internal/progress"
	"github.com/kworkbook/kworkbook/lessons"
)

func newResetCmd(a *app) *cobra.Command {
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
			if err := a.confirm(a.p().N("reset.question", len(l.Spec.Namespaces), "Namespaces", strings.Join(l.Spec.Namespaces, ", "), "Lesson", l.ID), a.p().T("reset.not_done")); err != nil {
				return err
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
			fmt.Fprintln(a.streams.Out, a.p().T("reset.done", "Lesson", l.ID))
			return nil
		},
	}
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

// errNeedYes is the usage error of a question nobody can answer.
var errNeedYes = errors.New("pass --yes")

// confirm asks a yes/no question on the terminal, unless --yes was given.
// Without a terminal (a script, CI, a pipe) it refuses: a command that
// deletes work must be told so explicitly. no is what the refusal says.
func (a *app) confirm(question, no string) error {
	if a.globals.yes {
		return nil
	}
	f, ok := a.streams.In.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return &exitError{code: ExitProblem, err: fmt.Errorf("%s: %s (%w)", no, a.p().T("cli.need_yes"), errNeedYes)}
	}
	fmt.Fprintf(a.streams.ErrOut, "%s %s ", question, a.p().T("cli.yes_no"))
	line, err := bufio.NewReader(a.streams.In).ReadString('\n')
	ans := strings.ToLower(strings.TrimSpace(line))
	if (err != nil && err != io.EOF) || !isYes(a.p(), ans) {
		return &exitError{code: ExitProblem, err: errors.New(no)}
	}
	return nil
}

// isYes accepts y and yes, and the language's own words for yes.
func isYes(p *locale.Printer, ans string) bool {
	if ans == "y" || ans == "yes" {
		return true
	}
	for _, w := range strings.Split(p.T("cli.yes_words"), ",") {
		if w = strings.TrimSpace(w); w != "" && ans == w {
			return true
		}
	}
	return false
}
