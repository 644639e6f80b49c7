package checker_test

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kworkbook/kworkbook/checker"
	"github.com/kworkbook/kworkbook/internal/kube"
)

// crashing makes the pod's first container crash-loop: waiting in
// back-off after restarts that ended with exit code 1.
func crashing(p *corev1.Pod, restarts int32) *corev1.Pod {
	p.Status.ContainerStatuses[0].Ready = false
	p.Status.ContainerStatuses[0].RestartCount = restarts
	p.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}
	p.Status.ContainerStatuses[0].LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
		ExitCode: 1, Reason: "Error", FinishedAt: metav1.NewTime(time.Now().Add(-10 * time.Second))}}
	return p
}

func withClaim(p *corev1.Pod, claim string) *corev1.Pod {
	p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: "data", VolumeSource: corev1.VolumeSource{
		PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claim}}})
	return p
}

// TestCrashLoopIsNeverDone: whatever a check selects, a pod it concerns
// that restarts forever makes it fail, with the reason.
func TestCrashLoopIsNeverDone(t *testing.T) {
	bound := &corev1.PersistentVolumeClaim{ObjectMeta: meta0("data", nil), Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimBound}}
	settings := configMap("settings", map[string]string{"mode": "fast"})
	envPod := pod("app", labels("app", "app"), corev1.PodRunning)
	envPod.Spec.Containers[0].EnvFrom = []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "settings"}}}}
	tests := []struct {
		name  string
		objs  []any
		check string
		pass  bool
	}{
		{"a pod scheduled and running its image, crash-looping", []any{crashing(pod("web", nil, corev1.PodRunning), 4)},
			"kind: Pod\nname: web\nmatch: {spec: {containers: [{image: nginx:1.27}]}}", false},
		{"the same pod, restarted once and running", []any{func() *corev1.Pod {
			p := pod("web", nil, corev1.PodRunning)
			p.Status.ContainerStatuses[0].RestartCount = 1
			return p
		}()}, "kind: Pod\nname: web\nmatch: {spec: {containers: [{image: nginx:1.27}]}}", true},
		{"a bound claim whose pod crash-loops", []any{bound, crashing(withClaim(pod("db", nil, corev1.PodRunning), "data"), 5)},
			"kind: PersistentVolumeClaim\nname: data\nmatch: {status: {phase: Bound}}", false},
		{"a bound claim whose pod runs", []any{bound, withClaim(pod("db", nil, corev1.PodRunning), "data")},
			"kind: PersistentVolumeClaim\nname: data\nmatch: {status: {phase: Bound}}", true},
		{"a ConfigMap read by a crash-looping pod", []any{settings, crashing(envPod.DeepCopy(), 3)},
			"kind: ConfigMap\nname: settings\nmatch: {data: {mode: fast}}", false},
		{"a Deployment ready on paper with a crash-looping pod", []any{deployment("web", 1, "nginx:1.27"), crashing(pod("web-1", labels("app", "web"), corev1.PodRunning), 6)},
			"kind: Deployment\nname: web\nmatch: {spec: {replicas: 1}}", false},
		{"a native sidecar restarting forever", []any{func() *corev1.Pod {
			p := pod("duo", nil, corev1.PodRunning)
			always := corev1.ContainerRestartPolicyAlways
			p.Spec.InitContainers = []corev1.Container{{Name: "log", Image: "busybox:1.37", RestartPolicy: &always}}
			p.Status.InitContainerStatuses = []corev1.ContainerStatus{{Name: "log", RestartCount: 7,
				State:                corev1.ContainerState{Running: &corev1.ContainerStateRunning{}},
				LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 137, Reason: "OOMKilled", FinishedAt: metav1.NewTime(time.Now().Add(-time.Minute))}}}}
			return p
		}()}, "kind: Pod\nname: duo", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeCluster(t, objects(tt.objs)...)
			r := runOnce(t, f, check(t, tt.check))
			if tt.pass {
				assertResult(t, r, checker.Pass)
				return
			}
			assertResult(t, r, checker.Fail, "crash-looping", "kubectl logs")
		})
	}

	f := newFakeCluster(t, crashing(pod("client", nil, corev1.PodRunning), 3))
	f.exec.result = kube.ExecResult{Stdout: "ok"}
	r := runOnce(t, f, check(t, "exec: {pod: client, command: [true]}\nexpect: {contains: [ok]}"))
	assertResult(t, r, checker.Fail, "pod client is crash-looping", "restarted 3 times", "exit code 1")
}

func objects(xs []any) []runtime.Object {
	out := make([]runtime.Object, len(xs))
	for i, x := range xs {
		out[i] = x.(runtime.Object)
	}
	return out
}
