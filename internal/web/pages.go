package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/kworkbook/kworkbook/checker"
	"github.com/kworkbook/kworkbook/internal/locale"
	"github.com/kworkbook/kworkbook/internal/progress"
	"github.com/kworkbook/kworkbook/lessons"
)

//go:embed templates/*.html assets/*
var files embed.FS

// pages holds the parsed templates and the rendered prose.
type pages struct {
	tmpl    *template.Template
	prose   proseCache
	assets  map[string][]byte
	version string // changes with the assets, for their addresses
}

func newPages() (*pages, error) {
	t, err := template.New("").Funcs(template.FuncMap{
		"join": func(s []string) string { return strings.Join(s, ", ") },
		"podv": func(p *locale.Printer, pod Pod) podView { return podView{P: p, Pod: pod} },
		"chip": func(pod Pod, owner string) chipView {
			short := pod.Name
			if owner != "" && strings.HasPrefix(short, owner+"-") {
				short = strings.TrimPrefix(short, owner+"-")
			}
			return chipView{Pod: pod, Short: short}
		},
		"hasPods": func(pic *Picture) bool {
			for _, n := range pic.Nodes {
				if len(n.Pods) > 0 {
					return true
				}
			}
			return false
		},
	}).ParseFS(files, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{tmpl: t, assets: map[string][]byte{}}
	h := sha256.New()
	err = fs.WalkDir(files, "assets", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := fs.ReadFile(files, name)
		if err != nil {
			return err
		}
		p.assets[path.Base(name)] = raw
		h.Write(raw)
		return nil
	})
	if err != nil {
		return nil, err
	}
	p.assets["code.css"] = codeCSS()
	p.version = hex.EncodeToString(h.Sum(nil))[:10]
	return p, nil
}

// fragment renders a named template into a string (for events).
func (p *pages) fragment(name string, data any) (string, error) {
	var b bytes.Buffer
	if err := p.tmpl.ExecuteTemplate(&b, name, data); err != nil {
		return "", err
	}
	return b.String(), nil
}

func (p *pages) render(w http.ResponseWriter, status int, name string, data any) {
	var b bytes.Buffer
	if err := p.tmpl.ExecuteTemplate(&b, name, data); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// Views: what templates show.

// layout is what every page has.
type layout struct {
	P       *locale.Printer
	Lang    string
	Title   string
	Langs   []langLink
	Version string
	// Lesson and Events, on a lesson page: its id and event stream.
	Lesson string
	Events string
}

type langLink struct {
	Lang, Name, URL string
	Current         bool
}

// statusView is a card's status line, as the CLI words it.
type statusView struct {
	P        *locale.Printer
	State    string
	First    string
	Rest     string
	Evidence []string
}

func statusOf(p *locale.Printer, v *checker.Verdict) statusView {
	st := statusView{P: p, State: stateOf(v)}
	if v != nil && !v.Passed() {
		st.First, st.Rest, _ = strings.Cut(strings.TrimSpace(v.Message), "\n")
		st.Evidence = v.Evidence
	}
	return st
}

type hintView struct {
	Label    string
	N, Total int
	HTML     template.HTML
}

type hintsView struct {
	P                      *locale.Printer
	Lesson, Exercise, Lang string
	Token                  string
	Shown                  []hintView
	Total                  int
	Next                   int // the next hint's number; 0 when all are shown
	Action                 string
}

type cardView struct {
	P      *locale.Printer
	ID     string
	Index  int
	Total  int
	Title  string
	Status statusView
	Hints  hintsView
}

type podView struct {
	P   *locale.Printer
	Pod Pod
}

type chipView struct {
	Pod   Pod
	Short string
}

type problemView struct {
	P       *locale.Printer
	Message string
}

type pictureView struct {
	P          *locale.Printer
	Pic        *Picture
	Err        string
	Namespaces []string
}

type lessonPage struct {
	layout
	ID        string
	Minutes   int
	Summary   string
	NoEdition string
	Body      template.HTML
	Cards     []cardView
	Docs      []string
	Refused   string
	Picture   pictureView
}

type coursePage struct {
	layout
	Lessons []courseLesson
	Next    *courseLesson
	AllDone bool
}

type courseLesson struct {
	ID, Title, Summary, URL string
	Minutes                 int
	State                   string // done, in_progress, not_started
	Progress                string
	Done, Total             int
	Next, NextTitle         string
	NextURL                 string
	Refused                 string
}

func (s *Server) layout(r *http.Request, lang, title string) layout {
	lo := layout{P: s.p(lang), Lang: lang, Title: title, Version: s.pages.version}
	for _, l := range locale.Supported {
		q := r.URL.Query()
		q.Set("lang", l)
		u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
		lo.Langs = append(lo.Langs, langLink{Lang: l, Name: locale.Name(l), URL: u.RequestURI(), Current: l == lang})
	}
	return lo
}

func (s *Server) handleCourse(w http.ResponseWriter, r *http.Request) {
	lang := s.lang(r)
	p := s.p(lang)
	prog := s.loadProgress()
	page := coursePage{layout: s.layout(r, lang, p.T("web.course_title"))}
	for _, base := range s.cfg.Catalog.Lessons {
		l := base.In(lang)
		cl := courseLesson{ID: l.ID, Title: l.Title(), Summary: l.Meta.Summary, Minutes: l.Meta.Minutes,
			URL: LessonPath(l.ID) + "?lang=" + lang, Total: len(l.Spec.Exercises)}
		st := prog.Standing(l.ID, l.ExerciseIDs())
		cl.Done, cl.State = st.Done, st.State
		if e := l.Exercise(st.Next); e != nil {
			cl.Next, cl.NextTitle, cl.NextURL = e.ID, e.Title, cl.URL+"#ex-"+e.ID
		}
		cl.Progress = p.T("list.state."+cl.State, "Done", cl.Done, "All", cl.Total)
		if err := s.cfg.Refused[l.ID]; err != nil {
			cl.Refused = localize(p, err)
		}
		page.Lessons = append(page.Lessons, cl)
	}
	for i := range page.Lessons {
		if cl := &page.Lessons[i]; cl.State != "done" && cl.Refused == "" {
			page.Next = cl
			break
		}
	}
	page.AllDone = page.Next == nil && len(page.Lessons) > 0
	s.pages.render(w, http.StatusOK, "course", page)
}

func (s *Server) handleLesson(w http.ResponseWriter, r *http.Request) {
	lang := s.lang(r)
	p := s.p(lang)
	l, err := s.findLesson(r.PathValue("id"), lang)
	if err != nil {
		page := lessonPage{layout: s.layout(r, lang, "kworkbook"), Refused: localize(p, err)}
		s.pages.render(w, http.StatusNotFound, "lesson", page)
		return
	}
	page := lessonPage{layout: s.layout(r, lang, l.Title()), ID: l.ID, Minutes: l.Meta.Minutes, Summary: l.Meta.Summary, Docs: l.Meta.Docs}
	if err := s.cfg.Refused[l.ID]; err != nil {
		page.Refused = localize(p, err)
		s.pages.render(w, http.StatusOK, "lesson", page)
		return
	}
	if lang != locale.English && l.Lang != lang {
		page.NoEdition = locale.Name(lang)
	}
	page.Lesson = l.ID
	page.Events = "/events/" + url.PathEscape(l.ID) + "?lang=" + lang
	page.Picture = pictureView{P: p, Namespaces: l.Spec.Namespaces}

	prog := s.loadProgress()
	live := s.hub.verdicts(l.ID, lang)
	cards := map[string]cardView{}
	for _, e := range l.Spec.Exercises {
		c := s.card(p, l, e, lang, prog)
		if v, ok := live[e.ID]; ok {
			c.Status = statusOf(p, &v)
		} else if prog.Done(l.ID, e.ID) {
			c.Status = statusView{P: p, State: statePassed}
		}
		cards[e.ID] = c
		page.Cards = append(page.Cards, c)
	}
	pr, err := s.pages.prose.get(l)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var body bytes.Buffer
	for _, part := range pr.parts {
		body.WriteString(string(part.html))
		if part.exercise == "" {
			continue
		}
		if err := s.pages.tmpl.ExecuteTemplate(&body, "card", cards[part.exercise]); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	page.Body = template.HTML(body.String())
	s.pages.render(w, http.StatusOK, "lesson", page)
}

// card is an exercise's card; its status is "to do" until known.
func (s *Server) card(p *locale.Printer, l *lessons.Lesson, e *lessons.Exercise, lang string, prog *progress.Progress) cardView {
	shown := 0
	if pl, ok := prog.Lessons[l.ID]; ok {
		if pe, ok := pl.Exercises[e.ID]; ok {
			shown = min(pe.Hints, len(e.Hints))
		}
	}
	return cardView{P: p, ID: e.ID, Index: e.Index, Total: len(l.Spec.Exercises), Title: e.Title,
		Status: statusView{P: p, State: stateTodo}, Hints: s.hints(p, l, e, lang, shown)}
}

// hints is an exercise's hint ladder with shown steps revealed, labelled
// as kworkbook hint labels them.
func (s *Server) hints(p *locale.Printer, l *lessons.Lesson, e *lessons.Exercise, lang string, shown int) hintsView {
	hv := hintsView{P: p, Lesson: l.ID, Exercise: e.ID, Lang: lang, Token: s.cfg.Token, Total: len(e.Hints),
		Action: LessonPath(l.ID) + "/hints?lang=" + lang}
	labels := []string{"hint.nudge", "hint.shape", "hint.answer"}
	for i := 0; i < shown && i < len(e.Hints); i++ {
		label := p.T("hint.numbered", "N", i+1)
		if len(e.Hints) == 3 {
			label = p.T(labels[i])
		}
		hv.Shown = append(hv.Shown, hintView{Label: label, N: i + 1, Total: len(e.Hints), HTML: inline(e.Hints[i])})
	}
	if shown < len(e.Hints) {
		hv.Next = shown + 1
	}
	return hv
}

// handleHint reveals the next step of an exercise's hint ladder and
// records it in the progress file, as kworkbook hint does. A script asks
// for JSON (the new hints' HTML); a plain form is sent back to the card.
func (s *Server) handleHint(w http.ResponseWriter, r *http.Request) {
	lang, p, l := s.requestLesson(w, r)
	if l == nil {
		return
	}
	e, err := l.FindExercise(r.PostFormValue("exercise"))
	if err != nil {
		http.Error(w, localize(p, err), http.StatusBadRequest)
		return
	}
	if len(e.Hints) == 0 {
		http.Error(w, p.T("hint.none", "Exercise", e.ID), http.StatusBadRequest)
		return
	}
	shown := 0
	err = s.cfg.Progress.Update(func(pr *progress.Progress) error {
		pe := pr.Lesson(l.ID).Exercise(e.ID)
		if pe.Hints < len(e.Hints) {
			pe.Hints++
		}
		shown = pe.Hints
		return nil
	})
	if err != nil {
		// Still help, as kworkbook hint does; the terminal says why.
		fmt.Fprintf(s.cfg.Log, "kworkbook serve: %s\n", p.T("cli.progress_not_saved", "Error", err.Error()))
		if shown = 1; r.PostFormValue("shown") != "" {
			fmt.Sscan(r.PostFormValue("shown"), &shown)
			shown = min(shown+1, len(e.Hints))
		}
	}
	hv := s.hints(p, l, e, lang, shown)
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		html, err := s.pages.fragment("hints", hv)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(map[string]any{"exercise": e.ID, "shown": shown, "html": html})
		return
	}
	http.Redirect(w, r, LessonPath(l.ID)+"?lang="+lang+"#ex-"+e.ID, http.StatusSeeOther)
}

func (s *Server) handleAsset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	raw, ok := s.pages.assets[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	if r.URL.Query().Get("v") == s.pages.version {
		w.Header().Set("Cache-Control", "private, max-age=86400, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	_, _ = w.Write(raw)
}
