package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kworkbook/kworkbook/checker"
	"github.com/kworkbook/kworkbook/internal/progress"
	"github.com/kworkbook/kworkbook/lessons"
)

// TestToken: no token or a wrong one is refused; the token in the address
// sets a cookie and leads to the same page without it; the cookie, or the
// header, then opens every page.
func TestToken(t *testing.T) {
	s := newTestServer(t)
	noCookie := func(r *http.Request) { r.Header.Del("Cookie") }
	for _, tc := range []struct {
		name string
		path string
		mod  func(*http.Request)
	}{
		{"no token", "/", noCookie},
		{"wrong token", "/?token=nope", noCookie},
		{"wrong cookie", "/", func(r *http.Request) {
			noCookie(r)
			r.AddCookie(&http.Cookie{Name: s.cookieName(), Value: "0123456789abcdef0123456789abcdee"})
		}},
		{"another port's cookie", "/", func(r *http.Request) {
			noCookie(r)
			r.AddCookie(&http.Cookie{Name: "kworkbook-1", Value: testToken})
		}},
		{"an asset without token", "/assets/app.js", noCookie},
		{"events without token", "/events/lesson-90", noCookie},
	} {
		resp := s.request(t, "GET", tc.path, nil, tc.mod)
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "token") {
			t.Errorf("%s: got %d %q, want 403 that names the token", tc.name, resp.StatusCode, body)
		}
	}

	resp := s.request(t, "GET", "/lessons/lesson-90?lang=ko&token="+testToken, nil, noCookie)
	readBody(t, resp)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/lessons/lesson-90?lang=ko" {
		t.Errorf("got %d to %q, want 303 to the page without the token", resp.StatusCode, resp.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == s.cookieName() {
			cookie = c
		}
	}
	if cookie == nil || cookie.Value != testToken || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode {
		t.Fatalf("got cookie %+v, want an HttpOnly, SameSite=Strict cookie with the token", cookie)
	}
	resp = s.request(t, "GET", "/lessons/lesson-90", nil, func(r *http.Request) { noCookie(r); r.AddCookie(cookie) })
	if body := readBody(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Make the Deployment web") {
		t.Errorf("got %d, want the lesson with the cookie", resp.StatusCode)
	}
	resp = s.request(t, "GET", "/", nil, func(r *http.Request) { noCookie(r); r.Header.Set("X-Kworkbook-Token", testToken) })
	if readBody(t, resp); resp.StatusCode != http.StatusOK {
		t.Errorf("got %d, want the course with the token header", resp.StatusCode)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || resp.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("got CSP %q and referrer policy %q, want both strict", csp, resp.Header.Get("Referrer-Policy"))
	}
}

// TestHost: only 127.0.0.1:PORT and localhost:PORT are answered (DNS
// rebinding), even with the token.
func TestHost(t *testing.T) {
	s := newTestServer(t)
	port := strconv.Itoa(s.port)
	for host, want := range map[string]int{
		"127.0.0.1:" + port:      http.StatusOK,
		"localhost:" + port:      http.StatusOK,
		"LOCALHOST:" + port:      http.StatusOK,
		"evil.example:" + port:   http.StatusForbidden,
		"evil.example":           http.StatusForbidden,
		"127.0.0.1:1":            http.StatusForbidden,
		"127.0.0.1":              http.StatusForbidden,
		"[::1]:" + port:          http.StatusForbidden,
		"localhost.evil:" + port: http.StatusForbidden,
	} {
		resp := s.request(t, "GET", "/", nil, func(r *http.Request) { r.Host = host })
		body := readBody(t, resp)
		if resp.StatusCode != want {
			t.Errorf("Host %s: got %d, want %d", host, resp.StatusCode, want)
		}
		if want == http.StatusForbidden && !strings.Contains(body, "host") {
			t.Errorf("Host %s: got %q, want a short text about the host", host, body)
		}
	}
}

// TestOrigin: a POST from another site is refused and changes nothing;
// from the page's own origin it is served.
func TestOrigin(t *testing.T) {
	s := newTestServer(t)
	form := url.Values{"exercise": {"make-web"}, "token": {testToken}}
	for name, mod := range map[string]func(*http.Request){
		"foreign origin":       func(r *http.Request) { r.Header.Set("Origin", "http://evil.example") },
		"another port":         func(r *http.Request) { r.Header.Set("Origin", "http://127.0.0.1:1") },
		"https origin":         func(r *http.Request) { r.Header.Set("Origin", "https://127.0.0.1:"+strconv.Itoa(s.port)) },
		"null origin":          func(r *http.Request) { r.Header.Set("Origin", "null") },
		"cross-site fetch":     func(r *http.Request) { r.Header.Del("Origin"); r.Header.Set("Sec-Fetch-Site", "cross-site") },
		"same-site other port": func(r *http.Request) { r.Header.Del("Origin"); r.Header.Set("Sec-Fetch-Site", "same-site") },
	} {
		resp := s.request(t, "POST", "/lessons/lesson-90/hints", form, mod)
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "site") {
			t.Errorf("%s: got %d %q, want 403 about another site", name, resp.StatusCode, body)
		}
	}
	if p, _ := s.store.Load(); p.Lessons["lesson-90"] != nil {
		t.Fatalf("a refused request changed the progress: %+v", p.Lessons["lesson-90"])
	}
	for name, mod := range map[string]func(*http.Request){
		"same origin":   nil,
		"localhost":     func(r *http.Request) { r.Header.Set("Origin", "http://localhost:"+strconv.Itoa(s.port)) },
		"no origin":     func(r *http.Request) { r.Header.Del("Origin") },
		"same-origin":   func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "same-origin") },
		"token in form": func(r *http.Request) { r.Header.Del("Cookie") },
	} {
		resp := s.request(t, "POST", "/lessons/lesson-90/hints", form, mod)
		if readBody(t, resp); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("%s: got %d, want 303 back to the card", name, resp.StatusCode)
		}
	}
	resp := s.request(t, "POST", "/lessons/lesson-90/hints", url.Values{"exercise": {"make-web"}},
		func(r *http.Request) { r.Header.Del("Cookie") })
	if readBody(t, resp); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a POST without any token: got %d, want 403", resp.StatusCode)
	}
}

var cardRE = regexp.MustCompile(`<section class="card" id="ex-([a-z-]+)" data-exercise="[a-z-]+" data-state="([a-z]+)"`)

// TestLessonPage: the README as HTML with a card in place of each
// exercise block, highlighted code, hints and the language switch.
func TestLessonPage(t *testing.T) {
	s := newTestServer(t)
	resp := s.request(t, "GET", "/lessons/90", nil, nil)
	page := readBody(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("got %d:\n%s", resp.StatusCode, page)
	}
	cards := cardRE.FindAllStringSubmatch(page, -1)
	if len(cards) != 2 || cards[0][1] != "make-web" || cards[1][1] != "scale" || cards[0][2] != "todo" {
		t.Fatalf("got cards %v, want make-web then scale, to do", cards)
	}
	for _, want := range []string{
		`<html lang="en">`,
		`<h1 id="demo">Demo</h1>`,
		"Exercise 1 of 2 · Make the Deployment web",
		`<code class="card-id">make-web</code>`,
		`<pre class="chroma"><code><span class="line">`, // highlighted: CSS classes, no inline style
		`Show a hint (1/3)`,
		`name="token" value="` + testToken + `"`,
		`href="/lessons/90?lang=ko"`,
		`aria-current="true">English</a>`,
		`data-events="/events/lesson-90?lang=en"`,
		`/assets/app.js?v=`,
		"https://kubernetes.io/docs/concepts/workloads/controllers/deployment/",
		`<div id="picture" class="picture">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// Prose order: text, card, text, card, text.
	if a, b, c := strings.Index(page, "Some prose"), strings.Index(page, `id="ex-make-web"`), strings.Index(page, "Then scale it."); !(a < b && b < c) {
		t.Errorf("the card is not where the exercise block was: %d %d %d", a, b, c)
	}
	for _, bad := range []string{"```exercise", "hints:", "KWORKBOOKCARD", "style=\"", "<script>"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q", bad)
		}
	}

	// Korean: the edition's prose and titles, kworkbook's words in Korean.
	resp = s.request(t, "GET", "/lessons/lesson-90?lang=ko", nil, nil)
	page = readBody(t, resp)
	for _, want := range []string{`<html lang="ko">`, "한국어 본문입니다.", "연습 문제 1/2 · 디플로이먼트 web을 만드세요", "힌트 보기 (1/3)", `aria-current="true">한국어</a>`, `data-events="/events/lesson-90?lang=ko"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the Korean page lacks %q", want)
		}
	}
	if strings.Contains(page, "Some prose") || strings.Contains(page, "이 레슨은 아직") {
		t.Error("the Korean page shows the English prose or says there is no edition")
	}
	// A lesson with no Korean edition reads in English, and says so.
	resp = s.request(t, "GET", "/lessons/91?lang=ko", nil, nil)
	page = readBody(t, resp)
	if !strings.Contains(page, "이 레슨은 아직 한국어판이 없어") || !strings.Contains(page, "The only exercise") {
		t.Error("a lesson without a Korean edition does not say so, or does not read in English")
	}
	// An unknown language is the default one.
	resp = s.request(t, "GET", "/lessons/90?lang=xx", nil, nil)
	if page = readBody(t, resp); !strings.Contains(page, `<html lang="en">`) {
		t.Error("an unknown language did not fall back to the default")
	}
	// An unknown lesson: 404 with the lessons there are.
	resp = s.request(t, "GET", "/lessons/77", nil, nil)
	if page = readBody(t, resp); resp.StatusCode != http.StatusNotFound || !strings.Contains(page, "lesson-90") {
		t.Errorf("got %d, want 404 naming the lessons", resp.StatusCode)
	}
}

// TestLessonPageProgress: cards show what the progress file says, and the
// hints revealed with kworkbook hint.
func TestLessonPageProgress(t *testing.T) {
	s := newTestServer(t)
	err := s.store.Update(func(p *progress.Progress) error {
		p.Lesson("lesson-90").Exercise("make-web").Passed = time.Now()
		p.Lesson("lesson-90").Exercise("scale").Hints = 1
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	page := readBody(t, s.request(t, "GET", "/lessons/90", nil, nil))
	cards := cardRE.FindAllStringSubmatch(page, -1)
	if len(cards) != 2 || cards[0][2] != "passed" || cards[1][2] != "todo" {
		t.Fatalf("got cards %v, want make-web passed", cards)
	}
	if !strings.Contains(page, "Hint 1 (1/2)") || !strings.Contains(page, "<p>Scale it.</p>") {
		t.Error("the revealed hint of scale is not shown")
	}
}

// TestCoursePage: every lesson, its progress and the next exercise.
func TestCoursePage(t *testing.T) {
	s := newTestServer(t)
	_ = s.store.Update(func(p *progress.Progress) error {
		p.Lesson("lesson-90").Exercise("make-web").Passed = time.Now()
		return nil
	})
	page := readBody(t, s.request(t, "GET", "/", nil, nil))
	for _, want := range []string{
		`href="/lessons/lesson-90?lang=en"`, `href="/lessons/lesson-91?lang=en"`,
		"1/2 in progress", "0/1 not started",
		"Next: lesson-90 (Demo), exercise scale", `href="/lessons/lesson-90?lang=en#ex-scale"`,
		`<progress max="2" value="1"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the course lacks %q", want)
		}
	}
	page = readBody(t, s.request(t, "GET", "/?lang=ko", nil, nil))
	if !strings.Contains(page, "데모") || !strings.Contains(page, "쿠버네티스 실습서") {
		t.Error("the Korean course lacks the Korean titles")
	}
}

// TestRefused: a lesson a classroom does not give is listed with why, and
// its page says why instead of watching it.
func TestRefused(t *testing.T) {
	why := fmt.Errorf("not in a classroom: %w", lessons.ErrClusterScoped)
	s := newTestServer(t, func(c *Config) { c.Refused["lesson-91"] = why })
	page := readBody(t, s.request(t, "GET", "/", nil, nil))
	if !strings.Contains(page, "not in a classroom") {
		t.Error("the course does not say why lesson-91 is refused")
	}
	resp := s.request(t, "GET", "/lessons/91", nil, nil)
	if page = readBody(t, resp); !strings.Contains(page, "not in a classroom") || strings.Contains(page, "data-events") {
		t.Error("the refused lesson's page does not say why, or watches it")
	}
	resp = s.request(t, "GET", "/events/lesson-91", nil, nil)
	if readBody(t, resp); resp.StatusCode != http.StatusForbidden {
		t.Errorf("got %d for a refused lesson's events, want 403", resp.StatusCode)
	}
}

// TestEvents: the stream's framing (retry:, event:, data: lines of JSON),
// verdicts as cards worded like the CLI, the picture, the cluster's
// problems, and passes recorded in the progress file.
func TestEvents(t *testing.T) {
	s := newTestServer(t)
	resp := s.request(t, "GET", "/events/lesson-90", nil, nil)
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("got %d %s, want an event stream", resp.StatusCode, ct)
	}
	r := readSSE(resp.Body)
	if first := <-r.raw; first != "retry: 2000" {
		t.Errorf("got first line %q, want retry: 2000", first)
	}
	ev := r.next(t, "picture")
	var pic htmlEvent
	if err := json.Unmarshal([]byte(ev.data), &pic); err != nil || !strings.Contains(pic.HTML, "node-1") {
		t.Errorf("got picture %q (%v), want the fake's node", ev.data, err)
	}

	key := topicKey{"lesson-90", "en"}
	s.cluster.send(t, key, checker.Verdict{Lesson: "lesson-90", Exercise: "make-web", Status: checker.Fail,
		Message: "there must be a Deployment web (seen: none)\nsecond line", Evidence: []string{"event: FailedCreate <x>"}})
	ev = r.next(t, "verdict")
	var v verdictEvent
	if err := json.Unmarshal([]byte(ev.data), &v); err != nil {
		t.Fatalf("data is not JSON: %q: %v", ev.data, err)
	}
	if v.Exercise != "make-web" || v.State != "failing" || !strings.Contains(v.HTML, "not yet: there must be a Deployment web (seen: none)") ||
		!strings.Contains(v.HTML, "second line") || !strings.Contains(v.HTML, "event: FailedCreate &lt;x&gt;") {
		t.Errorf("got %+v, want make-web failing with the message and the (escaped) evidence", v)
	}
	// The same verdict again is no event; a pass is, and is recorded.
	s.cluster.send(t, key, checker.Verdict{Lesson: "lesson-90", Exercise: "make-web", Status: checker.Fail,
		Message: "there must be a Deployment web (seen: none)\nsecond line", Evidence: []string{"event: FailedCreate <x>"}})
	s.cluster.send(t, key, checker.Verdict{Lesson: "lesson-90", Exercise: "make-web", Status: checker.Pass, Message: "all 1 checks pass"})
	ev = r.next(t, "verdict")
	if err := json.Unmarshal([]byte(ev.data), &v); err != nil || v.State != "passed" || !strings.Contains(v.HTML, "done") {
		t.Errorf("got %q, want make-web passed", ev.data)
	}
	if p, _ := s.store.Load(); !p.Done("lesson-90", "make-web") || p.Done("lesson-90", "scale") {
		t.Errorf("the pass is not in the progress file: %+v", p.Lessons["lesson-90"])
	}
	// A page opened now shows the live verdict.
	page := readBody(t, s.request(t, "GET", "/lessons/90", nil, nil))
	if cards := cardRE.FindAllStringSubmatch(page, -1); cards[0][2] != "passed" {
		t.Errorf("a new page shows %v, want the live verdict", cards)
	}
	// The picture follows the cluster.
	s.cluster.mu.Lock()
	s.cluster.pic = &Picture{Nodes: []Node{{Name: "node-2", Ready: true}}}
	s.cluster.mu.Unlock()
	s.cluster.send(t, key, checker.Verdict{Lesson: "lesson-90", Exercise: "scale", Status: checker.Fail, Message: "replicas"})
	for {
		ev = r.next(t, "picture")
		if strings.Contains(ev.data, "node-2") {
			break
		}
	}
}

// TestEventsProblem: a cluster that cannot be watched is said on the
// stream, and watched again.
func TestEventsProblem(t *testing.T) {
	s := newTestServer(t)
	s.cluster.mu.Lock()
	s.cluster.fail = errCluster
	s.cluster.mu.Unlock()
	resp := s.request(t, "GET", "/events/lesson-90?lang=ko", nil, nil)
	defer resp.Body.Close()
	r := readSSE(resp.Body)
	ev := r.next(t, "problem")
	var p htmlEvent
	if err := json.Unmarshal([]byte(ev.data), &p); err != nil || !strings.Contains(p.HTML, "지금은 클러스터를 검사할 수 없습니다") || !strings.Contains(p.HTML, "connection refused") {
		t.Errorf("got %q, want the problem in Korean", ev.data)
	}
	s.cluster.mu.Lock()
	s.cluster.fail = nil
	s.cluster.mu.Unlock()
	s.cluster.send(t, topicKey{"lesson-90", "ko"}, checker.Verdict{Exercise: "scale", Status: checker.Pass})
	ev = r.next(t, "problem")
	if ev.data != `{"html":""}` {
		t.Errorf("got %q, want the problem cleared", ev.data)
	}
	if ev = r.next(t, "verdict"); !strings.Contains(ev.data, "완료") {
		t.Errorf("got %q, want the verdict in Korean", ev.data)
	}
}

// TestHubShares: tabs on one lesson share one watch, each language has its
// own, and the last tab to leave stops it.
func TestHubShares(t *testing.T) {
	s := newTestServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	open := func(path string) *sseReader {
		req, _ := http.NewRequestWithContext(ctx, "GET", s.url(path), nil)
		req.AddCookie(&http.Cookie{Name: s.cookieName(), Value: testToken})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return readSSE(resp.Body)
	}
	a, b := open("/events/lesson-90"), open("/events/90")
	c := open("/events/lesson-90?lang=ko")
	s.cluster.waitRunning(t, 2)
	s.cluster.send(t, topicKey{"lesson-90", "en"}, checker.Verdict{Exercise: "scale", Status: checker.Fail, Message: "no"})
	a.next(t, "verdict")
	b.next(t, "verdict")
	s.cluster.mu.Lock()
	if s.cluster.starts[topicKey{"lesson-90", "en"}] != 1 || s.cluster.starts[topicKey{"lesson-90", "ko"}] != 1 {
		t.Errorf("got watches started %v, want one per language", s.cluster.starts)
	}
	s.cluster.mu.Unlock()
	_ = c
	cancel()
	s.cluster.waitRunning(t, 0)
	deadline := time.Now().Add(5 * time.Second)
	for s.hub.watching() != 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := s.hub.watching(); n != 0 {
		t.Errorf("%d topics left after every tab closed", n)
	}
}

// TestHints: each POST reveals one more step and records it in the
// progress file as kworkbook hint does; never past the last step.
func TestHints(t *testing.T) {
	s := newTestServer(t)
	post := func() map[string]any {
		resp := s.request(t, "POST", "/lessons/lesson-90/hints?lang=en", url.Values{"exercise": {"make-web"}, "token": {testToken}},
			func(r *http.Request) { r.Header.Set("Accept", "application/json") })
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("got %d %s", resp.StatusCode, body)
		}
		var out map[string]any
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	hints := func() int {
		p, err := s.store.Load()
		if err != nil {
			t.Fatal(err)
		}
		return p.Lesson("lesson-90").Exercise("make-web").Hints
	}
	out := post()
	html, _ := out["html"].(string)
	if hints() != 1 || out["exercise"] != "make-web" || !strings.Contains(html, "Nudge (1/3)") || !strings.Contains(html, "Think of a Deployment.") ||
		!strings.Contains(html, "Show the next hint (2/3)") || strings.Contains(html, "Command shape") {
		t.Fatalf("after one POST: %d hints recorded, got %v", hints(), out)
	}
	post()
	out = post()
	html, _ = out["html"].(string)
	if hints() != 3 || !strings.Contains(html, "Full answer (3/3)") || !strings.Contains(html, "<code>kubectl create deployment web --image=nginx:1.27 -n kw-demo</code>") ||
		strings.Contains(html, "<button") {
		t.Fatalf("after three POSTs: %d hints recorded, got %v", hints(), out)
	}
	post()
	if hints() != 3 {
		t.Errorf("got %d hints recorded, want the ladder's 3 at most", hints())
	}
	resp := s.request(t, "POST", "/lessons/lesson-90/hints", url.Values{"exercise": {"nope"}}, nil)
	if body := readBody(t, resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "make-web") {
		t.Errorf("an unknown exercise: got %d %q, want 400 naming the exercises", resp.StatusCode, body)
	}
}

// TestServeShutdown: cancelling the context ends Serve promptly, with an
// event stream open, and stops the watches.
func TestServeShutdown(t *testing.T) {
	t.Setenv("KWORKBOOK_STATE_DIR", t.TempDir())
	dir, _ := progress.DefaultDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	fc := newFakeCluster()
	s, err := New(Config{Catalog: testCatalog(t), Port: port, Token: testToken, Progress: progress.Open(dir), Cluster: fc})
	if err != nil {
		t.Fatal(err)
	}
	if u := s.URL(LessonPath("lesson-90")); u != "http://127.0.0.1:"+strconv.Itoa(port)+"/lessons/lesson-90?token="+testToken {
		t.Errorf("got URL %s", u)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	resp, err := http.Get(s.URL("/events/lesson-90"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := readSSE(resp.Body)
	r.next(t, "picture")
	fc.waitRunning(t, 1)
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Serve did not return within 3 s of the cancel")
	}
	t.Logf("shut down in %v", time.Since(start))
	fc.waitRunning(t, 0)
}

// TestAssets: the embedded style sheets and script, with no CDN.
func TestAssets(t *testing.T) {
	s := newTestServer(t)
	for name, ct := range map[string]string{"app.css": "text/css", "app.js": "javascript", "code.css": "text/css", "icon.svg": "image/svg+xml"} {
		resp := s.request(t, "GET", "/assets/"+name, nil, nil)
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), ct) || len(body) < 100 {
			t.Errorf("%s: got %d %s (%d bytes)", name, resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
		}
		if strings.Contains(body, "https://") || strings.Contains(body, "//cdn") {
			t.Errorf("%s loads something from the network", name)
		}
	}
	css := readBody(t, s.request(t, "GET", "/assets/app.css", nil, nil))
	for _, want := range []string{"prefers-color-scheme: dark", ":focus-visible", "Noto Sans CJK KR", "max-width: 480px"} {
		if !strings.Contains(css, want) {
			t.Errorf("app.css lacks %q", want)
		}
	}
	js := readBody(t, s.request(t, "GET", "/assets/app.js", nil, nil))
	for _, want := range []string{"new EventSource", "'verdict'", "'picture'", "clipboard", "hint-form"} {
		if !strings.Contains(js, want) {
			t.Errorf("app.js lacks %q", want)
		}
	}
	if resp := s.request(t, "GET", "/assets/nope.js", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("got %d for a missing asset", resp.StatusCode)
	}
}
