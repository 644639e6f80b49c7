package lessons_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kworkbook/kworkbook/lessons"
)

// TestEmbeddedLessonsValidate guards every lesson shipped in the binary:
// each one must load without a single problem, as lessons lint demands.
func TestEmbeddedLessonsValidate(t *testing.T) {
	cat, err := lessons.Load(lessons.Embedded(), "embedded")
	if err != nil {
		t.Fatalf("got %v, want the embedded lessons to load without problems", err)
	}
	if len(cat.Lessons) == 0 {
		t.Fatal("got no embedded lessons, want at least one")
	}
	for i, l := range cat.Lessons {
		t.Run(l.ID, func(t *testing.T) {
			if i > 0 && cat.Lessons[i-1].Number >= l.Number {
				t.Errorf("got %s after %s, want lessons in increasing order", l.ID, cat.Lessons[i-1].ID)
			}
			if l.Source != "embedded" {
				t.Errorf("got source %q, want embedded", l.Source)
			}
			for _, e := range l.Spec.Exercises {
				if e.Title == "" || len(e.Hints) < 2 {
					t.Errorf("exercise %s: got title %q and %d hints, want a title and a hint ladder", e.ID, e.Title, len(e.Hints))
				}
			}
			// Every manifest in the folder must parse, referenced or not: an
			// author may be about to name it.
			err := fs.WalkDir(l.FS, l.Dir, func(p string, d fs.DirEntry, err error) error {
				base := path0(p, l.Dir)
				if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") || strings.HasPrefix(base, "lesson.") {
					return err
				}
				_, err = l.ReadManifest(base)
				return err
			})
			if err != nil {
				t.Errorf("got %v, want every manifest of the lesson to parse", err)
			}
		})
	}
}

func path0(p, dir string) string { return strings.TrimPrefix(strings.TrimPrefix(p, dir), "/") }

func TestFind(t *testing.T) {
	cat, probs := problemsOf(t, withLesson(withLesson(lessonFS(nil), "05-deployments"), "12-network-policies"))
	if len(probs) > 0 {
		t.Fatalf("got problems:%s", problemLines(probs))
	}
	tests := []struct {
		id   string
		want string
	}{
		{"lesson-05", "lesson-05"},
		{"05", "lesson-05"},
		{"5", "lesson-05"},
		{"deployments", "lesson-05"},
		{"05-deployments", "lesson-05"},
		{"Lesson-05", "lesson-05"},
		{" 5 ", "lesson-05"},
		{"lesson5", "lesson-05"},
		{"1", "lesson-01"},
		{"testing", "lesson-01"},
		{"12", "lesson-12"},
		{"network-policies", "lesson-12"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			l, err := cat.Find(tt.id)
			if err != nil {
				t.Fatalf("got error %v, want %s", err, tt.want)
			}
			if l.ID != tt.want {
				t.Errorf("got %s, want %s", l.ID, tt.want)
			}
		})
	}
}

func TestFindUnknown(t *testing.T) {
	cat, probs := problemsOf(t, withLesson(lessonFS(nil), "05-deployments"))
	if len(probs) > 0 {
		t.Fatalf("got problems:%s", problemLines(probs))
	}
	for _, id := range []string{"lesson-07", "7", "deploy", "", "lesson-"} {
		t.Run(id, func(t *testing.T) {
			l, err := cat.Find(id)
			if err == nil {
				t.Fatalf("got %s, want an error", l.ID)
			}
			if !errors.Is(err, lessons.ErrUnknownLesson) {
				t.Errorf("got %v, want an error wrapping ErrUnknownLesson", err)
			}
			var ue *lessons.UnknownLessonError
			if !errors.As(err, &ue) {
				t.Fatalf("got %T, want *UnknownLessonError", err)
			}
			if want := []string{"lesson-01", "lesson-05"}; !slices.Equal(ue.Valid, want) {
				t.Errorf("got valid ids %v, want %v", ue.Valid, want)
			}
			for _, want := range []string{"lesson-01", "lesson-05"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("got message %q, want it to list %s", err, want)
				}
			}
		})
	}
}

func TestFindExercise(t *testing.T) {
	spec := baseSpec + "  - id: two\n    checks: [{kind: Pod}]\n    solution: {commands: [kubectl get pods]}\n"
	readme := baseReadme + "\n```exercise\nid: two\ntitle: Two\nhints: [a, b]\n```\n"
	cat, probs := problemsOf(t, lessonFS(map[string]string{"lesson.yaml": spec, "README.md": readme}))
	if len(probs) > 0 {
		t.Fatalf("got problems:%s", problemLines(probs))
	}
	l := cat.Lessons[0]
	for _, tt := range []struct{ arg, want string }{{"one", "one"}, {"two", "two"}, {"1", "one"}, {"2", "two"}} {
		e, err := l.FindExercise(tt.arg)
		if err != nil || e.ID != tt.want {
			t.Errorf("FindExercise(%q): got %v, %v; want %s", tt.arg, e, err, tt.want)
		}
	}
	if e := l.Exercise("two"); e == nil || e.Index != 2 || e.Title != "Two" {
		t.Errorf("got exercise two %+v, want index 2 and the title from its block", e)
	}
	for _, arg := range []string{"three", "0", "3", ""} {
		_, err := l.FindExercise(arg)
		if !errors.Is(err, lessons.ErrUnknownExercise) {
			t.Errorf("FindExercise(%q): got %v, want ErrUnknownExercise", arg, err)
		}
		if err != nil && !strings.Contains(err.Error(), "one, two") {
			t.Errorf("FindExercise(%q): got %q, want it to list the exercises", arg, err)
		}
	}
}

// writeLesson writes the base lesson, with changes, into dir/name.
func writeLesson(t *testing.T, dir, name string, changes map[string]string) {
	t.Helper()
	for file, f := range lessonFS(changes) {
		p := filepath.Join(dir, name, strings.TrimPrefix(file, lessonDir+"/"))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// validEmbedded returns the embedded catalog, skipping tests that build on it
// while it has problems (TestEmbeddedLessonsValidate reports those).
func validEmbedded(t *testing.T) *lessons.Catalog {
	t.Helper()
	cat, err := lessons.LoadDefault("")
	if err != nil {
		t.Skipf("the embedded lessons have problems (see TestEmbeddedLessonsValidate): %v", err)
	}
	return cat
}

func TestLoadDefaultOverride(t *testing.T) {
	embedded := validEmbedded(t)
	first := embedded.Lessons[0]

	dir := t.TempDir()
	// One lesson replaces the first embedded lesson (same number, another
	// slug); another one is new.
	replaced := strings.TrimPrefix(first.ID, "lesson-") + "-my-version"
	writeLesson(t, dir, replaced, map[string]string{"README.md": replace(t, baseReadme, "title: Testing", "title: My version")})
	writeLesson(t, dir, "99-extra", nil)

	cat, err := lessons.LoadDefault(dir)
	if err != nil {
		t.Fatalf("got %v, want no error", err)
	}
	if got, want := len(cat.Lessons), len(embedded.Lessons)+1; got != want {
		t.Fatalf("got %d lessons, want %d (the embedded ones, one replaced, plus one)", got, want)
	}
	l, err := cat.Find(first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if l.Title() != "My version" || l.Source != dir || l.Dir != replaced {
		t.Errorf("got %s titled %q from %q (%s), want the override's lesson from %s", l.ID, l.Title(), l.Source, l.Dir, dir)
	}
	if _, err := cat.Find("99"); err != nil {
		t.Errorf("got %v, want the override's new lesson 99", err)
	}
	for i := 1; i < len(cat.Lessons); i++ {
		if cat.Lessons[i-1].Number >= cat.Lessons[i].Number {
			t.Errorf("got %v, want lessons in increasing order", cat.IDs())
		}
	}
}

func TestLoadDefaultOverrideProblems(t *testing.T) {
	validEmbedded(t)
	dir := t.TempDir()
	writeLesson(t, dir, "98-broken", map[string]string{"lesson.yaml": replace(t, baseSpec, "        name: web", "        nmae: web")})
	cat, err := lessons.LoadDefault(dir)
	if !errors.Is(err, lessons.ErrInvalid) {
		t.Fatalf("got %v, want an error wrapping ErrInvalid", err)
	}
	var pe *lessons.ProblemsError
	if !errors.As(err, &pe) || len(pe.Problems) != 1 || pe.Problems[0].Pos.String() != "98-broken/lesson.yaml:9" {
		t.Errorf("got %v, want one problem at 98-broken/lesson.yaml:9", err)
	}
	if cat == nil {
		t.Fatal("got no catalog, want the lessons that loaded")
	}
	if _, err := cat.Find("98"); err != nil {
		t.Errorf("got %v, want the broken lesson still listed (it parsed)", err)
	}
}

func TestLoadDefaultMissingDir(t *testing.T) {
	for _, dir := range []string{filepath.Join(t.TempDir(), "nope"), writeFile(t, "file.txt", "not a folder")} {
		_, err := lessons.LoadDefault(dir)
		if !errors.Is(err, lessons.ErrNoDir) {
			t.Errorf("LoadDefault(%s): got %v, want ErrNoDir", dir, err)
		}
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLessonAccessors(t *testing.T) {
	cat, _ := problemsOf(t, lessonFS(map[string]string{"README.md": replace(t, baseReadme, "title: Testing\n", "\n")}))
	l := cat.Lessons[0]
	if got := l.Title(); got != "testing" {
		t.Errorf("Title without a title: got %q, want the slug", got)
	}
	if got := l.Namespace(); got != "kw-test" {
		t.Errorf("Namespace: got %q, want kw-test", got)
	}
	e := l.Exercise("one")
	for _, tt := range []struct{ weight, want int }{{0, 1}, {-2, 1}, {3, 3}} {
		e.Weight = tt.weight
		if got := e.EffectiveWeight(); got != tt.want {
			t.Errorf("weight %d: got %d, want %d", tt.weight, got, tt.want)
		}
	}
	if got := l.Exercise("nope"); got != nil {
		t.Errorf("Exercise(nope): got %v, want nil", got)
	}
	steps := e.NearMisses[0].Steps()
	if len(steps.Commands) != 1 || steps.Pos.Line != 13 || steps.Empty() {
		t.Errorf("got near miss steps %+v, want its one command at line 13", steps)
	}
	if !(lessons.Steps{}).Empty() {
		t.Error("got a zero Steps not empty, want empty")
	}
}

// TestLoadOverrideFixesBase: an author fixing a lesson in --lessons-dir sees
// the problems of their copy, not those of the (stale) built-in one.
func TestLoadOverrideFixesBase(t *testing.T) {
	base := withLesson(withLesson(lessonFS(nil), "02-broken"), "03-no-readme")
	base["02-broken/lesson.yaml"].Data = []byte(replace(t, baseSpec, "        name: web", "        nmae: web"))
	delete(base, "03-no-readme/README.md")
	if _, probs := problemsOf(t, base); len(probs) != 2 {
		t.Fatalf("test setup: got base problems:%s\nwant 2", problemLines(probs))
	}

	t.Run("override replaces both broken lessons", func(t *testing.T) {
		dir := t.TempDir()
		writeLesson(t, dir, "02-fixed", nil)
		writeLesson(t, dir, "03-fixed", nil)
		cat, err := lessons.LoadOverride(base, "embedded", dir)
		if err != nil {
			t.Fatalf("got %v, want no problems: the override replaces every broken lesson", err)
		}
		if got, want := strings.Join(cat.IDs(), " "), "lesson-01 lesson-02 lesson-03"; got != want {
			t.Errorf("got %s, want %s", got, want)
		}
		if l, _ := cat.Find("2"); l == nil || l.Source != dir {
			t.Errorf("got lesson 2 %+v, want it from %s", l, dir)
		}
	})
	t.Run("override replaces one", func(t *testing.T) {
		dir := t.TempDir()
		writeLesson(t, dir, "02-fixed", nil)
		_, err := lessons.LoadOverride(base, "embedded", dir)
		var pe *lessons.ProblemsError
		if !errors.As(err, &pe) || len(pe.Problems) != 1 || pe.Problems[0].Pos.File != "03-no-readme/README.md" {
			t.Errorf("got %v, want only the problem of lesson 03, which the override does not replace", err)
		}
	})
	t.Run("broken override", func(t *testing.T) {
		dir := t.TempDir()
		writeLesson(t, dir, "02-fixed", map[string]string{"lesson.yaml": replace(t, baseSpec, "setup:", "setpu:")})
		_, err := lessons.LoadOverride(base, "embedded", dir)
		var pe *lessons.ProblemsError
		if !errors.As(err, &pe) {
			t.Fatalf("got %v, want problems", err)
		}
		var got []string
		for _, p := range pe.Problems {
			got = append(got, p.Pos.String())
		}
		if want := "02-fixed/lesson.yaml:2 03-no-readme/README.md"; strings.Join(got, " ") != want {
			t.Errorf("got problems at %v, want at %s", got, want)
		}
	})
}
