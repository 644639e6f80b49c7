// Package layout lines text up in a terminal by display width: colour
// codes take no columns, Hangul and other wide characters take two, and
// East Asian "ambiguous" characters (· — … •) take one whatever the locale,
// as every modern terminal draws them. text/tabwriter and %-20s count bytes
// or runes and get all three wrong.
package layout

import (
	"io"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Width is the number of terminal columns s takes.
func Width(s string) int { return ansi.StringWidth(s) }

// Pad fills s with spaces on the right to width columns.
func Pad(s string, width int) string {
	if w := Width(s); w < width {
		return s + strings.Repeat(" ", width-w)
	}
	return s
}

// Table collects rows of cells and writes them with every column but the
// last padded to its widest cell.
type Table struct {
	// Gap is the number of spaces between columns; 2 when zero.
	Gap int
	// Indent starts every row.
	Indent string
	rows   [][]string
}

// Row adds a row.
func (t *Table) Row(cells ...string) { t.rows = append(t.rows, cells) }

// String renders the table, one line per row.
func (t *Table) String() string {
	gap := t.Gap
	if gap == 0 {
		gap = 2
	}
	var widths []int
	for _, r := range t.rows {
		for i, c := range r {
			if i == len(r)-1 {
				continue
			}
			for len(widths) <= i {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], Width(c))
		}
	}
	var b strings.Builder
	for _, r := range t.rows {
		b.WriteString(t.Indent)
		for i, c := range r {
			if i == len(r)-1 {
				b.WriteString(c)
				break
			}
			b.WriteString(Pad(c, widths[i]+gap))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// WriteTo writes the table to w.
func (t *Table) WriteTo(w io.Writer) (int64, error) {
	n, err := io.WriteString(w, t.String())
	return int64(n), err
}

// Clean makes text from the cluster safe to print: it drops terminal
// escape sequences (colours, cursor moves, window titles, OSC 52 clipboard
// writes) and other control characters, keeping newlines and tabs. A log
// line or a ConfigMap value can hold anything.
func Clean(s string) string {
	if !needsCleaning(s) {
		return s
	}
	s = ansi.Strip(s)
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
			return -1
		}
		return r
	}, s)
}

func needsCleaning(s string) bool {
	for _, r := range s {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			return true
		}
	}
	return false
}
