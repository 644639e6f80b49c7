package sandbox

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kworkbook/kworkbook/internal/kube"
	"github.com/kworkbook/kworkbook/internal/locale"
)

// UpOptions configure Up.
type UpOptions struct {
	// Name is the sandbox's kind cluster; ClusterName() when empty.
	Name string
	// Image is the kind node image (KIND_NODE_IMAGE or kind's default when empty).
	Image      string
	Kubeconfig string
	Docker     Docker
	Log        Logger
}

// Up makes kworkbook's kind cluster ready: created or reused, nodes Ready,
// add-ons installed and healthy, and the host-side record written. Running
// it again on a ready cluster changes nothing.
func Up(ctx context.Context, o UpOptions) (Target, UpResult, error) {
	log := orNop(o.Log)
	k := &Kind{Name: o.Name, Image: o.Image, Kubeconfig: o.Kubeconfig, Docker: o.Docker, Log: log}
	res, err := k.Up(ctx)
	if err != nil {
		return Target{}, res, err
	}
	t := Target{Context: k.context(), Kubeconfig: o.Kubeconfig, Owned: true}
	c, err := t.Clients()
	if err != nil {
		return t, res, err
	}
	if err := WaitNodesReady(ctx, c, 3*time.Minute); err != nil {
		return t, res, err
	}
	log.Step(locale.M("sandbox.nodes_ready"), nil)
	info, err := dockerHostInfo(ctx, o.Docker, k.name())
	if err != nil {
		return t, res, err
	}
	slot := 0
	if k.name() != DefaultClusterName {
		slot = 1
	}
	poolRange, err := o.Docker.LoadBalancerRange(ctx, "kind", slot)
	if err != nil {
		return t, res, err
	}
	addons, err := InstallAddons(ctx, c, poolRange, log)
	if err != nil {
		return t, res, err
	}
	info.Addons = addons
	info.Updated = time.Now().UTC().Truncate(time.Second)
	if old, found, _ := ReadInfo(ctx, c); found && sameInfo(old, info) {
		return t, res, nil
	}
	return t, res, WriteInfo(ctx, c, info)
}

func sameInfo(a, b Info) bool {
	a.Updated, b.Updated = time.Time{}, time.Time{}
	return fmt.Sprint(a) == fmt.Sprint(b)
}

func dockerHostInfo(ctx context.Context, d Docker, name string) (Info, error) {
	di, err := d.Info(ctx)
	if err != nil {
		return Info{}, err
	}
	cfg, err := ClusterConfigFor(name, false)
	if err != nil {
		return Info{}, err
	}
	info := Info{NodePorts: map[int]int{}, NodeIPsReachable: !di.DesktopVM()}
	for host, node := range HostPorts(cfg) {
		if node == IngressNodePort {
			info.IngressURL = fmt.Sprintf("http://127.0.0.1:%d", host)
			continue
		}
		info.NodePorts[node] = host
	}
	return info, nil
}

// IngressNodePort is the NodePort of the ingress controller's web entry point.
const IngressNodePort = 30880

// WaitNodesReady waits for every node to be Ready and the default
// ServiceAccount to exist (before it does, kubectl run is refused).
func WaitNodesReady(ctx context.Context, c *kube.Clients, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	last := "no nodes yet"
	for {
		nodes, err := c.Typed.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err == nil {
			notReady := 0
			for _, n := range nodes.Items {
				if !nodeReady(&n) {
					notReady++
				}
			}
			last = fmt.Sprintf("%d of %d nodes not Ready", notReady, len(nodes.Items))
			if notReady == 0 && len(nodes.Items) > 0 {
				if _, err := c.Typed.CoreV1().ServiceAccounts("default").Get(ctx, "default", metav1.GetOptions{}); err == nil {
					return nil
				}
				last = "the default ServiceAccount does not exist yet"
			}
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: the cluster is not ready after %s: %s (look at kubectl get nodes -o wide)", ErrUnreachable, timeout, last)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func nodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// Reachable checks quickly that the API server answers.
func Reachable(ctx context.Context, c *kube.Clients) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err := c.Typed.CoreV1().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
	if err != nil {
		return locale.Errorf(ErrUnreachable, "err.unreachable", "Context", c.Context, "Error", err.Error())
	}
	return nil
}
