package report

import (
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kworkbook/kworkbook/internal/layout"
	"github.com/kworkbook/kworkbook/internal/locale"
)

// Class is a whole class's grading: one report per student.
type Class struct {
	SchemaVersion int       `json:"schemaVersion"`
	Tool          string    `json:"tool"`
	Version       string    `json:"version"`
	Lang          string    `json:"lang"`
	Context       string    `json:"context"`
	Started       time.Time `json:"started"`
	Seconds       float64   `json:"durationSeconds"`
	Students      []Student `json:"students"`
}

// Student is one student's report.
type Student struct {
	ID      string   `json:"id"`
	Score   Score    `json:"score"`
	Seconds float64  `json:"durationSeconds"`
	Lessons []Lesson `json:"lessons"`
	// Skipped names lessons not graded for the student, and why.
	Skipped map[string]string `json:"skipped,omitempty"`
}

// Add appends a student's lessons, already added to r.
func (c *Class) Add(id string, r *Report, skipped map[string]string, seconds float64) {
	c.Students = append(c.Students, Student{ID: id, Score: r.Score, Seconds: round(seconds), Lessons: r.Lessons, Skipped: skipped})
}

// Counts returns how many exercises passed, failed and errored in all.
func (c *Class) Counts() (pass, fail, errs int) {
	for _, s := range c.Students {
		r := Report{Lessons: s.Lessons}
		p, f, e := r.Counts()
		pass, fail, errs = pass+p, fail+f, errs+e
	}
	return pass, fail, errs
}

// columns are the graded exercises, lesson/exercise, in order.
func (c *Class) columns() []string {
	var cols []string
	seen := map[string]bool{}
	for _, s := range c.Students {
		for _, l := range s.Lessons {
			for _, e := range l.Exercises {
				k := l.ID + "/" + e.ID
				if !seen[k] {
					seen[k] = true
					cols = append(cols, k)
				}
			}
		}
	}
	return cols
}

func (s Student) status(col string) string {
	lesson, ex, _ := strings.Cut(col, "/")
	for _, l := range s.Lessons {
		if l.ID != lesson {
			continue
		}
		for _, e := range l.Exercises {
			if e.ID == ex {
				return e.Status
			}
		}
	}
	return ""
}

// WriteText writes a table, a row per student and a column per exercise
// (✓ pass, ✗ fail, ! error), with each student's score.
func (c *Class) WriteText(w io.Writer, p *locale.Printer) error {
	p = p.Or()
	cols := c.columns()
	t := &layout.Table{Gap: 1}
	head := []string{p.T("class.grade.student")}
	for i := range cols {
		head = append(head, strconv.Itoa(i+1))
	}
	t.Row(append(head, p.T("class.grade.score"))...)
	for _, s := range c.Students {
		row := []string{s.ID}
		for _, col := range cols {
			row = append(row, map[string]string{"pass": "✓", "fail": "✗", "error": "!", "": "-"}[s.status(col)])
		}
		t.Row(append(row, fmt.Sprintf("%d/%d (%.0f%%)", s.Score.Earned, s.Score.Possible, s.Score.Percent))...)
	}
	var b strings.Builder
	b.WriteString(t.String())
	b.WriteString("\n")
	for i, col := range cols {
		fmt.Fprintf(&b, "%d: %s\n", i+1, col)
	}
	for _, s := range c.Students {
		keys := make([]string, 0, len(s.Skipped))
		for k := range s.Skipped {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "%s: %s\n", s.ID, s.Skipped[k])
		}
	}
	pass, fail, errs := c.Counts()
	fmt.Fprintln(&b, p.T("class.grade.summary", "Students", len(c.Students), "Passed", pass, "Failed", fail, "Errors", errs,
		"Seconds", fmt.Sprintf("%.1f", c.Seconds)))
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteCSV writes one row per student and exercise: student, lesson,
// exercise, status, weight, earned.
func (c *Class) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"student", "lesson", "exercise", "status", "weight", "earned"}); err != nil {
		return err
	}
	for _, s := range c.Students {
		for _, l := range s.Lessons {
			for _, e := range l.Exercises {
				earned := 0
				if e.Status == "pass" {
					earned = e.Weight
				}
				if err := cw.Write([]string{s.ID, l.ID, e.ID, e.Status, strconv.Itoa(e.Weight), strconv.Itoa(earned)}); err != nil {
					return err
				}
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteJSON writes the class report as indented JSON.
func (c *Class) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(c)
}

// WriteJUnit writes one test suite per student, one test case per
// lesson exercise.
func (c *Class) WriteJUnit(w io.Writer) error {
	s := junitSuites{Name: "kworkbook class", Time: round(c.Seconds)}
	for _, st := range c.Students {
		suite := junitSuite{Name: st.ID, Timestamp: c.Started.Format(time.RFC3339), Time: st.Seconds, Properties: []junitProperty{
			{Name: "score", Value: fmt.Sprintf("%d/%d", st.Score.Earned, st.Score.Possible)},
		}}
		for _, l := range st.Lessons {
			for _, e := range l.Exercises {
				jc := junitCase{Name: l.ID + " " + e.ID + ": " + e.Title, Classname: st.ID + "." + l.ID, Time: e.Seconds,
					Properties: []junitProperty{{Name: "weight", Value: strconv.Itoa(e.Weight)}}}
				detail := e.Message
				if len(e.Evidence) > 0 {
					detail += "\n\n" + strings.Join(e.Evidence, "\n")
				}
				switch e.Status {
				case "fail":
					jc.Failure = &junitProblem{Message: firstLine(e.Message), Type: "fail", Text: detail}
					suite.Failures++
				case "error":
					jc.Error = &junitProblem{Message: firstLine(e.Message), Type: "error", Text: detail}
					suite.Errors++
				}
				suite.Tests++
				suite.Cases = append(suite.Cases, jc)
			}
		}
		s.Tests += suite.Tests
		s.Failures += suite.Failures
		s.Errors += suite.Errors
		s.Suites = append(s.Suites, suite)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(s); err != nil {
		return fmt.Errorf("unable to write the JUnit report: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}
