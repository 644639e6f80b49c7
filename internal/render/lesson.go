// Package render shows lessons and verdicts in the terminal: Markdown
// through glamour (style following the terminal, plain text when output is
// not a terminal or NO_COLOR is set), exercises inline with their status.
package render

import (
	"fmt"
	"strings"

	glamour "charm.land/glamour/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kworkbook/kworkbook/internal/locale"
	"github.com/kworkbook/kworkbook/lessons"
)

// Styles glamour knows that kworkbook uses.
const (
	StylePlain = "notty"
	StyleDark  = "dark"
	StyleLight = "light"
)

// State is what is known about an exercise.
type State int

const (
	// Unknown: not checked yet in this run and not recorded as done.
	Unknown State = iota
	Passed
	Failing
)

// Status is one exercise's status shown beside it.
type Status struct {
	State   State
	Message string
}

// Options choose the look.
type Options struct {
	// Width wraps text; 80 when zero.
	Width int
	// Style is StylePlain, StyleDark or StyleLight.
	Style string
	// Printer words kworkbook's own lines (exercise cards, the footer);
	// English when nil. The lesson's prose is in the lesson's language.
	Printer *locale.Printer
}

// ChooseStyle picks the style: plain when the output is not a terminal or
// NO_COLOR is set, otherwise dark or light after the terminal's background.
func ChooseStyle(tty, noColor bool, darkBackground func() bool) string {
	if !tty || noColor {
		return StylePlain
	}
	if darkBackground() {
		return StyleDark
	}
	return StyleLight
}

// Lesson renders a lesson with each exercise block replaced by its title
// and status.
func Lesson(l *lessons.Lesson, status map[string]Status, opts Options) (string, error) {
	md := LessonMarkdown(l, status, opts.Printer)
	return Markdown(md, opts)
}

// LessonMarkdown is the Markdown a lesson renders from.
func LessonMarkdown(l *lessons.Lesson, status map[string]Status, p *locale.Printer) string {
	p = p.Or()
	total := len(l.Spec.Exercises)
	body := l.Prose.Replace(func(b *lessons.Block) string {
		e := l.Exercise(b.ID)
		if e == nil {
			return ""
		}
		return exerciseMarkdown(p, l, e, total, status[e.ID])
	})
	var sb strings.Builder
	sb.Write(body)
	sb.WriteString("\n---\n\n")
	sb.WriteString(p.T("render.footer", "Check", fmt.Sprintf("`kworkbook check %s`", l.ID), "Hint", fmt.Sprintf("`kworkbook hint %s EXERCISE`", l.ID)) + "\n")
	if len(l.Meta.Docs) > 0 {
		sb.WriteString("\n" + p.T("render.reading") + "\n\n")
		for _, d := range l.Meta.Docs {
			fmt.Fprintf(&sb, "- %s\n", d)
		}
	}
	return sb.String()
}

// exerciseMarkdown is an exercise's card: its number and title in bold,
// then its status. (Not a blockquote: glamour loses the quote bar of a
// wrapped line that holds a hyphen.)
func exerciseMarkdown(p *locale.Printer, l *lessons.Lesson, e *lessons.Exercise, total int, st Status) string {
	var mark string
	switch st.State {
	case Passed:
		mark = "✓ " + p.T("render.done")
	case Failing:
		mark = "✗ " + p.T("render.not_yet", "Why", escape(firstLine(st.Message)))
	default:
		mark = "○ " + p.T("render.to_do", "Command", fmt.Sprintf("`kworkbook check %s %s`", l.ID, e.ID))
	}
	head := p.T("render.exercise", "N", e.Index, "Total", total, "Title", escape(e.Title))
	return fmt.Sprintf("**%s** (`%s`)\n\n%s\n", head, e.ID, mark)
}

// Markdown renders Markdown text for the terminal.
func Markdown(md string, opts Options) (string, error) {
	width := opts.Width
	if width <= 0 {
		width = 80
	}
	style := opts.Style
	if style == "" {
		style = StylePlain
	}
	cfg, err := styleConfig(style)
	if err != nil {
		return "", fmt.Errorf("unable to render markdown: %w", err)
	}
	r, err := glamour.NewTermRenderer(glamour.WithStyles(cfg), glamour.WithWordWrap(width))
	if err != nil {
		return "", fmt.Errorf("unable to render markdown: %w", err)
	}
	out, err := r.Render(joinListLines(md))
	if err != nil {
		return "", fmt.Errorf("unable to render markdown: %w", err)
	}
	if style == StylePlain {
		// Plain text has no escape codes at all: glamour v2 writes links
		// as OSC 8 hyperlinks even in its notty style.
		out = ansi.Strip(out)
	}
	return fitWidth(out, width), nil
}

// fitWidth breaks the lines glamour leaves wider than the terminal (a long
// word in a code block overshoots by a column or a few), so that nothing
// wraps on screen behind the reader's back.
func fitWidth(out string, width int) string {
	lines := strings.Split(out, "\n")
	changed := false
	for i, l := range lines {
		if ansi.StringWidth(l) > width {
			lines[i] = ansi.Hardwrap(strings.TrimRight(l, " "), width, true)
			changed = true
		}
	}
	if !changed {
		return out
	}
	return strings.Join(lines, "\n")
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// escape keeps a verdict or title from being read as Markdown markup.
func escape(s string) string {
	r := strings.NewReplacer("*", `\*`, "_", `\_`, "`", "'", "<", "&lt;", "[", `\[`)
	return r.Replace(s)
}
