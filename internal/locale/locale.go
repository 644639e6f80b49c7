// Package locale chooses the learner's language and prints kworkbook's own
// sentences in it: CLI lines, verdicts, sandbox progress, errors a learner
// sees. Messages live in a catalog per language (catalog/en.yaml,
// catalog/ko.yaml) with named placeholders ({{.Name}}), because word order
// differs between languages: no sentence is built from English fragments.
// A message missing from a language falls back to English, that message
// only.
//
// The catalog is read with go-i18n (github.com/nicksnyder/go-i18n/v2):
// named placeholders through text/template, CLDR plural rules (English
// one/other, Korean other only), message files that translators edit as
// YAML, and per-message fallback, which golang.org/x/text/message (printf
// verbs, generated catalogs) does not give as simply.
package locale

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"
)

// English is the source language; every message exists in it.
const English = "en"

// Supported are the languages kworkbook speaks, in this order.
var Supported = []string{"en", "ko"}

//go:embed catalog/*.yaml
var catalogFS embed.FS

var (
	bundleOnce sync.Once
	bundle     *i18n.Bundle
	bundleErr  error
)

func loadBundle() (*i18n.Bundle, error) {
	bundleOnce.Do(func() {
		b := i18n.NewBundle(language.English)
		b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
		for _, lang := range Supported {
			raw, err := fs.ReadFile(catalogFS, "catalog/"+lang+".yaml")
			if err != nil {
				bundleErr = err
				return
			}
			if _, err := b.ParseMessageFileBytes(raw, lang+".yaml"); err != nil {
				bundleErr = fmt.Errorf("catalog %s: %w", lang, err)
				return
			}
		}
		bundle = b
	})
	return bundle, bundleErr
}

// Printer prints messages in one language.
type Printer struct {
	lang string
	loc  *i18n.Localizer
}

// New returns a printer for lang (one of Supported; anything else prints
// English).
func New(lang string) *Printer {
	b, err := loadBundle()
	if err != nil {
		panic(err) // the embedded catalog is tested; it cannot be broken at run time
	}
	if !isSupported(lang) {
		lang = English
	}
	return &Printer{lang: lang, loc: i18n.NewLocalizer(b, lang, English)}
}

var english = sync.OnceValue(func() *Printer { return New(English) })

// EnglishPrinter is the printer of machine-readable output and of
// libraries nobody gave a printer.
func EnglishPrinter() *Printer { return english() }

// Or returns p, or English when p is nil.
func (p *Printer) Or() *Printer {
	if p == nil {
		return english()
	}
	return p
}

// Lang is the printer's language.
func (p *Printer) Lang() string { return p.Or().lang }

// T prints message id with the named values, given as name, value pairs:
// T("check.pass.one") or T("lessons.count", "Count", 3).
func (p *Printer) T(id string, pairs ...any) string {
	return p.Or().print(id, nil, pairs)
}

// N prints message id in the plural form that n asks for; n is also the
// value of {{.Count}}.
func (p *Printer) N(id string, n int, pairs ...any) string {
	return p.Or().print(id, n, append([]any{"Count", n}, pairs...))
}

// M prints a message value.
func (p *Printer) M(m Msg) string {
	if m.ID == "" {
		return ""
	}
	if m.Count != nil {
		return p.Or().print(m.ID, *m.Count, append([]any{"Count", *m.Count}, m.Args...))
	}
	return p.Or().print(m.ID, nil, m.Args)
}

func (p *Printer) print(id string, count any, pairs []any) string {
	data := map[string]any{}
	for i := 0; i+1 < len(pairs); i += 2 {
		k, _ := pairs[i].(string)
		v := pairs[i+1]
		if m, ok := v.(Msg); ok {
			v = p.M(m) // a message inside a message, in the same language
		}
		data[k] = v
	}
	s, err := p.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if s == "" && err != nil {
		// A missing message is a bug the catalog test catches; show its id.
		return "[" + id + "]"
	}
	// A message without plural forms printed with a count is fine: go-i18n
	// reports it, and uses its one form.
	return s
}

// Msg is a message to print later, in whatever language the reader
// chooses: libraries that cannot know it (sandbox progress, errors) hand
// these up.
type Msg struct {
	ID    string
	Args  []any
	Count *int
}

// M makes a message: M("sandbox.nodes_ready") or M("sandbox.addon_ok", "Name", n).
func M(id string, pairs ...any) Msg { return Msg{ID: id, Args: pairs} }

// NM makes a message with a plural count.
func NM(id string, n int, pairs ...any) Msg { return Msg{ID: id, Args: pairs, Count: &n} }

// String prints the message in English.
func (m Msg) String() string { return english().M(m) }

func isSupported(lang string) bool {
	for _, s := range Supported {
		if s == lang {
			return true
		}
	}
	return false
}

// IDs lists the message ids of a language's catalog, sorted, for tests.
func IDs(lang string) ([]string, error) {
	raw, err := fs.ReadFile(catalogFS, "catalog/"+lang+".yaml")
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := yaml.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids, nil
}

// Name is a language's name in itself, for a language switch.
func Name(lang string) string {
	switch lang {
	case "ko":
		return "한국어"
	case "en":
		return "English"
	}
	return strings.ToUpper(lang)
}

// Error is an error a learner reads: its message is printed in the
// reader's language (by the CLI, through Localize), in English otherwise.
// Err is the error it stands for (a sentinel callers test with errors.Is).
type Error struct {
	Msg Msg
	Err error
}

// Errorf makes an Error: Errorf(ErrNoSandbox, "err.no_sandbox", "Context", c).
func Errorf(err error, id string, pairs ...any) *Error {
	return &Error{Msg: M(id, pairs...), Err: err}
}

func (e *Error) Error() string { return e.Msg.String() }
func (e *Error) Unwrap() error { return e.Err }

// Localize prints err for a reader of p's language: the outermost Error in
// its chain in that language, anything else as it is.
func (p *Printer) Localize(err error) string {
	var le *Error
	if errors.As(err, &le) {
		return p.M(le.Msg)
	}
	return err.Error()
}
