package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/kworkbook/kworkbook/checker"
	"github.com/kworkbook/kworkbook/internal/kube"
	"github.com/kworkbook/kworkbook/internal/locale"
	"github.com/kworkbook/kworkbook/internal/progress"
	"github.com/kworkbook/kworkbook/lessons"
	"github.com/kworkbook/kworkbook/sandbox"
)

// globals are the flags every command takes, named as kubectl names them.
type globals struct {
	context    string
	kubeconfig string
	lessonsDir string
	// yes answers every question kworkbook would ask (reset, sandbox down,
	// running a lessons folder's commands), for scripts and CI.
	yes bool
	// lang is --lang; the language otherwise comes from the environment.
	lang string
}

func (g *globals) bind(root *cobra.Command) {
	f := root.PersistentFlags()
	f.StringVar(&g.context, "context", os.Getenv("KWORKBOOK_CONTEXT"),
		"use this kubeconfig context (an existing cluster) instead of kworkbook's own kind cluster [$KWORKBOOK_CONTEXT]")
	f.StringVar(&g.kubeconfig, "kubeconfig", "", "path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)")
	f.StringVar(&g.lessonsDir, "lessons-dir", os.Getenv("KWORKBOOK_LESSONS_DIR"),
		"load lessons from this folder too; its lessons replace the built-in ones with the same number. Lesson folders hold shell commands: kworkbook asks before it runs those of a folder it has not run before [$KWORKBOOK_LESSONS_DIR]")
	f.StringVar(&g.lang, "lang", "", "the language to speak: en or ko (default: $KWORKBOOK_LANG, else $LANGUAGE, $LC_ALL, $LC_MESSAGES, $LANG)")
	f.BoolVarP(&g.yes, "yes", "y", false, "answer yes to kworkbook's questions (deleting your work on reset, deleting the cluster, running the commands of a --lessons-dir lesson): for scripts and CI")
}

// app holds what commands share, loaded on first use.
type app struct {
	streams IOStreams
	globals globals

	catalog *lessons.Catalog
	clients *kube.Clients
	target  *sandbox.Target
	store   *progress.Store

	lang    *locale.Resolution
	printer *locale.Printer
	// refused are the lessons a classroom cannot give the student, and why.
	refused map[string]error
}

// scope is where the learner's lessons live: a student's, when the
// kubeconfig is one a teacher's class up wrote; the identity otherwise.
// It needs no cluster: the kubeconfig says it.
func (a *app) scope() lessons.Scope {
	t, err := sandbox.Resolve(a.globals.kubeconfig, a.globals.context)
	if err != nil {
		return lessons.Scope{}
	}
	return t.Scope
}

// language resolves the learner's language once, saying once on stderr
// when the one asked for is not available.
func (a *app) language() locale.Resolution {
	if a.lang == nil {
		r := locale.Resolve(a.globals.lang, os.Getenv)
		a.lang = &r
		if r.Unsupported != "" {
			fmt.Fprintln(a.streams.ErrOut, locale.New(r.Lang).T("cli.lang_unsupported", "Lang", r.Unsupported,
				"From", string(r.From), "Supported", strings.Join(locale.Supported, ", ")))
		}
	}
	return *a.lang
}

// p prints in the learner's language.
func (a *app) p() *locale.Printer {
	if a.printer == nil {
		a.printer = locale.New(a.language().Lang)
	}
	return a.printer
}

// reportPrinter prints reports meant for machines and other people (grade):
// English, unless --lang asks for another language.
func (a *app) reportPrinter() *locale.Printer {
	if r := a.language(); r.Explicit {
		return a.p()
	}
	return locale.EnglishPrinter()
}

func (a *app) lessons() (*lessons.Catalog, error) {
	if a.catalog != nil {
		return a.catalog, nil
	}
	c, err := lessons.LoadDefault(a.globals.lessonsDir)
	if err != nil {
		return nil, err
	}
	scope := a.scope()
	out := &lessons.Catalog{Warnings: c.Warnings}
	for _, l := range c.Lessons {
		sl, err := l.Scoped(scope)
		switch {
		case errors.Is(err, lessons.ErrClusterScoped):
			if a.refused == nil {
				a.refused = map[string]error{}
			}
			a.refused[l.ID] = locale.Errorf(err, "err.class_cluster_lesson", "Lesson", l.ID, "Why", locale.M("scope.reason."+l.ScopeReason()))
			sl = l
		case err != nil:
			return nil, err
		}
		out.Lessons = append(out.Lessons, sl.In(a.language().Lang))
	}
	a.catalog = out
	return out, nil
}

func (a *app) lesson(id string) (*lessons.Lesson, error) {
	c, err := a.lessons()
	if err != nil {
		return nil, err
	}
	l, err := c.Find(id)
	if err != nil {
		return nil, err
	}
	if err := a.refused[l.ID]; err != nil {
		return nil, err
	}
	return l, nil
}

func (a *app) progressStore() (*progress.Store, error) {
	if a.store != nil {
		return a.store, nil
	}
	dir, err := progress.DefaultDir()
	if err != nil {
		return nil, err
	}
	a.store = progress.Open(dir)
	return a.store, nil
}

// loadProgress reads progress. A corrupt file (moved aside) or one that
// cannot be read is reported on stderr and does not stop the command,
// which goes on with no progress; only a file from a newer kworkbook stops
// it, so that nothing overwrites it.
func (a *app) loadProgress() (*progress.Progress, error) {
	s, err := a.progressStore()
	if err != nil {
		fmt.Fprintln(a.streams.ErrOut, a.p().T("cli.progress_not_read", "Error", err.Error()))
		return &progress.Progress{Version: progress.Version}, nil
	}
	p, err := s.Load()
	switch {
	case err == nil:
		return p, nil
	case errors.Is(err, progress.ErrNewer):
		return nil, err
	case errors.Is(err, progress.ErrCorrupt) && p != nil:
		fmt.Fprintln(a.streams.ErrOut, a.p().T("cli.progress_corrupt", "Error", err.Error()))
		return p, nil
	}
	fmt.Fprintln(a.streams.ErrOut, a.p().T("cli.progress_not_read", "Error", err.Error()))
	return &progress.Progress{Version: progress.Version}, nil
}

func (a *app) updateProgress(fn func(*progress.Progress) error) {
	s, err := a.progressStore()
	if err == nil {
		err = s.Update(fn)
	}
	if err != nil {
		fmt.Fprintln(a.streams.ErrOut, a.p().T("cli.progress_not_saved", "Error", err.Error()))
	}
}

// connect resolves the target cluster and connects to it. When ensure is
// set and the target is kworkbook's own cluster, it is created or started
// as needed; otherwise a missing sandbox is an error that says what to do.
func (a *app) connect(ctx context.Context, ensure bool) (*kube.Clients, sandbox.Target, error) {
	if a.clients != nil {
		return a.clients, *a.target, nil
	}
	t, err := sandbox.Resolve(a.globals.kubeconfig, a.globals.context)
	if err == nil {
		var c *kube.Clients
		if c, err = t.Clients(); err != nil {
			return nil, t, err
		}
		if err = sandbox.Reachable(ctx, c); err == nil {
			a.clients, a.target = c, &t
			return c, t, nil
		}
		if !t.Owned {
			return nil, t, err
		}
	}
	if !ensure || (a.globals.context != "" && a.globals.context != sandbox.ContextName()) {
		return nil, t, err
	}
	if !errors.Is(err, sandbox.ErrNoSandbox) && !errors.Is(err, sandbox.ErrUnreachable) {
		return nil, t, err
	}
	fmt.Fprintln(a.streams.ErrOut, a.p().T("cli.preparing_sandbox"))
	t, res, err := sandbox.Up(ctx, sandbox.UpOptions{Kubeconfig: a.globals.kubeconfig, Log: a.stepLogger()})
	if err != nil {
		return nil, t, err
	}
	a.reportContextSwitch(res)
	c, err := t.Clients()
	if err != nil {
		return nil, t, err
	}
	a.clients, a.target = c, &t
	return c, t, nil
}

// reportContextSwitch says that kind made kworkbook's context current.
func (a *app) reportContextSwitch(res sandbox.UpResult) {
	if res.Created && res.PreviousContext != "" && res.PreviousContext != sandbox.ContextName() {
		fmt.Fprintln(a.streams.ErrOut, a.p().T("cli.context_switched", "Context", sandbox.ContextName(), "Previous", res.PreviousContext))
	}
}

// warnContext says when kubectl points elsewhere than the cluster kworkbook checks.
func (a *app) warnContext(t sandbox.Target) {
	current, err := sandbox.RawConfigCurrent(a.globals.kubeconfig)
	if err != nil || current == t.Context {
		return
	}
	fmt.Fprintln(a.streams.ErrOut, a.p().T("cli.context_elsewhere", "Current", current, "Context", t.Context))
}

func (a *app) checker(ctx context.Context, c *kube.Clients, opts checker.Options) *checker.Checker {
	if opts.Printer == nil {
		opts.Printer = a.p()
	}
	info, _, _ := sandbox.ReadInfo(ctx, c)
	return checker.New(checker.Cluster{
		Typed: c.Typed, Dynamic: c.Dynamic, Mapper: c.RESTMapper(), Exec: c.Exec, Host: info.Host(), Lacks: a.lacks(ctx, c),
	}, opts)
}

func (a *app) env(c *kube.Clients, t sandbox.Target) *sandbox.Env {
	e := sandbox.NewEnv(t, c, a.stepLogger())
	e.Trust = a.trustLesson
	return e
}

// stepLogger prints ` ✓ step` lines on stderr.
func (a *app) stepLogger() sandbox.Logger { return stepLogger{w: a.streams.ErrOut, p: a.p()} }

type stepLogger struct {
	w io.Writer
	p *locale.Printer
}

func (s stepLogger) Step(step locale.Msg, err error) {
	if err != nil {
		fmt.Fprintf(s.w, " ✗ %s: %v\n", s.p.M(step), err)
		return
	}
	fmt.Fprintf(s.w, " ✓ %s\n", s.p.M(step))
}

func (s stepLogger) Note(msg locale.Msg) { fmt.Fprintf(s.w, " • %s\n", s.p.M(msg)) }

// tty reports whether w is a terminal, and its width.
func tty(w io.Writer) (bool, int) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return false, 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return true, 80
	}
	return true, width
}

// noColor follows https://no-color.org.
func noColor() bool { return os.Getenv("NO_COLOR") != "" }

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+prefix)
}
