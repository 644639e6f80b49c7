package checker_test

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kworkbook/kworkbook/checker"
)

func event(name, kind, object, typ, reason, msg string, at time.Time) *corev1.Event {
	return &corev1.Event{
		ObjectMeta:     meta0(name, nil),
		InvolvedObject: corev1.ObjectReference{Kind: kind, Name: object, Namespace: ns},
		Type:           typ, Reason: reason, Message: msg,
		LastTimestamp: metav1.NewTime(at),
	}
}

func waiting(p *corev1.Pod, reason, msg string) *corev1.Pod {
	p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "web", Image: p.Spec.Containers[0].Image,
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: msg}}}}
	return p
}

// TestEvidence: a failing verdict carries what a learner would look at
// next: warning events, why pods wait, and the last log lines of a crash.
func TestEvidence(t *testing.T) {
	now := time.Now()
	crashing := pod("web-abc", labels("app", "web"), corev1.PodRunning)
	crashing.Status.Conditions[0].Status = corev1.ConditionFalse
	crashing.Status.ContainerStatuses[0].RestartCount = 3
	crashing.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}
	tests := []struct {
		name     string
		objs     []runtime.Object
		check    string
		message  []string
		evidence []string
	}{
		{"a pod that cannot pull its image", []runtime.Object{
			waiting(pod("web", nil, corev1.PodPending, corev1.Container{Name: "web", Image: "nginx:1.99"}), "ImagePullBackOff", `Back-off pulling image "nginx:1.99"`),
			event("e1", "Pod", "web", corev1.EventTypeNormal, "Scheduled", "Successfully assigned kw-test/web to node-1", now.Add(-time.Minute)),
			event("e2", "Pod", "web", corev1.EventTypeWarning, "Failed", `Failed to pull image "nginx:1.99": not found`, now),
		}, "kind: Pod\nname: web\nmatch: {status: {phase: Running}}",
			[]string{"status.phase", `"Pending"`, "container web ImagePullBackOff"},
			[]string{`event on Pod web: Warning Failed: Failed to pull image "nginx:1.99": not found`, "Pod web: Pending, container web ImagePullBackOff"}},
		{"a deployment whose pods crash", []runtime.Object{deployment("web", 1, "nginx:1.27"), crashing},
			"kind: Deployment\nname: web\nexpr: has(object.status.readyReplicas) && object.status.readyReplicas >= 1",
			[]string{"Deployment web", "0/1 ready"},
			[]string{"Pod web-abc: Running, container web CrashLoopBackOff", "last log lines of web-abc/web:\n    fake logs"}},
		{"a service that selects no pod", []runtime.Object{service("web", corev1.ServiceTypeClusterIP, labels("app", "web"), corev1.ServicePort{Port: 80})},
			"kind: Service\nname: web\nmatch: {spec: {type: NodePort}}",
			[]string{"spec.type", `"ClusterIP"`, `"NodePort"`},
			[]string{"no pod in kw-test has the labels app=web that the Service selects"}},
		{"a service with a pod not ready", []runtime.Object{service("web", corev1.ServiceTypeClusterIP, labels("app", "web"), corev1.ServicePort{Port: 80}),
			pod("a", labels("app", "web"), corev1.PodRunning), pod("b", labels("app", "web"), corev1.PodPending)},
			"kind: Service\nname: web\nmatch: {spec: {type: NodePort}}",
			[]string{"spec.type"},
			[]string{"1 of 2 pods with labels app=web are running and ready"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeCluster(t, tt.objs...)
			r := runOnce(t, f, check(t, tt.check))
			assertResult(t, r, checker.Fail, tt.message...)
			all := strings.Join(r.Evidence, "\n")
			for _, want := range tt.evidence {
				if !strings.Contains(all, want) {
					t.Errorf("got evidence:\n%s\nwant it to contain %q", all, want)
				}
			}
			seen := map[string]bool{}
			for _, e := range r.Evidence {
				if seen[e] {
					t.Errorf("got %q twice in the evidence, want each line once", e)
				}
				seen[e] = true
			}
		})
	}
}

func TestEvidenceNotForPasses(t *testing.T) {
	f := newFakeCluster(t, pod("web", nil, corev1.PodRunning),
		event("e1", "Pod", "web", corev1.EventTypeWarning, "BackOff", "restarting", time.Now()))
	r := runOnce(t, f, check(t, "kind: Pod\nname: web"))
	assertResult(t, r, checker.Pass)
	if len(r.Evidence) != 0 {
		t.Errorf("got evidence %q for a passing check, want none", r.Evidence)
	}
}
