package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kworkbook/kworkbook/checker"
	"github.com/kworkbook/kworkbook/internal/kube"
	"github.com/kworkbook/kworkbook/internal/locale"
	"github.com/kworkbook/kworkbook/lessons"
	"github.com/kworkbook/kworkbook/sandbox"
)

// What a cluster was found to support, by probing it (sandbox status, the
// first start of a lesson that needs it), kept per cluster so that check
// and watch know at once.
type capabilitiesFile struct {
	Version  int                     `json:"version"`
	Clusters map[string]clusterFacts `json:"clusters"`
}

type clusterFacts struct {
	Context       string    `json:"context"`
	Server        string    `json:"server"`
	NetworkPolicy *bool     `json:"networkPolicy,omitempty"`
	Detail        string    `json:"networkPolicyDetail,omitempty"`
	Checked       time.Time `json:"checked"`
}

// clusterKey tells clusters apart: a kind cluster made again gets a new
// API server port, so facts about the old one do not carry over.
func clusterKey(c *kube.Clients) string {
	server := ""
	if c.Config != nil {
		server = c.Config.Host
	}
	return c.Context + " " + server
}

// networkPolicy returns what is known about NetworkPolicy on the cluster;
// with probe set it finds out when nothing is known yet.
func (a *app) networkPolicy(ctx context.Context, c *kube.Clients, probe bool) (known, enforced bool, detail string) {
	path, err := statePath("clusters.json")
	if err != nil {
		return false, false, ""
	}
	f := &capabilitiesFile{Version: 1}
	readJSON(path, f)
	if facts, ok := f.Clusters[clusterKey(c)]; ok && facts.NetworkPolicy != nil {
		return true, *facts.NetworkPolicy, facts.Detail
	}
	if !probe {
		return false, false, ""
	}
	fmt.Fprintln(a.streams.ErrOut, " • "+a.p().T("netpol.probing"))
	res, err := sandbox.ProbeNetworkPolicy(ctx, c)
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			fmt.Fprintln(a.streams.ErrOut, " • "+a.p().T("netpol.probe_failed", "Error", err.Error()))
		}
		return false, false, ""
	}
	err = updateJSON(path, f, func() {
		if f.Clusters == nil {
			f.Clusters = map[string]clusterFacts{}
		}
		server := ""
		if c.Config != nil {
			server = c.Config.Host
		}
		enforced := res.Enforced
		f.Clusters[clusterKey(c)] = clusterFacts{Context: c.Context, Server: server, NetworkPolicy: &enforced,
			Detail: res.Detail, Checked: time.Now().UTC().Truncate(time.Second)}
	})
	if err != nil {
		fmt.Fprintf(a.streams.ErrOut, "warning: %v\n", err)
	}
	return true, res.Enforced, res.Detail
}

// lacks lists what the cluster is known not to provide, for the checker.
func (a *app) lacks(ctx context.Context, c *kube.Clients) map[string]string {
	out := map[string]string{}
	if a.scope().Student != "" {
		return classLacks(a.p())
	}
	if known, enforced, detail := a.networkPolicy(ctx, c, false); known && !enforced {
		out[lessons.RequireNetworkPolicy] = a.p().T("netpol.lacking", "Detail", detail)
	}
	return out
}

// classLacks is what a classroom's shared cluster cannot check for each
// student: their NetworkPolicies (the class's own lets their namespaces
// reach each other) and paths routed by Ingress rules without a host (one
// ingress controller serves every student).
func classLacks(p *locale.Printer) map[string]string {
	return map[string]string{
		lessons.RequireNetworkPolicy: p.T("netpol.in_class"),
		checker.LackHostlessIngress:  p.T("ingress.hostless_in_class"),
	}
}

// needsNetworkPolicy reports whether any exercise of l requires it.
func needsNetworkPolicy(l *lessons.Lesson) bool {
	for _, r := range l.Spec.Requires {
		if r == lessons.RequireNetworkPolicy {
			return true
		}
	}
	for _, e := range l.Spec.Exercises {
		for _, r := range e.Requires {
			if r == lessons.RequireNetworkPolicy {
				return true
			}
		}
	}
	return false
}
