package lessons_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/kworkbook/kworkbook/lessons"
)

// The smallest valid lesson, the base every validator case changes one
// thing in. Line numbers matter: cases assert them.
const (
	baseReadme = `---
title: Testing
summary: A lesson for tests.
minutes: 5
docs:
  - https://kubernetes.io/docs/concepts/workloads/pods/
---

# Testing

### Exercise: one

` + "```exercise" + `
id: one
title: Run a pod named web
hints:
  - A nudge.
  - "The answer: kubectl run web --image=nginx:1.27 -n kw-test"
` + "```" + `

Run it.
`
	// README.md lines: 13 is the opening fence, 14 id:, 15 title:, 16 hints:.

	baseSpec = `namespaces: [kw-test]
setup:
  manifests: [setup/web.yaml]
exercises:
  - id: one
    checks:
      - id: exists
        kind: Pod
        name: web
    solution:
      commands: ["kubectl run web --image=nginx:1.27 -n kw-test"]
    nearMisses:
      - name: wrong image
        commands: ["kubectl run web --image=busybox:1.37 -n kw-test"]
        failsAt: exists
`

	baseManifest = `# a comment first
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  a: "1"
---
apiVersion: v1
kind: Pod
metadata:
  name: old-web
spec:
  containers:
  - name: web
    image: nginx:1.27
`
)

const lessonDir = "01-testing"

// lessonFS returns the base lesson with files replaced or added; an empty
// content removes the file.
func lessonFS(changes map[string]string) fstest.MapFS {
	files := map[string]string{
		"README.md":      baseReadme,
		"lesson.yaml":    baseSpec,
		"setup/web.yaml": baseManifest,
	}
	for name, content := range changes {
		files[name] = content
	}
	fsys := fstest.MapFS{}
	for name, content := range files {
		if content == "" {
			continue
		}
		fsys[lessonDir+"/"+name] = &fstest.MapFile{Data: []byte(content)}
	}
	return fsys
}

// problemsOf loads fsys and returns its problems (none when it is valid).
func problemsOf(t *testing.T, fsys fstest.MapFS) (*lessons.Catalog, []lessons.Problem) {
	t.Helper()
	cat, err := lessons.Load(fsys, "test")
	if err == nil {
		return cat, nil
	}
	var pe *lessons.ProblemsError
	if !errors.As(err, &pe) {
		t.Fatalf("Load: got error %v (%T), want a *lessons.ProblemsError", err, err)
	}
	if !errors.Is(err, lessons.ErrInvalid) {
		t.Errorf("Load: got error %v, want one wrapping lessons.ErrInvalid", err)
	}
	return cat, pe.Problems
}

// replace returns s with old replaced by new, failing when old is not there.
func replace(t *testing.T, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("test setup: %q not found", old)
	}
	return strings.Replace(s, old, new, 1)
}

func problemLines(ps []lessons.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("\n  " + p.String())
	}
	return b.String()
}
