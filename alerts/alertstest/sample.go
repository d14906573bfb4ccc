package alertstest

import (
	"time"

	"herald/news"
)

// Sample is the hand-written alert the adapters' rendering tests share: the
// bundled sample feed's NATO–Ukraine Council story with two quotes (one
// without a speaker) and hits in the title and across a line break, the
// entity named as the pipeline names it, to d.
func Sample(d news.Destination) news.Alert {
	return news.Alert{
		ID:          1,
		Destination: d,
		Rule:        "nato-ukraine",
		Feed:        "sample-wire",
		Title:       "NATO–Ukraine Council agrees to speed up air-defence deliveries before winter",
		Link:        "https://wire.example.org/2026/11/18/nuc-air-defence",
		Published:   time.Date(2026, 11, 18, 16, 40, 0, 0, time.UTC),
		Summary:     "Foreign ministers of the Alliance agreed on Wednesday to speed up deliveries of air-defence interceptors to Ukraine before the coldest months, after a meeting of the NATO-Ukraine Council in Brussels.",
		Quotes: []news.Quote{
			{Text: "Every interceptor that arrives in December protects a power station in January. We are not going to wait for the spring to act,", Speaker: "Ilse Marander"},
			{Text: "We need dates, not declarations."},
		},
		Hits: []news.Hit{
			{Term: "NATO-Ukraine Council", Field: "title", Text: "NATO–Ukraine Council"},
			{Term: "NATO-Ukraine Council", Field: "text", Text: "NATO-Ukraine\nCouncil"},
		},
	}
}
