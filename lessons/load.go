package lessons

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed all:content
var embedded embed.FS

// Embedded returns the curriculum compiled into the binary.
func Embedded() fs.FS {
	sub, err := fs.Sub(embedded, "content")
	if err != nil {
		panic(err) // the embed pattern above guarantees the directory
	}
	return sub
}

// SourceEmbedded is the Source of lessons compiled into kworkbook.
const SourceEmbedded = "embedded"

// ErrUnknownLesson is returned when an id names no lesson.
var ErrUnknownLesson = errors.New("unknown lesson")

// ErrUnknownExercise is returned when an id names no exercise of a lesson.
var ErrUnknownExercise = errors.New("unknown exercise")

// Catalog is the loaded curriculum in lesson order.
type Catalog struct {
	Lessons []*Lesson
	// Warnings are problems that do not stop a lesson from loading.
	Warnings []Problem
}

var dirRE = regexp.MustCompile(`^(\d{2})-([a-z0-9][a-z0-9-]*)$`)

// Load reads every lesson directory at the root of fsys. It returns the
// lessons that parsed and a *ProblemsError listing everything wrong, with
// file:line positions, when anything is.
func Load(fsys fs.FS, source string) (*Catalog, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("unable to read lessons from %s: %w", source, err)
	}
	c := &Catalog{}
	var probs []Problem
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") || strings.HasPrefix(e.Name(), "_") {
			continue
		}
		if !e.IsDir() {
			// A symlink to a lesson folder counts as the folder.
			if st, err := fs.Stat(fsys, e.Name()); err != nil || !st.IsDir() {
				continue
			}
		}
		l, ps := LoadLesson(fsys, e.Name(), source)
		if l == nil {
			// A folder that does not load adds no warnings of its own.
			ps, _ = splitProblems(ps)
		}
		probs = append(probs, ps...)
		if l != nil {
			c.Lessons = append(c.Lessons, l)
		}
	}
	sort.Slice(c.Lessons, func(i, j int) bool { return c.Lessons[i].Number < c.Lessons[j].Number })
	for i := 1; i < len(c.Lessons); i++ {
		if c.Lessons[i].Number == c.Lessons[i-1].Number {
			probs = append(probs, Problem{Pos: Pos{File: c.Lessons[i].Dir},
				Message: fmt.Sprintf("lesson number %02d is also used by %s", c.Lessons[i].Number, c.Lessons[i-1].Dir)})
		}
	}
	_, c.Warnings = splitProblems(probs)
	return c, problemsError(source, probs)
}

// LoadDefault loads the embedded curriculum, then lets every lesson found in
// overrideDir (when not empty) replace the embedded lesson with the same number.
// Problems of an embedded lesson that the override replaces are dropped: the
// author's copy is the one being fixed.
func LoadDefault(overrideDir string) (*Catalog, error) {
	return loadOverride(Embedded(), SourceEmbedded, overrideDir)
}

func loadOverride(base fs.FS, source, overrideDir string) (*Catalog, error) {
	c, err := Load(base, source)
	if overrideDir == "" {
		return c, err
	}
	var embeddedProbs *ProblemsError
	if err != nil && !errors.As(err, &embeddedProbs) {
		return nil, err
	}
	st, statErr := os.Stat(overrideDir)
	if statErr != nil || !st.IsDir() {
		return nil, fmt.Errorf("lessons directory %s: %w", overrideDir, ErrNoDir)
	}
	over, overErr := Load(os.DirFS(overrideDir), overrideDir)
	if over == nil {
		return nil, overErr
	}
	c.Warnings = append(c.Warnings, over.Warnings...)
	var probs []Problem
	var overProbs *ProblemsError
	if errors.As(overErr, &overProbs) {
		probs = overProbs.Problems
	} else if overErr != nil {
		return nil, overErr
	}
	replaced := map[int]bool{}
	for _, l := range over.Lessons {
		replaced[l.Number] = true
	}
	for _, p := range probs {
		if n, ok := lessonNumber(p.Pos.File); ok {
			replaced[n] = true
		}
	}
	if embeddedProbs != nil {
		for _, p := range embeddedProbs.Problems {
			if n, ok := lessonNumber(p.Pos.File); !ok || !replaced[n] {
				probs = append(probs, p)
			}
		}
	}
	merged := map[int]*Lesson{}
	for _, l := range c.Lessons {
		merged[l.Number] = l
	}
	for _, l := range over.Lessons {
		merged[l.Number] = l
	}
	c.Lessons = c.Lessons[:0]
	for _, l := range merged {
		c.Lessons = append(c.Lessons, l)
	}
	sort.Slice(c.Lessons, func(i, j int) bool { return c.Lessons[i].Number < c.Lessons[j].Number })
	return c, problemsError(overrideDir, probs)
}

// lessonNumber is the NN of the lesson folder a problem's file is in.
func lessonNumber(file string) (int, bool) {
	dir, _, _ := strings.Cut(file, "/")
	g := dirRE.FindStringSubmatch(dir)
	if g == nil {
		return 0, false
	}
	n, _ := strconv.Atoi(g[1])
	return n, true
}

// ErrNoDir is returned when a lessons directory does not exist.
var ErrNoDir = errors.New("not a directory: give a folder that holds lesson folders like 05-deployments")

// LoadLesson reads one lesson directory.
func LoadLesson(fsys fs.FS, dir, source string) (*Lesson, []Problem) {
	g := dirRE.FindStringSubmatch(dir)
	if g == nil {
		return nil, []Problem{{Pos: Pos{File: dir}, Message: "lesson folders are named NN-slug, like 05-deployments"}}
	}
	n, _ := strconv.Atoi(g[1])
	l := &Lesson{ID: fmt.Sprintf("lesson-%02d", n), Number: n, Slug: g[2], Dir: dir, FS: fsys, Source: source}
	var probs []Problem

	readmePath := path.Join(dir, "README.md")
	src, err := ReadFile(fsys, readmePath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, []Problem{{Pos: Pos{File: readmePath}, Message: "missing: every lesson needs README.md (the prose)"}}
	}
	if err != nil {
		return nil, []Problem{{Pos: Pos{File: readmePath}, Message: err.Error()}}
	}
	var ps []Problem
	l.Prose, ps = ParseProse(readmePath, src, &l.Meta)
	probs = append(probs, ps...)

	specPath := path.Join(dir, "lesson.yaml")
	raw, err := ReadFile(fsys, specPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, append(probs, Problem{Pos: Pos{File: specPath}, Message: "missing: every lesson needs lesson.yaml (the exercises)"})
	}
	if err != nil {
		return nil, append(probs, Problem{Pos: Pos{File: specPath}, Message: err.Error()})
	}
	l.Spec, ps = ParseSpec(specPath, raw)
	probs = append(probs, ps...)
	if l.Spec == nil {
		return nil, probs
	}
	for i, e := range l.Spec.Exercises {
		e.Index = i + 1
		if b := l.Prose.Block(e.ID); b != nil {
			e.Title, e.Hints = b.Title, b.Hints
		}
	}
	l.NodeChanges = nodeChanges(l)
	l.Spec.ScopeReasons = clusterReasons(l)
	probs = append(probs, Validate(l)...)
	probs = append(probs, loadEditions(l)...)
	return l, probs
}

// ParseSpec parses a lesson.yaml.
func ParseSpec(file string, raw []byte) (*Spec, []Problem) {
	var node yaml.Node
	if err := yaml.Unmarshal(raw, &node); err != nil {
		return nil, yamlProblems(file, err)
	}
	if len(node.Content) == 0 {
		return nil, []Problem{{Pos: Pos{File: file, Line: 1}, Message: "empty file: list namespaces: and exercises:"}}
	}
	s := &Spec{}
	probs := decodeStrict(file, &node, s)
	for _, p := range probs {
		// A type error leaves the spec half decoded: report, do not use it.
		if !strings.HasPrefix(p.Message, "unknown field") {
			return nil, probs
		}
	}
	return s, append(probs, s.dropEmpty(file)...)
}

// dropEmpty removes list items written as null (`exercises: [null]`, a
// lone `-`), which decode as nil, and reports each.
func (s *Spec) dropEmpty(file string) []Problem {
	var probs []Problem
	empty := func(what string, at Pos) {
		if at.File == "" {
			at = Pos{File: file, Line: 1}
		}
		probs = append(probs, Problem{Pos: at, Message: what + ": an empty item (null); remove it or fill it in"})
	}
	s.Exercises = dropNil(s.Exercises, func() { empty("exercises", s.Pos) })
	for _, e := range s.Exercises {
		e.Checks = dropNil(e.Checks, func() { empty(fmt.Sprintf("exercise %q: checks", e.ID), e.Pos) })
		e.NearMisses = dropNil(e.NearMisses, func() { empty(fmt.Sprintf("exercise %q: nearMisses", e.ID), e.Pos) })
		e.Alternatives = dropNil(e.Alternatives, func() { empty(fmt.Sprintf("exercise %q: alternatives", e.ID), e.Pos) })
	}
	return probs
}

func dropNil[T any](items []*T, report func()) []*T {
	out := items[:0]
	for _, it := range items {
		if it == nil {
			report()
			continue
		}
		out = append(out, it)
	}
	return out
}

// Find resolves "lesson-05", "05", "5" or a slug ("deployments") to a lesson.
func (c *Catalog) Find(id string) (*Lesson, error) {
	key := strings.ToLower(strings.TrimSpace(id))
	key = strings.TrimPrefix(key, "lesson-")
	key = strings.TrimPrefix(key, "lesson")
	if n, err := strconv.Atoi(key); err == nil {
		for _, l := range c.Lessons {
			if l.Number == n {
				return l, nil
			}
		}
	}
	for _, l := range c.Lessons {
		if l.Slug == key || l.Dir == key {
			return l, nil
		}
	}
	return nil, &UnknownLessonError{ID: id, Valid: c.IDs()}
}

// IDs lists the lesson ids in order.
func (c *Catalog) IDs() []string {
	ids := make([]string, len(c.Lessons))
	for i, l := range c.Lessons {
		ids[i] = l.ID
	}
	return ids
}

// UnknownLessonError names the id and the valid ones.
type UnknownLessonError struct {
	ID    string
	Valid []string
}

func (e *UnknownLessonError) Error() string {
	return fmt.Sprintf("no lesson %q; the lessons are: %s", e.ID, strings.Join(e.Valid, ", "))
}

// Msg is the error as a message id and values, for the CLI to print in
// the learner's language (lessons does not depend on the catalog).
func (e *UnknownLessonError) Msg() (id string, args []any) {
	return "err.unknown_lesson", []any{"Lesson", e.ID, "Valid", strings.Join(e.Valid, ", ")}
}

// UnknownExerciseError names the exercise id and the valid ones.
type UnknownExerciseError struct {
	ID, Lesson string
	Valid      []string
}

func (e *UnknownExerciseError) Error() string {
	return fmt.Sprintf("%v %q in %s; its exercises are: %s", ErrUnknownExercise, e.ID, e.Lesson, strings.Join(e.Valid, ", "))
}

func (e *UnknownExerciseError) Unwrap() error { return ErrUnknownExercise }

// Msg is the error as a message id and values.
func (e *UnknownExerciseError) Msg() (id string, args []any) {
	return "err.unknown_exercise", []any{"Exercise", e.ID, "Lesson", e.Lesson, "Valid", strings.Join(e.Valid, ", ")}
}

func (e *UnknownLessonError) Unwrap() error { return ErrUnknownLesson }

// FindExercise resolves an exercise by id or 1-based number.
func (l *Lesson) FindExercise(id string) (*Exercise, error) {
	if e := l.Exercise(id); e != nil {
		return e, nil
	}
	if n, err := strconv.Atoi(id); err == nil && n >= 1 && n <= len(l.Spec.Exercises) {
		return l.Spec.Exercises[n-1], nil
	}
	ids := make([]string, len(l.Spec.Exercises))
	for i, e := range l.Spec.Exercises {
		ids[i] = e.ID
	}
	return nil, &UnknownExerciseError{ID: id, Lesson: l.ID, Valid: ids}
}
