package render_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/kworkbook/kworkbook/internal/render"
	"github.com/kworkbook/kworkbook/lessons"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// failing is the message of a failing exercise in the golden files: two
// lines (only the first is shown) with characters Markdown would eat.
const failing = "Pod web: spec.containers[name=web].image is `busybox:1.37`; expected *nginx:1.27* <img>\nevidence on a second line"

// fixedStatus marks exercises passed, failing and unknown in turn.
func fixedStatus(l *lessons.Lesson) map[string]render.Status {
	st := map[string]render.Status{}
	for i, e := range l.Spec.Exercises {
		switch i % 3 {
		case 0:
			st[e.ID] = render.Status{State: render.Passed}
		case 1:
			st[e.ID] = render.Status{State: render.Failing, Message: failing}
		}
	}
	return st
}

// golden compares got with the file, or rewrites it under -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("got %v, want a golden file (run go test ./internal/render -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("got output different from %s (run go test ./internal/render -update to accept it):\n%s", path, diff(string(want), string(got)))
	}
}

// diff shows the first differing line, enough to see what changed.
func diff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  got  " + quote(g) + "\n  want " + quote(w)
		}
	}
	return "(same lines, different bytes)"
}

func quote(s string) string { return "`" + strings.ReplaceAll(s, "\x1b", `\x1b`) + "`" }

// TestLesson renders every embedded lesson at width 80, plain and dark,
// with some exercises passed, some failing and some unknown.
func TestLesson(t *testing.T) {
	cat, err := lessons.LoadDefault("")
	if err != nil {
		t.Skipf("the embedded lessons have problems (lessons.TestEmbeddedLessonsValidate reports them): %v", err)
	}
	want := map[string]bool{}
	for _, l := range cat.Lessons {
		for _, style := range []string{render.StylePlain, render.StyleDark} {
			name := l.ID + "." + style + ".golden"
			want[name] = true
			t.Run(l.ID+"/"+style, func(t *testing.T) {
				out, err := render.Lesson(l, fixedStatus(l), render.Options{Width: 80, Style: style})
				if err != nil {
					t.Fatalf("got %v, want the lesson rendered", err)
				}
				golden(t, filepath.Join("testdata", "TestLesson", name), []byte(out))
			})
		}
	}
	// Golden files of lessons that are gone would hide nothing, but mislead.
	files, _ := filepath.Glob(filepath.Join("testdata", "TestLesson", "*.golden"))
	for _, f := range files {
		if want[filepath.Base(f)] {
			continue
		}
		if *update {
			os.Remove(f)
			continue
		}
		t.Errorf("got golden file %s for no embedded lesson, want it removed (run go test ./internal/render -update)", f)
	}
}

func TestLessonStatusLines(t *testing.T) {
	cat, err := lessons.Load(fstest.MapFS{
		"07-demo/README.md": {Data: []byte("---\ntitle: Demo\ndocs: [https://kubernetes.io/docs/]\n---\n\n# Demo\n\n" +
			"```exercise\nid: a\ntitle: Make *web* with_underscores\nhints: [x, y]\n```\n\nTask a.\n\n" +
			"```exercise\nid: b\ntitle: Two\nhints: [x, y]\n```\n\nTask b.\n\n" +
			"```exercise\nid: c\ntitle: Three\nhints: [x, y]\n```\n\nTask c.\n")},
		"07-demo/lesson.yaml": {Data: []byte("namespaces: [kw-demo]\nexercises:\n" +
			"  - {id: a, checks: [{kind: Pod}], solution: {commands: [kubectl get pods]}}\n" +
			"  - {id: b, checks: [{kind: Pod}], solution: {commands: [kubectl get pods]}}\n" +
			"  - {id: c, checks: [{kind: Pod}], solution: {commands: [kubectl get pods]}}\n")},
	}, "test")
	if err != nil {
		t.Fatalf("test setup: %v", err)
	}
	l := cat.Lessons[0]
	md := render.LessonMarkdown(l, fixedStatus(l), nil)
	for _, want := range []string{
		"**Exercise 1 of 3 · Make \\*web\\* with\\_underscores** (`a`)",
		"\n✓ done\n",
		"**Exercise 2 of 3 · Two** (`b`)",
		"\n✗ not yet: Pod web: spec.containers\\[name=web].image is 'busybox:1.37'; expected \\*nginx:1.27\\* &lt;img>\n",
		"\n○ to do — when you are done, run `kworkbook check lesson-07 c`",
		"Task a.", "Task c.",
		"Check your work with `kworkbook check lesson-07`; stuck on one? `kworkbook hint lesson-07 EXERCISE`.",
		"Further reading:\n\n- https://kubernetes.io/docs/\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("got Markdown:\n%s\nwant it to contain %q", md, want)
		}
	}
	for _, gone := range []string{"```exercise", "hints:", "evidence on a second line", "title: Demo"} {
		if strings.Contains(md, gone) {
			t.Errorf("got Markdown:\n%s\nwant no %q", md, gone)
		}
	}

	out, err := render.Lesson(l, fixedStatus(l), render.Options{Width: 60, Style: render.StylePlain})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Make *web* with_underscores", "expected *nginx:1.27* <img>", "✓ done"} {
		if !strings.Contains(out, want) {
			t.Errorf("got plain output:\n%s\nwant %q shown literally", out, want)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("got escape codes in the plain style, want none")
	}
	for _, line := range strings.Split(out, "\n") {
		if n := len([]rune(line)); n > 60 {
			t.Errorf("got a line of %d characters, want at most 60: %q", n, line)
		}
	}
}

func TestMarkdownStyles(t *testing.T) {
	for _, style := range []string{render.StylePlain, render.StyleDark, render.StyleLight, ""} {
		out, err := render.Markdown("# Title\n\nSome **bold** text.\n", render.Options{Style: style})
		if err != nil {
			t.Errorf("style %q: got %v, want output", style, err)
			continue
		}
		if colored := strings.Contains(out, "\x1b["); colored != (style == render.StyleDark || style == render.StyleLight) {
			t.Errorf("style %q: got escape codes %v, want them only in dark and light", style, colored)
		}
	}
	if _, err := render.Markdown("x", render.Options{Style: "no-such-style"}); err == nil {
		t.Error("got no error for an unknown style, want one")
	}
}

func TestChooseStyle(t *testing.T) {
	dark := func() bool { return true }
	light := func() bool { return false }
	tests := []struct {
		name    string
		tty     bool
		noColor bool
		bg      func() bool
		want    string
	}{
		{"not a terminal", false, false, dark, render.StylePlain},
		{"NO_COLOR", true, true, dark, render.StylePlain},
		{"not a terminal and NO_COLOR", false, true, light, render.StylePlain},
		{"dark terminal", true, false, dark, render.StyleDark},
		{"light terminal", true, false, light, render.StyleLight},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := render.ChooseStyle(tt.tty, tt.noColor, tt.bg); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
	// The background is only asked about on a terminal with colours.
	asked := false
	render.ChooseStyle(false, false, func() bool { asked = true; return true })
	if asked {
		t.Error("got the terminal asked for its background, want no question when output is not a terminal")
	}
}
