// Package checker turns a lesson's checks into verdicts against a cluster.
//
// Checks only read the cluster. Each check is polled until it passes or its
// timeout ends; the verdict then says, in a learner's words, what was seen
// last, with evidence (events, pod state, log lines) when it fails.
package checker

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/kworkbook/kworkbook/internal/kube"
	"github.com/kworkbook/kworkbook/internal/locale"
	"github.com/kworkbook/kworkbook/lessons"
)

// Default timeouts: object state settles fast; probes wait for pods and DNS.
const (
	DefaultObjectTimeout = 3 * time.Second
	DefaultProbeTimeout  = 10 * time.Second
	DefaultInterval      = 250 * time.Millisecond
)

// Status is the outcome of a check or an exercise.
type Status string

const (
	Pass Status = "pass"
	Fail Status = "fail"
	// Error means the check could not be evaluated: the cluster is
	// unreachable, access is denied, or a kind is not served.
	Error Status = "error"
	// Skipped checks were not run because an earlier check failed, or
	// because they cannot tell learners apart here (their message says
	// why; the exercise is decided by its other checks).
	Skipped Status = "skipped"
)

// ErrInfrastructure is wrapped by errors about the cluster rather than the
// learner's work.
var ErrInfrastructure = errors.New("the cluster could not be checked")

// Cluster is what the checker reads.
type Cluster struct {
	Typed   kubernetes.Interface
	Dynamic dynamic.Interface
	Mapper  meta.RESTMapper
	Exec    kube.Execer
	// Host says how this machine reaches NodePorts, load balancers and the
	// ingress; zero values mean "not reachable from here".
	Host Host
	// Lacks maps what the cluster is known not to provide (a lesson
	// requirement such as "networkpolicy") to a sentence that says so. An
	// exercise that requires one of them is not checked: its verdict says
	// why (status Error), rather than failing as if the learner erred.
	Lacks map[string]string
}

// LackHostlessIngress is a lack that is not a lesson requirement: the
// ingress controller is shared (a classroom), so a request for a path
// that a rule without a host routes may be answered by another learner's
// Ingress. Such probes are skipped, with its sentence, and the exercise
// is decided by its other checks (which read the learner's own Ingress).
const LackHostlessIngress = "hostless-ingress"

// Host describes the network paths from this machine into the cluster.
type Host struct {
	// NodePorts maps a NodePort to the local port that forwards to it.
	NodePorts map[int]int
	// IngressURL is the base URL of the ingress controller from this machine.
	IngressURL string
	// NodeIPsReachable says node InternalIPs answer from here (Linux Docker).
	NodeIPsReachable bool
	// Client sends host-side HTTP probes; nil means a client with a 2 s timeout.
	Client *http.Client
}

// Options tune a run.
type Options struct {
	// Timeout, when set, replaces every check's timeout.
	Timeout time.Duration
	// Once evaluates each check a single time (watch mode re-runs on change).
	Once bool
	// Interval between polls; DefaultInterval when zero.
	Interval time.Duration
	// Parallel is how many exercises run at once; 8 when zero.
	Parallel int
	// NoSettle keeps polling a failing check until its timeout even when
	// the cluster has settled.
	NoSettle bool
	// Printer writes the verdicts' sentences; English when nil. Machine
	// readable reports keep English unless asked otherwise.
	Printer *locale.Printer
}

// Checker evaluates exercises against one cluster.
type Checker struct {
	cl      Cluster
	opts    Options
	p       *locale.Printer
	secrets secretCache
}

// New returns a checker.
func New(cl Cluster, opts Options) *Checker {
	if opts.Interval == 0 {
		opts.Interval = DefaultInterval
	}
	if opts.Parallel == 0 {
		opts.Parallel = 8
	}
	if cl.Host.Client == nil {
		cl.Host.Client = &http.Client{Timeout: 2 * time.Second}
	}
	return &Checker{cl: cl, opts: opts, p: opts.Printer.Or()}
}

// WithLacks returns a checker that also treats lacks as missing from the
// cluster.
func (c *Checker) WithLacks(lacks map[string]string) *Checker {
	cl := c.cl
	cl.Lacks = map[string]string{}
	for k, v := range c.cl.Lacks {
		cl.Lacks[k] = v
	}
	for k, v := range lacks {
		cl.Lacks[k] = v
	}
	return New(cl, c.opts)
}

// Verdict is the outcome of one exercise.
type Verdict struct {
	Lesson   string        `json:"lesson"`
	Exercise string        `json:"exercise"`
	Title    string        `json:"title"`
	Weight   int           `json:"weight"`
	Status   Status        `json:"status"`
	Message  string        `json:"message"`
	Evidence []string      `json:"evidence,omitempty"`
	Checks   []CheckResult `json:"checks"`
	Duration time.Duration `json:"durationNanos"`
}

// Passed reports whether every check passed.
func (v Verdict) Passed() bool { return v.Status == Pass }

// CheckResult is the outcome of one check.
type CheckResult struct {
	// ID is the check's id, or #N (1-based) when it has none.
	ID       string   `json:"id"`
	Status   Status   `json:"status"`
	Message  string   `json:"message"`
	Evidence []string `json:"evidence,omitempty"`
	// Err is the infrastructure error when Status is Error.
	Err error `json:"-"`
}

// Lesson checks every exercise of l concurrently and returns verdicts in
// exercise order.
func (c *Checker) Lesson(ctx context.Context, l *lessons.Lesson) []Verdict {
	out := make([]Verdict, len(l.Spec.Exercises))
	sem := make(chan struct{}, c.opts.Parallel)
	var wg sync.WaitGroup
	for i, e := range l.Spec.Exercises {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i] = c.Exercise(ctx, l, e)
		}()
	}
	wg.Wait()
	return out
}

// Exercise runs an exercise's checks in order; the first one that does not
// pass decides the verdict and the rest are skipped.
func (c *Checker) Exercise(ctx context.Context, l *lessons.Lesson, e *lessons.Exercise) Verdict {
	start := time.Now()
	v := Verdict{Lesson: l.ID, Exercise: e.ID, Title: e.Title, Weight: e.EffectiveWeight(), Status: Pass}
	for _, r := range e.Requires {
		if why, ok := c.cl.Lacks[r]; ok {
			v.Status = Error
			v.Message = c.p.T("verdict.cannot_check_here", "Why", why)
			for i := range e.Checks {
				v.Checks = append(v.Checks, CheckResult{ID: checkID(e.Checks[i], i), Status: Skipped})
			}
			v.Duration = time.Since(start)
			return v
		}
	}
	for i, ch := range e.Checks {
		id := checkID(ch, i)
		if v.Status != Pass {
			v.Checks = append(v.Checks, CheckResult{ID: id, Status: Skipped})
			continue
		}
		if why, ok := c.cl.Lacks[LackHostlessIngress]; ok && hostlessIngress(ch) {
			v.Checks = append(v.Checks, CheckResult{ID: id, Status: Skipped, Message: why})
			continue
		}
		r := c.Check(ctx, l, ch)
		r.ID = id
		v.Checks = append(v.Checks, r)
		if r.Status != Pass {
			v.Status, v.Message, v.Evidence = r.Status, r.Message, r.Evidence
		}
	}
	if v.Status == Pass {
		passed := 0
		for _, r := range v.Checks {
			if r.Status == Pass {
				passed++
			}
		}
		v.Message = c.p.N("verdict.pass", passed)
	}
	v.Duration = time.Since(start)
	return v
}

// hostlessIngress reports whether ch asks the ingress controller for a
// path without naming a host, which every Ingress rule without a host
// matches.
func hostlessIngress(ch *lessons.Check) bool {
	return ch.HTTP != nil && ch.HTTP.Via == "ingress" && ch.HTTP.URL == "" && ch.HTTP.Host == ""
}

// PassedIDs lists the exercises whose verdict in vs is a pass.
func PassedIDs(vs []Verdict) []string {
	var ids []string
	for _, v := range vs {
		if v.Passed() {
			ids = append(ids, v.Exercise)
		}
	}
	return ids
}

// checkID is a check's id, or #N (1-based) when it has none.
func checkID(ch *lessons.Check, i int) string {
	if ch.ID != "" {
		return ch.ID
	}
	return fmt.Sprintf("#%d", i+1)
}

// Check polls one check until it passes or its timeout ends.
func (c *Checker) Check(ctx context.Context, l *lessons.Lesson, ch *lessons.Check) CheckResult {
	timeout := c.timeout(ch)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last outcome
	for {
		o := c.evaluate(ctx, l, ch)
		// An attempt cut short by the deadline says less than the one before it.
		if !o.timedOut || last.msg == "" {
			last = o
		}
		if o.timedOut || last.fatal || ctx.Err() != nil {
			break
		}
		if last.pass {
			// A probe that passes while the network plugin may still be
			// programming a policy change may pass by accident (the ingress
			// half of a policy in force, its egress half not yet): it must
			// pass again once the policies have settled.
			if ch.Kind == "" && c.policiesSettling(ctx, l, ch, time.Now()) {
				select {
				case <-ctx.Done():
				case <-time.After(c.opts.Interval):
					continue
				}
			}
			break
		}
		if c.opts.Once {
			break
		}
		// A failure is final as soon as nothing the check depends on is on
		// its way: on work not done (or settled wrong) that is the first
		// look; right after kubectl apply the check waits for what follows.
		if !c.opts.NoSettle && !c.progressing(ctx, l, ch, last, time.Now()) {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(c.opts.Interval):
			continue
		}
		break
	}
	if last.pass {
		return c.scrub(ctx, l, ch, CheckResult{Status: Pass, Message: last.msg})
	}
	r := CheckResult{Status: Fail, Message: last.msg}
	if last.err != nil {
		r.Status, r.Err = Error, last.err
		if r.Message == "" {
			r.Message = last.err.Error()
		}
	}
	if ch.Message != "" && r.Status == Fail {
		seen := last.seen
		if seen == "" {
			seen = last.msg
		}
		r.Message = c.p.T("verdict.author_message", "Message", ch.Message, "Seen", seen)
	}
	// Evidence is gathered once, after the last attempt, with a fresh deadline.
	ectx, ecancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
	defer ecancel()
	r.Evidence = dedupe(append(last.evidence, c.gatherEvidence(ectx, last.objects)...))
	return c.scrub(ectx, l, ch, r)
}

func (c *Checker) timeout(ch *lessons.Check) time.Duration {
	if c.opts.Timeout > 0 {
		return c.opts.Timeout
	}
	if ch.Kind != "" {
		return ch.Timeout.Or(DefaultObjectTimeout)
	}
	return ch.Timeout.Or(DefaultProbeTimeout)
}

// progressing reports whether what the check looked at may still change
// by itself: then a failing check keeps polling until its timeout.
func (c *Checker) progressing(ctx context.Context, l *lessons.Lesson, ch *lessons.Check, last outcome, now time.Time) bool {
	objs := make([]*unstructured.Unstructured, 0, len(last.objects)+len(last.related))
	for _, r := range last.objects {
		objs = append(objs, r.obj)
	}
	ns := checkNamespace(l, ch)
	if ch.HTTP != nil && ch.HTTP.Service != "" && c.cl.Typed != nil {
		// A Service just made or changed may not be routed to yet.
		if svc, err := c.cl.Typed.CoreV1().Services(ns).Get(ctx, ch.HTTP.Service, metav1.GetOptions{}); err == nil {
			if u, err := toUnstructured(svc); err == nil {
				objs = append(objs, u)
			}
		}
	}
	if objectsProgressing(append(objs, last.related...), now) {
		return true
	}
	if ch.Kind == "" {
		// A probe's answer depends on more than it reads: a Service, its
		// endpoints, an Ingress, a NetworkPolicy or a ConfigMap changed a
		// moment ago, in any of the lesson's namespaces (a probe from one
		// reaches into another), may not have reached DNS, kube-proxy or
		// the kubelet.
		for _, n := range probeNamespaces(l, ns) {
			if c.namespaceChanged(ctx, n, now) {
				return true
			}
		}
	}
	return c.podsProgressing(ctx, ns, now)
}

// probeNamespaces are the namespaces a probe's answer may depend on: the
// lesson's, those its exercises make, and the probe's own.
func probeNamespaces(l *lessons.Lesson, ns string) []string {
	out := append([]string{}, l.Spec.Namespaces...)
	for _, d := range l.Spec.Reset.Delete {
		if lessons.SameKind(d.Kind, "Namespace") && d.Name != "" {
			out = append(out, d.Name)
		}
	}
	if ns != "" && !slices.Contains(out, ns) {
		out = append(out, ns)
	}
	return out
}

func checkNamespace(l *lessons.Lesson, ch *lessons.Check) string {
	switch {
	case ch.Exec != nil && ch.Exec.Namespace != "":
		return ch.Exec.Namespace
	case ch.HTTP != nil && ch.HTTP.Namespace != "":
		return ch.HTTP.Namespace
	case ch.Namespace != "":
		return ch.Namespace
	}
	return l.Namespace()
}

// outcome is the result of one evaluation of a check.
type outcome struct {
	pass bool
	msg  string
	// timedOut: the attempt was cut short by the check's deadline.
	timedOut bool
	// seen is a short account of what was looked at, shown after an
	// author's own message instead of msg.
	seen     string
	evidence []string
	// objects are what the check looked at, for evidence.
	objects []objectRef
	// related are other objects the check read; they only tell whether
	// the cluster is still changing.
	related []*unstructured.Unstructured
	// err is an infrastructure error; fatal ones stop polling at once.
	err   error
	fatal bool
}

func (c *Checker) evaluate(ctx context.Context, l *lessons.Lesson, ch *lessons.Check) outcome {
	switch {
	case ch.Kind != "":
		return c.object(ctx, l, ch)
	case ch.Exec != nil:
		return c.exec(ctx, l, ch)
	case ch.HTTP != nil:
		return c.http(ctx, l, ch)
	}
	return outcome{err: fmt.Errorf("%w: %s", ErrInfrastructure, c.p.T("check.empty")), fatal: true}
}
