package checker

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/kworkbook/kworkbook/internal/locale"
)

// Partial tree matching, as lesson authors write it under match:
//
//   - maps: only the listed keys are compared; extra keys in the object are fine.
//     A key whose expected value is null must be absent.
//   - lists: every expected item must match a different item of the object's
//     list, in any order; the object's list may hold more items.
//   - numbers compare by value (3 == 3.0); strings that are Kubernetes
//     quantities compare as quantities ("1Gi" == "1024Mi", "0.5" == "500m");
//     everything else must be equal.

// mismatch is the first difference found between expected and actual trees.
type mismatch struct {
	Path    string
	Got     any
	Want    any
	Missing bool // the field is not there at all
	Extra   bool // the field should be absent but is there
	NoItem  bool // no list item matched Want
}

func (m *mismatch) describe(p *locale.Printer, hide func(path string) bool) string {
	got, want := show(m.Got), show(m.Want)
	if m.Got == nil {
		got = p.T("match.nothing")
	}
	if hide != nil && hide(m.Path) {
		got, want = p.T("check.hidden"), p.T("check.hidden")
	}
	switch {
	case m.Missing:
		return p.T("match.missing", "Path", m.Path, "Want", want)
	case m.Extra:
		return p.T("match.extra", "Path", m.Path, "Got", got)
	case m.NoItem:
		return p.T("match.no_item", "Path", m.Path, "Want", want, "Got", got)
	default:
		return p.T("match.differs", "Path", m.Path, "Got", got, "Want", want)
	}
}

// matchTree returns nil when got contains want, or the first mismatch.
func matchTree(want, got any, path string) *mismatch {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return &mismatch{Path: pathOr(path), Got: got, Want: want}
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := join(path, k)
			gv, present := g[k]
			if w[k] == nil {
				if present && gv != nil {
					return &mismatch{Path: p, Got: gv, Extra: true}
				}
				continue
			}
			if !present || gv == nil {
				return &mismatch{Path: p, Want: w[k], Missing: true}
			}
			if m := matchTree(w[k], gv, p); m != nil {
				return m
			}
		}
		return nil
	case []any:
		g, ok := got.([]any)
		if !ok {
			return &mismatch{Path: pathOr(path), Got: got, Want: want}
		}
		return matchList(w, g, path)
	default:
		if scalarEqual(want, got) {
			return nil
		}
		return &mismatch{Path: pathOr(path), Got: got, Want: want}
	}
}

func matchList(want, got []any, path string) *mismatch {
	// ok[w][g]: item g of the object could stand for expected item w.
	ok := make([][]bool, len(want))
	for w := range want {
		ok[w] = make([]bool, len(got))
		for g := range got {
			ok[w][g] = matchTree(want[w], got[g], "") == nil
		}
	}
	// Give each expected item its own object item (a bipartite matching,
	// by augmenting paths), so the order of the expected items never matters.
	owner := make([]int, len(got))
	for g := range owner {
		owner[g] = -1
	}
	var assign func(w int, seen []bool) bool
	assign = func(w int, seen []bool) bool {
		for g := range got {
			if !ok[w][g] || seen[g] {
				continue
			}
			seen[g] = true
			if owner[g] < 0 || assign(owner[g], seen) {
				owner[g] = w
				return true
			}
		}
		return false
	}
	for w := range want {
		if assign(w, make([]bool, len(got))) {
			continue
		}
		// Explain with the closest item: the one with the same name, or the only one.
		var m *mismatch
		if name, ok := nameOf(want[w]); ok {
			for _, g := range got {
				if n, ok := nameOf(g); ok && n == name {
					m = matchTree(want[w], g, fmt.Sprintf("%s[name=%s]", pathOr(path), name))
					break
				}
			}
		} else if len(got) == 1 {
			m = matchTree(want[w], got[0], fmt.Sprintf("%s[0]", pathOr(path)))
		}
		if m == nil {
			// Every item it matches already stands for another expected item.
			m = &mismatch{Path: pathOr(path), Got: got, Want: want[w], NoItem: true}
		}
		return m
	}
	return nil
}

func nameOf(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	n, ok := m["name"].(string)
	return n, ok
}

func scalarEqual(want, got any) bool {
	wn, wNum := number(want)
	gn, gNum := number(got)
	if wNum && gNum {
		return wn == gn
	}
	ws, wStr := want.(string)
	gs, gStr := got.(string)
	if wStr && gStr && ws == gs {
		return true
	}
	// Quantities: compare only when both parse, so plain strings stay exact.
	// A number written bare in YAML (cpu: 0.5, cpu: 1) is a quantity too:
	// the API server returns "500m" and "1".
	if wStr && gStr && plainNumber(ws) && plainNumber(gs) {
		return false // "1.27" and "1.270" are different strings (versions, tags), not amounts
	}
	wq, okW := quantity(wn, ws, wNum, wStr)
	gq, okG := quantity(gn, gs, gNum, gStr)
	if okW && okG && (wStr || gStr) {
		return wq.Cmp(gq) == 0
	}
	return !wNum && !wStr && want == got
}

func plainNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

func quantity(n float64, s string, isNum, isStr bool) (resource.Quantity, bool) {
	switch {
	case isStr:
		q, err := resource.ParseQuantity(s)
		return q, err == nil
	case isNum:
		q, err := resource.ParseQuantity(strconv.FormatFloat(n, 'f', -1, 64))
		return q, err == nil
	}
	return resource.Quantity{}, false
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func pathOr(p string) string {
	if p == "" {
		return "(the object)"
	}
	return p
}

// show renders a value compactly for a learner: strings quoted, numbers bare,
// maps and lists as short JSON.
func show(v any) string {
	switch t := v.(type) {
	case nil:
		return "nothing"
	case string:
		return fmt.Sprintf("%q", t)
	case map[string]any, []any:
		b, err := json.Marshal(t)
		if err != nil {
			return fmt.Sprint(t)
		}
		s := string(b)
		if len(s) > 160 {
			s = s[:157] + "..."
		}
		return s
	default:
		if n, ok := number(v); ok {
			return strings.TrimSuffix(fmt.Sprintf("%g", n), ".0")
		}
		return fmt.Sprint(t)
	}
}

// normalize converts YAML-decoded values to the JSON types unstructured uses.
func normalize(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = normalize(x)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[fmt.Sprint(k)] = normalize(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = normalize(x)
		}
		return out
	case int:
		return int64(t)
	case uint64:
		return int64(t)
	default:
		return v
	}
}
