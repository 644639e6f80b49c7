package render_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/kworkbook/kworkbook/internal/locale"
	"github.com/kworkbook/kworkbook/internal/render"
	"github.com/kworkbook/kworkbook/lessons"
)

// koreanLessons are the lessons rendered in Korean: a fixture with what
// breaks terminal layout (unspaced Hangul runs, tables, · — … •), and every
// built-in lesson that has a Korean edition.
func koreanLessons(t *testing.T) []*lessons.Lesson {
	t.Helper()
	fixture, err := lessons.Load(os.DirFS("testdata/ko"), "testdata/ko")
	if err != nil {
		t.Fatalf("test setup: %v", err)
	}
	out := []*lessons.Lesson{fixture.Lessons[0].In("ko")}
	cat, err := lessons.LoadDefault("")
	if err == nil {
		for _, l := range cat.Lessons {
			if ko := l.In("ko"); ko != l {
				out = append(out, ko)
			}
		}
	}
	return out
}

// TestKoreanRenderHelper renders for TestKoreanGoldens in a process of its
// own: go-runewidth reads LANG once, when the process starts.
func TestKoreanRenderHelper(t *testing.T) {
	if os.Getenv("KWORKBOOK_RENDER_HELPER") != "1" {
		t.Skip("run by TestKoreanGoldens")
	}
	var width int
	fmt.Sscan(os.Getenv("KWORKBOOK_RENDER_WIDTH"), &width)
	for _, l := range koreanLessons(t) {
		out, err := render.Lesson(l, fixedStatus(l), render.Options{Width: width, Style: os.Getenv("KWORKBOOK_RENDER_STYLE"), Printer: locale.New("ko")})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("=== %s\n%s", l.ID, out)
	}
}

// TestKoreanGoldens: a Korean lesson renders the same whatever the locale
// says (LANG=ko_KR.UTF-8 makes go-runewidth count · — … as two columns),
// wraps unspaced Hangul, and no line is wider than the terminal.
func TestKoreanGoldens(t *testing.T) {
	for _, width := range []int{40, 80} {
		for _, style := range []string{render.StylePlain, render.StyleDark} {
			t.Run(fmt.Sprintf("%d-%s", width, style), func(t *testing.T) {
				outs := map[string]string{}
				for _, lang := range []string{"ko_KR.UTF-8", "C.UTF-8"} {
					cmd := exec.Command(os.Args[0], "-test.run=^TestKoreanRenderHelper$", "-test.v=false")
					cmd.Env = append(os.Environ(), "KWORKBOOK_RENDER_HELPER=1", "LANG="+lang, "LC_ALL="+lang,
						fmt.Sprintf("KWORKBOOK_RENDER_WIDTH=%d", width), "KWORKBOOK_RENDER_STYLE="+style)
					var out bytes.Buffer
					cmd.Stdout, cmd.Stderr = &out, &out
					if err := cmd.Run(); err != nil {
						t.Fatalf("LANG=%s: %v\n%s", lang, err, out.String())
					}
					outs[lang] = strings.TrimSuffix(strings.TrimSpace(out.String()), "PASS")
				}
				if outs["ko_KR.UTF-8"] != outs["C.UTF-8"] {
					t.Errorf("got different output under LANG=ko_KR.UTF-8 and LANG=C.UTF-8:\n%s", diff(outs["C.UTF-8"], outs["ko_KR.UTF-8"]))
				}
				for i, line := range strings.Split(outs["C.UTF-8"], "\n") {
					if w := ansi.StringWidth(line); w > width {
						t.Errorf("line %d is %d columns wide, more than %d: %q", i+1, w, width, ansi.Strip(line))
					}
				}
				golden(t, filepath.Join("testdata", "TestKoreanGoldens", fmt.Sprintf("%d.%s.golden", width, style)), []byte(outs["C.UTF-8"]))
			})
		}
	}
}
