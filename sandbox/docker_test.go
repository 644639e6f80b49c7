package sandbox

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// fakeDocker writes a docker stand-in that prints stdout and stderr and
// exits with code. Tests using it are not parallel: an executable written
// while another goroutine forks can fail with "text file busy".
func fakeDocker(t *testing.T, stdout, stderr string, code int) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range map[string]string{"out": stdout, "err": stderr} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	script := "#!/bin/sh\ncat \"$(dirname \"$0\")/out\"\ncat \"$(dirname \"$0\")/err\" >&2\nexit " + strconv.Itoa(code) + "\n"
	path := filepath.Join(dir, "docker")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDockerInfo(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh for the docker stand-in")
	}
	tests := []struct {
		name           string
		stdout, stderr string
		code           int
		err            error
		says           string
	}{
		{"daemon not running", "", "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n", 1,
			ErrDockerNotRunning, "start Docker"},
		{"no permission", "", "permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock\n", 1,
			ErrDockerNotRunning, "docker group"},
		{"an error in JSON, exit 0", `{"ServerVersion":"","ServerErrors":["Cannot connect to the Docker daemon"]}`, "", 0,
			ErrDockerNotRunning, ""},
		{"some other failure", "", "docker: unknown problem\n", 2, ErrDockerNotRunning, "unknown problem"},
		{"not JSON", "Client: Docker Engine", "", 0, nil, "unable to read docker info"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Docker{Binary: fakeDocker(t, tt.stdout, tt.stderr, tt.code)}
			_, err := d.Info(context.Background())
			if err == nil {
				t.Fatal("got no error, want one")
			}
			if tt.err != nil && !errors.Is(err, tt.err) {
				t.Errorf("got %v, want %v", err, tt.err)
			}
			if !strings.Contains(err.Error(), tt.says) {
				t.Errorf("got %q, want it to say %q", err, tt.says)
			}
		})
	}
}

func TestDockerInfoRunning(t *testing.T) {
	out := `{"CgroupVersion":"1","MemTotal":8589934592,"NCPU":4,"OSType":"linux","OperatingSystem":"Docker Desktop","ServerVersion":"28.1.1"}`
	info, err := Docker{Binary: fakeDocker(t, out, "", 0)}.Info(context.Background())
	if err != nil {
		t.Fatalf("got %v, want Docker's facts", err)
	}
	want := DockerInfo{CgroupVersion: "1", MemTotal: 8 << 30, NCPU: 4, OSType: "linux", OperatingSystem: "Docker Desktop", ServerVersion: "28.1.1"}
	if info != want {
		t.Errorf("got %+v, want %+v", info, want)
	}
	if !info.CgroupV1() || !info.DesktopVM() {
		t.Errorf("got cgroup v1 %v and desktop VM %v, want both", info.CgroupV1(), info.DesktopVM())
	}
}

func TestDockerMissing(t *testing.T) {
	for _, bin := range []string{filepath.Join(t.TempDir(), "docker"), "kworkbook-no-such-docker"} {
		_, err := Docker{Binary: bin}.Info(context.Background())
		if !errors.Is(err, ErrDockerMissing) {
			t.Errorf("Binary %s: got %v, want ErrDockerMissing", bin, err)
		}
		if err != nil && !strings.Contains(err.Error(), "--context") {
			t.Errorf("got %q, want it to offer an existing cluster with --context", err)
		}
	}
}

func TestDockerInfoFacts(t *testing.T) {
	tests := []struct {
		info      DockerInfo
		v1, vm    bool
		lowMemory bool
	}{
		{DockerInfo{CgroupVersion: "2", OperatingSystem: "Ubuntu 24.04 LTS", MemTotal: 16 << 30}, false, false, false},
		{DockerInfo{CgroupVersion: "1", OperatingSystem: "Debian GNU/Linux 11", MemTotal: 3 << 30}, true, false, false},
		{DockerInfo{OperatingSystem: "Docker Desktop", MemTotal: 2 << 30}, false, true, true},
		{DockerInfo{OperatingSystem: "colima", MemTotal: 1}, false, true, true},
		{DockerInfo{OperatingSystem: "OrbStack"}, false, true, false}, // memory unknown: no advice
	}
	for _, tt := range tests {
		if tt.info.CgroupV1() != tt.v1 || tt.info.DesktopVM() != tt.vm {
			t.Errorf("%+v: got cgroup v1 %v, VM %v; want %v, %v", tt.info, tt.info.CgroupV1(), tt.info.DesktopVM(), tt.v1, tt.vm)
		}
		err := tt.info.CheckMemory()
		if got := errors.Is(err, ErrLowMemory); got != tt.lowMemory {
			t.Errorf("%+v: got %v, want low memory %v", tt.info, err, tt.lowMemory)
		}
		if err != nil && !strings.Contains(err.Error(), "needs about 3 GiB") {
			t.Errorf("got %q, want it to say how much is needed", err)
		}
	}
}

func TestTopRange(t *testing.T) {
	for _, tt := range []struct {
		subnet string
		slot   int
		want   string
		ok     bool
	}{
		{"172.18.0.0/16", 0, "172.18.255.200-172.18.255.250", true},
		{"172.18.0.0/16", 1, "172.18.255.149-172.18.255.199", true},
		{"10.89.0.0/24", 0, "10.89.0.200-10.89.0.250", true},
		{"10.89.0.0/25", 0, "", false},
		{"fc00:f853:ccd:e793::/64", 0, "", false},
	} {
		got, ok := topRange(tt.subnet, tt.slot)
		if got != tt.want || ok != tt.ok {
			t.Errorf("topRange(%s, %d): got %q %v, want %q %v", tt.subnet, tt.slot, got, ok, tt.want, tt.ok)
		}
	}
}
