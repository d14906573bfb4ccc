package news

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Batch is a rule's digest schedule: its alerts wait and go together as one
// digest per destination, every Every (aligned to the clock: "10m" sends at
// :00, :10, :20 …) or daily at a time of day in Loc.
type Batch struct {
	Every time.Duration
	// Daily, when set, sends once a day at Hour:Minute in Loc.
	Daily        bool
	Hour, Minute int
	Loc          *time.Location
}

// ParseBatch reads a rule's digest: value: a duration such as "10m" or "2h",
// or "daily HH:MM". loc is the time zone of daily times.
func ParseBatch(s string, loc *time.Location) (Batch, error) {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "daily"); ok {
		hh, mm, ok := strings.Cut(strings.TrimSpace(rest), ":")
		h, err1 := strconv.Atoi(hh)
		m, err2 := strconv.Atoi(mm)
		if !ok || err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 || len(mm) != 2 {
			return Batch{}, fmt.Errorf("bad digest %q: write the time as daily HH:MM, such as daily 08:00", s)
		}
		return Batch{Daily: true, Hour: h, Minute: m, Loc: loc}, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < time.Minute || d > 24*time.Hour {
		return Batch{}, fmt.Errorf("bad digest %q: write a period from 1m to 24h such as 10m, or daily HH:MM", s)
	}
	return Batch{Every: d}, nil
}

// Next returns when an alert queued at now goes out: the end of its window.
func (b Batch) Next(now time.Time) time.Time {
	if b.Daily {
		loc := b.Loc
		if loc == nil {
			loc = time.UTC
		}
		t := now.In(loc)
		at := time.Date(t.Year(), t.Month(), t.Day(), b.Hour, b.Minute, 0, 0, loc)
		if !at.After(t) {
			at = time.Date(t.Year(), t.Month(), t.Day()+1, b.Hour, b.Minute, 0, 0, loc)
		}
		return at
	}
	if b.Every <= 0 {
		return now
	}
	return now.Truncate(b.Every).Add(b.Every)
}

// String writes the schedule as the config does.
func (b Batch) String() string {
	if b.Daily {
		return fmt.Sprintf("daily %02d:%02d", b.Hour, b.Minute)
	}
	return b.Every.String()
}
