package rules

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// withoutPlans makes every rule of s planGeneral, with no inline plan in
// the index and none held by a word's or phrase's slot or an atom, so that matching
// walks the rules' nodes: the way plans must agree with.
func withoutPlans(s *Set) {
	h := int32(0)
	for r := range s.plans {
		s.plans[r] = plan{op: planGeneral, x: [maxPlanOps]int32{h}}
		h += s.nodes[h].size
	}
	// Each inline plan, and each rule a word's slot or an atom holds,
	// becomes its rule, to evaluate, after the atoms.
	wrule := make(map[int32]int32)
	for k := range s.dict.words.slots {
		if sl := &s.dict.words.slots[k]; sl.hash != 0 && sl.wrule >= 0 {
			wrule[sl.id] = sl.wrule
			sl.wrule = -1
		}
	}
	pt := &s.dict.phrases
	for k := range pt.nodes {
		if nd := &pt.nodes[k]; nd.rule >= 0 {
			wrule[s.phraseBase+int32(k)] = nd.rule
			nd.rule = -1
		}
	}
	arules := make(map[int32][]int32) // by dense key
	for a := range s.dict.atoms {
		at := &s.dict.atoms[a]
		k := s.denseKey(at.key)
		arules[k] = append(arules[k], s.arules[at.rule0:at.rule1]...)
		at.rule1 = at.rule0
	}
	post := make([]int32, 0, len(s.post))
	offs := make([]int32, 1, len(s.offs))
	for k := range len(s.offs) - 1 {
		list := s.post[s.offs[k]:s.offs[k+1]]
		var rules []int32
		if r, ok := wrule[int32(k)]; ok {
			rules = append(rules, r)
		}
		rules = append(rules, arules[int32(k)]...)
		for i := 0; i < len(list); i++ {
			switch v := list[i]; {
			case v < pairTop && v > runTop:
				n := int(pairTop - v)
				for j := range n {
					rules = append(rules, int32(uint32(list[i+1+2*j])&^(1<<31)))
				}
				i += 2 * n
			case v < runTop && v > runFloor:
				n := int(runTop - v)
				rules = append(rules, list[i+1:i+1+n]...)
				i += n
			case uint32(v)-inlineTag < maxInlineRule: // NEARs of two words
				n := int(uint32(v) - inlineTag)
				for j := range n {
					rules = append(rules, list[i+1+2*j]&(maxInlineRule-1))
				}
				i += 2 * n
			case v < atomFloor:
				rules = append(rules, int32(uint32(v)&(maxInlineRule-1)))
				i += 3
			case v < 0:
				post = append(post, v)
			default:
				rules = append(rules, v)
			}
		}
		slices.Sort(rules)
		post = append(post, rules...)
		offs = append(offs, int32(len(post)))
	}
	s.post, s.offs = post, offs
	for k := range s.dict.words.slots {
		if sl := &s.dict.words.slots[k]; sl.hash != 0 {
			sl.post0, sl.npost = offs[sl.id], uint16(min(offs[sl.id+1]-offs[sl.id], maxNPost))
		}
	}
	for k := range pt.nodes {
		nd := &pt.nodes[k]
		nd.post0, nd.post1 = offs[s.phraseBase+int32(k)], offs[s.phraseBase+int32(k)+1]
	}
	for k := range pt.slots {
		if sl := &pt.slots[k]; sl.node != 0 && pt.nodes[sl.node-1].post0 < pt.nodes[sl.node-1].post1 {
			sl.flags |= pslotUsed
		}
	}
}

// TestPlansAgreeWithNodes checks that deciding rules by their plans, and
// by their word while marking, gives the matches and hits that walking
// their nodes gives: on random rules of every shape, and on the benchmark's
// rules and articles.
func TestPlansAgreeWithNodes(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	ents := []Entity{
		{ID: "nuc", Name: "NATO-Ukraine Council", Aliases: []string{"NUC"}},
		{ID: "who", Name: "World Health Organization", Aliases: []string{"case:WHO"}},
		{ID: "sea", Name: "Black Sea"},
	}
	sets := 200
	if testing.Short() {
		sets = 40
	}
	for set := range sets {
		var rules []Rule
		for len(rules) < 30 {
			rule := Rule{Name: fmt.Sprintf("r%d", len(rules)), Query: genQuery(r, 0)}
			switch r.IntN(6) {
			case 0:
				rule.Query = genTerm(r, false) // the shapes plans have
			case 1:
				rule.Query = genTerm(r, false) + " " + genTerm(r, false)
			case 2:
				rule.Query = genTerm(r, false) + " OR " + genTerm(r, false) + " OR " + genTerm(r, false)
			case 3:
				rule.Query = genTerm(r, false) + " -" + genTerm(r, false)
			}
			if r.IntN(8) == 0 {
				rule.Exclude = genQuery(r, 1)
			}
			if _, err := Compile([]Rule{rule}, ents); err != nil {
				continue
			}
			rules = append(rules, rule)
		}
		planned, err := Compile(rules, ents)
		if err != nil {
			t.Fatal(err)
		}
		nodes, _ := Compile(rules, ents)
		withoutPlans(nodes)
		for range 20 {
			d := genDoc(r)
			if got, want := planned.Match(d), nodes.Match(d); !reflect.DeepEqual(got, want) {
				t.Fatalf("set %d, doc %+v:\nplans %+v\nnodes %+v", set, d, got, want)
			}
		}
	}
	for _, name := range benchCorpora {
		c := benchmarkCorpus(name)
		n := 5000
		planned, err := Compile(c.specs[:n], nil)
		if err != nil {
			t.Fatal(err)
		}
		nodes, _ := Compile(c.specs[:n], nil)
		withoutPlans(nodes)
		for i, d := range c.docs {
			if got, want := planned.Match(d), nodes.Match(d); !reflect.DeepEqual(got, want) {
				t.Fatalf("corpus %s, article %d:\nplans %+v\nnodes %+v", name, i, got, want)
			}
		}
	}
}
