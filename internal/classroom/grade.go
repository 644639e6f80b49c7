package classroom

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kworkbook/kworkbook/checker"
	"github.com/kworkbook/kworkbook/lessons"
)

// GradeOptions configure Grade.
type GradeOptions struct {
	Students []string
	Lessons  []*lessons.Lesson
	// Scope gives a student's scope (the teacher's client reads it).
	Scope func(ctx context.Context, id string) lessons.Scope
	// Parallel is how many students are graded at once.
	Parallel int
	// PerStudent bounds one student's grading, so a namespace that hangs
	// does not stall the others.
	PerStudent time.Duration
	// Lang is the language lessons are read in (titles, messages).
	Lang string
}

// Result is one student's verdicts, lesson by lesson.
type Result struct {
	Student string
	Lessons []LessonResult
	Seconds float64
}

// LessonResult is one lesson's verdicts for a student, or why it was not
// graded (a lesson a classroom cannot give students).
type LessonResult struct {
	Lesson   *lessons.Lesson
	Verdicts []checker.Verdict
	Skipped  string
}

// Grade checks every student's work with bounded concurrency, each in
// their own scope and within their own time limit.
func Grade(ctx context.Context, ch *checker.Checker, o GradeOptions) []Result {
	if o.Parallel <= 0 {
		o.Parallel = 8
	}
	if o.PerStudent <= 0 {
		o.PerStudent = 2 * time.Minute
	}
	out := make([]Result, len(o.Students))
	sem := make(chan struct{}, o.Parallel)
	var wg sync.WaitGroup
	for i, id := range o.Students {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			start := time.Now()
			sctx, cancel := context.WithTimeout(ctx, o.PerStudent)
			defer cancel()
			out[i] = gradeStudent(sctx, ch, o, id)
			out[i].Seconds = time.Since(start).Seconds()
		}()
	}
	wg.Wait()
	return out
}

func gradeStudent(ctx context.Context, ch *checker.Checker, o GradeOptions, id string) Result {
	r := Result{Student: id}
	scope := o.Scope(ctx, id)
	for _, l := range o.Lessons {
		sl, err := l.Scoped(scope)
		if err != nil {
			lr := LessonResult{Lesson: l, Skipped: err.Error()}
			if !errors.Is(err, lessons.ErrClusterScoped) {
				lr.Skipped = fmt.Sprintf("%s: %v", l.ID, err)
			}
			r.Lessons = append(r.Lessons, lr)
			continue
		}
		sl = sl.In(o.Lang)
		r.Lessons = append(r.Lessons, LessonResult{Lesson: sl, Verdicts: ch.Lesson(ctx, sl)})
	}
	return r
}
