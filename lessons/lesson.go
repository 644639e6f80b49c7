// Package lessons loads, parses and validates the kworkbook curriculum.
//
// A lesson is a directory named NN-slug (for example 05-deployments) holding
// README.md (prose with YAML front matter and one ```exercise block per
// exercise), lesson.yaml (the language-neutral exercise file: checks, weights,
// setup, reference solutions, near misses) and the manifests those refer to.
// FORMAT.md in this directory documents the format for lesson authors.
package lessons

import (
	"fmt"
	"io/fs"
	"time"
)

// Lesson is one fully loaded lesson: prose and exercise file joined.
type Lesson struct {
	// ID is the canonical id, "lesson-05".
	ID string
	// Number is the NN of the directory name.
	Number int
	// Slug is the directory name without its number, "deployments".
	Slug string
	// Dir is the lesson's directory inside FS.
	Dir string
	// FS holds the lesson's files (embedded content or an override directory).
	FS fs.FS
	// Source says where the lesson came from: "embedded" or an override directory.
	Source string

	Meta  Meta
	Prose *Prose
	Spec  *Spec

	// NodeChanges are the lesson's steps that change nodes, found in its
	// commands and manifests ("lesson.yaml:40: kubectl cordon ...").
	NodeChanges []string

	// Lang is the language the lesson reads in ("" for English); see In.
	Lang string
	// Editions are the lesson's translations, by language.
	Editions map[string]*Edition
	// base is the English lesson a translated or scoped copy was made from.
	base *Lesson
	// Scope is where the lesson lives (see Scoped); zero for a lone learner.
	Scope Scope
}

// Meta is the README's front matter.
type Meta struct {
	Title   string   `yaml:"title"`
	Summary string   `yaml:"summary"`
	Minutes int      `yaml:"minutes"`
	Docs    []string `yaml:"docs"`
	// Source, in a translation, is the hash of the English prose it was
	// translated from (SourceHash of ProseSource).
	Source string `yaml:"source"`
}

// Spec is the parsed lesson.yaml.
type Spec struct {
	// Namespaces the lesson owns; the first is the default for checks.
	Namespaces []string `yaml:"namespaces"`
	// Scope is "cluster" for a lesson that changes what every user of the
	// cluster shares (Namespaces, PersistentVolumes, nodes), which a
	// classroom cannot give each student a copy of; "" otherwise.
	Scope string `yaml:"scope"`
	// ScopeReasons say why, found from the lesson's files (nodes,
	// namespaces, volumes).
	ScopeReasons []string    `yaml:"-"`
	Requires     []string    `yaml:"requires"`
	Setup        Steps       `yaml:"setup"`
	Reset        Reset       `yaml:"reset"`
	Exercises    []*Exercise `yaml:"exercises"`

	Pos Pos `yaml:"-"`
}

// Steps is a list of manifests applied server-side and kubectl commands run
// in order: manifests first, then commands.
type Steps struct {
	Manifests []string `yaml:"manifests"`
	Commands  []string `yaml:"commands"`
	// Wait lists objects that must be ready before the steps count as done,
	// as KIND/NAME (for example deployment/web); the namespace is the lesson's.
	Wait []string `yaml:"wait"`

	Pos Pos `yaml:"-"`
}

// Empty reports whether there is nothing to do.
func (s Steps) Empty() bool {
	return len(s.Manifests) == 0 && len(s.Commands) == 0 && len(s.Wait) == 0
}

// Reset lists cluster-scoped changes a lesson's exercises make, so that
// reset can undo them. Namespaced objects go with the lesson's namespaces.
type Reset struct {
	// NodeLabels are label keys removed from every node.
	NodeLabels []string `yaml:"nodeLabels"`
	// NodeTaints are taint keys removed from every node.
	NodeTaints []string `yaml:"nodeTaints"`
	// Uncordon marks every node schedulable again.
	Uncordon bool `yaml:"uncordon"`
	// Delete names cluster-scoped objects to delete (e.g. PersistentVolumes).
	Delete []ObjectRef `yaml:"delete"`
}

// ObjectRef names one object or a labelled set.
type ObjectRef struct {
	Kind       string `yaml:"kind"`
	APIVersion string `yaml:"apiVersion"`
	Name       string `yaml:"name"`
	Namespace  string `yaml:"namespace"`
	Selector   string `yaml:"selector"`

	Pos Pos `yaml:"-"`
}

// Exercise is one exercise: checks from lesson.yaml, title and hints from prose.
type Exercise struct {
	ID     string `yaml:"id"`
	Weight int    `yaml:"weight"`
	// Requires names what the cluster must provide for this exercise's
	// checks to be able to pass (see the lesson's requires:); on a cluster
	// that lacks it, the verdict says so instead of failing.
	Requires   []string    `yaml:"requires"`
	Checks     []*Check    `yaml:"checks"`
	Solution   Steps       `yaml:"solution"`
	NearMisses []*NearMiss `yaml:"nearMisses"`
	// Alternatives are other correct answers (imperative instead of YAML,
	// extra labels, another valid form) that the checks must accept. They
	// have the shape of near misses; failsAt is not used.
	Alternatives []*NearMiss `yaml:"alternatives"`

	// Title and Hints come from the exercise block in the prose.
	Title string   `yaml:"-"`
	Hints []string `yaml:"-"`
	// Index is the 1-based position in the lesson.
	Index int `yaml:"-"`

	Pos Pos `yaml:"-"`
}

// NearMiss is an almost-right answer that the exercise's checks must reject.
// The end-to-end tier applies it on a fresh lesson (previous exercises solved),
// expects the exercise to fail (at check FailsAt when given), then resets.
type NearMiss struct {
	Name      string   `yaml:"name"`
	Manifests []string `yaml:"manifests"`
	Commands  []string `yaml:"commands"`
	// Cleanup commands run after the near miss was tried, to remove what
	// it made outside the lesson's namespaces (reset removes the rest).
	Cleanup []string `yaml:"cleanup"`
	// FailsAt is the id of the check expected to fail.
	FailsAt string `yaml:"failsAt"`

	Pos Pos `yaml:"-"`
}

// Steps returns the near miss as steps to apply.
func (n *NearMiss) Steps() Steps {
	return Steps{Manifests: n.Manifests, Commands: n.Commands, Pos: n.Pos}
}

// Check is one declarative assertion. Exactly one of Kind (an object
// assertion), Exec or HTTP is set.
type Check struct {
	ID string `yaml:"id"`

	// Object assertion.
	Kind       string               `yaml:"kind"`
	APIVersion string               `yaml:"apiVersion"`
	Name       string               `yaml:"name"`
	Namespace  string               `yaml:"namespace"`
	Selector   string               `yaml:"selector"`
	Absent     bool                 `yaml:"absent"`
	Match      map[string]any       `yaml:"match"`
	Count      *Count               `yaml:"count"`
	Expr       string               `yaml:"expr"`
	With       map[string]ObjectRef `yaml:"with"`

	// Behaviour probes.
	Exec *ExecProbe `yaml:"exec"`
	HTTP *HTTPProbe `yaml:"http"`

	Expect  *Expect  `yaml:"expect"`
	Message string   `yaml:"message"`
	Timeout Duration `yaml:"timeout"`

	Pos Pos `yaml:"-"`
}

// ExecProbe runs a command in a container and matches its output.
type ExecProbe struct {
	Pod       string   `yaml:"pod"`
	Selector  string   `yaml:"selector"`
	Namespace string   `yaml:"namespace"`
	Container string   `yaml:"container"`
	Command   []string `yaml:"command"`
}

// HTTPProbe sends a GET request and matches the response.
type HTTPProbe struct {
	// Service and Port target a Service; Via says how it is reached.
	Service   string `yaml:"service"`
	Namespace string `yaml:"namespace"`
	Port      string `yaml:"port"`
	// Via is proxy (through the API server, the default), nodePort or
	// loadBalancer (from this machine), or ingress (from this machine
	// through the sandbox's ingress port, with Host).
	Via  string `yaml:"via"`
	Host string `yaml:"host"`
	Path string `yaml:"path"`
	// URL is a full address requested from this machine instead.
	URL string `yaml:"url"`
}

// Expect matches a probe's result.
type Expect struct {
	ExitCode    *int     `yaml:"exitCode"`
	Status      int      `yaml:"status"`
	Contains    []string `yaml:"contains"`
	NotContains []string `yaml:"notContains"`
	Matches     string   `yaml:"matches"`
	// Secret hides the output from verdicts (for probes that read Secrets).
	Secret bool `yaml:"secret"`
}

// Pos is a position in a lesson file.
type Pos struct {
	File string
	Line int
}

func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

// Duration is a time.Duration written as "10s" in YAML.
type Duration time.Duration

// Or returns d, or def when d is zero.
func (d Duration) Or(def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return time.Duration(d)
}

// Weight is the exercise's weight, 1 when unset.
func (e *Exercise) EffectiveWeight() int {
	if e.Weight <= 0 {
		return 1
	}
	return e.Weight
}

// Exercise returns the exercise with the given id, or nil.
func (l *Lesson) Exercise(id string) *Exercise {
	for _, e := range l.Spec.Exercises {
		if e.ID == id {
			return e
		}
	}
	return nil
}

// ExerciseIDs are the exercises' ids, in order.
func (l *Lesson) ExerciseIDs() []string {
	ids := make([]string, len(l.Spec.Exercises))
	for i, e := range l.Spec.Exercises {
		ids[i] = e.ID
	}
	return ids
}

// Namespace is the lesson's default namespace.
func (l *Lesson) Namespace() string {
	if len(l.Spec.Namespaces) == 0 {
		return ""
	}
	return l.Spec.Namespaces[0]
}

// Title is the lesson's title, falling back to its slug.
func (l *Lesson) Title() string {
	if l.Meta.Title != "" {
		return l.Meta.Title
	}
	return l.Slug
}

// ChangesNodes reports whether the lesson changes nodes (labels, taints,
// cordons, drains), as its reset: section declares or its commands and
// manifests show. Such a lesson must not run beside others on one cluster,
// since a drain or a taint moves their pods too, and kworkbook runs it only
// on its own cluster: reset undoes node changes on every node.
func (l *Lesson) ChangesNodes() bool {
	return l.Spec.Reset.ChangesNodes() || len(l.NodeChanges) > 0
}

// ChangesNodes reports whether the reset undoes node changes.
func (r Reset) ChangesNodes() bool {
	return len(r.NodeLabels) > 0 || len(r.NodeTaints) > 0 || r.Uncordon
}
