package checker

import (
	"encoding/json"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// tree decodes YAML the way lesson.yaml's match: is decoded.
func tree(t *testing.T, src string) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal([]byte(src), &v); err != nil {
		t.Fatalf("test setup: %v", err)
	}
	return normalize(v)
}

// object decodes JSON the way unstructured objects hold it.
func object(t *testing.T, src string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(src), &v); err != nil {
		t.Fatalf("test setup: %v", err)
	}
	return v
}

func TestMatchTree(t *testing.T) {
	tests := []struct {
		name string
		want string // YAML, as authors write it
		got  string // JSON, as the API returns it
		path string // "" when it matches
	}{
		{"equal scalars", "a: x", `{"a": "x"}`, ""},
		{"extra keys are fine", "a: x", `{"a": "x", "b": 1}`, ""},
		{"nested", "a: {b: {c: 1}}", `{"a": {"b": {"c": 1, "d": 2}}}`, ""},
		{"value differs", "a: {b: x}", `{"a": {"b": "y"}}`, "a.b"},
		{"key missing", "a: {b: x}", `{"a": {}}`, "a.b"},
		{"null: absent", "a: null", `{"b": 1}`, ""},
		{"null: explicit null", "a: null", `{"a": null}`, ""},
		{"null: present", "a: ~", `{"a": 1}`, "a"},
		{"map expected, scalar found", "a: {b: 1}", `{"a": "x"}`, "a"},
		{"list expected, map found", "a: [1]", `{"a": {"b": 1}}`, "a"},
		{"int and float", "a: 3", `{"a": 3.0}`, ""},
		{"float and int", "a: 3.0", `{"a": 3}`, ""},
		{"numbers differ", "a: 3", `{"a": 3.5}`, "a"},
		{"bool", "a: true", `{"a": true}`, ""},
		{"bool differs", "a: true", `{"a": false}`, "a"},
		{"string true is not bool true", "a: 'true'", `{"a": true}`, "a"},
		{"1Gi is 1024Mi", "m: 1Gi", `{"m": "1024Mi"}`, ""},
		{"0.5 is 500m", "c: 0.5", `{"c": "500m"}`, ""},
		{"2 is 2000m", "c: 2", `{"c": "2"}`, ""},
		{"500m is 0.5", "c: 500m", `{"c": 0.5}`, ""},
		{"quantities differ", "m: 1Gi", `{"m": "1000Mi"}`, "m"},
		{"plain strings stay exact", "s: web", `{"s": "Web"}`, "s"},
		{"a number is not any string", "s: 1", `{"s": "one"}`, "s"},
		{"list: one item among many", "l: [{n: b}]", `{"l": [{"n": "a"}, {"n": "b", "x": 1}]}`, ""},
		{"list: any order", "l: [{n: b}, {n: a}]", `{"l": [{"n": "a"}, {"n": "b"}]}`, ""},
		{"list: scalars", "l: [b, a]", `{"l": ["a", "b", "c"]}`, ""},
		{"list: item missing", "l: [{n: c}]", `{"l": [{"n": "a"}, {"n": "b"}]}`, "l"},
		{"list: the only item differs", "l: [{n: c}]", `{"l": [{"n": "a"}]}`, "l[0].n"},
		{"list: item with the same name differs", "l: [{name: web, image: x}]", `{"l": [{"name": "log", "image": "y"}, {"name": "web", "image": "z"}]}`, "l[name=web].image"},
		{"list: each item needs its own", "l: [{n: a}, {n: a}]", `{"l": [{"n": "a"}]}`, "l"},
		{"list: each item needs its own, by name", "l: [{name: a}, {name: a, x: 1}]", `{"l": [{"name": "a", "x": 1}]}`, "l"},
		// A greedy match would give {n: a} the first item and leave nothing
		// for {n: a, x: 1}; a matching that tries both finds the answer.
		{"list: assignment needs backtracking", "l: [{n: a}, {n: a, x: 1}]", `{"l": [{"n": "a", "x": 1}, {"n": "a", "x": 2}]}`, ""},
		{"list: empty expected list", "l: []", `{"l": [1]}`, ""},
		{"list: empty object list", "l: [1]", `{"l": []}`, "l"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := matchTree(tree(t, tt.want), object(t, tt.got), "")
			switch {
			case tt.path == "" && m != nil:
				t.Errorf("got mismatch %s, want a match", m.describe(nil, nil))
			case tt.path != "" && m == nil:
				t.Errorf("got a match, want a mismatch at %s", tt.path)
			case m != nil && m.Path != tt.path:
				t.Errorf("got mismatch at %s (%s), want at %s", m.Path, m.describe(nil, nil), tt.path)
			}
		})
	}
}

func TestMismatchDescribe(t *testing.T) {
	tests := []struct {
		m    mismatch
		want string
	}{
		{mismatch{Path: "spec.replicas", Got: int64(2), Want: int64(3)}, "spec.replicas is 2; expected 3"},
		{mismatch{Path: "a", Want: "x", Missing: true}, `a is not set; expected "x"`},
		{mismatch{Path: "a", Got: map[string]any{"k": "v"}, Extra: true}, `a is set to {"k":"v"}; expected it to be absent`},
		{mismatch{Path: "l", Got: []any{"a"}, Want: "b", NoItem: true}, `l has no item matching "b" (found ["a"])`},
		{mismatch{Path: "f", Got: nil, Want: 1.5}, "f is nothing; expected 1.5"},
	}
	for _, tt := range tests {
		if got := tt.m.describe(nil, nil); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
	hidden := (&mismatch{Path: "data.password", Got: "c2VjcmV0", Want: "b3RoZXI="}).describe(nil, func(string) bool { return true })
	if strings.Contains(hidden, "c2VjcmV0") || strings.Contains(hidden, "b3RoZXI=") || !strings.Contains(hidden, "data.password") {
		t.Errorf("got %q, want the path and no values", hidden)
	}
}

func TestShow(t *testing.T) {
	long := strings.Repeat("x", 200)
	tests := []struct {
		v    any
		want string
	}{
		{nil, "nothing"},
		{"web", `"web"`},
		{int64(3), "3"},
		{3.0, "3"},
		{0.25, "0.25"},
		{true, "true"},
		{map[string]any{"a": int64(1)}, `{"a":1}`},
		{[]any{"a", int64(1)}, `["a",1]`},
	}
	for _, tt := range tests {
		if got := show(tt.v); got != tt.want {
			t.Errorf("show(%#v): got %q, want %q", tt.v, got, tt.want)
		}
	}
	if got := show([]any{long}); len(got) != 160 || !strings.HasSuffix(got, "...") {
		t.Errorf("got %d characters, want long values cut to 160 ending in ...", len(got))
	}
}

func TestPlural(t *testing.T) {
	for kind, want := range map[string]string{"Pod": "Pods", "Ingress": "Ingresses", "NetworkPolicy": "NetworkPolicies", "Service": "Services"} {
		if got := plural(kind); got != want {
			t.Errorf("plural(%s): got %s, want %s", kind, got, want)
		}
	}
}

func TestShorten(t *testing.T) {
	if got := shorten("  a\nb  ", 10); got != "a b" {
		t.Errorf("got %q, want newlines folded and spaces trimmed", got)
	}
	if got := shorten("héllo wörld", 5); got != "héll…" {
		t.Errorf("got %q, want héll… (cut by runes)", got)
	}
}
