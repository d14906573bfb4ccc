package slack

import (
	"os"
	"path/filepath"
	"testing"

	"herald/alerts/alertstest"
)

// TestArticleAlertsGolden renders the alerts of real articles (the seed and
// three of our own) as Block Kit and checks them against golden files and
// Slack's rules.
func TestArticleAlertsGolden(t *testing.T) {
	for _, art := range alertstest.Articles(t) {
		t.Run(art.Name, func(t *testing.T) {
			a := art.Alert
			a.Destination = dest(newsChannel)
			r := renderAlert(a, nil)
			got := dump(t, r)
			path := filepath.Join("testdata", art.Name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./bot/slack -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("rendering differs from %s (go test ./bot/slack -update rewrites it):\n%s", path, got)
			}
			checkValid(t, r, linkTo(a.Link))
		})
	}
}
