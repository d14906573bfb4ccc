package rules

import (
	"slices"
	"strings"
)

// atomKind says how an atom occurs in a text.
type atomKind uint8

const (
	atomWord   atomKind = iota // one whole word
	atomPhrase                 // consecutive words
	atomPrefix                 // a word beginning
	atomFeed                   // the name of the item's feed
)

// atom is one thing to find in an article, shared by every term of every
// rule that needs it: a word, a phrase, a prefix or a feed name, either
// case-insensitive or exact. Terms map to atoms (an entity to several), and
// an article's atoms are found at most once however many rules use them.
type atom struct {
	kind  atomKind
	exact bool  // the words must also have the capitalisation in cased
	n     int32 // number of words
	w0    int32 // atomWords[w0:w0+n] of the dictionary are the words; for a prefix or feed atom, the one there is its prefix or feed ID
	x0    int32 // exact: cased[x0:x0+n] of the dictionary
	key   int32 // the index key an article must have for the atom to occur (see keyOf)
	// Set.arules[rule0:rule1] are the rules that are this atom alone,
	// looked for in the title and the text (see finish); for a plain
	// phrase, none: its trie node and run hold them.
	rule0, rule1 int32
}

// Index keys, while a Set is compiled, are word IDs, or prefix or feed IDs
// tagged with these bits; finish renumbers them densely.
const (
	keyPrefix = 1 << 29
	keyFeed   = 2 << 29
	keyPhrase = 3 << 29 // a node of the phrase trie (see phraseTable)
	keyMask   = keyPrefix - 1
)

// dictionary interns the words, prefixes, feed names and atoms of every
// rule of a Set, so that an article is tokenized once and each of its
// distinct words is looked up once.
type dictionary struct {
	words     wordTable
	wordAtom  []int32 // the plain atomWord of each word, or -1
	prefixes  map[string]int32
	prefixStr []string
	feeds     map[string]int32
	feedStr   []string
	atoms     []atom
	atomIDs   map[string]int32 // packed atom → ID, for the atoms other than plain words; only while compiling
	atomWords []int32
	cased     []string
	key       []byte      // scratch for atomIDs keys
	trie      trie        // over prefixStr, built by finish
	phrases   phraseTable // the phrases' words
	uses      []int32     // while compiling: how many rules use each key (see countUses)
}

func newDictionary(sizeHint int) *dictionary {
	return &dictionary{
		// Rules share most of their words: with 100,000 rules in a 60,000
		// word vocabulary, about half as many words and atoms as rules.
		// Presized so, the slices do not grow through every size, each
		// step an allocation, as appending grows large slices by a
		// quarter.
		atoms:     make([]atom, 0, sizeHint*3/5+16),
		atomWords: make([]int32, 0, sizeHint+16),
		wordAtom:  make([]int32, 0, sizeHint/2+16),
		words:     newWordTable(sizeHint),
		prefixes:  make(map[string]int32),
		feeds:     make(map[string]int32),
		atomIDs:   make(map[string]int32),
	}
}

// word returns the ID of a folded word, adding it when new.
func (d *dictionary) word(b []byte) int32 {
	return wordID(d, b)
}

// wordString is word for a string.
func (d *dictionary) wordString(s string) int32 {
	return wordID(d, s)
}

func wordID[S ~string | ~[]byte](d *dictionary, w S) int32 {
	h := hashWord(w)
	if sl := findWord(&d.words, w, h); sl != nil {
		return sl.id
	}
	id := addWord(&d.words, w, h)
	d.wordAtom = append(d.wordAtom, -1)
	return id
}

// plainWord returns the case-insensitive atom of one word.
func (d *dictionary) plainWord(id int32) int32 {
	if a := d.wordAtom[id]; a >= 0 {
		return a
	}
	a := d.addAtom(atom{kind: atomWord, n: 1, key: id}, []int32{id}, nil)
	d.wordAtom[id] = a
	return a
}

// sequence returns the atom of a word sequence, exact when cased is not nil.
func (d *dictionary) sequence(ids []int32, cased []string) int32 {
	if len(ids) == 1 && cased == nil {
		return d.plainWord(ids[0])
	}
	kind := atomPhrase
	if len(ids) == 1 {
		kind = atomWord
	}
	// A phrase is keyed by itself, as a node of the phrase trie: an
	// article has the key only where the words follow each other, so
	// however common they are, the phrase's rules are candidates only
	// where it occurs (or, when exact, occurs in some capitalisation).
	// The node also interns the plain phrase.
	key, node := ids[0], int32(-1)
	if kind == atomPhrase {
		node = d.phrases.add(ids)
		key = keyPhrase | node
		if a := d.phrases.nodes[node].atom; a >= 0 && cased == nil {
			return a
		}
	}
	if cased == nil {
		a := d.addAtom(atom{kind: kind, n: int32(len(ids)), key: key}, ids, nil)
		d.phrases.nodes[node].atom = a
		return a
	}
	d.key = append(d.key[:0], byte(kind))
	for _, id := range ids {
		d.key = append(d.key, byte(id), byte(id>>8), byte(id>>16), byte(id>>24))
	}
	for _, c := range cased {
		d.key = append(d.key, 0)
		d.key = append(d.key, c...)
	}
	if a, ok := d.atomIDs[string(d.key)]; ok {
		return a
	}
	a := d.addAtom(atom{kind: kind, exact: true, n: int32(len(ids)), key: key}, ids, cased)
	d.atomIDs[string(d.key)] = a
	return a
}

// prefix returns the atom of a prefix, exact when cased is not "".
func (d *dictionary) prefix(b []byte, cased string) int32 {
	pid, ok := d.prefixes[string(b)]
	if !ok {
		pid = int32(len(d.prefixStr))
		s := string(b)
		d.prefixes[s] = pid
		d.prefixStr = append(d.prefixStr, s)
	}
	d.key = append(d.key[:0], byte(atomPrefix), byte(pid), byte(pid>>8), byte(pid>>16), byte(pid>>24), 0)
	d.key = append(d.key, cased...)
	if a, ok := d.atomIDs[string(d.key)]; ok {
		return a
	}
	var cs []string
	if cased != "" {
		cs = []string{cased}
	}
	a := d.addAtom(atom{kind: atomPrefix, exact: cased != "", n: 1, key: keyPrefix | pid}, []int32{pid}, cs)
	d.atomIDs[string(d.key)] = a
	return a
}

// feed returns the atom of a feed name, given as its folded words joined
// by spaces.
func (d *dictionary) feed(name string) int32 {
	fid, ok := d.feeds[name]
	if !ok {
		fid = int32(len(d.feedStr))
		d.feeds[name] = fid
		d.feedStr = append(d.feedStr, name)
	}
	d.key = append(d.key[:0], byte(atomFeed), byte(fid), byte(fid>>8), byte(fid>>16), byte(fid>>24))
	if a, ok := d.atomIDs[string(d.key)]; ok {
		return a
	}
	a := d.addAtom(atom{kind: atomFeed, n: 1, key: keyFeed | fid}, []int32{fid}, nil)
	d.atomIDs[string(d.key)] = a
	return a
}

func (d *dictionary) addAtom(a atom, words []int32, cased []string) int32 {
	a.w0 = int32(len(d.atomWords))
	d.atomWords = append(roomFor(d.atomWords, len(words)), words...)
	if cased != nil {
		a.x0 = int32(len(d.cased))
		d.cased = append(d.cased, cased...)
	}
	d.atoms = append(roomFor(d.atoms, 1), a)
	return int32(len(d.atoms) - 1)
}

// roomFor returns s with room for n more elements, doubling its capacity
// when it has not: append grows a large slice by a quarter, which
// allocates, over all the steps, four times what it ends with.
func roomFor[T any](s []T, n int) []T {
	if len(s)+n <= cap(s) {
		return s
	}
	return slices.Grow(s, max(n, cap(s)))
}

// atomWordIDs returns the words of an atom (for a prefix or feed atom, its ID).
func (d *dictionary) atomWordIDs(a *atom) []int32 { return d.atomWords[a.w0 : a.w0+a.n] }

// atomCased returns the capitalised words of an exact atom.
func (d *dictionary) atomCased(a *atom) []string { return d.cased[a.x0 : a.x0+a.n] }

// keyWeight estimates how selective an index key is; the higher, the fewer
// articles have it. Without statistics on the articles to come, it takes
// the key that fewer rules use: rules are written about what the news is
// about, so a word that thousands of rules name ("ukraine", "the") is
// likely to be in many articles too, and a key that few rules use has a
// short posting list whatever the articles. Among keys used alike, a
// phrase is taken to be rarer than any word (it is at least as rare as
// its own words, whatever the distribution), a longer word a rarer one
// (Lucene's Monitor's default), and a prefix, which matches several
// words, as its length less one. A feed name is the least selective: every
// article of the feed has it.
func (d *dictionary) keyWeight(key int32) int {
	var tie int
	switch key &^ keyMask {
	case keyPrefix:
		tie = len(d.prefixStr[key&keyMask]) - 1
	case keyFeed:
		return 1
	case keyPhrase:
		tie = keyTies - 1
	default:
		tie = min(d.words.wordLen(key), keyTies-2)
	}
	uses := int32(0)
	if d.uses != nil {
		uses = d.uses[d.useIndex(key)]
	}
	return int(maxUses-min(uses, maxUses-1))*keyTies + tie
}

// keyTies bounds the part of a key's weight that breaks ties between keys
// used by as many rules; maxUses is where counting the rules stops.
const (
	keyTies = 64
	maxUses = 1 << 20
)

// useIndex returns where key's count of rules is in uses.
func (d *dictionary) useIndex(key int32) int {
	id := int(key & keyMask)
	switch key &^ keyMask {
	case keyPrefix:
		return d.words.len() + id
	case keyPhrase:
		return d.words.len() + len(d.prefixStr) + id
	case keyFeed:
		return -1
	}
	return id
}

// countUses counts, for keyWeight, how many of the rules, given by their
// query roots in nodes, use each word, prefix and phrase key.
func (d *dictionary) countUses(nodes []enode, atomList []int32, roots []keyRule) {
	d.uses = make([]int32, d.words.len()+len(d.prefixStr)+int(d.phrases.n))
	count := func(a int32) {
		if k := d.atoms[a].key; k&^keyMask != keyFeed {
			d.uses[d.useIndex(k)]++
		}
	}
	for _, rr := range roots {
		root := rr.key
		for i := root; i < root+nodes[root].size; i++ {
			switch e := &nodes[i]; e.op {
			case eAtom:
				count(e.arg)
			case eTerm:
				for _, a := range atomList[e.arg : e.arg+e.cnt] {
					count(a)
				}
			}
		}
	}
}

// trie finds which of a set of prefixes begin a word, in one walk down the
// word's bytes.
type trie struct {
	nodes []trieNode
	edges []trieEdge
}

type trieNode struct {
	e0, e1 int32 // edges[e0:e1], sorted by byte
	prefix int32 // the prefix that ends here, or -1
}

type trieEdge struct {
	b  byte
	to int32
}

// buildTrie builds the trie of prefixes, whose IDs are their indices.
func buildTrie(prefixes []string) trie {
	var t trie
	if len(prefixes) == 0 {
		return t
	}
	order := make([]int32, len(prefixes))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(prefixes[a], prefixes[b]) })
	t.build(prefixes, order, 0)
	return t
}

// build adds the node for the prefixes in order, sorted, that share their
// first depth bytes, and returns its index.
func (t *trie) build(prefixes []string, order []int32, depth int) int32 {
	n := int32(len(t.nodes))
	t.nodes = append(t.nodes, trieNode{prefix: -1})
	if len(prefixes[order[0]]) == depth {
		t.nodes[n].prefix = order[0]
		order = order[1:]
	}
	// Reserve this node's edges contiguously before building the children.
	var groups [][]int32
	for i := 0; i < len(order); {
		j := i + 1
		for j < len(order) && prefixes[order[j]][depth] == prefixes[order[i]][depth] {
			j++
		}
		groups = append(groups, order[i:j])
		i = j
	}
	e0 := int32(len(t.edges))
	for _, g := range groups {
		t.edges = append(t.edges, trieEdge{b: prefixes[g[0]][depth]})
	}
	t.nodes[n].e0, t.nodes[n].e1 = e0, int32(len(t.edges))
	for k, g := range groups {
		to := t.build(prefixes, g, depth+1)
		t.edges[e0+int32(k)].to = to
	}
	return n
}

// walk calls fn with every prefix that begins w.
func (t *trie) walk(w []byte, fn func(prefix int32)) {
	if len(t.nodes) == 0 {
		return
	}
	n := int32(0)
	for _, c := range w {
		nd := &t.nodes[n]
		lo, hi := nd.e0, nd.e1
		for lo < hi {
			mid := int32(uint32(lo+hi) >> 1)
			if t.edges[mid].b < c {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		if lo == nd.e1 || t.edges[lo].b != c {
			return
		}
		n = t.edges[lo].to
		if p := t.nodes[n].prefix; p >= 0 {
			fn(p)
		}
	}
}

// wordTable holds the dictionary's words in an open-addressing hash table
// whose slots carry each word's ID, length, first bytes and postings: with
// 100,000 rules the table is megabytes, and looking up a word of an article
// should cost one cache line, not the three or four of a Go map.
type wordTable struct {
	slots []wslot  // a power of two long
	text  []byte   // the words back to back
	offs  []uint32 // the start of each word in text, and the end of the last
}

// wslot is one slot of a wordTable: 32 bytes, half a cache line.
type wslot struct {
	hash  uint32 // 0 when the slot is free
	id    int32
	post0 int32  // the word's posting list in Set.post, filled in by finish:
	npost uint16 // post[post0:post0+npost], or to offs[id+1] when npost is maxNPost
	n     uint16 // the length of the word, or maxWordLen for longer ones
	// wrule is a rule that is this word alone, looked for in the title and
	// the text, or -1: the word's presence decides it (see finish).
	wrule int32
	head  [wslotBytes]byte // the first bytes of the word
}

const (
	maxNPost   = 1<<16 - 1
	maxWordLen = 1<<16 - 1
)

// slotLen is what a slot holds as the length of a word of n bytes.
func slotLen(n int) uint16 { return uint16(min(n, maxWordLen)) }

const wslotBytes = 12

func newWordTable(sizeHint int) wordTable {
	size := 64
	for size < sizeHint {
		size *= 2
	}
	offs := make([]uint32, 1, sizeHint/2+16)
	return wordTable{slots: make([]wslot, size), offs: offs, text: make([]byte, 0, 8*sizeHint)}
}

// len returns the number of words.
func (t *wordTable) len() int { return len(t.offs) - 1 }

// wordLen returns the length of word id in bytes.
func (t *wordTable) wordLen(id int32) int { return int(t.offs[id+1] - t.offs[id]) }

// hashWord hashes a folded word, eight bytes at a time (a word's last
// bytes as two loads that may overlap), then mixes the bits, as linear
// probing wants.
func hashWord[S ~string | ~[]byte](w S) uint32 {
	const k = 0x9e3779b97f4a7c15
	h := uint64(len(w)) * k
	for len(w) > 8 {
		h = (h ^ load64(w)) * k
		h ^= h >> 32
		w = w[8:]
	}
	var v uint64
	switch {
	case len(w) >= 4:
		v = uint64(load32(w)) | uint64(load32(w[len(w)-4:]))<<32
	case len(w) > 0:
		v = uint64(w[0]) | uint64(w[len(w)/2])<<8 | uint64(w[len(w)-1])<<16
	}
	h = (h ^ v) * k
	h ^= h >> 29
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 32
	if uint32(h) == 0 {
		return 1 // 0 marks a free slot
	}
	return uint32(h)
}

// load64 returns the first eight bytes of b, little-endian.
func load64[S ~string | ~[]byte](b S) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// load32 returns the first four bytes of b, little-endian.
func load32[S ~string | ~[]byte](b S) uint32 {
	_ = b[3]
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

// findWord returns the slot of w, whose hash is h, or nil.
func findWord[S ~string | ~[]byte](t *wordTable, w S, h uint32) *wslot {
	mask := uint32(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.hash == 0 {
			return nil
		}
		if sl.hash == h && sl.n == slotLen(len(w)) && slotHolds(t, sl, w) {
			return sl
		}
	}
}

// slotHolds reports whether sl holds w, which has the slot's length.
func slotHolds[S ~string | ~[]byte](t *wordTable, sl *wslot, w S) bool {
	// Most words are 4 to 12 bytes long: two loads each, which may overlap,
	// compare them without a call.
	switch n := len(w); {
	case n >= 8 && n <= wslotBytes:
		return load64(sl.head[:]) == load64(w) && load32(sl.head[n-4:]) == load32(w[n-4:])
	case n >= 4 && n < 8:
		return load32(sl.head[:]) == load32(w) && load32(sl.head[n-4:]) == load32(w[n-4:])
	}
	n := min(len(w), wslotBytes)
	if string(sl.head[:n]) != string(w[:n]) {
		return false
	}
	if len(w) <= wslotBytes {
		return true
	}
	start := t.offs[sl.id]
	return string(t.text[start+wslotBytes:t.offs[sl.id+1]]) == string(w[wslotBytes:])
}

// addWord adds w, which is not in the table and hashes to h, and returns
// its ID.
func addWord[S ~string | ~[]byte](t *wordTable, w S, h uint32) int32 {
	id := int32(t.len())
	if 5*(id+1) > 3*int32(len(t.slots)) {
		t.grow()
	}
	t.text = append(t.text, w...)
	t.offs = append(t.offs, uint32(len(t.text)))
	sl := wslot{hash: h, id: id, n: slotLen(len(w)), wrule: -1}
	copy(sl.head[:], w)
	t.insert(sl)
	return id
}

// insert puts sl into a free slot.
func (t *wordTable) insert(sl wslot) {
	mask := uint32(len(t.slots) - 1)
	for i := sl.hash & mask; ; i = (i + 1) & mask {
		if t.slots[i].hash == 0 {
			t.slots[i] = sl
			return
		}
	}
}

// grow doubles the table.
func (t *wordTable) grow() {
	old := t.slots
	t.slots = make([]wslot, 2*len(old))
	for _, sl := range old {
		if sl.hash != 0 {
			t.insert(sl)
		}
	}
}
