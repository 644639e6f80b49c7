package lessons_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/kworkbook/kworkbook/lessons"
)

// The parsers read files authors write by hand (and, with --lessons-dir,
// any folder): whatever the bytes, they report problems and never panic.
// Interesting inputs found by fuzzing are kept under testdata/fuzz/.

func FuzzParseSpec(f *testing.F) {
	f.Add([]byte(baseSpec))
	f.Add([]byte(""))
	f.Add([]byte("namespaces: [kw-a]\nexercises:\n  - id: x\n    checks:\n      - &c {kind: Pod, count: '>= 2', timeout: 5s}\n      - *c\n"))
	f.Add([]byte("exercises:\n  - checks:\n      - with: {p: {kind: Pod}}\n        match: {a: [1, {b: null}]}\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("namespaces: ]"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		spec, probs := lessons.ParseSpec("lesson.yaml", raw)
		if spec == nil && len(probs) == 0 {
			t.Fatal("got no spec and no problems, want one of them")
		}
		for _, p := range probs {
			if p.Pos.File != "lesson.yaml" || p.Pos.Line < 0 {
				t.Errorf("got problem at %s, want a position in lesson.yaml", p.Pos)
			}
		}
	})
}

func FuzzParseProse(f *testing.F) {
	f.Add([]byte(baseReadme))
	f.Add([]byte(""))
	f.Add([]byte("---\n---\n```exercise\n```"))
	f.Add([]byte("---\ntitle: [x\n---\n~~~exercise\nid: [\n~~~\n"))
	f.Add([]byte("+++\ntitle = 'x'\n+++\n```exercise\nid: a\n"))
	f.Add([]byte("> ```exercise\n> id: a\n> ```\n- ```exercise\n  id: b\n  ```\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		var meta lessons.Meta
		p, probs := lessons.ParseProse("README.md", src, &meta)
		if p == nil {
			t.Fatal("got no prose, want one even with problems")
		}
		for _, pr := range probs {
			if pr.Pos.File != "README.md" || pr.Pos.Line < 0 {
				t.Errorf("got problem at %s, want a position in README.md", pr.Pos)
			}
		}
		for _, b := range p.Blocks {
			if b.Start < 0 || b.Start > b.End || b.End > len(src) {
				t.Fatalf("got block %s spanning %d..%d of %d bytes", b.ID, b.Start, b.End, len(src))
			}
		}
		_ = p.Replace(func(b *lessons.Block) string { return b.ID })
	})
}

func FuzzParseObjects(f *testing.F) {
	f.Add([]byte(baseManifest))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("# c\n--- # x\napiVersion: v1\r\nkind: A\r\nmetadata: {name: a}\r\n"))
	f.Add([]byte("apiVersion: v1\nkind: Pod\nmetadata:\n  name: [a]\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		objs, err := lessons.ParseObjects("m.yaml", raw)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "m.yaml:") {
				t.Errorf("got %q, want an error starting with m.yaml:LINE", err)
			}
			return
		}
		for _, o := range objs {
			if o.Pos.Line < 1 || o.GetName() == "" || o.GetKind() == "" {
				t.Errorf("got object %q of kind %q at %s", o.GetName(), o.GetKind(), o.Pos)
			}
		}
	})
}

// FuzzLoadLesson loads a whole lesson folder (prose, exercise file and a
// setup manifest, any bytes in each) through LoadLesson and Validate, and
// renders its prose: problems, never a panic.
func FuzzLoadLesson(f *testing.F) {
	f.Add([]byte(baseReadme), []byte(baseSpec), []byte(baseManifest))
	f.Add([]byte(baseReadme), []byte("exercises: [null]\n"), []byte(""))
	f.Add([]byte(baseReadme), []byte("namespaces: [kw-a]\nexercises:\n  - id: one\n    checks: [null, {kind: ns}]\n    nearMisses: [~]\n    alternatives: [null]\n"), []byte(baseManifest))
	f.Add([]byte(baseReadme), []byte("namespaces: [kw-a]\nreset:\n  delete: [{kind: ns, selector: 'a!=b'}, null]\n  nodeLabels: [x]\nexercises:\n  - id: one\n    solution: {commands: [kubectl cordon x]}\n"), []byte(baseManifest))
	f.Add([]byte("---\ntitle: x\n---\n```exercise\nid: one\n```\n"), []byte(baseSpec), []byte("apiVersion: v1\nkind: ClusterRole\nmetadata: {name: x}\n"))
	f.Fuzz(func(t *testing.T, readme, spec, manifest []byte) {
		fsys := fstest.MapFS{
			"01-testing/README.md":      {Data: readme},
			"01-testing/lesson.yaml":    {Data: spec},
			"01-testing/setup/web.yaml": {Data: manifest},
		}
		l, probs := lessons.LoadLesson(fsys, "01-testing", "fuzz")
		if l == nil && len(probs) == 0 {
			t.Fatal("got no lesson and no problems, want one of them")
		}
		for _, p := range probs {
			if !strings.HasPrefix(p.Pos.File, "01-testing") || p.Pos.Line < 0 {
				t.Errorf("got problem at %s, want a position in the lesson folder", p.Pos)
			}
		}
		if l == nil {
			return
		}
		_ = lessons.Validate(l)
		_ = l.ChangesNodes()
		_ = l.Prose.Replace(func(b *lessons.Block) string { return b.ID })
		for _, e := range l.Spec.Exercises {
			if _, err := l.FindExercise(e.ID); err != nil {
				t.Errorf("exercise %q not found by its own id: %v", e.ID, err)
			}
		}
	})
}
