package sandbox

import (
	"fmt"
	"strings"

	kindlog "sigs.k8s.io/kind/pkg/log"

	"github.com/kworkbook/kworkbook/internal/locale"
)

// Logger receives progress from long operations. The CLI prints ` ✓ step`
// lines; libraries default to NopLogger and never print themselves.
type Logger interface {
	// Step reports a finished step, or a failed one when err is not nil.
	Step(step locale.Msg, err error)
	// Note reports something the user should know (a warning, a choice made).
	Note(msg locale.Msg)
}

// NopLogger discards everything.
type NopLogger struct{}

func (NopLogger) Step(locale.Msg, error) {}
func (NopLogger) Note(locale.Msg)        {}

func orNop(l Logger) Logger {
	if l == nil {
		return NopLogger{}
	}
	return l
}

// kindLogger forwards kind's user-facing status lines to a Logger.
type kindLogger struct{ l Logger }

var _ kindlog.Logger = kindLogger{}

func (k kindLogger) Warn(m string)                         { k.l.Note(locale.M("sandbox.kind", "Line", strings.TrimSpace(m))) }
func (k kindLogger) Warnf(f string, a ...any)              { k.Warn(fmt.Sprintf(f, a...)) }
func (k kindLogger) Error(m string)                        { k.l.Note(locale.M("sandbox.kind", "Line", strings.TrimSpace(m))) }
func (k kindLogger) Errorf(f string, a ...any)             { k.Error(fmt.Sprintf(f, a...)) }
func (k kindLogger) V(lv kindlog.Level) kindlog.InfoLogger { return kindInfo{l: k.l, on: lv == 0} }

type kindInfo struct {
	l  Logger
	on bool
}

func (k kindInfo) Enabled() bool { return k.on }
func (k kindInfo) Info(m string) {
	if !k.on {
		return
	}
	m = strings.TrimSpace(m)
	switch {
	case strings.HasPrefix(m, "✓"):
		k.l.Step(locale.M("sandbox.kind", "Line", strings.TrimSpace(strings.TrimPrefix(m, "✓"))), nil)
	case strings.HasPrefix(m, "✗"):
		k.l.Step(locale.M("sandbox.kind", "Line", strings.TrimSpace(strings.TrimPrefix(m, "✗"))), fmt.Errorf("failed"))
	}
}
func (k kindInfo) Infof(f string, a ...any) { k.Info(fmt.Sprintf(f, a...)) }
