package layout

import (
	"strings"
	"testing"
)

func TestWidth(t *testing.T) {
	for s, want := range map[string]int{
		"web":                     3,
		"\x1b[32m✓\x1b[0m web":    5,
		"디플로이먼트":                  12,
		"· — … •":                 7,
		"\x1b[1mlesson-05\x1b[0m": 9,
	} {
		if got := Width(s); got != want {
			t.Errorf("Width(%q): got %d, want %d", s, got, want)
		}
	}
}

// TestTableAligns: columns line up on screen whatever the cells hold.
func TestTableAligns(t *testing.T) {
	tb := &Table{}
	tb.Row("LESSON", "TITLE", "NEXT")
	tb.Row("\x1b[32m✓ \x1b[0mlesson-01", "아키텍처", "-")
	tb.Row("  lesson-02", "Your first workload", "run")
	tb.Row("  lesson-03", "네임스페이스 · namespaces", "create-ns")
	lines := strings.Split(strings.TrimRight(tb.String(), "\n"), "\n")
	col := -1
	for _, l := range lines {
		// The last column starts at the same screen column on every line.
		last := strings.LastIndex(l, "  ")
		if c := Width(l[:last+2]); col == -1 {
			col = c
		} else if c != col {
			t.Errorf("got the last column at %d in %q, want %d", c, l, col)
		}
	}
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"plain text\nline two\tcol":         "plain text\nline two\tcol",
		"\x1b[31mred\x1b[0m":                "red",
		"title\x1b]0;pwned\x07 after":       "title after",
		"clip\x1b]52;c;ZXZpbA==\x1b\\board": "clipboard",
		"bell\x07 back\x08space\r carriage": "bell backspace carriage",
		"c1\u009b31m csi":                   "c131m csi",
		"한국어 · — … ✓":                       "한국어 · — … ✓",
		"\x1b[2J\x1b[Hcleared":              "cleared",
	} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q): got %q, want %q", in, got, want)
		}
	}
}
