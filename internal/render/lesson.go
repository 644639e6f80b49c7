// Package render shows lessons and verdicts in the terminal: Markdown
// through glamour (style following the terminal, plain text when output is
// not a terminal or NO_COLOR is set), exercises inline with their status.
package render

import (
	"fmt"
	"strings"

	glamour "charm.land/glamour/v2"

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
	md := LessonMarkdown(l, status)
	return Markdown(md, opts)
}

// LessonMarkdown is the Markdown a lesson renders from.
func LessonMarkdown(l *lessons.Lesson, status map[string]Status) string {
	total := len(l.Spec.Exercises)
	body := l.Prose.Replace(func(b *lessons.Block) string {
		e := l.Exercise(b.ID)
		if e == nil {
			return ""
		}
		return exerciseMarkdown(l, e, total, status[e.ID])
	})
	var sb strings.Builder
	sb.Write(body)
	sb.WriteString("\n---\n\n")
	fmt.Fprintf(&sb, "Check your work with `kworkbook check %s`; stuck on one? `kworkbook hint %s EXERCISE`.\n", l.ID, l.ID)
	if len(l.Meta.Docs) > 0 {
		sb.WriteString("\nFurther reading:\n\n")
		for _, d := range l.Meta.Docs {
			fmt.Fprintf(&sb, "- %s\n", d)
		}
	}
	return sb.String()
}

func exerciseMarkdown(l *lessons.Lesson, e *lessons.Exercise, total int, st Status) string {
	var mark string
	switch st.State {
	case Passed:
		mark = "✓ done"
	case Failing:
		mark = "✗ not yet: " + escape(firstLine(st.Message))
	default:
		mark = fmt.Sprintf("○ to do — when you are done, run `kworkbook check %s %s`", l.ID, e.ID)
	}
	return fmt.Sprintf("> **Exercise %d of %d · %s** (`%s`)\n>\n> %s\n", e.Index, total, escape(e.Title), e.ID, mark)
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
	out, err := r.Render(md)
	if err != nil {
		return "", fmt.Errorf("unable to render markdown: %w", err)
	}
	return out, nil
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
