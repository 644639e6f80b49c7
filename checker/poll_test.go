package checker_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kworkbook/kworkbook/checker"
	"github.com/kworkbook/kworkbook/internal/kube"
	"github.com/kworkbook/kworkbook/lessons"
)

// appearAfter makes the dynamic client create obj when it has been asked
// for configmaps n times: a learner's object arriving while a check polls.
func appearAfter(t *testing.T, f *fakeCluster, n int32, obj runtime.Object) *atomic.Int32 {
	t.Helper()
	u := toUnstructured(t, obj)
	var gets atomic.Int32
	f.dyn.PrependReactor("get", "configmaps", func(k8stesting.Action) (bool, runtime.Object, error) {
		if gets.Add(1) == n {
			if err := f.dyn.Tracker().Add(u); err != nil {
				t.Errorf("test setup: %v", err)
			}
		}
		return false, nil, nil
	})
	return &gets
}

// TestPollingSeesAnObjectThatAppears: while something in the namespace is
// on its way (here a pod starting), a failing check polls and sees the
// learner's object arrive.
func TestPollingSeesAnObjectThatAppears(t *testing.T) {
	f := newFakeCluster(t, pod("web", nil, corev1.PodPending))
	gets := appearAfter(t, f, 3, configMap("answers", labels("podIP", "10.0.0.7")))
	c := check(t, "kind: ConfigMap\nname: answers\nmatch: {data: {podIP: 10.0.0.7}}\ntimeout: 1m")
	r := f.checker(checker.Options{Interval: time.Millisecond}).Check(context.Background(), lesson(), c)
	assertResult(t, r, checker.Pass, "ConfigMap answers", "podIP=10.0.0.7")
	if n := gets.Load(); n < 3 {
		t.Errorf("got %d polls, want at least 3 (the object appeared on the third)", n)
	}
}

func TestOnceEvaluatesOnce(t *testing.T) {
	f := newFakeCluster(t)
	gets := appearAfter(t, f, 2, configMap("answers", nil))
	c := check(t, "kind: ConfigMap\nname: answers\ntimeout: 1m")
	r := f.checker(checker.Options{Once: true, Interval: time.Millisecond}).Check(context.Background(), lesson(), c)
	assertResult(t, r, checker.Fail, `there is no ConfigMap "answers"`)
	if n := gets.Load(); n != 1 {
		t.Errorf("got %d evaluations, want exactly 1 in Once mode", n)
	}
}

// TestSettledFailureStopsEarly: work not done yet, on a cluster where
// nothing is changing, fails at the first look, not at the check's timeout.
func TestSettledFailureStopsEarly(t *testing.T) {
	old := configMap("answers", labels("podIP", "10.0.0.1"))
	f := newFakeCluster(t, old, pod("web", nil, corev1.PodRunning))
	gets := f.countDynamic("get", "configmaps")
	c := check(t, "kind: ConfigMap\nname: answers\nmatch: {data: {podIP: 10.0.0.7}}\ntimeout: 1h")

	// If settling did not work the check would run for its hour; the test's
	// own deadline tells the two apart with a wide margin.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r := f.checker(checker.Options{Interval: 10 * time.Millisecond}).Check(ctx, lesson(), c)
	if ctx.Err() != nil {
		t.Fatal("got the check running past a minute, want it to stop once the cluster settled")
	}
	assertResult(t, r, checker.Fail, "data.podIP", `"10.0.0.1"`, `"10.0.0.7"`)
	if n := gets.Load(); n != 1 {
		t.Errorf("got %d evaluations, want 1: nothing is on its way, so the first failure is final", n)
	}
}

// TestRecentChangeKeepsPolling: an object the check reads that changed a
// moment ago (kubectl apply just ran) may still be followed by more
// changes, so a failing check keeps looking until they come.
func TestRecentChangeKeepsPolling(t *testing.T) {
	cm := configMap("answers", labels("podIP", "10.0.0.1"))
	cm.CreationTimestamp = metav1.Now()
	f := newFakeCluster(t, cm)
	fixed := toUnstructured(t, configMap("answers", labels("podIP", "10.0.0.7")))
	var gets atomic.Int32
	f.dyn.PrependReactor("get", "configmaps", func(k8stesting.Action) (bool, runtime.Object, error) {
		if gets.Add(1) == 3 {
			if err := f.dyn.Tracker().Update(corev1.SchemeGroupVersion.WithResource("configmaps"), fixed, ns); err != nil {
				t.Errorf("test setup: %v", err)
			}
		}
		return false, nil, nil
	})
	c := check(t, "kind: ConfigMap\nname: answers\nmatch: {data: {podIP: 10.0.0.7}}\ntimeout: 1m")
	r := f.checker(checker.Options{Interval: time.Millisecond}).Check(context.Background(), lesson(), c)
	assertResult(t, r, checker.Pass, "podIP=10.0.0.7")
}

// TestProbeWaitsForANewService: a probe's answer depends on objects it
// does not read (a Service made a moment ago is not in DNS yet), so it
// keeps polling while one in its namespace is new.
func TestProbeWaitsForANewService(t *testing.T) {
	svc := service("web", corev1.ServiceTypeClusterIP, labels("app", "web"), corev1.ServicePort{Port: 80})
	svc.CreationTimestamp = metav1.Now()
	f := newFakeCluster(t, pod("client", nil, corev1.PodRunning), svc)
	f.exec.result = kube.ExecResult{Stdout: "NXDOMAIN", ExitCode: 1}
	var calls atomic.Int32
	f.typed.PrependReactor("list", "services", func(k8stesting.Action) (bool, runtime.Object, error) {
		if calls.Add(1) == 2 {
			f.exec.mu.Lock()
			f.exec.result = kube.ExecResult{Stdout: "Address: 10.96.0.10"}
			f.exec.mu.Unlock()
		}
		return false, nil, nil
	})
	c := check(t, "exec: {pod: client, command: [nslookup, web]}\nexpect: {contains: [Address]}\ntimeout: 1m")
	r := f.checker(checker.Options{Interval: time.Millisecond}).Check(context.Background(), lesson(), c)
	assertResult(t, r, checker.Pass)
}

// TestStartingPodKeepsPolling: while a pod in the namespace is starting,
// a failing check keeps polling instead of settling: here the answer comes
// only after the settle time has passed.
func TestStartingPodKeepsPolling(t *testing.T) {
	t.Parallel()
	const after = 2 * time.Second // longer than a failing object check settles in
	f := newFakeCluster(t, pod("web", nil, corev1.PodPending))
	u := toUnstructured(t, configMap("answers", nil))
	var first time.Time
	var added atomic.Bool
	f.dyn.PrependReactor("get", "configmaps", func(k8stesting.Action) (bool, runtime.Object, error) {
		if first.IsZero() {
			first = time.Now()
		}
		if time.Since(first) >= after && !added.Swap(true) {
			if err := f.dyn.Tracker().Add(u); err != nil {
				t.Errorf("test setup: %v", err)
			}
		}
		return false, nil, nil
	})
	c := check(t, "kind: ConfigMap\nname: answers\ntimeout: 1m")
	r := f.checker(checker.Options{Interval: 20 * time.Millisecond}).Check(context.Background(), lesson(), c)
	assertResult(t, r, checker.Pass, "ConfigMap answers")
}

func TestCheckTimeout(t *testing.T) {
	f := newFakeCluster(t, pod("web", nil, corev1.PodPending))
	c := check(t, "kind: Pod\nname: web\nmatch: {status: {phase: Running}}\ntimeout: 1h")
	// Options.Timeout replaces the check's own.
	r := f.checker(checker.Options{Timeout: 50 * time.Millisecond, Interval: time.Millisecond}).Check(context.Background(), lesson(), c)
	assertResult(t, r, checker.Fail, "status.phase")
}

func TestExerciseVerdict(t *testing.T) {
	f := newFakeCluster(t, pod("web", nil, corev1.PodPending))
	e := &lessons.Exercise{ID: "run-pod", Title: "Run a pod", Weight: 2, Checks: []*lessons.Check{
		check(t, "id: exists\nkind: Pod\nname: web"),
		check(t, "kind: Pod\nname: web\nmatch: {status: {phase: Running}}"),
		check(t, "id: image\nkind: Pod\nname: web\nmatch: {spec: {containers: [{image: nginx:1.27}]}}"),
	}}
	v := f.checker(checker.Options{Once: true}).Exercise(context.Background(), lesson(e), e)
	if v.Status != checker.Fail || v.Passed() {
		t.Errorf("got %s, want fail", v.Status)
	}
	if v.Lesson != "lesson-99" || v.Exercise != "run-pod" || v.Title != "Run a pod" || v.Weight != 2 {
		t.Errorf("got verdict %+v, want the lesson's and exercise's ids, title and weight", v)
	}
	want := []struct {
		id     string
		status checker.Status
	}{{"exists", checker.Pass}, {"#2", checker.Fail}, {"image", checker.Skipped}}
	if len(v.Checks) != len(want) {
		t.Fatalf("got %d check results, want %d", len(v.Checks), len(want))
	}
	for i, w := range want {
		if v.Checks[i].ID != w.id || v.Checks[i].Status != w.status {
			t.Errorf("check %d: got %s %s, want %s %s", i, v.Checks[i].ID, v.Checks[i].Status, w.id, w.status)
		}
	}
	if v.Message != v.Checks[1].Message || v.Message == "" {
		t.Errorf("got verdict message %q, want the failing check's %q", v.Message, v.Checks[1].Message)
	}
}

func TestLessonVerdicts(t *testing.T) {
	f := newFakeCluster(t, pod("web", nil, corev1.PodRunning), configMap("answers", nil))
	var es []*lessons.Exercise
	for _, c := range []string{
		"kind: Pod\nname: web", "kind: ConfigMap\nname: nope", "kind: Widget", "kind: ConfigMap\nname: answers",
	} {
		es = append(es, &lessons.Exercise{ID: "e" + string(rune('a'+len(es))), Checks: []*lessons.Check{check(t, c), check(t, c)}})
	}
	vs := f.checker(checker.Options{Once: true, Parallel: 2}).Lesson(context.Background(), lesson(es...))
	want := []checker.Status{checker.Pass, checker.Fail, checker.Error, checker.Pass}
	if len(vs) != len(want) {
		t.Fatalf("got %d verdicts, want %d", len(vs), len(want))
	}
	for i, v := range vs {
		if v.Exercise != es[i].ID || v.Status != want[i] {
			t.Errorf("verdict %d: got %s %s, want %s %s", i, v.Exercise, v.Status, es[i].ID, want[i])
		}
	}
	if vs[0].Message != "all 2 checks pass" {
		t.Errorf("got %q, want all 2 checks pass", vs[0].Message)
	}
}
