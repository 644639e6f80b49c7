// Package sandbox provides the cluster lessons run on: a kind cluster made
// and reused through sigs.k8s.io/kind, or an existing cluster named by
// --context; lesson setup, reset and reference solutions; and the add-ons
// that make NodePorts, LoadBalancers and Ingress reachable from the host.
package sandbox

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	"sigs.k8s.io/kind/pkg/cluster"
	"sigs.k8s.io/yaml"

	"github.com/kworkbook/kworkbook/assets"
	"github.com/kworkbook/kworkbook/internal/locale"
)

// DefaultClusterName is the kind cluster kworkbook makes and owns.
const DefaultClusterName = "kworkbook"

// ClusterName is kworkbook's own kind cluster: "kworkbook", or the name in
// KWORKBOOK_SANDBOX, a second sandbox beside it (lesson authors proving a
// lesson that changes nodes while another runs, CI running two at once).
// A second sandbox forwards no ports from this machine: the default one
// holds them.
func ClusterName() string {
	if n := os.Getenv("KWORKBOOK_SANDBOX"); n != "" && len(validation.IsDNS1123Label(n)) == 0 {
		return n
	}
	return DefaultClusterName
}

// ContextName is the kubeconfig context kind writes for ClusterName.
func ContextName() string { return "kind-" + ClusterName() }

// cgroupV1Patch lets kubelet 1.35+ run on a cgroup v1 host.
const cgroupV1Patch = `kind: KubeletConfiguration
failCgroupV1: false`

// Kind provisions kworkbook's kind cluster.
type Kind struct {
	// Name is the kind cluster; ClusterName() when empty.
	Name string
	// Image is the node image; KIND_NODE_IMAGE or kind's default when empty.
	Image string
	// Kubeconfig is the file kind writes to; kind's default when empty
	// ($KUBECONFIG, else ~/.kube/config).
	Kubeconfig string
	Docker     Docker
	Log        Logger
	// Wait is how long to wait for the cluster to be ready.
	Wait time.Duration
}

// UpResult says what Up did.
type UpResult struct {
	Created bool
	// PreviousContext is the kubeconfig's current context before kind
	// switched it to kworkbook's (only when Created).
	PreviousContext string
	Image           string
	CgroupV1        bool
}

func (k *Kind) provider() *cluster.Provider {
	return cluster.NewProvider(cluster.ProviderWithDocker(), cluster.ProviderWithLogger(kindLogger{orNop(k.Log)}))
}

func (k *Kind) name() string {
	if k.Name != "" {
		return k.Name
	}
	return ClusterName()
}

func (k *Kind) context() string { return "kind-" + k.name() }

func (k *Kind) image() string {
	if k.Image != "" {
		return k.Image
	}
	return os.Getenv("KIND_NODE_IMAGE")
}

// Exists reports whether kworkbook's kind cluster exists.
func (k *Kind) Exists(ctx context.Context) (bool, error) {
	if _, err := k.Docker.Info(ctx); err != nil {
		return false, err
	}
	names, err := k.provider().List()
	if err != nil {
		return false, fmt.Errorf("unable to list kind clusters: %w", err)
	}
	for _, n := range names {
		if n == k.name() {
			return true, nil
		}
	}
	return false, nil
}

// Up creates the cluster when it is missing and makes sure its nodes are
// running and its kubeconfig entry exists. It never touches other clusters.
func (k *Kind) Up(ctx context.Context) (UpResult, error) {
	log := orNop(k.Log)
	info, err := k.Docker.Info(ctx)
	if err != nil {
		return UpResult{}, err
	}
	log.Step(locale.M("sandbox.docker", "Version", info.ServerVersion, "OS", info.OperatingSystem, "Cgroup", info.CgroupVersion), nil)
	res := UpResult{Image: k.image(), CgroupV1: info.CgroupV1() || os.Getenv("KIND_CGROUP_V1") == "1"}
	exists, err := k.Exists(ctx)
	if err != nil {
		return res, err
	}
	if exists {
		if err := k.startStopped(ctx); err != nil {
			return res, err
		}
		if err := k.ensureKubeconfig(); err != nil {
			return res, err
		}
		log.Step(locale.M("sandbox.reusing", "Name", k.name()), nil)
		return res, nil
	}
	if err := info.CheckMemory(); err != nil {
		return res, err
	}
	cfg, err := ClusterConfigFor(k.name(), res.CgroupV1)
	if err != nil {
		return res, err
	}
	if err := portsFree(cfg); err != nil {
		return res, err
	}
	if raw, err := RawConfigCurrent(k.Kubeconfig); err == nil {
		res.PreviousContext = raw
	}
	if res.CgroupV1 {
		log.Note(locale.M("sandbox.cgroup_v1"))
	}
	wait := k.Wait
	if wait == 0 {
		wait = 3 * time.Minute
	}
	opts := []cluster.CreateOption{
		cluster.CreateWithV1Alpha4Config(cfg),
		cluster.CreateWithWaitForReady(wait),
		cluster.CreateWithKubeconfigPath(k.Kubeconfig),
		cluster.CreateWithDisplayUsage(false),
		cluster.CreateWithDisplaySalutation(false),
	}
	if res.Image != "" {
		opts = append(opts, cluster.CreateWithNodeImage(res.Image))
	}
	if err := k.provider().Create(k.name(), opts...); err != nil {
		return res, createError(err)
	}
	res.Created = true
	return res, nil
}

// ClusterConfig is the embedded kind configuration, with the cgroup v1
// kubelet patch when cgroupV1 is set.
func ClusterConfig(cgroupV1 bool) (*v1alpha4.Cluster, error) {
	return ClusterConfigFor(ClusterName(), cgroupV1)
}

// ClusterConfigFor is the configuration of the sandbox named name: only
// the default one forwards ports from this machine.
func ClusterConfigFor(name string, cgroupV1 bool) (*v1alpha4.Cluster, error) {
	cfg := &v1alpha4.Cluster{}
	if err := yaml.UnmarshalStrict(assets.KindCluster(), cfg); err != nil {
		return nil, fmt.Errorf("unable to read the embedded kind configuration: %w", err)
	}
	cfg.Name = name
	if cfg.Name != DefaultClusterName {
		for i := range cfg.Nodes {
			cfg.Nodes[i].ExtraPortMappings = nil
		}
	}
	if cgroupV1 {
		cfg.KubeadmConfigPatches = append(cfg.KubeadmConfigPatches, cgroupV1Patch)
	}
	return cfg, nil
}

// HostPorts are the ports the sandbox forwards from this machine, mapped to
// the node ports they reach.
func HostPorts(cfg *v1alpha4.Cluster) map[int]int {
	out := map[int]int{}
	for _, n := range cfg.Nodes {
		for _, m := range n.ExtraPortMappings {
			out[int(m.HostPort)] = int(m.ContainerPort)
		}
	}
	return out
}

// portsFree fails with the first host port that another program holds.
func portsFree(cfg *v1alpha4.Cluster) error {
	for _, n := range cfg.Nodes {
		for _, m := range n.ExtraPortMappings {
			addr := net.JoinHostPort(orDefault(m.ListenAddress, "0.0.0.0"), fmt.Sprint(m.HostPort))
			l, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("%w: %s is taken by another program, and the sandbox forwards it into the cluster; stop that program (find it with: lsof -i :%d, or ss -ltnp 'sport = :%d'), then run kworkbook sandbox up again",
					ErrPortInUse, addr, m.HostPort, m.HostPort)
			}
			l.Close()
		}
	}
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// createError turns kind's errors into advice.
func createError(err error) error {
	s := err.Error()
	switch {
	case strings.Contains(s, "port is already allocated") || strings.Contains(s, "address already in use"):
		return fmt.Errorf("%w: %v", ErrPortInUse, err)
	case strings.Contains(s, "failed to pull image") || strings.Contains(s, "pull access denied"):
		return fmt.Errorf("unable to get the kind node image (no network or registry?): pass a local image with --image or KIND_NODE_IMAGE: %w", err)
	case strings.Contains(s, "too many open files") || strings.Contains(s, "inotify"):
		return fmt.Errorf("the node containers ran out of inotify instances (common with several kind clusters): raise the limit with sudo sysctl fs.inotify.max_user_instances=512 (and fs.inotify.max_user_watches=524288), then try again: %w", err)
	case strings.Contains(s, "cgroup"):
		return fmt.Errorf("kubelet did not start, likely a cgroup v1 host: set KIND_CGROUP_V1=1 and try again: %w", err)
	}
	return fmt.Errorf("unable to create the kind cluster: %w", err)
}

// Down deletes kworkbook's kind cluster, and only it.
func (k *Kind) Down(ctx context.Context) (bool, error) {
	exists, err := k.Exists(ctx)
	if err != nil || !exists {
		return false, err
	}
	if err := k.provider().Delete(k.name(), k.Kubeconfig); err != nil {
		return false, fmt.Errorf("unable to delete cluster %s: %w", k.name(), err)
	}
	return true, nil
}

// Nodes lists the cluster's node containers and whether each is running.
func (k *Kind) Nodes(ctx context.Context) (map[string]bool, error) {
	nodes, err := k.provider().ListNodes(k.name())
	if err != nil {
		return nil, fmt.Errorf("unable to list nodes of %s: %w", k.name(), err)
	}
	out := map[string]bool{}
	for _, n := range nodes {
		state, err := k.Docker.inspectState(ctx, n.String())
		out[n.String()] = err == nil && state == "running"
	}
	return out, nil
}

// startStopped restarts node containers that are stopped (after a reboot or
// a Docker restart), then waits for the API server.
func (k *Kind) startStopped(ctx context.Context) error {
	nodes, err := k.Nodes(ctx)
	if err != nil {
		return err
	}
	var stopped []string
	for n, running := range nodes {
		if !running {
			stopped = append(stopped, n)
		}
	}
	if len(stopped) == 0 {
		return nil
	}
	if err := k.Docker.start(ctx, stopped...); err != nil {
		return fmt.Errorf("unable to start the stopped nodes %s: %w", strings.Join(stopped, ", "), err)
	}
	orNop(k.Log).Step(locale.M("sandbox.started_nodes", "Nodes", strings.Join(stopped, ", ")), nil)
	return nil
}

// ensureKubeconfig writes the cluster's context when the kubeconfig lacks it
// (a new machine user, a deleted ~/.kube/config), without switching to it.
func (k *Kind) ensureKubeconfig() error {
	raw, err := RawConfig(k.Kubeconfig)
	if err == nil {
		if _, ok := raw.Contexts[k.context()]; ok {
			return nil
		}
	}
	current := ""
	if raw != nil {
		current = raw.CurrentContext
	}
	if err := k.provider().ExportKubeConfig(k.name(), k.Kubeconfig, false); err != nil {
		return fmt.Errorf("unable to write the kubeconfig for %s: %w", k.name(), err)
	}
	if current != "" && current != k.context() {
		// kind switched the current context; put the user's back.
		if err := SetCurrentContext(k.Kubeconfig, current); err != nil {
			return err
		}
	}
	orNop(k.Log).Step(locale.M("sandbox.wrote_context", "Context", k.context()), nil)
	return nil
}
