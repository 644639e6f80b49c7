// Package classroom runs a class on one shared cluster: each student gets
// namespaces of their own (every lesson namespace kw-X as kw-<id>-X), a
// ServiceAccount with admin rights in those namespaces only, read access
// to what lessons read cluster-wide, a quota, default limits, Pod Security
// "baseline", a NetworkPolicy that keeps students apart, and a kubeconfig.
// The teacher grades everyone at once. Students' lessons are the same
// lessons in the student's scope (lessons.Scope): one code path.
package classroom

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/kworkbook/kworkbook/lessons"
	"github.com/kworkbook/kworkbook/sandbox"
)

// Labels on everything a class is made of; class down deletes exactly
// what carries LabelClass.
const (
	LabelManagedBy = "app.kubernetes.io/managed-by"
	ManagedBy      = "kworkbook"
	LabelClass     = sandbox.ClassObjectLabel
	LabelStudent   = "kworkbook.dev/student"
	LabelLesson    = "kworkbook.dev/lesson"
	// ServiceAccount is the name of each student's account, in their home
	// namespace kw-<id>.
	ServiceAccount = "student"
	// StudentConfig is the ConfigMap in the home namespace that tells
	// kworkbook the student's scope.
	StudentConfig = "kworkbook-student"
	// ReaderRole is the ClusterRole that lets students read what lessons
	// read across the cluster (nodes, namespaces, storage classes...).
	ReaderRole = "kworkbook-student-reader"
	// ContextPrefix starts the context name of a student's kubeconfig.
	ContextPrefix = sandbox.StudentContextPrefix
	// FirstNodePort is the first NodePort given to students, NodePortBlock
	// to each, in roster order.
	FirstNodePort = 31000
	NodePortBlock = lessons.NodePorts
)

// ErrRoster: the roster file cannot be used.
var ErrRoster = errors.New("the roster has problems")

var idRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

// ParseRoster reads a roster: one student id per line (a lowercase DNS
// label, at most 20 characters), # starts a comment, blank lines are
// skipped. A line may hold more after the id (a name, separated by a space
// or a comma), which kworkbook ignores.
func ParseRoster(path string) ([]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRoster, err)
	}
	var ids, probs []string
	seen := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, "#"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		if line == "" {
			continue
		}
		id := strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' })[0]
		switch {
		case !idRE.MatchString(id) || len(id) > 20:
			probs = append(probs, fmt.Sprintf("%s:%d: %q: a student id is lower-case letters, digits and dashes, at most 20 characters", path, n, id))
		case seen[id] > 0:
			probs = append(probs, fmt.Sprintf("%s:%d: %q is also on line %d", path, n, id, seen[id]))
		default:
			seen[id] = n
			ids = append(ids, id)
		}
	}
	if len(probs) > 0 {
		return nil, fmt.Errorf("%w:\n%s", ErrRoster, strings.Join(probs, "\n"))
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("%w: %s lists no student", ErrRoster, path)
	}
	return ids, nil
}

// Limits are each lesson namespace's quota and default container
// resources.
type Limits struct {
	Pods          int
	RequestCPU    resource.Quantity
	RequestMemory resource.Quantity
	LimitCPU      resource.Quantity
	LimitMemory   resource.Quantity
	// Container defaults (LimitRange), so pods without resources fit the quota.
	DefaultRequestCPU, DefaultRequestMemory resource.Quantity
	DefaultLimitCPU, DefaultLimitMemory     resource.Quantity
}

// DefaultLimits suit the lessons: the largest runs 6 pods at a time.
func DefaultLimits() Limits {
	return Limits{
		Pods:                 20,
		RequestCPU:           resource.MustParse("2"),
		RequestMemory:        resource.MustParse("2Gi"),
		LimitCPU:             resource.MustParse("4"),
		LimitMemory:          resource.MustParse("4Gi"),
		DefaultRequestCPU:    resource.MustParse("10m"),
		DefaultRequestMemory: resource.MustParse("32Mi"),
		DefaultLimitCPU:      resource.MustParse("200m"),
		DefaultLimitMemory:   resource.MustParse("256Mi"),
	}
}

// Home is a student's home namespace: their account and scope live there.
func Home(id string) string { return "kw-" + id }

// Namespaces are the lesson namespaces a student gets: every namespace of
// every lesson that a classroom can give each student its own copy of.
func Namespaces(cat *lessons.Catalog, id string) []NamespaceFor {
	s := lessons.Scope{Student: id}
	var out []NamespaceFor
	for _, l := range cat.Lessons {
		if l.ClusterScoped() != "" {
			continue
		}
		for _, ns := range l.Spec.Namespaces {
			out = append(out, NamespaceFor{Name: s.Namespace(ns), Lesson: l.ID})
		}
	}
	return out
}

// NamespaceFor is a student namespace and the lesson it is for.
type NamespaceFor struct {
	Name, Lesson string
}
