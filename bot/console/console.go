// Package console is the alert adapter that prints to a terminal or a log
// file: for trying herald out and for `herald once`. It colours only a
// terminal, and never when NO_COLOR is set.
package console

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"herald/news"
)

// Width is the column the console wraps text at.
const Width = 78

// Console prints alerts, one block each, separated by a blank line.
type Console struct {
	mu    sync.Mutex
	w     io.Writer
	color bool
	loc   *time.Location
}

// New returns a console writing to w. Colour is used only when w is a
// terminal and NO_COLOR is unset; loc is the time zone for dates (nil: local).
func New(w io.Writer, loc *time.Location) *Console {
	if loc == nil {
		loc = time.Local
	}
	return &Console{w: w, color: isTerminal(w) && os.Getenv("NO_COLOR") == "", loc: loc}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Send prints one alert. It fails only when the writer does.
func (c *Console) Send(_ context.Context, a news.Alert) error {
	text := Format(a, c.loc, c.color)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := io.WriteString(c.w, text); err != nil {
		return fmt.Errorf("console: write alert: %w", err)
	}
	return nil
}

const (
	bold  = "\x1b[1m"
	dim   = "\x1b[2m"
	reset = "\x1b[0m"
)

// Format renders an alert as console text: title, source line, summary,
// quotes with their speakers, what matched, and the link.
func Format(a news.Alert, loc *time.Location, color bool) string {
	style := func(code, s string) string {
		if !color || s == "" {
			return s
		}
		return code + s + reset
	}
	var b strings.Builder
	b.WriteString(style(bold, wrap("■ "+a.Title, "", "  ")))
	b.WriteString("\n")
	meta := []string{a.Feed}
	if !a.Published.IsZero() {
		meta = append(meta, a.Published.In(loc).Format("Mon 2 Jan 2006 15:04 MST"))
	}
	for _, src := range a.Sources() {
		if src.Watch != "" {
			meta = append(meta, "your watch: "+src.Watch)
		} else {
			meta = append(meta, "topic: "+src.Rule)
		}
	}
	b.WriteString(style(dim, wrap(strings.Join(meta, " · "), "  ", "  ")))
	b.WriteString("\n")
	if a.Summary != "" {
		b.WriteString("\n")
		b.WriteString(wrap(a.Summary, "  ", "  "))
		b.WriteString("\n")
	}
	for _, q := range a.Quotes {
		b.WriteString("\n")
		// A quote that ran into its attribution ends in a comma; drop it on its own.
		open, close := q.Marks()
		b.WriteString(wrap(open+strings.TrimRight(q.Text, ", ")+close, "  │ ", "  │ "))
		b.WriteString("\n")
		if q.Speaker != "" {
			b.WriteString("  │   — " + q.Speaker + "\n")
		}
	}
	if m := Matched(a.Hits); m != "" {
		b.WriteString("\n")
		b.WriteString(style(dim, wrap("matched: "+m, "  ", "    ")))
		b.WriteString("\n")
	}
	if a.Link != "" {
		b.WriteString("  " + a.Link + "\n")
	}
	b.WriteString("\n")
	return b.String()
}

// Matched summarises hits term by term, each distinct text once per field:
// `@nuc: "NATO–Ukraine Council" in title, "NATO-Ukraine Council" in text; grain: "grain" in text`.
func Matched(hits []news.Hit) string {
	var terms []string
	byTerm := map[string][]string{}
	seen := map[string]bool{}
	for _, h := range hits {
		text := strings.Join(strings.Fields(h.Text), " ")
		key := h.Term + "\x00" + text + "\x00" + h.Field
		if seen[key] {
			continue
		}
		seen[key] = true
		if _, ok := byTerm[h.Term]; !ok {
			terms = append(terms, h.Term)
		}
		byTerm[h.Term] = append(byTerm[h.Term], fmt.Sprintf("%q in %s", text, h.Field))
	}
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = t + ": " + strings.Join(byTerm[t], ", ")
	}
	return strings.Join(parts, "; ")
}

// wrap breaks s into lines of at most Width columns, the first prefixed by
// first and the rest by rest. Words longer than a line (URLs) stay whole.
func wrap(s, first, rest string) string {
	words := strings.Fields(s)
	var b strings.Builder
	line, prefix := 0, first
	b.WriteString(prefix)
	line = len([]rune(prefix))
	start := true
	for _, w := range words {
		n := len([]rune(w))
		if !start && line+1+n > Width {
			b.WriteString("\n")
			b.WriteString(rest)
			line = len([]rune(rest))
			start = true
		}
		if !start {
			b.WriteString(" ")
			line++
		}
		b.WriteString(w)
		line += n
		start = false
	}
	return b.String()
}
