package config

import (
	"fmt"
	"strings"
	"testing"
)

// benchConfig writes a config of n feeds and n rules. hostile: every rule
// names feeds in feed: terms of its query and its exclude, written as
// block scalars over several lines, so that each is parsed a second time
// for the feed check and positions are found by scanning the file.
func benchConfig(n int, hostile bool) []byte {
	var b strings.Builder
	b.WriteString("feeds:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - name: feed-%d\n    url: https://feeds.example/%d.xml\n", i, i)
	}
	b.WriteString("rules:\n")
	for i := range n {
		if hostile {
			fmt.Fprintf(&b, "  - name: rule-%d\n    query: |\n      (grain OR wheat%d)\n      AND (feed:feed-%d OR feed:feed-%d)\n    exclude: >\n      sport\n      OR feed:feed-%d\n", i, i, i, (i+1)%n, (i+2)%n)
			continue
		}
		fmt.Fprintf(&b, "  - name: rule-%d\n    query: '\"black sea\" wheat%d'\n", i, i)
	}
	return []byte(b.String())
}

// BenchmarkParse loads a config of 10,000 feeds and rules: typical rules,
// and rules that all use feed: terms over several lines (the worst case of
// the feed-name check).
func BenchmarkParse(b *testing.B) {
	for _, tc := range []struct {
		name    string
		hostile bool
	}{{"typical", false}, {"feed-terms-multiline", true}} {
		data := benchConfig(10000, tc.hostile)
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Parse("config.yaml", data, noEnv); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
