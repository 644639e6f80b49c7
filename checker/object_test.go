package checker_test

import (
	"context"
	"errors"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kworkbook/kworkbook/checker"
)

func withSidecar() *corev1.Pod {
	return pod("web", labels("app", "web"), corev1.PodRunning,
		corev1.Container{Name: "log", Image: "busybox:1.37"},
		corev1.Container{Name: "web", Image: "nginx:1.27", Ports: []corev1.ContainerPort{{ContainerPort: 80}}})
}

func withResources(cpu, memory string) *corev1.Pod {
	p := pod("web", nil, corev1.PodRunning)
	p.Spec.Containers[0].Resources.Limits = corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(memory),
	}
	return p
}

// TestObjectChecks evaluates object assertions once against a fake cluster:
// matching, selection, absent, count and CEL, with what the verdict says.
func TestObjectChecks(t *testing.T) {
	running := func(name string, l map[string]string) *corev1.Pod { return pod(name, l, corev1.PodRunning) }
	pending := func(name string, l map[string]string) *corev1.Pod { return pod(name, l, corev1.PodPending) }
	tests := []struct {
		name   string
		objs   []runtime.Object
		check  string
		status checker.Status
		facts  []string
	}{
		// selection by name
		{"named object exists", []runtime.Object{running("web", nil)},
			"kind: Pod\nname: web", checker.Pass, []string{"Pod web", "Running"}},
		{"named object missing", nil,
			"kind: Pod\nname: web", checker.Fail, []string{`there is no Pod "web" in namespace kw-test`}},
		{"named object in another namespace", []runtime.Object{inNamespace(running("web", nil), "default"), running("other", nil)},
			"kind: Pod\nname: web", checker.Fail, []string{`there is no Pod "web" in namespace kw-test`, "there is one in namespace default", "-n kw-test"}},
		{"check namespace", []runtime.Object{inNamespace(running("web", nil), "kw-other")},
			"kind: Pod\nname: web\nnamespace: kw-other", checker.Pass, nil},
		{"cluster-scoped kind ignores the namespace", []runtime.Object{&corev1.Node{ObjectMeta: metaNoNS("node-1")}},
			"kind: Node\nname: node-1", checker.Pass, nil},
		{"apiVersion given", []runtime.Object{deployment("web", 3, "nginx:1.27")},
			"kind: Deployment\napiVersion: apps/v1\nname: web", checker.Pass, nil},

		// match: maps, lists, null
		{"partial map match", []runtime.Object{running("web", labels("app", "web", "tier", "front"))},
			"kind: Pod\nname: web\nmatch: {metadata: {labels: {app: web}}, status: {phase: Running}}", checker.Pass, nil},
		{"map value differs", []runtime.Object{pending("web", nil)},
			"kind: Pod\nname: web\nmatch: {status: {phase: Running}}", checker.Fail, []string{"status.phase", `"Pending"`, `"Running"`}},
		{"map key missing", []runtime.Object{running("web", nil)},
			"kind: Pod\nname: web\nmatch: {metadata: {labels: {app: web}}}", checker.Fail, []string{"metadata.labels is not set", "app"}},
		{"null means absent: absent", []runtime.Object{running("web", nil)},
			"kind: Pod\nname: web\nmatch: {spec: {nodeSelector: null}}", checker.Pass, nil},
		{"null means absent: present", []runtime.Object{func() runtime.Object {
			p := running("web", nil)
			p.Spec.NodeSelector = labels("disk", "ssd")
			return p
		}()},
			"kind: Pod\nname: web\nmatch: {spec: {nodeSelector: ~}}", checker.Fail, []string{"spec.nodeSelector", "ssd", "expected it to be absent"}},
		{"list item in any order with extra items", []runtime.Object{withSidecar()},
			"kind: Pod\nname: web\nmatch: {spec: {containers: [{image: nginx:1.27, ports: [{containerPort: 80}]}]}}", checker.Pass, nil},
		{"list item differs, explained by name", []runtime.Object{withSidecar()},
			"kind: Pod\nname: web\nmatch: {spec: {containers: [{name: web, image: nginx:1.28}]}}", checker.Fail,
			[]string{"spec.containers[name=web].image", `"nginx:1.27"`, `"nginx:1.28"`}},
		{"list item missing", []runtime.Object{withSidecar()},
			"kind: Pod\nname: web\nmatch: {spec: {containers: [{image: redis:7}]}}", checker.Fail, []string{"spec.containers has no item matching", "redis:7"}},
		{"each listed item needs its own", []runtime.Object{running("web", nil)},
			"kind: Pod\nname: web\nmatch: {spec: {containers: [{image: nginx:1.27}, {name: web}]}}", checker.Fail, []string{"spec.containers"}},

		// numbers and quantities
		{"int matches int", []runtime.Object{deployment("web", 3, "nginx:1.27")},
			"kind: Deployment\nname: web\nmatch: {spec: {replicas: 3}}", checker.Pass, nil},
		{"float matches int", []runtime.Object{deployment("web", 3, "nginx:1.27")},
			"kind: Deployment\nname: web\nmatch: {spec: {replicas: 3.0}}", checker.Pass, nil},
		{"number differs", []runtime.Object{deployment("web", 2, "nginx:1.27")},
			"kind: Deployment\nname: web\nmatch: {spec: {replicas: 3}}", checker.Fail, []string{"spec.replicas is 2; expected 3", "Deployment web"}},
		{"a string is not a number", []runtime.Object{deployment("web", 3, "nginx:1.27")},
			"kind: Deployment\nname: web\nmatch: {spec: {replicas: \"three\"}}", checker.Fail, []string{"spec.replicas"}},
		{"1Gi matches 1024Mi", []runtime.Object{withResources("500m", "1024Mi")},
			"kind: Pod\nname: web\nmatch: {spec: {containers: [{resources: {limits: {memory: 1Gi}}}]}}", checker.Pass, nil},
		{"0.5 matches 500m", []runtime.Object{withResources("500m", "1Gi")},
			"kind: Pod\nname: web\nmatch: {spec: {containers: [{resources: {limits: {cpu: 0.5}}}]}}", checker.Pass, nil},
		{"\"0.5\" matches 500m", []runtime.Object{withResources("500m", "1Gi")},
			"kind: Pod\nname: web\nmatch: {spec: {containers: [{resources: {limits: {cpu: \"0.5\"}}}]}}", checker.Pass, nil},
		{"1 matches 1000m", []runtime.Object{withResources("1000m", "1Gi")},
			"kind: Pod\nname: web\nmatch: {spec: {containers: [{resources: {limits: {cpu: 1}}}]}}", checker.Pass, nil},
		{"quantity differs", []runtime.Object{withResources("600m", "1Gi")},
			"kind: Pod\nname: web\nmatch: {spec: {containers: [{resources: {limits: {cpu: 0.5}}}]}}", checker.Fail, []string{"spec.containers[0].resources.limits.cpu", `"600m"`, "0.5"}},

		// selection by selector and of all
		{"selector: all match", []runtime.Object{running("a", labels("app", "web")), running("b", labels("app", "web")), pending("c", labels("app", "db"))},
			"kind: Pod\nselector: app=web\nmatch: {status: {phase: Running}}", checker.Pass, []string{"2 Pods with labels app=web in namespace kw-test match"}},
		{"selector: one does not match", []runtime.Object{running("a", labels("app", "web")), pending("b", labels("app", "web"))},
			"kind: Pod\nselector: app=web\nmatch: {status: {phase: Running}}", checker.Fail, []string{"1 of 2 Pods with labels app=web in namespace kw-test do not match", "Pod b", "status.phase"}},
		{"selector: nothing selected", []runtime.Object{running("a", labels("app", "db"))},
			"kind: Pod\nselector: app=web", checker.Fail, []string{"there are no Pods with labels app=web in namespace kw-test"}},
		{"selector with set syntax", []runtime.Object{running("a", labels("app", "web")), running("b", labels("app", "api"))},
			"kind: Pod\nselector: app in (web, api)\ncount: 2", checker.Pass, nil},
		{"all of a kind", []runtime.Object{configMap("a", labels("k", "v")), configMap("b", labels("k", "v")), inNamespace(configMap("c", nil), "default")},
			"kind: ConfigMap\nmatch: {data: {k: v}}", checker.Pass, []string{"2 ConfigMaps in namespace kw-test match"}},
		{"all of a kind, one differs", []runtime.Object{configMap("a", labels("k", "v")), configMap("b", labels("k", "w"))},
			"kind: ConfigMap\nmatch: {data: {k: v}}", checker.Fail, []string{"1 of 2 ConfigMaps", "ConfigMap b: data.k is \"w\"; expected \"v\""}},

		// absent
		{"absent: nothing there", []runtime.Object{inNamespace(running("old-web", nil), "default")},
			"kind: Pod\nname: old-web\nabsent: true", checker.Pass, []string{`there is no Pod "old-web" in namespace kw-test`}},
		{"absent: still there", []runtime.Object{running("old-web", nil)},
			"kind: Pod\nname: old-web\nabsent: true", checker.Fail, []string{`Pod "old-web" in namespace kw-test still exists`, "Running"}},
		{"absent by selector", []runtime.Object{running("a", labels("app", "db"))},
			"kind: Pod\nselector: app=web\nabsent: true", checker.Pass, []string{"there are no Pods with labels app=web in namespace kw-test"}},

		// count
		{"count >= met", []runtime.Object{running("a", labels("app", "web")), running("b", labels("app", "web")), pending("c", labels("app", "web"))},
			"kind: Pod\nselector: app=web\nmatch: {status: {phase: Running}}\ncount: \">= 2\"", checker.Pass, []string{"2 matching Pods"}},
		{"count >= not met", []runtime.Object{running("a", labels("app", "web")), pending("b", labels("app", "web"))},
			"kind: Pod\nselector: app=web\nmatch: {status: {phase: Running}}\ncount: \">= 2\"", checker.Fail,
			[]string{"found 1 matching Pods with labels app=web in namespace kw-test; expected at least 2", "Pod b", "status.phase"}},
		{"count < met", []runtime.Object{running("a", labels("app", "web"))},
			"kind: Pod\nselector: app=web\ncount: \"< 2\"", checker.Pass, nil},
		{"count < not met", []runtime.Object{running("a", labels("app", "web")), running("b", labels("app", "web"))},
			"kind: Pod\nselector: app=web\ncount: \"< 2\"", checker.Fail, []string{"found 2 matching", "expected fewer than 2"}},
		{"count == 0 with nothing", nil,
			"kind: Pod\nselector: app=web\ncount: 0", checker.Pass, nil},
		{"count == 3", []runtime.Object{running("a", labels("app", "web")), running("b", labels("app", "web"))},
			"kind: Pod\nselector: app=web\ncount: 3", checker.Fail, []string{"found 2 matching", "expected exactly 3"}},

		// CEL
		{"expr true", []runtime.Object{deployment("web", 3, "nginx:1.27")},
			"kind: Deployment\nname: web\nexpr: object.spec.replicas >= 3", checker.Pass, nil},
		{"expr false", []runtime.Object{deployment("web", 2, "nginx:1.27")},
			"kind: Deployment\nname: web\nexpr: object.spec.replicas >= 3", checker.Fail, []string{"Deployment web", "object.spec.replicas >= 3 is not true"}},
		{"expr reads a missing field", []runtime.Object{deployment("web", 3, "nginx:1.27")},
			"kind: Deployment\nname: web\nexpr: object.status.readyReplicas >= 3", checker.Fail, []string{"object.status.readyReplicas >= 3 is not true", "is not set yet"}},
		{"expr guarded with has()", []runtime.Object{deployment("web", 3, "nginx:1.27")},
			"kind: Deployment\nname: web\nexpr: \"!has(object.status.readyReplicas)\"", checker.Pass, nil},
		{"expr with the string extension", []runtime.Object{deployment("web", 3, "nginx:1.27")},
			"kind: Deployment\nname: web\nexpr: object.spec.template.spec.containers[0].image.startsWith('nginx:')", checker.Pass, nil},
		{"expr over objects", []runtime.Object{running("a", labels("app", "web")), running("b", labels("app", "web"))},
			"kind: Pod\nselector: app=web\nexpr: objects.size() == 2 && objects.all(o, o.status.phase == 'Running')", checker.Pass, nil},
		{"expr with with:", []runtime.Object{service("web", corev1.ServiceTypeClusterIP, labels("run", "web")), running("web", labels("run", "web"))},
			"kind: Service\nname: web\nwith: {pods: {kind: Pod, name: web}}\nexpr: pods.size() == 1 && object.spec.selector.all(k, pods[0].metadata.labels[k] == object.spec.selector[k])",
			checker.Pass, nil},
		{"expr with with: selecting nothing", []runtime.Object{service("web", corev1.ServiceTypeClusterIP, labels("run", "web"))},
			"kind: Service\nname: web\nwith: {pods: {kind: Pod, selector: run=web}}\nexpr: pods.size() == 1", checker.Fail, []string{"pods.size() == 1 is not true"}},
		{"match and expr together", []runtime.Object{deployment("web", 3, "nginx:1.27")},
			"kind: Deployment\nname: web\nmatch: {spec: {replicas: 3}}\nexpr: object.metadata.name == 'web'", checker.Pass, nil},

		// the author's message, with what was seen
		{"author message", []runtime.Object{pending("web", nil)},
			"kind: Pod\nname: web\nmatch: {status: {phase: Running}}\nmessage: pod web must be running", checker.Fail,
			[]string{"pod web must be running (seen: Pod web: Pending)"}},
		{"author message when missing", nil,
			"kind: Pod\nname: web\nmessage: make pod web", checker.Fail, []string{"make pod web (seen: there is no Pod \"web\" in namespace kw-test)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeCluster(t, tt.objs...)
			r := runOnce(t, f, check(t, tt.check))
			assertResult(t, r, tt.status, tt.facts...)
			if r.Err != nil {
				t.Errorf("got error %v, want none: the learner's work is judged, the cluster answered", r.Err)
			}
		})
	}
}

// TestSecretValuesHidden: a verdict never shows what a Secret holds, what
// the check expected of it, or what the learner put in it.
func TestSecretValuesHidden(t *testing.T) {
	secret := &corev1.Secret{ObjectMeta: meta0("db", nil), Type: corev1.SecretTypeOpaque,
		Data: map[string][]byte{"password": []byte("hunter2-learner")}}
	const stored = "aHVudGVyMi1sZWFybmVy" // base64 of the learner's value, as the API returns it
	tests := []struct {
		name  string
		check string
		facts []string
	}{
		{"value differs", "kind: Secret\nname: db\nmatch: {data: {password: Y29ycmVjdC1ob3JzZQ==}}", []string{"data.password", "(hidden)", "Secret db"}},
		{"key missing", "kind: Secret\nname: db\nmatch: {data: {token: Y29ycmVjdC1ob3JzZQ==}}", []string{"data.token is not set", "(hidden)"}},
		{"with the author's message", "kind: Secret\nname: db\nmatch: {data: {password: Y29ycmVjdC1ob3JzZQ==}}\nmessage: the password must be correct-horse",
			[]string{"the password must be correct-horse", "keys password (values hidden)"}},
		{"count", "kind: Secret\nmatch: {data: {password: Y29ycmVjdC1ob3JzZQ==}}\ncount: 1", []string{"found 0 matching Secrets", "(hidden)"}},
		{"absent", "kind: Secret\nname: db\nabsent: true", []string{`Secret "db" in namespace kw-test still exists`, "values hidden"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeCluster(t, secret)
			r := runOnce(t, f, check(t, tt.check))
			assertResult(t, r, checker.Fail, tt.facts...)
			assertNotContains(t, r, stored, "Y29ycmVjdC1ob3JzZQ==", "hunter2")
		})
	}
	t.Run("metadata is shown", func(t *testing.T) {
		f := newFakeCluster(t, secret)
		r := runOnce(t, f, check(t, "kind: Secret\nname: db\nmatch: {metadata: {labels: {app: db}}}"))
		assertResult(t, r, checker.Fail, "metadata.labels is not set; expected {\"app\":\"db\"}")
	})
}

func TestObjectCheckErrors(t *testing.T) {
	tests := []struct {
		name    string
		check   string
		reactor func(f *fakeCluster)
		facts   []string
	}{
		{"unknown kind", "kind: Widget\nname: w", nil, []string{"does not serve the kind Widget"}},
		{"unknown kind in with:", "kind: Pod\nname: web\nwith: {ws: {kind: Widget}}\nexpr: ws.size() == 0", nil, []string{"Widget"}},
		{"unknown apiVersion", "kind: Deployment\napiVersion: apps/v2\nname: web", nil, []string{"Deployment"}},
		{"malformed apiVersion", "kind: Deployment\napiVersion: a/b/c\nname: web", nil, nil},
		{"expr that does not compile", "kind: Pod\nname: web\nexpr: object.spec.(", nil, nil},
		{"access denied", "kind: Pod\nname: web", func(f *fakeCluster) {
			f.dyn.PrependReactor("get", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
				return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "web", errors.New("rbac says no"))
			})
		}, []string{"access denied reading Pod"}},
		{"the API server fails", "kind: Pod\nselector: app=web", func(f *fakeCluster) {
			f.dyn.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
				return true, nil, apierrors.NewInternalError(errors.New("etcd is gone"))
			})
		}, []string{"etcd is gone", "kworkbook sandbox status"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeCluster(t, pod("web", nil, corev1.PodRunning))
			if tt.reactor != nil {
				tt.reactor(f)
			}
			gets := f.countDynamic("*", "*")
			// Not Once: an infrastructure error must stop polling by itself.
			r := f.checker(checker.Options{Interval: 1}).Check(context.Background(), lesson(), check(t, tt.check))
			assertResult(t, r, checker.Error, tt.facts...)
			if !errors.Is(r.Err, checker.ErrInfrastructure) {
				t.Errorf("got error %v, want one wrapping ErrInfrastructure", r.Err)
			}
			if n := gets.Load(); n > 2 {
				t.Errorf("got %d calls, want the check to stop at the first error", n)
			}
		})
	}
}
