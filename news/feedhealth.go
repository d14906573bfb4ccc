package news

import "time"

// DeadAfter is how long a feed must fail without a success before herald
// calls it dead: reported in status and, once, to the admin chat.
const DeadAfter = 24 * time.Hour

// Health is how a feed is doing, as `herald feeds`, /feeds and /status say it.
type Health string

// The health of a feed, from best to worst.
const (
	// HealthNew is a feed never polled.
	HealthNew Health = "new"
	// HealthOK is a feed whose last poll succeeded.
	HealthOK Health = "ok"
	// HealthThrottled is a feed whose server answered 429 or 503 and asked
	// herald to wait: not the feed's fault, and not counted towards dead.
	HealthThrottled Health = "throttled"
	// HealthFailing is a feed whose last poll failed.
	HealthFailing Health = "failing"
	// HealthDead is a feed failing for DeadAfter or longer.
	HealthDead Health = "dead"
	// HealthDisabled is a feed herald stopped polling (410 Gone).
	HealthDisabled Health = "disabled"
)

// HealthAt classifies the state at now.
func (s FeedState) HealthAt(now time.Time) Health {
	switch {
	case s.Disabled != "":
		return HealthDisabled
	case s.LastPoll.IsZero():
		return HealthNew
	case s.LastError == "":
		return HealthOK
	case !s.FailingSince.IsZero() && now.Sub(s.FailingSince) >= DeadAfter:
		return HealthDead
	case s.FailingSince.IsZero():
		return HealthThrottled
	}
	return HealthFailing
}
