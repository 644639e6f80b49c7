package lessons_test

import (
	"strings"
	"testing"

	"github.com/kworkbook/kworkbook/lessons"
)

// koEdition is a Korean edition of the base lesson, current with it.
func koEdition(t *testing.T) map[string]string {
	t.Helper()
	cat, probs := problemsOf(t, lessonFS(nil))
	if len(probs) > 0 {
		t.Fatal(problemLines(probs))
	}
	l := cat.Lessons[0]
	en := l.Prose.Block("one")
	readme := "---\ntitle: 시험\nsummary: 시험용 레슨입니다.\ndocs: [https://kubernetes.io/ko/docs/concepts/workloads/pods/]\nsource: " +
		lessons.SourceHash(lessons.ProseSource(l.Prose)) + "\n---\n\n# 시험\n\n```exercise\nid: one\ntitle: 파드 web을 실행하세요\nhints:\n  - 살짝 힌트.\n  - \"답: kubectl run web --image=nginx:1.27 -n kw-test\"\nsource: " +
		lessons.SourceHash(lessons.BlockSource(en)) + "\n```\n\n실행하세요.\n"
	return map[string]string{"README.ko.md": readme}
}

func TestEditionIn(t *testing.T) {
	files := koEdition(t)
	spec := strings.Replace(baseSpec, "        name: web\n", "        name: web\n        message: there must be a pod web\n", 1)
	files["lesson.yaml"] = spec
	files["lesson.ko.yaml"] = "messages:\n  one:\n    exists: {text: 파드 web이 있어야 합니다, source: " + lessons.SourceHash("there must be a pod web") + "}\n"
	cat, probs := problemsOf(t, lessonFS(files))
	if len(probs) > 0 {
		t.Fatal(problemLines(probs))
	}
	en := cat.Lessons[0]
	ko := en.In("ko")
	if ko.Title() != "시험" || ko.Lang != "ko" || !strings.Contains(string(ko.Prose.Body()), "실행하세요") {
		t.Errorf("got title %q lang %q, want the Korean edition", ko.Title(), ko.Lang)
	}
	e := ko.Exercise("one")
	if e.Title != "파드 web을 실행하세요" || e.Hints[0] != "살짝 힌트." || e.Checks[0].Message != "파드 web이 있어야 합니다" {
		t.Errorf("got %q %q %q, want the Korean title, hints and message", e.Title, e.Hints, e.Checks[0].Message)
	}
	if en.Exercise("one").Title != "Run a pod named web" || en.Exercise("one").Checks[0].Message != "there must be a pod web" {
		t.Error("got the English lesson changed by In, want it left alone")
	}
	if got := en.Langs(); strings.Join(got, ",") != "en,ko" {
		t.Errorf("got langs %v, want en,ko", got)
	}
	if fr := en.In("fr"); fr != en {
		t.Error("got a copy for a language with no edition, want the English lesson")
	}
	ps, st := cat.LintEdition("ko")
	if len(ps) != 0 || st.String() != "ko: 1/1 lessons, 1/1 exercises, 1/1 messages, 0 stale" {
		t.Errorf("got %v %s, want a complete edition", ps, st)
	}
}

// TestEditionStale: when the English changes, lint names each stale
// translation and the learner reads the English item instead.
func TestEditionStale(t *testing.T) {
	files := koEdition(t)
	files["README.md"] = strings.Replace(strings.Replace(baseReadme, "A nudge.", "A better nudge.", 1), "Run it.", "Run it now.", 1)
	files["lesson.ko.yaml"] = "messages:\n  one:\n    exists: {text: 없음, source: 00000000}\n    nope: {text: x, source: 00000000}\n  two:\n    a: {text: x, source: 1}\n"
	cat, probs := problemsOf(t, lessonFS(files))
	if len(probs) > 0 {
		t.Fatal(problemLines(probs))
	}
	ko := cat.Lessons[0].In("ko")
	if e := ko.Exercise("one"); e.Hints[0] != "A better nudge." || e.Title != "Run a pod named web" {
		t.Errorf("got %q %q, want the English block for a stale translation", e.Title, e.Hints)
	}
	ps, st := cat.LintEdition("ko")
	assertProblems(t, ps, []want{
		{lessonDir + "/README.ko.md:1", "stale: " + lessonDir + "/README.md changed"},
		{lessonDir + "/README.ko.md:10", `stale: exercise "one" changed`},
		{lessonDir + "/lesson.ko.yaml:3", `check "exists" of exercise "one" has no message`},
		{lessonDir + "/lesson.ko.yaml:4", `exercise "one" has no check "nope"`},
		{lessonDir + "/lesson.ko.yaml:6", `no exercise "two"`},
	})
	if st.Stale != 2 || st.ExercisesDone != 0 {
		t.Errorf("got %s, want 2 stale", st)
	}
}

func TestEditionMissingBlock(t *testing.T) {
	files := koEdition(t)
	files["README.ko.md"] = files["README.ko.md"][:strings.Index(files["README.ko.md"], "```exercise")] + "끝.\n"
	cat, _ := problemsOf(t, lessonFS(files))
	ps, st := cat.LintEdition("ko")
	assertProblems(t, ps, []want{{lessonDir + "/lesson.yaml:5", `exercise "one" has no ` + "```exercise block in " + lessonDir + "/README.ko.md"}})
	if st.ExercisesDone != 0 || st.Exercises != 1 {
		t.Errorf("got %s", st)
	}
}
