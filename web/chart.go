package web

import (
	"fmt"
	"html"
	"html/template"
	"strings"
)

// bar is one bar of a chart: its value, the label of its tooltip, and
// whether it stands for a failure (drawn in red).
type bar struct {
	N     int
	Label string
	Bad   bool
}

// barChart draws bars as an inline SVG of w×h pixels, scaled to the
// largest value (or to 1 when all are zero, which draws a flat baseline).
// It is markup built from numbers and escaped labels, so it is safe to put
// in a page as it is; a CSP without inline script allows SVG.
func barChart(bars []bar, w, h int, label string) template.HTML {
	top := 1
	for _, b := range bars {
		top = max(top, b.N)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">`,
		w, h, w, h, html.EscapeString(label))
	if len(bars) > 0 {
		slot := float64(w) / float64(len(bars))
		gap := max(slot/6, 1)
		for i, b := range bars {
			bh := float64(h-2) * float64(b.N) / float64(top)
			if b.N > 0 {
				bh = max(bh, 1.5)
			}
			class := "bar"
			if b.Bad {
				class = "bar bad"
			}
			fmt.Fprintf(&sb, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s</title></rect>`,
				class, float64(i)*slot+gap/2, float64(h-1)-bh, slot-gap, bh, html.EscapeString(b.Label))
		}
	}
	fmt.Fprintf(&sb, `<line class="axis" x1="0" y1="%d" x2="%d" y2="%d"/></svg>`, h-1, w, h-1)
	return template.HTML(sb.String())
}
