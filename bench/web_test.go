package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's Chromium; KWORKBOOK_CHROMIUM names another
// browser, or "none" to time the event stream only.
var chromiumPath = "/usr/bin/chromium"

func init() {
	if p := os.Getenv("KWORKBOOK_CHROMIUM"); p != "" {
		chromiumPath = p
	}
}

var serveURL = regexp.MustCompile(`http://127\.0\.0\.1:\d+/\S*\?token=[0-9a-f]+`)

// BenchmarkWebReaction times, from the moment kubectl changes the cluster,
// until the exercise's card flips in the browser (kworkbook serve, Debian's
// Chromium); without Chromium, until the verdict arrives on the page's
// event stream. Like BenchmarkWatchReaction it flips a cheap exercise back
// and forth: lesson 05's strategy, whose checks read the Deployment's spec
// only (a strategy patch starts no rollout), made to pass (maxSurge 1,
// maxUnavailable 0) and fail again (maxSurge 2). The figure is the median
// (budget: a card flips within 1 s of the deciding change).
func BenchmarkWebReaction(b *testing.B) {
	bin := kworkbookBinary(b)
	env := stateEnv(b)
	run(b, env, bin, []string{"reset", "05", "--yes"})
	run(b, env, bin, []string{"solve", "05", "create", "--yes"})
	run(b, env, bin, []string{"solve", "05", "scale", "--yes"})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var url string
	for l := range startLong(b, env, bin, "serve", "05", "--port", "0") {
		if url = serveURL.FindString(l.text); url != "" {
			break
		}
	}
	if url == "" {
		b.Fatal("kworkbook serve printed no address")
	}

	var card cardWatcher
	how := "the card flipping in the browser"
	if _, err := os.Stat(chromiumPath); err == nil {
		card = newBrowserCard(b, url, "strategy")
	} else {
		how = "the verdict on the event stream (no browser at " + chromiumPath + ")"
		card = newStreamCard(b, ctx, url, "strategy")
	}
	card.wait(b, "failing")

	// The change is made when kubectl returns (kubectl's own start-up is
	// not kworkbook's reaction time).
	patch := func(surge int) time.Time {
		run(b, nil, "kubectl", []string{"--context", "kind-kworkbook", "-n", "kw-deploy", "patch", "deployment", "web",
			"-p", fmt.Sprintf(`{"spec":{"strategy":{"rollingUpdate":{"maxSurge":%d,"maxUnavailable":0}}}}`, surge)})
		return time.Now()
	}
	var samples []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := patch(1)
		samples = append(samples, card.wait(b, "passed").Sub(t))
		t = patch(2)
		samples = append(samples, card.wait(b, "failing").Sub(t))
	}
	b.StopTimer()
	run(b, env, bin, []string{"reset", "05", "--yes"})
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	median := samples[len(samples)/2]
	if len(samples)%2 == 0 {
		median = (samples[len(samples)/2-1] + samples[len(samples)/2]) / 2
	}
	b.ReportMetric(median.Seconds(), "web-reaction-s")
	b.ReportMetric(samples[len(samples)-1].Seconds(), "worst-s")
	b.Logf("web reaction: median %.3f s, worst %.3f s, over %d changes, from kubectl to %s (budget: 1 s)",
		median.Seconds(), samples[len(samples)-1].Seconds(), len(samples), how)
}

// cardWatcher sees an exercise's card change.
type cardWatcher interface {
	// wait returns when the card next turned to state (after the flips
	// already waited for).
	wait(b *testing.B, state string) time.Time
}

// browserCard is the card in a page in Chromium: a MutationObserver in the
// page notes the time of every flip.
type browserCard struct {
	ctx      context.Context
	exercise string
	seen     int // flips already waited for
}

func newBrowserCard(b *testing.B, url, exercise string) *browserCard {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun, chromedp.UserDataDir(b.TempDir()))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	b.Cleanup(func() { cancelTab(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		b.Fatal(err)
	}
	c := &browserCard{ctx: ctx, exercise: exercise}
	deadline := time.Now().Add(time.Minute)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`!!document.getElementById('ex-%s')`, exercise)))
		if err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("the page has no card %s", exercise)
		}
		time.Sleep(50 * time.Millisecond)
	}
	err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`
		window.kwbFlips = [];
		(() => {
			const el = document.getElementById('ex-%s');
			window.kwbFlips.push({state: el.dataset.state, t: Date.now()});
			new MutationObserver(() => window.kwbFlips.push({state: el.dataset.state, t: Date.now()}))
				.observe(el, {attributes: true, attributeFilter: ['data-state']});
		})();`, exercise)))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func (c *browserCard) wait(b *testing.B, state string) time.Time {
	b.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		flips, err := chromedp.Run(c.ctx, chromedp.Evaluate[[]struct {
			State string `json:"state"`
			T     int64  `json:"t"`
		}](`window.kwbFlips`))
		if err != nil {
			b.Fatal(err)
		}
		for i := c.seen; i < len(flips); i++ {
			if flips[i].State == state {
				c.seen = i + 1
				return time.UnixMilli(flips[i].T)
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	b.Fatalf("the card %s did not turn %s within 2 minutes", c.exercise, state)
	return time.Time{}
}

// streamCard is the card as the page's event stream tells it.
type streamCard struct {
	exercise string
	events   chan stampedLine // data lines of verdict events
}

func newStreamCard(b *testing.B, ctx context.Context, url, exercise string) *streamCard {
	events := strings.Replace(url, "/lessons/", "/events/", 1)
	req, err := http.NewRequestWithContext(ctx, "GET", events, nil)
	if err != nil {
		b.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %s", events, resp.Status)
	}
	c := &streamCard{exercise: exercise, events: make(chan stampedLine, 64)}
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		verdict := false
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "event: verdict":
				verdict = true
			case verdict && strings.HasPrefix(line, "data: "):
				c.events <- stampedLine{strings.TrimPrefix(line, "data: "), time.Now()}
			case line == "":
				verdict = false
			}
		}
		close(c.events)
	}()
	return c
}

func (c *streamCard) wait(b *testing.B, state string) time.Time {
	b.Helper()
	timeout := time.After(2 * time.Minute)
	for {
		select {
		case l, ok := <-c.events:
			if !ok {
				b.Fatal("the event stream ended")
			}
			var v struct{ Exercise, State string }
			if err := json.Unmarshal([]byte(l.text), &v); err != nil {
				b.Fatal(err)
			}
			if v.Exercise == c.exercise && v.State == state {
				return l.at
			}
		case <-timeout:
			b.Fatalf("no verdict %s for %s within 2 minutes", state, c.exercise)
		}
	}
}
