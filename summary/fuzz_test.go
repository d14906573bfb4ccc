package summary

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzSummary checks that no input makes the package panic and that the
// limits hold for any text.
func FuzzSummary(f *testing.F) {
	for _, s := range []string{
		"“In our meeting today,\n\nwe agreed,” said Stoltenberg.",
		"<p>&amp;#8220;Hi,&amp;#8221; he said.</p><br><div class=share>x</div>",
		"KYIV, April 3 — By Jane Doe \"a 'b' c\" ‘d’ « e » „f“ Mr. U.S. p.m.",
		"\"\"\"''' “ ” ‘ ’ « » „ “",
		"said: “", "a-t-il", "l’", "Dr.", "..." + strings.Repeat("x", 400),
		"— Не можу, — сказала вона. — Ні.", "Так. – Tak – mówi pani Halina, – a", "—¿Y? —le preguntamos.",
		"«a «b» c", "« Nous irons, affirme-t-elle. Et vite. »", "»Mit«", "„a ‚b‘ c“ – dodała.",
		"Київ, 3 квітня (Укрінформ) – «Ми», — заявив Олег Коваль.", ", — ", "«, —»",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		text := PlainText(s)
		if !utf8.ValidString(s) {
			return
		}
		if lead := Lead(s, text); runeLen(lead) > LeadMax {
			t.Fatalf("lead of %d characters", runeLen(lead))
		}
		qs := Quotes(text)
		for _, q := range Pick(qs, nil, 3) {
			if runeLen(q.Text) > QuoteMax {
				t.Fatalf("picked quote of %d characters", runeLen(q.Text))
			}
		}
		Quotes(s)
	})
}
