package checker

import (
	"context"
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kworkbook/kworkbook/internal/locale"
)

// A container that restarts forever is never done, whatever a check
// selects: a pod bound to the right volume, scheduled on the right node or
// given the right variables, but crashing each time it starts, has not
// done what the exercise asks. So a check that passes on what it selected
// still fails when a pod it concerns is crash-looping: the pods it
// selected, the pods of the workloads it selected, and the pods that use
// the claims, ConfigMaps and Secrets it selected.

// crashRestarts is how many restarts, the last one recent, make a
// container crash-looping even between two back-offs.
const (
	crashRestarts = 3
	crashRecent   = 5 * time.Minute
	// justRestarted: a container that failed and restarted this recently
	// may be on its way into a crash loop.
	justRestarted = 30 * time.Second
)

// crashLoop returns why the pod is crash-looping, or "".
func crashLoop(pr *locale.Printer, p *corev1.Pod, now time.Time) string {
	if p.DeletionTimestamp != nil {
		return ""
	}
	statuses := append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...)
	for _, s := range statuses {
		last := s.LastTerminationState.Terminated
		switch {
		case s.RestartCount >= 1 && last != nil && last.ExitCode != 0 && now.Sub(last.FinishedAt.Time) < justRestarted:
			// Between its first restarts a crashing container is briefly
			// Ready; a restart after a failure a moment ago is not done yet.
		case s.State.Waiting != nil && s.State.Waiting.Reason == "CrashLoopBackOff":
		// Exit code 0 counts too: a container that keeps finishing in a pod
		// that restarts it (busybox with no command) never stays up.
		case s.RestartCount >= crashRestarts && last != nil && now.Sub(last.FinishedAt.Time) < crashRecent:
		default:
			continue
		}
		code, reason := "?", ""
		if last != nil {
			code = fmt.Sprint(last.ExitCode)
			if last.Reason != "Error" {
				reason = last.Reason
			}
		}
		if reason != "" {
			return pr.N("crash.loop_reason", int(s.RestartCount), "Pod", p.Name, "Container", s.Name, "Code", code, "Reason", reason)
		}
		return pr.N("crash.loop", int(s.RestartCount), "Pod", p.Name, "Container", s.Name, "Code", code)
	}
	return ""
}

// relatedPods are the pods a check's verdict depends on, read from the
// objects it selected (see the comment above).
func (c *Checker) relatedPods(ctx context.Context, objs []*unstructured.Unstructured) []*corev1.Pod {
	if c.cl.Typed == nil {
		return nil
	}
	var out []*corev1.Pod
	seen := map[string]bool{}
	add := func(p *corev1.Pod) {
		if key := p.Namespace + "/" + p.Name; !seen[key] {
			seen[key] = true
			out = append(out, p)
		}
	}
	nsPods := map[string][]corev1.Pod{}
	podsIn := func(ns string) []corev1.Pod {
		if ps, ok := nsPods[ns]; ok {
			return ps
		}
		list, err := c.cl.Typed.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil
		}
		nsPods[ns] = list.Items
		return list.Items
	}
	for _, o := range objs {
		ns := o.GetNamespace()
		switch o.GetKind() {
		case "Pod":
			var p corev1.Pod
			if runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &p) == nil {
				add(&p)
			}
		case "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job":
			sel, ok, _ := unstructured.NestedStringMap(o.Object, "spec", "selector", "matchLabels")
			if !ok || len(sel) == 0 {
				continue
			}
			s := labels.SelectorFromSet(sel)
			for i := range podsIn(ns) {
				if p := &nsPods[ns][i]; s.Matches(labels.Set(p.Labels)) {
					add(p)
				}
			}
		case "PersistentVolumeClaim", "ConfigMap", "Secret":
			for i := range podsIn(ns) {
				if p := &nsPods[ns][i]; usesObject(p, o.GetKind(), o.GetName()) {
					add(p)
				}
			}
		}
	}
	return out
}

// usesObject reports whether the pod mounts or reads the claim, ConfigMap
// or Secret.
func usesObject(p *corev1.Pod, kind, name string) bool {
	for _, v := range p.Spec.Volumes {
		switch {
		case kind == "PersistentVolumeClaim" && v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == name,
			kind == "ConfigMap" && v.ConfigMap != nil && v.ConfigMap.Name == name,
			kind == "Secret" && v.Secret != nil && v.Secret.SecretName == name:
			return true
		}
		if v.Projected != nil {
			for _, s := range v.Projected.Sources {
				if (kind == "ConfigMap" && s.ConfigMap != nil && s.ConfigMap.Name == name) ||
					(kind == "Secret" && s.Secret != nil && s.Secret.Name == name) {
					return true
				}
			}
		}
	}
	if kind == "PersistentVolumeClaim" {
		return false
	}
	containers := append(append([]corev1.Container{}, p.Spec.InitContainers...), p.Spec.Containers...)
	return slices.ContainsFunc(containers, func(ct corev1.Container) bool {
		for _, e := range ct.EnvFrom {
			if (kind == "ConfigMap" && e.ConfigMapRef != nil && e.ConfigMapRef.Name == name) ||
				(kind == "Secret" && e.SecretRef != nil && e.SecretRef.Name == name) {
				return true
			}
		}
		for _, e := range ct.Env {
			if e.ValueFrom == nil {
				continue
			}
			if (kind == "ConfigMap" && e.ValueFrom.ConfigMapKeyRef != nil && e.ValueFrom.ConfigMapKeyRef.Name == name) ||
				(kind == "Secret" && e.ValueFrom.SecretKeyRef != nil && e.ValueFrom.SecretKeyRef.Name == name) {
				return true
			}
		}
		return false
	})
}

// crashLooping returns why one of the pods is crash-looping, or "".
func crashLooping(pr *locale.Printer, pods []*corev1.Pod, now time.Time) (string, *corev1.Pod) {
	for _, p := range pods {
		if why := crashLoop(pr, p, now); why != "" {
			return why, p
		}
	}
	return "", nil
}

// serviceCrashLoop fails a passing probe through a Service whose pods
// crash-loop: the answer came from a pod between two crashes.
func (c *Checker) serviceCrashLoop(ctx context.Context, svc *corev1.Service, pass outcome) outcome {
	if len(svc.Spec.Selector) == 0 {
		return pass
	}
	list, err := c.cl.Typed.CoreV1().Pods(svc.Namespace).List(ctx, metav1.ListOptions{LabelSelector: labels.SelectorFromSet(svc.Spec.Selector).String()})
	if err != nil {
		return pass
	}
	pods := make([]*corev1.Pod, len(list.Items))
	for i := range list.Items {
		pods[i] = &list.Items[i]
	}
	if why, p := crashLooping(c.p, pods, time.Now()); why != "" {
		return outcome{msg: why, objects: []objectRef{podRef(p)}}
	}
	return pass
}
