package sandbox

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// kubeconfig writes a kubeconfig with a cluster and user per context and
// the given current context.
func kubeconfig(t *testing.T, current string, contexts ...string) string {
	t.Helper()
	cfg := clientcmdapi.NewConfig()
	for _, c := range contexts {
		cfg.Clusters[c] = &clientcmdapi.Cluster{Server: "https://" + c + ".example:6443"}
		cfg.AuthInfos[c] = &clientcmdapi.AuthInfo{Token: "token-of-" + c}
		cfg.Contexts[c] = &clientcmdapi.Context{Cluster: c, AuthInfo: c}
	}
	cfg.CurrentContext = current
	path := filepath.Join(t.TempDir(), "config")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name     string
		current  string
		contexts []string
		context  string
		want     Target // Kubeconfig is filled in
		err      error
		says     []string
	}{
		{"no sandbox yet", "prod", []string{"prod"}, "", Target{}, ErrNoSandbox,
			[]string{"kworkbook sandbox up", "--context prod"}},
		{"no sandbox and no current context", "", nil, "", Target{}, ErrNoSandbox,
			[]string{"kworkbook sandbox up"}},
		{"the sandbox, never the current context", "prod", []string{"prod", ContextName()}, "", Target{Context: ContextName(), Owned: true}, nil, nil},
		{"the sandbox when it is current", ContextName(), []string{ContextName()}, "", Target{Context: ContextName(), Owned: true}, nil, nil},
		{"another cluster by name", ContextName(), []string{"prod", ContextName()}, "prod", Target{Context: "prod", Owned: false}, nil, nil},
		{"the sandbox by name", "prod", []string{"prod", ContextName()}, ContextName(), Target{Context: ContextName(), Owned: true}, nil, nil},
		{"an unknown context", "prod", []string{"prod", "staging"}, "prd", Target{}, ErrUnknownContext,
			[]string{`"prd"`, "prod, staging"}},
		{"an unknown context in an empty kubeconfig", "", nil, "prod", Target{}, ErrUnknownContext, []string{"(none)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := kubeconfig(t, tt.current, tt.contexts...)
			got, err := Resolve(path, tt.context)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("got %+v, %v; want %v", got, err, tt.err)
				}
				for _, s := range tt.says {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("got %q, want it to say %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("got %v, want %+v", err, tt.want)
			}
			tt.want.Kubeconfig = path
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestResolveMissingKubeconfig(t *testing.T) {
	_, err := Resolve(filepath.Join(t.TempDir(), "nope"), "")
	if err == nil || errors.Is(err, ErrNoSandbox) {
		t.Errorf("got %v, want an error reading the kubeconfig", err)
	}
}

func TestWriteKubeconfig(t *testing.T) {
	path := kubeconfig(t, "prod", "prod", ContextName())
	tgt := Target{Context: ContextName(), Kubeconfig: path, Owned: true}
	out := filepath.Join(t.TempDir(), "only")
	if err := tgt.WriteKubeconfig(out); err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.LoadFromFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CurrentContext != ContextName() || len(cfg.Contexts) != 1 || len(cfg.Clusters) != 1 || len(cfg.AuthInfos) != 1 {
		t.Errorf("got current %q with %d contexts, %d clusters, %d users; want only %s", cfg.CurrentContext, len(cfg.Contexts), len(cfg.Clusters), len(cfg.AuthInfos), ContextName())
	}
	raw, _ := os.ReadFile(out)
	if strings.Contains(string(raw), "prod") {
		t.Errorf("got another cluster in the file:\n%s\nwant only the target's", raw)
	}
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("got mode %v, want 0600 (it holds credentials)", st.Mode().Perm())
	}
}

func TestSetCurrentContext(t *testing.T) {
	path := kubeconfig(t, ContextName(), "prod", ContextName())
	if err := SetCurrentContext(path, "prod"); err != nil {
		t.Fatal(err)
	}
	if got, err := RawConfigCurrent(path); err != nil || got != "prod" {
		t.Errorf("got %q, %v; want prod", got, err)
	}
	raw, err := RawConfig(path)
	if err != nil || len(raw.Contexts) != 2 {
		t.Errorf("got %v, %v; want both contexts kept", raw, err)
	}
}

func TestSandboxName(t *testing.T) {
	t.Setenv("KWORKBOOK_SANDBOX", "")
	if ClusterName() != "kworkbook" || ContextName() != "kind-kworkbook" {
		t.Errorf("got %s, %s; want kworkbook, kind-kworkbook", ClusterName(), ContextName())
	}
	cfg, err := ClusterConfig(false)
	if err != nil || len(HostPorts(cfg)) == 0 {
		t.Fatalf("got %v, %v; want the default sandbox to forward ports", err, HostPorts(cfg))
	}
	t.Setenv("KWORKBOOK_SANDBOX", "kwb-nodes")
	if ClusterName() != "kwb-nodes" || ContextName() != "kind-kwb-nodes" {
		t.Errorf("got %s, %s; want kwb-nodes, kind-kwb-nodes", ClusterName(), ContextName())
	}
	if cfg, _ := ClusterConfig(true); cfg.Name != "kwb-nodes" || len(HostPorts(cfg)) != 0 || len(cfg.KubeadmConfigPatches) != 1 {
		t.Errorf("got %s with ports %v, want a second sandbox that forwards none", cfg.Name, HostPorts(cfg))
	}
	t.Setenv("KWORKBOOK_SANDBOX", "Not A Name")
	if ClusterName() != "kworkbook" {
		t.Errorf("got %s for an invalid name, want the default", ClusterName())
	}
}

func TestKindName(t *testing.T) {
	t.Setenv("KWORKBOOK_SANDBOX", "")
	if got := (&Kind{}).name(); got != DefaultClusterName {
		t.Errorf("got %q, want the default sandbox", got)
	}
	if got := (&Kind{Name: "kwb-e2e-nodes"}).context(); got != "kind-kwb-e2e-nodes" {
		t.Errorf("got %q, want kind-kwb-e2e-nodes", got)
	}
}
