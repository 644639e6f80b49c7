package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/kworkbook/kworkbook/checker"
	"github.com/kworkbook/kworkbook/internal/locale"
	"github.com/kworkbook/kworkbook/internal/progress"
	"github.com/kworkbook/kworkbook/internal/render"
	"github.com/kworkbook/kworkbook/lessons"
	"github.com/kworkbook/kworkbook/sandbox"
)

type startOptions struct {
	noPager bool
	width   int
}

func newStartCmd(a *app) *cobra.Command {
	o := &startOptions{}
	cmd := &cobra.Command{
		Use:   "start LESSON",
		Short: "Prepare the cluster and the lesson, then show the lesson",
		Long: `start makes sure kworkbook's cluster is up (creating it the first time),
prepares the lesson's namespace and starting objects, and shows the lesson
with each exercise's status. Work you did in a lesson is kept: run
kworkbook reset LESSON to start it over.

LESSON is lesson-05, 05, 5 or the lesson's name (deployments).`,
		Example: "  kworkbook start lesson-02\n  kworkbook start 5",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if err := validWidth(o.width); err != nil {
				return err
			}
			l, err := a.lesson(args[0])
			if err != nil {
				return err
			}
			return a.start(c.Context(), l, o)
		},
	}
	cmd.Flags().BoolVar(&o.noPager, "no-pager", false, "print the lesson instead of opening it in a pager")
	cmd.Flags().IntVar(&o.width, "width", 0, "wrap the text at this many columns (default: the terminal's width, at most 100)")
	return cmd
}

func (a *app) start(ctx context.Context, l *lessons.Lesson, o *startOptions) error {
	c, t, err := a.connect(ctx, true)
	if err != nil {
		return err
	}
	env := a.env(c, t)
	defer env.Close()
	started, err := env.Started(ctx, l)
	if err != nil {
		return err
	}
	if !started {
		if err := env.Setup(ctx, l); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(a.streams.ErrOut, " • "+a.p().T("start.already", "Lesson", l.ID))
	}
	a.warnContext(t)
	a.warnRequirements(ctx, l)

	// The current status of each exercise: one quick look, no waiting.
	qctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	vs := a.checker(ctx, c, checker.Options{Once: true}).Lesson(qctx, l)
	cancel()
	status := map[string]render.Status{}
	a.updateProgress(func(p *progress.Progress) error {
		pl := p.Lesson(l.ID)
		if pl.Started.IsZero() {
			pl.Started = time.Now().UTC()
		}
		pl.Checked(time.Now().UTC(), checker.PassedIDs(vs)...)
		for _, e := range l.Spec.Exercises {
			if p.Done(l.ID, e.ID) {
				status[e.ID] = render.Status{State: render.Passed}
			}
		}
		return nil
	})
	return a.showLesson(l, status, o)
}

// requirementText names a requirement in a sentence.
var requirementText = map[string]string{
	lessons.RequireNodePort:      "require.nodeport",
	lessons.RequireLoadBalancer:  "require.loadbalancer",
	lessons.RequireIngress:       "require.ingress",
	lessons.RequireWorkers:       "require.workers",
	lessons.RequireNetworkPolicy: "require.networkpolicy",
}

// warnRequirements says what the lesson needs that this cluster lacks.
func (a *app) warnRequirements(ctx context.Context, l *lessons.Lesson) {
	if a.clients == nil {
		return
	}
	var missing []string
	if needsNetworkPolicy(l) {
		known, enforced, _ := a.networkPolicy(ctx, a.clients, true)
		switch {
		case known && enforced:
			fmt.Fprintln(a.streams.ErrOut, " • "+a.p().T("start.netpol_enforced"))
		case known:
			missing = append(missing, a.p().T(requirementText[lessons.RequireNetworkPolicy]))
		}
	}
	info, found, _ := sandbox.ReadInfo(ctx, a.clients)
	for _, r := range l.Spec.Requires {
		ok := found && sandbox.Provides(info, r)
		switch r {
		case lessons.RequireWorkers:
			ok = sandbox.WorkerCount(ctx, a.clients) >= 2
		case lessons.RequireNetworkPolicy:
			continue // above
		}
		if !ok {
			missing = append(missing, a.p().T(requirementText[r]))
		}
	}
	if len(missing) > 0 {
		fmt.Fprintln(a.streams.ErrOut, a.p().T("start.missing", "Missing", strings.Join(missing, a.p().T("list.sep")), "Context", a.target.Context))
	}
}

func (a *app) showLesson(l *lessons.Lesson, status map[string]render.Status, o *startOptions) error {
	isTTY, width := tty(a.streams.Out)
	if o.width > 0 {
		width = o.width
	} else if width == 0 || width > 100 {
		width = min(100, max(width, 80))
	}
	style := render.ChooseStyle(isTTY, noColor(), darkBackground)
	out, err := render.Lesson(l, status, render.Options{Width: width, Style: style, Printer: a.p()})
	if err != nil {
		return err
	}
	if isTTY && !o.noPager && tooTall(out) {
		if err := page(out, a.streams.Out); err == nil {
			return nil
		}
	}
	_, err = io.WriteString(a.streams.Out, out)
	return err
}

// Widths a lesson can be wrapped at: narrower breaks every line, wider is
// no terminal anyone reads in.
const minWidth, maxWidth = 20, 500

func validWidth(w int) error {
	if w != 0 && (w < minWidth || w > maxWidth) {
		return &exitError{code: ExitProblem, err: errors.New(locale.EnglishPrinter().T("cli.bad_width", "Value", w, "Min", minWidth, "Max", maxWidth))}
	}
	return nil
}

func tooTall(s string) bool {
	_, h, err := term.GetSize(int(os.Stdout.Fd()))
	return err == nil && strings.Count(s, "\n") > h
}

// page shows s through $PAGER, or less.
func page(s string, out io.Writer) error {
	pager := os.Getenv("PAGER")
	args := []string{}
	if pager == "" {
		pager, args = "less", []string{"-R", "-F", "-X"}
	}
	fields := strings.Fields(pager)
	if len(fields) == 0 {
		return fmt.Errorf("no pager")
	}
	cmd := exec.Command(fields[0], append(fields[1:], args...)...)
	cmd.Stdin = strings.NewReader(s)
	cmd.Stdout, cmd.Stderr = out, os.Stderr
	return cmd.Run()
}
