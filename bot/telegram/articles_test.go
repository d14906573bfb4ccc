package telegram

import (
	"os"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"

	"herald/alerts/alertstest"
	"herald/bot"
	"herald/bot/telegram/telegramtest"
)

// TestArticleAlertsGolden renders the alerts of real articles (the seed and
// three of our own) and checks them against golden files and the strict fake.
func TestArticleAlertsGolden(t *testing.T) {
	e := newEnv(t)
	e.fake.AddChat(telegramtest.Chat{ID: 42})
	for _, art := range alertstest.Articles(t) {
		t.Run(art.Name, func(t *testing.T) {
			html, text := format(bot.AlertMessage(art.Alert, time.UTC), MaxLength)
			golden := filepath.Join("testdata", art.Name+".golden")
			if *updateGolden {
				if err := os.WriteFile(golden, []byte(html+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./bot/telegram -update to create it)", err)
			}
			if html+"\n" != string(want) {
				t.Errorf("HTML mismatch (go test ./bot/telegram -update rewrites it)\n--- got\n%s\n--- want\n%s", html, want)
			}
			if n := utf8.RuneCountInString(text); n > MaxLength {
				t.Errorf("%d characters after parsing, over %d", n, MaxLength)
			}
			a := art.Alert
			a.Destination = dest("42")
			if err := e.client.Send(t.Context(), a); err != nil {
				t.Errorf("the strict fake refused the alert: %v", err)
			}
		})
	}
}
