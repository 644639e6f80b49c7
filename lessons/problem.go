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
	// Warning: worth fixing, but the lesson still loads and lint passes.
	Warning bool
}

func (p Problem) String() string {
	if p.Warning {
		return p.Pos.String() + ": warning: " + p.Message
	}
	return p.Pos.String() + ": " + p.Message
}

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

// problemsError returns the problems that are not warnings as an error.
func problemsError(source string, probs []Problem) error {
	errs, _ := splitProblems(probs)
	if len(errs) == 0 {
		return nil
	}
	return &ProblemsError{Source: source, Problems: errs}
}

// splitProblems separates errors from warnings, each sorted by position.
func splitProblems(probs []Problem) (errs, warnings []Problem) {
	for _, p := range probs {
		if p.Warning {
			warnings = append(warnings, p)
		} else {
			errs = append(errs, p)
		}
	}
	sortProblems(errs)
	sortProblems(warnings)
	return errs, warnings
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

// Sorted returns problems sorted by file and line.
func Sorted(ps []Problem) []Problem {
	sortProblems(ps)
	return ps
}
