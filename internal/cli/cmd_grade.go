package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kworkbook/kworkbook/checker"
	"github.com/kworkbook/kworkbook/internal/locale"
	"github.com/kworkbook/kworkbook/internal/report"
	"github.com/kworkbook/kworkbook/lessons"
)

type gradeOptions struct {
	format     string
	outputFile string
	timeout    time.Duration
}

var formats = []string{"text", "json", "junit"}

func newGradeCmd(a *app) *cobra.Command {
	o := &gradeOptions{}
	cmd := &cobra.Command{
		Use:   "grade [LESSON...]",
		Short: "Grade lessons headless, for teachers and CI: a report on stdout, an exit code",
		Long: `grade runs every check of the given lessons (all lessons when none is
named) against the cluster and writes a report: text for people, JSON
(schema in docs/grading.md) or JUnit XML for CI. It never prompts and never
needs a terminal; progress goes to stderr, the report to stdout or
--output-file. It reads the cluster and does not change it or your progress.

Exit status: 0 when every exercise passes, 1 when any fails, 2 for usage
errors and when the cluster cannot be checked (unreachable, unknown lesson).`,
		Example: `  kworkbook grade 02 05
  kworkbook grade -o junit --output-file report.xml
  kworkbook grade --context classroom -o json 05 > grade.json`,
		RunE: func(c *cobra.Command, args []string) error {
			if err := validTimeout(o.timeout); err != nil {
				return err
			}
			if !slices.Contains(formats, o.format) {
				hint := ""
				if strings.ContainsAny(o.format, "./") {
					hint = "; -o/--output takes a format, as kubectl's does: write to a file with --output-file " + o.format
				}
				return &exitError{code: ExitProblem, err: fmt.Errorf("unknown output format %q: use %s%s", o.format, strings.Join(formats, ", "), hint)}
			}
			list, err := a.lessonList(args)
			if err != nil {
				return err
			}
			cl, t, err := a.connect(c.Context(), false)
			if err != nil {
				return err
			}
			rp := a.reportPrinter()
			ch := a.checker(c.Context(), cl, checker.Options{Timeout: o.timeout, Printer: rp})
			rep := &report.Report{SchemaVersion: report.SchemaVersion, Tool: "kworkbook", Version: Version(), Lang: rp.Lang(),
				Context: t.Context, Started: time.Now().UTC().Truncate(time.Second)}
			start := time.Now()
			for _, l := range list {
				l = l.In(rp.Lang())
				fmt.Fprint(a.streams.ErrOut, a.p().N("grade.grading", len(l.Spec.Exercises), "Lesson", l.ID))
				vs := ch.Lesson(c.Context(), l)
				rep.Add(l.ID, l.Title(), vs)
				fmt.Fprintln(a.streams.ErrOut, " "+a.p().T("grade.passed", "Passed", countPassed(vs), "All", len(vs)))
			}
			rep.Seconds = time.Since(start).Seconds()
			if err := a.writeReport(rep, rp, o); err != nil {
				return err
			}
			pass, fail, errs := rep.Counts()
			fmt.Fprintln(a.streams.ErrOut, a.p().T("grade.score", "Earned", rep.Score.Earned, "Possible", rep.Score.Possible,
				"Percent", fmt.Sprintf("%.0f", rep.Score.Percent), "Passed", pass, "Failed", fail, "Errors", errs))
			switch {
			case errs > 0:
				return &exitError{code: ExitProblem, silent: true}
			case fail > 0:
				return failed()
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&o.format, "output", "o", "text", "report format: text, json or junit (like kubectl's -o)")
	cmd.Flags().StringVar(&o.format, "format", "text", "the same as --output")
	cmd.Flags().StringVar(&o.outputFile, "output-file", "", "write the report to this file instead of stdout")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 0, "wait at most this long for each check (default: each check's own)")
	return cmd
}

// lessonList resolves ids in the order given, or every lesson in order.
func (a *app) lessonList(ids []string) ([]*lessons.Lesson, error) {
	cat, err := a.lessons()
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		// Every lesson this learner can do (in a classroom, not those the
		// class cannot give its students).
		var out []*lessons.Lesson
		for _, l := range cat.Lessons {
			if a.refused[l.ID] == nil {
				out = append(out, l)
			}
		}
		return out, nil
	}
	var out []*lessons.Lesson
	for _, id := range ids {
		l, err := a.lesson(id)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

func (a *app) writeReport(rep *report.Report, p *locale.Printer, o *gradeOptions) error {
	var buf bytes.Buffer
	var err error
	switch o.format {
	case "json":
		err = rep.WriteJSON(&buf)
	case "junit":
		err = rep.WriteJUnit(&buf)
	default:
		err = rep.WriteText(&buf, p)
	}
	if err != nil {
		return err
	}
	if o.outputFile == "" {
		_, err = io.Copy(a.streams.Out, &buf)
		return err
	}
	if err := os.MkdirAll(filepath.Dir(o.outputFile), 0o755); err != nil {
		return &exitError{code: ExitProblem, err: fmt.Errorf("unable to write the report: %w", err)}
	}
	if err := os.WriteFile(o.outputFile, buf.Bytes(), 0o644); err != nil {
		return &exitError{code: ExitProblem, err: fmt.Errorf("unable to write the report: %w", err)}
	}
	fmt.Fprintln(a.streams.ErrOut, a.p().T("grade.written", "File", o.outputFile))
	return nil
}
