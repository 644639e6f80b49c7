package lessons_test

import (
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/kworkbook/kworkbook/lessons"
)

func TestParseObjects(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		names []string
		lines []int
	}{
		{"one document", "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n", []string{"a"}, []int{1}},
		{"leading comment and separator", "# web\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: a}\n", []string{"a"}, []int{3}},
		{"three documents", "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\n# second\n\napiVersion: v1\nkind: Service\nmetadata: {name: b}\n--- # third\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
			[]string{"a", "b", "c"}, []int{1, 7, 11}},
		{"empty documents are skipped", "---\n---\n# only a comment\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\n", []string{"a"}, []int{5}},
		{"CRLF line endings", "apiVersion: v1\r\nkind: Pod\r\nmetadata: {name: a}\r\n---\r\napiVersion: v1\r\nkind: Pod\r\nmetadata: {name: b}\r\n", []string{"a", "b"}, []int{1, 5}},
		{"nothing at all", "", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, err := lessons.ParseObjects("m.yaml", []byte(tt.src))
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if len(objs) != len(tt.names) {
				t.Fatalf("got %d objects, want %d", len(objs), len(tt.names))
			}
			for i, o := range objs {
				if o.GetName() != tt.names[i] || o.Pos.Line != tt.lines[i] || o.Pos.File != "m.yaml" {
					t.Errorf("object %d: got %s at %s, want %s at m.yaml:%d", i, o.GetName(), o.Pos, tt.names[i], tt.lines[i])
				}
			}
		})
	}
}

func TestParseObjectsErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		pos  string
	}{
		{"missing name in the second document", "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\n\napiVersion: v1\nkind: Pod\nmetadata: {}\n", "m.yaml:6:"},
		{"missing kind", "apiVersion: v1\nmetadata: {name: a}\n", "m.yaml:1:"},
		{"bad YAML in the third document", "kind: A\napiVersion: v1\nmetadata: {name: a}\n---\nkind: B\napiVersion: v1\nmetadata: {name: b}\n---\n# c\nkind: [C\n", "m.yaml:10:"},
		{"a list instead of an object", "- a\n- b\n", "m.yaml:1:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lessons.ParseObjects("m.yaml", []byte(tt.src))
			if err == nil {
				t.Fatal("got no error, want one")
			}
			if !strings.HasPrefix(err.Error(), tt.pos) {
				t.Errorf("got %q, want it to start with the position %s", err, tt.pos)
			}
		})
	}
}

func TestParseCount(t *testing.T) {
	tests := []struct {
		in   string
		op   string
		n    int
		text string
	}{
		{"3", "==", 3, "exactly 3"},
		{"==3", "==", 3, "exactly 3"},
		{"= 3", "==", 3, "exactly 3"},
		{">= 3", ">=", 3, "at least 3"},
		{">=3", ">=", 3, "at least 3"},
		{"> 2", ">", 2, "more than 2"},
		{"<= 1", "<=", 1, "at most 1"},
		{" < 1 ", "<", 1, "fewer than 1"},
		{"0", "==", 0, "exactly 0"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := lessons.ParseCount(tt.in)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if c.Op != tt.op || c.N != tt.n {
				t.Errorf("got %s %d, want %s %d", c.Op, c.N, tt.op, tt.n)
			}
			if c.String() != tt.text {
				t.Errorf("got %q, want %q", c.String(), tt.text)
			}
		})
	}
	for _, in := range []string{"", "three", ">= -1", "=> 3", "3.5", ">=", "!= 3"} {
		if c, err := lessons.ParseCount(in); err == nil {
			t.Errorf("ParseCount(%q): got %+v, want an error", in, c)
		}
	}
}

func TestCountHolds(t *testing.T) {
	tests := []struct {
		count string
		got   int
		want  bool
	}{
		{"3", 3, true}, {"3", 2, false}, {"3", 4, false},
		{">= 3", 3, true}, {">= 3", 2, false}, {">= 3", 9, true},
		{"> 2", 3, true}, {"> 2", 2, false},
		{"<= 1", 1, true}, {"<= 1", 2, false},
		{"< 1", 0, true}, {"< 1", 1, false},
	}
	for _, tt := range tests {
		c, err := lessons.ParseCount(tt.count)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Holds(tt.got); got != tt.want {
			t.Errorf("%q holds for %d: got %v, want %v", tt.count, tt.got, got, tt.want)
		}
	}
}

func TestCountAndDurationYAML(t *testing.T) {
	var v struct {
		A lessons.Count    `yaml:"a"`
		B lessons.Count    `yaml:"b"`
		D lessons.Duration `yaml:"d"`
		E lessons.Duration `yaml:"e"`
	}
	if err := yaml.Unmarshal([]byte("a: 3\nb: '>= 2'\nd: 1m30s\n"), &v); err != nil {
		t.Fatalf("got %v, want no error", err)
	}
	if v.A != (lessons.Count{Op: "==", N: 3}) || v.B != (lessons.Count{Op: ">=", N: 2}) {
		t.Errorf("got counts %+v and %+v, want == 3 and >= 2", v.A, v.B)
	}
	if got := v.D.Or(time.Second); got != 90*time.Second {
		t.Errorf("got %v, want 1m30s", got)
	}
	if got := v.E.Or(7 * time.Second); got != 7*time.Second {
		t.Errorf("got %v for an unset duration, want the default 7s", got)
	}
	for _, src := range []string{"a: [3]\n", "d: 10\n", "d: {x: 1}\n"} {
		if err := yaml.Unmarshal([]byte(src), &v); err == nil {
			t.Errorf("%q: got no error, want one", src)
		}
	}
}

func TestParseSpecPositions(t *testing.T) {
	spec, probs := lessons.ParseSpec("l.yaml", []byte("# comment\n\n"+baseSpec+"reset:\n  delete:\n    - kind: PersistentVolume\n      name: pv\n"))
	if len(probs) > 0 {
		t.Fatalf("got problems %v, want none", probs)
	}
	e := spec.Exercises[0]
	tests := []struct {
		what string
		got  lessons.Pos
		want string
	}{
		{"spec", spec.Pos, "l.yaml:3"},
		{"setup", spec.Setup.Pos, "l.yaml:5"},
		{"exercise", e.Pos, "l.yaml:7"},
		{"check", e.Checks[0].Pos, "l.yaml:9"},
		{"solution", e.Solution.Pos, "l.yaml:13"},
		{"near miss", e.NearMisses[0].Pos, "l.yaml:15"},
		{"reset delete", spec.Reset.Delete[0].Pos, "l.yaml:20"},
	}
	for _, tt := range tests {
		if tt.got.String() != tt.want {
			t.Errorf("%s: got %s, want %s", tt.what, tt.got, tt.want)
		}
	}
}

func TestParseSpecWithPositions(t *testing.T) {
	src := "namespaces: [kw-a]\nexercises:\n  - id: x\n    checks:\n      - kind: Service\n        with:\n          pods:\n            kind: Pod\n            bogus: 1\n"
	spec, probs := lessons.ParseSpec("l.yaml", []byte(src))
	if len(probs) != 1 || probs[0].Pos.String() != "l.yaml:9" || !strings.Contains(probs[0].Message, `unknown field "bogus"`) {
		t.Fatalf("got %v, want one unknown field at l.yaml:9", probs)
	}
	if got := spec.Exercises[0].Checks[0].With["pods"].Pos.String(); got != "l.yaml:8" {
		t.Errorf("got with: entry at %s, want l.yaml:8", got)
	}
}

func TestParseSpecAliases(t *testing.T) {
	src := "namespaces: [kw-a]\nexercises:\n  - id: x\n    checks:\n      - &c {kind: Pod, name: web}\n      - *c\n"
	spec, probs := lessons.ParseSpec("l.yaml", []byte(src))
	if len(probs) > 0 {
		t.Fatalf("got problems %v, want none", probs)
	}
	if got := len(spec.Exercises[0].Checks); got != 2 || spec.Exercises[0].Checks[1].Name != "web" {
		t.Errorf("got %d checks, want 2 with the alias resolved", got)
	}
}

func TestPosString(t *testing.T) {
	if got := (lessons.Pos{File: "a.yaml"}).String(); got != "a.yaml" {
		t.Errorf("got %q, want a.yaml", got)
	}
	if got := (lessons.Pos{File: "a.yaml", Line: 3}).String(); got != "a.yaml:3" {
		t.Errorf("got %q, want a.yaml:3", got)
	}
	p := lessons.Problem{Pos: lessons.Pos{File: "a.yaml", Line: 3}, Message: "bad"}
	if got := p.String(); got != "a.yaml:3: bad" {
		t.Errorf("got %q, want a.yaml:3: bad", got)
	}
}

func TestProblemsErrorSorted(t *testing.T) {
	fsys := lessonFS(map[string]string{
		"lesson.yaml": replace(t, replace(t, baseSpec, "        name: web", "        nmae: web"), "setup:", "setpu:"),
	})
	_, probs := problemsOf(t, fsys)
	var got []string
	for _, p := range probs {
		got = append(got, p.Pos.String())
	}
	if want := []string{lessonDir + "/lesson.yaml:2", lessonDir + "/lesson.yaml:9"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %v, want %v (sorted by file and line)", got, want)
	}
}
