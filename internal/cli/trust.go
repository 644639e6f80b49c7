package cli

import (
	"context"
	"path/filepath"
	"time"

	"github.com/kworkbook/kworkbook/lessons"
)

// Lesson folders are code: setup, reset, solve and prove run their
// commands with sh -c. Those of the built-in lessons come with kworkbook;
// those of a --lessons-dir folder may come from anyone, so kworkbook asks
// once before it runs them and remembers the answer for exactly those
// files (a digest of the folder): any change asks again.

// trustFile records the lesson folders whose commands the learner allowed.
type trustFile struct {
	Version int                   `json:"version"`
	Folders map[string]trustEntry `json:"folders"`
}

type trustEntry struct {
	Lesson  string    `json:"lesson"`
	Path    string    `json:"path"`
	Allowed time.Time `json:"allowed"`
}

func (a *app) trustLesson(_ context.Context, l *lessons.Lesson) error {
	hash, err := l.Hash()
	if err != nil {
		return err
	}
	path, err := statePath("trusted-lessons.json")
	if err != nil {
		return err
	}
	tf := &trustFile{Version: 1, Folders: map[string]trustEntry{}}
	readJSON(path, tf)
	if _, ok := tf.Folders[hash]; ok {
		return nil
	}
	where := filepath.Join(l.Source, l.Dir)
	question := a.p().T("trust.question", "Lesson", l.ID, "Folder", where)
	if err := a.confirm(question, a.p().T("trust.refused", "Folder", where)); err != nil {
		return err
	}
	return updateJSON(path, tf, func() {
		if tf.Folders == nil {
			tf.Folders = map[string]trustEntry{}
		}
		tf.Folders[hash] = trustEntry{Lesson: l.ID, Path: where, Allowed: time.Now().UTC().Truncate(time.Second)}
	})
}
