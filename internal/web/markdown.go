package web

import (
	"bytes"
	"fmt"
	"html/template"
	"regexp"
	"strconv"
	"sync"

	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/styles"
	"github.com/yuin/goldmark"
	highlighting "github.com/yuin/goldmark-highlighting/v2"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"

	"github.com/kworkbook/kworkbook/lessons"
)

// markdown renders lesson prose and hints: GitHub's flavour, headings
// with ids, code highlighted with CSS classes (so that dark mode only
// swaps a style sheet). Raw HTML in a lesson is left out, not passed on.
var markdown = goldmark.New(
	goldmark.WithExtensions(extension.GFM, highlighting.NewHighlighting(
		highlighting.WithStyle("github"),
		highlighting.WithFormatOptions(chromahtml.WithClasses(true)),
	)),
	goldmark.WithParserOptions(parser.WithAutoHeadingID()),
)

// codeCSS is the style sheet of highlighted code, light and dark.
var codeCSS = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	f := chromahtml.New(chromahtml.WithClasses(true))
	_ = f.WriteCSS(&b, styles.Get("github"))
	b.WriteString("\n@media (prefers-color-scheme: dark) {\n")
	_ = f.WriteCSS(&b, styles.Get("github-dark"))
	b.WriteString("}\n")
	return b.Bytes()
})

// prose is a lesson's README rendered, cut where its exercise blocks were.
type prose struct {
	// parts alternate HTML and an exercise id: parts[i].html, then the
	// card of parts[i].exercise (when not empty).
	parts []prosePart
}

type prosePart struct {
	html     template.HTML
	exercise string
}

// cardMark stands where an exercise block was while the rest renders; it
// is a word Markdown leaves alone, on a paragraph of its own.
const cardMark = "KWORKBOOKCARD"

var cardMarkRE = regexp.MustCompile(`(?:<p>)?` + cardMark + `(\d+)END(?:</p>)?\n?`)

type proseCache struct {
	mu sync.Mutex
	m  map[string]*prose
}

// get renders l's prose once per lesson and language.
func (c *proseCache) get(l *lessons.Lesson) (*prose, error) {
	key := l.ID + "\x00" + l.Lang
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.m[key]; ok {
		return p, nil
	}
	p, err := renderProse(l)
	if err != nil {
		return nil, err
	}
	if c.m == nil {
		c.m = map[string]*prose{}
	}
	c.m[key] = p
	return p, nil
}

// renderProse renders the README with each exercise block replaced by a
// mark (Prose.Replace), then cuts the HTML at the marks.
func renderProse(l *lessons.Lesson) (*prose, error) {
	var ids []string
	src := l.Prose.Replace(func(b *lessons.Block) string {
		if l.Exercise(b.ID) == nil {
			return ""
		}
		ids = append(ids, b.ID)
		return fmt.Sprintf("\n\n%s%dEND\n\n", cardMark, len(ids)-1)
	})
	var out bytes.Buffer
	if err := markdown.Convert(src, &out); err != nil {
		return nil, fmt.Errorf("%s: %w", l.Prose.File, err)
	}
	html := out.String()
	p := &prose{}
	last := 0
	for _, m := range cardMarkRE.FindAllStringSubmatchIndex(html, -1) {
		i, _ := strconv.Atoi(html[m[2]:m[3]])
		if i >= len(ids) {
			continue
		}
		p.parts = append(p.parts, prosePart{html: template.HTML(html[last:m[0]]), exercise: ids[i]})
		last = m[1]
	}
	p.parts = append(p.parts, prosePart{html: template.HTML(html[last:])})
	return p, nil
}

// inline renders a short text (a hint) as Markdown.
func inline(md string) template.HTML {
	var out bytes.Buffer
	if err := markdown.Convert([]byte(md), &out); err != nil {
		return template.HTML(template.HTMLEscapeString(md))
	}
	return template.HTML(out.String())
}
