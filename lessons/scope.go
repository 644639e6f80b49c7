package lessons

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"
)

// A Scope is where a learner's lessons live in the cluster. Everything a
// lesson says about a place (namespaces, NodePorts, Ingress hosts), in
// its setup, checks, solutions, near misses, reset and prose, goes
// through it. A lone learner's scope is the identity; in a classroom on
// one shared cluster a student's scope prefixes every lesson namespace
// kw-X with kw-<student>-X and gives the student a block of NodePorts and
// Ingress hosts of their own. So a classroom is a value passed down, not
// a second code path: a scoped lesson is the same lesson, read through a
// mapping.
type Scope struct {
	// Student is a lowercase DNS label; "" for a learner on their own.
	Student string
	// NodePortBase is the first of the student's NodePorts: the lessons'
	// NodePorts FirstNodePort..FirstNodePort+NodePorts-1 map onto
	// NodePortBase.. in order. 0 keeps them.
	NodePortBase int
}

// The NodePorts lessons may use (kworkbook's sandbox forwards them to
// this machine) and the domain of their Ingress hosts.
const (
	FirstNodePort = 30080
	NodePorts     = 10
	HostDomain    = "kworkbook.test"
)

// ScopeCluster is the scope: of a lesson that changes what every user of
// a cluster shares.
const ScopeCluster = "cluster"

var createNamespaceRE = regexp.MustCompile(`\bkubectl\b[^|;&\n]*\bcreate\s+(namespace|ns)\b`)

// Why a lesson is cluster-scoped, as keys (ScopeReasons) and in English.
var scopeReasons = map[string]string{
	"nodes":      "it labels, taints, cordons or drains nodes",
	"namespaces": "its exercises make Namespaces",
	"volumes":    "it makes PersistentVolumes",
}

// clusterReasons says what the lesson changes that all users of a cluster
// share, found from its files: keys of scopeReasons.
func clusterReasons(l *Lesson) []string {
	var why []string
	if l.ChangesNodes() {
		why = append(why, "nodes")
	}
	namespaces, volumes := false, false
	for _, d := range l.Spec.Reset.Delete {
		namespaces = namespaces || SameKind(d.Kind, "Namespace")
		volumes = volumes || SameKind(d.Kind, "PersistentVolume")
	}
	steps := []Steps{l.Spec.Setup}
	for _, e := range l.Spec.Exercises {
		steps = append(steps, e.Solution)
	}
	for _, st := range steps {
		for _, c := range st.Commands {
			namespaces = namespaces || createNamespaceRE.MatchString(c)
		}
		for _, m := range st.Manifests {
			objs, _ := l.ReadManifest(m)
			for _, o := range objs {
				volumes = volumes || SameKind(o.GetKind(), "PersistentVolume")
				// The lesson's own namespaces come with it in any scope.
				namespaces = namespaces || (SameKind(o.GetKind(), "Namespace") && !slices.Contains(l.Spec.Namespaces, o.GetName()))
			}
		}
	}
	if namespaces {
		why = append(why, "namespaces")
	}
	if volumes {
		why = append(why, "volumes")
	}
	return why
}

// englishReasons joins reasons for lint and English errors.
func englishReasons(keys []string) string {
	var out []string
	for _, k := range keys {
		out = append(out, scopeReasons[k])
	}
	return strings.Join(out, "; ")
}

// ErrClusterScoped: the lesson changes what all students share.
var ErrClusterScoped = errors.New("this lesson changes cluster-wide objects, which a classroom's students share")

// Identity reports whether the scope changes nothing.
func (s Scope) Identity() bool { return s.Student == "" && s.NodePortBase == 0 }

// Validate checks the student id.
func (s Scope) Validate() error {
	if s.Student == "" {
		return nil
	}
	if errs := validation.IsDNS1123Label(s.Student); len(errs) > 0 || len(s.Student) > 20 {
		return fmt.Errorf("student id %q: use lower-case letters, digits and dashes, at most 20 characters", s.Student)
	}
	return nil
}

// Namespace maps a lesson namespace kw-X to the student's kw-<id>-X.
func (s Scope) Namespace(ns string) string {
	if s.Student == "" || !strings.HasPrefix(ns, "kw-") {
		return ns
	}
	return "kw-" + s.Student + "-" + strings.TrimPrefix(ns, "kw-")
}

// NodePort maps a lesson NodePort to the student's.
func (s Scope) NodePort(p int) int {
	if s.NodePortBase == 0 || p < FirstNodePort || p >= FirstNodePort+NodePorts {
		return p
	}
	return s.NodePortBase + p - FirstNodePort
}

// Host maps an Ingress host web.kworkbook.test to web.<id>.kworkbook.test.
func (s Scope) Host(h string) string {
	if s.Student == "" || !strings.HasSuffix(h, "."+HostDomain) {
		return h
	}
	return strings.TrimSuffix(h, HostDomain) + s.Student + "." + HostDomain
}

// ClusterScoped reports why the lesson cannot be given to a student in a
// shared cluster, or "": it declares scope: cluster, because it makes
// Namespaces or PersistentVolumes or changes nodes.
func (l *Lesson) ClusterScoped() string {
	if l.Spec.Scope == ScopeCluster {
		if len(l.Spec.ScopeReasons) == 0 {
			return "it declares scope: cluster"
		}
		return englishReasons(l.Spec.ScopeReasons)
	}
	return ""
}

// ScopeReason is the first reason the lesson is cluster-scoped, as a key
// (nodes, namespaces, volumes) for a message catalog, or "declared".
func (l *Lesson) ScopeReason() string {
	if len(l.Spec.ScopeReasons) > 0 {
		return l.Spec.ScopeReasons[0]
	}
	return "declared"
}

// Scoped returns the lesson as it reads in scope s: its files read through
// the mapping (lesson.yaml, manifests, prose and editions alike), so that
// setup, checks, solutions, near misses, reset and the rendered text all
// name the student's namespaces, ports and hosts. The identity scope
// returns l. A lesson that declares scope: cluster cannot be scoped to a
// student (ErrClusterScoped).
func (l *Lesson) Scoped(s Scope) (*Lesson, error) {
	if s.Identity() {
		return l, nil
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if l.base != nil {
		l = l.base
	}
	if why := l.ClusterScoped(); why != "" && s.Student != "" {
		return nil, fmt.Errorf("%s: %s (%w)", l.ID, why, ErrClusterScoped)
	}
	fsys := &scopedFS{base: l.FS, dir: l.Dir, rewrite: s.rewriter(l)}
	out, probs := LoadLesson(fsys, l.Dir, l.Source)
	if out == nil {
		return nil, fmt.Errorf("%s in scope %s: %v", l.ID, s.Student, probs)
	}
	// The scoped lesson is a base of its own: In translates it from its
	// own (mapped) English and editions.
	out.Scope = s
	return out, nil
}

// rewriter maps the lesson's namespace names, NodePorts and hosts in any
// text of its files.
func (s Scope) rewriter(l *Lesson) func([]byte) []byte {
	names := map[string]bool{}
	for _, ns := range l.Spec.Namespaces {
		names[ns] = true
	}
	for _, d := range l.Spec.Reset.Delete {
		if SameKind(d.Kind, "Namespace") && d.Name != "" {
			names[d.Name] = true
		}
	}
	var list []string
	for n := range names {
		list = append(list, regexp.QuoteMeta(n))
	}
	// Longest first: kw-team-a before kw-team.
	sort.Slice(list, func(i, j int) bool { return len(list[i]) > len(list[j]) })
	var nsRE *regexp.Regexp
	if s.Student != "" && len(list) > 0 {
		nsRE = regexp.MustCompile(`(^|[^A-Za-z0-9_.-]|\.)(` + strings.Join(list, "|") + `)($|[^A-Za-z0-9_-])`)
	}
	portRE := regexp.MustCompile(`(^|[^0-9])(300[89][0-9])($|[^0-9])`)
	hostRE := regexp.MustCompile(`([a-z0-9-]+)\.` + regexp.QuoteMeta(HostDomain) + `\b`)
	return func(b []byte) []byte {
		if nsRE != nil {
			// Matches may touch (kw-a kw-b): repeat until nothing changes.
			for i := 0; i < 3; i++ {
				next := nsRE.ReplaceAllFunc(b, func(m []byte) []byte {
					g := nsRE.FindSubmatch(m)
					return append(append(append([]byte{}, g[1]...), s.Namespace(string(g[2]))...), g[3]...)
				})
				if string(next) == string(b) {
					break
				}
				b = next
			}
		}
		if s.NodePortBase != 0 {
			b = portRE.ReplaceAllFunc(b, func(m []byte) []byte {
				g := portRE.FindSubmatch(m)
				n, _ := strconv.Atoi(string(g[2]))
				return append(append(append([]byte{}, g[1]...), strconv.Itoa(s.NodePort(n))...), g[3]...)
			})
		}
		if s.Student != "" {
			b = hostRE.ReplaceAllFunc(b, func(m []byte) []byte {
				return []byte(s.Host(string(m)))
			})
		}
		return b
	}
}

// scopedFS reads a lesson's folder through a scope's mapping.
type scopedFS struct {
	base    fs.FS
	dir     string
	rewrite func([]byte) []byte
}

func (f *scopedFS) Open(name string) (fs.File, error) {
	file, err := f.base.Open(name)
	if err != nil {
		return nil, err
	}
	st, err := file.Stat()
	if err != nil || st.IsDir() || !st.Mode().IsRegular() || st.Size() > MaxFileSize {
		return file, err
	}
	defer file.Close()
	raw, err := io.ReadAll(io.LimitReader(file, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	out := f.rewrite(raw)
	return &memFile{name: st.Name(), data: out, mode: st.Mode(), mod: st.ModTime()}, nil
}

func (f *scopedFS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(f.base, name) }

func (f *scopedFS) Stat(name string) (fs.FileInfo, error) {
	st, err := fs.Stat(f.base, name)
	if err != nil || !st.Mode().IsRegular() {
		return st, err
	}
	// The size changes with the mapping; readers use it as a bound only.
	return st, nil
}

// memFile is a file's rewritten bytes.
type memFile struct {
	name string
	data []byte
	off  int
	mode fs.FileMode
	mod  time.Time
}

func (m *memFile) Stat() (fs.FileInfo, error) { return memInfo{m}, nil }
func (m *memFile) Close() error               { return nil }
func (m *memFile) Read(p []byte) (int, error) {
	if m.off >= len(m.data) {
		return 0, io.EOF
	}
	n := copy(p, m.data[m.off:])
	m.off += n
	return n, nil
}

type memInfo struct{ f *memFile }

func (i memInfo) Name() string       { return i.f.name }
func (i memInfo) Size() int64        { return int64(len(i.f.data)) }
func (i memInfo) Mode() fs.FileMode  { return i.f.mode }
func (i memInfo) ModTime() time.Time { return i.f.mod }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() any           { return nil }
