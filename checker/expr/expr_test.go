package expr_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/kworkbook/kworkbook/checker/expr"
)

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		with    []string
		notBool bool
	}{
		{"syntax error", "object.spec.replicas >=", nil, false},
		{"unknown variable", "pods.size() == 1", nil, false},
		{"unknown function", "object.spec.frobnicate()", nil, false},
		{"a string", "'hello'", nil, true},
		{"a number", "1 + 2", nil, true},
		{"a list", "[true]", nil, true},
		{"a map", "{'a': true}", nil, true},
		{"with: object is reserved", "object.size() == 0", []string{"object"}, false},
		{"with: objects is reserved", "objects.size() == 0", []string{"pods", "objects"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := expr.Compile(tt.src, tt.with)
			if err == nil {
				t.Fatalf("got program %q, want an error", p.Source)
			}
			if got := errors.Is(err, expr.ErrNotBool); got != tt.notBool {
				t.Errorf("got errors.Is(err, ErrNotBool) %v for %v, want %v", got, err, tt.notBool)
			}
		})
	}
}

func TestCompileAndEval(t *testing.T) {
	deploy := map[string]any{
		"metadata": map[string]any{"name": "web", "labels": map[string]any{"app": "web"}},
		"spec":     map[string]any{"replicas": int64(3)},
		"status":   map[string]any{"readyReplicas": int64(2)},
	}
	pods := []any{
		map[string]any{"metadata": map[string]any{"name": "a"}, "status": map[string]any{"phase": "Running"}},
		map[string]any{"metadata": map[string]any{"name": "b"}, "status": map[string]any{"phase": "Pending"}},
	}
	tests := []struct {
		name string
		src  string
		with []string
		vars map[string]any
		want bool
	}{
		{"comparison true", "object.spec.replicas >= 3", nil, map[string]any{"object": deploy}, true},
		{"comparison false", "object.status.readyReplicas >= 3", nil, map[string]any{"object": deploy}, false},
		{"has on a missing field", "has(object.status.availableReplicas)", nil, map[string]any{"object": deploy}, false},
		{"string extension", "object.metadata.name.upperAscii() == 'WEB'", nil, map[string]any{"object": deploy}, true},
		{"map macro", "object.metadata.labels.all(k, k == 'app')", nil, map[string]any{"object": deploy}, true},
		{"with: list", "pods.exists(p, p.status.phase == 'Running') && pods.size() == 2", []string{"pods"}, map[string]any{"object": deploy, "pods": pods}, true},
		{"objects defaults to empty", "objects.size() == 0", nil, map[string]any{}, true},
		{"objects given", "objects.all(o, o.status.phase == 'Running')", nil, map[string]any{"objects": pods}, false},
		{"sets extension", "sets.contains([1, 2, 3], [2])", nil, map[string]any{}, true},
		{"a dyn result that is a bool", "object.spec.paused", nil, map[string]any{"object": map[string]any{"spec": map[string]any{"paused": true}}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := expr.Compile(tt.src, tt.with)
			if err != nil {
				t.Fatalf("got %v, want it to compile", err)
			}
			if p.Source != tt.src {
				t.Errorf("got source %q, want %q", p.Source, tt.src)
			}
			got, err := p.Eval(tt.vars)
			if err != nil {
				t.Fatalf("got %v, want a result", err)
			}
			if got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEvalErrors(t *testing.T) {
	t.Run("missing field", func(t *testing.T) {
		p, err := expr.Compile("object.status.readyReplicas >= 3", nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Eval(map[string]any{"object": map[string]any{"status": map[string]any{}}})
		if err == nil || !strings.Contains(err.Error(), "readyReplicas") {
			t.Errorf("got %v, want an error naming readyReplicas", err)
		}
	})
	t.Run("a dyn result that is not a bool", func(t *testing.T) {
		p, err := expr.Compile("object.spec.replicas", nil)
		if err != nil {
			t.Fatalf("got %v, want dyn to compile", err)
		}
		_, err = p.Eval(map[string]any{"object": map[string]any{"spec": map[string]any{"replicas": int64(3)}}})
		if !errors.Is(err, expr.ErrNotBool) {
			t.Errorf("got %v, want ErrNotBool", err)
		}
	})
}

func TestCompileCache(t *testing.T) {
	a, err := expr.Compile("pods.size() == 1 && svcs.size() == 0", []string{"svcs", "pods"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := expr.Compile("pods.size() == 1 && svcs.size() == 0", []string{"pods", "svcs"})
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Error("got two programs for the same source and names, want the cached one")
	}
	if _, err := expr.Compile("pods.size() == 1 && svcs.size() == 0", []string{"pods"}); err == nil {
		t.Error("got the cached program for other names, want a compile error (svcs is not declared)")
	}
}
