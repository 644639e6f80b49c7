// Package expr compiles and evaluates the CEL expressions of lesson checks.
//
// An expression sees `object` (the selected object, for per-object checks),
// `objects` (every selected object) and one list variable per `with:` entry.
// Objects are their JSON form, as in Kubernetes' own CEL validation rules.
package expr

import (
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/ext"
)

// ErrNotBool is returned when an expression does not yield true or false.
var ErrNotBool = errors.New("expression must yield true or false")

// Program is a compiled expression.
type Program struct {
	Source string
	prg    cel.Program
}

var cache sync.Map // key -> *Program

// Compile compiles src with the standard variables plus one list variable
// per name in with. Programs are cached by source and names.
func Compile(src string, with []string) (*Program, error) {
	names := append([]string(nil), with...)
	sort.Strings(names)
	key := fmt.Sprint(src, names)
	if p, ok := cache.Load(key); ok {
		return p.(*Program), nil
	}
	opts := []cel.EnvOption{
		cel.Variable("object", cel.DynType),
		cel.Variable("objects", cel.ListType(cel.DynType)),
		ext.Strings(),
		ext.Lists(),
		ext.Sets(),
		ext.Encoders(),
	}
	for _, n := range names {
		if n == "object" || n == "objects" {
			return nil, fmt.Errorf("with: %q is reserved; pick another name", n)
		}
		opts = append(opts, cel.Variable(n, cel.ListType(cel.DynType)))
	}
	env, err := cel.NewEnv(opts...)
	if err != nil {
		return nil, fmt.Errorf("unable to set up expressions: %w", err)
	}
	ast, iss := env.Compile(src)
	if iss.Err() != nil {
		return nil, fmt.Errorf("expression %q: %w", src, iss.Err())
	}
	if t := ast.OutputType(); t != cel.BoolType && t != cel.DynType {
		return nil, fmt.Errorf("expression %q yields %s: %w", src, t, ErrNotBool)
	}
	prg, err := env.Program(ast, cel.EvalOptions(cel.OptOptimize), cel.CostLimit(1_000_000))
	if err != nil {
		return nil, fmt.Errorf("expression %q: %w", src, err)
	}
	p := &Program{Source: src, prg: prg}
	cache.Store(key, p)
	return p, nil
}

// Eval runs the program. A missing field reads as an error that says which;
// callers treat it as "not true yet".
func (p *Program) Eval(vars map[string]any) (bool, error) {
	act := map[string]any{"object": nil, "objects": []any{}}
	for k, v := range vars {
		act[k] = v
	}
	out, _, err := p.prg.Eval(act)
	if err != nil {
		return false, err
	}
	if out.Type() != types.BoolType {
		return false, fmt.Errorf("expression %q yielded %v: %w", p.Source, out.Value(), ErrNotBool)
	}
	return out.Value().(bool), nil
}
