package lessons_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/kworkbook/kworkbook/lessons"
)

// TestScoped: in a student's scope every place the lesson names moves to
// the student's: namespaces in lesson.yaml, manifests, commands, checks
// and prose; NodePorts; Ingress hosts. Other kw- names stay.
func TestScoped(t *testing.T) {
	readme := strings.Replace(baseReadme, "Run it.\n", "Run it in `kw-test`, then `curl -H 'Host: web.kworkbook.test' 127.0.0.1:30081` and `kubectl get cm kw-test-data -n kw-test`.\n", 1)
	spec := strings.Replace(baseSpec, "        name: web\n", "        name: web\n      - exec: {pod: web, command: [nslookup, web.kw-test.svc.cluster.local]}\n        expect: {contains: [kw-test]}\n", 1)
	manifest := baseManifest + "---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: kw-test}\nspec: {type: NodePort, ports: [{port: 80, nodePort: 30080}]}\n"
	cat, probs := problemsOf(t, lessonFS(map[string]string{"README.md": readme, "lesson.yaml": spec, "setup/web.yaml": manifest}))
	if len(probs) > 0 {
		t.Fatal(problemLines(probs))
	}
	l := cat.Lessons[0]
	sl, err := l.Scoped(lessons.Scope{Student: "alice", NodePortBase: 31200})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(sl.Spec.Namespaces, ","); got != "kw-alice-test" {
		t.Errorf("got namespaces %s, want kw-alice-test", got)
	}
	e := sl.Exercise("one")
	if got := e.Solution.Commands[0]; got != "kubectl run web --image=nginx:1.27 -n kw-alice-test" {
		t.Errorf("got solution %q", got)
	}
	if got := strings.Join(e.Checks[1].Exec.Command, " "); got != "nslookup web.kw-alice-test.svc.cluster.local" {
		t.Errorf("got probe %q", got)
	}
	if e.Hints[1] != "The answer: kubectl run web --image=nginx:1.27 -n kw-alice-test" {
		t.Errorf("got hint %q", e.Hints[1])
	}
	body := string(sl.Prose.Body())
	for _, want := range []string{"`kw-alice-test`", "web.alice.kworkbook.test", "127.0.0.1:31201", "cm kw-test-data -n kw-alice-test"} {
		if !strings.Contains(body, want) {
			t.Errorf("got prose\n%s\nwant %q", body, want)
		}
	}
	objs, err := sl.ReadManifest("setup/web.yaml")
	if err != nil {
		t.Fatal(err)
	}
	svc := objs[len(objs)-1]
	if svc.GetNamespace() != "kw-alice-test" || !strings.Contains(toJSON(t, svc.Object), `"nodePort":31200`) {
		t.Errorf("got %s", toJSON(t, svc.Object))
	}
	if l.Spec.Namespaces[0] != "kw-test" || l.Exercise("one").Hints[1] == e.Hints[1] {
		t.Error("got the lesson itself changed, want a copy")
	}
	if same, _ := l.Scoped(lessons.Scope{}); same != l {
		t.Error("got a copy for the identity scope, want the lesson")
	}
	if _, err := l.Scoped(lessons.Scope{Student: "Alice!"}); err == nil {
		t.Error("got a bad student id accepted")
	}
}

func TestScopedClusterLessonRefused(t *testing.T) {
	spec := strings.Replace(baseSpec, "namespaces: [kw-test]\n", "namespaces: [kw-test]\nscope: cluster\nreset:\n  delete: [{kind: Namespace, name: kw-team}]\n", 1)
	cat, probs := problemsOf(t, lessonFS(map[string]string{"lesson.yaml": spec}))
	if len(probs) > 0 {
		t.Fatal(problemLines(probs))
	}
	_, err := cat.Lessons[0].Scoped(lessons.Scope{Student: "bob"})
	if !errors.Is(err, lessons.ErrClusterScoped) || !strings.Contains(err.Error(), "Namespaces") {
		t.Errorf("got %v, want ErrClusterScoped saying why", err)
	}
	// Undeclared, lint says so.
	spec = strings.Replace(baseSpec, "namespaces: [kw-test]\n", "namespaces: [kw-test]\nreset:\n  delete: [{kind: Namespace, name: kw-team}]\n", 1)
	_, probs = problemsOf(t, lessonFS(map[string]string{"lesson.yaml": spec}))
	assertProblems(t, probs, []want{{lessonDir + "/lesson.yaml:1", "declare scope: cluster (its exercises make Namespaces"}})
}

func toJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
