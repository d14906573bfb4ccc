package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Rate is a message rate written "N/s", "N/min" or "N/h" ("1/s", "20/min");
// "off" (or 0) removes the limit.
type Rate struct {
	// N messages per Per; N == 0 means unlimited.
	N   int
	Per time.Duration
}

// UnmarshalYAML reads a rate from a scalar.
func (r *Rate) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseRate(n.Value)
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// ParseRate reads "N/s", "N/min", "N/h", or "off"/"0" for no limit.
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	if s == "off" || s == "0" {
		return Rate{}, nil
	}
	num, unit, ok := strings.Cut(s, "/")
	n, err := strconv.Atoi(strings.TrimSpace(num))
	if !ok || err != nil || n <= 0 {
		return Rate{}, fmt.Errorf("bad rate %q: write it like 1/s, 20/min or 100/h, or off", s)
	}
	per := map[string]time.Duration{"s": time.Second, "sec": time.Second, "min": time.Minute, "m": time.Minute, "h": time.Hour}[strings.TrimSpace(unit)]
	if per == 0 {
		return Rate{}, fmt.Errorf("bad rate %q: the unit after / is s, min or h", s)
	}
	return Rate{N: n, Per: per}, nil
}

// String writes the rate back as the config would.
func (r Rate) String() string {
	if r.N == 0 {
		return "off"
	}
	unit := map[time.Duration]string{time.Second: "s", time.Minute: "min", time.Hour: "h"}[r.Per]
	return fmt.Sprintf("%d/%s", r.N, unit)
}

// Rates is the rate: section of a platform: how fast herald posts there.
// Keys left out keep herald's defaults, which follow the platform's
// documented limits.
type Rates struct {
	// Chat limits each chat or channel.
	Chat *Rate `yaml:"chat"`
	// Burst is how many messages a quiet chat may get at once.
	Burst int `yaml:"burst"`
	// Group limits each Telegram group or channel, on top of Chat.
	Group *Rate `yaml:"group"`
	// GroupBurst is how many messages a quiet Telegram group may get at
	// once (default 3); the group rate still holds in every window.
	GroupBurst int `yaml:"group_burst"`
	// Global limits the platform as a whole.
	Global *Rate `yaml:"global"`
	place
}

// Alerts is the alerts: section: what an alert shows.
type Alerts struct {
	// Timezone is the IANA zone of the dates in alerts and replies
	// ("today 15:11 UTC"); UTC when empty.
	Timezone string `yaml:"timezone"`
	// Quotes is how many direct quotes an alert carries at most (default 2;
	// 0: none).
	Quotes *int `yaml:"quotes"`
	// QuoteMax is how many characters a quote may have before it is cut
	// with "…" (default 280).
	QuoteMax *int `yaml:"quote_max"`
	place
}

// Location returns the alerts' time zone (UTC when unset or invalid, which
// Validate reports).
func (a Alerts) Location() *time.Location {
	if l, err := time.LoadLocation(a.Timezone); err == nil && a.Timezone != "" {
		return l
	}
	return time.UTC
}

// Digest is the digest: section.
type Digest struct {
	// Threshold: when more alerts than this wait for one destination at
	// once, they are sent as digests, one line per alert. 0 turns digests off.
	Threshold *int `yaml:"threshold"`
	// Timezone is the IANA zone of rules' "daily HH:MM" digests (default UTC).
	Timezone string `yaml:"timezone"`
	place
}
