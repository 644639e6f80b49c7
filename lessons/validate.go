package lessons

import (
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
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
)

var knownRequires = []string{RequireNodePort, RequireLoadBalancer, RequireIngress, RequireWorkers}

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
}

func (v *validator) add(p Pos, format string, args ...any) {
	if p.File == "" {
		p = v.spec
	}
	v.probs = append(v.probs, Problem{p, fmt.Sprintf(format, args...)})
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
		if u, err := url.Parse(d); err != nil || u.Scheme != "https" || u.Host == "" {
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

func (v *validator) reset() {
	for _, r := range v.l.Spec.Reset.Delete {
		if r.Kind == "" || (r.Name == "" && r.Selector == "") {
			v.add(r.Pos, "reset: delete: give kind and name (or selector)")
		}
		if r.Kind == "Namespace" && !strings.HasPrefix(r.Name, "kw-") {
			v.add(r.Pos, "reset: delete: namespace %q: only kw- namespaces may be deleted by a lesson", r.Name)
		}
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
	if ns == "" || ns == "kube-system" || slices.Contains(v.l.Spec.Namespaces, ns) {
		return
	}
	for _, r := range v.l.Spec.Reset.Delete {
		if r.Kind == "Namespace" && r.Name == ns {
			return
		}
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

var _ fs.FS // lesson files are read through Lesson.FS
