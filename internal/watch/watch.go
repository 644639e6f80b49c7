// Package watch re-checks a lesson whenever the cluster changes. It watches,
// through informers, the kinds the lesson's checks read (plus pods and, for
// probes, Services, EndpointSlices and Ingresses) in the lesson's namespaces,
// and re-runs the checks on every change: no fixed sleep loop.
package watch

import (
	"context"
	"fmt"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/tools/cache"

	"github.com/kworkbook/kworkbook/checker"
	"github.com/kworkbook/kworkbook/internal/kube"
	"github.com/kworkbook/kworkbook/lessons"
)

// Watcher re-checks one lesson on change.
type Watcher struct {
	// Quick evaluates each check once, for a verdict right after a change;
	// Checker then polls a failing exercise until the cluster settles
	// (a Service that routes a second later, DNS, a rollout).
	Quick   *checker.Checker
	Checker *checker.Checker
	Dynamic dynamic.Interface
	Mapper  meta.RESTMapper
	// Debounce groups bursts of events (a rollout is dozens); 100 ms when zero.
	Debounce time.Duration
	// Resync re-checks this often even without events, for probes whose
	// answers change without an object changing (DNS caches); 0 disables.
	Resync time.Duration
}

// Source is what one informer watches.
type Source struct {
	GVR       schema.GroupVersionResource
	Namespace string // "" for all namespaces (cluster-scoped kinds)
}

// Sources lists what a lesson's checks read.
func Sources(l *lessons.Lesson, mapper meta.RESTMapper) ([]Source, error) {
	seen := map[Source]bool{}
	var out []Source
	add := func(kind, apiVersion, ns string) error {
		m, err := kube.Mapping(mapper, kind, apiVersion)
		if err != nil {
			return fmt.Errorf("watch %s: %w", kind, err)
		}
		s := Source{GVR: m.Resource}
		if m.Scope.Name() == meta.RESTScopeNameNamespace {
			s.Namespace = ns
			if s.Namespace == "" {
				s.Namespace = l.Namespace()
			}
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
		return nil
	}
	for _, ns := range l.Spec.Namespaces {
		if err := add("Pod", "v1", ns); err != nil {
			return nil, err
		}
	}
	for _, e := range l.Spec.Exercises {
		for _, c := range e.Checks {
			var err error
			switch {
			case c.Kind != "":
				err = add(c.Kind, c.APIVersion, c.Namespace)
				for _, w := range c.With {
					if err == nil {
						err = add(w.Kind, w.APIVersion, w.Namespace)
					}
				}
			case c.Exec != nil:
				err = add("Pod", "v1", c.Exec.Namespace)
			case c.HTTP != nil:
				for _, k := range [][2]string{{"Service", "v1"}, {"EndpointSlice", "discovery.k8s.io/v1"}, {"Ingress", "networking.k8s.io/v1"}} {
					if err == nil {
						err = add(k[0], k[1], c.HTTP.Namespace)
					}
				}
			}
			if err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// Run checks the lesson at once and again after every change, calling
// report with each exercise's verdict as soon as it is known, until ctx ends.
// report may be called from several goroutines at once.
func (w *Watcher) Run(ctx context.Context, l *lessons.Lesson, report func(checker.Verdict)) error {
	sources, err := Sources(l, w.Mapper)
	if err != nil {
		return err
	}
	changed := make(chan struct{}, 1)
	poke := func() {
		select {
		case changed <- struct{}{}:
		default:
		}
	}
	factories := map[string]dynamicinformer.DynamicSharedInformerFactory{}
	for _, s := range sources {
		f := factories[s.Namespace]
		if f == nil {
			f = dynamicinformer.NewFilteredDynamicSharedInformerFactory(w.Dynamic, 0, s.Namespace, nil)
			factories[s.Namespace] = f
		}
		inf := f.ForResource(s.GVR).Informer()
		if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc:    func(any) { poke() },
			UpdateFunc: func(any, any) { poke() },
			DeleteFunc: func(any) { poke() },
		}); err != nil {
			return err
		}
	}
	for _, f := range factories {
		f.Start(ctx.Done())
	}
	for _, f := range factories {
		for gvr, ok := range f.WaitForCacheSync(ctx.Done()) {
			if !ok && ctx.Err() == nil {
				return fmt.Errorf("unable to watch %s", gvr.Resource)
			}
		}
	}
	defer func() {
		for _, f := range factories {
			f.Shutdown()
		}
	}()

	debounce := w.Debounce
	if debounce == 0 {
		debounce = 100 * time.Millisecond
	}
	var tick <-chan time.Time
	if w.Resync > 0 {
		t := time.NewTicker(w.Resync)
		defer t.Stop()
		tick = t.C
	}
	var rounds rounds
	defer rounds.stop()
	poke() // the first round
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick:
		case <-changed:
			// Let a burst of events settle, then check once for all of them.
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(debounce):
			}
			select {
			case <-changed:
			default:
			}
		}
		rctx := rounds.next(ctx)
		for _, e := range l.Spec.Exercises {
			rounds.wg.Add(1)
			go func() {
				defer rounds.wg.Done()
				if w.Quick != nil {
					v := w.Quick.Exercise(rctx, l, e)
					if rctx.Err() != nil {
						return
					}
					report(v)
					if v.Passed() {
						return
					}
				}
				v := w.Checker.Exercise(rctx, l, e)
				if rctx.Err() == nil {
					report(v)
				}
			}()
		}
	}
}

// rounds cancels the previous round of checks when a new one starts: its
// verdicts would describe a cluster that has changed since.
type rounds struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func (r *rounds) next(ctx context.Context) context.Context {
	if r.cancel != nil {
		r.cancel()
	}
	rctx, cancel := context.WithCancel(ctx)
	r.cancel = cancel
	return rctx
}

func (r *rounds) stop() {
	if r.cancel != nil {
		r.cancel()
	}
	r.wg.Wait()
}
