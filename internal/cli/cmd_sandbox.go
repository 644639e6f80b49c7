package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kworkbook/kworkbook/internal/layout"
	"github.com/kworkbook/kworkbook/sandbox"
)

func newSandboxCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Manage kworkbook's local kind cluster",
		Long: `kworkbook's cluster is a kind cluster named "kworkbook" (one control plane,
two workers) with an ingress controller and a load balancer, reachable
from this machine: NodePorts 30080-30089 on localhost, the ingress on
http://localhost:8080. Creating it adds the context kind-kworkbook to your
kubeconfig and makes it current (kind's behaviour); kworkbook says so.`,
	}
	cmd.AddCommand(newSandboxUpCmd(a), newSandboxDownCmd(a), newSandboxStatusCmd(a))
	return cmd
}

func newSandboxUpCmd(a *app) *cobra.Command {
	var image string
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Create kworkbook's cluster, or make sure it is running and complete",
		Long: `up creates the kind cluster "kworkbook" when it is missing, starts its nodes
when they are stopped, and installs or repairs its add-ons. On a ready
cluster it changes nothing. The node image is --image, else
$KIND_NODE_IMAGE, else kind's default.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if a.globals.context != "" && a.globals.context != sandbox.ContextName() {
				return &exitError{code: ExitProblem, err: errors.New(a.p().T("sandbox.up_other", "Context", a.globals.context))}
			}
			t, res, err := sandbox.Up(c.Context(), sandbox.UpOptions{Image: image, Kubeconfig: a.globals.kubeconfig, Log: a.stepLogger()})
			if err != nil {
				return err
			}
			a.reportContextSwitch(res)
			fmt.Fprintln(a.streams.Out, a.p().T("sandbox.ready", "Context", t.Context))
			return nil
		},
	}
	cmd.Flags().StringVar(&image, "image", "", "kind node image to create the cluster with [$KIND_NODE_IMAGE]")
	return cmd
}

func newSandboxDownCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Delete kworkbook's cluster (and only it)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if a.globals.context != "" && a.globals.context != sandbox.ContextName() {
				return &exitError{code: ExitProblem, err: errors.New(a.p().T("sandbox.down_other", "Context", a.globals.context))}
			}
			if err := a.confirm(a.p().T("sandbox.down_question", "Name", sandbox.ClusterName()), a.p().T("sandbox.not_deleted")); err != nil {
				return err
			}
			k := &sandbox.Kind{Kubeconfig: a.globals.kubeconfig, Log: a.stepLogger()}
			deleted, err := k.Down(c.Context())
			if err != nil {
				return err
			}
			if !deleted {
				fmt.Fprintln(a.streams.Out, a.p().T("sandbox.nothing_to_delete"))
				return nil
			}
			fmt.Fprintln(a.streams.Out, a.p().T("sandbox.deleted", "Name", sandbox.ClusterName()))
			return nil
		},
	}
	return cmd
}

func newSandboxStatusCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show the cluster's nodes, add-ons and how this machine reaches them",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return a.sandboxStatus(c.Context())
		},
	}
}

func (a *app) sandboxStatus(ctx context.Context) error {
	w := a.streams.Out
	pal := newPalette(w)
	p := a.p()
	cl, t, err := a.connect(ctx, false)
	if err != nil {
		return err
	}
	owner := p.T("status.owned")
	if !t.Owned {
		owner = p.T("status.unowned")
	}
	fmt.Fprintln(w, p.T("status.cluster", "Context", t.Context, "Owner", owner))
	if v, err := cl.Typed.Discovery().ServerVersion(); err == nil {
		fmt.Fprintln(w, p.T("status.kubernetes", "Version", v.GitVersion))
	}
	nodes, err := cl.Typed.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "\n"+p.T("status.nodes"))
	tw := &layout.Table{Indent: "  "}
	tw.Row("NAME", "STATUS", "ROLES", "VERSION", "RUNTIME")
	for _, n := range nodes.Items {
		status := pal.red("NotReady")
		for _, cond := range n.Status.Conditions {
			if cond.Type == "Ready" && cond.Status == "True" {
				status = pal.green("Ready")
			}
		}
		if n.Spec.Unschedulable {
			status += ",SchedulingDisabled"
		}
		var roles []string
		for k := range n.Labels {
			if r, ok := strings.CutPrefix(k, "node-role.kubernetes.io/"); ok {
				roles = append(roles, r)
			}
		}
		if len(roles) == 0 {
			roles = []string{"worker"}
		}
		tw.Row(n.Name, status, strings.Join(roles, ","), n.Status.NodeInfo.KubeletVersion, n.Status.NodeInfo.ContainerRuntimeVersion)
	}
	if _, err := tw.WriteTo(w); err != nil {
		return err
	}
	fmt.Fprintln(w, "\n"+p.T("status.addons"))
	for _, h := range sandbox.AddonHealth(ctx, cl) {
		mark := pal.green("✓")
		if !h.Healthy {
			mark = pal.red("✗")
		}
		fmt.Fprintf(w, "  %s %s: %s\n", mark, h.Name, h.Detail)
	}
	known, enforced, detail := a.networkPolicy(ctx, cl, true)
	switch {
	case known && enforced:
		fmt.Fprintf(w, "  %s %s\n", pal.green("✓"), p.T("status.netpol_enforced", "Detail", detail))
	case known:
		fmt.Fprintf(w, "  %s %s\n", pal.red("✗"), p.T("status.netpol_ignored", "Detail", detail))
	default:
		fmt.Fprintf(w, "  %s %s\n", pal.yellow("?"), p.T("status.netpol_unknown"))
	}
	info, found, err := sandbox.ReadInfo(ctx, cl)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "\n"+p.T("status.from_here"))
	if !found {
		fmt.Fprintln(w, "  "+p.T("status.no_record"))
		return nil
	}
	if len(info.NodePorts) > 0 {
		fmt.Fprintln(w, "  "+p.T("status.node_ports", "Ports", portRange(info.NodePorts)))
	}
	if info.IngressURL != "" {
		fmt.Fprintln(w, "  "+p.T("status.ingress", "URL", info.IngressURL))
	}
	if info.NodeIPsReachable {
		fmt.Fprintln(w, "  "+p.T("status.ips_reachable"))
	} else {
		fmt.Fprintln(w, "  "+p.T("status.ips_unreachable"))
	}
	return nil
}

func portRange(m map[int]int) string {
	lo, hi := 0, 0
	for p := range m {
		if lo == 0 || p < lo {
			lo = p
		}
		if p > hi {
			hi = p
		}
	}
	if lo == hi {
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d-%d", lo, hi)
}
