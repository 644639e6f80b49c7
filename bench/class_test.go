package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkClass times a class of 30 on kworkbook's cluster: class up
// (budget: under a minute), class up again (nothing to do), and class grade
// of lesson 05 for all 30 (budget: under 30 seconds), then class down.
func BenchmarkClass(b *testing.B) {
	bin := kworkbookBinary(b)
	dir := b.TempDir()
	var ids []string
	for i := 1; i <= 30; i++ {
		ids = append(ids, fmt.Sprintf("b%02d", i))
	}
	roster := filepath.Join(dir, "roster.txt")
	if err := os.WriteFile(roster, []byte(strings.Join(ids, "\n")+"\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	teacher := []string{"--context", "kind-kworkbook", "--yes"}
	out := filepath.Join(dir, "kubeconfigs")
	var up, again, grade, down time.Duration
	for i := 0; i < b.N; i++ {
		t := time.Now()
		run(b, nil, bin, append(teacher, "class", "up", "--roster", roster, "--out", out))
		up += time.Since(t)
		t = time.Now()
		run(b, nil, bin, append(teacher, "class", "up", "--roster", roster, "--out", out))
		again += time.Since(t)
		t = time.Now()
		run(b, nil, bin, append(teacher, "class", "grade", "05", "-o", "csv"), 1)
		grade += time.Since(t)
		t = time.Now()
		run(b, nil, bin, append(teacher, "class", "down"))
		down += time.Since(t)
	}
	n := float64(b.N)
	b.ReportMetric(up.Seconds()/n, "class-up-s/op")
	b.ReportMetric(grade.Seconds()/n, "class-grade-s/op")
	b.Logf("class of 30: up %.1fs, up again %.1fs, grade lesson-05 %.1fs, down %.1fs", up.Seconds()/n, again.Seconds()/n, grade.Seconds()/n, down.Seconds()/n)
}
