package news

import (
	"testing"
	"time"
)

func TestBatch(t *testing.T) {
	brussels, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Skip("no time zone data")
	}
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		spec string
		now  string
		want string
	}{
		{"10m", "2026-11-20T09:03:10Z", "2026-11-20T09:10:00Z"},
		{"10m", "2026-11-20T09:10:00Z", "2026-11-20T09:20:00Z"},
		{"2h", "2026-11-20T09:03:00Z", "2026-11-20T10:00:00Z"},
		{"daily 08:00", "2026-11-20T06:59:00Z", "2026-11-20T07:00:00Z"}, // 08:00 in Brussels is 07:00 UTC in winter
		{"daily 08:00", "2026-11-20T07:00:00Z", "2026-11-21T07:00:00Z"},
		{"daily 08:00", "2026-07-01T12:00:00Z", "2026-07-02T06:00:00Z"}, // summer time
	}
	for _, c := range cases {
		t.Run(c.spec+"@"+c.now, func(t *testing.T) {
			b, err := ParseBatch(c.spec, brussels)
			if err != nil {
				t.Fatal(err)
			}
			if got := b.Next(at(c.now)); !got.Equal(at(c.want)) {
				t.Errorf("Next(%s) = %s, want %s", c.now, got.UTC().Format(time.RFC3339), c.want)
			}
		})
	}
	for _, bad := range []string{"daily 8", "daily 25:00", "daily 08:5", "30s", "2d", "soon"} {
		if _, err := ParseBatch(bad, time.UTC); err == nil {
			t.Errorf("ParseBatch(%q) accepted", bad)
		}
	}
}
