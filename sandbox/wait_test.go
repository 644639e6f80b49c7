package sandbox

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynfake "k8s.io/client-go/dynamic/fake"
	kfake "k8s.io/client-go/kubernetes/fake"

	"github.com/kworkbook/kworkbook/internal/kube"
)

type resettable struct{ meta.RESTMapper }

func (resettable) Reset() {}

// dynamicEnv is an Env whose dynamic client holds objs (JSON objects).
func dynamicEnv(t *testing.T, objs ...string) *Env {
	t.Helper()
	m := meta.NewDefaultRESTMapper(nil)
	m.Add(schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, meta.RESTScopeNamespace)
	m.Add(schema.GroupVersionKind{Version: "v1", Kind: "Pod"}, meta.RESTScopeNamespace)
	var rs []runtime.Object
	for _, o := range objs {
		rs = append(rs, obj(t, o))
	}
	typed := kfake.NewSimpleClientset()
	c := &kube.Clients{
		Typed:     typed,
		Dynamic:   dynfake.NewSimpleDynamicClient(runtime.NewScheme(), rs...),
		Discovery: cachedDiscovery{typed.Discovery()},
		Mapper:    resettable{m},
	}
	e := NewEnv(Target{Context: "test"}, c, nil)
	e.WaitTimeout = 300 * time.Millisecond
	return e
}

func TestWaitReady(t *testing.T) {
	ready := `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"kw-a","generation":1},"spec":{"replicas":1},"status":{"observedGeneration":1,"readyReplicas":1,"updatedReplicas":1,"replicas":1}}`
	if err := dynamicEnv(t, ready).WaitReady(context.Background(), "kw-a", "deployment", "web"); err != nil {
		t.Errorf("got %v, want a ready Deployment accepted at once", err)
	}

	pending := `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"kw-a"},"status":{"phase":"Pending"}}`
	err := dynamicEnv(t, pending).WaitReady(context.Background(), "kw-a", "Pod", "web")
	if !errors.Is(err, ErrStep) || !strings.Contains(err.Error(), "phase Pending") || !strings.Contains(err.Error(), "web in kw-a") {
		t.Errorf("got %v, want ErrStep saying what it last saw", err)
	}

	err = dynamicEnv(t).WaitReady(context.Background(), "kw-a", "Pod", "web")
	if !errors.Is(err, ErrStep) || !strings.Contains(err.Error(), "not found") {
		t.Errorf("got %v, want ErrStep saying the pod was not found", err)
	}

	if err := dynamicEnv(t).WaitReady(context.Background(), "kw-a", "Widget", "w"); err == nil {
		t.Error("got no error for a kind the cluster does not serve, want one")
	}
}

func TestReadInfo(t *testing.T) {
	cm := func(data string) *corev1.ConfigMap {
		return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: infoName, Namespace: SystemNamespace}, Data: map[string]string{"info.json": data}}
	}
	tests := []struct {
		name  string
		objs  []runtime.Object
		found bool
		err   bool
	}{
		{"a cluster kworkbook did not set up", nil, false, false},
		{"the record", []runtime.Object{cm(`{"nodePorts":{"30080":30080},"ingressURL":"http://127.0.0.1:8080","nodeIPsReachable":true,"addons":["ingress (traefik)"]}`)}, true, false},
		{"an unreadable record", []runtime.Object{cm(`{not json`)}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &kube.Clients{Typed: kfake.NewSimpleClientset(tt.objs...)}
			info, found, err := ReadInfo(context.Background(), c)
			if found != tt.found || (err != nil) != tt.err {
				t.Fatalf("got %+v, %v, %v; want found %v, error %v", info, found, err, tt.found, tt.err)
			}
			if err != nil && !strings.Contains(err.Error(), "kworkbook sandbox up") {
				t.Errorf("got %q, want advice", err)
			}
			if found && (info.NodePorts[30080] != 30080 || info.IngressURL != "http://127.0.0.1:8080" || !info.NodeIPsReachable || !Provides(info, "ingress")) {
				t.Errorf("got %+v, want the record's facts", info)
			}
		})
	}
}

func TestWaitNodesReady(t *testing.T) {
	node := func(status corev1.ConditionStatus) *corev1.Node {
		return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}, Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: status}}}}
	}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: "default"}}
	tests := []struct {
		name string
		objs []runtime.Object
		says string
	}{
		{"ready", []runtime.Object{node(corev1.ConditionTrue), sa}, ""},
		{"no nodes", nil, "0 of 0 nodes not Ready"},
		{"a node not ready", []runtime.Object{node(corev1.ConditionFalse), sa}, "1 of 1 nodes not Ready"},
		{"no default service account yet", []runtime.Object{node(corev1.ConditionTrue)}, "default ServiceAccount"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &kube.Clients{Typed: kfake.NewSimpleClientset(tt.objs...)}
			err := WaitNodesReady(context.Background(), c, 200*time.Millisecond)
			if tt.says == "" {
				if err != nil {
					t.Errorf("got %v, want ready", err)
				}
				return
			}
			if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("got %v, want ErrUnreachable saying %q", err, tt.says)
			}
		})
	}
}
