package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kworkbook/kworkbook/sandbox"
)

// result is one run of the kworkbook binary.
type result struct {
	code           int
	stdout, stderr string
}

// kworkbook runs the built binary as a learner would, with extra
// environment variables.
func kworkbook(t *testing.T, env []string, args ...string) result {
	t.Helper()
	return kworkbookWithin(t, 5*time.Minute, env, args...)
}

// kworkbookWithin is kworkbook for a command that may take longer.
func kworkbookWithin(t *testing.T, limit time.Duration, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, suite.binary, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("kworkbook %s: %v", strings.Join(args, " "), err)
	}
	t.Logf("$ kworkbook %s → exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	return r
}

func kubectl(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("kubectl", append([]string{"--context", sandbox.ContextName()}, args...)...).CombinedOutput()
	t.Logf("$ kubectl %s\n%s", strings.Join(args, " "), out)
	if err != nil {
		t.Fatalf("kubectl %s: %v", strings.Join(args, " "), err)
	}
	return string(out)
}

func expect(t *testing.T, r result, code int, contains ...string) {
	t.Helper()
	if r.code != code {
		t.Errorf("got exit %d, want %d", r.code, code)
	}
	for _, s := range contains {
		if !strings.Contains(r.stdout+r.stderr, s) {
			t.Errorf("output does not contain %q", s)
		}
	}
	if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic:") {
		t.Errorf("a stack trace reached the user:\n%s", r.stderr)
	}
}

// TestLearnerFlow drives the binary the way a learner does: start, check,
// hint, plain kubectl, check again, list, reset.
func TestLearnerFlow(t *testing.T) {
	state := []string{"KWORKBOOK_STATE_DIR=" + t.TempDir()}
	expect(t, kworkbook(t, state, "reset", "02", "--yes"), 0)
	expect(t, kworkbook(t, state, "start", "lesson-02", "--no-pager"), 0, "Your first workload", "Exercise 1 of 4", "kw-first")
	expect(t, kworkbook(t, state, "check", "02"), 1, `there is no Pod "web" in namespace kw-first`, "0 of 4 passed")
	expect(t, kworkbook(t, state, "hint", "02"), 0, "Nudge (1/3)")
	expect(t, kworkbook(t, state, "hint", "02"), 0, "Command shape (2/3)")

	kubectl(t, "run", "web", "--image=nginx:1.27", "-n", "kw-first")
	expect(t, kworkbook(t, state, "check", "02", "run-pod"), 0, "✓ 1. run-pod")
	// check without a lesson picks the one worked on last.
	expect(t, kworkbook(t, state, "check"), 1, "1 of 4 passed", "Next: expose")
	r := kworkbook(t, state, "list")
	expect(t, r, 0, "lesson-02", "1/4 in progress", "expose")

	// A wrong answer gets a verdict that names the mistake.
	kubectl(t, "expose", "pod", "web", "--port=80", "-n", "kw-first")
	expect(t, kworkbook(t, state, "check", "02", "expose"), 1, `spec.type is "ClusterIP"; expected "NodePort"`)

	expect(t, kworkbook(t, state, "reset", "02", "--yes"), 0, "back at its start")
	expect(t, kworkbook(t, state, "check", "02", "run-pod"), 1, `there is no Pod "web"`)
	expect(t, kworkbook(t, state, "list"), 0, "0/4")
}

// TestUnknownLessonAndExercise: bad input gets a clear error, exit 2.
func TestUnknownLessonAndExercise(t *testing.T) {
	expect(t, kworkbook(t, nil, "start", "lesson-99"), 2, `no lesson "lesson-99"`, "lesson-02")
	expect(t, kworkbook(t, nil, "check", "02", "nope"), 2, "unknown exercise", "run-pod")
}

// TestContextGuard: kworkbook uses only its own cluster unless a context is
// named, and never touches a namespace it did not make.
func TestContextGuard(t *testing.T) {
	dir := t.TempDir()
	// A kubeconfig whose only context is "other" (the same cluster under
	// another name, like a classroom or Docker Desktop cluster).
	other := filepath.Join(dir, "other.yaml")
	raw := kubectl(t, "config", "view", "--minify", "--flatten", "--context", sandbox.ContextName())
	if err := os.WriteFile(other, []byte(strings.ReplaceAll(raw, sandbox.ContextName(), "other")), 0o600); err != nil {
		t.Fatal(err)
	}
	state := "KWORKBOOK_STATE_DIR=" + t.TempDir()
	env := []string{"KUBECONFIG=" + other, state}

	// The current context is "other", but kworkbook does not use it unasked.
	expect(t, kworkbook(t, env, "check", "02"), 2, "no kworkbook cluster yet", "--context other")
	// Named explicitly, it is used.
	expect(t, kworkbook(t, env, "--context", "other", "check", "02", "delete-old"), 1)
	expect(t, kworkbook(t, env, "--context", "nope", "check", "02"), 2, `no such context "nope"`)
	// sandbox up/down never act on a cluster kworkbook did not make.
	expect(t, kworkbook(t, env, "--context", "other", "sandbox", "down", "--yes"), 2, "never deletes other")

	// A namespace with a lesson's name that kworkbook did not make is refused, and kept.
	lessonsDir := filepath.Join(dir, "lessons")
	writeGuardLesson(t, lessonsDir)
	kubectl(t, "create", "namespace", "kw-guard")
	defer kubectl(t, "delete", "namespace", "kw-guard", "--wait=false")
	expect(t, kworkbook(t, []string{state}, "--lessons-dir", lessonsDir, "start", "99", "--no-pager"), 2, "namespace kw-guard exists but kworkbook did not make it")
	expect(t, kworkbook(t, []string{state}, "--lessons-dir", lessonsDir, "reset", "99", "--yes"), 2, "will not touch it")
	if _, err := suite.clients.Typed.CoreV1().Namespaces().Get(context.Background(), "kw-guard", metav1.GetOptions{}); err != nil {
		t.Errorf("the namespace kworkbook did not make was touched: %v", err)
	}
}

func writeGuardLesson(t *testing.T, dir string) {
	t.Helper()
	l := filepath.Join(dir, "99-guard")
	if err := os.MkdirAll(l, 0o755); err != nil {
		t.Fatal(err)
	}
	readme := "---\ntitle: Guard\ndocs: [https://kubernetes.io/docs/]\n---\n# Guard\n\n```exercise\nid: one\ntitle: One\nhints: [a, b, c]\n```\n"
	spec := "namespaces: [kw-guard]\nexercises:\n  - id: one\n    checks: [{kind: ConfigMap, name: one}]\n    solution: {commands: [\"kubectl create configmap one -n kw-guard\"]}\n"
	for name, body := range map[string]string{"README.md": readme, "lesson.yaml": spec} {
		if err := os.WriteFile(filepath.Join(l, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDockerAdvice: without Docker, or with Docker stopped, sandbox up says
// what to do instead of failing obscurely.
func TestDockerAdvice(t *testing.T) {
	empty := t.TempDir()
	kubeconfig := "KUBECONFIG=" + filepath.Join(t.TempDir(), "none")
	expect(t, kworkbook(t, []string{"PATH=" + empty, kubeconfig}, "sandbox", "up"), 2, "docker is not installed", "https://docs.docker.com/get-docker/")

	fake := t.TempDir()
	script := "#!/bin/sh\necho 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2\nexit 1\n"
	if err := os.WriteFile(filepath.Join(fake, "docker"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	expect(t, kworkbook(t, []string{"PATH=" + fake + ":/usr/bin:/bin", kubeconfig}, "sandbox", "up"), 2, "docker is not running", "start Docker")
}

// TestSandboxIdempotent: a second sandbox up on a ready cluster changes
// nothing, and status lists nodes, add-ons and host access.
func TestSandboxIdempotent(t *testing.T) {
	ctx := context.Background()
	before := addonVersions(t, ctx)
	r := kworkbook(t, nil, "sandbox", "up")
	expect(t, r, 0, "already exists: reusing it", "loadbalancer (metallb): MetalLB", "ingress (traefik): Traefik")
	if strings.Contains(r.stderr, "installed in") {
		t.Errorf("sandbox up reinstalled an add-on on a ready cluster")
	}
	if after := addonVersions(t, ctx); after != before {
		t.Errorf("add-on objects changed: got %s, want %s", after, before)
	}
	expect(t, kworkbook(t, nil, "sandbox", "status"), 0,
		"kworkbook-control-plane", "kworkbook-worker2", "✓ loadbalancer (metallb)", "✓ ingress (traefik)",
		"NodePorts: 30080-30089", "Ingress:   http://127.0.0.1:8080")
}

func addonVersions(t *testing.T, ctx context.Context) string {
	t.Helper()
	d, err := suite.clients.Typed.AppsV1().Deployments(sandbox.SystemNamespace).Get(ctx, "traefik", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := suite.clients.Typed.AppsV1().Deployments("metallb-system").Get(ctx, "controller", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return d.ResourceVersion + "/" + c.ResourceVersion
}
