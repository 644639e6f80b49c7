// Package progress stores a learner's progress: which exercises passed,
// which hints were revealed. The file lives in the user's state directory,
// is written atomically under a file lock (two kworkbook processes at once
// lose nothing), and carries a schema version.
package progress

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/gofrs/flock"
)

// Version is the schema version this kworkbook writes.
const Version = 1

// Errors callers test with errors.Is.
var (
	// ErrCorrupt: the file could not be read; it was moved aside and a
	// fresh record started. Load still returns usable progress with it.
	ErrCorrupt = errors.New("the progress file was unreadable")
	// ErrNewer: the file was written by a newer kworkbook; it is left alone.
	ErrNewer = errors.New("the progress file is from a newer kworkbook")
)

// Progress is everything stored.
type Progress struct {
	Version int                `json:"version"`
	Lessons map[string]*Lesson `json:"lessons"`
}

// Lesson is one lesson's record.
type Lesson struct {
	Started     time.Time            `json:"started,omitempty"`
	LastChecked time.Time            `json:"lastChecked,omitempty"`
	Exercises   map[string]*Exercise `json:"exercises,omitempty"`
}

// Exercise is one exercise's record.
type Exercise struct {
	// Passed is when the exercise first passed; zero if it never did.
	// Done stays done: later exercises may change what an earlier one made.
	Passed time.Time `json:"passed,omitempty"`
	// Hints is how many steps of the hint ladder were revealed.
	Hints int `json:"hints,omitempty"`
}

// Lesson returns (creating) the record of lesson id.
func (p *Progress) Lesson(id string) *Lesson {
	if p.Lessons == nil {
		p.Lessons = map[string]*Lesson{}
	}
	l := p.Lessons[id]
	if l == nil {
		l = &Lesson{}
		p.Lessons[id] = l
	}
	return l
}

// Exercise returns (creating) the record of exercise id.
func (l *Lesson) Exercise(id string) *Exercise {
	if l.Exercises == nil {
		l.Exercises = map[string]*Exercise{}
	}
	e := l.Exercises[id]
	if e == nil {
		e = &Exercise{}
		l.Exercises[id] = e
	}
	return e
}

// Checked notes a check of the lesson at now: the exercises in passed are
// done from now on (done stays done: a later failure does not undo it).
func (l *Lesson) Checked(now time.Time, passed ...string) {
	l.LastChecked = now
	for _, id := range passed {
		if e := l.Exercise(id); e.Passed.IsZero() {
			e.Passed = now
		}
	}
}

// Done reports whether exercise id passed.
func (p *Progress) Done(lesson, exercise string) bool {
	l, ok := p.Lessons[lesson]
	if !ok {
		return false
	}
	e, ok := l.Exercises[exercise]
	return ok && !e.Passed.IsZero()
}

// Standing is where the learner is in a lesson.
type Standing struct {
	Done, Total int
	// Next is the first exercise not done ("" when all are).
	Next string
	// State is "done", "in_progress" or "not_started" (a lesson counts
	// as started once anything was recorded for it).
	State string
}

// Standing counts the exercises of lesson (ids in the lesson's order)
// that are done and names the next one.
func (p *Progress) Standing(lesson string, ids []string) Standing {
	s := Standing{Total: len(ids)}
	for _, id := range ids {
		if p.Done(lesson, id) {
			s.Done++
		} else if s.Next == "" {
			s.Next = id
		}
	}
	_, started := p.Lessons[lesson]
	switch {
	case s.Done == s.Total:
		s.State = "done"
	case started || s.Done > 0:
		s.State = "in_progress"
	default:
		s.State = "not_started"
	}
	return s
}

// Store reads and writes the progress file.
type Store struct {
	Path string
}

// DefaultDir is kworkbook's state directory: $XDG_STATE_HOME/kworkbook
// (~/.local/state/kworkbook) on Linux and the BSDs, the user config
// directory elsewhere (~/Library/Application Support, %AppData%).
// KWORKBOOK_STATE_DIR overrides it.
func DefaultDir() (string, error) {
	if d := os.Getenv("KWORKBOOK_STATE_DIR"); d != "" {
		return d, nil
	}
	if runtime.GOOS != "darwin" && runtime.GOOS != "windows" {
		if d := os.Getenv("XDG_STATE_HOME"); d != "" {
			return filepath.Join(d, "kworkbook"), nil
		}
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("unable to find the home directory: %w", err)
		}
		return filepath.Join(home, ".local", "state", "kworkbook"), nil
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("unable to find the user config directory: %w", err)
	}
	return filepath.Join(d, "kworkbook"), nil
}

// Open returns the store in dir.
func Open(dir string) *Store {
	return &Store{Path: filepath.Join(dir, "progress.json")}
}

// Load reads the progress without locking (a consistent snapshot: writes
// are atomic renames). A corrupt file is moved aside: Load then returns
// fresh progress and an error wrapping ErrCorrupt that names where it went.
func (s *Store) Load() (*Progress, error) {
	p, err := s.read()
	if !errors.Is(err, ErrCorrupt) {
		return p, err
	}
	lockErr := s.withLock(func() error {
		// Another process may have moved it aside meanwhile: read again under the lock.
		if p, err = s.read(); errors.Is(err, ErrCorrupt) {
			if moveErr := s.moveAside(&err); moveErr != nil {
				return moveErr
			}
			p = &Progress{Version: Version}
		}
		return nil
	})
	if lockErr != nil {
		return nil, lockErr
	}
	return p, err
}

// Update applies fn to the progress under an exclusive lock and writes the
// result atomically. Concurrent updates from other processes are serialized.
func (s *Store) Update(fn func(*Progress) error) error {
	return s.withLock(func() error {
		p, err := s.read()
		if errors.Is(err, ErrCorrupt) {
			if moveErr := s.moveAside(&err); moveErr != nil {
				return moveErr
			}
			p = &Progress{Version: Version}
		} else if err != nil {
			return err
		}
		if err := fn(p); err != nil {
			return err
		}
		return s.write(p)
	})
}

func (s *Store) withLock(fn func() error) error {
	if err := os.MkdirAll(filepath.Dir(s.Path), 0o755); err != nil {
		return fmt.Errorf("unable to create %s: %w", filepath.Dir(s.Path), err)
	}
	lock := flock.New(s.Path + ".lock")
	if err := lock.Lock(); err != nil {
		return fmt.Errorf("unable to lock %s: %w", s.Path, err)
	}
	defer lock.Unlock()
	return fn()
}

// MaxSize bounds the progress file: thirteen lessons take a few kilobytes.
const MaxSize = 8 << 20

func (s *Store) read() (*Progress, error) {
	raw, err := readLimited(s.Path, MaxSize)
	if errors.Is(err, os.ErrNotExist) {
		return &Progress{Version: Version}, nil
	}
	if errors.Is(err, errTooLarge) {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, s.Path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("unable to read %s: %w", s.Path, err)
	}
	p, err := Decode(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Path, err)
	}
	return p, nil
}

var errTooLarge = errors.New("larger than a progress file can be")

func readLimited(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%w (not a regular file)", errTooLarge)
	}
	raw, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(raw)) > max {
		return nil, fmt.Errorf("%w (more than %d bytes)", errTooLarge, max)
	}
	return raw, nil
}

// Decode reads a progress file's bytes. Damage it can repair (entries
// that are null) is repaired; anything else is ErrCorrupt.
func Decode(raw []byte) (*Progress, error) {
	var head struct {
		Version int `json:"version"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if head.Version > Version {
		return nil, fmt.Errorf("%w (version %d; this one knows %d): upgrade kworkbook; the file was left as it is", ErrNewer, head.Version, Version)
	}
	if head.Version < 0 {
		return nil, fmt.Errorf("%w: version %d", ErrCorrupt, head.Version)
	}
	p, err := migrate(head.Version, raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	p.repair()
	return p, nil
}

// repair drops records written as null and counts that make no sense, so
// no reader meets a nil lesson or exercise.
func (p *Progress) repair() {
	for id, l := range p.Lessons {
		if l == nil {
			delete(p.Lessons, id)
			continue
		}
		for eid, e := range l.Exercises {
			if e == nil {
				delete(l.Exercises, eid)
			} else if e.Hints < 0 {
				e.Hints = 0
			}
		}
	}
}

// migrate reads any schema version this kworkbook knows into the current one.
func migrate(version int, raw []byte) (*Progress, error) {
	switch version {
	case 0, 1: // version 0: files written before the field existed
		p := &Progress{}
		if err := json.Unmarshal(raw, p); err != nil {
			return nil, err
		}
		p.Version = Version
		return p, nil
	}
	return nil, fmt.Errorf("unknown version %d", version)
}

func (s *Store) moveAside(cause *error) error {
	aside := fmt.Sprintf("%s.corrupt-%s", s.Path, time.Now().Format("20060102-150405"))
	// Never replace an earlier corrupt file moved aside in the same second.
	for i, base := 2, aside; ; i++ {
		if _, err := os.Lstat(aside); errors.Is(err, os.ErrNotExist) {
			break
		}
		aside = fmt.Sprintf("%s-%d", base, i)
	}
	if err := os.Rename(s.Path, aside); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w, and moving it aside failed: %v", *cause, err)
	}
	*cause = fmt.Errorf("%w: kept it as %s and started a new one", *cause, aside)
	return nil
}

func (s *Store) write(p *Progress) error {
	p.Version = Version
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("unable to encode progress: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.Path), ".progress-*.json")
	if err != nil {
		return fmt.Errorf("unable to write progress: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("unable to write progress: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("unable to write progress: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("unable to write progress: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.Path); err != nil {
		return fmt.Errorf("unable to write progress: %w", err)
	}
	return nil
}
