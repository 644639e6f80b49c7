// Package e2e is kworkbook's end-to-end tier: it runs against a real kind
// cluster (kworkbook's own, created through sigs.k8s.io/kind when missing)
// and real kubectl. It is skipped unless KWORKBOOK_E2E=1, so that
// `go test ./...` needs no Docker.
//
//	KWORKBOOK_E2E=1 go test ./e2e/ -v -count=1 -timeout 80m
package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/kworkbook/kworkbook/internal/kube"
	"github.com/kworkbook/kworkbook/internal/locale"
	"github.com/kworkbook/kworkbook/sandbox"
)

// suite is what every test shares: the cluster and the built binary.
var suite struct {
	clients *kube.Clients
	target  sandbox.Target
	binary  string
	state   string
	// nodes is a second sandbox of kworkbook's own for the lessons that
	// change nodes, so they are proved beside the others instead of
	// before them (KWORKBOOK_E2E_NODES_SANDBOX names it; without it they
	// run alone on the main cluster).
	nodes *sandbox.Target
	// nodesClients talks to it.
	nodesClients *kube.Clients
}

func TestMain(m *testing.M) {
	if os.Getenv("KWORKBOOK_E2E") != "1" {
		fmt.Println("e2e: skipped (set KWORKBOOK_E2E=1 to run against a real kind cluster)")
		os.Exit(0)
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	tmp, err := os.MkdirTemp("", "kworkbook-e2e-")
	if err != nil {
		fmt.Println("e2e:", err)
		return 1
	}
	defer os.RemoveAll(tmp)

	suite.binary = filepath.Join(tmp, "kworkbook")
	build := exec.Command("go", "build", "-o", suite.binary, "../cmd/kworkbook")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Println("e2e: building kworkbook:", err)
		return 1
	}
	// Progress of the learner-flow tests stays out of the user's own.
	suite.state = filepath.Join(tmp, "state")
	os.Setenv("KWORKBOOK_STATE_DIR", suite.state)

	start := time.Now()
	nodesDone := make(chan error, 1)
	if name := os.Getenv("KWORKBOOK_E2E_NODES_SANDBOX"); name != "" {
		// Made at the same time as the main cluster.
		go func() {
			nt, _, err := sandbox.Up(ctx, sandbox.UpOptions{Name: name, Log: prefixLogger{"[" + name + "] "}})
			if err == nil {
				suite.nodes = &nt
				suite.nodesClients, err = nt.Clients()
			}
			nodesDone <- err
		}()
	} else {
		nodesDone <- nil
	}
	t, res, err := sandbox.Up(ctx, sandbox.UpOptions{Log: printLogger{}})
	if err != nil {
		fmt.Println("e2e: sandbox up:", err)
		return 1
	}
	if err := <-nodesDone; err != nil {
		fmt.Println("e2e: the second sandbox for node lessons:", err)
		return 1
	}
	fmt.Printf("e2e: cluster %s ready in %.1fs (created: %v, image %s, cgroup v1 patch: %v)\n",
		t.Context, time.Since(start).Seconds(), res.Created, res.Image, res.CgroupV1)
	if suite.clients, err = t.Clients(); err != nil {
		fmt.Println("e2e:", err)
		return 1
	}
	suite.target = t
	return m.Run()
}

type printLogger struct{}

type prefixLogger struct{ prefix string }

func (p prefixLogger) Step(s locale.Msg, err error) {
	printLogger{}.Step(locale.M("sandbox.kind", "Line", p.prefix+s.String()), err)
}
func (p prefixLogger) Note(s locale.Msg) {
	printLogger{}.Note(locale.M("sandbox.kind", "Line", p.prefix+s.String()))
}

func (printLogger) Step(s locale.Msg, err error) {
	if err != nil {
		fmt.Printf("  ✗ %s: %v\n", s, err)
		return
	}
	fmt.Printf("  ✓ %s\n", s)
}
func (printLogger) Note(s locale.Msg) { fmt.Printf("  • %s\n", s) }

// testLogger sends sandbox progress to the test log.
type testLogger struct{ t testing.TB }

func (l testLogger) Step(s locale.Msg, err error) {
	if err != nil {
		l.t.Logf("✗ %s: %v", s, err)
		return
	}
	l.t.Logf("✓ %s", s)
}
func (l testLogger) Note(s locale.Msg) { l.t.Logf("• %s", s) }
