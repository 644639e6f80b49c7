package checker_test

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/kworkbook/kworkbook/checker"
	"github.com/kworkbook/kworkbook/internal/kube"
	"github.com/kworkbook/kworkbook/lessons"
)

// TestCheckOnlyReads: checks of every sort, passing and failing, with the
// evidence gathered for failures, only read the cluster.
func TestCheckOnlyReads(t *testing.T) {
	f := newFakeCluster(t,
		pod("client", labels("app", "client"), corev1.PodRunning),
		pod("web", labels("app", "web"), corev1.PodPending),
		deployment("web", 3, "nginx:1.27"),
		service("web", corev1.ServiceTypeClusterIP, labels("app", "web"), corev1.ServicePort{Port: 80}),
		&corev1.Secret{ObjectMeta: meta0("db", nil), Data: map[string][]byte{"password": []byte("s3cr3t-value")}},
	)
	f.exec.result = kube.ExecResult{Stdout: "nope", ExitCode: 1}
	proxy(f, proxyResponse{body: []byte("hello")})
	l := lesson(
		&lessons.Exercise{ID: "objects", Checks: []*lessons.Check{
			check(t, "kind: Deployment\nname: web\nmatch: {spec: {replicas: 3}}"),
			check(t, "kind: Pod\nselector: app=web\nmatch: {status: {phase: Running}}\ncount: '>= 1'"),
		}},
		&lessons.Exercise{ID: "absent", Checks: []*lessons.Check{check(t, "kind: ConfigMap\nname: gone\nabsent: true")}},
		&lessons.Exercise{ID: "exec", Checks: []*lessons.Check{check(t, "exec: {selector: app=client, command: [env]}\nexpect: {exitCode: 0}")}},
		&lessons.Exercise{ID: "http", Checks: []*lessons.Check{check(t, "http: {service: web}\nexpect: {contains: [hello]}")}},
		&lessons.Exercise{ID: "evidence", Checks: []*lessons.Check{check(t, "kind: Pod\nname: web\nmatch: {status: {phase: Running}}")}},
	)
	vs := f.checker(checker.Options{Once: true}).Lesson(context.Background(), l)
	passed := 0
	for _, v := range vs {
		if v.Passed() {
			passed++
		}
	}
	if passed == 0 || passed == len(vs) {
		t.Fatalf("got %d of %d passing, want both verdicts exercised", passed, len(vs))
	}
	reads := map[string]bool{"get": true, "list": true, "watch": true, "proxy": true}
	for _, a := range append(f.typed.Actions(), f.dyn.Actions()...) {
		if !reads[a.GetVerb()] {
			t.Errorf("got %s %s, want only reads", a.GetVerb(), a.GetResource().Resource)
		}
	}
}
