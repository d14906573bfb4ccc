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
	return c.count(ctx, c.Sender.Send(ctx, a))
}

// count counts the outcome of one send and returns err.
func (c counting) count(ctx context.Context, err error) error {
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

// countingEdits is countingDigests for a sender that also edits its
// messages ("also: …"); edits are not deliveries and are not counted.
type countingEdits struct {
	countingDigests
	ed bot.Editor
}

func (c countingEdits) Post(ctx context.Context, a news.Alert) (string, error) {
	ref, err := c.ed.Post(ctx, a)
	return ref, c.count(ctx, err)
}

func (c countingEdits) Edit(ctx context.Context, ref string, a news.Alert) error {
	return c.ed.Edit(ctx, ref, a)
}

// Sender wraps s so that every delivery to platform is counted in
// herald_deliveries_total. The wrapper is a bot.DigestSender when s is one,
// so the dispatcher still sends digests through it, and a bot.Editor too
// when s is both. Sends cut short by shutdown are not counted.
func (m *Metrics) Sender(platform news.Platform, s bot.Sender) bot.Sender {
	c := counting{Sender: s, m: m, platform: platform}
	ds, digests := s.(bot.DigestSender)
	if !digests {
		return c
	}
	if ed, ok := s.(bot.Editor); ok {
		return countingEdits{countingDigests: countingDigests{counting: c, ds: ds}, ed: ed}
	}
	return countingDigests{counting: c, ds: ds}
}
