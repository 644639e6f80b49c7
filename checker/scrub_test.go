package checker_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/kworkbook/kworkbook/checker"
	"github.com/kworkbook/kworkbook/internal/kube"
)

// TestSecretValuesRedacted: a probe that was not marked secret (or whose
// author did not know it prints one) still never shows the value of a
// Secret in the lesson's namespaces, decoded or as stored.
func TestSecretValuesRedacted(t *testing.T) {
	const password = "hunter2-s3cr3t"
	secret := &corev1.Secret{ObjectMeta: meta0("db", nil), Data: map[string][]byte{
		"password": []byte(password), "user": []byte("ab"), "cert": []byte("line-one-of-cert\nline-two-of-cert\n"),
	}}
	for name, out := range map[string]string{
		"decoded":         "DB_PASSWORD=" + password + "\nDB_USER=ab",
		"base64":          "value: aHVudGVyMi1zM2NyM3Q=",
		"one line of one": "got line-two-of-cert here",
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeCluster(t, secret, pod("client", nil, corev1.PodRunning))
			f.exec.result = kube.ExecResult{Stdout: out, ExitCode: 1}
			r := runOnce(t, f, check(t, "exec: {pod: client, command: [env]}\nexpect: {exitCode: 0}"))
			assertResult(t, r, checker.Fail, "exited with code 1", checker.Redacted)
			assertNotContains(t, r, password, "aHVudGVyMi1zM2NyM3Q=", "line-two-of-cert")
		})
	}
	// Values too short to be told from ordinary words stay.
	f := newFakeCluster(t, secret, pod("client", nil, corev1.PodRunning))
	f.exec.result = kube.ExecResult{Stdout: "DB_USER=ab", ExitCode: 1}
	r := runOnce(t, f, check(t, "exec: {pod: client, command: [env]}\nexpect: {exitCode: 0}"))
	assertResult(t, r, checker.Fail, "DB_USER=ab")
}

// TestControlSequencesStripped: what comes from the cluster (probe output,
// a ConfigMap's values) cannot move the cursor, retitle the window or
// write the clipboard of the terminal that shows the verdict.
func TestControlSequencesStripped(t *testing.T) {
	f := newFakeCluster(t, pod("client", nil, corev1.PodRunning),
		configMap("settings", map[string]string{"greeting": "hi\x1b]52;c;cm0gLXJmIH4=\x07 there\x1b[2J"}))
	f.exec.result = kube.ExecResult{Stdout: "\x1b]0;owned\x07\x1b[31mred\x1b[0m", ExitCode: 1}
	r := runOnce(t, f, check(t, "exec: {pod: client, command: [cat]}\nexpect: {exitCode: 0}"))
	assertResult(t, r, checker.Fail, "red")
	assertNotContains(t, r, "\x1b", "\x07")

	r = runOnce(t, f, check(t, "kind: ConfigMap\nname: settings\nmatch: {data: {greeting: bye}}"))
	assertResult(t, r, checker.Fail, "hi there")
	assertNotContains(t, r, "\x1b", "\x07")
}
