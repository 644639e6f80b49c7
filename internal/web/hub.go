package web

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/kworkbook/kworkbook/checker"
	"github.com/kworkbook/kworkbook/lessons"
)

// The hub shares one watch per lesson and language among every page that
// shows it. The first subscriber starts a topic: a goroutine running the
// watch engine (Cluster.Watch) and one drawing the picture of the cluster
// after each change; the last one to leave stops it. Subscribers do not
// receive a queue of events but the latest state of what changed since
// they last looked (coalesced), so a slow tab never blocks the watch and
// never misses the final state.

type topicKey struct{ lesson, lang string }

type hub struct {
	cluster      Cluster
	record       func(lesson string, vs ...checker.Verdict)
	retry        time.Duration
	pictureEvery time.Duration

	mu     sync.Mutex
	topics map[topicKey]*topic
	closed bool
	wg     sync.WaitGroup
}

func newHub(c Cluster, record func(string, ...checker.Verdict), retry, pictureEvery time.Duration) *hub {
	return &hub{cluster: c, record: record, retry: retry, pictureEvery: pictureEvery, topics: map[topicKey]*topic{}}
}

// topic is one lesson in one language, watched.
type topic struct {
	key    topicKey
	l      *lessons.Lesson
	cancel context.CancelFunc
	poke   chan struct{} // redraw the picture

	mu       sync.Mutex
	subs     map[*subscriber]bool
	verdicts map[string]checker.Verdict
	picture  *Picture
	picErr   error
	problem  error
}

// update is what a subscriber has not seen yet.
type update struct {
	verdicts []checker.Verdict
	picture  *pictureUpdate
	problem  *problemUpdate
}

type pictureUpdate struct {
	pic *Picture
	err error
}

type problemUpdate struct{ err error } // nil: the cluster answers again

func (u update) empty() bool { return len(u.verdicts) == 0 && u.picture == nil && u.problem == nil }

// subscriber is one event stream.
type subscriber struct {
	t     *topic
	ready chan struct{} // something is pending

	mu      sync.Mutex
	pending update
}

func (s *subscriber) push(fn func(*update)) {
	s.mu.Lock()
	fn(&s.pending)
	s.mu.Unlock()
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

// take returns what is pending, and forgets it.
func (s *subscriber) take() update {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.pending
	s.pending = update{}
	return u
}

func addVerdict(u *update, v checker.Verdict) {
	for i := range u.verdicts {
		if u.verdicts[i].Exercise == v.Exercise {
			u.verdicts[i] = v
			return
		}
	}
	u.verdicts = append(u.verdicts, v)
}

// subscribe joins (starting when needed) the topic of l, which is in lang.
// The subscriber's first update is everything known so far.
func (h *hub) subscribe(l *lessons.Lesson, lang string) (*subscriber, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, errors.New("the server is stopping")
	}
	key := topicKey{l.ID, lang}
	t := h.topics[key]
	if t == nil {
		ctx, cancel := context.WithCancel(context.Background())
		t = &topic{key: key, l: l, cancel: cancel, poke: make(chan struct{}, 1),
			subs: map[*subscriber]bool{}, verdicts: map[string]checker.Verdict{}}
		h.topics[key] = t
		h.wg.Add(2)
		go func() { defer h.wg.Done(); h.watch(ctx, t) }()
		go func() { defer h.wg.Done(); h.draw(ctx, t) }()
	}
	s := &subscriber{t: t, ready: make(chan struct{}, 1)}
	t.mu.Lock()
	t.subs[s] = true
	for _, e := range l.Spec.Exercises {
		if v, ok := t.verdicts[e.ID]; ok {
			s.pending.verdicts = append(s.pending.verdicts, v)
		}
	}
	if t.picture != nil || t.picErr != nil {
		s.pending.picture = &pictureUpdate{t.picture, t.picErr}
	}
	if t.problem != nil {
		s.pending.problem = &problemUpdate{t.problem}
	}
	// Updates are pushed under t.mu: nothing else touches pending yet.
	if !s.pending.empty() {
		s.ready <- struct{}{}
	}
	t.mu.Unlock()
	return s, nil
}

// unsubscribe leaves; the last subscriber out stops the topic.
func (h *hub) unsubscribe(s *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	t := s.t
	t.mu.Lock()
	delete(t.subs, s)
	empty := len(t.subs) == 0
	t.mu.Unlock()
	if empty && h.topics[t.key] == t {
		delete(h.topics, t.key)
		t.cancel()
	}
}

// verdicts are the verdicts known for a lesson in lang (for a page's
// first drawing), nil when nobody watches it.
func (h *hub) verdicts(lesson, lang string) map[string]checker.Verdict {
	h.mu.Lock()
	t := h.topics[topicKey{lesson, lang}]
	h.mu.Unlock()
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]checker.Verdict, len(t.verdicts))
	for k, v := range t.verdicts {
		out[k] = v
	}
	return out
}

// watching reports how many topics run (for tests).
func (h *hub) watching() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.topics)
}

// close stops every topic and waits for their goroutines.
func (h *hub) close() {
	h.mu.Lock()
	h.closed = true
	for k, t := range h.topics {
		t.cancel()
		delete(h.topics, k)
	}
	h.mu.Unlock()
	h.wg.Wait()
}

// watch runs the watch engine for t until t stops, watching again after
// a while when the cluster cannot be watched.
func (h *hub) watch(ctx context.Context, t *topic) {
	for {
		err := h.cluster.Watch(ctx, t.l, t.key.lang, func(v checker.Verdict) {
			if ctx.Err() == nil {
				h.report(t, v)
			}
		})
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			err = errors.New("the watch ended")
		}
		t.setProblem(err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(h.retry):
		}
	}
}

// report takes a verdict from the watch: subscribers see it when it
// differs from the last one, the picture is redrawn, and a pass is
// recorded in the progress file.
func (h *hub) report(t *topic, v checker.Verdict) {
	t.setProblem(nil)
	select {
	case t.poke <- struct{}{}:
	default:
	}
	t.mu.Lock()
	old, seen := t.verdicts[v.Exercise]
	changed := !seen || old.Status != v.Status || old.Message != v.Message || !slices.Equal(old.Evidence, v.Evidence)
	if changed {
		t.verdicts[v.Exercise] = v
		for s := range t.subs {
			s.push(func(u *update) { addVerdict(u, v) })
		}
	}
	t.mu.Unlock()
	if changed && v.Passed() {
		h.record(t.key.lesson, v)
	}
}

func (t *topic) setProblem(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if (t.problem == nil) == (err == nil) && (err == nil || t.problem.Error() == err.Error()) {
		return
	}
	t.problem = err
	for s := range t.subs {
		s.push(func(u *update) { u.problem = &problemUpdate{err} })
	}
}

// draw redraws the picture when poked (by every report, and once at the
// start), at most once every pictureEvery.
func (h *hub) draw(ctx context.Context, t *topic) {
	t.poke <- struct{}{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.poke:
		}
		pic, err := h.cluster.Picture(ctx, ScopeOf(t.l))
		if ctx.Err() != nil {
			return
		}
		t.mu.Lock()
		if !reflect.DeepEqual(pic, t.picture) || (err == nil) != (t.picErr == nil) || (err != nil && err.Error() != t.picErr.Error()) {
			t.picture, t.picErr = pic, err
			for s := range t.subs {
				s.push(func(u *update) { u.picture = &pictureUpdate{pic, err} })
			}
		}
		t.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-time.After(h.pictureEvery):
		}
	}
}
