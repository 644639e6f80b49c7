package kube_test

import (
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kworkbook/kworkbook/internal/kube"
)

func mapper() meta.RESTMapper {
	m := meta.NewDefaultRESTMapper(nil)
	m.Add(schema.GroupVersionKind{Version: "v1", Kind: "Pod"}, meta.RESTScopeNamespace)
	m.Add(schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, meta.RESTScopeNamespace)
	m.Add(schema.GroupVersionKind{Version: "v1", Kind: "Node"}, meta.RESTScopeRoot)
	m.Add(schema.GroupVersionKind{Group: "networking.k8s.io", Version: "v1", Kind: "NetworkPolicy"}, meta.RESTScopeNamespace)
	return m
}

func TestMapping(t *testing.T) {
	tests := []struct {
		kind, apiVersion string
		resource         schema.GroupVersionResource
		scope            meta.RESTScopeName
	}{
		{"Pod", "", schema.GroupVersionResource{Version: "v1", Resource: "pods"}, meta.RESTScopeNameNamespace},
		{"Deployment", "", schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}, meta.RESTScopeNameNamespace},
		{"Deployment", "apps/v1", schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}, meta.RESTScopeNameNamespace},
		{"Node", "v1", schema.GroupVersionResource{Version: "v1", Resource: "nodes"}, meta.RESTScopeNameRoot},
		{"NetworkPolicy", "", schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "networkpolicies"}, meta.RESTScopeNameNamespace},
	}
	for _, tt := range tests {
		t.Run(tt.kind+" "+tt.apiVersion, func(t *testing.T) {
			m, err := kube.Mapping(mapper(), tt.kind, tt.apiVersion)
			if err != nil {
				t.Fatalf("got %v, want a mapping", err)
			}
			if m.Resource != tt.resource || m.Scope.Name() != tt.scope {
				t.Errorf("got %v (%s), want %v (%s)", m.Resource, m.Scope.Name(), tt.resource, tt.scope)
			}
		})
	}
	for _, tt := range []struct{ kind, apiVersion string }{{"Widget", ""}, {"Deployment", "apps/v2"}, {"Pod", "apps/v1"}} {
		if _, err := kube.Mapping(mapper(), tt.kind, tt.apiVersion); !meta.IsNoMatchError(err) {
			t.Errorf("%s %s: got %v, want a no-match error", tt.kind, tt.apiVersion, err)
		}
	}
	if _, err := kube.Mapping(mapper(), "Deployment", "a/b/c"); err == nil {
		t.Error("got a mapping for a malformed apiVersion, want an error")
	}
}

func writeKubeconfig(t *testing.T) string {
	t.Helper()
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["c"] = &clientcmdapi.Cluster{Server: "https://127.0.0.1:1"}
	cfg.AuthInfos["u"] = &clientcmdapi.AuthInfo{Token: "t"}
	cfg.Contexts["kind-kworkbook"] = &clientcmdapi.Context{Cluster: "c", AuthInfo: "u"}
	cfg.CurrentContext = "kind-kworkbook"
	path := filepath.Join(t.TempDir(), "config")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRawConfig(t *testing.T) {
	path := writeKubeconfig(t)
	raw, err := kube.RawConfig(path)
	if err != nil || raw.CurrentContext != "kind-kworkbook" || len(raw.Contexts) != 1 {
		t.Errorf("got %v, %v; want the file's one context", raw, err)
	}
	if got := kube.LoadingRules(path).ExplicitPath; got != path {
		t.Errorf("got explicit path %q, want %q", got, path)
	}
	if _, err := kube.RawConfig(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("got no error for a missing explicit kubeconfig, want one")
	}
}

func TestNew(t *testing.T) {
	path := writeKubeconfig(t)
	c, err := kube.New(path, "kind-kworkbook")
	if err != nil {
		t.Fatalf("got %v, want clients (nothing is contacted yet)", err)
	}
	if c.Context != "kind-kworkbook" || c.Kubeconfig != path || c.Config.Host != "https://127.0.0.1:1" {
		t.Errorf("got %+v, want clients for the context", c)
	}
	if c.Config.QPS < 50 || c.Config.Timeout == 0 || c.Config.UserAgent != "kworkbook" {
		t.Errorf("got QPS %v, timeout %v, agent %q; want a high QPS, a timeout and kworkbook's agent", c.Config.QPS, c.Config.Timeout, c.Config.UserAgent)
	}
	if c.Typed == nil || c.Dynamic == nil || c.Mapper == nil || c.Exec == nil || c.RESTMapper() == nil {
		t.Error("got a client missing, want every one")
	}
	if _, err := kube.New(path, "nope"); err == nil {
		t.Error("got clients for an unknown context, want an error")
	}
}

func TestFromConfigCopies(t *testing.T) {
	cfg := &rest.Config{Host: "https://127.0.0.1:1"}
	c, err := kube.FromConfig(cfg, "", "x")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.QPS != 0 || cfg.UserAgent != "" {
		t.Error("got the caller's config changed, want it copied")
	}
	if c.Config == cfg {
		t.Error("got the caller's config kept, want a copy")
	}
}
