package config

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"herald/internal/fuzzy"
)

// Pos is a place in the config file, 1-based like editors show it.
type Pos struct {
	Line, Col int
}

// posOf returns the position of a YAML node.
func posOf(n *yaml.Node) Pos { return Pos{Line: n.Line, Col: n.Column} }

// decoder turns a YAML node tree into config structs strictly: every key must
// be known, no key may repeat, and every problem is collected with its position
// rather than stopping at the first.
type decoder struct {
	errs *problems
}

// posHolder is implemented by structs that want to know where they and each
// of their keys stand in the file, for later validation messages.
type posHolder interface {
	setPos(self Pos, keys map[string]Pos, values map[string]*yaml.Node)
}

var (
	unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
	posHolderType   = reflect.TypeFor[posHolder]()
)

// decode fills v (a pointer) from n. where names the value for messages
// ("feeds[2]", "telegram").
func (d *decoder) decode(n *yaml.Node, v reflect.Value, where string) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // an empty value keeps the default
	}
	if reflect.PointerTo(v.Type()).Implements(unmarshalerType) {
		if err := n.Decode(v.Addr().Interface()); err != nil {
			d.errs.add(posOf(n), "%s: %s", where, cleanYAMLError(err))
		}
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, v, where)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			if v.Type().Elem().Kind() == reflect.String && n.Kind == yaml.ScalarNode {
				// A single string where a list is expected: accept it as a one-item list.
				s := reflect.New(v.Type().Elem()).Elem()
				d.decode(n, s, where)
				v.Set(reflect.Append(reflect.MakeSlice(v.Type(), 0, 1), s))
				return
			}
			d.errs.add(posOf(n), "%s: expected a list (items starting with \"- \"), found %s", where, kindName(n))
			return
		}
		out := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, c := range n.Content {
			d.decode(c, out.Index(i), fmt.Sprintf("%s[%d]", where, i))
		}
		v.Set(out)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.errs.add(posOf(n), "%s: expected a text value, found %s", where, kindName(n))
			return
		}
		v.SetString(n.Value)
	default:
		if n.Kind != yaml.ScalarNode {
			d.errs.add(posOf(n), "%s: expected a single value, found %s", where, kindName(n))
			return
		}
		if err := n.Decode(v.Addr().Interface()); err != nil {
			d.errs.add(posOf(n), "%s: %s", where, cleanYAMLError(err))
		}
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, where string) {
	if n.Kind != yaml.MappingNode {
		d.errs.add(posOf(n), "%s: expected a mapping (key: value lines), found %s", where, kindName(n))
		return
	}
	fields := map[string]int{}
	t := v.Type()
	for i := range t.NumField() {
		tag := t.Field(i).Tag.Get("yaml")
		name, _, _ := strings.Cut(tag, ",")
		if name == "" || name == "-" {
			continue
		}
		fields[name] = i
	}
	keys := map[string]Pos{}
	values := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errs.add(posOf(k), "%s: keys must be plain words", where)
			continue
		}
		key := k.Value
		sub := key
		if where != "" {
			sub = where + "." + key
		}
		if k.Value == "<<" {
			d.errs.add(posOf(k), "%s: YAML merge keys (<<) are not supported; write the keys out", where)
			continue
		}
		if _, dup := keys[key]; dup {
			d.errs.add(posOf(k), "%s: key %q appears twice (first at line %d); keep one", orTop(where), key, keys[key].Line)
			continue
		}
		idx, ok := fields[key]
		if !ok {
			d.errs.add(posOf(k), "%s: unknown key %q%s", orTop(where), key, suggest(key, fields))
			continue
		}
		keys[key] = posOf(k)
		values[key] = val
		d.decode(val, v.Field(idx), sub)
	}
	if reflect.PointerTo(t).Implements(posHolderType) {
		v.Addr().Interface().(posHolder).setPos(posOf(n), keys, values)
	}
}

func orTop(where string) string {
	if where == "" {
		return "top level"
	}
	return where
}

// suggest names the closest known key, or lists them all.
func suggest(key string, fields map[string]int) string {
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	best, bestD := "", 3
	for _, k := range names {
		if d := fuzzy.Distance(strings.ToLower(key), k); d < bestD {
			best, bestD = k, d
		}
	}
	if best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return "; known keys here: " + strings.Join(names, ", ")
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

// cleanYAMLError drops the "yaml: " prefix and the unmarshal preamble that
// yaml.v3 puts on errors, since ours already say where.
func cleanYAMLError(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "yaml: unmarshal errors:\n")
	s = strings.TrimPrefix(s, "yaml: ")
	s = strings.TrimSpace(s)
	if _, rest, ok := strings.Cut(s, ": "); ok && strings.HasPrefix(s, "line ") {
		s = rest
	}
	return s
}
