// Package kube builds the Kubernetes clients kworkbook's libraries share:
// typed and dynamic clients, a discovery-backed REST mapper, and pod exec.
package kube

import (
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Clients is everything needed to read and change one cluster.
type Clients struct {
	// Context is the kubeconfig context the clients talk to.
	Context    string
	Kubeconfig string
	Config     *rest.Config
	Typed      kubernetes.Interface
	Dynamic    dynamic.Interface
	Discovery  discovery.CachedDiscoveryInterface
	Mapper     meta.ResettableRESTMapper
	Exec       Execer
}

// LoadingRules returns kubectl's kubeconfig loading rules, with an explicit
// file taking precedence over $KUBECONFIG when given.
func LoadingRules(kubeconfig string) *clientcmd.ClientConfigLoadingRules {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if kubeconfig != "" {
		rules.ExplicitPath = kubeconfig
	}
	return rules
}

// RawConfig reads the merged kubeconfig.
func RawConfig(kubeconfig string) (*clientcmdapi.Config, error) {
	cfg, err := LoadingRules(kubeconfig).Load()
	if err != nil {
		return nil, fmt.Errorf("unable to read kubeconfig: %w", err)
	}
	return cfg, nil
}

// New builds clients for context name of the kubeconfig.
func New(kubeconfig, context string) (*Clients, error) {
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(LoadingRules(kubeconfig),
		&clientcmd.ConfigOverrides{CurrentContext: context})
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("unable to use context %q: %w", context, err)
	}
	return FromConfig(cfg, kubeconfig, context)
}

// FromConfig builds clients from a REST config.
func FromConfig(cfg *rest.Config, kubeconfig, context string) (*Clients, error) {
	cfg = rest.CopyConfig(cfg)
	// Checks poll in parallel; the default 5 QPS would throttle a lesson's worth.
	cfg.QPS, cfg.Burst = 100, 200
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	cfg.UserAgent = "kworkbook"
	// Deprecation warnings from the API server are for developers, not learners.
	cfg.WarningHandler = rest.NoWarnings{}
	typed, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("unable to create a client: %w", err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("unable to create a client: %w", err)
	}
	disc := memory.NewMemCacheClient(typed.Discovery())
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(disc)
	return &Clients{
		Context:    context,
		Kubeconfig: kubeconfig,
		Config:     cfg,
		Typed:      typed,
		Dynamic:    dyn,
		Discovery:  disc,
		Mapper:     mapper,
		Exec:       &podExec{cfg: cfg, typed: typed},
	}, nil
}

// RESTMapper returns a mapper that also understands short names (deploy, svc).
func (c *Clients) RESTMapper() meta.RESTMapper {
	return restmapper.NewShortcutExpander(c.Mapper, c.Discovery, nil)
}
