package rules

import (
	"fmt"
	"strings"
	"testing"
)

// spans writes tokens as "norm=original" so a failure shows both the folding
// and the offsets.
func spans(s string, toks []Token) string {
	parts := make([]string, len(toks))
	for i, t := range toks {
		parts[i] = fmt.Sprintf("%s=%s", t.Norm, s[t.Start:t.End])
	}
	return strings.Join(parts, " ")
}

func TestTokenize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"hyphen", "NATO-Ukraine Council", "nato=NATO ukraine=Ukraine council=Council"},
		{"en dash", "NATO–Ukraine", "nato=NATO ukraine=Ukraine"},
		{"em dash with spaces", "NATO — Ukraine", "nato=NATO ukraine=Ukraine"},
		{"non-breaking hyphen", "NATO\u2011Ukraine", "nato=NATO ukraine=Ukraine"},
		{"line break", "NATO\nUkraine\r\nCouncil", "nato=NATO ukraine=Ukraine council=Council"},
		{"slash", "CDU/CSU", "cdu=CDU csu=CSU"},
		{"digits", "F-16 on 2024-04-03", "f=F 16=16 on=on 2024=2024 04=04 03=03"},
		{"curly possessive", "NATO’s role", "nato=NATO role=role"},
		{"straight possessive upper case", "NATO'S ROLE", "nato=NATO role=ROLE"},
		{"modifier letter apostrophe", "NATOʼs", "nato=NATO"},
		{"acute accent as apostrophe", "NATO´s", "nato=NATO"},
		{"left quote as apostrophe", "NATO‘s", "nato=NATO"},
		{"possessive at end of sentence", "the Alliance's.", "the=the alliance=Alliance"},
		{"plural possessive", "allies' aid", "allies=allies aid=aid"},
		{"apostrophe inside a word splits", "don't", "don=don t=t"},
		{"apostrophe then ss is not possessive", "x'ss", "x=x ss=ss"},
		{"quoted s is not possessive", "'s", "s=s"},
		{"plural stays", "NATOs", "natos=NATOs"},
		{"polish l", "Radosław", "radoslaw=Radosław"},
		{"turkish g", "Erdoğan", "erdogan=Erdoğan"},
		{"dotted capital I", "İstanbul", "istanbul=İstanbul"},
		{"dotless i", "KIRIKKALE kırıkkale", "kirikkale=KIRIKKALE kirikkale=kırıkkale"},
		{"umlaut", "Zürich", "zurich=Zürich"},
		{"decomposed umlaut", "Zu\u0308rich", "zurich=Zu\u0308rich"},
		{"sharp s", "Straße STRASSE", "strasse=Straße strasse=STRASSE"},
		{"nordic and ligatures", "Øresund Æsir œuvre Þór Đoković", "oresund=Øresund aesir=Æsir oeuvre=œuvre thor=Þór dokovic=Đoković"},
		{"compatibility forms", "ﬁnance ＮＡＴＯ", "finance=ﬁnance nato=ＮＡＴＯ"},
		{"greek final sigma", "ΣΟΦΟΣ σοφός", "σοφοσ=ΣΟΦΟΣ σοφοσ=σοφός"},
		{"soft hyphen joins", "Zelen\u00adskyy", "zelenskyy=Zelen\u00adskyy"},
		{"zero-width characters join", "NA\u200bT\u200cO\u200d\u2060S\ufeff", "natos=NA\u200bT\u200cO\u200d\u2060S"},
		{"entity dash", "NATO&#8211;Ukraine", "nato=NATO ukraine=Ukraine"},
		{"hex entity dash", "NATO&#x2014;Ukraine", "nato=NATO ukraine=Ukraine"},
		{"named entity letter", "Caf&eacute; &amp; bar", "cafe=Caf&eacute; bar=bar"},
		{"entity apostrophe possessive", "NATO&rsquo;s", "nato=NATO"},
		{"entity soft hyphen", "Zelen&shy;skyy", "zelenskyy=Zelen&shy;skyy"},
		{"bare ampersand", "AT&T", "at=AT t=T"},
		{"doubly escaped dash", "NATO&amp;#8211;Ukraine", "nato=NATO ukraine=Ukraine"},
		{"doubly escaped letter", "Caf&amp;eacute;", "cafe=Caf&amp;eacute;"},
		{"escaped ampersand before a word", "AT&amp;T", "at=AT t=T"},
		{"escaped ampersand before a bad entity", "x&amp;#zz; y", "x=x zz=zz y=y"},
		{"unknown entity is text", "&bogus; x", "bogus=bogus x=x"},
		{"unterminated entity", "&amp x", "amp=amp x=x"},
		{"han one word per character", "中国外交部", "中=中 国=国 外=外 交=交 部=部"},
		{"han next to latin", "G7峰会", "g7=G7 峰=峰 会=会"},
		{"kana voicing mark stays with its character", "か\u3099き", "か\u3099=か\u3099 き=き"},
		{"devanagari vowel signs stay in the word", "भारत", "भारत=भारत"},
		{"fraction is one word", "¾0 ½", "340=¾0 12=½"},
		{"care-of sign is one word", "℅ x", "co=℅ x=x"},
		{"parenthesised ideograph", "㈱x", "株=㈱ x=x"},
		{"ideographs of one character stay together", "㍻", "平成=㍻"},
		{"invalid utf-8 separates", "ab\xffcd", "ab=ab cd=cd"},
		{"nothing", " \t–—/.,", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := spans(tt.in, Tokenize(tt.in)); got != tt.want {
				t.Errorf("Tokenize(%q)\n got %s\nwant %s", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"NATO’s", "Zu\u0308rich &#8211; x", "&amp;&#0;&#x110000;", "中国G7", "a'S'", "\u00ad\u200b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		end := 0
		for _, tok := range Tokenize(s) {
			if tok.Norm == "" || tok.Start < end || tok.End <= tok.Start || tok.End > len(s) {
				t.Fatalf("Tokenize(%q): bad token %+v after offset %d", s, tok, end)
			}
			end = tok.End
		}
	})
}

func TestAppendCased(t *testing.T) {
	tests := []struct{ in, want string }{
		{"US", "US"},
		{"us", "us"},
		{"Zürich", "Zurich"},
		{"ŁÓDŹ", "LODZ"},
		{"Straße", "Strasse"},
		{"STRAẞE", "STRASSE"},
		{"Zelen\u00adskyy", "Zelenskyy"},
		{"Caf&eacute;", "Cafe"},
		{"ＮＡＴＯ", "NATO"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := string(appendCased(nil, tt.in)); got != tt.want {
				t.Errorf("appendCased(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
