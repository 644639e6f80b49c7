package lessons

import (
	"bytes"
	"fmt"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"go.abhg.dev/goldmark/frontmatter"
	"gopkg.in/yaml.v3"
)

// ExerciseLang is the info string of the fenced block that places an
// exercise in the prose.
const ExerciseLang = "exercise"

// Prose is a parsed README.md.
type Prose struct {
	File   string
	Source []byte
	// Blocks are the exercise blocks in document order.
	Blocks []*Block
	// BodyStart is the offset in Source where the text after the front matter begins.
	BodyStart int
}

// Block is one ```exercise fenced block: where it is and what it says.
type Block struct {
	ID    string   `yaml:"id"`
	Title string   `yaml:"title"`
	Hints []string `yaml:"hints"`
	// Source, in a translation, is the hash of the English block it was
	// translated from (SourceHash of BlockSource).
	Source string `yaml:"source"`

	Pos Pos `yaml:"-"`
	// Start and End delimit the whole block, fences included, in Source.
	Start, End int `yaml:"-"`
}

var markdown = goldmark.New(goldmark.WithExtensions(&frontmatter.Extender{}))

// ParseProse parses a lesson README: front matter into meta, exercise blocks
// into Blocks. Problems carry file:line positions.
func ParseProse(file string, src []byte, meta *Meta) (*Prose, []Problem) {
	var probs []Problem
	ctx := parser.NewContext()
	doc := markdown.Parser().Parse(text.NewReader(src), parser.WithContext(ctx))

	p := &Prose{File: file, Source: src, BodyStart: frontMatterEnd(src)}
	if fm := frontmatter.Get(ctx); fm == nil {
		probs = append(probs, Problem{Pos: Pos{File: file, Line: 1}, Message: "no front matter: start the file with a --- block holding at least title:"})
	} else {
		var node yaml.Node
		if err := fm.Decode(&node); err != nil {
			// Front matter lines start after the opening --- on line 1.
			for _, p := range shiftProblems(yamlProblems(file, err), 1) {
				p.Message = "front matter: " + p.Message
				probs = append(probs, p)
			}
		} else if len(node.Content) > 0 {
			// Front matter lines start after the opening --- on line 1.
			shifted := shiftLines(&node, 1)
			probs = append(probs, decodeStrict(file, shifted, meta)...)
		}
	}

	err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		fc, ok := n.(*ast.FencedCodeBlock)
		if !entering || !ok || string(fc.Language(src)) != ExerciseLang {
			return ast.WalkContinue, nil
		}
		b, bp := parseBlock(file, src, fc)
		probs = append(probs, bp...)
		if b != nil {
			p.Blocks = append(p.Blocks, b)
		}
		return ast.WalkSkipChildren, nil
	})
	if err != nil {
		probs = append(probs, Problem{Pos: Pos{File: file}, Message: err.Error()})
	}
	return p, probs
}

func parseBlock(file string, src []byte, fc *ast.FencedCodeBlock) (*Block, []Problem) {
	start := lineStart(src, fc.Info.Segment.Start)
	line := lineOf(src, start)
	var body bytes.Buffer
	end := lineEnd(src, fc.Info.Segment.Stop)
	for i := 0; i < fc.Lines().Len(); i++ {
		seg := fc.Lines().At(i)
		body.Write(seg.Value(src))
		end = seg.Stop
	}
	// The closing fence, when there is one, is the next line.
	if end < len(src) {
		closing := lineEnd(src, end)
		if t := bytes.TrimSpace(src[end:closing]); bytes.HasPrefix(t, []byte("```")) || bytes.HasPrefix(t, []byte("~~~")) {
			end = closing
		}
	}
	b := &Block{Start: start, End: end}
	var node yaml.Node
	if err := yaml.Unmarshal(body.Bytes(), &node); err != nil {
		return nil, shiftProblems(yamlProblems(file, err), line)
	}
	if len(node.Content) == 0 {
		return nil, []Problem{{Pos: Pos{File: file, Line: line}, Message: "empty exercise block: give it id:, title: and hints:"}}
	}
	probs := decodeStrict(file, shiftLines(&node, line), b)
	b.Pos = Pos{file, line}
	return b, probs
}

// shiftLines moves every node's line by off, so positions inside an embedded
// YAML snippet point at the enclosing file's lines.
func shiftLines(n *yaml.Node, off int) *yaml.Node {
	n.Line += off
	for _, c := range n.Content {
		shiftLines(c, off)
	}
	return n
}

func shiftProblems(ps []Problem, off int) []Problem {
	for i := range ps {
		if ps[i].Pos.Line > 0 {
			ps[i].Pos.Line += off
		} else {
			ps[i].Pos.Line = off
		}
	}
	return ps
}

func frontMatterEnd(src []byte) int {
	if !bytes.HasPrefix(src, []byte("---")) {
		return 0
	}
	first := lineEnd(src, 0)
	delim := bytes.TrimRight(src[:first], " \t\r\n")
	for off := first; off < len(src); {
		e := lineEnd(src, off)
		if bytes.Equal(bytes.TrimRight(src[off:e], " \t\r\n"), delim) {
			return e
		}
		off = e
	}
	return 0
}

// lineStart returns the offset of the start of the line holding off.
func lineStart(src []byte, off int) int {
	if i := bytes.LastIndexByte(src[:off], '\n'); i >= 0 {
		return i + 1
	}
	return 0
}

// lineEnd returns the offset just past the newline ending the line holding off.
func lineEnd(src []byte, off int) int {
	if i := bytes.IndexByte(src[off:], '\n'); i >= 0 {
		return off + i + 1
	}
	return len(src)
}

// lineOf returns the 1-based line number of off.
func lineOf(src []byte, off int) int {
	return bytes.Count(src[:off], []byte("\n")) + 1
}

// Block returns the block for exercise id, or nil.
func (p *Prose) Block(id string) *Block {
	for _, b := range p.Blocks {
		if b.ID == id {
			return b
		}
	}
	return nil
}

// Body is the Markdown after the front matter.
func (p *Prose) Body() []byte { return p.Source[p.BodyStart:] }

// Replace returns the body with each exercise block replaced by what
// repl returns for it.
func (p *Prose) Replace(repl func(*Block) string) []byte {
	var out bytes.Buffer
	last := p.BodyStart
	for _, b := range p.Blocks {
		if b.Start < last {
			continue
		}
		out.Write(p.Source[last:b.Start])
		out.WriteString(repl(b))
		last = b.End
	}
	out.Write(p.Source[last:])
	return out.Bytes()
}

func (b *Block) String() string { return fmt.Sprintf("exercise %s", b.ID) }
