package fuzzy

import "testing"

func TestDistance(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"feeds", "feeds", 0},
		{"feedz", "feeds", 1},
		{"intervall", "interval", 1},
		{"databse", "database", 1},
		{"natoo", "nato-ukraine", 8},
		{"grève", "greve", 1},
		{"", "abc", 3},
	}
	for _, c := range cases {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := Distance(c.b, c.a); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d (symmetric)", c.b, c.a, got, c.want)
		}
	}
}

func TestSwaps(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"ukriane", "ukraine", 1},
		{"ab", "ba", 1},
		{"natoo", "nato", 1},
		{"feedz", "feeds", 1},
		{"ca", "abc", 3},
		{"grève", "gerve", 2},
	}
	for _, c := range cases {
		if got := Swaps(c.a, c.b); got != c.want {
			t.Errorf("Swaps(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := Distance(c.a, c.b); got < Swaps(c.a, c.b) {
			t.Errorf("Distance(%q, %q) = %d is below Swaps", c.a, c.b, got)
		}
	}
}
