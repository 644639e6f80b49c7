package checker

import (
	"context"
	"encoding/base64"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kworkbook/kworkbook/internal/layout"
	"github.com/kworkbook/kworkbook/lessons"
)

// Redacted stands in for a Secret's value in anything kworkbook prints.
const Redacted = "[secret]"

// minSecretLen: values shorter than this are not redacted, since "1" or
// "no" would blank out ordinary words; lessons use longer secrets.
const minSecretLen = 4

// scrub makes a result safe to print: the values of Secrets in the
// lesson's namespaces never appear in it (a log line or a probe's output
// may well hold a password), and neither do terminal control sequences.
func (c *Checker) scrub(ctx context.Context, l *lessons.Lesson, ch *lessons.Check, r CheckResult) CheckResult {
	values := c.secrets.values(ctx, c, secretNamespaces(l, ch))
	clean := func(s string) string {
		s = layout.Clean(s)
		for _, v := range values {
			s = strings.ReplaceAll(s, v, Redacted)
		}
		return s
	}
	r.Message = clean(r.Message)
	for i := range r.Evidence {
		r.Evidence[i] = clean(r.Evidence[i])
	}
	return r
}

func secretNamespaces(l *lessons.Lesson, ch *lessons.Check) []string {
	ns := append([]string{}, l.Spec.Namespaces...)
	if n := checkNamespace(l, ch); n != "" && !slices.Contains(ns, n) {
		ns = append(ns, n)
	}
	return ns
}

// secretCache lists Secrets at most once a second per namespace: a lesson
// runs many checks at once, and a Secret changed a second ago is still
// redacted by the next check.
type secretCache struct {
	mu      sync.Mutex
	entries map[string]secretEntry
}

type secretEntry struct {
	at     time.Time
	values []string
}

const secretCacheTTL = time.Second

func (s *secretCache) values(ctx context.Context, c *Checker, namespaces []string) []string {
	if c.cl.Typed == nil {
		return nil
	}
	var out []string
	for _, ns := range namespaces {
		s.mu.Lock()
		e, ok := s.entries[ns]
		s.mu.Unlock()
		if !ok || time.Since(e.at) > secretCacheTTL {
			e = secretEntry{at: time.Now(), values: listSecretValues(ctx, c, ns)}
			s.mu.Lock()
			if s.entries == nil {
				s.entries = map[string]secretEntry{}
			}
			s.entries[ns] = e
			s.mu.Unlock()
		}
		out = append(out, e.values...)
	}
	// Longest first, so a value that contains another is replaced whole.
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return slices.Compact(out)
}

// listSecretValues returns every value of every Secret in ns, decoded and
// as stored (base64), and each line of a value on its own, since logs
// print lines. A namespace that cannot be read gives nothing to redact.
func listSecretValues(ctx context.Context, c *Checker, ns string) []string {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	list, err := c.cl.Typed.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil
	}
	var out []string
	add := func(v string) {
		v = strings.TrimSpace(v)
		if len(v) >= minSecretLen {
			out = append(out, v)
		}
	}
	for _, s := range list.Items {
		for _, b := range s.Data {
			v := string(b)
			add(v)
			add(base64.StdEncoding.EncodeToString(b))
			for _, line := range strings.Split(v, "\n") {
				add(line)
			}
		}
	}
	return out
}
