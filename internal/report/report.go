// Package report turns verdicts into grading reports: plain text, JSON
// (schema version 1, documented in docs/grading.md) and JUnit XML.
package report

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/kworkbook/kworkbook/checker"
	"github.com/kworkbook/kworkbook/internal/layout"
	"github.com/kworkbook/kworkbook/internal/locale"
)

// SchemaVersion is the version of the JSON report. It changes only when a
// field changes meaning or disappears; new fields may appear within a version.
const SchemaVersion = 1

// Report is a graded run.
type Report struct {
	SchemaVersion int    `json:"schemaVersion"`
	Tool          string `json:"tool"`
	Version       string `json:"version"`
	// Lang is the language of titles and messages ("en" unless grade
	// was given --lang); keys, ids and statuses never change with it.
	Lang    string    `json:"lang"`
	Context string    `json:"context"`
	Started time.Time `json:"started"`
	Seconds float64   `json:"durationSeconds"`
	Score   Score     `json:"score"`
	Lessons []Lesson  `json:"lessons"`
}

// Score is earned and possible weight.
type Score struct {
	Earned   int     `json:"earned"`
	Possible int     `json:"possible"`
	Percent  float64 `json:"percent"`
}

// Lesson is one lesson's results.
type Lesson struct {
	ID        string     `json:"id"`
	Title     string     `json:"title"`
	Score     Score      `json:"score"`
	Exercises []Exercise `json:"exercises"`
}

// Exercise is one exercise's result.
type Exercise struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Weight   int      `json:"weight"`
	Status   string   `json:"status"` // pass, fail, error
	Message  string   `json:"message"`
	Evidence []string `json:"evidence,omitempty"`
	Seconds  float64  `json:"durationSeconds"`
}

// Add appends a lesson's verdicts and updates the scores.
func (r *Report) Add(id, title string, vs []checker.Verdict) {
	l := Lesson{ID: id, Title: title, Exercises: []Exercise{}}
	for _, v := range vs {
		l.Exercises = append(l.Exercises, Exercise{
			ID: v.Exercise, Title: v.Title, Weight: v.Weight, Status: string(v.Status),
			Message: v.Message, Evidence: v.Evidence, Seconds: round(v.Duration.Seconds()),
		})
		l.Score.Possible += v.Weight
		if v.Passed() {
			l.Score.Earned += v.Weight
		}
	}
	l.Score.Percent = percent(l.Score)
	r.Lessons = append(r.Lessons, l)
	r.Score.Earned += l.Score.Earned
	r.Score.Possible += l.Score.Possible
	r.Score.Percent = percent(r.Score)
}

// Counts returns how many exercises passed, failed and errored.
func (r *Report) Counts() (pass, fail, errs int) {
	for _, l := range r.Lessons {
		for _, e := range l.Exercises {
			switch checker.Status(e.Status) {
			case checker.Pass:
				pass++
			case checker.Error:
				errs++
			default:
				fail++
			}
		}
	}
	return pass, fail, errs
}

func percent(s Score) float64 {
	if s.Possible == 0 {
		return 0
	}
	return round(100 * float64(s.Earned) / float64(s.Possible))
}

func round(f float64) float64 { return math.Round(f*100) / 100 }

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes a report for people: one line per exercise, the reason
// under each that did not pass, the score at the end.
func (r *Report) WriteText(w io.Writer, p *locale.Printer) error {
	p = p.Or()
	var b strings.Builder
	for _, l := range r.Lessons {
		fmt.Fprintf(&b, "%s · %s  %d/%d\n", l.ID, l.Title, l.Score.Earned, l.Score.Possible)
		for _, e := range l.Exercises {
			mark := map[string]string{"pass": "PASS", "fail": "FAIL", "error": "ERROR"}[e.Status]
			fmt.Fprintf(&b, "  %s %s %s %s\n", layout.Pad(mark, 5), layout.Pad(e.ID, 20), e.Title, p.T("report.weight", "Weight", e.Weight))
			if e.Status != "pass" {
				fmt.Fprintf(&b, "        %s\n", strings.ReplaceAll(e.Message, "\n", "\n        "))
			}
		}
	}
	pass, fail, errs := r.Counts()
	fmt.Fprintln(&b, p.T("report.score", "Earned", r.Score.Earned, "Possible", r.Score.Possible, "Percent", fmt.Sprintf("%.0f", r.Score.Percent),
		"Passed", pass, "Failed", fail, "Errors", errs, "Seconds", fmt.Sprintf("%.1f", r.Seconds)))
	_, err := io.WriteString(w, b.String())
	return err
}

// JUnit XML, as Jenkins, GitLab and the GitHub test-report actions read it.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     float64      `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Time       float64         `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name       string          `xml:"name,attr"`
	Classname  string          `xml:"classname,attr"`
	Time       float64         `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Failure    *junitProblem   `xml:"failure,omitempty"`
	Error      *junitProblem   `xml:"error,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the report as JUnit XML: one test suite per lesson, one
// test case per exercise (its weight as a property).
func (r *Report) WriteJUnit(w io.Writer) error {
	s := junitSuites{Name: "kworkbook", Time: round(r.Seconds)}
	for _, l := range r.Lessons {
		suite := junitSuite{Name: l.ID, Timestamp: r.Started.Format(time.RFC3339), Properties: []junitProperty{
			{Name: "title", Value: l.Title},
			{Name: "score", Value: fmt.Sprintf("%d/%d", l.Score.Earned, l.Score.Possible)},
		}}
		for _, e := range l.Exercises {
			c := junitCase{Name: e.ID + ": " + e.Title, Classname: l.ID, Time: e.Seconds,
				Properties: []junitProperty{{Name: "weight", Value: fmt.Sprint(e.Weight)}}}
			detail := e.Message
			if len(e.Evidence) > 0 {
				detail += "\n\n" + strings.Join(e.Evidence, "\n")
			}
			switch e.Status {
			case "fail":
				c.Failure = &junitProblem{Message: firstLine(e.Message), Type: "fail", Text: detail}
				suite.Failures++
			case "error":
				c.Error = &junitProblem{Message: firstLine(e.Message), Type: "error", Text: detail}
				suite.Errors++
			}
			suite.Tests++
			suite.Time += e.Seconds
			suite.Cases = append(suite.Cases, c)
		}
		suite.Time = round(suite.Time)
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

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
