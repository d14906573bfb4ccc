package console

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"herald/alerts/alertstest"
	"herald/news"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// sampleAlert is the adapters' shared sample alert (alertstest.Sample),
// with a third hit, so that hits of one term in one field read as a list.
func sampleAlert() news.Alert {
	a := alertstest.Sample(news.Destination{Platform: news.Console})
	a.Hits = append(a.Hits, news.Hit{Term: "@nuc", Field: "text", Text: "NATO-Ukraine Council"})
	return a
}

func TestFormatGolden(t *testing.T) {
	cases := []struct {
		name  string
		alert news.Alert
	}{
		{"full", sampleAlert()},
		{"bare", news.Alert{Rule: "r", Feed: "f", Title: "Only a title"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Format(tc.alert, time.UTC, false)
			golden := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./bot/console -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("Format mismatch (go test ./bot/console -update rewrites it)\n--- got\n%s--- want\n%s", got, want)
			}
			for i, line := range strings.Split(got, "\n") {
				if n := len([]rune(line)); n > Width && !strings.Contains(line, "https://") {
					t.Errorf("line %d is %d columns wide, over %d: %q", i+1, n, Width, line)
				}
			}
		})
	}
}

func TestSendNoColorWhenNotTerminal(t *testing.T) {
	var buf bytes.Buffer
	c := New(&buf, time.UTC)
	if err := c.Send(context.Background(), sampleAlert()); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "\x1b[") {
		t.Errorf("ANSI escapes written to a non-terminal:\n%q", buf.String())
	}
	if !strings.Contains(buf.String(), "— Ilse Marander") {
		t.Errorf("speaker missing:\n%s", buf.String())
	}
}

func TestFormatColor(t *testing.T) {
	got := Format(sampleAlert(), time.UTC, true)
	if !strings.Contains(got, bold) || !strings.Contains(got, reset) {
		t.Errorf("colour requested but no ANSI bold in:\n%q", got)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestSendWriteError(t *testing.T) {
	err := New(failWriter{}, time.UTC).Send(context.Background(), sampleAlert())
	if err == nil || !strings.Contains(err.Error(), "console: write alert") {
		t.Fatalf("err = %v, want a console write error", err)
	}
}

// A quote keeps the article's own marks on the console too; a quote without
// them is shown in “ ”.
func TestFormatKeepsQuoteMarks(t *testing.T) {
	a := alertstest.Sample(news.Destination{Platform: news.Console})
	a.Quotes = []news.Quote{
		{Text: "Nous irons", Speaker: "Claire Dubois", Open: "« ", Close: " »"},
		{Text: "We go", Speaker: "Ann Lee"},
	}
	out := Format(a, time.UTC, false)
	for _, want := range []string{"│ « Nous irons »", "│ “We go”"} {
		if !strings.Contains(out, want) {
			t.Errorf("console alert lacks %q:\n%s", want, out)
		}
	}
}
