package sandbox

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"

	"github.com/kworkbook/kworkbook/internal/locale"
)

func TestClusterConfig(t *testing.T) {
	for _, cgroupV1 := range []bool{false, true} {
		t.Run(fmt.Sprintf("cgroupV1=%v", cgroupV1), func(t *testing.T) {
			cfg, err := ClusterConfig(cgroupV1)
			if err != nil {
				t.Fatalf("got %v, want the embedded configuration", err)
			}
			if cfg.Name != ClusterName() {
				t.Errorf("got name %q, want %q", cfg.Name, ClusterName())
			}
			roles := map[v1alpha4.NodeRole]int{}
			for _, n := range cfg.Nodes {
				roles[n.Role]++
			}
			if roles[v1alpha4.ControlPlaneRole] != 1 || roles[v1alpha4.WorkerRole] != 2 {
				t.Errorf("got nodes %v, want one control plane and two workers", roles)
			}
			patched := false
			for _, p := range cfg.KubeadmConfigPatches {
				if strings.Contains(p, "failCgroupV1: false") && strings.Contains(p, "KubeletConfiguration") {
					patched = true
				}
			}
			if patched != cgroupV1 {
				t.Errorf("got the cgroup v1 kubelet patch %v, want %v", patched, cgroupV1)
			}
		})
	}
	// The patch is added to a fresh copy each time, never twice.
	a, _ := ClusterConfig(true)
	b, _ := ClusterConfig(true)
	if len(a.KubeadmConfigPatches) != len(b.KubeadmConfigPatches) {
		t.Errorf("got %d then %d patches, want the same", len(a.KubeadmConfigPatches), len(b.KubeadmConfigPatches))
	}
}

func TestHostPorts(t *testing.T) {
	cfg, err := ClusterConfig(false)
	if err != nil {
		t.Fatal(err)
	}
	ports := HostPorts(cfg)
	for p := 30080; p <= 30089; p++ {
		if ports[p] != p {
			t.Errorf("host port %d: got node port %d, want %d", p, ports[p], p)
		}
	}
	if ports[8080] != IngressNodePort {
		t.Errorf("host port 8080: got node port %d, want the ingress's %d", ports[8080], IngressNodePort)
	}
	if len(ports) != 11 {
		t.Errorf("got %d forwarded ports, want 11", len(ports))
	}
	for _, n := range cfg.Nodes {
		for _, m := range n.ExtraPortMappings {
			if m.ListenAddress != "127.0.0.1" {
				t.Errorf("host port %d: got listen address %q, want 127.0.0.1 (never every interface)", m.HostPort, m.ListenAddress)
			}
		}
	}
}

func configWithPort(port int) *v1alpha4.Cluster {
	return &v1alpha4.Cluster{Nodes: []v1alpha4.Node{{
		Role:              v1alpha4.ControlPlaneRole,
		ExtraPortMappings: []v1alpha4.PortMapping{{ContainerPort: 30080, HostPort: int32(port), ListenAddress: "127.0.0.1"}},
	}}}
}

func TestPortsFree(t *testing.T) {
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	port := held.Addr().(*net.TCPAddr).Port

	err = portsFree(configWithPort(port))
	if !errors.Is(err, ErrPortInUse) {
		t.Fatalf("got %v, want ErrPortInUse for a port held open", err)
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("127.0.0.1:%d", port)) || !strings.Contains(err.Error(), fmt.Sprintf("lsof -i :%d", port)) {
		t.Errorf("got %q, want it to name the address and how to find its holder", err)
	}

	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	freePort := free.Addr().(*net.TCPAddr).Port
	free.Close()
	if err := portsFree(configWithPort(freePort)); err != nil {
		t.Errorf("got %v, want a free port accepted", err)
	}
	// Checking must not keep the port.
	if l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", freePort)); err != nil {
		t.Errorf("got %v, want the port free again after the check", err)
	} else {
		l.Close()
	}
}

func TestCreateError(t *testing.T) {
	tests := []struct {
		msg  string
		is   error
		says string
	}{
		{"Bind for 127.0.0.1:8080 failed: port is already allocated", ErrPortInUse, ""},
		{"listen tcp 127.0.0.1:30080: bind: address already in use", ErrPortInUse, ""},
		{"failed to pull image \"kindest/node:v1.36.0\"", nil, "--image or KIND_NODE_IMAGE"},
		{"kubelet: failed to run: cgroup v1 support is unsupported", nil, "KIND_CGROUP_V1=1"},
		{"something else", nil, "unable to create the kind cluster"},
	}
	for _, tt := range tests {
		cause := errors.New(tt.msg)
		err := createError(cause)
		if !errors.Is(err, cause) && tt.is == nil {
			t.Errorf("%q: got %v, want the cause wrapped", tt.msg, err)
		}
		if tt.is != nil && !errors.Is(err, tt.is) {
			t.Errorf("%q: got %v, want %v", tt.msg, err, tt.is)
		}
		if !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%q: got %q, want it to say %q", tt.msg, err, tt.says)
		}
	}
}

type recordLog struct{ steps, notes []string }

func (r *recordLog) Step(m locale.Msg, err error) {
	s := m.String()
	if err != nil {
		s += " (failed)"
	}
	r.steps = append(r.steps, s)
}
func (r *recordLog) Note(m locale.Msg) { r.notes = append(r.notes, m.String()) }

func TestKindLogger(t *testing.T) {
	rec := &recordLog{}
	k := kindLogger{rec}
	k.V(0).Info(" ✓ Ensuring node image (kindest/node:v1.36.0) 🖼")
	k.V(0).Infof(" ✗ Preparing %s", "nodes")
	k.V(0).Info("plain progress line")
	k.V(1).Info(" ✓ debug detail")
	k.Warnf("using %s", "docker")
	k.Error("boom\n")
	if got, want := strings.Join(rec.steps, " | "), "kind: Ensuring node image (kindest/node:v1.36.0) 🖼 | kind: Preparing nodes (failed)"; got != want {
		t.Errorf("got steps %q, want %q", got, want)
	}
	if got, want := strings.Join(rec.notes, " | "), "kind: using docker | kind: boom"; got != want {
		t.Errorf("got notes %q, want %q", got, want)
	}
	if k.V(1).Enabled() || !k.V(0).Enabled() {
		t.Error("got verbosity wrong, want only level 0 shown")
	}
	// The no-op logger takes anything.
	orNop(nil).Step(locale.M("x"), errors.New("y"))
	orNop(nil).Note(locale.M("z"))
}
