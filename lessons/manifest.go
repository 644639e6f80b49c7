package lessons

import (
	"bytes"
	"fmt"
	"path"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	sigsyaml "sigs.k8s.io/yaml"
)

// Object is one Kubernetes object read from a manifest file.
type Object struct {
	*unstructured.Unstructured
	Pos Pos
}

// ReadManifest reads every object of a multi-document YAML file that
// belongs to the lesson (name is relative to the lesson directory).
func (l *Lesson) ReadManifest(name string) ([]Object, error) {
	file := path.Join(l.Dir, name)
	raw, err := ReadFile(l.FS, file)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return ParseObjects(file, raw)
}

// ParseObjects splits a multi-document YAML stream into objects.
func ParseObjects(file string, raw []byte) ([]Object, error) {
	var objs []Object
	for _, d := range splitDocs(raw) {
		if len(bytes.TrimSpace(stripComments(d.body))) == 0 {
			continue
		}
		docLine := d.line + leadingBlankLines(d.body)
		m := map[string]any{}
		if err := sigsyaml.Unmarshal(d.body, &m); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", file, docLine, err)
		}
		u := &unstructured.Unstructured{Object: m}
		if u.GetAPIVersion() == "" || u.GetKind() == "" || u.GetName() == "" {
			return nil, fmt.Errorf("%s:%d: every object needs apiVersion, kind and metadata.name", file, docLine)
		}
		objs = append(objs, Object{Unstructured: u, Pos: Pos{file, docLine}})
	}
	return objs, nil
}

type doc struct {
	line int
	body []byte
}

// splitDocs splits at "---" lines, keeping each document's first line number.
func splitDocs(raw []byte) []doc {
	var docs []doc
	cur := doc{line: 1}
	for i, l := range bytes.SplitAfter(raw, []byte("\n")) {
		t := bytes.TrimRight(l, " \t\r\n")
		if bytes.Equal(t, []byte("---")) || bytes.HasPrefix(t, []byte("--- ")) {
			docs = append(docs, cur)
			cur = doc{line: i + 2}
			continue
		}
		cur.body = append(cur.body, l...)
	}
	return append(docs, cur)
}

func leadingBlankLines(doc []byte) int {
	n := 0
	for _, l := range bytes.Split(doc, []byte("\n")) {
		t := bytes.TrimSpace(l)
		if len(t) != 0 && !bytes.HasPrefix(t, []byte("#")) && !bytes.Equal(t, []byte("---")) {
			break
		}
		n++
	}
	return n
}

func stripComments(doc []byte) []byte {
	var out bytes.Buffer
	for _, l := range bytes.Split(doc, []byte("\n")) {
		if t := bytes.TrimSpace(l); len(t) > 0 && t[0] != '#' && !bytes.Equal(t, []byte("---")) {
			out.Write(l)
			out.WriteByte('\n')
		}
	}
	return out.Bytes()
}
