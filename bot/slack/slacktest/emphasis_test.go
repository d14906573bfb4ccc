package slacktest

import (
	"slices"
	"testing"
)

func TestEmphasis(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"*bold* and _it_ and ~s~ and `c`", []string{"*bold*", "_it_", "~s~", "`c`"}},
		{"*<https://x.example|Breaking *now*>*", []string{"*Breaking *now**"}},
		{"a*b*c snake_case_name", nil},
		{"5 * 3 * 2", nil},
		{"* not bold *", nil},
		{"*one\ntwo*", nil},
		{"(*in parens*)", []string{"*in parens*"}},
		{"\u200b*\u200bfenced\u200b*\u200b", nil},
		{"*title with \u200b_\u200bfenced\u200b_\u200b inside*", []string{"*title with _fenced_ inside*"}},
	}
	for _, tt := range tests {
		r := Inspect(tt.in)
		if !slices.Equal(r.Emphasis, tt.want) {
			t.Errorf("Inspect(%q).Emphasis = %q, want %q", tt.in, r.Emphasis, tt.want)
		}
	}
}
