package checker

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestPodProgressing(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ago := func(d time.Duration) metav1.Time { return metav1.NewTime(now.Add(-d)) }
	ready := func(status corev1.ConditionStatus, at metav1.Time) corev1.PodCondition {
		return corev1.PodCondition{Type: corev1.PodReady, Status: status, LastTransitionTime: at}
	}
	waitingFor := func(reason string) []corev1.ContainerStatus {
		return []corev1.ContainerStatus{{Name: "c", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason}}}}
	}
	deleted := metav1.NewTime(now)
	tests := []struct {
		name string
		pod  corev1.Pod
		want bool
	}{
		{"pending", corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodPending}}, true},
		{"creating its container", corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodPending, ContainerStatuses: waitingFor("ContainerCreating")}}, true},
		{"terminating", corev1.Pod{ObjectMeta: metav1.ObjectMeta{DeletionTimestamp: &deleted}, Status: corev1.PodStatus{Phase: corev1.PodRunning}}, true},
		{"running and ready for long", corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{ready(corev1.ConditionTrue, ago(time.Hour))}}}, false},
		{"just became ready", corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{ready(corev1.ConditionTrue, ago(time.Second))}}}, true},
		{"running, not ready yet", corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{ready(corev1.ConditionFalse, ago(time.Hour))}}}, true},
		{"image pull back-off", corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodPending, ContainerStatuses: waitingFor("ImagePullBackOff")}}, false},
		{"crash loop", corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: waitingFor("CrashLoopBackOff")}}, false},
		{"bad config in an init container", corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodPending, InitContainerStatuses: waitingFor("CreateContainerConfigError")}}, false},
		{"unschedulable", corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse}}}}, false},
		{"restarting again and again", corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodRunning,
			Conditions:        []corev1.PodCondition{ready(corev1.ConditionFalse, ago(time.Hour))},
			ContainerStatuses: []corev1.ContainerStatus{{Name: "c", RestartCount: 4}}}}, false},
		{"succeeded", corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodSucceeded}}, false},
		{"failed", corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodFailed}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := podProgressing(&tt.pod, now); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestObjectsProgressing(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	obj := func(kind string, created time.Duration, fields map[string]any) *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: map[string]any{"kind": kind, "metadata": map[string]any{"name": "x"}}}
		for k, v := range fields {
			u.Object[k] = v
		}
		u.SetCreationTimestamp(metav1.NewTime(now.Add(-created)))
		return u
	}
	rollout := obj("Deployment", time.Hour, map[string]any{"status": map[string]any{"observedGeneration": int64(1)}})
	rollout.SetGeneration(2)
	done := obj("Deployment", time.Hour, map[string]any{"status": map[string]any{"observedGeneration": int64(2)}})
	done.SetGeneration(2)
	updated := obj("ConfigMap", time.Hour, nil)
	at := metav1.NewTime(now.Add(-time.Second))
	updated.SetManagedFields([]metav1.ManagedFieldsEntry{{Manager: "kubectl", Time: &at}})
	pending := func(age time.Duration) *unstructured.Unstructured {
		return obj("PersistentVolumeClaim", age, map[string]any{"status": map[string]any{"phase": "Pending"}})
	}
	deleting := obj("ConfigMap", time.Hour, nil)
	deleting.SetDeletionTimestamp(&at)
	tests := []struct {
		name string
		objs []*unstructured.Unstructured
		want bool
	}{
		{"nothing", nil, false},
		{"old object", []*unstructured.Unstructured{obj("ConfigMap", time.Hour, nil)}, false},
		{"just created", []*unstructured.Unstructured{obj("ConfigMap", time.Second, nil)}, true},
		{"just updated", []*unstructured.Unstructured{updated}, true},
		{"being deleted", []*unstructured.Unstructured{deleting}, true},
		{"rollout not observed yet", []*unstructured.Unstructured{rollout}, true},
		{"rollout observed", []*unstructured.Unstructured{done}, false},
		// The volume binder retries a pending claim every 15 s: a claim
		// made before the binder saw its volume binds at the next retry.
		{"claim pending for 10 s", []*unstructured.Unstructured{pending(10 * time.Second)}, true},
		{"claim pending for a minute", []*unstructured.Unstructured{pending(time.Minute)}, false},
		{"claim bound 10 s ago", []*unstructured.Unstructured{obj("PersistentVolumeClaim", 10*time.Second, map[string]any{"status": map[string]any{"phase": "Bound"}})}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := objectsProgressing(tt.objs, now); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNetReason(t *testing.T) {
	op := func(err error) error {
		return &url.Error{Op: "Get", URL: "http://127.0.0.1:1/", Err: &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: err}}}
	}
	tests := []struct {
		err  error
		want string
	}{
		{op(syscall.ECONNREFUSED), "connection refused"},
		{op(syscall.ECONNRESET), "connection reset"},
		{op(syscall.EHOSTUNREACH), "no route to host"},
		{op(syscall.ENETUNREACH), "no route to host"},
		{fmt.Errorf("get: %w", context.DeadlineExceeded), "no answer in time"},
		{errors.New("something else"), "something else"},
	}
	for _, tt := range tests {
		if got := New(Cluster{}, Options{}).netReason(tt.err); got != tt.want {
			t.Errorf("netReason(%v): got %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestPathOrRoot(t *testing.T) {
	for in, want := range map[string]string{"": "/", "/": "/", "a/b": "/a/b", "/x?y=1": "/x?y=1"} {
		if got := pathOrRoot(in); got != want {
			t.Errorf("pathOrRoot(%q): got %q, want %q", in, got, want)
		}
	}
}
