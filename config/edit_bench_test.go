//go:build unix

package config

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkEdit is one locked, checked edit that appends a line: of the
// small default-sized config, and of one with 10,000 feeds and rules,
// which Edit loads twice (before and after).
func BenchmarkEdit(b *testing.B) {
	for _, tc := range []struct {
		name string
		data []byte
	}{{"small", []byte(editBase)}, {"10k-feeds-and-rules", benchConfig(10000, false)}} {
		b.Run(tc.name, func(b *testing.B) {
			dir := b.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "feed.xml"), []byte("<rss/>"), 0o644); err != nil {
				b.Fatal(err)
			}
			p := filepath.Join(dir, "config.yaml")
			for b.Loop() {
				b.StopTimer()
				if err := os.WriteFile(p, tc.data, 0o644); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if err := Edit(p, noEnv, "a comment", addLine("# added\n")); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
