package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kworkbook/kworkbook/internal/kube"
)

// NetworkPolicy support, found out by trying it, not guessed from the
// network plugin's name: some plugins ignore NetworkPolicy objects
// silently (kindnetd did before kind v0.24; flannel does), and a lesson
// that teaches them must say so rather than fail.

// NetworkPolicyResult is what the probe saw.
type NetworkPolicyResult struct {
	Enforced bool
	// Detail says what was tried, for sandbox status.
	Detail string
}

// ErrProbe means the probe could not run (no image, no rights): it says
// nothing about NetworkPolicy.
var ErrProbe = errors.New("the NetworkPolicy probe could not run")

const (
	probeImage  = "busybox:1.37"
	serverImage = "registry.k8s.io/e2e-test-images/agnhost:2.63.0"
)

// ProbeNetworkPolicy makes a namespace of its own (labelled as kworkbook's,
// deleted at the end) with a web server and a client, checks the client
// reaches the server, applies a default-deny ingress policy and checks
// the client is then refused. It takes 10 to 30 seconds.
func ProbeNetworkPolicy(ctx context.Context, c *kube.Clients) (NetworkPolicyResult, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	suffix := make([]byte, 3)
	_, _ = rand.Read(suffix)
	ns := "kworkbook-netpol-" + hex.EncodeToString(suffix)
	core := c.Typed.CoreV1()
	labels := map[string]string{LabelManagedBy: ManagedBy}
	if _, err := core.Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: labels}}, metav1.CreateOptions{}); err != nil {
		return NetworkPolicyResult{}, fmt.Errorf("%w: %v", ErrProbe, kubeError(err))
	}
	defer func() {
		bg := metav1.DeletePropagationBackground
		_ = core.Namespaces().Delete(context.WithoutCancel(ctx), ns, metav1.DeleteOptions{PropagationPolicy: &bg})
	}()
	// On a busy cluster the new namespace's default ServiceAccount comes
	// a moment later, and pods are refused until it does.
	_ = waitServiceAccount(ctx, c, ns)
	grace := int64(0)
	server := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "server", Labels: map[string]string{"app": "server", LabelManagedBy: ManagedBy}},
		Spec: corev1.PodSpec{TerminationGracePeriodSeconds: &grace, Containers: []corev1.Container{{
			Name: "server", Image: serverImage, Args: []string{"netexec", "--http-port=8080"},
			ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/", Port: intstr.FromInt32(8080)}}, PeriodSeconds: 1},
		}}},
	}
	client := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "client", Labels: map[string]string{LabelManagedBy: ManagedBy}},
		Spec: corev1.PodSpec{TerminationGracePeriodSeconds: &grace, Containers: []corev1.Container{{
			Name: "client", Image: probeImage, Command: []string{"sleep", "300"},
		}}},
	}
	for _, p := range []*corev1.Pod{server, client} {
		if _, err := core.Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
			return NetworkPolicyResult{}, fmt.Errorf("%w: %v", ErrProbe, kubeError(err))
		}
	}
	ip, err := waitPodsReady(ctx, c, ns)
	if err != nil {
		return NetworkPolicyResult{}, err
	}
	url := "http://" + ip + ":8080/hostname"
	reach := func() bool {
		res, err := c.Exec.Exec(ctx, ns, "client", "", []string{"wget", "-q", "-T", "2", "-O", "-", url})
		return err == nil && res.ExitCode == 0 && strings.Contains(res.Stdout, "server")
	}
	if !poll(ctx, 20*time.Second, reach) {
		return NetworkPolicyResult{}, fmt.Errorf("%w: the client pod could not reach the server pod even without a policy", ErrProbe)
	}
	deny := &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "deny-all", Labels: labels},
		Spec:       networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}},
	}
	if _, err := c.Typed.NetworkingV1().NetworkPolicies(ns).Create(ctx, deny, metav1.CreateOptions{}); err != nil {
		return NetworkPolicyResult{}, fmt.Errorf("%w: %v", ErrProbe, kubeError(err))
	}
	// Plugins take a few seconds to program a new policy.
	if poll(ctx, 20*time.Second, func() bool { return !reach() }) {
		return NetworkPolicyResult{Enforced: true, Detail: "enforced: a default-deny policy blocked a pod that reached another just before"}, nil
	}
	if ctx.Err() != nil {
		return NetworkPolicyResult{}, fmt.Errorf("%w: %v", ErrProbe, ctx.Err())
	}
	return NetworkPolicyResult{Detail: "not enforced: a pod still reached another 20 s after a default-deny policy selected it; the network plugin ignores NetworkPolicy"}, nil
}

// waitPodsReady waits for the probe's pods and returns the server's IP.
func waitPodsReady(ctx context.Context, c *kube.Clients, ns string) (string, error) {
	var ip, last string
	ok := poll(ctx, 90*time.Second, func() bool {
		list, err := c.Typed.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			last = err.Error()
			return false
		}
		ready := 0
		for i := range list.Items {
			p := &list.Items[i]
			if p.Status.Phase == corev1.PodRunning && podReady(p) {
				ready++
				if p.Name == "server" {
					ip = p.Status.PodIP
				}
			} else {
				last = fmt.Sprintf("pod %s is %s", p.Name, p.Status.Phase)
			}
		}
		return ready == 2 && ip != ""
	})
	if !ok {
		return "", fmt.Errorf("%w: its pods did not start (%s)", ErrProbe, last)
	}
	return ip, nil
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// poll calls fn every half second until it returns true or d passes.
func poll(ctx context.Context, d time.Duration, fn func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if fn() {
			return true
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(500 * time.Millisecond):
		}
	}
}
