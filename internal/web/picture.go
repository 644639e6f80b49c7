package web

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"

	"github.com/kworkbook/kworkbook/lessons"
)

// Picture is what a lesson's namespaces hold, drawn for the learner:
// nodes as columns with the lesson's pods on them, Deployments with their
// ReplicaSets and pods, Services with the pods they route to, Ingresses
// with their Services, claims with their volumes. It holds no times, so
// that two pictures of an unchanged cluster are equal.
type Picture struct {
	Nodes []Node
	// Unscheduled are the pods no node was chosen for yet.
	Unscheduled []Pod
	Deployments []Deployment
	// Loose are the pods no Deployment manages (bare pods, Jobs,
	// StatefulSets...).
	Loose     []Pod
	Services  []Service
	Ingresses []Ingress
	Claims    []Claim
	// Volumes are PersistentVolumes no claim of the lesson is bound to
	// and that no other namespace claims (Available, Released...).
	Volumes []Volume
}

// Node is one node and the lesson's pods on it.
type Node struct {
	Name          string
	Ready         bool
	Unschedulable bool
	ControlPlane  bool
	Pods          []Pod
}

// Pod is one pod, as kubectl get pods shows it.
type Pod struct {
	Namespace string
	Name      string
	Node      string
	// Status is kubectl's STATUS column: the phase, or why a container
	// waits or ended (ContainerCreating, CrashLoopBackOff...), or Terminating.
	Status     string
	Ready      int
	Containers int
	Restarts   int
	// Health is ok, wait, bad or done: the colour of the pod.
	Health string
	// Owner is "ReplicaSet web-7d8", "Job x" or "".
	Owner string
}

// Deployment is a Deployment and its ReplicaSets.
type Deployment struct {
	Namespace   string
	Name        string
	Desired     int
	Ready       int
	ReplicaSets []ReplicaSet
}

// ReplicaSet is one version of a Deployment's pod template.
type ReplicaSet struct {
	Name     string
	Revision string
	Desired  int
	Ready    int
	Images   string
	Pods     []Pod
}

// Service is a Service and the pods its EndpointSlices point at.
type Service struct {
	Namespace string
	Name      string
	Type      string
	Ports     string
	// Selector is the label selector ("" for a Service without one, whose
	// endpoints someone else writes).
	Selector string
	// Selected counts the pods the selector matches.
	Selected int
	// Pods are the endpoints' pods (ready or not).
	Pods []Pod
	// NotReady are the endpoints' pods that are not ready.
	NotReady []string
	// Broken: a selector that matches no pod.
	Broken bool
}

// Ingress is an Ingress and the Services its rules send to.
type Ingress struct {
	Namespace string
	Name      string
	Class     string
	Rules     []IngressRule
}

// IngressRule is a host and path sent to a Service port.
type IngressRule struct {
	Host    string
	Path    string
	Service string
	Port    string
	// Missing: no such Service in the namespace.
	Missing bool
}

// Claim is a PersistentVolumeClaim and the volume bound to it.
type Claim struct {
	Namespace    string
	Name         string
	Phase        string
	StorageClass string
	Request      string
	Modes        string
	Volume       *Volume
	// VolumeName is the volume the claim names that cannot be read.
	VolumeName string
}

// Volume is a PersistentVolume.
type Volume struct {
	Name     string
	Phase    string
	Capacity string
	Modes    string
	Reclaim  string
	Claim    string
}

// Scope is the part of the cluster a lesson's picture shows.
type Scope struct {
	// Namespaces are the lesson's.
	Namespaces []string
	// Volumes name the PersistentVolumes the lesson makes or checks; the
	// volumes claimed from its namespaces are shown too.
	Volumes []string
	// FreeVolumes shows the volumes nobody claims (a lesson about
	// volumes); otherwise other lessons' leftovers stay out.
	FreeVolumes bool
}

// ScopeOf is the scope of l's picture.
func ScopeOf(l *lessons.Lesson) Scope {
	s := Scope{Namespaces: l.Spec.Namespaces}
	add := func(kind, name string) {
		if lessons.SameKind(kind, "PersistentVolume") {
			s.FreeVolumes = true
			if name != "" {
				s.Volumes = append(s.Volumes, name)
			}
		}
	}
	for _, d := range l.Spec.Reset.Delete {
		add(d.Kind, d.Name)
	}
	for _, e := range l.Spec.Exercises {
		for _, c := range e.Checks {
			add(c.Kind, c.Name)
			for _, w := range c.With {
				add(w.Kind, w.Name)
			}
		}
	}
	return s
}

// Snapshot reads the picture of a scope: one list of each kind in each
// namespace, plus the nodes and the PersistentVolumes. A kind the learner
// may not list, or the cluster does not serve, is left out.
func Snapshot(ctx context.Context, c kubernetes.Interface, scope Scope) (*Picture, error) {
	namespaces := scope.Namespaces
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		first error
	)
	var nodes []corev1.Node
	var pvs []corev1.PersistentVolume
	var pods []corev1.Pod
	var deps []appsv1.Deployment
	var rss []appsv1.ReplicaSet
	var svcs []corev1.Service
	var slices []discoveryv1.EndpointSlice
	var ings []networkingv1.Ingress
	var pvcs []corev1.PersistentVolumeClaim
	list := func(fn func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := fn()
			if err == nil || apierrors.IsForbidden(err) || apierrors.IsNotFound(err) || apierrors.IsMethodNotSupported(err) {
				return
			}
			mu.Lock()
			if first == nil {
				first = err
			}
			mu.Unlock()
		}()
	}
	o := metav1.ListOptions{}
	list(func() error {
		l, err := c.CoreV1().Nodes().List(ctx, o)
		if err == nil {
			mu.Lock()
			nodes = l.Items
			mu.Unlock()
		}
		return err
	})
	list(func() error {
		l, err := c.CoreV1().PersistentVolumes().List(ctx, o)
		if err == nil {
			mu.Lock()
			pvs = l.Items
			mu.Unlock()
		}
		return err
	})
	for _, ns := range namespaces {
		list(func() error {
			l, err := c.CoreV1().Pods(ns).List(ctx, o)
			if err == nil {
				mu.Lock()
				pods = append(pods, l.Items...)
				mu.Unlock()
			}
			return err
		})
		list(func() error {
			l, err := c.AppsV1().Deployments(ns).List(ctx, o)
			if err == nil {
				mu.Lock()
				deps = append(deps, l.Items...)
				mu.Unlock()
			}
			return err
		})
		list(func() error {
			l, err := c.AppsV1().ReplicaSets(ns).List(ctx, o)
			if err == nil {
				mu.Lock()
				rss = append(rss, l.Items...)
				mu.Unlock()
			}
			return err
		})
		list(func() error {
			l, err := c.CoreV1().Services(ns).List(ctx, o)
			if err == nil {
				mu.Lock()
				svcs = append(svcs, l.Items...)
				mu.Unlock()
			}
			return err
		})
		list(func() error {
			l, err := c.DiscoveryV1().EndpointSlices(ns).List(ctx, o)
			if err == nil {
				mu.Lock()
				slices = append(slices, l.Items...)
				mu.Unlock()
			}
			return err
		})
		list(func() error {
			l, err := c.NetworkingV1().Ingresses(ns).List(ctx, o)
			if err == nil {
				mu.Lock()
				ings = append(ings, l.Items...)
				mu.Unlock()
			}
			return err
		})
		list(func() error {
			l, err := c.CoreV1().PersistentVolumeClaims(ns).List(ctx, o)
			if err == nil {
				mu.Lock()
				pvcs = append(pvcs, l.Items...)
				mu.Unlock()
			}
			return err
		})
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	return build(scope, nodes, pvs, pods, deps, rss, svcs, slices, ings, pvcs), nil
}

// build draws the picture from the lists.
func build(scope Scope, nodes []corev1.Node, pvs []corev1.PersistentVolume, pods []corev1.Pod,
	deps []appsv1.Deployment, rss []appsv1.ReplicaSet, svcs []corev1.Service,
	slices []discoveryv1.EndpointSlice, ings []networkingv1.Ingress, pvcs []corev1.PersistentVolumeClaim) *Picture {
	pic := &Picture{}
	byName := func(a, b metav1.Object) bool {
		if a.GetNamespace() != b.GetNamespace() {
			return a.GetNamespace() < b.GetNamespace()
		}
		return a.GetName() < b.GetName()
	}
	sort.Slice(pods, func(i, j int) bool { return byName(&pods[i], &pods[j]) })
	sort.Slice(deps, func(i, j int) bool { return byName(&deps[i], &deps[j]) })
	sort.Slice(rss, func(i, j int) bool { return byName(&rss[i], &rss[j]) })
	sort.Slice(svcs, func(i, j int) bool { return byName(&svcs[i], &svcs[j]) })
	sort.Slice(ings, func(i, j int) bool { return byName(&ings[i], &ings[j]) })
	sort.Slice(pvcs, func(i, j int) bool { return byName(&pvcs[i], &pvcs[j]) })
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].Name < nodes[j].Name })

	// Pods, and the nodes they run on.
	shown := make(map[string]Pod, len(pods)) // namespace/name
	for i := range pods {
		p := podOf(&pods[i])
		shown[p.Namespace+"/"+p.Name] = p
	}
	nodeIndex := map[string]int{}
	for _, n := range nodes {
		nodeIndex[n.Name] = len(pic.Nodes)
		pic.Nodes = append(pic.Nodes, nodeOf(&n))
	}
	for i := range pods {
		p := shown[pods[i].Namespace+"/"+pods[i].Name]
		if p.Node == "" {
			pic.Unscheduled = append(pic.Unscheduled, p)
			continue
		}
		idx, ok := nodeIndex[p.Node]
		if !ok { // nodes cannot be listed: draw the ones pods name
			idx = len(pic.Nodes)
			nodeIndex[p.Node] = idx
			pic.Nodes = append(pic.Nodes, Node{Name: p.Node, Ready: true})
		}
		pic.Nodes[idx].Pods = append(pic.Nodes[idx].Pods, p)
	}

	// Deployments → ReplicaSets → pods.
	owned := map[string]bool{} // pods a drawn ReplicaSet owns
	for _, d := range deps {
		dd := Deployment{Namespace: d.Namespace, Name: d.Name, Desired: int(ptrOr(d.Spec.Replicas, 1)), Ready: int(d.Status.ReadyReplicas)}
		for _, rs := range rss {
			if rs.Namespace != d.Namespace || !ownedBy(rs.OwnerReferences, "Deployment", d.Name, d.UID) {
				continue
			}
			r := ReplicaSet{Name: rs.Name, Revision: rs.Annotations["deployment.kubernetes.io/revision"],
				Desired: int(ptrOr(rs.Spec.Replicas, 1)), Ready: int(rs.Status.ReadyReplicas), Images: images(rs.Spec.Template.Spec.Containers)}
			for _, p := range pods {
				if p.Namespace == rs.Namespace && ownedBy(p.OwnerReferences, "ReplicaSet", rs.Name, rs.UID) {
					r.Pods = append(r.Pods, shown[p.Namespace+"/"+p.Name])
					owned[p.Namespace+"/"+p.Name] = true
				}
			}
			// Old versions stay, scaled to 0: the history a rollback uses.
			dd.ReplicaSets = append(dd.ReplicaSets, r)
		}
		sort.SliceStable(dd.ReplicaSets, func(i, j int) bool {
			return revision(dd.ReplicaSets[i].Revision) > revision(dd.ReplicaSets[j].Revision)
		})
		pic.Deployments = append(pic.Deployments, dd)
	}
	for _, p := range pods {
		if key := p.Namespace + "/" + p.Name; !owned[key] {
			pic.Loose = append(pic.Loose, shown[key])
		}
	}

	// Services → the pods their EndpointSlices point at.
	svcNames := map[string]bool{}
	for _, s := range svcs {
		svcNames[s.Namespace+"/"+s.Name] = true
		ss := Service{Namespace: s.Namespace, Name: s.Name, Type: string(s.Spec.Type), Ports: ports(s.Spec.Ports)}
		if s.Spec.ClusterIP == corev1.ClusterIPNone {
			ss.Type = "Headless"
		}
		if len(s.Spec.Selector) > 0 {
			sel := labels.SelectorFromSet(s.Spec.Selector)
			ss.Selector = sel.String()
			for _, p := range pods {
				if p.Namespace == s.Namespace && sel.Matches(labels.Set(p.Labels)) {
					ss.Selected++
				}
			}
			ss.Broken = ss.Selected == 0
		}
		seen := map[string]bool{}
		for _, sl := range slices {
			if sl.Namespace != s.Namespace || sl.Labels[discoveryv1.LabelServiceName] != s.Name {
				continue
			}
			for _, ep := range sl.Endpoints {
				if ep.TargetRef == nil || ep.TargetRef.Kind != "Pod" || seen[ep.TargetRef.Name] {
					continue
				}
				seen[ep.TargetRef.Name] = true
				p, ok := shown[s.Namespace+"/"+ep.TargetRef.Name]
				if !ok {
					p = Pod{Namespace: s.Namespace, Name: ep.TargetRef.Name, Health: "wait"}
				}
				ss.Pods = append(ss.Pods, p)
				if ep.Conditions.Ready != nil && !*ep.Conditions.Ready {
					ss.NotReady = append(ss.NotReady, ep.TargetRef.Name)
				}
			}
		}
		sort.Slice(ss.Pods, func(i, j int) bool { return ss.Pods[i].Name < ss.Pods[j].Name })
		pic.Services = append(pic.Services, ss)
	}

	// Ingress → Service.
	for _, in := range ings {
		ii := Ingress{Namespace: in.Namespace, Name: in.Name, Class: ptrOr(in.Spec.IngressClassName, "")}
		add := func(host, path string, b *networkingv1.IngressBackend) {
			if b == nil || b.Service == nil {
				return
			}
			port := b.Service.Port.Name
			if b.Service.Port.Number != 0 {
				port = fmt.Sprint(b.Service.Port.Number)
			}
			ii.Rules = append(ii.Rules, IngressRule{Host: host, Path: path, Service: b.Service.Name, Port: port,
				Missing: !svcNames[in.Namespace+"/"+b.Service.Name]})
		}
		add("*", "", in.Spec.DefaultBackend)
		for _, r := range in.Spec.Rules {
			host := r.Host
			if host == "" {
				host = "*"
			}
			if r.HTTP == nil {
				continue
			}
			for _, p := range r.HTTP.Paths {
				b := p.Backend
				add(host, p.Path, &b)
			}
		}
		pic.Ingresses = append(pic.Ingresses, ii)
	}

	// PVC → PV.
	volumes := map[string]*Volume{}
	for i := range pvs {
		v := volumeOf(&pvs[i])
		volumes[v.Name] = &v
	}
	bound := map[string]bool{}
	for _, c := range pvcs {
		cc := Claim{Namespace: c.Namespace, Name: c.Name, Phase: string(c.Status.Phase), StorageClass: ptrOr(c.Spec.StorageClassName, ""),
			Modes: modes(c.Spec.AccessModes)}
		if q, ok := c.Spec.Resources.Requests[corev1.ResourceStorage]; ok {
			cc.Request = q.String()
		}
		if c.Spec.VolumeName != "" {
			if v := volumes[c.Spec.VolumeName]; v != nil {
				cc.Volume = v
				bound[v.Name] = true
			} else {
				cc.VolumeName = c.Spec.VolumeName
			}
		}
		pic.Claims = append(pic.Claims, cc)
	}
	inLesson := map[string]bool{}
	for _, ns := range scope.Namespaces {
		inLesson[ns] = true
	}
	named := map[string]bool{}
	for _, n := range scope.Volumes {
		named[n] = true
	}
	for i := range pvs {
		pv := &pvs[i]
		ref := pv.Spec.ClaimRef
		switch {
		case bound[pv.Name]:
			continue
		case named[pv.Name], ref != nil && inLesson[ref.Namespace], ref == nil && scope.FreeVolumes:
		default:
			continue // another lesson's, or nobody's
		}
		pic.Volumes = append(pic.Volumes, *volumes[pv.Name])
	}
	sort.Slice(pic.Volumes, func(i, j int) bool { return pic.Volumes[i].Name < pic.Volumes[j].Name })
	return pic
}

func nodeOf(n *corev1.Node) Node {
	out := Node{Name: n.Name, Unschedulable: n.Spec.Unschedulable}
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			out.Ready = c.Status == corev1.ConditionTrue
		}
	}
	_, out.ControlPlane = n.Labels["node-role.kubernetes.io/control-plane"]
	return out
}

// podOf reads a pod as kubectl get pods shows it.
func podOf(p *corev1.Pod) Pod {
	out := Pod{Namespace: p.Namespace, Name: p.Name, Node: p.Spec.NodeName, Status: string(p.Status.Phase), Containers: len(p.Spec.Containers)}
	if out.Status == "" {
		out.Status = string(corev1.PodPending)
	}
	if p.Status.Reason != "" {
		out.Status = p.Status.Reason
	}
	for _, o := range p.OwnerReferences {
		if o.Controller != nil && *o.Controller {
			out.Owner = o.Kind + " " + o.Name
		}
	}
	// Init containers first: a pod held by one says Init:N/M or its reason.
	for i, cs := range p.Status.InitContainerStatuses {
		out.Restarts += int(cs.RestartCount)
		switch {
		case cs.State.Terminated != nil && cs.State.Terminated.ExitCode == 0:
			continue
		case cs.State.Terminated != nil:
			out.Status = "Init:" + orElse(cs.State.Terminated.Reason, "Error")
		case cs.State.Waiting != nil && cs.State.Waiting.Reason != "" && cs.State.Waiting.Reason != "PodInitializing":
			out.Status = "Init:" + cs.State.Waiting.Reason
		default:
			out.Status = fmt.Sprintf("Init:%d/%d", i, len(p.Spec.InitContainers))
		}
		break
	}
	initDone := !strings.HasPrefix(out.Status, "Init:")
	for _, cs := range p.Status.ContainerStatuses {
		out.Restarts += int(cs.RestartCount)
		if cs.Ready {
			out.Ready++
		}
		if !initDone {
			continue
		}
		switch {
		case cs.State.Waiting != nil && cs.State.Waiting.Reason != "":
			out.Status = cs.State.Waiting.Reason
		case cs.State.Terminated != nil && cs.State.Terminated.Reason != "" && p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed:
			out.Status = cs.State.Terminated.Reason
		}
	}
	if p.DeletionTimestamp != nil {
		out.Status = "Terminating"
	}
	switch {
	case out.Status == "Terminating":
		out.Health = "wait"
	case p.Status.Phase == corev1.PodSucceeded:
		out.Health = "done"
	case p.Status.Phase == corev1.PodFailed || bad(out.Status):
		out.Health = "bad"
	case p.Status.Phase == corev1.PodRunning && out.Ready == out.Containers && out.Containers > 0:
		out.Health = "ok"
	default:
		out.Health = "wait"
	}
	return out
}

// bad says a status is a failure rather than a step on the way.
func bad(status string) bool {
	s := strings.TrimPrefix(status, "Init:")
	for _, b := range []string{"BackOff", "Err", "Error", "Invalid", "OOMKilled", "Evicted", "Failed", "ContainerCannotRun", "DeadlineExceeded"} {
		if strings.Contains(s, b) {
			return true
		}
	}
	return false
}

func volumeOf(pv *corev1.PersistentVolume) Volume {
	v := Volume{Name: pv.Name, Phase: string(pv.Status.Phase), Modes: modes(pv.Spec.AccessModes), Reclaim: string(pv.Spec.PersistentVolumeReclaimPolicy)}
	if q, ok := pv.Spec.Capacity[corev1.ResourceStorage]; ok {
		v.Capacity = q.String()
	}
	if ref := pv.Spec.ClaimRef; ref != nil {
		v.Claim = ref.Namespace + "/" + ref.Name
	}
	return v
}

// modes abbreviates access modes as kubectl does (RWO, ROX, RWX, RWOP).
func modes(ms []corev1.PersistentVolumeAccessMode) string {
	short := map[corev1.PersistentVolumeAccessMode]string{
		corev1.ReadWriteOnce: "RWO", corev1.ReadOnlyMany: "ROX", corev1.ReadWriteMany: "RWX", corev1.ReadWriteOncePod: "RWOP",
	}
	var out []string
	for _, m := range ms {
		out = append(out, orElse(short[m], string(m)))
	}
	return strings.Join(out, ",")
}

func ports(ps []corev1.ServicePort) string {
	var out []string
	for _, p := range ps {
		s := fmt.Sprintf("%d", p.Port)
		if p.NodePort != 0 {
			s += fmt.Sprintf(":%d", p.NodePort)
		}
		out = append(out, s+"/"+string(p.Protocol))
	}
	return strings.Join(out, ",")
}

func images(cs []corev1.Container) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Image)
	}
	return strings.Join(out, ",")
}

func ownedBy(refs []metav1.OwnerReference, kind, name string, uid any) bool {
	for _, r := range refs {
		if r.Kind == kind && r.Name == name && fmt.Sprint(r.UID) == fmt.Sprint(uid) {
			return true
		}
	}
	return false
}

func revision(s string) int {
	n := 0
	fmt.Sscan(s, &n)
	return n
}

func ptrOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func orElse(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
