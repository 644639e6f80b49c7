package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os/exec"
	"strings"
	"time"

	"github.com/kworkbook/kworkbook/internal/locale"
)

// Errors a caller can test with errors.Is; their messages say what to do.
var (
	ErrDockerMissing    = errors.New("docker is not installed")
	ErrDockerNotRunning = errors.New("docker is not running")
	ErrLowMemory        = errors.New("docker has too little memory")
	ErrPortInUse        = errors.New("a port the sandbox needs is in use")
)

// MinMemory is what three kind nodes and the lessons' pods need.
const MinMemory = 3 << 30

// DockerInfo is what the sandbox needs to know about the Docker engine.
type DockerInfo struct {
	CgroupVersion   string `json:"CgroupVersion"`
	MemTotal        int64  `json:"MemTotal"`
	NCPU            int    `json:"NCPU"`
	OSType          string `json:"OSType"`
	OperatingSystem string `json:"OperatingSystem"`
	ServerVersion   string `json:"ServerVersion"`
}

// CgroupV1 reports whether containers run on cgroup v1, where Kubernetes
// 1.35 and later need failCgroupV1: false.
func (d DockerInfo) CgroupV1() bool { return d.CgroupVersion == "1" }

// DesktopVM reports whether Docker runs in a VM (Docker Desktop, colima),
// where container IPs are not reachable from the host.
func (d DockerInfo) DesktopVM() bool {
	os := strings.ToLower(d.OperatingSystem)
	return strings.Contains(os, "docker desktop") || strings.Contains(os, "colima") || strings.Contains(os, "orbstack")
}

// Docker runs the docker CLI; tests replace Run.
type Docker struct {
	// Binary is the docker executable; "docker" when empty.
	Binary string
}

func (d Docker) bin() string {
	if d.Binary == "" {
		return "docker"
	}
	return d.Binary
}

// Info checks that Docker is installed and running and returns its facts.
func (d Docker) Info(ctx context.Context) (DockerInfo, error) {
	path, err := exec.LookPath(d.bin())
	if err != nil {
		return DockerInfo{}, locale.Errorf(ErrDockerMissing, "err.docker_missing")
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	cmd := exec.CommandContext(ctx, path, "info", "--format", "{{json .}}")
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return DockerInfo{}, dockerRunError(errOut.String(), err)
	}
	var info DockerInfo
	if err := json.Unmarshal(out.Bytes(), &info); err != nil {
		return DockerInfo{}, fmt.Errorf("unable to read docker info: %w", err)
	}
	if info.ServerVersion == "" {
		return DockerInfo{}, dockerRunError(out.String()+errOut.String(), nil)
	}
	return info, nil
}

func dockerRunError(stderr string, err error) error {
	s := strings.ToLower(stderr)
	switch {
	case strings.Contains(s, "permission denied"):
		return locale.Errorf(ErrDockerNotRunning, "err.docker_denied")
	case strings.Contains(s, "cannot connect") || strings.Contains(s, "is the docker daemon running") || strings.Contains(s, "error during connect") || strings.Contains(s, "no such file"):
		return locale.Errorf(ErrDockerNotRunning, "err.docker_stopped")
	}
	if err != nil {
		return fmt.Errorf("%w: docker info failed (%v): %s", ErrDockerNotRunning, err, strings.TrimSpace(stderr))
	}
	return fmt.Errorf("%w: docker info says: %s", ErrDockerNotRunning, strings.TrimSpace(stderr))
}

// CheckMemory returns advice when Docker has less memory than the cluster needs.
func (d DockerInfo) CheckMemory() error {
	if d.MemTotal > 0 && d.MemTotal < MinMemory {
		return locale.Errorf(ErrLowMemory, "err.docker_memory", "Have", fmt.Sprintf("%.1f", float64(d.MemTotal)/(1<<30)), "Need", MinMemory>>30)
	}
	return nil
}

func (d Docker) inspectState(ctx context.Context, container string) (string, error) {
	out, err := exec.CommandContext(ctx, d.bin(), "inspect", "--format", "{{.State.Status}}", container).Output()
	return strings.TrimSpace(string(out)), err
}

func (d Docker) start(ctx context.Context, containers ...string) error {
	out, err := exec.CommandContext(ctx, d.bin(), append([]string{"start"}, containers...)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// LoadBalancerRange picks the addresses MetalLB hands out: the top of the
// IPv4 subnet of Docker network (kind's "kind"), where Docker's own
// allocation (from the bottom) does not reach.
func (d Docker) LoadBalancerRange(ctx context.Context, network string, slot int) (string, error) {
	out, err := exec.CommandContext(ctx, d.bin(), "network", "inspect", network, "--format", "{{json .IPAM.Config}}").Output()
	if err != nil {
		return "", fmt.Errorf("unable to read Docker network %s: %w", network, err)
	}
	var cfgs []struct{ Subnet string }
	if err := json.Unmarshal(out, &cfgs); err != nil {
		return "", fmt.Errorf("unable to read Docker network %s: %w", network, err)
	}
	// A second sandbox on the same Docker network takes the addresses
	// below the first's (slot 1), so their load balancers never answer
	// for one IP.
	for _, c := range cfgs {
		if r, ok := topRange(c.Subnet, slot); ok {
			return r, nil
		}
	}
	return "", fmt.Errorf("Docker network %s has no IPv4 subnet for load balancer addresses", network)
}

// topRange returns the 50 addresses ending 5 below the broadcast address
// of an IPv4 subnet of at least /24, or, for slot 1, the 50 below those.
func topRange(subnet string, slot int) (string, bool) {
	p, err := netip.ParsePrefix(subnet)
	if err != nil || !p.Addr().Is4() || p.Bits() > 24 {
		return "", false
	}
	a := p.Masked().Addr().As4()
	n := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	last := n | (1<<(32-p.Bits()) - 1)
	ip := func(v uint32) string {
		return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}).String()
	}
	end := last - 5 - uint32(51*slot)
	return ip(end-50) + "-" + ip(end), true
}
