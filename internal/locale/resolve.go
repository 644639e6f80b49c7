package locale

import (
	"strings"

	"golang.org/x/text/language"
)

// Source says where the language came from.
type Source string

// Resolution is the chosen language and why.
type Resolution struct {
	Lang string
	// From is the flag or variable that decided, "" for the default.
	From Source
	// Explicit: --lang was given.
	Explicit bool
	// Unsupported is the language asked for that kworkbook does not speak
	// (then Lang is English and the CLI says so once).
	Unsupported string
}

// The variables, in the order kubectl and gettext read them.
var envOrder = []string{"KWORKBOOK_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"}

// Resolve picks the language: the --lang flag, else KWORKBOOK_LANG, else
// LANGUAGE, LC_ALL, LC_MESSAGES, LANG. Locale names lose their ".UTF-8"
// and "@modifier" before parsing; C, POSIX and empty mean English (and
// an empty variable is skipped, as gettext does). LANGUAGE may list
// several languages (ko:en); the first supported one wins.
func Resolve(flag string, getenv func(string) string) Resolution {
	if flag != "" {
		r := pick(flag)
		r.From, r.Explicit = "--lang", true
		return r
	}
	for _, name := range envOrder {
		v := getenv(name)
		if v == "" {
			continue
		}
		r := pick(v)
		r.From = Source(name)
		return r
	}
	return Resolution{Lang: English}
}

// pick parses one value, which may be a colon-separated list.
func pick(value string) Resolution {
	var first string
	for _, part := range strings.Split(value, ":") {
		lang, ok := parse(part)
		if !ok {
			continue
		}
		if first == "" {
			first = lang
		}
		if isSupported(lang) {
			return Resolution{Lang: lang}
		}
	}
	if first == "" || first == English {
		return Resolution{Lang: English}
	}
	return Resolution{Lang: English, Unsupported: first}
}

// parse turns "ko_KR.UTF-8", "ko-KR", "C" or "en@euro" into a base language.
func parse(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, ".@"); i >= 0 {
		s = s[:i]
	}
	if s == "" || s == "C" || s == "POSIX" {
		return English, true
	}
	tag, err := language.Parse(strings.ReplaceAll(s, "_", "-"))
	if err != nil {
		return "", false
	}
	base, _ := tag.Base()
	return base.String(), true
}
