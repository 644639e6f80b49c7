package e2e

import (
	"context"
	"path/filepath"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kworkbook/kworkbook/sandbox"
)

// TestAdminNodesSurviveUnownedReset plays an administrator's cluster: a
// node cordoned and another labelled (with the very key lesson 11 uses) by
// hand, then kworkbook pointed at the cluster through a context it did
// not create. Resetting the lessons that change nodes refuses, lesson 04
// resets its namespace only, and the administrator's changes stay.
func TestAdminNodesSurviveUnownedReset(t *testing.T) {
	ctx := context.Background()
	kcfg := aliasContext(t, "admin-view")
	nodes, err := suite.clients.Typed.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: "!node-role.kubernetes.io/control-plane"})
	if err != nil || len(nodes.Items) < 2 {
		t.Fatalf("got %v and %d workers, want two workers", err, len(nodes.Items))
	}
	cordoned, labelled := nodes.Items[0].Name, nodes.Items[1].Name
	kubectl(t, "cordon", cordoned)
	kubectl(t, "label", "node", labelled, "kw-disk=admin-ssd", "team=storage", "--overwrite")
	t.Cleanup(func() {
		kubectl(t, "uncordon", cordoned)
		kubectl(t, "label", "node", labelled, "kw-disk-", "team-")
	})

	as := func(args ...string) result {
		return kworkbook(t, nil, append([]string{"--kubeconfig", kcfg, "--context", "admin-view", "--yes"}, args...)...)
	}
	for _, id := range []string{"09", "11"} {
		r := as("reset", id)
		expect(t, r, 2, "changes nodes", "admin-view", sandbox.ContextName())
		expect(t, as("solve", id), 2, "changes nodes")
		expect(t, as("lessons", "prove", id), 2, "changes nodes")
	}
	expect(t, as("reset", "04"), 0, "lesson-04 is back at its start")
	t.Cleanup(func() { kworkbook(t, nil, "reset", "04", "--yes") })

	for _, n := range []string{cordoned, labelled} {
		node, err := suite.clients.Typed.CoreV1().Nodes().Get(ctx, n, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if n == cordoned && !node.Spec.Unschedulable {
			t.Errorf("node %s: got uncordoned, want the administrator's cordon kept", n)
		}
		if n == labelled && (node.Labels["kw-disk"] != "admin-ssd" || node.Labels["team"] != "storage") {
			t.Errorf("node %s: got labels %v, want kw-disk=admin-ssd and team=storage kept", n, node.Labels)
		}
	}
}

// aliasContext writes a kubeconfig holding kworkbook's cluster under
// another context name, as a cluster kworkbook did not create would be.
func aliasContext(t *testing.T, name string) string {
	t.Helper()
	raw, err := sandbox.RawConfig("")
	if err != nil {
		t.Fatal(err)
	}
	cfg := raw.DeepCopy()
	c := *cfg.Contexts[sandbox.ContextName()]
	cfg.Contexts = map[string]*clientcmdapi.Context{name: &c}
	cfg.CurrentContext = name
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}
