package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Duration is a length of time written the Go way ("90s", "5m", "1h30m") or
// with days and weeks ("7d", "2w"). The word "all" means unbounded, which
// only makes sense for backfill.
type Duration time.Duration

// Forever is what "all" reads as: longer than any feed has existed.
const Forever = Duration(math.MaxInt64)

// UnmarshalYAML reads a duration from a scalar.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("expected a duration such as 5m, 2h or 7d")
	}
	v, err := ParseDuration(n.Value)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// String prints the duration the way the config would write it.
func (d Duration) String() string {
	if d == Forever {
		return "all"
	}
	td := time.Duration(d)
	if td >= 24*time.Hour && td%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(td/(24*time.Hour)), 10) + "d"
	}
	return td.String()
}

// ParseDuration reads "all", a Go duration, or a whole number of days ("7d")
// or weeks ("2w"), possibly followed by a Go duration ("1d12h").
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	if s == "all" {
		return Forever, nil
	}
	if s == "0" {
		return 0, nil
	}
	var total time.Duration
	rest := s
	for _, unit := range []struct {
		suffix string
		size   time.Duration
	}{{"w", 7 * 24 * time.Hour}, {"d", 24 * time.Hour}} {
		i := strings.Index(rest, unit.suffix)
		if i <= 0 {
			continue
		}
		n, err := strconv.Atoi(rest[:i])
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bad duration %q: write it like 90s, 5m, 2h, 7d or 2w", s)
		}
		total += time.Duration(n) * unit.size
		rest = rest[i+1:]
	}
	if rest != "" {
		d, err := time.ParseDuration(rest)
		if err != nil {
			return 0, fmt.Errorf("bad duration %q: write it like 90s, 5m, 2h, 7d or 2w", s)
		}
		total += d
	}
	if total < 0 {
		return 0, fmt.Errorf("bad duration %q: it must not be negative", s)
	}
	return Duration(total), nil
}

// Size is a number of bytes, written as a plain number or with a unit:
// "512KiB", "10MiB", "1GiB" (KB/MB/GB are read as the same powers of two).
type Size int64

// UnmarshalYAML reads a size from a scalar.
func (z *Size) UnmarshalYAML(n *yaml.Node) error {
	s := strings.TrimSpace(n.Value)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v <= 0 {
		return fmt.Errorf("bad size %q: write a positive number of bytes, or with a unit such as 512KiB or 10MiB", n.Value)
	}
	*z = Size(v * mult)
	return nil
}
