package metrics

import (
	"context"

	"herald/bot"
	"herald/news"
)

// counting is a bot.Sender that counts the outcome of each send.
type counting struct {
	bot.Sender
	m        *Metrics
	platform news.Platform
}

func (c counting) Send(ctx context.Context, a news.Alert) error {
	err := c.Sender.Send(ctx, a)
	if ctx.Err() == nil || err == nil {
		c.m.Delivered(c.platform, outcomeOf(err), 1)
	}
	return err
}

// countingDigests is counting for a sender that also sends digests.
type countingDigests struct {
	counting
	ds bot.DigestSender
}

func (c countingDigests) SendDigest(ctx context.Context, dest news.Destination, alerts []news.Alert) (int, error) {
	n, err := c.ds.SendDigest(ctx, dest, alerts)
	switch {
	case err == nil:
		c.m.Delivered(c.platform, DeliverySent, n)
	case ctx.Err() == nil:
		c.m.Delivered(c.platform, outcomeOf(err), len(alerts))
	}
	return n, err
}

// Sender wraps s so that every delivery to platform is counted in
// herald_deliveries_total. The wrapper is a bot.DigestSender when s is one,
// so the dispatcher still sends digests through it. Sends cut short by
// shutdown are not counted.
func (m *Metrics) Sender(platform news.Platform, s bot.Sender) bot.Sender {
	c := counting{Sender: s, m: m, platform: platform}
	if ds, ok := s.(bot.DigestSender); ok {
		return countingDigests{counting: c, ds: ds}
	}
	return c
}
