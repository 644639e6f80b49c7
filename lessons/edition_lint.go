package lessons

import (
	"fmt"
	"net/url"
	"path"
	"sort"
	"strings"
)

// EditionStats count what a language's edition covers, for lint's summary:
// "ko: 13/13 lessons, 62/62 exercises, 144/144 messages, 0 stale".
type EditionStats struct {
	Lang                       string
	Lessons, LessonsTranslated int
	Exercises, ExercisesDone   int
	Messages, MessagesDone     int
	Stale                      int
}

func (s EditionStats) String() string {
	return fmt.Sprintf("%s: %d/%d lessons, %d/%d exercises, %d/%d messages, %d stale",
		s.Lang, s.LessonsTranslated, s.Lessons, s.ExercisesDone, s.Exercises, s.MessagesDone, s.Messages, s.Stale)
}

// Langs lists every language any lesson of the catalog has an edition in.
func (c *Catalog) Langs() []string {
	seen := map[string]bool{}
	for _, l := range c.Lessons {
		for lang := range l.Editions {
			seen[lang] = true
		}
	}
	out := make([]string, 0, len(seen))
	for lang := range seen {
		out = append(out, lang)
	}
	sort.Strings(out)
	return out
}

// LintEdition checks every lesson's edition in lang against the English:
// exercise blocks present in one and not the other, overlay entries for
// exercises or checks that do not exist, and translations whose English
// changed since (stale). Missing check messages fall back to English and
// are only counted.
func (c *Catalog) LintEdition(lang string) ([]Problem, EditionStats) {
	st := EditionStats{Lang: lang}
	var probs []Problem
	for _, l := range c.Lessons {
		ps, ls := l.lintEdition(lang)
		probs = append(probs, ps...)
		st.Lessons++
		st.LessonsTranslated += ls.LessonsTranslated
		st.Exercises += ls.Exercises
		st.ExercisesDone += ls.ExercisesDone
		st.Messages += ls.Messages
		st.MessagesDone += ls.MessagesDone
		st.Stale += ls.Stale
	}
	sortProblems(probs)
	return probs, st
}

func (l *Lesson) lintEdition(lang string) ([]Problem, EditionStats) {
	var probs []Problem
	st := EditionStats{Lang: lang}
	add := func(p Pos, stale bool, format string, args ...any) {
		probs = append(probs, Problem{Pos: p, Message: fmt.Sprintf(format, args...)})
		if stale {
			st.Stale++
		}
	}
	ed := l.Editions[lang]
	readme := path.Join(l.Dir, "README."+lang+".md")
	for _, e := range l.Spec.Exercises {
		st.Exercises++
		for _, c := range e.Checks {
			if c.Message != "" {
				st.Messages++
			}
		}
	}
	if ed == nil {
		return nil, st
	}
	if ed.Prose == nil {
		add(Pos{File: ed.MessagesFile, Line: 1}, false, "check messages in %s but no %s", lang, readme)
	} else {
		st.LessonsTranslated = 1
		for _, d := range ed.Meta.Docs {
			if u, err := url.Parse(d); err != nil || u.Scheme != "https" || u.Host == "" || strings.ContainsAny(d, " \t\n") {
				add(Pos{File: readme, Line: 1}, false, "front matter: docs: %q is not an https:// address (one address per list item)", d)
			}
		}
		if want := SourceHash(ProseSource(l.Prose)); ed.Meta.Source != want {
			if ed.Meta.Source == "" {
				add(Pos{File: readme, Line: 1}, false, "front matter: source: is required: the hash of the English prose it translates (%s)", want)
			} else {
				add(Pos{File: readme, Line: 1}, true, "stale: %s changed since this translation (source: %s, now %s); update the prose, then source:", l.Prose.File, ed.Meta.Source, want)
			}
		}
		for _, e := range l.Spec.Exercises {
			b := ed.Prose.Block(e.ID)
			en := l.Prose.Block(e.ID)
			switch {
			case b == nil:
				add(e.Pos, false, "exercise %q has no ```exercise block in %s", e.ID, readme)
			case en == nil:
			case b.Source != SourceHash(BlockSource(en)):
				if b.Source == "" {
					add(b.Pos, false, "exercise %q: source: is required: the hash of the English block it translates (%s)", e.ID, SourceHash(BlockSource(en)))
				} else {
					add(b.Pos, true, "stale: exercise %q changed in %s since this translation (source: %s, now %s)", e.ID, l.Prose.File, b.Source, SourceHash(BlockSource(en)))
				}
			case strings.TrimSpace(b.Title) == "" || len(b.Hints) != len(en.Hints):
				add(b.Pos, false, "exercise %q: give a title and the same %d hints as the English block", e.ID, len(en.Hints))
			default:
				st.ExercisesDone++
			}
		}
		for _, b := range ed.Prose.Blocks {
			if l.Exercise(b.ID) == nil {
				add(b.Pos, false, "exercise %q is not in lesson.yaml", b.ID)
			}
		}
	}
	for ex, checks := range ed.Messages {
		e := l.Exercise(ex)
		for key, m := range checks {
			var c *Check
			if e != nil {
				for i, ch := range e.Checks {
					if CheckKey(ch, i) == key {
						c = ch
					}
				}
			}
			switch {
			case e == nil:
				add(m.Pos, false, "messages: no exercise %q in lesson.yaml", ex)
			case c == nil:
				add(m.Pos, false, "messages: exercise %q has no check %q", ex, key)
			case c.Message == "":
				add(m.Pos, false, "messages: check %q of exercise %q has no message: to translate", key, ex)
			case m.Source != SourceHash(c.Message):
				add(m.Pos, true, "stale: the message of check %q of exercise %q changed since this translation (source: %s, now %s)", key, ex, m.Source, SourceHash(c.Message))
			case strings.TrimSpace(m.Text) == "":
				add(m.Pos, false, "messages: check %q of exercise %q: text: is empty", key, ex)
			default:
				st.MessagesDone++
			}
		}
	}
	return probs, st
}
