package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"

	"github.com/kworkbook/kworkbook/internal/progress"
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
	dir, err := progress.DefaultDir()
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "trusted-lessons.json")
	tf := readTrust(path)
	if _, ok := tf.Folders[hash]; ok {
		return nil
	}
	where := filepath.Join(l.Source, l.Dir)
	question := fmt.Sprintf("%s comes from %s, not with kworkbook. Its setup and solutions run shell commands on this computer (sh -c), with kubectl pointed at the cluster. Run them?", l.ID, where)
	if err := a.confirm(question, fmt.Sprintf("not running the commands of %s (read its lesson.yaml first; nothing changed)", where)); err != nil {
		return err
	}
	return writeTrust(path, func(tf *trustFile) {
		tf.Folders[hash] = trustEntry{Lesson: l.ID, Path: where, Allowed: time.Now().UTC().Truncate(time.Second)}
	})
}

func readTrust(path string) *trustFile {
	tf := &trustFile{Version: 1, Folders: map[string]trustEntry{}}
	raw, err := lessons.ReadFile(os.DirFS(filepath.Dir(path)), filepath.Base(path))
	if err == nil {
		_ = json.Unmarshal(raw, tf) // an unreadable record asks again
	}
	if tf.Folders == nil {
		tf.Folders = map[string]trustEntry{}
	}
	return tf
}

func writeTrust(path string, change func(*trustFile)) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("unable to remember the answer: %w", err)
	}
	lock := flock.New(path + ".lock")
	if err := lock.Lock(); err != nil {
		return fmt.Errorf("unable to remember the answer: %w", err)
	}
	defer lock.Unlock()
	tf := readTrust(path)
	change(tf)
	raw, err := json.MarshalIndent(tf, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(raw, '\n'), 0o600); err != nil {
		return fmt.Errorf("unable to remember the answer: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return errors.Join(fmt.Errorf("unable to remember the answer: %w", err), os.Remove(tmp))
	}
	return nil
}
