package e2e

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// TestKoreanEdition checks a whole lesson in Korean on the real cluster,
// half done, and compares it with the English run: the same exit code and
// the same verdict for every exercise, Korean words in the Korean one, and
// reports that stay English (with "lang": "en") unless --lang asks.
func TestKoreanEdition(t *testing.T) {
	state := []string{"KWORKBOOK_STATE_DIR=" + t.TempDir()}
	expect(t, kworkbook(t, state, "reset", "05", "--yes"), 0)
	expect(t, kworkbook(t, state, "solve", "05", "create"), 0)
	expect(t, kworkbook(t, state, "solve", "05", "scale"), 0)

	en := kworkbook(t, state, "check", "05", "--timeout", "2m")
	ko := kworkbook(t, append(state, "LANG=ko_KR.UTF-8"), "check", "05", "--timeout", "2m")
	expect(t, ko, en.code, "통과")
	if en.code != 1 {
		t.Errorf("got exit %d in English, want 1 (half done)", en.code)
	}
	marks := regexp.MustCompile(`(?m)^ ([✓✗!]) (\d)\. (\S+)`)
	em, km := marks.FindAllStringSubmatch(en.stdout, -1), marks.FindAllStringSubmatch(ko.stdout, -1)
	if len(em) != 5 || len(km) != len(em) {
		t.Fatalf("got %d English and %d Korean exercise lines, want 5 each", len(em), len(km))
	}
	for i := range em {
		if em[i][1] != km[i][1] || em[i][3] != km[i][3] {
			t.Errorf("exercise %s: got %s in English, %s in Korean", em[i][3], em[i][1], km[i][1])
		}
	}
	if !regexp.MustCompile(`[가-힣]`).MatchString(ko.stdout) {
		t.Errorf("got no Korean in:\n%s", ko.stdout)
	}

	type report struct {
		Lang    string `json:"lang"`
		Lessons []struct {
			Exercises []struct {
				ID     string `json:"id"`
				Status string `json:"status"`
				Title  string `json:"title"`
			} `json:"exercises"`
		} `json:"lessons"`
	}
	read := func(r result) report {
		t.Helper()
		var rep report
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || len(rep.Lessons) != 1 {
			t.Fatalf("got %v parsing\n%s", err, r.stdout)
		}
		return rep
	}
	enJSON := read(kworkbook(t, append(state, "LANG=ko_KR.UTF-8"), "grade", "05", "-o", "json"))
	koJSON := read(kworkbook(t, state, "--lang", "ko", "grade", "05", "-o", "json"))
	if enJSON.Lang != "en" || koJSON.Lang != "ko" {
		t.Errorf("got lang %q under LANG=ko_KR.UTF-8 and %q with --lang ko, want en and ko", enJSON.Lang, koJSON.Lang)
	}
	for i, e := range enJSON.Lessons[0].Exercises {
		k := koJSON.Lessons[0].Exercises[i]
		if e.ID != k.ID || e.Status != k.Status {
			t.Errorf("got %s %s in English, %s %s in Korean", e.ID, e.Status, k.ID, k.Status)
		}
		if regexp.MustCompile(`[가-힣]`).MatchString(e.Title) {
			t.Errorf("got a Korean title %q in the English report", e.Title)
		}
	}
	if !strings.Contains(kworkbook(t, state, "--lang", "ko", "hint", "05", "scale").stdout, "힌트") &&
		!strings.Contains(kworkbook(t, state, "--lang", "ko", "hint", "05", "scale").stdout, "귀띔") {
		t.Error("got no Korean hint ladder")
	}
	expect(t, kworkbook(t, state, "reset", "05", "--yes"), 0)
}
