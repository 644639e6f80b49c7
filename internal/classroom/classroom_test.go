package classroom

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kworkbook/kworkbook/lessons"
	"github.com/kworkbook/kworkbook/sandbox"
)

func TestParseRoster(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) string {
		p := filepath.Join(dir, "roster.txt")
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ids, err := ParseRoster(write("# class 2026\nalice\n\nbob  Bob B.\ncarol,Carol C. # comment\n"))
	if err != nil || strings.Join(ids, ",") != "alice,bob,carol" {
		t.Errorf("got %v, %v; want alice,bob,carol", ids, err)
	}
	for _, bad := range []string{"Alice\n", "al!ice\n", "alice\nalice\n", "# nobody\n", strings.Repeat("a", 21) + "\n", "-x\n"} {
		if _, err := ParseRoster(write(bad)); err == nil {
			t.Errorf("%q: got no error", bad)
		}
	}
	if _, err := ParseRoster(filepath.Join(dir, "none")); err == nil {
		t.Error("got no error for a missing roster")
	}
}

func TestStudentOf(t *testing.T) {
	for user, want := range map[string]string{
		"system:serviceaccount:kw-alice:student":    "alice",
		"system:serviceaccount:kw-alice:default":    "",
		"system:serviceaccount:kube-system:student": "",
		"kubernetes-admin":                          "",
		"system:serviceaccount:kw-Bad:student":      "",
	} {
		got, ok := studentOf(user)
		if got != want || ok != (want != "") {
			t.Errorf("%s: got %q %v, want %q", user, got, ok, want)
		}
	}
}

// TestIsolationPolicy: only the student's own namespaces, DNS, the
// ingress controller and the nodes (outside the pod network) get in or out.
func TestIsolationPolicy(t *testing.T) {
	np := isolation("kw-alice-deploy", "alice", []string{"10.244.0.0/24", "10.244.1.0/24"})
	spec := np["spec"].(map[string]any)
	from := spec["ingress"].([]any)[0].(map[string]any)["from"].([]any)
	if len(from) != 3 {
		t.Fatalf("got %d ingress peers, want own namespaces, ingress controller, outside the pod network", len(from))
	}
	own := from[0].(map[string]any)["namespaceSelector"].(map[string]any)["matchLabels"].(map[string]any)
	if own[LabelStudent] != "alice" {
		t.Errorf("got %v, want the student's namespaces", own)
	}
	except := from[2].(map[string]any)["ipBlock"].(map[string]any)["except"].([]any)
	if len(except) != 2 {
		t.Errorf("got except %v, want the pod networks left out", except)
	}
	if types := spec["policyTypes"].([]any); len(types) != 2 {
		t.Errorf("got %v, want Ingress and Egress", types)
	}
	// Without pod networks, no ipBlock: it would let every pod in.
	np = isolation("kw-alice-deploy", "alice", nil)
	if from := np["spec"].(map[string]any)["ingress"].([]any)[0].(map[string]any)["from"].([]any); len(from) != 2 {
		t.Errorf("got %d peers, want no ipBlock without pod networks", len(from))
	}
}

// TestStudentKubeconfig: the kubeconfig class up writes carries the
// student's scope, which kworkbook reads without asking the cluster, and
// its token's expiry.
func TestStudentKubeconfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "alice.kubeconfig")
	exp := time.Now().Add(8 * time.Hour).Truncate(time.Second)
	claims := base64.RawURLEncoding.EncodeToString([]byte(`{"exp":` + itoa(exp.Unix()) + `,"sub":"system:serviceaccount:kw-alice:student"}`))
	token := "eyJhbGciOiJSUzI1NiJ9." + claims + ".sig"
	if err := writeKubeconfig(path, lessons.Scope{Student: "alice", NodePortBase: 31010}, "https://10.0.0.1:6443", []byte("CA"), token); err != nil {
		t.Fatal(err)
	}
	tgt, err := sandbox.Resolve(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if tgt.Context != ContextPrefix+"alice" || tgt.Owned || tgt.Scope.Student != "alice" || tgt.Scope.NodePortBase != 31010 {
		t.Errorf("got %+v, want alice's scope from the kubeconfig", tgt)
	}
	if got, ok := tokenExpiry(path); !ok || !got.Equal(exp) {
		t.Errorf("got expiry %v %v, want %v", got, ok, exp)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("got mode %v, want 0600: it holds a token", st.Mode())
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
