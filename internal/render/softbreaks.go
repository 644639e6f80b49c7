package render

import (
	"bytes"
	"sort"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// joinListLines joins the lines of a list item's paragraph into one line.
// Markdown treats a line break inside a paragraph as a space, and glamour
// does so in paragraphs, but in list items it keeps the break, which
// strands a word or two on a short line after the wrap. Code spans and
// blocks are left as they are.
func joinListLines(md string) string {
	src := []byte(md)
	doc := goldmark.DefaultParser().Parse(text.NewReader(src))
	var breaks []int // offsets of the newlines to replace
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case ast.KindFencedCodeBlock, ast.KindCodeBlock, ast.KindCodeSpan, ast.KindHTMLBlock:
			return ast.WalkSkipChildren, nil
		}
		t, ok := n.(*ast.Text)
		if !ok || !t.SoftLineBreak() || !inListItem(n) {
			return ast.WalkContinue, nil
		}
		if i := bytes.IndexByte(src[t.Segment.Stop:], '\n'); i >= 0 {
			breaks = append(breaks, t.Segment.Stop+i)
		}
		return ast.WalkContinue, nil
	})
	if len(breaks) == 0 {
		return md
	}
	sort.Ints(breaks)
	var out bytes.Buffer
	last := 0
	for _, b := range breaks {
		if b < last {
			continue
		}
		end := b + 1
		for end < len(src) && (src[end] == ' ' || src[end] == '\t') {
			end++
		}
		start := b
		for start > last && (src[start-1] == ' ' || src[start-1] == '\t') {
			start--
		}
		out.Write(src[last:start])
		out.WriteByte(' ')
		last = end
	}
	out.Write(src[last:])
	return out.String()
}

// inListItem: in a list item, and not in a quote (whose lines start with
// a marker that joining would leave in the text).
func inListItem(n ast.Node) bool {
	item := false
	for p := n.Parent(); p != nil; p = p.Parent() {
		switch p.Kind() {
		case ast.KindListItem:
			item = true
		case ast.KindBlockquote:
			return false
		}
	}
	return item
}
