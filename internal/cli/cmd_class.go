package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/kworkbook/kworkbook/checker"
	"github.com/kworkbook/kworkbook/internal/classroom"
	"github.com/kworkbook/kworkbook/internal/kube"
	"github.com/kworkbook/kworkbook/internal/layout"
	"github.com/kworkbook/kworkbook/internal/report"
	"github.com/kworkbook/kworkbook/lessons"
)

func newClassCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "class",
		Short: "Run a class on one shared cluster (for teachers)",
		Long: `A class puts every student on one cluster, each in namespaces of their own:
lesson namespace kw-X becomes kw-<student>-X. class up makes them, with a
ServiceAccount that has admin rights there only, a quota, default limits,
Pod Security "baseline", a NetworkPolicy that keeps students apart, and a
kubeconfig per student; class grade grades everyone at once; class down
removes it all. They need cluster-admin on the cluster named with --context.
See docs/classroom.md.`,
	}
	cmd.AddCommand(newClassUpCmd(a), newClassDownCmd(a), newClassStatusCmd(a), newClassGradeCmd(a))
	return cmd
}

// teacher connects to the cluster a class command works on: it must be
// named with --context, never picked by default.
func (a *app) teacher(ctx context.Context) (*kube.Clients, error) {
	if a.globals.context == "" {
		return nil, &exitError{code: ExitProblem, err: errors.New(a.p().T("class.needs_context"))}
	}
	c, t, err := a.connect(ctx, false)
	if err != nil {
		return nil, err
	}
	if t.Scope.Student != "" {
		return nil, &exitError{code: ExitProblem, err: errors.New(a.p().T("class.student_context", "Context", t.Context))}
	}
	return c, nil
}

type classUpOptions struct {
	roster        string
	out           string
	tokenLifetime time.Duration
	pods          int
	cpu, memory   string
	parallel      int
}

func newClassUpCmd(a *app) *cobra.Command {
	o := &classUpOptions{}
	cmd := &cobra.Command{
		Use:   "up --roster FILE --context NAME",
		Short: "Make the class on the cluster: namespaces, rights, limits, isolation and a kubeconfig per student",
		Long: `up reads the roster (one student id a line: lower-case letters, digits and
dashes; # starts a comment) and, for each student, makes the namespaces of
every lesson a classroom can give them, their ServiceAccount and rights,
a ResourceQuota and LimitRange in each namespace, Pod Security "baseline",
and a NetworkPolicy that lets in only the student's own namespaces, DNS,
the ingress controller and the nodes. It writes DIR/<id>.kubeconfig for
each, with a token that lasts --token-lifetime. Running it again adds the
students that are new and changes nothing else.

Defaults per namespace: 20 pods, requests 2 CPU and 2Gi memory (limits
twice that); containers without resources get 10m CPU and 32Mi memory.`,
		Example: "  kworkbook class up --context classroom --roster students.txt --out ./kubeconfigs",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			ids, err := classroom.ParseRoster(o.roster)
			if err != nil {
				return &exitError{code: ExitProblem, err: err}
			}
			limits := classroom.DefaultLimits()
			limits.Pods = o.pods
			for _, q := range []struct {
				flag, v string
				to      *resource.Quantity
			}{{"--quota-cpu", o.cpu, &limits.RequestCPU}, {"--quota-memory", o.memory, &limits.RequestMemory}} {
				n, err := resource.ParseQuantity(q.v)
				if err != nil {
					return &exitError{code: ExitProblem, err: fmt.Errorf("%s %q: %v", q.flag, q.v, err)}
				}
				*q.to = n
			}
			limits.LimitCPU, limits.LimitMemory = double(limits.RequestCPU), double(limits.RequestMemory)
			cl, err := a.teacher(c.Context())
			if err != nil {
				return err
			}
			base, err := a.baseCatalog()
			if err != nil {
				return err
			}
			start := time.Now()
			p := a.p()
			// Whether the network plugin enforces NetworkPolicy (the
			// students' isolation) is found out beside the setup: the
			// probe takes 10 to 30 s the first time.
			isolation := make(chan bool, 1)
			go func() {
				known, enforced, _ := a.networkPolicy(c.Context(), cl, true)
				isolation <- !known || enforced
			}()
			res, err := classroom.Up(c.Context(), cl, classroom.UpOptions{
				Students: ids, Catalog: base, OutDir: o.out, TokenLifetime: o.tokenLifetime, Limits: limits,
				Parallel: o.parallel, Log: a.stepLogger(),
			})
			isolated := <-isolation // the probe cleans up after itself before exiting
			if err != nil {
				return err
			}
			t := &layout.Table{}
			t.Row(p.T("class.col.student"), p.T("class.col.namespaces"), p.T("class.col.kubeconfig"), p.T("class.col.expires"))
			added := 0
			for _, r := range res {
				if r.Created {
					added++
				}
				t.Row(r.Student, fmt.Sprint(r.Namespaces), r.Kubeconfig, r.Expires.Local().Format("2006-01-02 15:04"))
			}
			if _, err := t.WriteTo(a.streams.Out); err != nil {
				return err
			}
			var skipped []string
			for _, l := range base.Lessons {
				if l.ClusterScoped() != "" {
					skipped = append(skipped, l.ID)
				}
			}
			fmt.Fprintln(a.streams.Out, p.T("class.up.done", "Students", len(res), "Added", added, "Seconds", fmt.Sprintf("%.1f", time.Since(start).Seconds())))
			if len(skipped) > 0 {
				fmt.Fprintln(a.streams.Out, p.T("class.up.skipped", "Lessons", strings.Join(skipped, ", ")))
			}
			if !isolated {
				fmt.Fprintln(a.streams.ErrOut, p.T("class.up.no_isolation"))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.roster, "roster", "", "file listing the students, one id a line (required)")
	f.StringVar(&o.out, "out", "kworkbook-class", "folder for the students' kubeconfigs")
	f.DurationVar(&o.tokenLifetime, "token-lifetime", 8*time.Hour, "how long the students' tokens last (a course day)")
	f.IntVar(&o.pods, "quota-pods", 20, "pods a student may run in each namespace")
	f.StringVar(&o.cpu, "quota-cpu", "2", "CPU a student's pods may request in each namespace (limits: twice)")
	f.StringVar(&o.memory, "quota-memory", "2Gi", "memory a student's pods may request in each namespace (limits: twice)")
	f.IntVar(&o.parallel, "parallel", 8, "students set up at once")
	_ = cmd.MarkFlagRequired("roster")
	return cmd
}

func double(q resource.Quantity) resource.Quantity {
	d := q.DeepCopy()
	d.Add(q)
	return d
}

// baseCatalog is the curriculum in no scope: the teacher's view.
func (a *app) baseCatalog() (*lessons.Catalog, error) {
	return lessons.LoadDefault(a.globals.lessonsDir)
}

func newClassDownCmd(a *app) *cobra.Command {
	var wait time.Duration
	cmd := &cobra.Command{
		Use:   "down --context NAME",
		Short: "Remove the class: every namespace, account and binding class up made, and nothing else",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := validDuration("wait", wait); err != nil {
				return err
			}
			cl, err := a.teacher(c.Context())
			if err != nil {
				return err
			}
			if err := a.confirm(a.p().T("class.down.question", "Context", a.globals.context), a.p().T("class.down.not_done")); err != nil {
				return err
			}
			r, err := classroom.Down(c.Context(), cl, classroom.DownOptions{Wait: wait, Log: a.stepLogger()})
			if err != nil {
				return err
			}
			fmt.Fprintln(a.streams.Out, a.p().T("class.down.done", "Namespaces", r.Namespaces, "Bindings", r.ClusterRoleBindings))
			return nil
		},
	}
	cmd.Flags().DurationVar(&wait, "wait", classroom.DefaultDownWait, "wait at most this long for the students' namespaces to be gone")
	return cmd
}

func newClassStatusCmd(a *app) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "status --context NAME",
		Short: "List the class's students, their namespaces and when their tokens expire",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			cl, err := a.teacher(c.Context())
			if err != nil {
				return err
			}
			students, err := classroom.Status(c.Context(), cl, out)
			if err != nil {
				return err
			}
			p := a.p()
			if len(students) == 0 {
				fmt.Fprintln(a.streams.Out, p.T("class.status.none"))
				return nil
			}
			t := &layout.Table{}
			t.Row(p.T("class.col.student"), p.T("class.col.namespaces"), p.T("class.col.nodeports"), p.T("class.col.expires"))
			for _, s := range students {
				exp := p.T("class.status.no_kubeconfig")
				if !s.Expires.IsZero() {
					exp = s.Expires.Local().Format("2006-01-02 15:04")
					if time.Now().After(s.Expires) {
						exp += " " + p.T("class.status.expired")
					}
				}
				t.Row(s.ID, fmt.Sprint(s.Namespaces), fmt.Sprintf("%d-%d", s.NodePortBase, s.NodePortBase+classroom.NodePortBlock-1), exp)
			}
			_, err = t.WriteTo(a.streams.Out)
			return err
		},
	}
	cmd.Flags().StringVar(&out, "out", "kworkbook-class", "the folder class up wrote the kubeconfigs to (for token expiry)")
	return cmd
}

type classGradeOptions struct {
	format, outputFile string
	parallel           int
	perStudent         time.Duration
}

var classFormats = []string{"text", "csv", "json", "junit"}

func newClassGradeCmd(a *app) *cobra.Command {
	o := &classGradeOptions{}
	cmd := &cobra.Command{
		Use:   "grade [LESSON...] --context NAME",
		Short: "Grade every student at once: a report per student, an exit code",
		Long: `grade checks each student's work in their own namespaces, several students at
once, each within --timeout-per-student so one broken namespace does not
stall the rest. Reports: text (a table, student by exercise), csv, json or
junit (one suite per student). Exit status as for grade: 0 all pass, 1 some
exercise fails, 2 when the cluster could not be checked.`,
		Example: "  kworkbook class grade 05 --context classroom -o csv --output-file grades.csv",
		RunE: func(c *cobra.Command, args []string) error {
			if !slices.Contains(classFormats, o.format) {
				return &exitError{code: ExitProblem, err: fmt.Errorf("unknown output format %q: use %s", o.format, strings.Join(classFormats, ", "))}
			}
			cl, err := a.teacher(c.Context())
			if err != nil {
				return err
			}
			base, err := a.baseCatalog()
			if err != nil {
				return err
			}
			list := base.Lessons
			if len(args) > 0 {
				list = nil
				for _, id := range args {
					l, err := base.Find(id)
					if err != nil {
						return err
					}
					list = append(list, l)
				}
			}
			students, err := classroom.Status(c.Context(), cl, "")
			if err != nil {
				return err
			}
			ids := make([]string, len(students))
			for i, s := range students {
				ids[i] = s.ID
			}
			if len(ids) == 0 {
				return &exitError{code: ExitProblem, err: errors.New(a.p().T("class.status.none"))}
			}
			rp := a.reportPrinter()
			ch := a.checker(c.Context(), cl, checker.Options{Printer: rp})
			// What a shared cluster cannot check for each student is
			// not graded (classLacks says why).
			ch = ch.WithLacks(classLacks(rp))
			start := time.Now()
			fmt.Fprintln(a.streams.ErrOut, a.p().T("class.grade.grading", "Students", len(ids), "Lessons", len(list)))
			results := classroom.Grade(c.Context(), ch, classroom.GradeOptions{
				Students: ids, Lessons: list, Parallel: o.parallel, PerStudent: o.perStudent, Lang: rp.Lang(),
				Scope: func(ctx context.Context, id string) lessons.Scope { return classroom.ScopeOf(ctx, cl, id) },
			})
			_, t, _ := a.connect(c.Context(), false)
			rep := &report.Class{SchemaVersion: report.SchemaVersion, Tool: "kworkbook", Version: Version(), Lang: rp.Lang(),
				Context: t.Context, Started: start.UTC().Truncate(time.Second)}
			for _, r := range results {
				sr := &report.Report{}
				skipped := map[string]string{}
				for _, lr := range r.Lessons {
					if lr.Skipped != "" {
						skipped[lr.Lesson.ID] = lr.Skipped
						continue
					}
					sr.Add(lr.Lesson.ID, lr.Lesson.Title(), lr.Verdicts)
				}
				rep.Add(r.Student, sr, skipped, r.Seconds)
			}
			rep.Seconds = time.Since(start).Seconds()
			var buf bytes.Buffer
			switch o.format {
			case "csv":
				err = rep.WriteCSV(&buf)
			case "json":
				err = rep.WriteJSON(&buf)
			case "junit":
				err = rep.WriteJUnit(&buf)
			default:
				err = rep.WriteText(&buf, rp)
			}
			if err != nil {
				return err
			}
			if err := a.writeOut(&buf, o.outputFile); err != nil {
				return err
			}
			pass, fail, errs := rep.Counts()
			if o.format != "text" || o.outputFile != "" {
				// The text report ends with this line itself.
				fmt.Fprintln(a.streams.ErrOut, a.p().T("class.grade.summary", "Students", len(ids), "Passed", pass, "Failed", fail, "Errors", errs,
					"Seconds", fmt.Sprintf("%.1f", rep.Seconds)))
			}
			switch {
			case errs > 0:
				return &exitError{code: ExitProblem, silent: true}
			case fail > 0:
				return failed()
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.format, "output", "o", "text", "report format: text, csv, json or junit")
	f.StringVar(&o.outputFile, "output-file", "", "write the report to this file instead of stdout")
	f.IntVar(&o.parallel, "parallel", 8, "students graded at once")
	f.DurationVar(&o.perStudent, "timeout-per-student", 2*time.Minute, "give up on a student's namespaces after this long")
	return cmd
}

// writeOut writes a report to the file, or to stdout.
func (a *app) writeOut(buf *bytes.Buffer, file string) error {
	if file == "" {
		_, err := io.Copy(a.streams.Out, buf)
		return err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return &exitError{code: ExitProblem, err: fmt.Errorf("unable to write the report: %w", err)}
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		return &exitError{code: ExitProblem, err: fmt.Errorf("unable to write the report: %w", err)}
	}
	fmt.Fprintln(a.streams.ErrOut, a.p().T("grade.written", "File", file))
	return nil
}
