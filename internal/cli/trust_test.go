package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kworkbook/kworkbook/lessons"
)

// TestTrustLessonsFolder: the commands of a lesson from a --lessons-dir
// folder run only once the learner allowed that folder, as its files are
// now; without a terminal only --yes allows it.
func TestTrustLessonsFolder(t *testing.T) {
	t.Setenv("KWORKBOOK_STATE_DIR", t.TempDir())
	dir := t.TempDir()
	folder := filepath.Join(dir, "14-mine")
	if err := os.MkdirAll(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(content string) {
		if err := os.WriteFile(filepath.Join(folder, "lesson.yaml"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("commands: [rm -rf ~]\n")
	l := &lessons.Lesson{ID: "lesson-14", Dir: "14-mine", FS: os.DirFS(dir), Source: dir}

	var errOut bytes.Buffer
	a := &app{streams: IOStreams{In: strings.NewReader("y\n"), Out: &bytes.Buffer{}, ErrOut: &errOut}}
	err := a.trustLesson(context.Background(), l)
	if !errors.Is(err, errNeedYes) || !strings.Contains(err.Error(), folder) {
		t.Fatalf("got %v, want a refusal naming the folder that asks for --yes", err)
	}
	a.globals.yes = true
	if err := a.trustLesson(context.Background(), l); err != nil {
		t.Fatalf("with --yes: got %v, want allowed", err)
	}
	a.globals.yes = false
	if err := a.trustLesson(context.Background(), l); err != nil {
		t.Errorf("the same files again: got %v, want remembered", err)
	}
	write("commands: [rm -rf /]\n")
	if err := a.trustLesson(context.Background(), l); !errors.Is(err, errNeedYes) {
		t.Errorf("changed files: got %v, want asked again", err)
	}
}
