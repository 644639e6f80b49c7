package lessons

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
)

// MaxFileSize bounds every lesson file kworkbook reads: prose, lesson.yaml
// and manifests are a few kilobytes; a lessons folder given with
// --lessons-dir may hold anything, such as a link to /dev/zero.
const MaxFileSize = 1 << 20

// ErrFileTooLarge and ErrNotRegular are wrapped by ReadFile's errors.
var (
	ErrFileTooLarge = errors.New("file too large")
	ErrNotRegular   = errors.New("not a regular file")
)

// ReadFile reads a lesson file: a regular file (a link to one is fine) of
// at most MaxFileSize bytes.
func ReadFile(fsys fs.FS, name string) ([]byte, error) {
	st, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w (a lesson folder holds only regular files and folders)", name, ErrNotRegular)
	}
	if st.Size() > MaxFileSize {
		return nil, fmt.Errorf("%s: %w (%d bytes; lesson files may have at most %d)", name, ErrFileTooLarge, st.Size(), MaxFileSize)
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The size seen by Stat may change, or lie (files under /proc say 0).
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("%s: %w (lesson files may have at most %d bytes)", name, ErrFileTooLarge, MaxFileSize)
	}
	return b, nil
}

// ReadFile reads one of the lesson's files, name relative to its folder.
func (l *Lesson) ReadFile(name string) ([]byte, error) {
	return ReadFile(l.FS, path.Join(l.Dir, name))
}

// Hash is a digest of every file in the lesson's folder (names and
// contents): it changes whenever anything in the lesson does.
func (l *Lesson) Hash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(l.FS, l.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		b, err := ReadFile(l.FS, p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", strings.TrimPrefix(p, l.Dir), len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("unable to read %s: %w", l.Dir, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
