package bot_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"herald/alerts"
	"herald/bot"
	"herald/news"
	"herald/rules"
)

// chanSender reports each alert it is given on a channel.
type chanSender chan news.Alert

func (c chanSender) Send(_ context.Context, a news.Alert) error { c <- a; return nil }

// BenchmarkIngestToSent measures the latency from the moment the watchers
// hand over a fetched item to the moment the platform adapter has it: match,
// summarise, store with its outbox row, wake the dispatcher, send, mark sent.
//
//	go test ./bot -run '^$' -bench BenchmarkIngestToSent
func BenchmarkIngestToSent(b *testing.B) {
	db := openStore(b)
	set, err := rules.Compile([]rules.Rule{{Name: "nuc", Query: "@nuc"}}, []rules.Entity{{ID: "nuc", Name: "NATO-Ukraine Council"}})
	if err != nil {
		b.Fatal(err)
	}
	dest := news.Destination{Platform: news.Telegram, Chat: "1"}
	p := alerts.New(db, &alerts.Topics{Set: set, Notify: map[string][]news.Destination{"nuc": {dest}}}, nil, nil)
	wake := make(chan struct{}, 1)
	p.Notify = func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	got := make(chanSender, 1)
	d := bot.NewDispatcher(db, map[news.Platform]bot.Sender{news.Telegram: got}, nil, nil, 1)
	d.SetLimits(news.Telegram, bot.Limits{}) // latency, not pacing
	ctx, cancel := context.WithCancel(b.Context())
	defer cancel()
	go d.Run(ctx, wake, time.Hour)
	feed := news.Feed{Name: "wire", Backfill: time.Hour}
	body := "<p>Ministers met in the NATO-Ukraine Council on Tuesday. “We need dates, not declarations,” said Andriy Sokil.</p>"
	b.ResetTimer()
	var worst time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		it := news.Item{ID: fmt.Sprint("i", i), Title: fmt.Sprintf("NATO-Ukraine Council meets, update %d", i), Content: body, Published: time.Now(), Link: fmt.Sprintf("https://wire.example/%d", i)}
		if _, err := p.Ingest(ctx, feed, []news.Item{it}, false); err != nil {
			b.Fatal(err)
		}
		<-got
		worst = max(worst, time.Since(start))
	}
	b.ReportMetric(float64(worst.Microseconds()), "worst-µs")
}
