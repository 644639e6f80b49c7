package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	junit "github.com/joshdk/go-junit"
	"sigs.k8s.io/yaml"

	"github.com/kworkbook/kworkbook/internal/report"
)

// TestClassroomRecipe runs the commands of the documented GitHub Actions
// workflow (docs/examples/grade-workflow.yml), step by step, with a
// student's answers in which one exercise is wrong, and reads the JUnit
// report back with a JUnit parser.
func TestClassroomRecipe(t *testing.T) {
	steps := workflowSteps(t, "../docs/examples/grade-workflow.yml",
		"Create the cluster", "Prepare the lessons", "Apply the student's work", "Grade")
	work := t.TempDir()
	copyDir(t, "testdata/answers", filepath.Join(work, "answers"))
	bin := filepath.Dir(suite.binary)
	state := "KWORKBOOK_STATE_DIR=" + t.TempDir()

	// Start from the lessons' beginning, whatever earlier tests left.
	expect(t, kworkbook(t, []string{state}, "reset", "06", "--yes"), 0)
	expect(t, kworkbook(t, []string{state}, "reset", "07", "--yes"), 0)

	for _, s := range steps {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		cmd := exec.CommandContext(ctx, "bash", "-eo", "pipefail", "-c", s.run)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), state)
		out, err := cmd.CombinedOutput()
		cancel()
		t.Logf("step %q: %s\n%s", s.name, s.run, out)
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		want := 0
		if s.name == "Grade" {
			want = 1 // one exercise is wrong
		}
		if code != want {
			t.Fatalf("step %q: got exit %d, want %d", s.name, code, want)
		}
	}

	suites, err := junit.IngestFile(filepath.Join(work, "reports", "grade.xml"))
	if err != nil {
		t.Fatalf("the JUnit report does not parse: %v", err)
	}
	if len(suites) != 2 || suites[0].Name != "lesson-06" || suites[1].Name != "lesson-07" {
		t.Fatalf("got suites %v, want lesson-06 and lesson-07 in that order", suiteNames(suites))
	}
	var failed []junit.Test
	total := 0
	for _, s := range suites {
		for _, c := range s.Tests {
			total++
			if c.Status == junit.StatusFailed {
				failed = append(failed, c)
			}
		}
	}
	if total != 7 {
		t.Errorf("got %d test cases, want 7", total)
	}
	if len(failed) != 1 || !strings.HasPrefix(failed[0].Name, "hosts:") {
		t.Fatalf("got failures %v, want exactly exercise hosts of lesson-07", failed)
	}
	if msg := failed[0].Error.Error(); !strings.Contains(msg, "coffee.kworkbook.test") || !strings.Contains(msg, `does not contain "coffee-"`) {
		t.Errorf("the failure does not say what was wrong: %q", msg)
	}
}

// TestGradeJSON: the JSON report decodes strictly into the documented
// schema, its scores add up, and reports come out in the order asked.
func TestGradeJSON(t *testing.T) {
	state := "KWORKBOOK_STATE_DIR=" + t.TempDir()
	expect(t, kworkbook(t, []string{state}, "setup", "02"), 0)
	r := kworkbook(t, []string{state}, "grade", "07", "02", "-o", "json", "--timeout", "2s")
	if r.code != 1 && r.code != 0 {
		t.Fatalf("got exit %d, want 0 or 1", r.code)
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	var rep report.Report
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("the JSON report does not match the schema: %v", err)
	}
	if rep.SchemaVersion != report.SchemaVersion || len(rep.Lessons) != 2 || rep.Lessons[0].ID != "lesson-07" || rep.Lessons[1].ID != "lesson-02" {
		t.Fatalf("got schema %d with lessons %v", rep.SchemaVersion, rep.Lessons)
	}
	earned, possible := 0, 0
	for _, l := range rep.Lessons {
		for _, e := range l.Exercises {
			possible += e.Weight
			if e.Status == "pass" {
				earned += e.Weight
			}
		}
	}
	if rep.Score.Earned != earned || rep.Score.Possible != possible {
		t.Errorf("got score %d/%d, want %d/%d", rep.Score.Earned, rep.Score.Possible, earned, possible)
	}
	expect(t, kworkbook(t, nil, "grade", "02", "-o", "report.xml"), 2, "--output-file report.xml")
	expect(t, kworkbook(t, nil, "grade", "lesson-42"), 2, `no lesson "lesson-42"`)
}

type step struct{ name, run string }

func workflowSteps(t *testing.T, path string, names ...string) []step {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				Name string `json:"name"`
				Run  string `json:"run"`
			} `json:"steps"`
		} `json:"jobs"`
	}
	if err := yaml.Unmarshal(raw, &wf); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []step
	for _, n := range names {
		found := false
		for _, s := range wf.Jobs["grade"].Steps {
			if s.Name == n {
				out = append(out, step{n, s.Run})
				found = true
			}
		}
		if !found {
			t.Fatalf("%s has no step %q", path, n)
		}
	}
	return out
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func suiteNames(ss []junit.Suite) []string {
	var n []string
	for _, s := range ss {
		n = append(n, s.Name)
	}
	return n
}
