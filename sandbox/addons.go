package sandbox

import (
	"context"

	"github.com/kworkbook/kworkbook/internal/kube"
)

// InstallAddons installs the sandbox's add-ons idempotently and waits for
// them; it returns the names of those installed.
func InstallAddons(ctx context.Context, c *kube.Clients, log Logger) ([]string, error) {
	return nil, nil
}

// Add-on names as sandbox status and the record show them.
const (
	AddonIngress      = "ingress (traefik)"
	AddonLoadBalancer = "loadbalancer (metallb)"
)

// Health is one add-on's state.
type Health struct {
	Name    string
	Healthy bool
	Detail  string
}

// AddonHealth reports every add-on the sandbox knows of.
func AddonHealth(ctx context.Context, c *kube.Clients) []Health {
	return nil
}
