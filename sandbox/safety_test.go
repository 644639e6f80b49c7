package sandbox

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	dfake "k8s.io/client-go/dynamic/fake"
	kfake "k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kworkbook/kworkbook/internal/kube"
	"github.com/kworkbook/kworkbook/lessons"

	"github.com/kworkbook/kworkbook/internal/locale"
)

// nodeLesson changes nodes, as lessons 09 and 11 do.
func nodeLesson() *lessons.Lesson {
	l := testLesson("kw-a")
	l.Spec.Reset = lessons.Reset{NodeLabels: []string{"kw-disk"}, NodeTaints: []string{"kw-dedicated"}, Uncordon: true}
	return l
}

// adminNodes are nodes as an administrator left them: one cordoned, one
// with a label and a taint of the lesson's keys, plus keys of their own.
func adminNodes() []runtime.Object {
	return []runtime.Object{
		&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "worker"}, Spec: corev1.NodeSpec{Unschedulable: true}},
		&corev1.Node{
			ObjectMeta: metav1.ObjectMeta{Name: "worker2", Labels: map[string]string{"kw-disk": "ssd", "team": "db"}},
			Spec: corev1.NodeSpec{Taints: []corev1.Taint{
				{Key: "kw-dedicated", Value: "x", Effect: corev1.TaintEffectNoSchedule},
				{Key: "gpu", Value: "true", Effect: corev1.TaintEffectNoSchedule},
			}},
		},
		namespace("kw-a", ours),
	}
}

func writes(typed *kfake.Clientset) []string {
	var out []string
	for _, a := range typed.Actions() {
		switch a.GetVerb() {
		case "get", "list", "watch":
		default:
			out = append(out, a.GetVerb()+" "+a.GetResource().Resource)
		}
	}
	return out
}

// TestNodeLessonRefusedOnUnownedCluster: on a cluster named with
// --context, every step of a lesson that changes nodes refuses before it
// touches anything, so an administrator's cordons and labels stay.
func TestNodeLessonRefusedOnUnownedCluster(t *testing.T) {
	l := nodeLesson()
	steps := map[string]func(*Env) error{
		"setup":    func(e *Env) error { return e.Setup(context.Background(), l) },
		"reset":    func(e *Env) error { return e.Reset(context.Background(), l) },
		"teardown": func(e *Env) error { return e.Teardown(context.Background(), l) },
		"solve": func(e *Env) error {
			return e.Apply(context.Background(), l, lessons.Steps{Commands: []string{"true"}}, false)
		},
		"command": func(e *Env) error {
			_, err := e.Run(context.Background(), l, "true")
			return err
		},
	}
	for name, step := range steps {
		t.Run(name, func(t *testing.T) {
			env, typed := fakeEnv(adminNodes()...)
			err := step(env)
			if !errors.Is(err, ErrNodeLesson) {
				t.Fatalf("got %v, want ErrNodeLesson", err)
			}
			for _, want := range []string{l.ID, "test", ContextName()} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("got %q, want it to name %s", err, want)
				}
			}
			if w := writes(typed); len(w) > 0 {
				t.Errorf("got %v, want nothing changed", w)
			}
		})
	}
}

// TestNodeLessonFoundFromCommands: a lesson that cordons in a solution
// counts as changing nodes even when reset: does not say so.
func TestNodeLessonFoundFromCommands(t *testing.T) {
	l := testLesson("kw-a")
	l.NodeChanges = []string{"lesson.yaml:9: kubectl cordon worker"}
	env, typed := fakeEnv(adminNodes()...)
	if err := env.Setup(context.Background(), l); !errors.Is(err, ErrNodeLesson) {
		t.Fatalf("got %v, want ErrNodeLesson", err)
	}
	if w := writes(typed); len(w) > 0 {
		t.Errorf("got %v, want nothing changed", w)
	}
}

// TestNodeResetOnOwnedCluster: on kworkbook's own cluster reset undoes
// the lesson's keys only; other labels and taints stay.
func TestNodeResetOnOwnedCluster(t *testing.T) {
	env, typed := fakeEnv(adminNodes()...)
	env.Target.Owned = true
	if err := env.undoClusterChanges(context.Background(), nodeLesson()); err != nil {
		t.Fatal(err)
	}
	nodes, _ := typed.CoreV1().Nodes().List(context.Background(), metav1.ListOptions{})
	for _, n := range nodes.Items {
		if n.Spec.Unschedulable {
			t.Errorf("node %s: got cordoned, want uncordoned", n.Name)
		}
		if _, ok := n.Labels["kw-disk"]; ok {
			t.Errorf("node %s: got label kw-disk kept, want it removed", n.Name)
		}
		if n.Name == "worker2" {
			if n.Labels["team"] != "db" {
				t.Errorf("got labels %v, want team=db kept", n.Labels)
			}
			if len(n.Spec.Taints) != 1 || n.Spec.Taints[0].Key != "gpu" {
				t.Errorf("got taints %v, want only gpu kept", n.Spec.Taints)
			}
		}
	}
}

func deleteEnv(t *testing.T, owned bool, objs ...runtime.Object) (*Env, *dfake.FakeDynamicClient) {
	t.Helper()
	m := meta.NewDefaultRESTMapper(nil)
	m.Add(schema.GroupVersionKind{Version: "v1", Kind: "PersistentVolume"}, meta.RESTScopeRoot)
	m.Add(schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}, meta.RESTScopeRoot)
	m.Add(schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, meta.RESTScopeNamespace)
	scheme := runtime.NewScheme()
	dyn := dfake.NewSimpleDynamicClientWithCustomListKinds(scheme, map[schema.GroupVersionResource]string{
		{Version: "v1", Resource: "persistentvolumes"}: "PersistentVolumeList",
		{Version: "v1", Resource: "namespaces"}:        "NamespaceList",
		{Version: "v1", Resource: "configmaps"}:        "ConfigMapList",
	}, objs...)
	typed := kfake.NewSimpleClientset()
	c := &kube.Clients{Typed: typed, Dynamic: dyn, Discovery: cachedDiscovery{typed.Discovery()}, Mapper: resettable{m}}
	return NewEnv(Target{Context: "test", Owned: owned}, c, nil), dyn
}

func uobj(kind, ns, name string, labels map[string]string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": kind}}
	u.SetName(name)
	u.SetNamespace(ns)
	u.SetUID(types.UID("uid-" + name))
	if labels != nil {
		u.SetLabels(labels)
	}
	return u
}

func deleted(dyn *dfake.FakeDynamicClient) []string {
	var out []string
	for _, a := range dyn.Actions() {
		if d, ok := a.(k8stesting.DeleteAction); ok {
			out = append(out, d.GetResource().Resource+"/"+d.GetName())
		}
	}
	slices.Sort(out)
	return out
}

// TestResetDeletesOnlyLabelledObjects: reset: delete: names objects, but
// reset deletes one only when it carries kworkbook's label (and, for a
// PersistentVolume, the lesson's), whatever the name.
func TestResetDeletesOnlyLabelledObjects(t *testing.T) {
	l := testLesson("kw-a")
	l.Spec.Reset.Delete = []lessons.ObjectRef{
		{Kind: "PersistentVolume", Name: "kw-unlabelled"},
		{Kind: "PersistentVolume", Name: "kw-other-lesson"},
		{Kind: "pv", Name: "kw-ours"},
		{Kind: "ns", Name: "kw-team-x"},
		{Kind: "Namespace", Name: "kw-team-y"},
		{Kind: "PersistentVolume", Selector: "tier=archive"},
		{Kind: "ConfigMap", Selector: "app=web"},
	}
	mine := map[string]string{LabelManagedBy: ManagedBy, LabelLesson: l.ID}
	env, dyn := deleteEnv(t, true,
		uobj("PersistentVolume", "", "kw-unlabelled", nil),
		uobj("PersistentVolume", "", "kw-other-lesson", map[string]string{LabelManagedBy: ManagedBy, LabelLesson: "lesson-01"}),
		uobj("PersistentVolume", "", "kw-ours", mine),
		uobj("PersistentVolume", "", "archive-of-someone", map[string]string{"tier": "archive"}),
		uobj("PersistentVolume", "", "kw-archive", map[string]string{"tier": "archive", LabelManagedBy: ManagedBy, LabelLesson: l.ID}),
		uobj("Namespace", "", "kw-team-x", map[string]string{LabelManagedBy: ManagedBy}),
		uobj("Namespace", "", "kw-team-y", map[string]string{"team": "y"}),
		uobj("ConfigMap", "kw-a", "web-settings", map[string]string{"app": "web"}),
		uobj("ConfigMap", "kw-a", "web-ours", map[string]string{"app": "web", LabelManagedBy: ManagedBy}),
	)
	var notes []string
	env.Log = noteLogger{&notes}
	for _, ref := range l.Spec.Reset.Delete {
		if err := env.deleteRef(context.Background(), l, ref); err != nil {
			t.Fatalf("%+v: %v", ref, err)
		}
	}
	want := []string{"configmaps/web-ours", "namespaces/kw-team-x", "persistentvolumes/kw-archive", "persistentvolumes/kw-ours"}
	if got := deleted(dyn); !slices.Equal(got, want) {
		t.Errorf("got deleted %v, want %v", got, want)
	}
	if len(notes) != 3 || !strings.Contains(strings.Join(notes, "\n"), "kubectl delete persistentvolume kw-unlabelled") {
		t.Errorf("got notes %q, want one per unlabelled object named, saying how to delete it", notes)
	}
}

type noteLogger struct{ notes *[]string }

func (noteLogger) Step(locale.Msg, error) {}
func (n noteLogger) Note(m locale.Msg)    { *n.notes = append(*n.notes, m.String()) }

// TestRunAsksTrustForForeignLessons: commands of a lesson that does not
// come with kworkbook run only when Trust allows them, asked once.
func TestRunAsksTrustForForeignLessons(t *testing.T) {
	l := testLesson("kw-a")
	l.Source = "/home/someone/lessons"
	asked := 0
	env, _ := fakeEnv()
	env.Target.Owned = true
	env.Trust = func(context.Context, *lessons.Lesson) error {
		asked++
		return errors.New("not allowed")
	}
	if _, err := env.Run(context.Background(), l, "touch should-not-exist"); err == nil || asked != 1 {
		t.Fatalf("got %v after %d questions, want refused after one", err, asked)
	}
	env.Trust = func(context.Context, *lessons.Lesson) error { asked++; return nil }
	l.Source = lessons.SourceEmbedded
	asked = 0
	// Past the question, the command goes on to need a kubeconfig (none here).
	if _, err := env.Run(context.Background(), l, "true"); asked != 0 || !strings.Contains(fmt.Sprint(err), "kubeconfig") {
		t.Errorf("embedded lesson: got %v after %d questions, want it run without asking", err, asked)
	}
}

// TestResetWaitsForClusterScopedObjects: a PersistentVolume lingers after
// its delete until its claim is released; reset returns only once it is
// gone, or the setup (or a replayed solution) that makes it again would
// apply to the old one and see it vanish right after.
func TestResetWaitsForClusterScopedObjects(t *testing.T) {
	l := testLesson("kw-a")
	mine := map[string]string{LabelManagedBy: ManagedBy, LabelLesson: l.ID}
	env, dyn := deleteEnv(t, true, uobj("PersistentVolume", "", "kw-pv", mine))
	lingering := 3
	pv := uobj("PersistentVolume", "", "kw-pv", mine)
	dyn.PrependReactor("delete", "persistentvolumes", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, nil // marked for deletion; a finalizer holds it
	})
	dyn.PrependReactor("get", "persistentvolumes", func(k8stesting.Action) (bool, runtime.Object, error) {
		if lingering > 0 {
			lingering--
			return true, pv, nil
		}
		return true, nil, apierrors.NewNotFound(schema.GroupResource{Resource: "persistentvolumes"}, "kw-pv")
	})
	if err := env.deleteRef(context.Background(), l, lessons.ObjectRef{Kind: "PersistentVolume", Name: "kw-pv"}); err != nil {
		t.Fatal(err)
	}
	if lingering != 0 {
		t.Errorf("reset returned while the volume was still there (%d more looks would have seen it)", lingering)
	}
}
