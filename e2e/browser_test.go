package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
)

// The browser tier: kworkbook serve driven by Debian's Chromium through
// the DevTools protocol (chromedp), on the real cluster.
//
// Screenshots go to e2e/artifacts/web-*.png (1280×800 and 390×844, English
// and Korean); .ci/run lists that folder at the end of the e2e tier, and
// CI keeps it as its artifacts.

const chromiumPath = "/usr/bin/chromium"

// artifacts is where the browser tier leaves its screenshots.
const artifacts = "artifacts"

// serveURL matches the address kworkbook serve prints.
var serveURL = regexp.MustCompile(`http://127\.0\.0\.1:\d+/\S*\?token=[0-9a-f]+`)

// startServe runs kworkbook serve with args and returns the address it
// prints and a function that stops it with Ctrl-C (SIGINT) and checks
// that it stopped cleanly; the end of the test stops it if nothing did.
func startServe(t *testing.T, env []string, args ...string) (string, func()) {
	t.Helper()
	cmd := exec.Command(suite.binary, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var stdout strings.Builder
	found := make(chan string, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			mu.Lock()
			stdout.WriteString(sc.Text() + "\n")
			mu.Unlock()
			if u := serveURL.FindString(sc.Text()); u != "" {
				select {
				case found <- u:
				default:
				}
			}
		}
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			_ = cmd.Process.Signal(syscall.SIGINT)
			exited := make(chan error, 1)
			go func() { <-done; exited <- cmd.Wait() }()
			select {
			case err := <-exited:
				mu.Lock()
				defer mu.Unlock()
				t.Logf("$ kworkbook %s\n%s%s", strings.Join(args, " "), stdout.String(), stderr.String())
				if err != nil {
					t.Errorf("kworkbook serve did not exit cleanly on Ctrl-C: %v", err)
				}
				if !strings.Contains(stdout.String(), "stopped serving") {
					t.Error("kworkbook serve did not say it stopped")
				}
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
				t.Error("kworkbook serve did not stop within 10 s of Ctrl-C")
			}
		})
	}
	t.Cleanup(stop)
	select {
	case u := <-found:
		return u, stop
	case <-done:
		t.Fatalf("kworkbook serve ended without an address:\n%s", stderr.String())
	case <-time.After(time.Minute):
		t.Fatalf("kworkbook serve printed no address within a minute:\n%s", stderr.String())
	}
	return "", stop
}

// newBrowser starts a headless Chromium with a fresh profile and the
// flags this offline machine needs, and collects the page's console errors
// and uncaught exceptions.
func newBrowser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("browser tier skipped: %s is absent (apt-get install chromium fonts-noto-cjk)", chromiumPath)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("starting %s: %v", chromiumPath, err)
	}
	var mu sync.Mutex
	var problems []string
	err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, strings.TrimSpace(string(a.Value)+" "+a.Description))
				}
				problems = append(problems, fmt.Sprintf("console.%s: %s", e.Type, strings.Join(parts, " ")))
			}
		case *runtime.EventExceptionThrown:
			d := e.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			problems = append(problems, fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber+1, msg))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), problems...)
	}
}

// pollJS evaluates expr until it is true or timeout passes.
func pollJS(t *testing.T, ctx context.Context, expr string, timeout time.Duration) bool {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return true
		}
		if time.Now().After(deadline) {
			if err != nil {
				t.Logf("%s: %v", expr, err)
			}
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func screenshot(t *testing.T, ctx context.Context, name string, w, h int64, scrollTo string) {
	t.Helper()
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	steps := []chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(w, h)}
	if scrollTo != "" {
		steps = append(steps, chromedp.Evaluate[chromedp.Void](`document.querySelector(`+"`"+scrollTo+"`"+`).scrollIntoView({block: "start"})`))
	}
	steps = append(steps, chromedp.Sleep(300*time.Millisecond))
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(artifacts, name)
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(path)
	t.Logf("screenshot %s", abs)
}

// TestBrowserLesson05: the learner's view of lesson 05 in a browser. The
// page opens at the address serve printed; the first exercise is done
// with kubectl in a "terminal" (the test); its card turns to passed
// without a reload, within a second of the Deployment being ready; the
// picture shows the new pods; screenshots at a laptop's and a phone's
// width; no JavaScript error on the way.
func TestBrowserLesson05(t *testing.T) {
	ctx, consoleProblems := newBrowser(t)
	state := []string{"KWORKBOOK_STATE_DIR=" + t.TempDir()}
	expect(t, kworkbook(t, state, "reset", "05", "--yes"), 0)
	url, stopServe := startServe(t, state, "serve", "05")
	t.Logf("serve: %s", url)

	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	if !pollJS(t, ctx, `document.getElementById('conn') && document.getElementById('conn').dataset.state === 'live'`, 20*time.Second) {
		t.Fatal("the page did not connect to its event stream")
	}
	// The first verdict comes from the watch: create is not done.
	if !pollJS(t, ctx, `document.getElementById('ex-create').dataset.state === 'failing'`, 30*time.Second) {
		t.Fatal("the card of exercise create did not show it failing after reset")
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); strings.Contains(loc, "token=") {
		t.Errorf("the address still holds the token: %s", loc)
	}
	// Mark this page, and record in the page when the card flips.
	err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`
		window.kwbSamePage = true;
		window.kwbFlip = 0;
		new MutationObserver(() => {
			if (!window.kwbFlip && document.getElementById('ex-create').dataset.state === 'passed') window.kwbFlip = Date.now();
		}).observe(document.getElementById('ex-create'), {attributes: true});
	`))
	if err != nil {
		t.Fatal(err)
	}

	// The Deployment's readiness as the API server reports it, timed here.
	readyAt := make(chan time.Time, 1)
	wctx, stopWatch := context.WithCancel(context.Background())
	defer stopWatch()
	w, err := suite.clients.Typed.AppsV1().Deployments("kw-deploy").Watch(wctx, metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", "web").String()})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for ev := range w.ResultChan() {
			if deploymentReady(ev.Object) {
				readyAt <- time.Now()
				return
			}
		}
	}()

	solution, err := filepath.Abs("../lessons/content/05-deployments/solution/web.yaml")
	if err != nil {
		t.Fatal(err)
	}
	kubectl(t, "apply", "-f", solution)
	kubectl(t, "rollout", "status", "deployment/web", "-n", "kw-deploy", "--timeout=180s")
	rolledOut := time.Now()
	if !pollJS(t, ctx, `window.kwbFlip > 0`, 5*time.Second) {
		t.Fatal("the card of exercise create did not turn to passed within 5 s of kubectl rollout status")
	}
	flipMs, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`window.kwbFlip`))
	if err != nil {
		t.Fatal(err)
	}
	flip := time.UnixMilli(flipMs)
	afterRollout := flip.Sub(rolledOut)
	var afterReady time.Duration
	select {
	case r := <-readyAt:
		afterReady = flip.Sub(r)
	case <-time.After(5 * time.Second):
		t.Error("the API server's watch never showed the Deployment ready")
	}
	t.Logf("card flip: %v after the Deployment was ready (API watch), %v after kubectl rollout status returned (budget: 1 s)", afterReady.Round(time.Millisecond), afterRollout.Round(time.Millisecond))
	if afterRollout > time.Second || afterReady > time.Second {
		t.Errorf("the card flipped %v after the Deployment was ready, %v after rollout status: over the 1 s budget", afterReady, afterRollout)
	}
	if same, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.kwbSamePage === true`)); !same {
		t.Error("the page was reloaded: the card must flip in place")
	}
	status, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#status-create`)))
	if !strings.Contains(status, "done") {
		t.Errorf("got the status %q, want done", status)
	}
	if state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('.overview li[data-exercise="create"]').dataset.state`)); state != "passed" {
		t.Errorf("the exercise list shows create %q, want passed", state)
	}

	// The picture: Deployment web, its ReplicaSet and three ready pods,
	// which Service web now routes to.
	if !pollJS(t, ctx, `document.querySelectorAll('#picture .tree .chip.ok').length === 3 &&
		document.querySelectorAll('#picture .nodes .pod.ok').length === 3 &&
		document.querySelectorAll('#picture .links .link:not(.broken) .chip.ok').length === 3`, 10*time.Second) {
		html, _ := chromedp.Run(ctx, chromedp.InnerHTML(chromedp.CSS(`#picture`)))
		t.Errorf("the picture does not show the three new pods:\n%s", html)
	}

	screenshot(t, ctx, "web-lesson05-1280.png", 1280, 800, "#ex-create")
	screenshot(t, ctx, "web-lesson05-390.png", 390, 844, "#ex-create")
	screenshot(t, ctx, "web-picture-390.png", 390, 844, "#picture-title")
	// Dark mode follows the system's.
	dark := func(on bool) chromedp.Action[chromedp.Void] {
		v := "light"
		if on {
			v = "dark"
		}
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: v}}})
			return err
		})
	}
	if err := chromedp.Do(ctx, dark(true)); err != nil {
		t.Fatal(err)
	}
	if bg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`)); bg == "rgb(255, 255, 255)" {
		t.Errorf("in dark mode the page is still white")
	}
	screenshot(t, ctx, "web-lesson05-dark-1280.png", 1280, 800, "#ex-create")
	if err := chromedp.Do(ctx, dark(false)); err != nil {
		t.Fatal(err)
	}

	// A hint, revealed with its button and kept in the progress file.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800), chromedp.Click(chromedp.CSS(`#hints-scale .hint-button`))); err != nil {
		t.Fatal(err)
	}
	if !pollJS(t, ctx, `document.querySelectorAll('#hints-scale .hint-list li').length === 1`, 5*time.Second) {
		t.Error("the hint button of scale revealed no hint")
	}
	expect(t, kworkbook(t, state, "hint", "05", "scale"), 0, "(2/")

	// A restart of kworkbook serve (same port, same token): the open page
	// notices, and its stream comes back by itself, without a reload.
	stopServe()
	if !pollJS(t, ctx, `document.getElementById('conn').dataset.state !== 'live'`, 5*time.Second) {
		t.Error("the page did not notice that kworkbook serve stopped")
	}
	again, _ := startServe(t, state, "serve", "05")
	if again != url {
		t.Errorf("after a restart serve printed %s, want the same address %s", again, url)
	}
	if !pollJS(t, ctx, `document.getElementById('conn').dataset.state === 'live' && window.kwbSamePage === true &&
		document.getElementById('ex-create').dataset.state === 'passed'`, 15*time.Second) {
		t.Error("the page did not reconnect to the restarted kworkbook serve")
	}

	// The Korean view, and the course.
	if err := chromedp.Do(ctx, chromedp.Navigate(strings.Split(url, "?")[0]+"?lang=ko")); err != nil {
		t.Fatal(err)
	}
	if !pollJS(t, ctx, `document.documentElement.lang === 'ko' && document.getElementById('conn').dataset.state === 'live' && document.getElementById('ex-create').dataset.state === 'passed'`, 20*time.Second) {
		t.Error("the Korean page did not show create passed")
	}
	screenshot(t, ctx, "web-lesson05-ko-390.png", 390, 844, "#ex-scale")
	if err := chromedp.Do(ctx, chromedp.Navigate(strings.Split(url, "/lessons/")[0]+"/")); err != nil {
		t.Fatal(err)
	}
	course, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
	if !strings.Contains(course, "lesson-05") || !strings.Contains(course, "1/5") {
		t.Errorf("the course does not show lesson-05 at 1/5:\n%s", course)
	}
	screenshot(t, ctx, "web-course-1280.png", 1280, 800, "")

	for _, p := range consoleProblems() {
		t.Errorf("JavaScript: %s", p)
	}
	expect(t, kworkbook(t, state, "list"), 0, "1/5")
	expect(t, kworkbook(t, state, "reset", "05", "--yes"), 0)
}

// deploymentReady reports whether obj is a Deployment whose every
// replica is ready.
func deploymentReady(obj any) bool {
	d, ok := obj.(*appsv1.Deployment)
	return ok && d.Spec.Replicas != nil && *d.Spec.Replicas > 0 && d.Status.ReadyReplicas >= *d.Spec.Replicas
}
