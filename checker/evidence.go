package checker

import (
	"context"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
)

const (
	maxEvents   = 3
	maxPods     = 3
	maxLogLines = 5
)

// gatherEvidence collects what a learner would look at next: warning events
// of the objects and, for pods and workloads, pod states and last log lines.
func (c *Checker) gatherEvidence(ctx context.Context, objs []objectRef) []string {
	if c.cl.Typed == nil {
		return nil
	}
	var out []string
	for i, r := range objs {
		if i == 2 {
			break
		}
		o := r.obj
		out = append(out, c.events(ctx, o.GetNamespace(), o.GetKind(), o.GetName())...)
		switch o.GetKind() {
		case "Pod":
			out = append(out, c.podEvidence(ctx, o.GetNamespace(), o.GetName())...)
		case "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job":
			sel, ok, _ := unstructured.NestedStringMap(o.Object, "spec", "selector", "matchLabels")
			if ok && len(sel) > 0 {
				out = append(out, c.podsEvidence(ctx, o.GetNamespace(), labels.SelectorFromSet(sel).String())...)
			}
		case "Service":
			sel, ok, _ := unstructured.NestedStringMap(o.Object, "spec", "selector")
			if ok && len(sel) > 0 {
				out = append(out, c.serviceEvidence(ctx, o.GetNamespace(), sel)...)
			}
		}
	}
	return dedupe(out)
}

func (c *Checker) events(ctx context.Context, ns, kind, name string) []string {
	if ns == "" && kind != "Node" && kind != "PersistentVolume" {
		return nil
	}
	list, err := c.cl.Typed.CoreV1().Events(ns).List(ctx, metav1.ListOptions{
		FieldSelector: fmt.Sprintf("involvedObject.kind=%s,involvedObject.name=%s", kind, name),
	})
	if err != nil {
		return nil
	}
	evs := list.Items
	// Warnings first, then the most recent.
	sort.SliceStable(evs, func(i, j int) bool {
		wi, wj := evs[i].Type == corev1.EventTypeWarning, evs[j].Type == corev1.EventTypeWarning
		if wi != wj {
			return wi
		}
		return eventTime(evs[i]).After(eventTime(evs[j]).Time)
	})
	var out []string
	for i, e := range evs {
		if i == maxEvents {
			break
		}
		if e.Type != corev1.EventTypeWarning {
			break // warnings come first; normal events are not evidence of a problem
		}
		out = append(out, c.p.T("evidence.event", "Kind", kind, "Name", name, "Type", e.Type, "Reason", e.Reason, "Message", shorten(e.Message, 200)))
	}
	return out
}

func eventTime(e corev1.Event) metav1.Time {
	if !e.LastTimestamp.IsZero() {
		return e.LastTimestamp
	}
	return metav1.Time{Time: e.EventTime.Time}
}

func (c *Checker) podsEvidence(ctx context.Context, ns, selector string) []string {
	list, err := c.cl.Typed.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil
	}
	var out []string
	n := 0
	for i := range list.Items {
		p := &list.Items[i]
		if healthy(p) {
			continue
		}
		if n == maxPods {
			break
		}
		n++
		out = append(out, c.describePodEvidence(ctx, p)...)
	}
	return out
}

func (c *Checker) podEvidence(ctx context.Context, ns, name string) []string {
	p, err := c.cl.Typed.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil || healthy(p) {
		return nil
	}
	return c.describePodEvidence(ctx, p)
}

func (c *Checker) describePodEvidence(ctx context.Context, p *corev1.Pod) []string {
	u, err := toUnstructured(p)
	if err != nil {
		return nil
	}
	u.SetKind("Pod")
	out := []string{c.describe(u)}
	out = append(out, c.events(ctx, p.Namespace, "Pod", p.Name)...)
	for _, s := range p.Status.ContainerStatuses {
		if s.RestartCount == 0 && s.State.Terminated == nil {
			continue
		}
		lines := c.logTail(ctx, p.Namespace, p.Name, s.Name, s.RestartCount > 0 && s.State.Terminated == nil)
		if len(lines) > 0 {
			out = append(out, c.p.T("evidence.logs", "Pod", p.Name, "Container", s.Name)+":\n    "+strings.Join(lines, "\n    "))
		}
	}
	return out
}

func (c *Checker) logTail(ctx context.Context, ns, pod, container string, previous bool) []string {
	n := int64(maxLogLines)
	raw, err := c.cl.Typed.CoreV1().Pods(ns).GetLogs(pod, &corev1.PodLogOptions{
		Container: container, TailLines: &n, Previous: previous,
	}).DoRaw(ctx)
	if err != nil {
		return nil
	}
	s := strings.TrimRight(string(raw), "\n")
	if s == "" {
		return nil
	}
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = shorten(lines[i], 200)
	}
	return lines
}

func (c *Checker) serviceEvidence(ctx context.Context, ns string, sel map[string]string) []string {
	list, err := c.cl.Typed.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: labels.SelectorFromSet(sel).String()})
	if err != nil {
		return nil
	}
	if len(list.Items) == 0 {
		return []string{c.p.T("evidence.no_pods", "Namespace", ns, "Selector", labelString(sel))}
	}
	ready := 0
	for i := range list.Items {
		if healthy(&list.Items[i]) {
			ready++
		}
	}
	return []string{c.p.N("evidence.ready_pods", len(list.Items), "Ready", ready, "Selector", labelString(sel))}
}

func healthy(p *corev1.Pod) bool {
	if p.Status.Phase == corev1.PodSucceeded {
		return true
	}
	if p.Status.Phase != corev1.PodRunning {
		return false
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func toUnstructured(obj any) (*unstructured.Unstructured, error) {
	m, err := runtimeToUnstructured(obj)
	if err != nil {
		return nil, err
	}
	return &unstructured.Unstructured{Object: m}, nil
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	out := in[:0]
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func runtimeToUnstructured(obj any) (map[string]any, error) {
	return runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
}
