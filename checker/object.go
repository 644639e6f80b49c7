package checker

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kworkbook/kworkbook/checker/expr"
	"github.com/kworkbook/kworkbook/internal/kube"
	"github.com/kworkbook/kworkbook/internal/locale"
	"github.com/kworkbook/kworkbook/lessons"
)

// objectRef is an object a check looked at, kept for evidence.
type objectRef struct {
	obj *unstructured.Unstructured
}

// selection is the set of objects a check or a with: entry names.
type selection struct {
	ref     lessons.ObjectRef
	mapping *meta.RESTMapping
	ns      string
	objects []*unstructured.Unstructured
}

// what names the selection for a learner: `Deployment "web" in namespace kw-05`.
func (s *selection) what(p *locale.Printer) string {
	kind := s.mapping.GroupVersionKind.Kind
	var what string
	switch {
	case s.ref.Name != "":
		what = p.T("sel.named", "Kind", kind, "Name", s.ref.Name)
	case s.ref.Selector != "":
		what = p.T("sel.labelled", "Kind", kind, "Kinds", plural(kind), "Selector", s.ref.Selector)
	default:
		what = p.T("sel.all", "Kind", kind, "Kinds", plural(kind))
	}
	if s.ns != "" {
		what = p.T("sel.in_namespace", "What", what, "Namespace", s.ns)
	}
	return what
}

// none says the selection is empty: "there is no Pod "web" ..." or
// "there are no Pods with labels app=web ...".
func (s *selection) none(p *locale.Printer) string {
	if s.ref.Name != "" {
		return p.T("sel.none_named", "What", s.what(p))
	}
	return p.T("sel.none", "What", s.what(p))
}

// plural is a kind's English plural ("Pods", "Ingresses", "NetworkPolicies"),
// which English messages use; kind names are API names in every language.
func plural(kind string) string {
	switch {
	case strings.HasSuffix(kind, "s"):
		return kind + "es"
	case strings.HasSuffix(kind, "y"):
		return kind[:len(kind)-1] + "ies"
	}
	return kind + "s"
}

func (c *Checker) sel(ctx context.Context, l *lessons.Lesson, ref lessons.ObjectRef) (*selection, error) {
	m, err := kube.Mapping(c.cl.Mapper, ref.Kind, ref.APIVersion)
	if err != nil {
		return nil, err
	}
	s := &selection{ref: ref, mapping: m}
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		s.ns = ref.Namespace
		if s.ns == "" {
			s.ns = l.Namespace()
		}
	}
	ri := c.cl.Dynamic.Resource(m.Resource).Namespace(s.ns)
	if ref.Name != "" {
		o, err := ri.Get(ctx, ref.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return s, nil
		}
		if err != nil {
			return nil, err
		}
		s.objects = []*unstructured.Unstructured{o}
		return s, nil
	}
	list, err := ri.List(ctx, metav1.ListOptions{LabelSelector: ref.Selector})
	if err != nil {
		return nil, err
	}
	for i := range list.Items {
		s.objects = append(s.objects, &list.Items[i])
	}
	sort.Slice(s.objects, func(i, j int) bool { return s.objects[i].GetName() < s.objects[j].GetName() })
	return s, nil
}

func checkRef(ch *lessons.Check) lessons.ObjectRef {
	return lessons.ObjectRef{Kind: ch.Kind, APIVersion: ch.APIVersion, Name: ch.Name, Namespace: ch.Namespace, Selector: ch.Selector}
}

func (c *Checker) object(ctx context.Context, l *lessons.Lesson, ch *lessons.Check) outcome {
	s, err := c.sel(ctx, l, checkRef(ch))
	if err != nil {
		return c.infra(err, ch.Kind)
	}
	refs := make([]objectRef, len(s.objects))
	for i, o := range s.objects {
		refs[i] = objectRef{obj: o}
	}
	if ch.Absent {
		if len(s.objects) == 0 {
			return outcome{pass: true, msg: s.none(c.p)}
		}
		return outcome{msg: c.p.T("check.still_exists", "What", s.what(c.p), "Seen", c.describe(s.objects[0]))}
	}

	vars := map[string]any{}
	var related []*unstructured.Unstructured
	withNames := make([]string, 0, len(ch.With))
	for name, ref := range ch.With {
		ws, err := c.sel(ctx, l, ref)
		if err != nil {
			return c.infra(err, ref.Kind)
		}
		list := make([]any, len(ws.objects))
		for i, o := range ws.objects {
			list[i] = o.Object
		}
		vars[name] = list
		withNames = append(withNames, name)
		related = append(related, ws.objects...)
	}
	all := make([]any, len(s.objects))
	for i, o := range s.objects {
		all[i] = o.Object
	}
	vars["objects"] = all

	var prg *expr.Program
	if ch.Expr != "" {
		if prg, err = expr.Compile(ch.Expr, withNames); err != nil {
			return outcome{err: fmt.Errorf("%w: %v", ErrInfrastructure, err), fatal: true}
		}
	}
	want, _ := normalize(ch.Match).(map[string]any)
	out := c.judge(ctx, ch, s, refs, want, prg, vars)
	out.related = related
	if out.pass {
		concerned := append([]*unstructured.Unstructured{}, s.objects...)
		for _, r := range related {
			if r.GetKind() == "Pod" {
				concerned = append(concerned, r)
			}
		}
		if why, p := crashLooping(c.p, c.relatedPods(ctx, concerned), time.Now()); why != "" {
			return outcome{msg: why, objects: append(refs, podRef(p)), related: related}
		}
	}
	return out
}

// podRef is a pod as an object the check looked at, for evidence.
func podRef(p *corev1.Pod) objectRef {
	u, err := toUnstructured(p)
	if err != nil {
		return objectRef{obj: &unstructured.Unstructured{Object: map[string]any{}}}
	}
	u.SetKind("Pod")
	u.SetAPIVersion("v1")
	return objectRef{obj: u}
}

// judge decides a check from its selection.
func (c *Checker) judge(ctx context.Context, ch *lessons.Check, s *selection, refs []objectRef, want map[string]any, prg *expr.Program, vars map[string]any) outcome {

	// Each object either satisfies the check or says why not.
	var reasons []string
	matched := 0
	broken := ""
	for _, o := range s.objects {
		why, bad := c.satisfies(o, want, prg, vars)
		switch {
		case why == "":
			matched++
		case bad && broken == "":
			broken = why
			fallthrough
		default:
			reasons = append(reasons, why)
		}
	}

	if ch.Count != nil && broken != "" {
		// An expression that cannot be evaluated says nothing about how many
		// objects match: counting it as "no match" would pass count: 0.
		return outcome{msg: broken, objects: refs, evidence: c.summaries(s.objects)}
	}
	if ch.Count != nil {
		if ch.Count.Holds(matched) {
			return outcome{pass: true, msg: c.p.N("check.count.pass", matched, "What", s.what(c.p)), objects: refs}
		}
		msg := c.p.N("check.count.fail", matched, "What", s.what(c.p), "Want", c.countText(*ch.Count))
		if matched < ch.Count.N && len(reasons) > 0 {
			msg = c.p.T("check.count.fail_why", "Message", msg, "Why", reasons[0])
		}
		return outcome{msg: msg, objects: refs, evidence: c.summaries(s.objects)}
	}
	if len(s.objects) == 0 {
		return outcome{msg: c.notFound(ctx, s), objects: refs}
	}
	if len(reasons) > 0 {
		if len(s.objects) == 1 {
			seen := c.describe(s.objects[0])
			return outcome{msg: c.p.T("check.one_mismatch", "Why", reasons[0], "Seen", seen), seen: seen, objects: refs}
		}
		return outcome{msg: c.p.T("check.some_mismatch", "Bad", len(reasons), "All", len(s.objects), "What", s.what(c.p), "Why", reasons[0]),
			objects: refs, evidence: c.summaries(s.objects)}
	}
	if len(s.objects) == 1 {
		return outcome{pass: true, msg: c.describe(s.objects[0]), objects: refs}
	}
	return outcome{pass: true, msg: c.p.N("check.all_match", len(s.objects), "What", s.what(c.p)), objects: refs}
}

// countText says a count condition: "exactly 3", "at least 2".
func (c *Checker) countText(n lessons.Count) string {
	ops := map[string]string{">=": "count.at_least", ">": "count.more_than", "<=": "count.at_most", "<": "count.fewer_than"}
	id, ok := ops[n.Op]
	if !ok {
		id = "count.exactly"
	}
	return c.p.T(id, "N", n.N)
}

// satisfies returns "" when o matches want and prg, or a sentence saying why not.
// broken is true when the expression could not be evaluated for a reason
// other than a field the object does not have (a type mismatch, say).
func (c *Checker) satisfies(o *unstructured.Unstructured, want map[string]any, prg *expr.Program, vars map[string]any) (why string, broken bool) {
	if want != nil {
		if m := matchTree(want, o.Object, ""); m != nil {
			hide := func(p string) bool { return o.GetKind() == "Secret" && !strings.HasPrefix(p, "metadata") }
			return c.p.T("check.object_says", "Kind", o.GetKind(), "Name", o.GetName(), "Why", m.describe(c.p, hide)), false
		}
	}
	if prg != nil {
		local := make(map[string]any, len(vars)+1)
		for k, v := range vars {
			local[k] = v
		}
		local["object"] = o.Object
		ok, err := prg.Eval(local)
		if err != nil {
			return c.p.T("check.object_says", "Kind", o.GetKind(), "Name", o.GetName(),
				"Why", c.p.T("check.expr_error", "Expr", prg.Source, "Error", c.friendlyEvalError(err))), !strings.HasPrefix(err.Error(), "no such key")
		}
		if !ok {
			return c.p.T("check.object_says", "Kind", o.GetKind(), "Name", o.GetName(), "Why", c.p.T("check.expr_false", "Expr", prg.Source)), false
		}
	}
	return "", false
}

func (c *Checker) friendlyEvalError(err error) string {
	s := err.Error()
	if strings.HasPrefix(s, "no such key: ") {
		return c.p.T("check.field_not_set", "Field", strings.TrimPrefix(s, "no such key: "))
	}
	return s
}

// notFound says an object is missing and, for named objects, where an object
// of that name does exist: the classic wrong-namespace mistake.
func (c *Checker) notFound(ctx context.Context, s *selection) string {
	msg := s.none(c.p)
	if s.ref.Name == "" || s.ns == "" {
		return msg
	}
	list, err := c.cl.Dynamic.Resource(s.mapping.Resource).List(ctx, metav1.ListOptions{
		FieldSelector: "metadata.name=" + s.ref.Name,
	})
	if err != nil || len(list.Items) == 0 {
		return msg
	}
	var elsewhere []string
	for _, o := range list.Items {
		if o.GetNamespace() != s.ns {
			elsewhere = append(elsewhere, o.GetNamespace())
		}
	}
	if len(elsewhere) == 0 {
		return msg
	}
	return c.p.T("check.elsewhere", "Message", msg, "Elsewhere", strings.Join(elsewhere, ", "), "Namespace", s.ns)
}

func (c *Checker) summaries(objs []*unstructured.Unstructured) []string {
	var out []string
	for i, o := range objs {
		if i == 5 {
			out = append(out, c.p.N("check.and_more", len(objs)-5))
			break
		}
		out = append(out, c.describe(o))
	}
	return out
}

// infra turns an API error into an outcome: missing kinds, denied access and
// an unreachable cluster stop polling at once, with advice.
func (c *Checker) infra(err error, kind string) outcome {
	switch {
	case meta.IsNoMatchError(err):
		return outcome{fatal: true, err: fmt.Errorf("%w: %s", ErrInfrastructure, c.p.T("check.kind_not_served", "Kind", kind))}
	case apierrors.IsForbidden(err):
		verb, res, ns, _ := kube.Forbidden(err)
		if verb != "" && ns != "" {
			return outcome{fatal: true, err: fmt.Errorf("%w: %s", ErrInfrastructure, c.p.T("err.forbidden", "Verb", verb, "Resource", res, "Namespace", ns))}
		}
		return outcome{fatal: true, err: fmt.Errorf("%w: %s", ErrInfrastructure, c.p.T("check.forbidden", "Kind", kind, "Error", err.Error()))}
	case apierrors.IsUnauthorized(err):
		return outcome{fatal: true, err: fmt.Errorf("%w: %s", ErrInfrastructure, c.p.T("check.unauthorized", "Error", err.Error()))}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled),
		// client-go's rate limiter refuses a wait that would pass the deadline.
		strings.Contains(err.Error(), "would exceed context deadline"):
		return outcome{msg: c.p.T("check.timed_out"), timedOut: true}
	}
	return outcome{fatal: true, err: fmt.Errorf("%w: %s", ErrInfrastructure, c.p.T("check.unreachable", "Error", err.Error()))}
}
