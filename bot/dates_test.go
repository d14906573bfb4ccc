package bot

import (
	"testing"
	"time"
)

func TestWhen(t *testing.T) {
	brussels, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Skip("no time zone data")
	}
	now := time.Date(2026, 12, 7, 15, 30, 0, 0, time.UTC) // a Monday
	for _, tc := range []struct {
		t    time.Time
		loc  *time.Location
		want string
	}{
		{now.Add(-19 * time.Minute), nil, "today 15:11 UTC"},
		{time.Date(2026, 12, 6, 9, 30, 0, 0, time.UTC), time.UTC, "yesterday 09:30 UTC"},
		{time.Date(2026, 12, 8, 8, 0, 0, 0, time.UTC), time.UTC, "tomorrow 08:00 UTC"},
		{time.Date(2026, 12, 1, 7, 5, 0, 0, time.UTC), time.UTC, "Tue 1 Dec 07:05 UTC"},
		{time.Date(2025, 12, 7, 7, 5, 0, 0, time.UTC), time.UTC, "Sun 7 Dec 2025 07:05 UTC"},
		// 23:30 UTC on the 6th is already the 7th in Brussels: today there.
		{time.Date(2026, 12, 6, 23, 30, 0, 0, time.UTC), brussels, "today 00:30 CET"},
		{time.Date(2026, 12, 6, 22, 30, 0, 0, time.UTC), brussels, "yesterday 23:30 CET"},
		{time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC), brussels, "Wed 1 Jul 14:00 CEST"},
	} {
		if got := When(tc.t, now, tc.loc); got != tc.want {
			t.Errorf("When(%s) = %q, want %q", tc.t, got, tc.want)
		}
	}
	if got := When(now, time.Time{}, nil); got != "Mon 7 Dec 2026 15:30 UTC" {
		t.Errorf("without now: %q", got)
	}
}
