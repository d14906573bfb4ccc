package summary

import (
	"fmt"
	"os"
	"testing"
)

func TestDbg(t *testing.T) {
	b, _ := os.ReadFile("testdata/ml/es-vivienda.txt")
	a := newArticle(string(b))
	var spans []span
	for _, sp := range a.findSpans() {
		if a.shapeOK(sp) {
			spans = append(spans, sp)
		}
	}
	r := newResolver(a, spans)
	for _, p := range r.persons {
		fmt.Printf("person %q at %d\n", p.name, p.pos)
	}
	for _, m := range r.mentions {
		fmt.Printf("mention %q\n", m.name)
	}
}
