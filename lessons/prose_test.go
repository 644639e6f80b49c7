package lessons_test

import (
	"strings"
	"testing"

	"github.com/kworkbook/kworkbook/lessons"
)

func TestParseProse(t *testing.T) {
	var meta lessons.Meta
	p, probs := lessons.ParseProse("README.md", []byte(baseReadme), &meta)
	if len(probs) > 0 {
		t.Fatalf("got problems %v, want none", probs)
	}
	if meta.Title != "Testing" || meta.Minutes != 5 || len(meta.Docs) != 1 || meta.Summary != "A lesson for tests." {
		t.Errorf("got meta %+v, want the front matter", meta)
	}
	if len(p.Blocks) != 1 {
		t.Fatalf("got %d blocks, want 1", len(p.Blocks))
	}
	b := p.Blocks[0]
	if b.ID != "one" || b.Pos.String() != "README.md:13" || len(b.Hints) != 2 {
		t.Errorf("got block %s at %s with %d hints, want one at README.md:13 with 2", b.ID, b.Pos, len(b.Hints))
	}
	if got := string(p.Source[b.Start:b.End]); !strings.HasPrefix(got, "```exercise\n") || !strings.HasSuffix(got, "```\n") {
		t.Errorf("got block source %q, want the whole fenced block, fences included", got)
	}
	if got := string(p.Body()); !strings.HasPrefix(got, "\n# Testing") {
		t.Errorf("got body starting %q, want the text after the front matter", got[:min(20, len(got))])
	}
	if p.Block("one") != b || p.Block("two") != nil {
		t.Error("got Block lookups wrong, want one found and two not")
	}
}

func TestProseReplace(t *testing.T) {
	src := baseReadme + "\n~~~exercise\nid: two\ntitle: Two\nhints: [a, b]\n~~~\nEnd.\n\n```sh\nkubectl get pods\n```\n"
	var meta lessons.Meta
	p, probs := lessons.ParseProse("README.md", []byte(src), &meta)
	if len(probs) > 0 {
		t.Fatalf("got problems %v, want none", probs)
	}
	out := string(p.Replace(func(b *lessons.Block) string { return "[" + b.ID + "]\n" }))
	for _, want := range []string{"# Testing", "[one]\n\nRun it.", "[two]\nEnd.", "```sh\nkubectl get pods\n```"} {
		if !strings.Contains(out, want) {
			t.Errorf("got\n%s\nwant it to contain %q", out, want)
		}
	}
	for _, gone := range []string{"```exercise", "~~~", "hints:", "title: Testing"} {
		if strings.Contains(out, gone) {
			t.Errorf("got\n%s\nwant no %q left", out, gone)
		}
	}
}

func TestParseProseUnclosedBlock(t *testing.T) {
	src := "---\ntitle: T\ndocs: [https://kubernetes.io/]\n---\n\n```exercise\nid: one\ntitle: One\nhints: [a, b]\n"
	var meta lessons.Meta
	p, probs := lessons.ParseProse("README.md", []byte(src), &meta)
	if len(probs) > 0 {
		t.Fatalf("got problems %v, want none", probs)
	}
	if len(p.Blocks) != 1 || p.Blocks[0].End != len(src) || p.Blocks[0].Pos.Line != 6 {
		t.Fatalf("got blocks %+v, want one running to the end of the file, at line 6", p.Blocks)
	}
	if out := p.Replace(func(*lessons.Block) string { return "X" }); string(out) != "\nX" {
		t.Errorf("got %q, want the block replaced up to the end", out)
	}
}

func TestParseProseOtherBlocksIgnored(t *testing.T) {
	src := "---\ntitle: T\n---\n\n```yaml\nid: one\n```\n\n    indented code\n\n```\nno language\n```\n"
	var meta lessons.Meta
	p, probs := lessons.ParseProse("README.md", []byte(src), &meta)
	if len(probs) > 0 || len(p.Blocks) != 0 {
		t.Errorf("got %d blocks and problems %v, want neither: only ```exercise blocks count", len(p.Blocks), probs)
	}
}
