package bot

import "time"

// When writes t as alerts and replies show every time: the day relative to
// now when it is near ("today 15:11 UTC", "yesterday 09:30 UTC", "tomorrow
// 08:00 UTC"), else the weekday and date ("Mon 7 Dec 15:11 UTC"), with the
// year only when it is not now's, all in loc (nil: UTC). With a zero now
// the date is written in full, year and all.
func When(t, now time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	if now.IsZero() {
		return t.Format("Mon 2 Jan 2006 15:04 MST")
	}
	now = now.In(loc)
	clock := t.Format("15:04 MST")
	switch days(t) - days(now) {
	case 0:
		return "today " + clock
	case -1:
		return "yesterday " + clock
	case 1:
		return "tomorrow " + clock
	}
	if t.Year() == now.Year() {
		return t.Format("Mon 2 Jan ") + clock
	}
	return t.Format("Mon 2 Jan 2006 ") + clock
}

// days numbers t's calendar day in its own zone.
func days(t time.Time) int {
	y, m, d := t.Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}
