package lessons_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/kworkbook/kworkbook/lessons"
)

func TestBaseLessonIsValid(t *testing.T) {
	cat, probs := problemsOf(t, lessonFS(nil))
	if len(probs) > 0 {
		t.Fatalf("got problems in the base lesson:%s\nwant none", problemLines(probs))
	}
	if got := len(cat.Lessons); got != 1 {
		t.Fatalf("got %d lessons, want 1", got)
	}
	l := cat.Lessons[0]
	if l.ID != "lesson-01" || l.Slug != "testing" || l.Number != 1 {
		t.Errorf("got id %q slug %q number %d, want lesson-01, testing, 1", l.ID, l.Slug, l.Number)
	}
	e := l.Exercise("one")
	if e == nil {
		t.Fatal("got no exercise one, want it")
	}
	if e.Title != "Run a pod named web" || len(e.Hints) != 2 || e.Index != 1 {
		t.Errorf("got title %q, %d hints, index %d; want the README block's title, 2 hints, index 1", e.Title, len(e.Hints), e.Index)
	}
}

// edit is one change to one file of the base lesson.
type edit struct {
	file, old, new string
}

// want is one expected problem: its exact position and words its message holds.
type want struct {
	pos string
	msg string
}

// TestValidate has one case per rule of validate.go (and of the parsers
// that feed it), each asserting exactly which problems come out and where.
func TestValidate(t *testing.T) {
	const spec, readme, manifest = "lesson.yaml", "README.md", "setup/web.yaml"
	const (
		specFile     = lessonDir + "/lesson.yaml"
		readmeFile   = lessonDir + "/README.md"
		manifestFile = lessonDir + "/setup/web.yaml"
	)
	addCheck := func(extra string) edit {
		return edit{spec, "        name: web\n", "        name: web\n" + extra}
	}
	replaceCheck := func(check string) edit {
		return edit{spec, "      - id: exists\n        kind: Pod\n        name: web\n", check}
	}
	tests := []struct {
		name  string
		edits []edit
		want  []want
	}{
		// lesson.yaml structure
		{"unknown field", []edit{{spec, "        name: web", "        nmae: web"}},
			[]want{{specFile + ":9", `unknown field "nmae"`}}},
		{"unknown top-level field", []edit{{spec, "setup:", "setpu:"}},
			[]want{{specFile + ":2", `unknown field "setpu"`}}},

		// namespaces and requires
		{"no namespaces", []edit{{spec, "namespaces: [kw-test]", "namespaces: []"}},
			[]want{{specFile + ":1", "namespaces:"}}},
		{"namespace not a DNS label", []edit{{spec, "[kw-test]", "[kw-Test]"}},
			[]want{{specFile + ":1", `"kw-Test" is not a valid name`}}},
		{"namespace without kw-", []edit{{spec, "[kw-test]", "[kw-test, team-a]"}},
			[]want{{specFile + ":1", `"team-a"`}}},
		{"kube- namespace", []edit{{spec, "[kw-test]", "[kw-test, kube-system]"}},
			[]want{{specFile + ":1", `"kube-system"`}}},
		{"unknown requirement", []edit{{spec, "namespaces: [kw-test]\n", "namespaces: [kw-test]\nrequires: [gpu]\n"}},
			[]want{{specFile + ":1", `requires: unknown "gpu"`}}},

		// steps: manifests, commands, wait
		{"missing manifest", []edit{{spec, "[setup/web.yaml]", "[setup/nope.yaml]"}},
			[]want{{specFile + ":3", "setup/nope.yaml"}}},
		{"manifest object in a foreign namespace", []edit{{manifest, "  name: old-web\n", "  name: old-web\n  namespace: default\n"}},
			[]want{{manifestFile + ":9", `Pod old-web is in namespace "default"`}}},
		{"manifest object in the lesson's namespace", []edit{{manifest, "  name: old-web\n", "  name: old-web\n  namespace: kw-test\n"}},
			nil},
		{"manifest image without a tag", []edit{{manifest, "image: nginx:1.27", "image: nginx"}},
			[]want{{manifestFile + ":9", `image "nginx" must have a pinned tag`}}},
		{"manifest image :latest", []edit{{manifest, "image: nginx:1.27", "image: registry.k8s.io/nginx:latest"}},
			[]want{{manifestFile + ":9", `"registry.k8s.io/nginx:latest"`}}},
		{"manifest image by digest", []edit{{manifest, "image: nginx:1.27", "image: nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}},
			nil},
		{"manifest image on a registry with a port", []edit{{manifest, "image: nginx:1.27", "image: localhost:5000/nginx"}},
			[]want{{manifestFile + ":9", `"localhost:5000/nginx"`}}},
		{"manifest without a name", []edit{{manifest, "  name: settings\n", "  labels: {}\n"}},
			[]want{{specFile + ":3", "setup/web.yaml:2: every object needs apiVersion, kind and metadata.name"}}},
		{"empty setup command", []edit{{spec, "  manifests: [setup/web.yaml]\n", "  manifests: [setup/web.yaml]\n  commands: [\"  \"]\n"}},
			[]want{{specFile + ":3", "setup: empty command"}}},
		{"command image without a tag", []edit{{spec, `["kubectl run web --image=nginx:1.27 -n kw-test"]`, `["kubectl run web --image=nginx -n kw-test"]`}},
			[]want{{specFile + ":11", `image "nginx" must have a pinned tag`}}},
		{"command image :latest", []edit{{spec, `["kubectl run web --image=nginx:1.27 -n kw-test"]`, `["kubectl run web --image nginx:latest -n kw-test"]`}},
			[]want{{specFile + ":11", `image "nginx:latest"`}}},
		{"wait that is not KIND/NAME", []edit{{spec, "  manifests: [setup/web.yaml]\n", "  manifests: [setup/web.yaml]\n  wait: [web]\n"}},
			[]want{{specFile + ":3", `wait: "web" must be KIND/NAME`}}},

		// reset
		{"reset delete without a name", []edit{{spec, "failsAt: exists\n", "failsAt: exists\nreset:\n  delete:\n    - {kind: PersistentVolume}\n"}},
			[]want{{specFile + ":18", "give kind and name"}, {specFile + ":1", "declare scope: cluster"}}},
		{"reset delete of a namespace not kw-", []edit{{spec, "failsAt: exists\n", "failsAt: exists\nreset:\n  delete:\n    - {kind: Namespace, name: team-a}\n"}},
			[]want{{specFile + ":18", `namespace "team-a"`}, {specFile + ":1", "declare scope: cluster"}}},

		// exercises
		{"no exercises", []edit{{spec, spec0Exercises, "exercises: []\n"}},
			[]want{{readmeFile + ":13", `exercise "one" is not in lesson.yaml`}, {specFile, "no exercises"}}},
		{"bad exercise id", []edit{{spec, "  - id: one", "  - id: One"}, {readme, "id: one", "id: One"}},
			[]want{{specFile + ":5", `exercise id "One"`}}},
		{"exercise id used twice", []edit{{spec, "failsAt: exists\n", "failsAt: exists\n  - id: one\n    checks: [{kind: Pod}]\n    solution: {commands: [kubectl get pods]}\n"}},
			[]want{{specFile + ":16", `exercise id "one" is used twice`}}},
		{"exercise without a README block", []edit{{spec, "failsAt: exists\n", "failsAt: exists\n  - id: two\n    checks: [{kind: Pod}]\n    solution: {commands: [kubectl get pods]}\n"}},
			[]want{{specFile + ":16", `exercise "two" has no ` + "```exercise block in " + readmeFile}}},
		{"README block for no exercise", []edit{{readme, "\nRun it.\n", "\n```exercise\nid: two\ntitle: Two\nhints: [a, b]\n```\n"}},
			[]want{{readmeFile + ":21", `exercise "two" is not in lesson.yaml`}}},
		{"exercise without a title", []edit{{readme, "title: Run a pod named web", `title: ""`}},
			[]want{{readmeFile + ":13", `exercise "one": title: is required`}}},
		{"one hint only", []edit{{readme, "  - \"The answer: kubectl run web --image=nginx:1.27 -n kw-test\"\n", ""}},
			[]want{{readmeFile + ":13", "hints: give a ladder of at least two steps"}}},
		{"negative weight", []edit{{spec, "  - id: one\n", "  - id: one\n    weight: -1\n"}},
			[]want{{specFile + ":5", "weight must not be negative"}}},
		{"no checks", []edit{replaceCheck("        []\n"), {spec, "failsAt: exists", "failsAt: \"\""}},
			[]want{{specFile + ":5", `exercise "one" has no checks`}}},
		{"check id used twice", []edit{addCheck("      - id: exists\n        kind: Pod\n")},
			[]want{{specFile + ":10", `check id "exists" is used twice`}}},
		{"no solution", []edit{{spec, "    solution:\n      commands: [\"kubectl run web --image=nginx:1.27 -n kw-test\"]\n", ""}},
			[]want{{specFile + ":5", `exercise "one" has no solution`}}},
		{"near miss without a name", []edit{{spec, "- name: wrong image", `- name: ""`}},
			[]want{{specFile + ":13", "near miss: name: is required"}}},
		{"near miss without steps", []edit{{spec, "        commands: [\"kubectl run web --image=busybox:1.37 -n kw-test\"]\n", ""}},
			[]want{{specFile + ":13", `near miss "wrong image": give manifests: or commands:`}}},
		{"near miss failing at no check", []edit{{spec, "failsAt: exists", "failsAt: exist"}},
			[]want{{specFile + ":13", `failsAt: no check "exist"`}}},
		{"near miss with an unpinned image", []edit{{spec, "--image=busybox:1.37", "--image=busybox"}},
			[]want{{specFile + ":13", `image "busybox"`}}},

		// checks: one of kind, exec, http
		{"check with kind and exec", []edit{addCheck("        exec: {pod: web, command: [\"true\"]}\n")},
			[]want{{specFile + ":7", "a check is exactly one of"}}},
		{"check with nothing to check", []edit{replaceCheck("      - id: exists\n        message: hello\n")},
			[]want{{specFile + ":7", "a check is exactly one of"}}},
		{"check in a foreign namespace", []edit{addCheck("        namespace: default\n")},
			[]want{{specFile + ":7", `namespace "default" is not one of this lesson's`}}},
		{"check in kube-system", []edit{addCheck("        namespace: kube-system\n")},
			nil},

		// object checks
		{"name and selector", []edit{addCheck("        selector: app=web\n")},
			[]want{{specFile + ":7", "give name: or selector:, not both"}}},
		{"bad selector", []edit{replaceCheck("      - id: exists\n        kind: Pod\n        selector: \"app in (\"\n")},
			[]want{{specFile + ":7", `selector "app in ("`}}},
		{"absent with match", []edit{addCheck("        absent: true\n        match: {status: {phase: Running}}\n")},
			[]want{{specFile + ":7", "absent: true cannot be combined"}}},
		{"expect on an object check", []edit{addCheck("        expect: {status: 200}\n")},
			[]want{{specFile + ":7", "expect: is for exec: and http: probes"}}},
		{"with without kind", []edit{addCheck("        with: {pods: {name: web}}\n        expr: pods.size() == 1\n")},
			[]want{{specFile + ":7", "with: pods: kind: is required"}}},
		{"with a bad selector", []edit{addCheck("        with: {pods: {kind: Pod, selector: \"a in (\"}}\n        expr: pods.size() == 1\n")},
			[]want{{specFile + ":7", `selector "a in ("`}}},
		{"with without expr", []edit{addCheck("        with: {pods: {kind: Pod}}\n")},
			[]want{{specFile + ":7", "with: is only used by expr:"}}},
		{"expr that does not compile", []edit{addCheck("        expr: object.spec.replicas >=\n")},
			[]want{{specFile + ":7", "expr:"}}},
		{"expr naming an unknown variable", []edit{addCheck("        expr: pods.size() == 1\n")},
			[]want{{specFile + ":7", "pods"}}},
		{"expr that is not a bool", []edit{addCheck("        expr: \"'a' + 'b'\"\n")},
			[]want{{specFile + ":7", "true or false"}}},
		{"with a reserved name", []edit{addCheck("        with: {object: {kind: Pod}}\n        expr: object.size() == 1\n")},
			[]want{{specFile + ":7", `"object" is reserved`}}},
		{"expr that compiles", []edit{addCheck("        with: {svcs: {kind: Service}}\n        expr: has(object.status.phase) && svcs.size() >= 0\n")},
			nil},

		// exec probes
		{"exec with pod and selector", []edit{replaceCheck("      - id: exists\n        exec: {pod: web, selector: app=web, command: [\"true\"]}\n        expect: {exitCode: 0}\n")},
			[]want{{specFile + ":7", "exec: give exactly one of pod: or selector:"}}},
		{"exec with neither pod nor selector", []edit{replaceCheck("      - id: exists\n        exec: {command: [\"true\"]}\n        expect: {exitCode: 0}\n")},
			[]want{{specFile + ":7", "exec: give exactly one of pod: or selector:"}}},
		{"exec with a bad selector", []edit{replaceCheck("      - id: exists\n        exec: {selector: \"app in (\", command: [\"true\"]}\n        expect: {exitCode: 0}\n")},
			[]want{{specFile + ":7", `selector "app in ("`}}},
		{"exec without a command", []edit{replaceCheck("      - id: exists\n        exec: {pod: web}\n        expect: {exitCode: 0}\n")},
			[]want{{specFile + ":7", "exec: command: is required"}}},
		{"exec without expect", []edit{replaceCheck("      - id: exists\n        exec: {pod: web, command: [\"true\"]}\n")},
			[]want{{specFile + ":7", "exec: expect: is required"}}},
		{"exec with a bad regexp", []edit{replaceCheck("      - id: exists\n        exec: {pod: web, command: [\"true\"]}\n        expect: {matches: \"a(\"}\n")},
			[]want{{specFile + ":7", "expect: matches:"}}},
		{"exec expecting a status", []edit{replaceCheck("      - id: exists\n        exec: {pod: web, command: [\"true\"]}\n        expect: {status: 200}\n")},
			[]want{{specFile + ":7", "expect: status: is for http: probes"}}},

		// http probes
		{"http with service and url", []edit{replaceCheck("      - id: exists\n        http: {service: web, url: \"http://127.0.0.1:30080/\"}\n")},
			[]want{{specFile + ":7", "http: give exactly one of service: or url:"}}},
		{"http with neither service nor url", []edit{replaceCheck("      - id: exists\n        http: {path: /}\n")},
			[]want{{specFile + ":7", "http: give exactly one of service: or url:"}}},
		{"http via something unknown", []edit{replaceCheck("      - id: exists\n        http: {service: web, via: nodeport}\n")},
			[]want{{specFile + ":7", `via: "nodeport" must be`}}},
		{"http via ingress without host or path", []edit{replaceCheck("      - id: exists\n        http: {via: ingress}\n")},
			[]want{{specFile + ":7", "via: ingress needs host: or path:"}}},
		{"http via ingress with a service", []edit{replaceCheck("      - id: exists\n        http: {service: web, via: ingress, host: a.kworkbook.test}\n")},
			[]want{{specFile + ":7", "via: ingress"}}},
		{"http via ingress", []edit{replaceCheck("      - id: exists\n        http: {via: ingress, host: a.kworkbook.test}\n")},
			nil},
		{"http expecting an exit code", []edit{replaceCheck("      - id: exists\n        http: {service: web}\n        expect: {exitCode: 0}\n")},
			[]want{{specFile + ":7", "expect: exitCode: is for exec: probes"}}},
		{"http without expect", []edit{replaceCheck("      - id: exists\n        http: {service: web, via: nodePort}\n")},
			nil},

		// YAML and type errors in lesson.yaml, with their lines
		{"YAML syntax error", []edit{{spec, "        kind: Pod\n", "        kind: [Pod\n"}},
			[]want{{specFile + ":8", "did not find expected"}}},
		{"YAML syntax error on line 1", []edit{{spec, "namespaces: [kw-test]", "namespaces: ]"}},
			[]want{{specFile + ":1", "did not find expected node content"}}},
		{"YAML scanner error", []edit{{spec, "        kind: Pod\n", "        kind: @Pod\n"}},
			[]want{{specFile + ":8", "cannot start any token"}}},
		{"YAML key given twice", []edit{{spec, "        name: web\n", "        name: web\n        name: db\n"}},
			[]want{{specFile + ":10", `"name" already defined at line 9`}}},
		{"a string where a number goes", []edit{{spec, "  - id: one\n", "  - id: one\n    weight: heavy\n"}},
			[]want{{specFile + ":6", "cannot unmarshal"}}},
		{"a string where a list goes", []edit{{spec, "namespaces: [kw-test]", "namespaces: kw-test"}},
			[]want{{specFile + ":1", "cannot unmarshal"}}},
		{"a bad duration", []edit{addCheck("        timeout: soon\n")},
			[]want{{specFile + ":10", `"soon" is not a duration`}}},
		{"a negative duration", []edit{addCheck("        timeout: -5s\n")},
			[]want{{specFile + ":10", `"-5s" is not a duration`}}},
		{"a bad count", []edit{addCheck("        count: lots\n")},
			[]want{{specFile + ":10", `count "lots"`}}},
		{"a good count", []edit{addCheck("        count: \">= 2\"\n")},
			nil},
		{"empty lesson.yaml", []edit{{spec, baseSpec, "# nothing yet\n"}},
			[]want{{specFile + ":1", "empty file"}}},

		// README.md: front matter and exercise blocks
		{"no front matter", []edit{{readme, baseReadme, strings.SplitN(baseReadme, "---\n", 3)[2]}},
			[]want{{readmeFile + ":1", "no front matter"}, {readmeFile + ":1", "title: is required"}, {readmeFile + ":1", "docs: must cite"}}},
		{"front matter without a title", []edit{{readme, "title: Testing\n", "\n"}},
			[]want{{readmeFile + ":1", "title: is required"}}},
		{"front matter without docs", []edit{{readme, "docs:\n  - https://kubernetes.io/docs/concepts/workloads/pods/\n", "docs: []\n\n"}},
			[]want{{readmeFile + ":1", "docs: must cite"}}},
		{"docs that are not https", []edit{{readme, "https://kubernetes.io/docs/concepts/workloads/pods/", "http://kubernetes.io/docs/"}},
			[]want{{readmeFile + ":1", `"http://kubernetes.io/docs/" is not an https:// address`}}},
		{"unknown front matter field", []edit{{readme, "minutes: 5", "minute: 5"}},
			[]want{{readmeFile + ":4", `unknown field "minute"`}}},
		{"front matter type error", []edit{{readme, "minutes: 5", "minutes: soon"}},
			[]want{{readmeFile + ":4", "cannot unmarshal"}}},
		{"front matter YAML error", []edit{{readme, "minutes: 5", "minutes: [5"}},
			[]want{{readmeFile + ":4", "front matter: did not find expected"}, {readmeFile + ":1", "title: is required"}, {readmeFile + ":1", "docs: must cite"}}},
		{"unknown field in an exercise block", []edit{{readme, "hints:\n", "hint:\n"}},
			[]want{{readmeFile + ":16", `unknown field "hint"`}, {readmeFile + ":13", "hints: give a ladder"}}},
		{"YAML error in an exercise block", []edit{{readme, "title: Run a pod named web", "title: [Run a pod"}},
			[]want{{readmeFile + ":15", "did not find expected"}, {specFile + ":5", `exercise "one" has no ` + "```exercise block"}}},
		{"type error in an exercise block", []edit{{readme, "title: Run a pod named web", "title: {a: b}"}},
			[]want{{readmeFile + ":15", "cannot unmarshal"}, {readmeFile + ":13", "title: is required"}}},
		{"empty exercise block", []edit{{readme, "id: one\ntitle: Run a pod named web\nhints:\n  - A nudge.\n  - \"The answer: kubectl run web --image=nginx:1.27 -n kw-test\"\n", ""}},
			[]want{{readmeFile + ":13", "empty exercise block"}, {specFile + ":5", `exercise "one" has no ` + "```exercise block"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{readme: baseReadme, spec: baseSpec, manifest: baseManifest}
			for _, e := range tt.edits {
				files[e.file] = replace(t, files[e.file], e.old, e.new)
			}
			_, probs := problemsOf(t, lessonFS(files))
			assertProblems(t, probs, tt.want)
		})
	}
}

// spec0Exercises is the exercises: section of baseSpec.
var spec0Exercises = baseSpec[strings.Index(baseSpec, "exercises:"):]

func assertProblems(t *testing.T, got []lessons.Problem, want []want) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d problems:%s\nwant %d: %v", len(got), problemLines(got), len(want), want)
	}
	// Problems come sorted by file and line; match each want to a distinct problem.
	used := make([]bool, len(got))
	for _, w := range want {
		found := false
		for i, p := range got {
			if !used[i] && p.Pos.String() == w.pos && strings.Contains(p.Message, w.msg) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			t.Errorf("got problems:%s\nwant one at %s saying %q", problemLines(got), w.pos, w.msg)
		}
	}
}

func TestLoadLessonFolders(t *testing.T) {
	tests := []struct {
		name string
		fsys fstest.MapFS
		want []want
	}{
		{"folder not named NN-slug", fstest.MapFS{"1-testing/README.md": {Data: []byte(baseReadme)}},
			[]want{{"1-testing", "named NN-slug"}}},
		{"folder with capitals", fstest.MapFS{"01-Testing/README.md": {Data: []byte(baseReadme)}},
			[]want{{"01-Testing", "named NN-slug"}}},
		{"no README.md", fstest.MapFS{"01-testing/lesson.yaml": {Data: []byte(baseSpec)}},
			[]want{{"01-testing/README.md", "missing"}}},
		{"no lesson.yaml", fstest.MapFS{"01-testing/README.md": {Data: []byte(baseReadme)}},
			[]want{{"01-testing/lesson.yaml", "missing"}}},
		{"a number used twice", withLesson(lessonFS(nil), "01-other"),
			[]want{{"01-testing", "lesson number 01 is also used by 01-other"}}},
		{"hidden and underscore folders are skipped", withLesson(withLesson(lessonFS(nil), ".draft"), "_template"),
			nil},
		{"files at the root are skipped", func() fstest.MapFS {
			f := lessonFS(nil)
			f["README.md"] = &fstest.MapFile{Data: []byte("# lessons")}
			return f
		}(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, probs := problemsOf(t, tt.fsys)
			assertProblems(t, probs, tt.want)
		})
	}
}

// withLesson adds a copy of the base lesson under dir.
func withLesson(fsys fstest.MapFS, dir string) fstest.MapFS {
	for name, f := range lessonFS(nil) {
		fsys[dir+strings.TrimPrefix(name, lessonDir)] = f
	}
	return fsys
}
