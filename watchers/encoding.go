package watchers

import (
	"bytes"
	"fmt"
	"mime"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// xmlDecl matches an XML declaration (after white space, which feeds do
// put before it), and declEncoding the label of the encoding it names.
var (
	xmlDecl      = regexp.MustCompile(`^\s*<\?xml\s[^>]*\?>`)
	declEncoding = regexp.MustCompile(`\bencoding\s*=\s*["']([^"']*)["']`)
)

// toUTF8 returns a feed document as UTF-8, from the encoding its publisher
// gave it, in this order (XML 1.0 Appendix F, then RFC 7303): a byte order
// mark; the shape of the first bytes of a UTF-16 or UTF-32 document without
// one; the encoding in the XML declaration; the charset of contentType (may
// be empty). A document that is still not valid UTF-8 is read as
// windows-1252, the charset of most mislabelled feeds, so that every byte
// becomes some character rather than the document being refused.
//
// The XML declaration of a converted document is replaced by one without an
// encoding, so that gofeed does not convert it a second time. gofeed alone
// refuses UTF-16 without a BOM and UTF-32 altogether, and applies no HTTP
// charset.
func toUTF8(data []byte, contentType string) ([]byte, error) {
	enc, label, skip := sniffUnicode(data)
	declared := false
	if enc == nil {
		head := data[skip:]
		if m := declEncoding.FindSubmatch(xmlDecl.Find(head)); m != nil && len(m[1]) > 0 {
			label = strings.ToLower(strings.TrimSpace(string(m[1])))
			declared = true
		} else if contentType != "" {
			if _, params, err := mime.ParseMediaType(contentType); err == nil {
				label = strings.ToLower(strings.TrimSpace(params["charset"]))
			}
		}
		enc = lookupCharset(label)
	}
	out := data[skip:]
	if enc != nil {
		dec, err := enc.NewDecoder().Bytes(out)
		if err != nil {
			return nil, fmt.Errorf("decode charset %q: %w", label, err)
		}
		out = dec
	}
	if !utf8.Valid(out) {
		if enc != nil || declared {
			// A document that said what it is and is not quite: keep
			// every valid character.
			out = bytes.ToValidUTF8(out, []byte("\uFFFD"))
		} else {
			dec, err := charmap.Windows1252.NewDecoder().Bytes(out)
			if err != nil {
				return nil, fmt.Errorf("decode as windows-1252: %w", err)
			}
			out = dec
		}
	}
	if m := xmlDecl.FindIndex(out); m != nil && declEncoding.Match(out[m[0]:m[1]]) {
		out = append([]byte(`<?xml version="1.0"?>`), out[m[1]:]...)
	}
	return out, nil
}

// lookupCharset returns the decoder of a charset label, nil for UTF-8, ASCII
// (a subset), an unknown label and the Unicode labels of a document whose
// bytes say otherwise.
func lookupCharset(label string) encoding.Encoding {
	switch label {
	case "", "utf-8", "utf8", "us-ascii", "ascii", "utf-16", "utf-16le", "utf-16be", "utf-32", "utf-32le", "utf-32be", "ucs-2", "ucs-4", "iso-10646-ucs-2":
		return nil
	}
	if enc, _ := charset.Lookup(label); enc != nil {
		return enc
	}
	// IANA names the WHATWG list lacks (cp850, macintosh, ibm437…).
	if enc, err := ianaindex.IANA.Encoding(label); err == nil && enc != nil {
		return enc
	}
	return nil
}

// sniffUnicode finds a UTF-8, UTF-16 or UTF-32 document by its byte order
// mark, or a UTF-16 or UTF-32 one without a mark by its first character
// (XML 1.0 Appendix F: a document starts with '<' or white space). It
// returns the encoding (nil for UTF-8), its name, and how many bytes of mark
// to skip.
func sniffUnicode(b []byte) (enc encoding.Encoding, name string, skip int) {
	switch {
	case bytes.HasPrefix(b, []byte{0, 0, 0xFE, 0xFF}):
		return utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM), "utf-32be", 4
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE, 0, 0}):
		return utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), "utf-32le", 4
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "utf-16be", 2
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le", 2
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return nil, "utf-8", 3
	}
	if len(b) >= 4 {
		switch {
		case b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] != 0:
			return utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM), "utf-32be", 0
		case b[0] != 0 && b[1] == 0 && b[2] == 0 && b[3] == 0:
			return utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), "utf-32le", 0
		case b[0] == 0 && b[1] != 0 && b[2] == 0 && b[3] != 0:
			return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "utf-16be", 0
		case b[0] != 0 && b[1] == 0 && b[2] != 0 && b[3] == 0:
			return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le", 0
		}
	}
	return nil, "", 0
}

// charRef matches a numeric character reference.
var charRef = regexp.MustCompile(`&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));`)

// sanitizeXML drops what XML 1.0 forbids in a document and that would make
// the whole feed unreadable for one character: raw C0 control bytes other
// than tab, line feed and carriage return (gofeed drops those too, but
// herald reads the document a second time), and character references to
// characters XML does not allow (&#0;, &#xFFFE;, a surrogate). data must
// be UTF-8; a document without either comes back as it is.
func sanitizeXML(data []byte) []byte {
	dirty := bytes.ContainsFunc(data, func(r rune) bool { return r < 0x20 && r != '\t' && r != '\n' && r != '\r' })
	if dirty {
		data = bytes.Map(func(r rune) rune {
			if r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
				return -1
			}
			return r
		}, data)
	}
	if !bytes.Contains(data, []byte("&#")) {
		return data
	}
	return charRef.ReplaceAllFunc(data, func(ref []byte) []byte {
		m := charRef.FindSubmatch(ref)
		var n uint64
		var err error
		if len(m[1]) > 0 {
			n, err = strconv.ParseUint(string(m[1]), 16, 32)
		} else {
			n, err = strconv.ParseUint(string(m[2]), 10, 32)
		}
		if err != nil || !xmlChar(rune(n)) || n > 0x10FFFF {
			return nil
		}
		return ref
	})
}

// xmlChar reports whether r is a character XML 1.0 allows (its Char production).
func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}
