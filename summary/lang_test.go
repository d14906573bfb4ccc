package summary

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLanguage measures Language on the articles of the labelled set (each
// file under testdata/ml, fresh and fresh2 starts with its language code), on their
// paragraphs one by one (short texts are harder), and on a few cases of its
// own.
func TestLanguage(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "ml", "*.txt"))
	fresh, _ := filepath.Glob(filepath.Join("testdata", "fresh", "*.txt"))
	fresh2, _ := filepath.Glob(filepath.Join("testdata", "fresh2", "*.txt"))
	files = append(append(files, fresh...), fresh2...)
	if err != nil || len(files) == 0 {
		t.Fatalf("no articles in testdata/ml: %v", err)
	}
	articles, articleOK, paras, paraOK := 0, 0, 0, 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want, _, _ := strings.Cut(filepath.Base(f), "-")
		articles++
		if got := Language(string(b)); got == want {
			articleOK++
		} else {
			t.Errorf("%s: Language = %q, want %q", f, got, want)
		}
		for _, p := range paragraphs(string(b)) {
			if runeLen(p) < 80 {
				continue
			}
			paras++
			if got := Language(p); got == want {
				paraOK++
			} else {
				t.Logf("%s: paragraph %q: %q, want %q", f, p[:min(len(p), 60)], got, want)
			}
		}
	}
	t.Logf("articles %d/%d, paragraphs of 80+ characters %d/%d (%.3f)", articleOK, articles, paraOK, paras, float64(paraOK)/float64(paras))
	if float64(paraOK) < 0.9*float64(paras) {
		t.Errorf("paragraph accuracy %d/%d, goal 0.90", paraOK, paras)
	}
	for _, c := range []struct{ text, want string }{
		{"", ""},
		{"OK", ""},
		{"NATO foreign ministers met in Brussels on Tuesday and said that the alliance would stay the course.", "en"},
		{"Ministři zahraničí NATO se v úterý sešli v Bruselu a řekli, že aliance vytrvá.", "cs"},
		{"Ministrowie spraw zagranicznych NATO spotkali się we wtorek w Brukseli i powiedzieli, że sojusz wytrwa.", "pl"},
	} {
		if got := Language(c.text); got != c.want {
			t.Errorf("Language(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

// TestLoadLang checks that a bad word list says where it is wrong.
func TestLoadLang(t *testing.T) {
	err := loadLang("xx", "[verbs]\nsaid:q\n")
	delete(languages, "xx")
	if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), ":q") {
		t.Errorf("loadLang with a bad mark: %v, want an error naming line 2 and the mark", err)
	}
	err = loadLang("xx", "[nouns]\nx\n")
	delete(languages, "xx")
	if err == nil || !strings.Contains(err.Error(), "[nouns]") {
		t.Errorf("loadLang with an unknown section: %v", err)
	}
}

// TestNominative checks the genitive endings of the Slavic word lists on
// names herald may only ever see after "за словами", "по словам", "według"
// or "podle".
func TestNominative(t *testing.T) {
	for _, c := range []struct{ lang, in, want string }{
		{"uk", "Андрія Лисенка", "Андрій Лисенко"},
		{"uk", "Олега Коваля", "Олег Коваль"},
		{"uk", "Оксани Лук'яненко", "Оксана Лук'яненко"},
		{"ru", "Сергея Волкова", "Сергей Волков"},
		{"ru", "Елены Морозовой", "Елена Морозова"},
		{"pl", "Piotra Zielińskiego", "Piotr Zieliński"},
		{"pl", "Anny Nowak", "Anna Nowak"},
		{"cs", "Evy Králové", "Eva Králová"},
		{"cs", "Petra Nováka", "Petr Novák"},
		{"de", "Olaf Scholz", "Olaf Scholz"},
	} {
		r := &resolver{lang: c.lang}
		if got := r.nominative(c.in); got != c.want {
			t.Errorf("%s: nominative(%q) = %q, want %q", c.lang, c.in, got, c.want)
		}
	}
}

// TestFunctionWordNames checks that the function words of the word lists
// do not cut names that are function words elsewhere.
func TestFunctionWordNames(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"Alibaba founder Jack Ma spoke in Hangzhou. “We will grow,” Ma said.", "Jack Ma"},
		{"“The film is finished,” said Will Smith.", "Will Smith"},
		{"“We won the cup,” said Per Olsson, the coach.", "Per Olsson"},
		{"Коли журналісти запитали про обмін, Мельник відповіла: «Переговори тривають, але дат немає».", "Мельник"},
	} {
		qs := Quotes(c.text)
		if len(qs) != 1 || qs[0].Speaker != c.want {
			t.Errorf("Quotes(%q) = %+v, want one quote by %s", c.text, qs, c.want)
		}
	}
}
