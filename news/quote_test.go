package news

import "testing"

func TestQuoteMarks(t *testing.T) {
	tests := []struct {
		name        string
		q           Quote
		open, close string
	}{
		{"guillemets kept", Quote{Open: "« ", Close: " »"}, "« ", " »"},
		{"low-high kept", Quote{Open: "„", Close: "“"}, "„", "“"},
		{"none: curly", Quote{}, "“", "”"},
		{"only one side: curly", Quote{Open: "«"}, "“", "”"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			open, close := tt.q.Marks()
			if open != tt.open || close != tt.close {
				t.Errorf("Marks() = %q, %q; want %q, %q", open, close, tt.open, tt.close)
			}
		})
	}
}
