package locale

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// TestResolveOrder: --lang, then KWORKBOOK_LANG, LANGUAGE, LC_ALL,
// LC_MESSAGES and LANG, as kubectl and gettext read them.
func TestResolveOrder(t *testing.T) {
	tests := []struct {
		name     string
		flag     string
		env      map[string]string
		lang     string
		from     Source
		explicit bool
		unsupp   string
	}{
		{"nothing set", "", nil, "en", "", false, ""},
		{"LANG", "", map[string]string{"LANG": "ko_KR.UTF-8"}, "ko", "LANG", false, ""},
		{"LC_MESSAGES over LANG", "", map[string]string{"LANG": "en_US.UTF-8", "LC_MESSAGES": "ko_KR.UTF-8"}, "ko", "LC_MESSAGES", false, ""},
		{"LC_ALL over LC_MESSAGES", "", map[string]string{"LC_ALL": "C", "LC_MESSAGES": "ko_KR.UTF-8"}, "en", "LC_ALL", false, ""},
		{"LANGUAGE over LC_ALL", "", map[string]string{"LANGUAGE": "ko", "LC_ALL": "en_US.UTF-8"}, "ko", "LANGUAGE", false, ""},
		{"LANGUAGE list, first supported wins", "", map[string]string{"LANGUAGE": "fr:ko:en"}, "ko", "LANGUAGE", false, ""},
		{"KWORKBOOK_LANG over LANGUAGE", "", map[string]string{"KWORKBOOK_LANG": "en", "LANGUAGE": "ko"}, "en", "KWORKBOOK_LANG", false, ""},
		{"--lang over everything", "ko", map[string]string{"KWORKBOOK_LANG": "en", "LANG": "en_US.UTF-8"}, "ko", "--lang", true, ""},
		{"an empty variable is skipped", "", map[string]string{"LC_ALL": "", "LANG": "ko_KR.UTF-8"}, "ko", "LANG", false, ""},
		{"POSIX is English", "", map[string]string{"LC_ALL": "POSIX", "LANG": "ko_KR.UTF-8"}, "en", "LC_ALL", false, ""},
		{"C.UTF-8 is English", "", map[string]string{"LANG": "C.UTF-8"}, "en", "LANG", false, ""},
		{"modifier stripped", "", map[string]string{"LANG": "ko_KR.UTF-8@euro"}, "ko", "LANG", false, ""},
		{"BCP 47 form", "", map[string]string{"LANG": "ko-KR"}, "ko", "LANG", false, ""},
		{"unsupported falls back", "", map[string]string{"LANG": "fr_FR.UTF-8"}, "en", "LANG", false, "fr"},
		{"unsupported flag falls back", "de", nil, "en", "--lang", true, "de"},
		{"garbage is ignored", "", map[string]string{"LANG": "%%%"}, "en", "LANG", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Resolve(tt.flag, env(tt.env))
			if r.Lang != tt.lang || r.From != tt.from || r.Explicit != tt.explicit || r.Unsupported != tt.unsupp {
				t.Errorf("got %+v, want lang %s from %q explicit %v unsupported %q", r, tt.lang, tt.from, tt.explicit, tt.unsupp)
			}
		})
	}
}

var placeholderRE = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

// catalog reads a language's raw entries: id → form ("", one, other) → text.
func catalog(t *testing.T, lang string) map[string]map[string]string {
	t.Helper()
	raw, err := catalogFS.ReadFile("catalog/" + lang + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s.yaml: %v", lang, err)
	}
	out := map[string]map[string]string{}
	for id, v := range m {
		forms := map[string]string{}
		switch x := v.(type) {
		case string:
			forms["other"] = x
		case map[string]any:
			for f, s := range x {
				forms[f], _ = s.(string)
			}
		}
		out[id] = forms
	}
	return out
}

func placeholders(s string) []string {
	var out []string
	for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
		if m[1] != "Count" {
			out = append(out, m[1])
		}
	}
	sort.Strings(out)
	return compact(out)
}

func compact(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// insteadOf lists placeholders a translation may use in place of the
// English one: the code passes both (a kind's English plural and the kind).
var insteadOf = map[string]map[string]string{
	"sel.labelled": {"Kinds": "Kind"},
	"sel.all":      {"Kinds": "Kind"},
}

// TestCatalogComplete: every English message has a translation in every
// language, with the same placeholders, and no translation is left over
// from a message that no longer exists.
func TestCatalogComplete(t *testing.T) {
	en := catalog(t, English)
	for _, lang := range Supported[1:] {
		tr := catalog(t, lang)
		for id, forms := range en {
			got, ok := tr[id]
			if !ok {
				t.Errorf("%s.yaml: no %s (English: %q)", lang, id, forms["other"])
				continue
			}
			if got["other"] == "" {
				t.Errorf("%s.yaml: %s has no other: form", lang, id)
			}
			want := placeholders(strings.Join([]string{forms["one"], forms["other"]}, " "))
			for from, to := range insteadOf[id] {
				for i, w := range want {
					if w == from && strings.Contains(got["other"], "{{."+to+"}}") {
						want[i] = to
					}
				}
			}
			sort.Strings(want)
			have := placeholders(got["other"])
			if strings.Join(want, ",") != strings.Join(have, ",") {
				t.Errorf("%s.yaml: %s uses placeholders %v, English %v", lang, id, have, want)
			}
		}
		for id := range tr {
			if _, ok := en[id]; !ok {
				t.Errorf("%s.yaml: %s is not in en.yaml (left over?)", lang, id)
			}
		}
	}
}

// TestEveryMessagePrints: each message of each language renders with
// its placeholders filled (no template error, no [id]).
func TestEveryMessagePrints(t *testing.T) {
	for _, lang := range Supported {
		p := New(lang)
		for id, forms := range catalog(t, lang) {
			var pairs []any
			for _, name := range placeholders(forms["other"] + " " + forms["one"]) {
				pairs = append(pairs, name, "X")
			}
			for _, n := range []int{1, 2} {
				if got := p.N(id, n, pairs...); got == "["+id+"]" || strings.Contains(got, "<no value>") {
					t.Errorf("%s %s: got %q", lang, id, got)
				}
			}
		}
	}
}

func TestFallbackPerMessage(t *testing.T) {
	p := New("ko")
	if got := p.T("no.such.message"); got != "[no.such.message]" {
		t.Errorf("got %q for a missing id, want it named", got)
	}
	if got := New("fr").Lang(); got != "en" {
		t.Errorf("got %s for an unsupported language, want en", got)
	}
	var nilp *Printer
	if got := nilp.N("verdict.pass", 2); got != "all 2 checks pass" {
		t.Errorf("got %q from a nil printer, want English", got)
	}
	m := M("sel.in_namespace", "What", M("sel.named", "Kind", "Pod", "Name", "web"), "Namespace", "kw-a")
	if got := EnglishPrinter().M(m); got != `Pod "web" in namespace kw-a` {
		t.Errorf("got %q, want nested messages printed in the same language", got)
	}
}
