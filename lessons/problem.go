package lessons

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrInvalid is wrapped by every error that reports problems in lesson files.
var ErrInvalid = errors.New("lesson files have problems")

// Problem is one thing wrong in a lesson file.
type Problem struct {
	Pos     Pos
	Message string
}

func (p Problem) String() string { return p.Pos.String() + ": " + p.Message }

// ProblemsError lists problems found while loading lessons.
type ProblemsError struct {
	Source   string
	Problems []Problem
}

func (e *ProblemsError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return fmt.Sprintf("%d problem(s) in the lessons (%s):\n%s", len(e.Problems), e.Source, strings.Join(lines, "\n"))
}

func (e *ProblemsError) Unwrap() error { return ErrInvalid }

func problemsError(source string, probs []Problem) error {
	if len(probs) == 0 {
		return nil
	}
	sortProblems(probs)
	return &ProblemsError{Source: source, Problems: probs}
}

func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Pos.File != ps[j].Pos.File {
			return ps[i].Pos.File < ps[j].Pos.File
		}
		return ps[i].Pos.Line < ps[j].Pos.Line
	})
}

func sortStrings(s []string) { sort.Strings(s) }
