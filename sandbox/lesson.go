package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8slabels "k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/kworkbook/kworkbook/internal/kube"
	"github.com/kworkbook/kworkbook/internal/locale"
	"github.com/kworkbook/kworkbook/lessons"
)

// ErrKubectlMissing means a step needs kubectl and none is on PATH.
var ErrKubectlMissing = errors.New("kubectl is not installed")

// ErrStep means a lesson step (a command or a manifest) failed.
var ErrStep = errors.New("a lesson step failed")

// ErrNodeLesson means a lesson that changes nodes was asked to run on a
// cluster kworkbook did not create: its reset would change every node.
var ErrNodeLesson = errors.New("a lesson that changes nodes runs only on kworkbook's own cluster")

// Env prepares and resets lessons on one target cluster.
type Env struct {
	Target  Target
	Clients *kube.Clients
	Log     Logger
	// Kubectl is the kubectl binary; "kubectl" on PATH when empty.
	Kubectl string
	// WaitTimeout bounds waiting for setup workloads; 2 minutes when zero.
	WaitTimeout time.Duration
	// InPlace makes reset empty the lesson's namespaces instead of deleting
	// and making them again, which is several times faster; lessons prove
	// resets hundreds of times.
	InPlace bool
	// Trust is asked before the first command of a lesson that does not
	// come with kworkbook (a --lessons-dir folder) runs: lesson commands
	// are shell commands. An error stops the step. Nil allows all.
	Trust func(ctx context.Context, l *lessons.Lesson) error

	tmp     string
	trusted map[*lessons.Lesson]bool
}

// NewEnv returns an environment for the target.
func NewEnv(t Target, c *kube.Clients, log Logger) *Env {
	return &Env{Target: t, Clients: c, Log: orNop(log)}
}

// Close removes the temporary files commands used.
func (e *Env) Close() error {
	if e.tmp == "" {
		return nil
	}
	return os.RemoveAll(e.tmp)
}

func (e *Env) applier(fieldManager string) Applier {
	return Applier{Dynamic: e.Clients.Dynamic, Mapper: e.Clients.RESTMapper(), FieldManager: fieldManager}
}

// Started reports whether the lesson's namespaces exist (the lesson was set up).
func (e *Env) Started(ctx context.Context, l *lessons.Lesson) (bool, error) {
	for _, ns := range l.Spec.Namespaces {
		n, err := e.Clients.Typed.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		if err != nil {
			return false, kubeError(err)
		}
		if n.DeletionTimestamp != nil {
			return false, nil
		}
		if err := owned(n); err != nil {
			return false, err
		}
	}
	if e.classroom() && len(l.Spec.Namespaces) > 0 {
		// The teacher made the namespaces; the lesson is set up once its
		// setup left its mark in the first one.
		_, err := e.Clients.Typed.CoreV1().ConfigMaps(l.Namespace()).Get(ctx, setupMark, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		if err != nil {
			return false, kubeError(err)
		}
	}
	return true, nil
}

// setupMark is the ConfigMap that records, in a classroom, that a lesson's
// namespace was set up (reset empties the namespace, and the mark with it).
const setupMark = "kworkbook-setup"

func owned(n *corev1.Namespace) error {
	if n.Labels[LabelManagedBy] != ManagedBy {
		return locale.Errorf(ErrNotOwned, "err.not_owned", "Namespace", n.Name, "Label", LabelManagedBy+"="+ManagedBy)
	}
	return nil
}

// guardNodes refuses a lesson that changes nodes on a cluster kworkbook
// does not own: its exercises and reset label, taint, cordon or drain
// nodes that may run other people's work, and reset cannot tell an
// administrator's cordon from a learner's.
func (e *Env) guardNodes(l *lessons.Lesson) error {
	if l.ClusterScoped() != "" && e.classroom() {
		return locale.Errorf(lessons.ErrClusterScoped, "err.class_cluster_lesson", "Lesson", l.ID, "Why", locale.M("scope.reason."+l.ScopeReason()))
	}
	if e.Target.Owned || !l.ChangesNodes() {
		return nil
	}
	return locale.Errorf(ErrNodeLesson, "err.node_lesson", "Lesson", l.ID, "Context", e.Target.Context, "Own", ContextName())
}

// Setup creates the lesson's namespaces (labelled as kworkbook's), applies
// its setup manifests server-side, runs its setup commands and waits for
// what it started. It is idempotent.
func (e *Env) Setup(ctx context.Context, l *lessons.Lesson) error {
	if err := e.guardNodes(l); err != nil {
		return err
	}
	for _, ns := range l.Spec.Namespaces {
		if err := e.ensureNamespace(ctx, l, ns); err != nil {
			return err
		}
	}
	if err := e.Apply(ctx, l, l.Spec.Setup, true); err != nil {
		return fmt.Errorf("setting up %s: %w", l.ID, err)
	}
	if e.classroom() {
		mark := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": setupMark, "namespace": l.Namespace(),
				"labels": map[string]any{LabelManagedBy: ManagedBy, LabelLesson: l.ID}},
			"data": map[string]any{"lesson": l.ID}}}
		if _, err := e.applier(FieldManager).Apply(ctx, mark); err != nil {
			return fmt.Errorf("setting up %s: %w", l.ID, err)
		}
	}
	e.Log.Step(locale.NM("sandbox.set_up", len(l.Spec.Namespaces), "Lesson", l.ID, "Namespaces", strings.Join(l.Spec.Namespaces, ", ")), nil)
	return nil
}

func (e *Env) ensureNamespace(ctx context.Context, l *lessons.Lesson, ns string) error {
	existing, err := e.Clients.Typed.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if e.classroom() {
		// A student may not make namespaces: the teacher's class up made
		// them, and they stay for the whole class.
		switch {
		case apierrors.IsNotFound(err):
			return locale.Errorf(ErrNotOwned, "err.class_no_namespace", "Namespace", ns, "Lesson", l.ID)
		case err != nil:
			return kubeError(err)
		}
		return owned(existing)
	}
	switch {
	case err == nil:
		if err := owned(existing); err != nil {
			return err
		}
		if existing.DeletionTimestamp != nil {
			if err := e.waitGone(ctx, ns); err != nil {
				return err
			}
		} else {
			return nil
		}
	case !apierrors.IsNotFound(err):
		return kubeError(err)
	}
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Namespace",
		"metadata": map[string]any{"name": ns, "labels": map[string]any{LabelManagedBy: ManagedBy, LabelLesson: l.ID}},
	}}
	if _, err = e.applier(FieldManager).Apply(ctx, obj); err != nil {
		return err
	}
	return e.waitServiceAccount(ctx, ns)
}

// waitServiceAccount waits for a new namespace's default ServiceAccount:
// until the controller makes it, pods are refused ("serviceaccount
// default not found"), and a lesson's setup command would fail.
func (e *Env) waitServiceAccount(ctx context.Context, ns string) error {
	return waitServiceAccount(ctx, e.Clients, ns)
}

func waitServiceAccount(ctx context.Context, c *kube.Clients, ns string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		_, err := c.Typed.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		if err == nil || !apierrors.IsNotFound(err) {
			return nil // made, or not ours to know (kubectl will say)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Apply runs steps: manifests server-side (setup ones labelled as
// kworkbook's), then commands with kubectl pointed at the target, then waits.
func (e *Env) Apply(ctx context.Context, l *lessons.Lesson, s lessons.Steps, setup bool) error {
	if err := e.guardNodes(l); err != nil {
		return err
	}
	fm := "kubectl"
	if setup {
		fm = FieldManager
	}
	var started []*unstructured.Unstructured
	for _, m := range s.Manifests {
		objs, err := l.ReadManifest(m)
		if err != nil {
			return err
		}
		for _, o := range objs {
			u := o.DeepCopy()
			if setup {
				addLabels(u, map[string]string{LabelManagedBy: ManagedBy, LabelLesson: l.ID})
			}
			if u.GetNamespace() == "" && e.namespaced(u) {
				u.SetNamespace(l.Namespace())
			}
			out, err := e.applier(fm).Apply(ctx, u)
			if err != nil {
				return fmt.Errorf("%s: %w: %w", o.Pos, ErrStep, err)
			}
			started = append(started, out)
		}
	}
	for _, c := range s.Commands {
		if _, err := e.Run(ctx, l, c); err != nil {
			return err
		}
	}
	for _, w := range s.Wait {
		kind, name, _ := strings.Cut(w, "/")
		if err := e.WaitReady(ctx, l.Namespace(), kind, name); err != nil {
			return err
		}
	}
	if setup {
		for _, o := range started {
			if waitsFor(o.GetKind()) {
				if err := e.WaitReady(ctx, o.GetNamespace(), o.GetKind(), o.GetName()); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (e *Env) namespaced(u *unstructured.Unstructured) bool {
	gvk := u.GroupVersionKind()
	m, err := e.Clients.RESTMapper().RESTMapping(gvk.GroupKind(), gvk.Version)
	return err == nil && m.Scope.Name() == meta.RESTScopeNameNamespace
}

func addLabels(u *unstructured.Unstructured, add map[string]string) {
	l := u.GetLabels()
	if l == nil {
		l = map[string]string{}
	}
	for k, v := range add {
		l[k] = v
	}
	u.SetLabels(l)
}

// Run runs one shell command with kubectl pointed at the target only (a
// kubeconfig holding just its context), in a folder holding the lesson's
// files, so commands can say kubectl apply -f solution/web.yaml.
func (e *Env) Run(ctx context.Context, l *lessons.Lesson, command string) (string, error) {
	if err := e.guardNodes(l); err != nil {
		return "", err
	}
	if err := e.trust(ctx, l); err != nil {
		return "", err
	}
	kubectl := e.Kubectl
	if kubectl == "" {
		kubectl = "kubectl"
	}
	if strings.Contains(command, "kubectl") {
		if _, err := exec.LookPath(kubectl); err != nil {
			return "", fmt.Errorf("%w: the lesson's commands use kubectl; install it (https://kubernetes.io/docs/tasks/tools/)", ErrKubectlMissing)
		}
	}
	dir, kcfg, err := e.workdir(l)
	if err != nil {
		return "", err
	}
	cctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(cctx, "sh", "-c", command)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kcfg, "NAMESPACE="+l.Namespace())
	if kubectl != "kubectl" {
		cmd.Env = append(cmd.Env, "PATH="+filepath.Dir(kubectl)+string(os.PathListSeparator)+os.Getenv("PATH"))
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%w: `%s`: %v\n%s", ErrStep, command, err, strings.TrimSpace(out.String()))
	}
	return out.String(), nil
}

// trust asks Trust once per lesson before its commands run, for lessons
// that do not come with kworkbook.
func (e *Env) trust(ctx context.Context, l *lessons.Lesson) error {
	if e.Trust == nil || l.Source == lessons.SourceEmbedded || e.trusted[l] {
		return nil
	}
	if err := e.Trust(ctx, l); err != nil {
		return err
	}
	if e.trusted == nil {
		e.trusted = map[*lessons.Lesson]bool{}
	}
	e.trusted[l] = true
	return nil
}

// workdir extracts the lesson's files and the target's kubeconfig once.
func (e *Env) workdir(l *lessons.Lesson) (dir, kubeconfig string, err error) {
	if e.tmp == "" {
		if e.tmp, err = os.MkdirTemp("", "kworkbook-"); err != nil {
			return "", "", fmt.Errorf("unable to make a temporary folder: %w", err)
		}
	}
	kubeconfig = filepath.Join(e.tmp, "kubeconfig")
	if _, statErr := os.Stat(kubeconfig); statErr != nil {
		if err := e.Target.WriteKubeconfig(kubeconfig); err != nil {
			return "", "", err
		}
	}
	dir = filepath.Join(e.tmp, l.ID)
	if _, statErr := os.Stat(dir); statErr == nil {
		return dir, kubeconfig, nil
	}
	err = fs.WalkDir(l.FS, l.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p, l.Dir), "/")
		dst := filepath.Join(dir, filepath.FromSlash(rel))
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := lessons.ReadFile(l.FS, p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		return "", "", fmt.Errorf("unable to prepare the lesson's files: %w", err)
	}
	return dir, kubeconfig, nil
}

// Reset restores the lesson's starting state: it deletes the lesson's
// namespaces (only when they carry kworkbook's label), undoes the
// cluster-scoped changes the lesson declares, and sets the lesson up again.
func (e *Env) Reset(ctx context.Context, l *lessons.Lesson) error {
	if err := e.Teardown(ctx, l); err != nil {
		return err
	}
	return e.Setup(ctx, l)
}

// Teardown deletes what the lesson made and undoes what it declares.
func (e *Env) Teardown(ctx context.Context, l *lessons.Lesson) error {
	if err := e.guardNodes(l); err != nil {
		return err
	}
	if e.classroom() {
		return e.teardownInPlace(ctx, l, "!"+ClassObjectLabel)
	}
	if e.InPlace {
		if err := e.teardownInPlace(ctx, l, ""); err != nil {
			return err
		}
		return e.undoClusterChanges(ctx, l)
	}
	start := time.Now()
	core := e.Clients.Typed.CoreV1()
	var gone []string
	for _, ns := range l.Spec.Namespaces {
		n, err := core.Namespaces().Get(ctx, ns, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return kubeError(err)
		}
		if err := owned(n); err != nil {
			return err
		}
		if err := e.emptyNamespace(ctx, ns, ""); err != nil {
			return err
		}
		bg := metav1.DeletePropagationBackground
		if err := core.Namespaces().Delete(ctx, ns, metav1.DeleteOptions{PropagationPolicy: &bg}); err != nil && !apierrors.IsNotFound(err) {
			return kubeError(err)
		}
		gone = append(gone, ns)
	}
	if err := e.undoClusterChanges(ctx, l); err != nil {
		return err
	}
	for _, ns := range gone {
		if err := e.waitGone(ctx, ns); err != nil {
			return err
		}
	}
	e.Log.Step(locale.M("sandbox.removed", "Lesson", l.ID, "Seconds", fmt.Sprintf("%.1f", time.Since(start).Seconds())), nil)
	return nil
}

// emptyNamespace deletes the namespace's contents at once and in parallel,
// which the namespace controller would do one kind at a time: first every
// kind but pods (so no controller makes new pods), then the pods with no
// grace period (containers that ignore SIGTERM, like sleep as PID 1, would
// hold the namespace for 30 s).
func (e *Env) emptyNamespace(ctx context.Context, ns, selector string) error {
	lists, _ := e.Clients.Discovery.ServerPreferredNamespacedResources()
	var wg sync.WaitGroup
	for _, list := range lists {
		gv, err := schema.ParseGroupVersion(list.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range list.APIResources {
			if strings.Contains(r.Name, "/") || !slices.Contains(r.Verbs, "deletecollection") ||
				r.Name == "pods" || r.Name == "events" || r.Name == "endpoints" {
				continue
			}
			gvr := gv.WithResource(r.Name)
			wg.Add(1)
			go func() {
				defer wg.Done()
				bg := metav1.DeletePropagationBackground
				// Errors are left to the namespace controller, which retries.
				_ = e.Clients.Dynamic.Resource(gvr).Namespace(ns).DeleteCollection(ctx, metav1.DeleteOptions{PropagationPolicy: &bg}, metav1.ListOptions{LabelSelector: selector})
			}()
		}
	}
	wg.Wait()
	grace := int64(0)
	if err := e.Clients.Typed.CoreV1().Pods(ns).DeleteCollection(ctx, metav1.DeleteOptions{GracePeriodSeconds: &grace}, metav1.ListOptions{LabelSelector: selector}); err != nil && !apierrors.IsNotFound(err) {
		return kubeError(err)
	}
	return nil
}

func (e *Env) waitGone(ctx context.Context, ns string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	for {
		_, err := e.Clients.Typed.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("namespace %s is still terminating after 3 minutes; look at kubectl get all,pvc -n %s", ns, ns)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// undoClusterChanges removes node labels and taints, uncordons nodes and
// deletes cluster-scoped objects, as the lesson's reset: section lists, plus
// cluster-scoped objects its setup made (they carry the lesson label).
func (e *Env) undoClusterChanges(ctx context.Context, l *lessons.Lesson) error {
	r := l.Spec.Reset
	if len(r.NodeLabels) > 0 || len(r.NodeTaints) > 0 || r.Uncordon {
		nodes, err := e.Clients.Typed.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			return kubeError(err)
		}
		for i := range nodes.Items {
			if err := e.restoreNode(ctx, &nodes.Items[i], r); err != nil {
				return err
			}
		}
	}
	for _, ref := range r.Delete {
		if err := e.deleteRef(ctx, l, ref); err != nil {
			return err
		}
	}
	for _, m := range l.Spec.Setup.Manifests {
		objs, err := l.ReadManifest(m)
		if err != nil {
			return err
		}
		for _, o := range objs {
			if e.namespaced(o.Unstructured) {
				continue
			}
			ref := lessons.ObjectRef{Kind: o.GetKind(), APIVersion: o.GetAPIVersion(), Name: o.GetName()}
			if err := e.deleteRef(ctx, l, ref); err != nil {
				return err
			}
		}
	}
	return nil
}

func (e *Env) restoreNode(ctx context.Context, n *corev1.Node, r lessons.Reset) error {
	patch := map[string]any{}
	labels := map[string]any{}
	for _, k := range r.NodeLabels {
		if _, ok := n.Labels[k]; ok {
			labels[k] = nil
		}
	}
	if len(labels) > 0 {
		patch["metadata"] = map[string]any{"labels": labels}
	}
	spec := map[string]any{}
	if r.Uncordon && n.Spec.Unschedulable {
		spec["unschedulable"] = nil
	}
	if len(r.NodeTaints) > 0 {
		keep := []corev1.Taint{}
		for _, t := range n.Spec.Taints {
			if !slices.Contains(r.NodeTaints, t.Key) {
				keep = append(keep, t)
			}
		}
		if len(keep) != len(n.Spec.Taints) {
			spec["taints"] = keep
		}
	}
	if len(spec) > 0 {
		patch["spec"] = spec
	}
	if len(patch) == 0 {
		return nil
	}
	data, err := jsonMarshal(patch)
	if err != nil {
		return err
	}
	if _, err := e.Clients.Typed.CoreV1().Nodes().Patch(ctx, n.Name, types.StrategicMergePatchType, data, metav1.PatchOptions{FieldManager: FieldManager}); err != nil {
		return fmt.Errorf("unable to restore node %s: %w", n.Name, kubeError(err))
	}
	return nil
}

// deleteRef deletes what a reset: delete: entry or a setup manifest names,
// but only objects that carry kworkbook's label (PersistentVolumes also the
// lesson's): a name alone may be someone else's object.
func (e *Env) deleteRef(ctx context.Context, l *lessons.Lesson, ref lessons.ObjectRef) error {
	if k, ok := lessons.LookupKind(ref.Kind); ok {
		ref.Kind = k.Kind // ns, namespaces and Namespace are one kind
	}
	m, err := kube.Mapping(e.Clients.RESTMapper(), ref.Kind, ref.APIVersion)
	if err != nil {
		return nil // the kind is not served, so nothing of it exists
	}
	ri := e.Clients.Dynamic.Resource(m.Resource)
	var target = ri.Namespace("")
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		ns := ref.Namespace
		if ns == "" {
			ns = l.Namespace()
		}
		target = ri.Namespace(ns)
	}
	kind := m.GroupVersionKind.Kind
	mine := OwnedSelector(l, kind)
	var victims []unstructured.Unstructured
	if ref.Name != "" {
		o, err := target.Get(ctx, ref.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("unable to read %s %s: %w", kind, ref.Name, kubeError(err))
		}
		if !mine.Matches(k8slabels.Set(o.GetLabels())) {
			e.Log.Note(locale.M("sandbox.left_alone", "Kind", kind, "Name", ref.Name, "Labels", mine.String(), "Lesson", l.ID,
				"Command", "kubectl delete "+strings.ToLower(kind)+" "+ref.Name))
			return nil
		}
		victims = append(victims, *o)
	} else {
		sel, err := k8slabels.Parse(ref.Selector)
		if err != nil {
			return fmt.Errorf("reset: delete: selector %q: %w", ref.Selector, err)
		}
		reqs, _ := mine.Requirements()
		list, err := target.List(ctx, metav1.ListOptions{LabelSelector: sel.Add(reqs...).String()})
		if err != nil {
			return fmt.Errorf("unable to list %s: %w", kind, kubeError(err))
		}
		victims = list.Items
	}
	for i := range victims {
		o := &victims[i]
		uid := o.GetUID()
		// The UID precondition: never a same-named object made meanwhile.
		err := target.Delete(ctx, o.GetName(), metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}})
		if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("unable to delete %s %s: %w", kind, o.GetName(), kubeError(err))
		}
		if kind == "Namespace" {
			// A namespace the lesson's exercises make again must be gone first.
			if err := e.emptyNamespace(ctx, o.GetName(), ""); err != nil {
				return err
			}
			if err := e.waitGone(ctx, o.GetName()); err != nil {
				return err
			}
			continue
		}
		if m.Scope.Name() != meta.RESTScopeNameNamespace {
			// Setup, or a solution replayed after a reset, may make it again:
			// applied to an object still terminating (a PersistentVolume
			// waits for its claim's release), it would vanish right after.
			if err := waitDeleted(ctx, target, kind, o.GetName(), uid); err != nil {
				return err
			}
		}
	}
	return nil
}

// waitDeleted waits until the object of that name and UID is gone.
func waitDeleted(ctx context.Context, ri dynamic.ResourceInterface, kind, name string, uid types.UID) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	for {
		o, err := ri.Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) || (err == nil && o.GetUID() != uid) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s %s is still terminating after 3 minutes; kubectl describe %s %s says what holds it",
				kind, name, strings.ToLower(kind), name)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// OwnedSelector selects what reset may delete of a kind: objects with
// kworkbook's managed-by label, and for PersistentVolumes (which outlive
// namespaces and are easily named alike) also the lesson's label.
func OwnedSelector(l *lessons.Lesson, kind string) k8slabels.Selector {
	set := k8slabels.Set{LabelManagedBy: ManagedBy}
	if kind == "PersistentVolume" {
		set[LabelLesson] = l.ID
	}
	return k8slabels.SelectorFromSet(set)
}

// classroom reports whether the target is a student's scope on a shared
// cluster, where the teacher made the namespaces.
func (e *Env) classroom() bool { return e.Target.Scope.Student != "" }

// ClassObjectLabel marks what a class's teacher put in a student's
// namespaces (rights, quota, limits, isolation): reset leaves it.
const ClassObjectLabel = "kworkbook.dev/classroom"

// teardownInPlace empties the lesson's namespaces instead of deleting them
// (in a classroom a student may not make namespaces again; there selector
// leaves what the teacher put in them), and waits until the lesson's
// objects are gone and the namespace's own ServiceAccount is back.
func (e *Env) teardownInPlace(ctx context.Context, l *lessons.Lesson, selector string) error {
	start := time.Now()
	for _, ns := range l.Spec.Namespaces {
		n, err := e.Clients.Typed.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return kubeError(err)
		}
		if err := owned(n); err != nil {
			return err
		}
		if err := e.emptyNamespace(ctx, ns, selector); err != nil {
			return err
		}
		if err := e.waitEmpty(ctx, ns); err != nil {
			return err
		}
		if err := e.waitServiceAccount(ctx, ns); err != nil {
			return err
		}
	}
	e.Log.Step(locale.M("sandbox.removed", "Lesson", l.ID, "Seconds", fmt.Sprintf("%.1f", time.Since(start).Seconds())), nil)
	return nil
}

// waitEmpty waits until the namespace holds no pods, workloads, Services
// or claims of the lesson's any more.
func (e *Env) waitEmpty(ctx context.Context, ns string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	core := e.Clients.Typed.CoreV1()
	opts := metav1.ListOptions{LabelSelector: "!" + ClassObjectLabel}
	for {
		pods, err1 := core.Pods(ns).List(ctx, opts)
		svcs, err2 := core.Services(ns).List(ctx, opts)
		pvcs, err3 := core.PersistentVolumeClaims(ns).List(ctx, opts)
		deps, err4 := e.Clients.Typed.AppsV1().Deployments(ns).List(ctx, opts)
		if err := errors.Join(err1, err2, err3, err4); err != nil {
			return kubeError(err)
		}
		if len(pods.Items)+len(svcs.Items)+len(pvcs.Items)+len(deps.Items) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("namespace %s still holds the lesson's objects after 3 minutes; look at kubectl get all,pvc -n %s", ns, ns)
		case <-time.After(300 * time.Millisecond):
		}
	}
}
