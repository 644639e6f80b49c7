package lessons

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kworkbook/kworkbook/checker/expr"
)

var idRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

// Requirements a lesson may declare; the sandbox reports which it provides.
const (
	RequireNodePort     = "nodeport"
	RequireLoadBalancer = "loadbalancer"
	RequireIngress      = "ingress"
	RequireWorkers      = "workers"
	// RequireNetworkPolicy: the network plugin enforces NetworkPolicy
	// (kind's kindnetd does since v0.24; some plugins do not).
	RequireNetworkPolicy = "networkpolicy"
)

var knownRequires = []string{RequireNodePort, RequireLoadBalancer, RequireIngress, RequireWorkers, RequireNetworkPolicy}

// Validate checks that a lesson's files, ids and references line up.
func Validate(l *Lesson) []Problem {
	v := &validator{l: l, spec: Pos{File: path.Join(l.Dir, "lesson.yaml")}}
	v.meta()
	v.namespaces()
	for _, r := range l.Spec.Requires {
		if !slices.Contains(knownRequires, r) {
			v.add(l.Spec.Pos, "requires: unknown %q (known: %s)", r, strings.Join(knownRequires, ", "))
		}
	}
	v.steps("setup", l.Spec.Setup, true)
	v.reset()
	v.nodes()
	switch {
	case l.Spec.Scope != "" && l.Spec.Scope != ScopeCluster:
		v.add(l.Spec.Pos, "scope: %q: the only scope a lesson declares is cluster", l.Spec.Scope)
	case len(l.Spec.ScopeReasons) > 0 && l.Spec.Scope != ScopeCluster:
		v.add(l.Spec.Pos, "declare scope: cluster (%s, and the students of a classroom share those)", englishReasons(l.Spec.ScopeReasons))
	case l.Spec.Scope == ScopeCluster && len(l.Spec.ScopeReasons) == 0:
		v.warn(l.Spec.Pos, "scope: cluster, but the lesson makes no Namespaces or PersistentVolumes and leaves nodes alone; a classroom could give it to every student")
	}
	if len(l.Spec.Exercises) == 0 {
		v.add(v.spec, "no exercises: list them under exercises:")
	}
	seen := map[string]bool{}
	for _, e := range l.Spec.Exercises {
		v.exercise(e, seen)
	}
	for _, b := range l.Prose.Blocks {
		if b.ID != "" && l.Exercise(b.ID) == nil {
			v.add(b.Pos, "exercise %q is not in lesson.yaml", b.ID)
		}
	}
	return v.probs
}

type validator struct {
	l     *Lesson
	spec  Pos
	probs []Problem
	// secrets caches secretRefs.
	secrets []string
}

func (v *validator) add(p Pos, format string, args ...any) {
	if p.File == "" {
		p = v.spec
	}
	v.probs = append(v.probs, Problem{Pos: p, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) warn(p Pos, format string, args ...any) {
	v.add(p, format, args...)
	v.probs[len(v.probs)-1].Warning = true
}

func (v *validator) meta() {
	m, p := v.l.Meta, Pos{File: v.l.Prose.File, Line: 1}
	if m.Title == "" {
		v.add(p, "front matter: title: is required")
	}
	if len(m.Docs) == 0 {
		v.add(p, "front matter: docs: must cite at least one official documentation page")
	}
	for _, d := range m.Docs {
		if u, err := url.Parse(d); err != nil || u.Scheme != "https" || u.Host == "" || strings.ContainsAny(d, " \t\n") {
			v.add(p, "front matter: docs: %q is not an https:// address", d)
		}
	}
}

func (v *validator) namespaces() {
	if len(v.l.Spec.Namespaces) == 0 {
		v.add(v.l.Spec.Pos, "namespaces: list the namespace(s) this lesson owns")
	}
	for _, ns := range v.l.Spec.Namespaces {
		if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
			v.add(v.l.Spec.Pos, "namespaces: %q is not a valid name: %s", ns, strings.Join(errs, "; "))
		}
		if ns == "default" || strings.HasPrefix(ns, "kube-") || !strings.HasPrefix(ns, "kw-") {
			v.add(v.l.Spec.Pos, "namespaces: %q: lesson namespaces start with kw- so kworkbook never touches anyone else's", ns)
		}
	}
}

func (v *validator) steps(what string, s Steps, setup bool) {
	for _, m := range s.Manifests {
		objs, err := v.l.ReadManifest(m)
		if err != nil {
			v.add(s.Pos, "%s: %v", what, err)
			continue
		}
		for _, o := range objs {
			v.object(o)
			if setup {
				v.setupObject(o)
			}
		}
	}
	for _, c := range s.Commands {
		if strings.TrimSpace(c) == "" {
			v.add(s.Pos, "%s: empty command", what)
		}
		v.images(s.Pos, c)
	}
	for _, w := range s.Wait {
		if k, n, ok := strings.Cut(w, "/"); !ok || k == "" || n == "" {
			v.add(s.Pos, "%s: wait: %q must be KIND/NAME, like deployment/web", what, w)
		}
	}
}

func (v *validator) object(o Object) {
	ns := o.GetNamespace()
	if ns != "" && !slices.Contains(v.l.Spec.Namespaces, ns) {
		v.add(o.Pos, "%s %s is in namespace %q, which is not one of this lesson's (%s)",
			o.GetKind(), o.GetName(), ns, strings.Join(v.l.Spec.Namespaces, ", "))
	}
	v.images(o.Pos, imagesOf(o.Object)...)
}

// setupObject refuses cluster-scoped objects that could collide with
// someone else's: setup applies them with kworkbook's labels, and reset
// deletes them. A lesson may make PersistentVolumes named kw-...; its
// namespaces come from namespaces:.
func (v *validator) setupObject(o Object) {
	k, known := LookupKind(o.GetKind())
	switch {
	case !known && o.GetNamespace() == "":
		v.add(o.Pos, "%s %s: kworkbook cannot tell whether kind %s lives in a namespace; setup manifests may hold only objects of built-in kinds, or give metadata.namespace",
			o.GetKind(), o.GetName(), o.GetKind())
	case !known || k.Namespaced:
	case k.Kind == "PersistentVolume" && strings.HasPrefix(o.GetName(), "kw-"):
	case k.Kind == "Namespace" && slices.Contains(v.l.Spec.Namespaces, o.GetName()):
	case k.Kind == "PersistentVolume":
		v.add(o.Pos, "PersistentVolume %s: name PersistentVolumes a lesson makes kw-..., so they never collide with a real one", o.GetName())
	default:
		v.add(o.Pos, "%s %s is cluster-scoped and could collide with one that is not kworkbook's; setup manifests may make only namespaced objects and PersistentVolumes named kw-...",
			k.Kind, o.GetName())
	}
}

var imageFlagRE = regexp.MustCompile(`--image[= ]([^\s'"]+)`)

// images rejects images that are not pinned: :latest or no tag means a pull
// on every start, which fails offline and changes under the learner.
func (v *validator) images(p Pos, refs ...string) {
	for _, r := range refs {
		for _, m := range imageFlagRE.FindAllStringSubmatch(r, -1) {
			r = m[1]
		}
		if !strings.Contains(r, ":") && strings.Contains(r, " ") {
			continue // a command without --image
		}
		if strings.Contains(r, " ") {
			continue
		}
		name := r[strings.LastIndex(r, "/")+1:]
		if strings.Contains(name, "@sha256:") {
			continue
		}
		if !strings.Contains(name, ":") || strings.HasSuffix(name, ":latest") {
			v.add(p, "image %q must have a pinned tag (never :latest or no tag)", r)
		}
	}
}

func imagesOf(obj map[string]any) []string {
	var out []string
	var walk func(any)
	walk = func(x any) {
		switch t := x.(type) {
		case map[string]any:
			for k, val := range t {
				if s, ok := val.(string); ok && k == "image" {
					out = append(out, s)
					continue
				}
				walk(val)
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(obj)
	return out
}

// reset checks what reset may delete and undo: only kworkbook's kinds of
// objects, in the lesson's namespaces, named or selected narrowly. (At run
// time reset also deletes only objects that carry kworkbook's label.)
func (v *validator) reset() {
	r := v.l.Spec.Reset
	for _, d := range r.Delete {
		if d.Kind == "" || (d.Name == "" && d.Selector == "") {
			v.add(d.Pos, "reset: delete: give kind and name (or selector)")
			continue
		}
		v.apiVersion(d.Pos, d.APIVersion)
		if d.Selector != "" {
			v.selector(d.Pos, d.Selector)
			if matchesEverything(d.Selector) {
				v.add(d.Pos, "reset: delete: selector %q matches objects without any particular label; select them by a label they have, like app=web", d.Selector)
			}
		}
		k, known := LookupKind(d.Kind)
		switch {
		case !known:
			v.add(d.Pos, "reset: delete: kworkbook does not know the kind %q; a lesson may delete Namespaces and PersistentVolumes named kw-..., and objects of built-in kinds in its namespaces", d.Kind)
		case k.Kind == "Namespace" || k.Kind == "PersistentVolume":
			if d.Name != "" && !strings.HasPrefix(d.Name, "kw-") {
				v.add(d.Pos, "reset: delete: %s %q: only kw- %ss may be deleted by a lesson", strings.ToLower(k.Kind), d.Name, k.Kind)
			}
			if d.Namespace != "" {
				v.add(d.Pos, "reset: delete: %s is cluster-scoped; leave out namespace:", k.Kind)
			}
		case !k.Namespaced:
			v.add(d.Pos, "reset: delete: %s is cluster-scoped and may be someone else's; a lesson may delete only Namespaces and PersistentVolumes named kw-...", k.Kind)
		case d.Namespace != "" && !v.ownsNamespace(d.Namespace):
			v.add(d.Pos, "reset: delete: namespace %q is not this lesson's (%s)", d.Namespace, strings.Join(v.l.Spec.Namespaces, ", "))
		}
	}
	for _, key := range append(append([]string{}, r.NodeLabels...), r.NodeTaints...) {
		if !strings.HasPrefix(key, "kw-") && !strings.HasPrefix(key, "kworkbook.dev/") {
			v.add(v.l.Spec.Pos, "reset: node label or taint key %q: start it with kw- (or kworkbook.dev/) so reset never removes one an administrator set", key)
		}
	}
}

// matchesEverything reports whether a selector has no requirement that an
// object must carry a label (only != and !key), so it selects nearly all.
func matchesEverything(selector string) bool {
	sel, err := labels.Parse(selector)
	if err != nil {
		return false
	}
	reqs, _ := sel.Requirements()
	for _, r := range reqs {
		switch r.Operator() {
		case selection.Equals, selection.DoubleEquals, selection.In, selection.Exists,
			selection.GreaterThan, selection.LessThan:
			return false
		}
	}
	return true
}

// ownsNamespace: the lesson's namespaces and those its exercises create.
func (v *validator) ownsNamespace(ns string) bool {
	if slices.Contains(v.l.Spec.Namespaces, ns) {
		return true
	}
	for _, d := range v.l.Spec.Reset.Delete {
		if SameKind(d.Kind, "Namespace") && d.Name == ns {
			return true
		}
	}
	return false
}

// nodes requires a lesson whose steps change nodes to say so in reset:,
// which is what marks it as one that changes nodes.
func (v *validator) nodes() {
	if len(v.l.NodeChanges) > 0 && !v.l.Spec.Reset.ChangesNodes() {
		v.add(v.l.Spec.Pos, "the lesson changes nodes (%s) but reset: undoes no node change: list the label and taint keys under reset: nodeLabels:/nodeTaints: or set uncordon: true",
			v.l.NodeChanges[0])
	}
}

func (v *validator) exercise(e *Exercise, seen map[string]bool) {
	switch {
	case !idRE.MatchString(e.ID):
		v.add(e.Pos, "exercise id %q: use lower-case letters, digits and dashes", e.ID)
	case seen[e.ID]:
		v.add(e.Pos, "exercise id %q is used twice", e.ID)
	}
	seen[e.ID] = true
	if b := v.l.Prose.Block(e.ID); b == nil {
		v.add(e.Pos, "exercise %q has no ```exercise block in %s", e.ID, v.l.Prose.File)
	} else {
		if strings.TrimSpace(b.Title) == "" {
			v.add(b.Pos, "exercise %q: title: is required", e.ID)
		}
		if len(b.Hints) < 2 {
			v.add(b.Pos, "exercise %q: hints: give a ladder of at least two steps (nudge, command shape, full answer)", e.ID)
		}
	}
	if e.Weight < 0 {
		v.add(e.Pos, "exercise %q: weight must not be negative", e.ID)
	}
	for _, r := range e.Requires {
		if !slices.Contains(knownRequires, r) {
			v.add(e.Pos, "exercise %q: requires: unknown %q (known: %s)", e.ID, r, strings.Join(knownRequires, ", "))
		}
	}
	if len(e.Checks) == 0 {
		v.add(e.Pos, "exercise %q has no checks", e.ID)
	}
	checkIDs := map[string]bool{}
	for _, c := range e.Checks {
		if c.ID != "" {
			if checkIDs[c.ID] {
				v.add(c.Pos, "check id %q is used twice in exercise %q", c.ID, e.ID)
			}
			checkIDs[c.ID] = true
		}
		v.check(c)
	}
	if e.Solution.Empty() {
		v.add(e.Pos, "exercise %q has no solution: give manifests: or commands:", e.ID)
	}
	v.steps("solution", e.Solution, false)
	for _, n := range e.Alternatives {
		if n.Name == "" {
			v.add(n.Pos, "alternative: name: is required")
		}
		if len(n.Manifests) == 0 && len(n.Commands) == 0 {
			v.add(n.Pos, "alternative %q: give manifests: or commands:", n.Name)
		}
		if n.FailsAt != "" {
			v.add(n.Pos, "alternative %q: failsAt: is for near misses; an alternative is a correct answer that must pass", n.Name)
		}
		v.steps("alternative", n.Steps(), false)
	}
	for _, n := range e.NearMisses {
		if n.Name == "" {
			v.add(n.Pos, "near miss: name: is required")
		}
		if len(n.Manifests) == 0 && len(n.Commands) == 0 {
			v.add(n.Pos, "near miss %q: give manifests: or commands:", n.Name)
		}
		if n.FailsAt != "" && !checkIDs[n.FailsAt] {
			v.add(n.Pos, "near miss %q: failsAt: no check %q in exercise %q", n.Name, n.FailsAt, e.ID)
		}
		v.steps("near miss", n.Steps(), false)
	}
}

func (v *validator) check(c *Check) {
	kinds := 0
	for _, set := range []bool{c.Kind != "", c.Exec != nil, c.HTTP != nil} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		v.add(c.Pos, "a check is exactly one of: an object (kind:), exec:, http:")
		return
	}
	v.checkNamespace(c.Pos, c.Namespace)
	for _, r := range c.With {
		v.checkNamespace(c.Pos, r.Namespace)
	}
	if c.Exec != nil {
		v.checkNamespace(c.Pos, c.Exec.Namespace)
	}
	if c.HTTP != nil {
		v.checkNamespace(c.Pos, c.HTTP.Namespace)
	}
	switch {
	case c.Kind != "":
		v.objectCheck(c)
	case c.Exec != nil:
		if (c.Exec.Pod == "") == (c.Exec.Selector == "") {
			v.add(c.Pos, "exec: give exactly one of pod: or selector:")
		}
		v.selector(c.Pos, c.Exec.Selector)
		if len(c.Exec.Command) == 0 {
			v.add(c.Pos, "exec: command: is required")
		}
		v.expect(c, true)
		if c.Expect != nil && !c.Expect.Secret && v.readsSecret(c.Exec.Command) {
			v.warn(c.Pos, "exec: %q seems to read a Secret; mark the probe expect: {secret: true} so its output never shows in verdicts",
				strings.Join(c.Exec.Command, " "))
		}
	case c.HTTP != nil:
		h := c.HTTP
		switch {
		case h.Via == "ingress" && (h.Service != "" || h.URL != ""):
			v.add(c.Pos, "http: via: ingress goes through the sandbox's ingress; leave out service: and url:")
		case h.Via != "ingress" && (h.Service == "") == (h.URL == ""):
			v.add(c.Pos, "http: give exactly one of service: or url:")
		}
		switch h.Via {
		case "", "proxy", "nodePort", "loadBalancer", "ingress":
		default:
			v.add(c.Pos, "http: via: %q must be proxy, nodePort, loadBalancer or ingress", h.Via)
		}
		if h.Via == "ingress" && h.Host == "" && h.Path == "" {
			v.add(c.Pos, "http: via: ingress needs host: or path:")
		}
		v.expect(c, false)
	}
}

func (v *validator) apiVersion(p Pos, av string) {
	if av == "" {
		return
	}
	if _, err := schema.ParseGroupVersion(av); err != nil || strings.Count(av, "/") > 1 {
		v.add(p, "apiVersion %q: write it as VERSION or GROUP/VERSION, like v1 or apps/v1", av)
	}
}

// checkNamespace rejects a namespace a check could never find: reading is
// harmless, but a typo would make a check that can never pass. Allowed: the
// lesson's namespaces, namespaces its exercises create (listed under
// reset: delete:), and kube-system.
func (v *validator) checkNamespace(p Pos, ns string) {
	if ns == "" || ns == "kube-system" || v.ownsNamespace(ns) {
		return
	}
	v.add(p, "namespace %q is not one of this lesson's (%s), one its exercises create (reset: delete:), nor kube-system",
		ns, strings.Join(v.l.Spec.Namespaces, ", "))
}

func (v *validator) objectCheck(c *Check) {
	v.apiVersion(c.Pos, c.APIVersion)
	if c.Name != "" && c.Selector != "" {
		v.add(c.Pos, "give name: or selector:, not both")
	}
	v.selector(c.Pos, c.Selector)
	if c.Absent && (c.Match != nil || c.Count != nil || c.Expr != "") {
		v.add(c.Pos, "absent: true cannot be combined with match:, count: or expr:")
	}
	if c.Expect != nil {
		v.add(c.Pos, "expect: is for exec: and http: probes; objects use match:, count: and expr:")
	}
	names := make([]string, 0, len(c.With))
	for n, r := range c.With {
		names = append(names, n)
		if r.Kind == "" {
			v.add(c.Pos, "with: %s: kind: is required", n)
		}
		v.apiVersion(c.Pos, r.APIVersion)
		v.selector(c.Pos, r.Selector)
	}
	if c.Expr != "" {
		if _, err := expr.Compile(c.Expr, names); err != nil {
			v.add(c.Pos, "expr: %v", err)
		}
	} else if len(c.With) > 0 {
		v.add(c.Pos, "with: is only used by expr:")
	}
}

func (v *validator) selector(p Pos, s string) {
	if s == "" {
		return
	}
	if _, err := labels.Parse(s); err != nil {
		v.add(p, "selector %q: %v", s, err)
	}
}

func (v *validator) expect(c *Check, exec bool) {
	x := c.Expect
	if x == nil {
		if !exec {
			return // an HTTP probe without expect: wants any 2xx
		}
		v.add(c.Pos, "exec: expect: is required (exitCode:, contains:, notContains: or matches:)")
		return
	}
	if x.Matches != "" {
		if _, err := regexp.Compile(x.Matches); err != nil {
			v.add(c.Pos, "expect: matches: %v", err)
		}
	}
	if exec && x.Status != 0 {
		v.add(c.Pos, "expect: status: is for http: probes")
	}
	if !exec && x.ExitCode != nil {
		v.add(c.Pos, "expect: exitCode: is for exec: probes")
	}
}

// readsSecret guesses whether a probe command prints a Secret's values: it
// names a Secret, a path where a lesson manifest mounts one, or a variable
// a manifest fills from one.
func (v *validator) readsSecret(command []string) bool {
	cmd := strings.Join(command, " ")
	if strings.Contains(strings.ToLower(cmd), "secret") {
		return true
	}
	for _, ref := range v.secretRefs() {
		if strings.Contains(cmd, ref) {
			return true
		}
	}
	return false
}

// secretRefs lists mount paths and variable names that carry Secret values
// in the lesson's manifests.
func (v *validator) secretRefs() []string {
	if v.secrets != nil {
		return v.secrets
	}
	v.secrets = []string{}
	var manifests []string
	manifests = append(manifests, v.l.Spec.Setup.Manifests...)
	for _, e := range v.l.Spec.Exercises {
		manifests = append(manifests, e.Solution.Manifests...)
	}
	for _, m := range manifests {
		objs, err := v.l.ReadManifest(m)
		if err != nil {
			continue
		}
		for _, o := range objs {
			v.secrets = append(v.secrets, secretRefsOf(o.Object)...)
		}
	}
	return v.secrets
}

// secretRefsOf walks a pod spec (at any depth) for secret volumes' mount
// paths and env vars from secretKeyRef.
func secretRefsOf(obj map[string]any) []string {
	var out []string
	secretVolumes := map[string]bool{}
	var walk func(any)
	walk = func(x any) {
		switch t := x.(type) {
		case map[string]any:
			if vols, ok := t["volumes"].([]any); ok {
				for _, vol := range vols {
					if m, ok := vol.(map[string]any); ok && m["secret"] != nil {
						if n, ok := m["name"].(string); ok {
							secretVolumes[n] = true
						}
					}
				}
			}
			if vf, ok := t["valueFrom"].(map[string]any); ok && vf["secretKeyRef"] != nil {
				if n, ok := t["name"].(string); ok {
					out = append(out, "$"+n, "${"+n+"}")
				}
			}
			for _, val := range t {
				walk(val)
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(obj)
	var mounts func(any)
	mounts = func(x any) {
		switch t := x.(type) {
		case map[string]any:
			if n, ok := t["name"].(string); ok && secretVolumes[n] {
				if p, ok := t["mountPath"].(string); ok && p != "" {
					out = append(out, p)
				}
			}
			for _, val := range t {
				mounts(val)
			}
		case []any:
			for _, e := range t {
				mounts(e)
			}
		}
	}
	mounts(obj)
	return out
}
