package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kworkbook/kworkbook/checker"
	"github.com/kworkbook/kworkbook/internal/kube"
)

// SystemNamespace holds kworkbook's own objects in its sandbox: the
// ingress controller and the record of how the host reaches the cluster.
const (
	SystemNamespace = "kworkbook-system"
	infoName        = "sandbox"
)

// Info is what `sandbox up` records in the cluster about reaching it from
// this machine, so every later command knows without asking Docker.
type Info struct {
	// NodePorts maps forwarded NodePorts to local ports.
	NodePorts map[int]int `json:"nodePorts"`
	// IngressURL is the ingress controller's address from this machine.
	IngressURL string `json:"ingressURL,omitempty"`
	// NodeIPsReachable: node and LoadBalancer IPs answer from this machine
	// (Docker on Linux; not Docker Desktop).
	NodeIPsReachable bool      `json:"nodeIPsReachable"`
	Addons           []string  `json:"addons,omitempty"`
	Updated          time.Time `json:"updated"`
}

// Host is the checker's view of the same.
func (i Info) Host() checker.Host {
	return checker.Host{
		NodePorts:        i.NodePorts,
		IngressURL:       i.IngressURL,
		NodeIPsReachable: i.NodeIPsReachable,
		Client:           &http.Client{Timeout: 2 * time.Second},
	}
}

// WriteInfo records info in the cluster.
func WriteInfo(ctx context.Context, c *kube.Clients, info Info) error {
	raw, err := json.Marshal(info)
	if err != nil {
		return err
	}
	a := Applier{Dynamic: c.Dynamic, Mapper: c.RESTMapper()}
	for _, o := range []map[string]any{
		{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{
			"name": SystemNamespace, "labels": map[string]any{LabelManagedBy: ManagedBy}}},
		{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{
			"name": infoName, "namespace": SystemNamespace, "labels": map[string]any{LabelManagedBy: ManagedBy}},
			"data": map[string]any{"info.json": string(raw)}},
	} {
		if _, err := a.Apply(ctx, &unstructured.Unstructured{Object: o}); err != nil {
			return kubeError(err)
		}
	}
	return nil
}

// ReadInfo reads the record; found is false on clusters kworkbook did not set up.
func ReadInfo(ctx context.Context, c *kube.Clients) (info Info, found bool, err error) {
	cm, err := c.Typed.CoreV1().ConfigMaps(SystemNamespace).Get(ctx, infoName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) || apierrors.IsForbidden(err) {
		return Info{}, false, nil
	}
	if err != nil {
		return Info{}, false, kubeError(err)
	}
	if err := json.Unmarshal([]byte(cm.Data["info.json"]), &info); err != nil {
		return Info{}, false, fmt.Errorf("the sandbox record %s/%s is unreadable (%v): run kworkbook sandbox up", SystemNamespace, infoName, err)
	}
	return info, true, nil
}

// Provides reports whether the sandbox record says requirement r is met.
func Provides(info Info, r string) bool {
	switch r {
	case "nodeport":
		return len(info.NodePorts) > 0
	case "ingress":
		return info.IngressURL != "" && hasAddon(info, AddonIngress)
	case "loadbalancer":
		return hasAddon(info, AddonLoadBalancer)
	}
	return false
}

// WorkerCount counts the nodes that run ordinary pods: no control-plane
// role and no NoSchedule taint. Lessons on nodes and scheduling need two.
func WorkerCount(ctx context.Context, c *kube.Clients) int {
	nodes, err := c.Typed.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return 0
	}
	n := 0
	for _, node := range nodes.Items {
		if _, cp := node.Labels["node-role.kubernetes.io/control-plane"]; cp {
			continue
		}
		n++
	}
	return n
}

func hasAddon(info Info, name string) bool {
	for _, a := range info.Addons {
		if a == name {
			return true
		}
	}
	return false
}
