package lessons

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

var posType = reflect.TypeOf(Pos{})

// decodeStrict decodes node into v, then walks both to report keys the
// structs do not know and to fill every Pos field with its line in file.
func decodeStrict(file string, node *yaml.Node, v any) []Problem {
	var probs []Problem
	if err := node.Decode(v); err != nil {
		return yamlProblems(file, err)
	}
	annotate(file, node, reflect.ValueOf(v), &probs)
	return probs
}

func annotate(file string, node *yaml.Node, v reflect.Value, probs *[]Problem) {
	if node == nil {
		return
	}
	if node.Kind == yaml.DocumentNode && len(node.Content) > 0 {
		annotate(file, node.Content[0], v, probs)
		return
	}
	if node.Kind == yaml.AliasNode {
		annotate(file, node.Alias, v, probs)
		return
	}
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		if node.Kind != yaml.MappingNode {
			return
		}
		if f := v.FieldByName("Pos"); f.IsValid() && f.Type() == posType && f.CanSet() {
			f.Set(reflect.ValueOf(Pos{File: file, Line: node.Line}))
		}
		fields := yamlFields(v.Type())
		for i := 0; i+1 < len(node.Content); i += 2 {
			key, val := node.Content[i], node.Content[i+1]
			idx, ok := fields[key.Value]
			if !ok {
				*probs = append(*probs, Problem{Pos: Pos{File: file, Line: key.Line},
					Message: fmt.Sprintf("unknown field %q (known: %s)", key.Value, knownList(fields))})
				continue
			}
			annotate(file, val, v.Field(idx), probs)
		}
	case reflect.Slice:
		if node.Kind != yaml.SequenceNode {
			return
		}
		for i := 0; i < len(node.Content) && i < v.Len(); i++ {
			annotate(file, node.Content[i], v.Index(i), probs)
		}
	case reflect.Map:
		if node.Kind != yaml.MappingNode || v.Type().Elem().Kind() == reflect.Interface {
			return
		}
		for i := 0; i+1 < len(node.Content); i += 2 {
			key := reflect.ValueOf(node.Content[i].Value)
			elem := v.MapIndex(key)
			if !elem.IsValid() {
				continue
			}
			// Map values are not addressable: annotate a copy and store it back.
			cp := reflect.New(elem.Type()).Elem()
			cp.Set(elem)
			annotate(file, node.Content[i+1], cp, probs)
			v.SetMapIndex(key, cp)
		}
	}
}

func yamlFields(t reflect.Type) map[string]int {
	m := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
		if tag == "" || tag == "-" {
			continue
		}
		m[tag] = i
	}
	return m
}

func knownList(fields map[string]int) string {
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	sortStrings(names)
	return strings.Join(names, ", ")
}

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlParserErrors are the problems yaml.v3's parser (not its scanner)
// reports; their line numbers count from 0.
var yamlParserErrors = map[string]bool{
	"did not find expected <stream-start>":   true,
	"did not find expected <document start>": true,
	"found undefined tag handle":             true,
	"did not find expected node content":     true,
	"did not find expected '-' indicator":    true,
	"did not find expected key":              true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found duplicate %TAG directive":         true,
}

// yamlProblems turns yaml.v3's errors into file:line problems.
func yamlProblems(file string, err error) []Problem {
	var msgs []string
	if te, ok := err.(*yaml.TypeError); ok {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	probs := make([]Problem, 0, len(msgs))
	for _, m := range msgs {
		p := Problem{Pos: Pos{File: file}, Message: strings.TrimPrefix(m, "yaml: ")}
		if g := yamlLineRE.FindStringSubmatch(m); g != nil {
			p.Pos.Line, _ = strconv.Atoi(g[1])
			p.Message = g[2]
		}
		if yamlParserErrors[p.Message] {
			// yaml.v3 numbers the lines of parser errors (unlike scanner
			// errors) from 0, and leaves line 0 out of the message.
			p.Pos.Line++
		}
		probs = append(probs, p)
	}
	return probs
}

// UnmarshalYAML reads durations written as "10s" or "1m30s".
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return fmt.Errorf("line %d: %q is not a duration; write it like 10s or 1m30s", n.Line, s)
	}
	*d = Duration(v)
	return nil
}

// Count is a comparison on how many selected objects match: "3" (exactly),
// ">=3", ">2", "<=1", "<1".
type Count struct {
	Op string
	N  int
}

// UnmarshalYAML reads "3", 3, ">= 3" and the like.
func (c *Count) UnmarshalYAML(n *yaml.Node) error {
	p, err := ParseCount(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*c = p
	return nil
}

// ParseCount parses a count expression.
func ParseCount(s string) (Count, error) {
	s = strings.TrimSpace(s)
	op := "=="
	for _, o := range []string{">=", "<=", "==", ">", "<", "="} {
		if strings.HasPrefix(s, o) {
			op, s = o, strings.TrimSpace(s[len(o):])
			break
		}
	}
	if op == "=" {
		op = "=="
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return Count{}, fmt.Errorf("count %q must be a number, optionally after >=, >, <=, < or ==", s)
	}
	return Count{Op: op, N: n}, nil
}

// Holds reports whether got satisfies the count.
func (c Count) Holds(got int) bool {
	switch c.Op {
	case ">=":
		return got >= c.N
	case ">":
		return got > c.N
	case "<=":
		return got <= c.N
	case "<":
		return got < c.N
	default:
		return got == c.N
	}
}

func (c Count) String() string {
	switch c.Op {
	case ">=":
		return fmt.Sprintf("at least %d", c.N)
	case ">":
		return fmt.Sprintf("more than %d", c.N)
	case "<=":
		return fmt.Sprintf("at most %d", c.N)
	case "<":
		return fmt.Sprintf("fewer than %d", c.N)
	default:
		return fmt.Sprintf("exactly %d", c.N)
	}
}
