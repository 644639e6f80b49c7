package checker_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kworkbook/kworkbook/checker"
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

func TestPollingSeesAnObjectThatAppears(t *testing.T) {
	f := newFakeCluster(t)
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
// nothing is changing, fails long before the check's timeout.
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
	if n := gets.Load(); n < 2 {
		t.Errorf("got %d evaluations, want several: a failing check polls before it gives up", n)
	}
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
