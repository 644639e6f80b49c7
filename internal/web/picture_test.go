package web

import (
	"context"
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	kfake "k8s.io/client-go/kubernetes/fake"

	"github.com/kworkbook/kworkbook/internal/locale"
	"github.com/kworkbook/kworkbook/lessons"
)

func ptr[T any](v T) *T { return &v }

func node(name string, ready bool, labels map[string]string) *corev1.Node {
	st := corev1.ConditionTrue
	if !ready {
		st = corev1.ConditionFalse
	}
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: st}}}}
}

func pod(ns, name, nodeName, owner string, ownerUID types.UID, labels map[string]string, ready bool, waiting string, restarts int32) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: labels},
		Spec:       corev1.PodSpec{NodeName: nodeName, Containers: []corev1.Container{{Name: "c", Image: "nginx:1.27"}}},
		Status:     corev1.PodStatus{Phase: corev1.PodRunning},
	}
	if owner != "" {
		p.OwnerReferences = []metav1.OwnerReference{{Kind: "ReplicaSet", Name: owner, UID: ownerUID, Controller: ptr(true)}}
	}
	cs := corev1.ContainerStatus{Name: "c", Ready: ready, RestartCount: restarts, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}
	if waiting != "" {
		p.Status.Phase = corev1.PodPending
		cs.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: waiting}}
	}
	p.Status.ContainerStatuses = []corev1.ContainerStatus{cs}
	if nodeName == "" {
		p.Status.Phase = corev1.PodPending
		p.Status.ContainerStatuses = nil
	}
	return p
}

// pictureObjects is a small lesson's worth of cluster: three nodes, a
// Deployment with two versions, a Service that works and one whose
// selector matches nothing, an Ingress, claims and volumes, and objects of
// another namespace that must not show.
func pictureObjects() []runtime.Object {
	web := map[string]string{"app": "web"}
	return []runtime.Object{
		node("cp", true, map[string]string{"node-role.kubernetes.io/control-plane": ""}),
		node("w1", true, nil),
		node("w2", false, nil),
		&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "kw-a", Name: "web", UID: "d1"},
			Spec: appsv1.DeploymentSpec{Replicas: ptr(int32(3))}, Status: appsv1.DeploymentStatus{ReadyReplicas: 2}},
		&appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Namespace: "kw-a", Name: "web-new", UID: "r2",
			Annotations:     map[string]string{"deployment.kubernetes.io/revision": "2"},
			OwnerReferences: []metav1.OwnerReference{{Kind: "Deployment", Name: "web", UID: "d1", Controller: ptr(true)}}},
			Spec:   appsv1.ReplicaSetSpec{Replicas: ptr(int32(3)), Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Image: "nginx:1.27"}}}}},
			Status: appsv1.ReplicaSetStatus{ReadyReplicas: 2}},
		&appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Namespace: "kw-a", Name: "web-old", UID: "r1",
			Annotations:     map[string]string{"deployment.kubernetes.io/revision": "1"},
			OwnerReferences: []metav1.OwnerReference{{Kind: "Deployment", Name: "web", UID: "d1", Controller: ptr(true)}}},
			Spec: appsv1.ReplicaSetSpec{Replicas: ptr(int32(0))}},
		pod("kw-a", "web-new-aaaaa", "w1", "web-new", "r2", web, true, "", 0),
		pod("kw-a", "web-new-bbbbb", "w2", "web-new", "r2", web, true, "", 2),
		pod("kw-a", "web-new-ccccc", "w1", "web-new", "r2", web, false, "ImagePullBackOff", 0),
		pod("kw-a", "lonely", "", "", "", nil, false, "", 0),
		pod("other", "elsewhere", "w1", "", "", web, true, "", 0),
		&corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "kw-a", Name: "web"},
			Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP, Selector: web, Ports: []corev1.ServicePort{{Port: 80, Protocol: corev1.ProtocolTCP}}}},
		&corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "kw-a", Name: "typo"},
			Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Selector: map[string]string{"app": "wbe"},
				Ports: []corev1.ServicePort{{Port: 80, NodePort: 30080, Protocol: corev1.ProtocolTCP}}}},
		&discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Namespace: "kw-a", Name: "web-x", Labels: map[string]string{discoveryv1.LabelServiceName: "web"}},
			Endpoints: []discoveryv1.Endpoint{
				{TargetRef: &corev1.ObjectReference{Kind: "Pod", Name: "web-new-aaaaa"}, Conditions: discoveryv1.EndpointConditions{Ready: ptr(true)}},
				{TargetRef: &corev1.ObjectReference{Kind: "Pod", Name: "web-new-ccccc"}, Conditions: discoveryv1.EndpointConditions{Ready: ptr(false)}},
			}},
		&networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Namespace: "kw-a", Name: "front"},
			Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{Host: "web.kworkbook.test", IngressRuleValue: networkingv1.IngressRuleValue{
				HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{
					{Path: "/", Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "web", Port: networkingv1.ServiceBackendPort{Number: 80}}}},
					{Path: "/api", Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "api", Port: networkingv1.ServiceBackendPort{Name: "http"}}}},
				}}}}}}},
		&corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Namespace: "kw-a", Name: "data"},
			Spec: corev1.PersistentVolumeClaimSpec{VolumeName: "pv-data", AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}},
			Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimBound}},
		&corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Namespace: "kw-a", Name: "waiting"},
			Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimPending}},
		&corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: "pv-data"},
			Spec: corev1.PersistentVolumeSpec{Capacity: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")},
				AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}, PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain,
				ClaimRef: &corev1.ObjectReference{Namespace: "kw-a", Name: "data"}},
			Status: corev1.PersistentVolumeStatus{Phase: corev1.VolumeBound}},
		&corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: "pv-other"},
			Spec:   corev1.PersistentVolumeSpec{ClaimRef: &corev1.ObjectReference{Namespace: "other", Name: "x"}},
			Status: corev1.PersistentVolumeStatus{Phase: corev1.VolumeReleased}},
		&corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: "pv-free"}, Status: corev1.PersistentVolumeStatus{Phase: corev1.VolumeAvailable}},
	}
}

func TestSnapshot(t *testing.T) {
	c := kfake.NewSimpleClientset(pictureObjects()...)
	pic, err := Snapshot(context.Background(), c, Scope{Namespaces: []string{"kw-a"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(pic.Nodes) != 3 || pic.Nodes[0].Name != "cp" || !pic.Nodes[0].ControlPlane || pic.Nodes[2].Ready {
		t.Fatalf("got nodes %+v", pic.Nodes)
	}
	if n := pic.Nodes[1]; n.Name != "w1" || len(n.Pods) != 2 || n.Pods[0].Name != "web-new-aaaaa" || n.Pods[0].Health != "ok" ||
		n.Pods[1].Status != "ImagePullBackOff" || n.Pods[1].Health != "bad" {
		t.Errorf("got w1 %+v, want the lesson's two pods there (not other's)", n)
	}
	if p := pic.Nodes[2].Pods[0]; p.Restarts != 2 || p.Ready != 1 || p.Containers != 1 {
		t.Errorf("got %+v, want 2 restarts and 1/1 ready", p)
	}
	if len(pic.Unscheduled) != 1 || pic.Unscheduled[0].Name != "lonely" || pic.Unscheduled[0].Health != "wait" {
		t.Errorf("got unscheduled %+v", pic.Unscheduled)
	}
	if len(pic.Deployments) != 1 {
		t.Fatalf("got deployments %+v", pic.Deployments)
	}
	d := pic.Deployments[0]
	if d.Desired != 3 || d.Ready != 2 || len(d.ReplicaSets) != 2 || d.ReplicaSets[0].Name != "web-new" || len(d.ReplicaSets[0].Pods) != 3 ||
		d.ReplicaSets[1].Name != "web-old" || d.ReplicaSets[1].Desired != 0 {
		t.Errorf("got %+v, want web → web-new (3 pods), web-old (0)", d)
	}
	if len(pic.Loose) != 1 || pic.Loose[0].Name != "lonely" {
		t.Errorf("got loose pods %+v", pic.Loose)
	}
	if len(pic.Services) != 2 {
		t.Fatalf("got services %+v", pic.Services)
	}
	typo, web := pic.Services[0], pic.Services[1]
	if !typo.Broken || typo.Selector != "app=wbe" || typo.Ports != "80:30080/TCP" {
		t.Errorf("got %+v, want typo broken", typo)
	}
	if web.Broken || web.Selected != 3 || len(web.Pods) != 2 || web.Pods[0].Name != "web-new-aaaaa" || len(web.NotReady) != 1 {
		t.Errorf("got %+v, want web → its two endpoints, one not ready", web)
	}
	if in := pic.Ingresses; len(in) != 1 || len(in[0].Rules) != 2 || in[0].Rules[0].Missing || !in[0].Rules[1].Missing || in[0].Rules[1].Port != "http" {
		t.Errorf("got ingresses %+v, want / → web, /api → a missing api", in)
	}
	if cl := pic.Claims; len(cl) != 2 || cl[0].Volume == nil || cl[0].Volume.Name != "pv-data" || cl[0].Modes != "RWO" || cl[0].Request != "1Gi" || cl[1].Volume != nil {
		t.Errorf("got claims %+v", cl)
	}
	if len(pic.Volumes) != 0 {
		t.Errorf("got volumes %+v, want none: the free one and another lesson's are not this lesson's", pic.Volumes)
	}
	// A lesson about volumes shows the free ones and those it names.
	pic, _ = Snapshot(context.Background(), c, Scope{Namespaces: []string{"kw-a"}, Volumes: []string{"pv-other"}, FreeVolumes: true})
	if v := pic.Volumes; len(v) != 2 || v[0].Name != "pv-free" || v[1].Name != "pv-other" {
		t.Errorf("got volumes %+v, want pv-free and pv-other", v)
	}
	// Two snapshots of the same cluster are equal (no redraw for nothing).
	again, _ := Snapshot(context.Background(), c, Scope{Namespaces: []string{"kw-a"}, Volumes: []string{"pv-other"}, FreeVolumes: true})
	if !reflect.DeepEqual(pic, again) {
		t.Error("two snapshots of one cluster differ")
	}
}

func renderPicture(t *testing.T, pic *Picture) string {
	t.Helper()
	p, err := newPages()
	if err != nil {
		t.Fatal(err)
	}
	html, err := p.fragment("picture", pictureView{P: locale.New("en"), Pic: pic, Namespaces: []string{"kw-a"}})
	if err != nil {
		t.Fatal(err)
	}
	return html
}

func TestPictureHTML(t *testing.T) {
	c := kfake.NewSimpleClientset(pictureObjects()...)
	pic, err := Snapshot(context.Background(), c, Scope{Namespaces: []string{"kw-a"}})
	if err != nil {
		t.Fatal(err)
	}
	html := renderPicture(t, pic)
	for _, want := range []string{
		"Namespaces: kw-a",
		`<span class="node-name">w2</span><span class="node-state">NotReady`,
		`<li class="pod bad" title="kw-a/web-new-ccccc: ImagePullBackOff">`,
		"2 restarts",
		"Deployment</span> <b>web</b> <span class=\"count\">2/3 ready",
		"revision 2 · 2/3 ready",
		`<li class="chip ok" title="kw-a/web-new-aaaaa: Running">aaaaa</li>`, // under its ReplicaSet: the pod's own part of the name
		`<li class="link broken"><div class="obj svc"><span class="kind">Service</span> <b>typo</b>`,
		"selects no pod (app=wbe)",
		`<svg class="arrow broken"`,
		"no such Service",
		"PVC</span> <b>data</b>",
		"PV</span> <b>pv-data</b>",
		"not bound",
		"Not scheduled",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the picture lacks %q", want)
		}
	}
	if strings.Contains(html, "elsewhere") || strings.Contains(html, "style=") {
		t.Error("the picture shows another namespace's pod, or inline styles")
	}
	ko, _ := newPages()
	khtml, _ := ko.fragment("picture", pictureView{P: locale.New("ko"), Pic: pic, Namespaces: []string{"kw-a"}})
	if !strings.Contains(khtml, "선택되는 파드 없음(app=wbe)") || !strings.Contains(khtml, "재시작 2회") {
		t.Error("the Korean picture lacks its words")
	}
	// Before the first snapshot, and when the cluster cannot be read.
	if html, _ := ko.fragment("picture", pictureView{P: locale.New("en")}); !strings.Contains(html, "reading the cluster") {
		t.Errorf("got %q before the first picture", html)
	}
	if html, _ := ko.fragment("picture", pictureView{P: locale.New("en"), Err: "forbidden"}); !strings.Contains(html, "could not be read: forbidden") {
		t.Errorf("got %q for an error", html)
	}
}

// TestScopeOf: a lesson about volumes shows the free ones and those it
// names; others show only those claimed from their namespaces.
func TestScopeOf(t *testing.T) {
	l := &lessons.Lesson{Spec: &lessons.Spec{Namespaces: []string{"kw-s"},
		Reset:     lessons.Reset{Delete: []lessons.ObjectRef{{Kind: "PersistentVolume", Name: "kw-pv"}}},
		Exercises: []*lessons.Exercise{{Checks: []*lessons.Check{{Kind: "pv", Name: "kw-pv2"}, {Kind: "Pod", Name: "x"}}}}}}
	s := ScopeOf(l)
	if !s.FreeVolumes || strings.Join(s.Volumes, ",") != "kw-pv,kw-pv2" || s.Namespaces[0] != "kw-s" {
		t.Errorf("got %+v", s)
	}
	l.Spec.Reset.Delete, l.Spec.Exercises = nil, nil
	if s := ScopeOf(l); s.FreeVolumes || len(s.Volumes) != 0 {
		t.Errorf("got %+v for a lesson without volumes", s)
	}
}
