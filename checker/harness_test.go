package checker_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"gopkg.in/yaml.v3"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynfake "k8s.io/client-go/dynamic/fake"
	kfake "k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/kubernetes/scheme"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kworkbook/kworkbook/checker"
	"github.com/kworkbook/kworkbook/internal/kube"
	"github.com/kworkbook/kworkbook/lessons"
)

const ns = "kw-test"

// kinds the fake cluster serves.
var kinds = []struct {
	gvk        schema.GroupVersionKind
	resource   string
	namespaced bool
}{
	{corev1.SchemeGroupVersion.WithKind("Pod"), "pods", true},
	{corev1.SchemeGroupVersion.WithKind("Service"), "services", true},
	{corev1.SchemeGroupVersion.WithKind("ConfigMap"), "configmaps", true},
	{corev1.SchemeGroupVersion.WithKind("Secret"), "secrets", true},
	{corev1.SchemeGroupVersion.WithKind("Event"), "events", true},
	{corev1.SchemeGroupVersion.WithKind("PersistentVolumeClaim"), "persistentvolumeclaims", true},
	{corev1.SchemeGroupVersion.WithKind("Node"), "nodes", false},
	{corev1.SchemeGroupVersion.WithKind("Namespace"), "namespaces", false},
	{corev1.SchemeGroupVersion.WithKind("PersistentVolume"), "persistentvolumes", false},
	{appsv1.SchemeGroupVersion.WithKind("Deployment"), "deployments", true},
	{appsv1.SchemeGroupVersion.WithKind("ReplicaSet"), "replicasets", true},
	{batchv1.SchemeGroupVersion.WithKind("Job"), "jobs", true},
	{networkingv1.SchemeGroupVersion.WithKind("Ingress"), "ingresses", true},
}

// fakeCluster is a cluster for the checker made of client-go's fakes: the
// typed and the dynamic client hold the same objects.
type fakeCluster struct {
	typed *kfake.Clientset
	dyn   *dynfake.FakeDynamicClient
	exec  *fakeExec
	host  checker.Host
}

func newFakeCluster(t *testing.T, objs ...runtime.Object) *fakeCluster {
	t.Helper()
	listKinds := map[schema.GroupVersionResource]string{}
	for _, k := range kinds {
		listKinds[k.gvk.GroupVersion().WithResource(k.resource)] = k.gvk.Kind + "List"
	}
	var typed, dyn []runtime.Object
	for _, o := range objs {
		typed = append(typed, o)
		dyn = append(dyn, toUnstructured(t, o))
	}
	return &fakeCluster{
		typed: kfake.NewSimpleClientset(typed...),
		dyn:   dynfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), listKinds, dyn...),
		exec:  &fakeExec{},
	}
}

func toUnstructured(t *testing.T, o runtime.Object) *unstructured.Unstructured {
	t.Helper()
	gvks, _, err := scheme.Scheme.ObjectKinds(o)
	if err != nil {
		t.Fatalf("test setup: %v", err)
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o)
	if err != nil {
		t.Fatalf("test setup: %v", err)
	}
	u := &unstructured.Unstructured{Object: m}
	u.SetGroupVersionKind(gvks[0])
	return u
}

func mapper() meta.RESTMapper {
	m := meta.NewDefaultRESTMapper(nil)
	for _, k := range kinds {
		scope := meta.RESTScopeRoot
		if k.namespaced {
			scope = meta.RESTScopeNamespace
		}
		m.Add(k.gvk, scope)
	}
	return m
}

func (f *fakeCluster) cluster() checker.Cluster {
	return checker.Cluster{Typed: f.typed, Dynamic: f.dyn, Mapper: mapper(), Exec: f.exec, Host: f.host}
}

func (f *fakeCluster) checker(opts checker.Options) *checker.Checker {
	return checker.New(f.cluster(), opts)
}

// countDynamic counts the dynamic client's calls of verb on resource.
func (f *fakeCluster) countDynamic(verb, resource string) *atomic.Int32 {
	var n atomic.Int32
	f.dyn.PrependReactor(verb, resource, func(k8stesting.Action) (bool, runtime.Object, error) {
		n.Add(1)
		return false, nil, nil
	})
	return &n
}

// fakeExec is a kube.Execer that answers from a table and records calls.
type fakeExec struct {
	mu     sync.Mutex
	result kube.ExecResult
	err    error
	// script, when set, answers the calls in turn; its last answer repeats.
	script []kube.ExecResult
	calls  []execCall
}

type execCall struct {
	namespace, pod, container string
	command                   []string
}

func (e *fakeExec) Exec(_ context.Context, namespace, pod, container string, command []string) (kube.ExecResult, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls = append(e.calls, execCall{namespace, pod, container, command})
	if len(e.script) > 0 {
		r := e.script[0]
		if len(e.script) > 1 {
			e.script = e.script[1:]
		}
		return r, nil
	}
	return e.result, e.err
}

func (e *fakeExec) called() []execCall {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]execCall(nil), e.calls...)
}

// lesson is a lesson owning ns, with the given exercises.
func lesson(exercises ...*lessons.Exercise) *lessons.Lesson {
	for i, e := range exercises {
		e.Index = i + 1
	}
	return &lessons.Lesson{ID: "lesson-99", Number: 99, Slug: "test", Spec: &lessons.Spec{Namespaces: []string{ns}, Exercises: exercises}}
}

// check parses a check as a lesson author writes it.
func check(t *testing.T, src string) *lessons.Check {
	t.Helper()
	c := &lessons.Check{}
	if err := yaml.Unmarshal([]byte(src), c); err != nil {
		t.Fatalf("test setup: check %q: %v", src, err)
	}
	return c
}

// runOnce evaluates a check a single time.
func runOnce(t *testing.T, f *fakeCluster, c *lessons.Check) checker.CheckResult {
	t.Helper()
	return f.checker(checker.Options{Once: true}).Check(context.Background(), lesson(), c)
}

// assertResult checks a result's status and that its message holds every fact.
func assertResult(t *testing.T, r checker.CheckResult, status checker.Status, facts ...string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("got status %s (%q), want %s", r.Status, r.Message, status)
	}
	for _, f := range facts {
		if !strings.Contains(r.Message, f) {
			t.Errorf("got message %q, want it to contain %q", r.Message, f)
		}
	}
}

func assertNotContains(t *testing.T, r checker.CheckResult, secrets ...string) {
	t.Helper()
	all := r.Message + "\n" + strings.Join(r.Evidence, "\n")
	for _, s := range secrets {
		if strings.Contains(all, s) {
			t.Errorf("got verdict %q, want no %q in it", all, s)
		}
	}
}

// Objects, built the way the API server would return them.

func meta0(name string, labels map[string]string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels}
}

func metaNoNS(name string) metav1.ObjectMeta { return metav1.ObjectMeta{Name: name} }

func pod(name string, labels map[string]string, phase corev1.PodPhase, containers ...corev1.Container) *corev1.Pod {
	if len(containers) == 0 {
		containers = []corev1.Container{{Name: "web", Image: "nginx:1.27"}}
	}
	p := &corev1.Pod{ObjectMeta: meta0(name, labels), Spec: corev1.PodSpec{Containers: containers}, Status: corev1.PodStatus{Phase: phase}}
	if phase == corev1.PodRunning {
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}
		for _, c := range containers {
			p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, corev1.ContainerStatus{Name: c.Name, Ready: true,
				State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}})
		}
	}
	return p
}

func inNamespace[T metav1.Object](o T, namespace string) T {
	o.SetNamespace(namespace)
	return o
}

func deployment(name string, replicas int32, image string) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: meta0(name, map[string]string{"app": name}),
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: image}}},
			},
		},
	}
}

func configMap(name string, data map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: meta0(name, nil), Data: data}
}

func service(name string, typ corev1.ServiceType, selector map[string]string, ports ...corev1.ServicePort) *corev1.Service {
	return &corev1.Service{ObjectMeta: meta0(name, nil), Spec: corev1.ServiceSpec{Type: typ, Selector: selector, Ports: ports}}
}

func labels(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("test setup: %v", err))
	}
	return v
}

var metaNow = metav1.Now()
