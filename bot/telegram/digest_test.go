package telegram

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"herald/bot"
	"herald/bot/telegram/telegramtest"
	"herald/news"
)

func TestSendDigestFillsOneMessage(t *testing.T) {
	e := newEnv(t)
	e.fake.AddChat(telegramtest.Chat{ID: 42})
	var alerts []news.Alert
	for i := range 80 {
		alerts = append(alerts, news.Alert{
			Destination: dest("42"), Rule: "storm", Feed: "wire",
			Title: fmt.Sprintf("Storm update %02d: the coast road is closed <again> & the ferries wait", i),
			Link:  fmt.Sprintf("https://wire.example/%d?a=1&b=2", i),
		})
	}
	n, err := e.client.SendDigest(t.Context(), dest("42"), alerts)
	if err != nil {
		t.Fatal(err)
	}
	if n < 10 || n >= len(alerts) {
		t.Fatalf("one digest took %d of %d alerts; want as many as fit in 4096 characters", n, len(alerts))
	}
	sent := e.fake.SentTo(42)
	if len(sent) != 1 {
		t.Fatalf("%d messages, want 1", len(sent))
	}
	text := sent[0].Text
	if c := utf8.RuneCountInString(text); c > MaxLength {
		t.Errorf("digest is %d characters, over %d", c, MaxLength)
	}
	if !strings.HasPrefix(text, fmt.Sprintf("%d alerts", n)) || !strings.Contains(text, "Storm update 00: the coast road is closed <again> & the ferries wait — wire · storm") {
		t.Errorf("digest text:\n%s", text)
	}
	if strings.Contains(text, fmt.Sprintf("Storm update %02d", n)) {
		t.Errorf("the digest holds more than the %d alerts it reported", n)
	}
	// One more alert would not have fitted: the adapter took the most it could.
	if _, plain := render(bot.DigestMessage(alerts[:n+1])); utf8.RuneCountInString(plain) <= MaxLength {
		t.Errorf("%d alerts would have fitted too", n+1)
	}
}
