package sandbox

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/discovery"
	kfake "k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kworkbook/kworkbook/internal/kube"
	"github.com/kworkbook/kworkbook/lessons"
)

func obj(t *testing.T, src string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON([]byte(src)); err != nil {
		t.Fatalf("test setup: %v", err)
	}
	return u
}

func TestReady(t *testing.T) {
	tests := []struct {
		name  string
		obj   string
		ready bool
		says  string
	}{
		{"deployment rolled out", `{"kind":"Deployment","metadata":{"generation":2},"spec":{"replicas":2},"status":{"observedGeneration":2,"readyReplicas":2,"updatedReplicas":2,"replicas":2}}`, true, ""},
		{"deployment not observed yet", `{"kind":"Deployment","metadata":{"generation":3},"spec":{"replicas":2},"status":{"observedGeneration":2,"readyReplicas":2,"updatedReplicas":2,"replicas":2}}`, false, "2/2 ready"},
		{"deployment half ready", `{"kind":"Deployment","metadata":{"generation":1},"spec":{"replicas":3},"status":{"observedGeneration":1,"readyReplicas":1,"updatedReplicas":3,"replicas":3}}`, false, "1/3 ready, 3 updated"},
		{"deployment with old pods still around", `{"kind":"Deployment","metadata":{"generation":1},"spec":{"replicas":2},"status":{"observedGeneration":1,"readyReplicas":2,"updatedReplicas":2,"replicas":3}}`, false, ""},
		{"deployment without replicas means one", `{"kind":"Deployment","metadata":{"generation":1},"status":{"observedGeneration":1,"readyReplicas":1,"updatedReplicas":1,"replicas":1}}`, true, ""},
		{"statefulset ready", `{"kind":"StatefulSet","metadata":{"generation":1},"spec":{"replicas":1},"status":{"observedGeneration":1,"readyReplicas":1,"updatedReplicas":1,"replicas":1}}`, true, ""},
		{"replicaset ready", `{"kind":"ReplicaSet","metadata":{"generation":1},"spec":{"replicas":2},"status":{"observedGeneration":1,"readyReplicas":2,"replicas":2}}`, true, ""},
		{"daemonset ready", `{"kind":"DaemonSet","metadata":{"generation":1},"status":{"observedGeneration":1,"desiredNumberScheduled":3,"numberReady":3}}`, true, ""},
		{"daemonset on no node yet", `{"kind":"DaemonSet","metadata":{"generation":1},"status":{"observedGeneration":1}}`, false, "0/0 ready"},
		{"pod ready", `{"kind":"Pod","status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}`, true, ""},
		{"pod running, not ready", `{"kind":"Pod","status":{"phase":"Running","conditions":[{"type":"Ready","status":"False"}]}}`, false, "phase Running"},
		{"pod pending", `{"kind":"Pod","status":{"phase":"Pending"}}`, false, "phase Pending"},
		{"pod done", `{"kind":"Pod","status":{"phase":"Succeeded"}}`, true, ""},
		{"job complete", `{"kind":"Job","status":{"conditions":[{"type":"Complete","status":"True"}]}}`, true, ""},
		{"job failed is done too", `{"kind":"Job","status":{"conditions":[{"type":"Failed","status":"True"}]}}`, true, ""},
		{"job running", `{"kind":"Job","status":{"active":1}}`, false, "not complete"},
		{"claim bound", `{"kind":"PersistentVolumeClaim","status":{"phase":"Bound"}}`, true, ""},
		{"claim waiting for its first consumer", `{"kind":"PersistentVolumeClaim","status":{"phase":"Pending"}}`, true, ""},
		{"claim lost", `{"kind":"PersistentVolumeClaim","status":{"phase":"Lost"}}`, false, "phase Lost"},
		{"a kind nobody waits for", `{"kind":"ConfigMap"}`, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ready, says := Ready(obj(t, tt.obj))
			if ready != tt.ready || !strings.Contains(says, tt.says) {
				t.Errorf("got %v %q, want %v %q", ready, says, tt.ready, tt.says)
			}
		})
	}
}

func TestWaitsFor(t *testing.T) {
	for kind, want := range map[string]bool{"Deployment": true, "Pod": true, "Job": true, "PersistentVolumeClaim": true, "Service": false, "ConfigMap": false} {
		if got := waitsFor(kind); got != want {
			t.Errorf("waitsFor(%s): got %v, want %v", kind, got, want)
		}
	}
}

func namespace(name string, labels map[string]string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
}

var ours = map[string]string{LabelManagedBy: ManagedBy}

func TestOwned(t *testing.T) {
	if err := owned(namespace("kw-a", ours)); err != nil {
		t.Errorf("got %v, want a labelled namespace owned", err)
	}
	for _, l := range []map[string]string{nil, {LabelManagedBy: "helm"}, {"app": "kworkbook"}} {
		err := owned(namespace("kw-a", l))
		if !errors.Is(err, ErrNotOwned) {
			t.Errorf("labels %v: got %v, want ErrNotOwned", l, err)
		}
		if err != nil && !strings.Contains(err.Error(), "kw-a") {
			t.Errorf("got %q, want it to name the namespace", err)
		}
	}
}

func testLesson(namespaces ...string) *lessons.Lesson {
	return &lessons.Lesson{ID: "lesson-99", Dir: "99-test", Spec: &lessons.Spec{Namespaces: namespaces}}
}

func fakeEnv(objs ...runtime.Object) (*Env, *kfake.Clientset) {
	typed := kfake.NewSimpleClientset(objs...)
	c := &kube.Clients{Typed: typed, Discovery: cachedDiscovery{typed.Discovery()}}
	return NewEnv(Target{Context: "test"}, c, nil), typed
}

// cachedDiscovery serves the fake's discovery as a cached one.
type cachedDiscovery struct{ discovery.DiscoveryInterface }

func (cachedDiscovery) Fresh() bool { return true }
func (cachedDiscovery) Invalidate() {}

func TestStarted(t *testing.T) {
	deleting := namespace("kw-b", ours)
	deleting.DeletionTimestamp = &metav1.Time{Time: time.Now()}
	tests := []struct {
		name    string
		objs    []runtime.Object
		started bool
		err     error
	}{
		{"not yet", nil, false, nil},
		{"one of two namespaces", []runtime.Object{namespace("kw-a", ours)}, false, nil},
		{"both", []runtime.Object{namespace("kw-a", ours), namespace("kw-b", ours)}, true, nil},
		{"one is going away", []runtime.Object{namespace("kw-a", ours), deleting}, false, nil},
		{"someone else's namespace", []runtime.Object{namespace("kw-a", nil), namespace("kw-b", ours)}, false, ErrNotOwned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _ := fakeEnv(tt.objs...)
			started, err := env.Started(context.Background(), testLesson("kw-a", "kw-b"))
			if started != tt.started || !errors.Is(err, tt.err) {
				t.Errorf("got %v, %v; want %v, %v", started, err, tt.started, tt.err)
			}
		})
	}
}

// TestTeardownRefusesOthersNamespaces: reset deletes only namespaces that
// carry kworkbook's label, and touches nothing when one does not.
func TestTeardownRefusesOthersNamespaces(t *testing.T) {
	env, typed := fakeEnv(namespace("kw-a", nil), &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "precious", Namespace: "kw-a"}})
	err := env.Teardown(context.Background(), testLesson("kw-a"))
	if !errors.Is(err, ErrNotOwned) {
		t.Fatalf("got %v, want ErrNotOwned", err)
	}
	for _, a := range typed.Actions() {
		if a.GetVerb() == "delete" || a.GetVerb() == "delete-collection" || a.GetVerb() == "patch" {
			t.Errorf("got %s %s, want nothing changed", a.GetVerb(), a.GetResource().Resource)
		}
	}
	if _, err := typed.CoreV1().Pods("kw-a").Get(context.Background(), "precious", metav1.GetOptions{}); err != nil {
		t.Errorf("got %v, want the pod still there", err)
	}
}

func TestSetupRefusesOthersNamespaces(t *testing.T) {
	env, typed := fakeEnv(namespace("kw-a", map[string]string{LabelManagedBy: "someone"}))
	err := env.Setup(context.Background(), testLesson("kw-a"))
	if !errors.Is(err, ErrNotOwned) {
		t.Fatalf("got %v, want ErrNotOwned", err)
	}
	for _, a := range typed.Actions() {
		if a.GetVerb() != "get" {
			t.Errorf("got %s %s, want only reads", a.GetVerb(), a.GetResource().Resource)
		}
	}
}

func TestTeardownOwnNamespace(t *testing.T) {
	env, typed := fakeEnv(namespace("kw-a", ours))
	// The fake deletes at once, as a namespace that empties quickly would go.
	var deleted bool
	typed.PrependReactor("delete", "namespaces", func(k8stesting.Action) (bool, runtime.Object, error) {
		deleted = true
		return false, nil, nil
	})
	if err := env.Teardown(context.Background(), testLesson("kw-a")); err != nil {
		t.Fatalf("got %v, want the lesson's own namespace removed", err)
	}
	if !deleted {
		t.Error("got the namespace kept, want it deleted")
	}
}

func TestRunCommand(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no sh")
	}
	kcfg := kubeconfig(t, "prod", "prod", ContextName())
	l := &lessons.Lesson{ID: "lesson-99", Dir: "99-test", Spec: &lessons.Spec{Namespaces: []string{"kw-test"}},
		FS: fstest.MapFS{"99-test/solution/web.yaml": {Data: []byte("kind: Pod\n")}, "99-test/lesson.yaml": {Data: []byte("x: 1\n")}}}
	env := NewEnv(Target{Context: ContextName(), Kubeconfig: kcfg, Owned: true}, nil, nil)
	defer env.Close()

	out, err := env.Run(context.Background(), l, `echo "ns=$NAMESPACE"; cat solution/web.yaml; grep -c "current-context: kind-kworkbook" "$KUBECONFIG"; grep -c prod "$KUBECONFIG" || true`)
	if err != nil {
		t.Fatalf("got %v, want the command run", err)
	}
	if want := "ns=kw-test\nkind: Pod\n1\n0\n"; out != want {
		t.Errorf("got output %q, want %q: $NAMESPACE set, the lesson's files at hand, a kubeconfig with only the target", out, want)
	}

	_, err = env.Run(context.Background(), l, "echo oops >&2; exit 3")
	if !errors.Is(err, ErrStep) || !strings.Contains(err.Error(), "oops") {
		t.Errorf("got %v, want ErrStep with the command's output", err)
	}

	env.Kubectl = filepath.Join(t.TempDir(), "kubectl")
	if _, err := env.Run(context.Background(), l, "kubectl get pods"); !errors.Is(err, ErrKubectlMissing) {
		t.Errorf("got %v, want ErrKubectlMissing", err)
	}

	dir := env.tmp
	if err := env.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v, want the temporary folder removed by Close", err)
	}
}

func TestProvides(t *testing.T) {
	full := Info{NodePorts: map[int]int{30080: 30080}, IngressURL: "http://127.0.0.1:8080", Addons: []string{AddonIngress, AddonLoadBalancer}}
	for _, r := range []string{lessons.RequireNodePort, lessons.RequireIngress, lessons.RequireLoadBalancer} {
		if !Provides(full, r) {
			t.Errorf("got %s not provided by a full sandbox, want it provided", r)
		}
	}
	for _, r := range []string{lessons.RequireNodePort, lessons.RequireIngress, lessons.RequireLoadBalancer} {
		if Provides(Info{}, r) {
			t.Errorf("got %s provided by an empty record, want not", r)
		}
	}
	if Provides(full, "gpu") {
		t.Error("got an unknown requirement provided, want not")
	}
	if h := full.Host(); h.IngressURL != full.IngressURL || h.NodePorts[30080] != 30080 || h.Client == nil || h.Client.Timeout == 0 {
		t.Errorf("got host %+v, want the record's paths and a client with a timeout", h)
	}
	a, b := full, full
	b.Updated = time.Now()
	if !sameInfo(a, b) {
		t.Error("got records differing only in Updated as different, want the same")
	}
	b.IngressURL = ""
	if sameInfo(a, b) {
		t.Error("got different records as the same")
	}
}

func TestKubeError(t *testing.T) {
	if kubeError(nil) != nil {
		t.Error("got an error for nil")
	}
	for _, msg := range []string{"dial tcp 127.0.0.1:6443: connect: connection refused", "lookup x: no such host", "read: i/o timeout"} {
		if err := kubeError(errors.New(msg)); !errors.Is(err, ErrUnreachable) {
			t.Errorf("%q: got %v, want ErrUnreachable", msg, err)
		}
	}
	other := errors.New(`pods "x" is forbidden`)
	if err := kubeError(other); err != other {
		t.Errorf("got %v, want other errors unchanged", err)
	}
}
