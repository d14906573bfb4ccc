package summary

import "testing"

// TestLeadLanguages checks datelines and abbreviations in the languages of
// lang/*.txt: no dateline starts a lead, and no abbreviation ends a sentence.
func TestLeadLanguages(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"uk dateline", "Київ, 3 квітня (Укрінформ) – Україна не погодиться на заморожування війни, заявив міністр.",
			"Україна не погодиться на заморожування війни, заявив міністр."},
		{"ru dateline without agency", "Москва, 12 марта — Бывший главный редактор рассказал о давлении на редакцию.",
			"Бывший главный редактор рассказал о давлении на редакцию."},
		{"cs dateline", "Praha, 14. října (ČTK) – Pražská zoo otevře nový pavilon později, než plánovala.",
			"Pražská zoo otevře nový pavilon později, než plánovala."},
		{"pt dateline", "LISBOA, 7 de junho (Lusa) - O Governo vai reforçar os meios de combate aos incêndios.",
			"O Governo vai reforçar os meios de combate aos incêndios."},
		{"fr caps dateline", "BRUXELLES (AFP) - Les ministres se sont séparés mardi soir sans accord.",
			"Les ministres se sont séparés mardi soir sans accord."},
		{"en dateline", "KYIV, April 3 (Reuters) - Ukraine will not accept a frozen conflict, the minister said.",
			"Ukraine will not accept a frozen conflict, the minister said."},
		{"menafn", "date 2024-04-03 (MENAFN- UkrinForm) Ukraine will not accept a frozen conflict, the minister said.",
			"Ukraine will not accept a frozen conflict, the minister said."},
		{"de z. B.", "Netzbetreiber sollen z. B. Genehmigungen künftig digital beantragen können, sagt die Regierung in Berlin am Dienstag in einer langen Erklärung an die Presse. Das ist neu.",
			"Netzbetreiber sollen z. B. Genehmigungen künftig digital beantragen können, sagt die Regierung in Berlin am Dienstag in einer langen Erklärung an die Presse."},
		{"uk т. зв.", "Уряд запровадив т. зв. Бронювання працівників для підприємств оборонної галузі та критичної інфраструктури в усіх областях країни. Це нове рішення.",
			"Уряд запровадив т. зв. Бронювання працівників для підприємств оборонної галузі та критичної інфраструктури в усіх областях країни."},
		{"pl ul.", "Protest odbył się przy ul. Marszałkowskiej w Warszawie, gdzie zebrało się kilka tysięcy osób z całego kraju i z zagranicy, mimo deszczu. Policja nie interweniowała.",
			"Protest odbył się przy ul. Marszałkowskiej w Warszawie, gdzie zebrało się kilka tysięcy osób z całego kraju i z zagranicy, mimo deszczu."},
		{"pl S.A.", "Spółka Orlen S.A. Podała w piątek wyniki, które przekroczyły oczekiwania analityków rynku paliw w Polsce i w całym regionie Europy Środkowej. Akcje wzrosły.",
			"Spółka Orlen S.A. Podała w piątek wyniki, które przekroczyły oczekiwania analityków rynku paliw w Polsce i w całym regionie Europy Środkowej."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Lead("", tt.text); got != tt.want {
				t.Errorf("Lead\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestTitle checks that no dateline starts the title of a text article.
func TestTitle(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{" date 2024-04-03 (MENAFN- UkrinForm) NATO foreign ministers back Ukraine aid", "NATO foreign ministers back Ukraine aid"},
		{"KYIV, April 3 (Reuters) - Kuleba urges allies to speed up air defence", "Kuleba urges allies to speed up air defence"},
		{"BRUXELLES (AFP) - Pas d'accord sur les aides agricoles", "Pas d'accord sur les aides agricoles"},
		{"Київ, 3 квітня (Укрінформ) – Коваль закликав партнерів", "Коваль закликав партнерів"},
		{"  Grève des contrôleurs aériens : un vol sur trois annulé ", "Grève des contrôleurs aériens : un vol sur trois annulé"},
		{"(Reuters)", "(Reuters)"},
	} {
		if got := Title(c.in); got != c.want {
			t.Errorf("Title(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestLeadQuoteSentences checks that a lead does not end inside the
// quotation its first sentence opens.
func TestLeadQuoteSentences(t *testing.T) {
	text := "«Ми не відступимо. Жодних переговорів за нашими спинами не буде», — заявив Олег Коваль.\n\nВін додав, що партнери мають пришвидшити постачання."
	want := "«Ми не відступимо. Жодних переговорів за нашими спинами не буде», — заявив Олег Коваль."
	if got := Lead("", text); got != want {
		t.Errorf("Lead\n got %q\nwant %q", got, want)
	}
}
