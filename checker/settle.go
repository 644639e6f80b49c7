package checker

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kworkbook/kworkbook/lessons"
)

// A failing check stops polling as soon as nothing it depends on is still
// on its way somewhere: no object it read changed a moment ago, no rollout
// is in flight, no pod is starting or terminating. That makes `check`
// answer at once on work not done yet, while a check right after `kubectl
// apply` still waits for pods, rollouts, endpoints and DNS.
const (
	// recentChange: an object changed this recently may still be propagating
	// (kube-proxy rules, endpoints, DNS).
	recentChange = 5 * time.Second
	// policyChange: network plugins take longer to program a NetworkPolicy.
	policyChange = 12 * time.Second
	// claimBinding: the volume binder retries a pending claim every 15 s
	// (a claim it handled before it saw the matching volume waits for that).
	claimBinding = 20 * time.Second
)

// stuckReasons are waiting reasons that will not resolve by waiting.
var stuckReasons = map[string]bool{
	"ImagePullBackOff": true, "ErrImagePull": true, "InvalidImageName": true,
	"CrashLoopBackOff": true, "CreateContainerConfigError": true, "CreateContainerError": true,
	"RunContainerError": true,
}

// objectsProgressing reports whether any object is terminating, changed
// recently, or is a workload in the middle of a rollout.
func objectsProgressing(objs []*unstructured.Unstructured, now time.Time) bool {
	for _, o := range objs {
		if o.GetDeletionTimestamp() != nil || now.Sub(lastChange(o)) < recentChange {
			return true
		}
		switch o.GetKind() {
		case "PersistentVolumeClaim":
			phase, _, _ := unstructured.NestedString(o.Object, "status", "phase")
			if phase == "Pending" && now.Sub(o.GetCreationTimestamp().Time) < claimBinding {
				return true
			}
		case "Deployment", "StatefulSet", "ReplicaSet", "DaemonSet":
			gen, _, _ := unstructured.NestedInt64(o.Object, "metadata", "generation")
			obs, _, _ := unstructured.NestedInt64(o.Object, "status", "observedGeneration")
			if obs < gen {
				return true
			}
		}
	}
	return false
}

// lastChange is the last time anyone wrote the object, status included.
func lastChange(o *unstructured.Unstructured) time.Time {
	t := o.GetCreationTimestamp().Time
	for _, mf := range o.GetManagedFields() {
		if mf.Time != nil && mf.Time.After(t) {
			t = mf.Time.Time
		}
	}
	return t
}

// podsProgressing reports whether a pod in ns is starting, terminating or
// changed recently (and not stuck in a state waiting cannot fix).
func (c *Checker) podsProgressing(ctx context.Context, ns string, now time.Time) bool {
	if c.cl.Typed == nil || ns == "" {
		return false
	}
	pods, err := c.cl.Typed.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return false
	}
	for i := range pods.Items {
		if podProgressing(&pods.Items[i], now) {
			return true
		}
	}
	return false
}

func podProgressing(p *corev1.Pod, now time.Time) bool {
	if p.DeletionTimestamp != nil {
		return true
	}
	for _, s := range append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
		if s.State.Waiting != nil && stuckReasons[s.State.Waiting.Reason] {
			return false
		}
	}
	for _, cond := range p.Status.Conditions {
		if cond.Type == corev1.PodScheduled && cond.Status == corev1.ConditionFalse {
			return false // unschedulable: waiting will not help
		}
		if cond.Type == corev1.PodReady && now.Sub(cond.LastTransitionTime.Time) < recentChange {
			return true
		}
	}
	switch p.Status.Phase {
	case corev1.PodPending:
		return true
	case corev1.PodRunning:
		return !healthy(p) && !restartedRecently(p)
	}
	return false
}

// restartedRecently: a container that keeps restarting is not converging.
func restartedRecently(p *corev1.Pod) bool {
	for _, s := range p.Status.ContainerStatuses {
		if s.RestartCount > 1 {
			return true
		}
	}
	return false
}

// namespaceChanged reports whether anything a probe's answer depends on
// changed in ns a moment ago.
func (c *Checker) namespaceChanged(ctx context.Context, ns string, now time.Time) bool {
	if c.cl.Typed == nil || ns == "" {
		return false
	}
	core := c.cl.Typed.CoreV1()
	recent := func(items []metav1.ObjectMeta) bool {
		for _, m := range items {
			if m.DeletionTimestamp != nil || now.Sub(metaChange(m)) < recentChange {
				return true
			}
		}
		return false
	}
	if c.policySettling(ctx, ns, now) {
		return true
	}
	var metas []metav1.ObjectMeta
	if l, err := core.Services(ns).List(ctx, metav1.ListOptions{}); err == nil {
		for _, o := range l.Items {
			metas = append(metas, o.ObjectMeta)
		}
	}
	if l, err := core.ConfigMaps(ns).List(ctx, metav1.ListOptions{}); err == nil {
		for _, o := range l.Items {
			metas = append(metas, o.ObjectMeta)
		}
	}
	if l, err := c.cl.Typed.DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{}); err == nil {
		for _, o := range l.Items {
			metas = append(metas, o.ObjectMeta)
		}
	}
	if l, err := c.cl.Typed.NetworkingV1().Ingresses(ns).List(ctx, metav1.ListOptions{}); err == nil {
		for _, o := range l.Items {
			metas = append(metas, o.ObjectMeta)
		}
	}
	return recent(metas)
}

// policiesSettling reports whether a NetworkPolicy that a probe's answer
// may depend on (in the namespaces of probeNamespaces) was made, changed or
// deleted so recently that the network plugin may not enforce it yet.
func (c *Checker) policiesSettling(ctx context.Context, l *lessons.Lesson, ch *lessons.Check, now time.Time) bool {
	for _, ns := range probeNamespaces(l, checkNamespace(l, ch)) {
		if c.policySettling(ctx, ns, now) {
			return true
		}
	}
	return false
}

// policySettling: a network plugin programs a NetworkPolicy in 1 to 10
// seconds after it is written.
func (c *Checker) policySettling(ctx context.Context, ns string, now time.Time) bool {
	if c.cl.Typed == nil || ns == "" {
		return false
	}
	list, err := c.cl.Typed.NetworkingV1().NetworkPolicies(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return false
	}
	for _, o := range list.Items {
		if o.DeletionTimestamp != nil || now.Sub(metaChange(o.ObjectMeta)) < policyChange {
			return true
		}
	}
	return false
}

// metaChange is the last time anyone wrote the object, status included.
func metaChange(m metav1.ObjectMeta) time.Time {
	t := m.CreationTimestamp.Time
	for _, mf := range m.ManagedFields {
		if mf.Time != nil && mf.Time.After(t) {
			t = mf.Time.Time
		}
	}
	return t
}
