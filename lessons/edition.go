package lessons

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// An edition is a lesson in another language: files beside the English
// ones, never a fork. README.<lang>.md holds the prose with the same
// exercise blocks (same ids; translated titles and hint ladders);
// lesson.<lang>.yaml holds the check messages, keyed by exercise id and
// check id. Checks, ids, weights and solutions exist once, in lesson.yaml.
//
// Every translated item records a short hash of the English it was
// translated from (source:), so that lint finds translations gone stale
// when the English changes. A stale or missing item falls back to English,
// that item only: a learner never reads a hint or a check message that no
// longer matches the check.

// Edition is one translation of a lesson.
type Edition struct {
	Lang  string
	Meta  Meta
	Prose *Prose
	// Messages are the translated check messages: exercise id → check id
	// (or #N for a check without one) → message.
	Messages map[string]map[string]*Message
	// MessagesFile is the overlay's path, when there is one.
	MessagesFile string
}

// Message is one translated check message.
type Message struct {
	Text   string `yaml:"text"`
	Source string `yaml:"source"`
	Pos    Pos    `yaml:"-"`
}

// messageFile is lesson.<lang>.yaml.
type messageFile struct {
	Messages map[string]map[string]*Message `yaml:"messages"`
}

var (
	readmeLangRE = regexp.MustCompile(`^README\.([a-z]{2,3})\.md$`)
	specLangRE   = regexp.MustCompile(`^lesson\.([a-z]{2,3})\.yaml$`)
)

// SourceHash is the short hash a translation records of its English source.
func SourceHash(text string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(text)))
	return hex.EncodeToString(sum[:4])
}

// BlockSource is the English an exercise block's translation comes from:
// its title and hints.
func BlockSource(b *Block) string {
	return b.Title + "\n" + strings.Join(b.Hints, "\n")
}

// ProseSource is the English prose of a README without its exercise
// blocks (they have hashes of their own) and front matter.
func ProseSource(p *Prose) string {
	return string(p.Replace(func(*Block) string { return "" }))
}

// loadEditions reads every README.<lang>.md and lesson.<lang>.yaml of the
// lesson's folder.
func loadEditions(l *Lesson) []Problem {
	entries, err := fs.ReadDir(l.FS, l.Dir)
	if err != nil {
		return nil
	}
	var probs []Problem
	for _, e := range entries {
		if g := readmeLangRE.FindStringSubmatch(e.Name()); g != nil && g[1] != "en" {
			ed := l.edition(g[1])
			file := path.Join(l.Dir, e.Name())
			src, err := ReadFile(l.FS, file)
			if err != nil {
				probs = append(probs, Problem{Pos: Pos{File: file}, Message: err.Error()})
				continue
			}
			var ps []Problem
			ed.Prose, ps = ParseProse(file, src, &ed.Meta)
			probs = append(probs, ps...)
		}
		if g := specLangRE.FindStringSubmatch(e.Name()); g != nil && g[1] != "en" {
			ed := l.edition(g[1])
			file := path.Join(l.Dir, e.Name())
			raw, err := ReadFile(l.FS, file)
			if err != nil {
				probs = append(probs, Problem{Pos: Pos{File: file}, Message: err.Error()})
				continue
			}
			ed.MessagesFile = file
			probs = append(probs, ed.parseMessages(file, raw)...)
		}
	}
	return probs
}

func (l *Lesson) edition(lang string) *Edition {
	if l.Editions == nil {
		l.Editions = map[string]*Edition{}
	}
	ed := l.Editions[lang]
	if ed == nil {
		ed = &Edition{Lang: lang}
		l.Editions[lang] = ed
	}
	return ed
}

func (ed *Edition) parseMessages(file string, raw []byte) []Problem {
	var node yaml.Node
	if err := yaml.Unmarshal(raw, &node); err != nil {
		return yamlProblems(file, err)
	}
	if len(node.Content) == 0 {
		return nil
	}
	var mf messageFile
	probs := decodeStrict(file, &node, &mf)
	// Positions: the line of each message's key.
	root := node.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "messages" {
			continue
		}
		exs := root.Content[i+1]
		for j := 0; j+1 < len(exs.Content); j += 2 {
			checks := exs.Content[j+1]
			for k := 0; k+1 < len(checks.Content); k += 2 {
				if m := mf.Messages[exs.Content[j].Value][checks.Content[k].Value]; m != nil {
					m.Pos = Pos{File: file, Line: checks.Content[k].Line}
				}
			}
		}
	}
	for ex, checks := range mf.Messages {
		for id, m := range checks {
			if m == nil {
				delete(checks, id)
				probs = append(probs, Problem{Pos: Pos{File: file, Line: 1}, Message: fmt.Sprintf("messages: %s: %s: empty (null)", ex, id)})
			}
		}
	}
	ed.Messages = mf.Messages
	return probs
}

// Langs lists the languages the lesson has an edition in, English first.
func (l *Lesson) Langs() []string {
	out := []string{"en"}
	var more []string
	for lang, ed := range l.Editions {
		if ed.Prose != nil {
			more = append(more, lang)
		}
	}
	sort.Strings(more)
	return append(out, more...)
}

// In returns the lesson as it reads in lang: the edition's prose, titles,
// hints and check messages where they exist and are current, English for
// every other item. Ids, checks and solutions are the same objects' copies.
// For English, or a language the lesson has no edition in, it is l itself.
func (l *Lesson) In(lang string) *Lesson {
	if l.base != nil {
		l = l.base // always translate from the English lesson
	}
	ed := l.Editions[lang]
	if ed == nil || lang == "en" || lang == "" {
		return l
	}
	out := *l
	out.Lang = lang
	out.base = l
	if ed.Prose != nil {
		out.Prose = ed.Prose
		out.Meta = ed.Meta.orElse(l.Meta)
	}
	out.Spec = l.Spec.copyExercises()
	for _, e := range out.Spec.Exercises {
		if ed.Prose != nil {
			if b := ed.Prose.Block(e.ID); b != nil && b.Source == SourceHash(BlockSource(l.Prose.Block(e.ID))) {
				if b.Title != "" {
					e.Title = b.Title
				}
				if len(b.Hints) > 0 {
					e.Hints = b.Hints
				}
			}
		}
		for i, c := range e.Checks {
			if m := ed.Messages[e.ID][CheckKey(c, i)]; m != nil && c.Message != "" && m.Text != "" && m.Source == SourceHash(c.Message) {
				c.Message = m.Text
			}
		}
	}
	return &out
}

// CheckKey is how an edition names a check: its id, or #N (1-based).
func CheckKey(c *Check, i int) string {
	if c.ID != "" {
		return c.ID
	}
	return fmt.Sprintf("#%d", i+1)
}

// copyExercises copies the exercises and their checks (the parts an
// edition changes); everything else is shared.
func (s *Spec) copyExercises() *Spec {
	out := *s
	out.Exercises = make([]*Exercise, len(s.Exercises))
	for i, e := range s.Exercises {
		ce := *e
		ce.Checks = make([]*Check, len(e.Checks))
		for j, c := range e.Checks {
			cc := *c
			ce.Checks[j] = &cc
		}
		out.Exercises[i] = &ce
	}
	return &out
}

// orElse fills the fields an edition's front matter leaves out.
func (m Meta) orElse(en Meta) Meta {
	if m.Title == "" {
		m.Title = en.Title
	}
	if m.Summary == "" {
		m.Summary = en.Summary
	}
	if m.Minutes == 0 {
		m.Minutes = en.Minutes
	}
	if len(m.Docs) == 0 {
		m.Docs = en.Docs
	}
	return m
}

// In returns the catalog with every lesson in lang.
func (c *Catalog) In(lang string) *Catalog {
	out := &Catalog{Warnings: c.Warnings, Lessons: make([]*Lesson, len(c.Lessons))}
	for i, l := range c.Lessons {
		out.Lessons[i] = l.In(lang)
	}
	return out
}
