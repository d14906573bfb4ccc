package summary_test

import (
	"encoding/json"
	"fmt"

	"herald/news"
	"herald/summary"
)

func ExamplePlainText() {
	html := `<p><b>BRUSSELS (Reuters) -</b> NATO ministers met on Wednesday.</p>` +
		`<div class="share-tools">Share</div><p>&amp;#8220;We agreed,&amp;#8221; said Jens Stoltenberg.</p>`
	fmt.Printf("%q\n", summary.PlainText(html))
	// Output:
	// "BRUSSELS (Reuters) - NATO ministers met on Wednesday.\n\n“We agreed,” said Jens Stoltenberg."
}

func ExampleLead() {
	text := "BRUSSELS (Reuters) - NATO ministers met on Wednesday. They agreed to plan a mission for Ukraine.\n\n" +
		"Diplomats said the details would follow."
	fmt.Println(summary.Lead("NATO ministers meet", text))
	// Output:
	// NATO ministers met on Wednesday. They agreed to plan a mission for Ukraine.
}

func ExampleQuotes() {
	text := "NATO Secretary General Jens Stoltenberg spoke after the meeting.\n\n" +
		"“In our meeting today, we agreed to do more.\n\n" +
		"The details will follow,” said Stoltenberg.\n\n" +
		"“Ukraine can rely on NATO,” he added."
	b, _ := json.MarshalIndent(summary.Quotes(text), "", "  ")
	fmt.Println(string(b))
	// Output:
	// [
	//   {
	//     "text": "In our meeting today, we agreed to do more. The details will follow.",
	//     "speaker": "Jens Stoltenberg",
	//     "open": "“",
	//     "close": "”"
	//   },
	//   {
	//     "text": "Ukraine can rely on NATO.",
	//     "speaker": "Jens Stoltenberg",
	//     "open": "“",
	//     "close": "”"
	//   }
	// ]
}

func ExamplePick() {
	quotes := []news.Quote{
		{Text: "We will stand by Ukraine.", Speaker: "Jens Stoltenberg"},
		{Text: "The Black Sea is open again.", Speaker: "Dmytro Kovalchuk"},
		{Text: "Allies must spend more.", Speaker: "Jens Stoltenberg"},
	}
	hits := []news.Hit{{Term: `"black sea"`, Field: "text", Text: "Black Sea"}}
	for _, q := range summary.Pick(quotes, hits, 2) {
		fmt.Printf("%s — %s\n", q.Text, q.Speaker)
	}
	// Output:
	// We will stand by Ukraine. — Jens Stoltenberg
	// The Black Sea is open again. — Dmytro Kovalchuk
}
