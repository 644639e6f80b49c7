package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/kworkbook/kworkbook/checker"
	"github.com/kworkbook/kworkbook/internal/locale"
	"github.com/kworkbook/kworkbook/internal/progress"
	"github.com/kworkbook/kworkbook/internal/watch"
	"github.com/kworkbook/kworkbook/lessons"
)

func newWatchCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "watch [LESSON]",
		Short: "Re-check a lesson every time the cluster changes, until Ctrl-C",
		Long: `watch shows each exercise's verdict and updates it as soon as the cluster
changes: leave it running in a second terminal while you work with kubectl.
It watches the kinds the lesson's checks read, so a change shows within a
second. Without LESSON it watches the lesson you worked on last. On a
terminal the list is redrawn in place; otherwise each change is one line.`,
		Example: "  kworkbook watch 05",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			l, err := a.lessonOrCurrent(args)
			if err != nil {
				return err
			}
			return a.watch(c.Context(), l)
		},
	}
	return cmd
}

func (a *app) watch(ctx context.Context, l *lessons.Lesson) error {
	cl, _, err := a.connect(ctx, false)
	if err != nil {
		return err
	}
	w := &watch.Watcher{
		Quick:   a.checker(ctx, cl, checker.Options{Once: true}),
		Checker: a.checker(ctx, cl, checker.Options{}),
		Dynamic: cl.Dynamic,
		Mapper:  cl.RESTMapper(),
		Resync:  15 * time.Second,
	}
	isTTY, _ := tty(a.streams.Out)
	view := &watchView{out: a.streams.Out, p: a.p(), l: l, tty: isTTY, pal: newPalette(a.streams.Out), verdicts: map[string]checker.Verdict{}}
	if !isTTY {
		fmt.Fprintln(a.streams.Out, a.p().T("watch.start", "Lesson", l.ID))
	}
	err = w.Run(ctx, l, func(v checker.Verdict) {
		if view.update(v) && v.Passed() {
			a.updateProgress(func(p *progress.Progress) error {
				p.Lesson(l.ID).Checked(time.Now().UTC(), checker.PassedIDs([]checker.Verdict{v})...)
				return nil
			})
		}
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	fmt.Fprintln(a.streams.Out, "\n"+a.p().T("watch.stopped"))
	return nil
}

// watchView shows verdicts: redrawn in place on a terminal, one line per
// change otherwise (logs, pipes, benchmarks).
type watchView struct {
	mu       sync.Mutex
	out      io.Writer
	p        *locale.Printer
	l        *lessons.Lesson
	tty      bool
	pal      palette
	verdicts map[string]checker.Verdict
}

// update records v and shows it; it reports whether anything changed.
func (w *watchView) update(v checker.Verdict) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	old, seen := w.verdicts[v.Exercise]
	if seen && old.Status == v.Status && old.Message == v.Message {
		return false
	}
	w.verdicts[v.Exercise] = v
	if !w.tty {
		mark := "✗"
		if v.Passed() {
			mark = "✓"
		}
		fmt.Fprintf(w.out, "%s %s %s %s: %s\n", time.Now().Format("15:04:05.000"), mark, w.l.ID, v.Exercise, firstLineOf(v.Message))
		return true
	}
	var b strings.Builder
	b.WriteString("\x1b[H\x1b[2J") // home, clear screen
	vs := make([]checker.Verdict, 0, len(w.l.Spec.Exercises))
	for _, e := range w.l.Spec.Exercises {
		if got, ok := w.verdicts[e.ID]; ok {
			vs = append(vs, got)
		} else {
			vs = append(vs, checker.Verdict{Exercise: e.ID, Title: e.Title, Status: checker.Fail, Message: w.p.T("watch.checking")})
		}
	}
	printVerdicts(&b, w.p, w.pal, w.l, vs)
	fmt.Fprintf(&b, "\n%s\n", w.pal.dim(w.p.T("watch.footer", "Time", time.Now().Format("15:04:05"))))
	io.WriteString(w.out, b.String())
	return true
}

func firstLineOf(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
