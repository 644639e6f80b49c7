package web

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/kworkbook/kworkbook/checker"
	"github.com/kworkbook/kworkbook/internal/progress"
	"github.com/kworkbook/kworkbook/lessons"
)

const testToken = "0123456789abcdef0123456789abcdef"

const demoReadme = `---
title: Demo
summary: A lesson for the web view's tests.
minutes: 5
docs:
  - https://kubernetes.io/docs/concepts/workloads/controllers/deployment/
---

# Demo

Some prose with ` + "`code`" + ` and a command:

` + "```sh" + `
kubectl get pods -n kw-demo
` + "```" + `

` + "```exercise" + `
id: make-web
title: Make the Deployment web
hints:
  - Think of a Deployment.
  - "Shape: ` + "`kubectl create deployment NAME`" + `"
  - "` + "`kubectl create deployment web --image=nginx:1.27 -n kw-demo`" + `"
` + "```" + `

Then scale it.

` + "```exercise" + `
id: scale
title: Scale web to 2
hints:
  - Scale it.
  - "` + "`kubectl scale deployment/web --replicas=2 -n kw-demo`" + `"
` + "```" + `

The end.
`

const demoSpec = `namespaces: [kw-demo]
exercises:
  - id: make-web
    checks:
      - id: exists
        kind: Deployment
        name: web
        message: there must be a Deployment web
    solution:
      commands: ["kubectl create deployment web --image=nginx:1.27 -n kw-demo"]
  - id: scale
    checks:
      - id: two
        kind: Deployment
        name: web
        match: {spec: {replicas: 2}}
    solution:
      commands: ["kubectl scale deployment/web --replicas=2 -n kw-demo"]
`

const plainReadme = `---
title: Plain
summary: English only.
docs: [https://kubernetes.io/docs/concepts/configuration/configmap/]
---

# Plain

` + "```exercise" + `
id: only
title: The only exercise
hints: [Do it., Really do it.]
` + "```" + `
`

const plainSpec = `namespaces: [kw-plain]
exercises:
  - id: only
    checks:
      - kind: ConfigMap
        name: x
    solution:
      commands: ["kubectl create configmap x -n kw-plain"]
`

// testCatalog is two lessons: lesson-90 in English and Korean, lesson-91
// in English only.
func testCatalog(t *testing.T) *lessons.Catalog {
	t.Helper()
	fsys := fstest.MapFS{
		"90-demo/README.md":    {Data: []byte(demoReadme)},
		"90-demo/lesson.yaml":  {Data: []byte(demoSpec)},
		"91-plain/README.md":   {Data: []byte(plainReadme)},
		"91-plain/lesson.yaml": {Data: []byte(plainSpec)},
	}
	cat, err := lessons.Load(fsys, "test")
	if err != nil {
		t.Fatal(err)
	}
	en := cat.Lessons[0]
	ko := "---\ntitle: 데모\nsummary: 웹 보기 시험용 레슨입니다.\nsource: " + lessons.SourceHash(lessons.ProseSource(en.Prose)) +
		"\n---\n\n# 데모\n\n한국어 본문입니다.\n\n```exercise\nid: make-web\ntitle: 디플로이먼트 web을 만드세요\nhints:\n  - 디플로이먼트를 생각해 보세요.\n  - \"형태: `kubectl create deployment NAME`\"\n  - \"`kubectl create deployment web --image=nginx:1.27 -n kw-demo`\"\nsource: " +
		lessons.SourceHash(lessons.BlockSource(en.Prose.Block("make-web"))) +
		"\n```\n\n```exercise\nid: scale\ntitle: web을 2개로 늘리세요\nhints:\n  - 늘리세요.\n  - \"`kubectl scale deployment/web --replicas=2 -n kw-demo`\"\nsource: " +
		lessons.SourceHash(lessons.BlockSource(en.Prose.Block("scale"))) + "\n```\n"
	fsys["90-demo/README.ko.md"] = &fstest.MapFile{Data: []byte(ko)}
	cat, err = lessons.Load(fsys, "test")
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// fakeCluster stands for the cluster: a test sends verdicts to the
// watches that run, and sets the picture.
type fakeCluster struct {
	mu       sync.Mutex
	running  map[topicKey]func(checker.Verdict)
	starts   map[topicKey]int
	fail     error
	pic      *Picture
	pictures int
}

func newFakeCluster() *fakeCluster {
	return &fakeCluster{running: map[topicKey]func(checker.Verdict){}, starts: map[topicKey]int{},
		pic: &Picture{Nodes: []Node{{Name: "node-1", Ready: true}}}}
}

func (f *fakeCluster) Watch(ctx context.Context, l *lessons.Lesson, lang string, report func(checker.Verdict)) error {
	key := topicKey{l.ID, lang}
	f.mu.Lock()
	if f.fail != nil {
		err := f.fail
		f.mu.Unlock()
		return err
	}
	f.running[key] = report
	f.starts[key]++
	f.mu.Unlock()
	<-ctx.Done()
	f.mu.Lock()
	delete(f.running, key)
	f.mu.Unlock()
	return nil
}

func (f *fakeCluster) Picture(ctx context.Context, scope Scope) (*Picture, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pictures++
	return f.pic, nil
}

// send reports v to the watch of key, waiting for it to run.
func (f *fakeCluster) send(t *testing.T, key topicKey, v checker.Verdict) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		f.mu.Lock()
		report := f.running[key]
		f.mu.Unlock()
		if report != nil {
			report(v)
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no watch of %v runs", key)
}

// waitRunning waits until n watches run.
func (f *fakeCluster) waitRunning(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		f.mu.Lock()
		got := len(f.running)
		f.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d watches run, want %d", got, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// testServer is a Server on a real listener, with the progress file in a
// temporary state folder.
type testServer struct {
	*Server
	cluster *fakeCluster
	store   *progress.Store
	ts      *httptest.Server
	port    int
}

func newTestServer(t *testing.T, options ...func(*Config)) *testServer {
	t.Helper()
	t.Setenv("KWORKBOOK_STATE_DIR", t.TempDir())
	dir, err := progress.DefaultDir()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	fc := newFakeCluster()
	store := progress.Open(dir)
	cfg := Config{Catalog: testCatalog(t), Lang: "en", Port: port, Token: testToken, Progress: store, Cluster: fc,
		Refused: map[string]error{}, RetryWatch: 50 * time.Millisecond, PictureEvery: 10 * time.Millisecond}
	for _, o := range options {
		o(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(s.Handler())
	ts.Listener.Close()
	ts.Listener = ln
	ts.Start()
	t.Cleanup(func() {
		ts.CloseClientConnections()
		ts.Close()
		s.Close()
	})
	return &testServer{Server: s, cluster: fc, store: store, ts: ts, port: port}
}

func (s *testServer) url(path string) string {
	return "http://127.0.0.1:" + strconv.Itoa(s.port) + path
}

// request sends a request as the page's own browser would: with the
// cookie and the right host; mod changes it first.
func (s *testServer) request(t *testing.T, method, path string, body url.Values, mod func(*http.Request)) *http.Response {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = strings.NewReader(body.Encode())
	}
	req, err := http.NewRequest(method, s.url(path), r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.AddCookie(&http.Cookie{Name: s.cookieName(), Value: testToken})
	if method == http.MethodPost {
		req.Header.Set("Origin", "http://127.0.0.1:"+strconv.Itoa(s.port))
	}
	if mod != nil {
		mod(req)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// sseEvent is one event of a stream.
type sseEvent struct {
	name, data string
	retry      string
}

// sseReader reads events from a stream, line by line as the framing says.
type sseReader struct {
	events chan sseEvent
	raw    chan string
}

func readSSE(body io.Reader) *sseReader {
	r := &sseReader{events: make(chan sseEvent, 100), raw: make(chan string, 1000)}
	go func() {
		defer close(r.events)
		sc := bufio.NewScanner(body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			r.raw <- line
			switch {
			case line == "":
				if ev != (sseEvent{}) {
					r.events <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, ":"):
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				if ev.data != "" {
					ev.data += "\n"
				}
				ev.data += strings.TrimPrefix(line, "data: ")
			case strings.HasPrefix(line, "retry: "):
				ev.retry = strings.TrimPrefix(line, "retry: ")
			default:
				ev.name = "BAD LINE: " + line
			}
		}
	}()
	return r
}

// next returns the next event named name, skipping others.
func (r *sseReader) next(t *testing.T, name string) sseEvent {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev, ok := <-r.events:
			if !ok {
				t.Fatalf("the stream ended before an event %q", name)
			}
			if strings.HasPrefix(ev.name, "BAD LINE") {
				t.Fatalf("a line that is not SSE framing: %q", ev.name)
			}
			if ev.name == name {
				return ev
			}
		case <-timeout:
			t.Fatalf("no event %q within 5 s", name)
		}
	}
}

var errCluster = errors.New("connection refused")
