package lessons

import (
	"fmt"
	"regexp"
	"strings"
)

// Commands that change nodes: cordon, uncordon and drain always do; label,
// taint, annotate, patch, edit and delete do when they name nodes.
var (
	nodeVerbRE   = regexp.MustCompile(`\bkubectl\b[^|;&\n]*?\b(cordon|uncordon|drain)\b`)
	nodeObjectRE = regexp.MustCompile(`\bkubectl\b[^|;&\n]*?\b(label|taint|annotate|patch|edit|delete|replace|set)\b[^|;&\n]*?\s(nodes?|no)(/|\s|$)`)
)

// ChangesNodesCommand reports whether a shell command changes nodes.
func ChangesNodesCommand(command string) bool {
	return nodeVerbRE.MatchString(command) || nodeObjectRE.MatchString(command)
}

// nodeChanges lists the lesson's steps that change nodes.
func nodeChanges(l *Lesson) []string {
	var out []string
	steps := func(s Steps) {
		for _, c := range s.Commands {
			if ChangesNodesCommand(c) {
				out = append(out, fmt.Sprintf("%s: %s", s.Pos, shortCommand(c)))
			}
		}
		for _, m := range s.Manifests {
			objs, err := l.ReadManifest(m)
			if err != nil {
				continue // reported by Validate
			}
			for _, o := range objs {
				if SameKind(o.GetKind(), "Node") {
					out = append(out, fmt.Sprintf("%s: Node %s", o.Pos, o.GetName()))
				}
			}
		}
	}
	steps(l.Spec.Setup)
	for _, e := range l.Spec.Exercises {
		steps(e.Solution)
		for _, n := range append(append([]*NearMiss{}, e.NearMisses...), e.Alternatives...) {
			steps(n.Steps())
			steps(Steps{Commands: n.Cleanup, Pos: n.Pos})
		}
	}
	return out
}

func shortCommand(c string) string {
	c = strings.Join(strings.Fields(c), " ")
	if len(c) > 80 {
		return c[:79] + "…"
	}
	return c
}
