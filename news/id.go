package news

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// ItemID returns the identity of an item within its feed: the GUID when the
// feed gives one, else the link, else a hash of the title and content, so an
// item without either is still recognised on the next poll.
func ItemID(guid, link, title, content string) string {
	if g := strings.TrimSpace(guid); g != "" {
		return g
	}
	if l := strings.TrimSpace(link); l != "" {
		return l
	}
	h := sha256.New()
	h.Write([]byte(strings.TrimSpace(title)))
	h.Write([]byte{0})
	h.Write([]byte(strings.TrimSpace(content)))
	return "sha256:" + hex.EncodeToString(h.Sum(nil))[:32]
}
