// Package web is kworkbook's browser view (kworkbook serve): the course,
// each lesson rendered from its README with live exercise cards, hint
// ladders and a picture of the lesson's part of the cluster.
//
// It is a second view over the libraries the terminal uses (lessons,
// checker, watch, progress) and holds no logic of its own about lessons or
// checks. It serves 127.0.0.1 only, to the holder of a random token, and
// never runs a command or changes the cluster: the learner works with
// kubectl in a terminal, the page follows.
//
// What touches the cluster is behind Cluster, so that the handlers are
// tested with httptest and a fake, without a browser or a cluster.
package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kworkbook/kworkbook/checker"
	"github.com/kworkbook/kworkbook/internal/locale"
	"github.com/kworkbook/kworkbook/internal/progress"
	"github.com/kworkbook/kworkbook/lessons"
)

// Cluster is what the server needs from the cluster.
type Cluster interface {
	// Watch checks lesson l (already in language lang) at once and after
	// every change, reporting each exercise's verdict, until ctx ends (it
	// then returns nil) or the cluster cannot be watched (an error).
	// Verdicts are worded in lang.
	Watch(ctx context.Context, l *lessons.Lesson, lang string, report func(checker.Verdict)) error
	// Picture lists what a lesson's namespaces hold, with the nodes and
	// the lesson's PersistentVolumes (Snapshot does it with client-go).
	Picture(ctx context.Context, scope Scope) (*Picture, error)
}

// ProgressStore reads and writes the learner's progress file
// (*progress.Store is one).
type ProgressStore interface {
	Load() (*progress.Progress, error)
	Update(func(*progress.Progress) error) error
}

// Config is what a Server serves.
type Config struct {
	// Catalog holds the lessons as the learner has them (scoped to a
	// classroom student when they are one); the server reads each in the
	// language a page asks for.
	Catalog *lessons.Catalog
	// Refused are the lessons the learner may not do here, and why.
	Refused map[string]error
	// Lang is the language of a page that does not ask for one.
	Lang string
	// Port is the port the server listens on: requests must name
	// 127.0.0.1:Port or localhost:Port as their host.
	Port int
	// Token is the secret a request must carry (query, cookie, header or
	// form field).
	Token    string
	Progress ProgressStore
	Cluster  Cluster
	// Log receives problems nobody else sees (a progress file that could
	// not be written); nil discards them.
	Log io.Writer
	// RetryWatch is how long to wait before watching again after the
	// cluster could not be watched; 3 s when zero.
	RetryWatch time.Duration
	// PictureEvery is the least time between two pictures of the cluster;
	// 300 ms when zero.
	PictureEvery time.Duration
}

// Server serves the web view.
type Server struct {
	cfg     Config
	hub     *hub
	pages   *pages
	mux     *http.ServeMux
	printMu sync.Mutex
	printer map[string]*locale.Printer
}

// New returns a server for cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Catalog == nil || cfg.Cluster == nil || cfg.Progress == nil {
		return nil, errors.New("web: Catalog, Cluster and Progress are required")
	}
	if len(cfg.Token) < 16 {
		return nil, errors.New("web: the token is too short")
	}
	if !supported(cfg.Lang) {
		cfg.Lang = locale.English
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.RetryWatch == 0 {
		cfg.RetryWatch = 3 * time.Second
	}
	if cfg.PictureEvery == 0 {
		cfg.PictureEvery = 300 * time.Millisecond
	}
	s := &Server{cfg: cfg, printer: map[string]*locale.Printer{}}
	p, err := newPages()
	if err != nil {
		return nil, err
	}
	s.pages = p
	s.hub = newHub(cfg.Cluster, s.recordPasses, cfg.RetryWatch, cfg.PictureEvery)
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET /{$}", s.handleCourse)
	s.mux.HandleFunc("GET /lessons/{id}", s.handleLesson)
	s.mux.HandleFunc("POST /lessons/{id}/hints", s.handleHint)
	s.mux.HandleFunc("GET /events/{id}", s.handleEvents)
	s.mux.HandleFunc("GET /assets/{file}", s.handleAsset)
	return s, nil
}

// Handler is the server's handler, every request guarded.
func (s *Server) Handler() http.Handler { return s.guard(s.mux) }

// URL is the address to open: path with the token.
func (s *Server) URL(path string) string {
	if path == "" {
		path = "/"
	}
	return fmt.Sprintf("http://127.0.0.1:%d%s?token=%s", s.cfg.Port, path, url.QueryEscape(s.cfg.Token))
}

// LessonPath is the path of a lesson's page.
func LessonPath(id string) string { return "/lessons/" + url.PathEscape(id) }

// Serve answers requests on ln until ctx ends, then shuts down: open
// event streams end (their contexts derive from ctx), and the watches
// stop before Serve returns.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = hs.Shutdown(sctx)
		cancel()
		<-errc
	}
	s.hub.close()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Close stops the watches (for tests that use Handler without Serve).
func (s *Server) Close() { s.hub.close() }

// p is the printer of lang.
func (s *Server) p(lang string) *locale.Printer {
	s.printMu.Lock()
	defer s.printMu.Unlock()
	p := s.printer[lang]
	if p == nil {
		p = locale.New(lang)
		s.printer[lang] = p
	}
	return p
}

// cookieName names the token cookie after the port: cookies are not kept
// apart by port, and two kworkbook serve may run at once.
func (s *Server) cookieName() string { return "kworkbook-" + strconv.Itoa(s.cfg.Port) }

// guard refuses requests for a foreign host (DNS rebinding), state
// changes from a foreign origin (cross-site requests) and requests without
// the token; a page opened with the token in its address gets a cookie and
// is sent to the same address without it.
func (s *Server) guard(next http.Handler) http.Handler {
	port := strconv.Itoa(s.cfg.Port)
	hosts := map[string]bool{"127.0.0.1:" + port: true, "localhost:" + port: true}
	origins := map[string]bool{"http://127.0.0.1:" + port: true, "http://localhost:" + port: true}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.p(s.cfg.Lang)
		if !hosts[strings.ToLower(r.Host)] {
			forbid(w, p.T("web.forbidden_host"))
			return
		}
		safe := r.Method == http.MethodGet || r.Method == http.MethodHead
		if !safe {
			if o := r.Header.Get("Origin"); o != "" && !origins[strings.ToLower(o)] {
				forbid(w, p.T("web.forbidden_origin"))
				return
			}
			if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
				forbid(w, p.T("web.forbidden_origin"))
				return
			}
		}
		fromQuery := false
		ok := false
		if t := r.URL.Query().Get("token"); t != "" {
			ok, fromQuery = s.validToken(t), true
		}
		if !ok {
			if c, err := r.Cookie(s.cookieName()); err == nil && s.validToken(c.Value) {
				ok = true
			}
		}
		if !ok {
			if t := r.Header.Get("X-Kworkbook-Token"); t != "" && s.validToken(t) {
				ok = true
			}
		}
		if !ok && !safe {
			if t := r.PostFormValue("token"); t != "" && s.validToken(t) {
				ok = true
			}
		}
		if !ok {
			forbid(w, p.T("web.forbidden_token"))
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		if fromQuery {
			http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: s.cfg.Token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
			if safe && !strings.HasPrefix(r.URL.Path, "/events/") {
				// The same page without the token in the address bar
				// (and in the history).
				q := r.URL.Query()
				q.Del("token")
				u := *r.URL
				u.RawQuery = q.Encode()
				h.Set("Cache-Control", "no-store")
				http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) validToken(t string) bool {
	return subtle.ConstantTimeCompare([]byte(t), []byte(s.cfg.Token)) == 1
}

// forbid answers 403 with a short text.
func forbid(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusForbidden)
	fmt.Fprintln(w, "403 Forbidden: "+msg)
}

// lang is the language a request asks for (?lang=), else the default.
func (s *Server) lang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); supported(l) {
		return l
	}
	return s.cfg.Lang
}

func supported(lang string) bool {
	for _, l := range locale.Supported {
		if l == lang {
			return true
		}
	}
	return false
}

// findLesson resolves an id (lesson-05, 05, 5, deployments) to the
// lesson in lang, or an error a learner reads.
func (s *Server) findLesson(id, lang string) (*lessons.Lesson, error) {
	l, err := s.cfg.Catalog.Find(id)
	if err != nil {
		return nil, err
	}
	return l.In(lang), nil
}

// requestLesson is the lesson a request's path names, in the language it
// asks for, and that language's printer; when there is no such lesson, or
// the learner may not do it here, it answers the request and l is nil.
func (s *Server) requestLesson(w http.ResponseWriter, r *http.Request) (lang string, p *locale.Printer, l *lessons.Lesson) {
	lang = s.lang(r)
	p = s.p(lang)
	l, err := s.findLesson(r.PathValue("id"), lang)
	if err != nil {
		http.Error(w, localize(p, err), http.StatusNotFound)
		return lang, p, nil
	}
	if err := s.cfg.Refused[l.ID]; err != nil {
		http.Error(w, localize(p, err), http.StatusForbidden)
		return lang, p, nil
	}
	return lang, p, l
}

// loadProgress reads the progress file; a file that cannot be read counts
// as no progress (the terminal says why), and a corrupt one as what could
// be saved of it.
func (s *Server) loadProgress() *progress.Progress {
	p, err := s.cfg.Progress.Load()
	if err != nil {
		fmt.Fprintf(s.cfg.Log, "kworkbook serve: progress: %v\n", err)
	}
	if p == nil {
		p = &progress.Progress{Version: progress.Version}
	}
	return p
}

// recordPasses notes passes in the progress file, as kworkbook watch does.
func (s *Server) recordPasses(lesson string, vs ...checker.Verdict) {
	err := s.cfg.Progress.Update(func(p *progress.Progress) error {
		p.Lesson(lesson).Checked(time.Now().UTC(), checker.PassedIDs(vs)...)
		return nil
	})
	if err != nil {
		fmt.Fprintf(s.cfg.Log, "kworkbook serve: %s\n", s.p(s.cfg.Lang).T("cli.progress_not_saved", "Error", err.Error()))
	}
}

// localize prints err in p's language when kworkbook words it itself.
func localize(p *locale.Printer, err error) string {
	var le *locale.Error
	if errors.As(err, &le) {
		return p.Localize(err)
	}
	var m interface{ Msg() (string, []any) }
	if errors.As(err, &m) {
		id, args := m.Msg()
		return p.T(id, args...)
	}
	return err.Error()
}
