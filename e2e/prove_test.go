package e2e

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/kworkbook/kworkbook/checker"
	"github.com/kworkbook/kworkbook/internal/prove"
	"github.com/kworkbook/kworkbook/lessons"
	"github.com/kworkbook/kworkbook/sandbox"
)

// TestProveLessons proves every exercise of every lesson both ways on the
// real cluster: setup → check FAILS; each near miss FAILS (at the check it
// names); reference solution → check PASSES; reset → checks FAIL again.
// Lessons that change nodes run alone, first; the others, each in its own
// namespaces, run side by side (go test -parallel).
func TestProveLessons(t *testing.T) {
	cat, err := lessons.LoadDefault("")
	if err != nil {
		t.Fatal(err)
	}
	info, _, err := sandbox.ReadInfo(context.Background(), suite.clients)
	if err != nil {
		t.Fatal(err)
	}
	chk := checker.New(checker.Cluster{
		Typed: suite.clients.Typed, Dynamic: suite.clients.Dynamic, Mapper: suite.clients.RESTMapper(),
		Exec: suite.clients.Exec, Host: info.Host(),
	}, checker.Options{})
	target, clients, nodesChk := suite.target, suite.clients, chk
	if suite.nodes != nil {
		ninfo, _, err := sandbox.ReadInfo(context.Background(), suite.nodesClients)
		if err != nil {
			t.Fatal(err)
		}
		nodesChk = checker.New(checker.Cluster{
			Typed: suite.nodesClients.Typed, Dynamic: suite.nodesClients.Dynamic, Mapper: suite.nodesClients.RESTMapper(),
			Exec: suite.nodesClients.Exec, Host: ninfo.Host(),
		}, checker.Options{})
	}

	start := time.Now()
	// defaultNS: answers that write to the namespace default take turns.
	var mu, nodesMu, defaultNS sync.Mutex
	var steps, nearMisses, alternatives, exercises int
	t.Run("course", func(t *testing.T) {
		for _, l := range cat.Lessons {
			t.Run(l.ID, func(t *testing.T) {
				tgt, cl, ch := target, clients, chk
				switch {
				case l.ChangesNodes() && suite.nodes != nil:
					// On the second sandbox, beside the others; one at a
					// time there (a drain moves the other's pods too).
					t.Parallel()
					nodesMu.Lock()
					defer nodesMu.Unlock()
					tgt, cl, ch = *suite.nodes, suite.nodesClients, nodesChk
				case !l.ChangesNodes():
					t.Parallel()
				}
				env := sandbox.NewEnv(tgt, cl, testLogger{t})
				defer env.Close()
				p := &prove.Prover{Env: env, Checker: ch, Teardown: true, Shared: &defaultNS, Report: func(s prove.Step) { t.Log(s.String()) }}
				res, err := p.Lesson(context.Background(), l)
				mu.Lock()
				steps += len(res.Steps)
				nearMisses += res.NearMisses
				alternatives += res.Alternatives
				exercises += len(l.Spec.Exercises)
				mu.Unlock()
				if errors.Is(err, prove.ErrUnproven) {
					for _, s := range res.Failed() {
						t.Errorf("did not hold: %s\n%s", s, s.Verdict)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if res.NearMisses < 3 {
					t.Errorf("%s has %d near misses; every lesson needs at least 3", l.ID, res.NearMisses)
				}
				if res.Alternatives < 2 {
					t.Errorf("%s has %d alternatives; every lesson needs at least 2 other correct answers", l.ID, res.Alternatives)
				}
				t.Logf("%s proved in %.1fs: %d exercises, %d near misses, %d alternatives", l.ID, res.Duration.Seconds(), len(l.Spec.Exercises), res.NearMisses, res.Alternatives)
			})
		}
	})
	t.Logf("course proved: %d lessons, %d exercises, %d near misses, %d alternatives, %d steps in %.1fs",
		len(cat.Lessons), exercises, nearMisses, alternatives, steps, time.Since(start).Seconds())
}
