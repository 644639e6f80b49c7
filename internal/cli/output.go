package cli

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kworkbook/kworkbook/checker"
	"github.com/kworkbook/kworkbook/internal/layout"
	"github.com/kworkbook/kworkbook/internal/locale"
	"github.com/kworkbook/kworkbook/lessons"
)

// palette colours text when the output is a terminal and NO_COLOR is unset.
type palette struct{ on bool }

func newPalette(w io.Writer) palette {
	isTTY, _ := tty(w)
	return palette{on: isTTY && !noColor()}
}

func (p palette) wrap(code, s string) string {
	if !p.on {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (p palette) green(s string) string  { return p.wrap("32", s) }
func (p palette) red(s string) string    { return p.wrap("31", s) }
func (p palette) yellow(s string) string { return p.wrap("33", s) }
func (p palette) dim(s string) string    { return p.wrap("2", s) }
func (p palette) bold(s string) string   { return p.wrap("1", s) }

// printVerdicts shows a lesson's verdicts the way a learner reads them:
// one line per exercise, and for those not passing, what was seen and the
// evidence to look at next.
func printVerdicts(w io.Writer, p *locale.Printer, pal palette, l *lessons.Lesson, vs []checker.Verdict) {
	fmt.Fprintf(w, "%s · %s\n", pal.bold(l.ID), l.Title())
	width := 0
	for _, v := range vs {
		width = max(width, layout.Width(v.Exercise))
	}
	for _, v := range vs {
		e := l.Exercise(v.Exercise)
		idx := 0
		if e != nil {
			idx = e.Index
		}
		mark := pal.green("✓")
		switch v.Status {
		case checker.Fail:
			mark = pal.red("✗")
		case checker.Error:
			mark = pal.yellow("!")
		}
		fmt.Fprintf(w, " %s %d. %s %s\n", mark, idx, layout.Pad(v.Exercise, max(width, 12)), v.Title)
		if v.Status == checker.Pass {
			continue
		}
		fmt.Fprintln(w, indent(v.Message, "      "))
		for _, ev := range v.Evidence {
			fmt.Fprintln(w, pal.dim(indent(ev, "      · ")))
		}
	}
	passed := 0
	var next *checker.Verdict
	for i := range vs {
		if vs[i].Passed() {
			passed++
		} else if next == nil {
			next = &vs[i]
		}
	}
	switch {
	case next == nil && len(vs) == 1:
		fmt.Fprintln(w, pal.green(p.T("check.done_one")))
		return
	case next == nil:
		fmt.Fprintln(w, pal.green(p.N("check.done_all", len(vs))))
		return
	}
	fmt.Fprintln(w, p.T("check.summary", "Passed", passed, "All", len(vs), "Next", next.Exercise, "Hint", "kworkbook hint "+l.ID+" "+next.Exercise))
}

func countPassed(vs []checker.Verdict) int {
	n := 0
	for _, v := range vs {
		if v.Passed() {
			n++
		}
	}
	return n
}

// darkBackground says whether the terminal has a dark background: from
// COLORFGBG when the terminal sets it, else by asking the terminal (see
// queryBackground), else dark, the common case.
func darkBackground() bool {
	if v := os.Getenv("COLORFGBG"); v != "" {
		// "15;0": foreground;background, as rxvt and others set it.
		parts := strings.Split(v, ";")
		if bg, err := strconv.Atoi(parts[len(parts)-1]); err == nil {
			return bg < 7 || bg == 8
		}
	}
	if dark, ok := queryBackground(backgroundQueryWait); ok {
		return dark
	}
	return true
}

// backgroundQueryWait is long enough for a terminal on a slow SSH link to
// answer, short enough not to be noticed when none comes. termenv waits
// five seconds, and many terminals never answer.
const backgroundQueryWait = 300 * time.Millisecond
