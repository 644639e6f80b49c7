// Package cli is kworkbook's command line: thin cobra commands that parse
// flags, call the libraries (lessons, checker, sandbox, progress, render)
// and present what they return.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/go-logr/logr"
	"github.com/spf13/cobra"
	"k8s.io/klog/v2"

	"github.com/kworkbook/kworkbook/internal/locale"
)

// Exit codes, the same for every command.
const (
	ExitOK      = 0
	ExitFailed  = 1 // a check failed, or lint found problems
	ExitProblem = 2 // usage errors and infrastructure errors
)

// IOStreams are the command's input and outputs; tests use buffers.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// StdStreams are the process's standard streams.
func StdStreams() IOStreams {
	return IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
}

// exitError carries an exit code up to Run; silent ones were already reported.
type exitError struct {
	code   int
	err    error
	silent bool
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// failed is returned by commands whose output already said what failed.
func failed() error { return &exitError{code: ExitFailed, silent: true} }

// Run executes kworkbook with args and returns the process exit code.
func Run(ctx context.Context, args []string, streams IOStreams) int {
	// client-go logs transport noise (a cancelled exec stream, a websocket
	// ping) through klog; kworkbook reports what matters itself.
	klog.SetLogger(logr.Discard())
	root, a := newRoot(streams)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	code := exitCode(err)
	var ee *exitError
	if !(errors.As(err, &ee) && ee.silent) {
		fmt.Fprintf(streams.ErrOut, "kworkbook: %s\n", a.localize(err))
	}
	return code
}

// localize prints an error in the learner's language when it is one
// kworkbook words itself (a missing cluster, an unknown lesson...);
// anything else (an API server's message, a command's output) as it is.
func (a *app) localize(err error) string {
	var le *locale.Error
	if errors.As(err, &le) {
		return a.p().Localize(err)
	}
	var m interface{ Msg() (string, []any) }
	if errors.As(err, &m) {
		id, args := m.Msg()
		return a.p().T(id, args...)
	}
	return err.Error()
}

func exitCode(err error) int {
	var ee *exitError
	switch {
	case errors.As(err, &ee):
		return ee.code
	}
	// Everything else: lesson files with problems, an unknown lesson, an
	// unreachable cluster, a step that failed. 1 is kept for "an exercise
	// is not done" (and lint's "problems found"), which CI scripts test.
	return ExitProblem
}

// Version is the module version kworkbook was built from.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok || bi.Main.Version == "" {
		return "(devel)"
	}
	return bi.Main.Version
}

// NewRoot builds the command tree.
func NewRoot(streams IOStreams) *cobra.Command {
	root, _ := newRoot(streams)
	return root
}

func newRoot(streams IOStreams) (*cobra.Command, *app) {
	a := &app{streams: streams}
	root := &cobra.Command{
		Use:   "kworkbook",
		Short: "An interactive Kubernetes workbook on a real local cluster",
		Long: `kworkbook teaches Kubernetes with lessons you read in the terminal and
exercises you do with kubectl on a real cluster (a local kind cluster, or one
you name with --context). Checks read the cluster and tell you, in plain
words, what is right and what is not yet.

Start with: kworkbook start lesson-01`,
		Version:       Version(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitError{code: ExitProblem, err: fmt.Errorf("%w (see %s --help)", err, c.CommandPath())}
	})
	a.globals.bind(root)
	root.AddCommand(
		newListCmd(a), newStartCmd(a), newNextCmd(a), newCheckCmd(a), newWatchCmd(a), newHintCmd(a),
		newResetCmd(a), newSolveCmd(a), newSetupCmd(a), newGradeCmd(a), newSandboxCmd(a), newClassCmd(a), newLessonsCmd(a), newVersionCmd(a), newServeCmd(a),
	)
	root.InitDefaultCompletionCmd()
	walk(root, func(c *cobra.Command) {
		if c.HasSubCommands() && c != root {
			groupCommand(c)
		}
		c.Args = wrapArgs(c.Args)
	})
	return root, a
}

func walk(c *cobra.Command, fn func(*cobra.Command)) {
	fn(c)
	for _, sub := range c.Commands() {
		walk(sub, fn)
	}
}

// groupCommand makes a command that only holds subcommands (sandbox,
// lessons, completion) show its help when called alone and refuse an
// unknown subcommand with exit 2 and the valid ones; cobra would print the
// help and exit 0, which hides a typo in a script.
func groupCommand(c *cobra.Command) {
	c.Args = cobra.ArbitraryArgs
	c.RunE = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return c.Help()
		}
		var names []string
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() {
				names = append(names, sub.Name())
			}
		}
		return &exitError{code: ExitProblem, err: fmt.Errorf("unknown command %q for %q; choose one of: %s",
			args[0], c.CommandPath(), strings.Join(names, ", "))}
	}
}

// wrapArgs makes argument-count errors usage errors (exit 2).
func wrapArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	if check == nil {
		return nil
	}
	return func(c *cobra.Command, args []string) error {
		if err := check(c, args); err != nil {
			return &exitError{code: ExitProblem, err: fmt.Errorf("%w; usage: %s", err, c.UseLine())}
		}
		return nil
	}
}

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print kworkbook's version",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			fmt.Fprintf(a.streams.Out, "kworkbook %s\n", Version())
			return nil
		},
	}
}
