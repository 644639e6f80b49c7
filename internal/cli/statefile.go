package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gofrs/flock"

	"github.com/kworkbook/kworkbook/internal/progress"
	"github.com/kworkbook/kworkbook/lessons"
)

// Small JSON records kworkbook keeps beside the progress file: the lesson
// folders the learner allowed, what each cluster was found to support.

func statePath(name string) (string, error) {
	dir, err := progress.DefaultDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, name), nil
}

// readJSON fills v from path; a missing or unreadable file leaves v as it is.
func readJSON(path string, v any) {
	raw, err := lessons.ReadFile(os.DirFS(filepath.Dir(path)), filepath.Base(path))
	if err == nil {
		_ = json.Unmarshal(raw, v)
	}
}

// updateJSON reads path into v under a lock, lets change edit it and
// writes it back atomically.
func updateJSON(path string, v any, change func()) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("unable to write %s: %w", path, err)
	}
	lock := flock.New(path + ".lock")
	if err := lock.Lock(); err != nil {
		return fmt.Errorf("unable to write %s: %w", path, err)
	}
	defer lock.Unlock()
	readJSON(path, v)
	change()
	raw, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(raw, '\n'), 0o600); err != nil {
		return fmt.Errorf("unable to write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return errors.Join(fmt.Errorf("unable to write %s: %w", path, err), os.Remove(tmp))
	}
	return nil
}
