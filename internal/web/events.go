package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/kworkbook/kworkbook/checker"
	"github.com/kworkbook/kworkbook/internal/locale"
	"github.com/kworkbook/kworkbook/lessons"
)

// The event stream of a lesson page (text/event-stream):
//
//	retry: 2000                  reconnect after 2 s when the server goes away
//	event: verdict               an exercise's card changed
//	data: {"exercise":"create","state":"passed","html":"…"}
//	event: picture               the picture of the cluster changed
//	data: {"html":"…"}
//	event: problem               the cluster cannot be watched ("" when it can again)
//	data: {"html":"…"}
//
// Each data line is one JSON object; the HTML in it is rendered here, in
// the page's language, so the script only puts it in place.

// RetryMillis is what the stream asks browsers to wait before reconnecting.
const RetryMillis = 2000

// heartbeat keeps proxies and the browser from deeming the stream dead.
const heartbeat = 15 * time.Second

type verdictEvent struct {
	Exercise string `json:"exercise"`
	State    string `json:"state"`
	HTML     string `json:"html"`
}

type htmlEvent struct {
	HTML string `json:"html"`
}

func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	lang, p, l := s.requestLesson(w, r)
	if l == nil {
		return
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming is not supported", http.StatusInternalServerError)
		return
	}
	sub, err := s.hub.subscribe(l, lang)
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	defer s.hub.unsubscribe(sub)

	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, "retry: %d\n\n", RetryMillis)
	flusher.Flush()

	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
			if _, err := io.WriteString(w, ": ping\n\n"); err != nil {
				return
			}
		case <-sub.ready:
			if err := s.writeUpdate(w, p, l, sub.take()); err != nil {
				return
			}
		}
		flusher.Flush()
	}
}

// writeUpdate writes an update as events.
func (s *Server) writeUpdate(w io.Writer, p *locale.Printer, l *lessons.Lesson, u update) error {
	if u.problem != nil {
		html := ""
		if u.problem.err != nil {
			var err error
			if html, err = s.pages.fragment("problem", problemView{P: p, Message: localize(p, u.problem.err)}); err != nil {
				return err
			}
		}
		if err := writeEvent(w, "problem", htmlEvent{html}); err != nil {
			return err
		}
	}
	for _, v := range u.verdicts {
		e := l.Exercise(v.Exercise)
		if e == nil {
			continue
		}
		st := statusOf(p, &v)
		html, err := s.pages.fragment("status", st)
		if err != nil {
			return err
		}
		if err := writeEvent(w, "verdict", verdictEvent{Exercise: v.Exercise, State: st.State, HTML: html}); err != nil {
			return err
		}
	}
	if u.picture != nil {
		html, err := s.pages.fragment("picture", pictureView{P: p, Pic: u.picture.pic, Err: errText(p, u.picture.err), Namespaces: l.Spec.Namespaces})
		if err != nil {
			return err
		}
		if err := writeEvent(w, "picture", htmlEvent{html}); err != nil {
			return err
		}
	}
	return nil
}

// writeEvent writes one event; its data is JSON, which holds no newline.
func writeEvent(w io.Writer, name string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	if strings.ContainsAny(string(raw), "\r\n") {
		return fmt.Errorf("event %s: a newline in JSON", name)
	}
	_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, raw)
	return err
}

func errText(p *locale.Printer, err error) string {
	if err == nil {
		return ""
	}
	return localize(p, err)
}

// stateOf names a verdict's state as pages and scripts know it.
func stateOf(v *checker.Verdict) string {
	if v == nil {
		return stateTodo
	}
	switch v.Status {
	case checker.Pass:
		return statePassed
	case checker.Error:
		return stateError
	}
	return stateFailing
}

// The states of a card.
const (
	stateTodo    = "todo"
	statePassed  = "passed"
	stateFailing = "failing"
	stateError   = "error"
)
