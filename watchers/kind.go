package watchers

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"syscall"
)

// ErrPrivateAddress reports an untrusted feed (from an OPML import or a
// chat) whose host resolved to a loopback, private, link-local or otherwise
// non-public address while watchers.allow_private is off: such a URL could
// make herald probe the network it runs in.
var ErrPrivateAddress = errors.New("refused to connect to a non-public address")

// The kinds of poll failure ErrorKind tells apart, as metrics label them.
const (
	KindTimeout   = "timeout"
	KindDNS       = "dns"
	KindConnect   = "connect"
	KindTLS       = "tls"
	KindPrivate   = "private_address"
	KindThrottled = "throttled" // 429, 503
	KindGone      = "gone"      // 410
	KindHTTP4xx   = "http_4xx"
	KindHTTP5xx   = "http_5xx"
	KindHTTPOther = "http_other"
	KindTooLarge  = "too_large"
	KindNotFeed   = "not_feed"
	KindDecode    = "decode"  // a body that cannot be decoded (gzip, charset)
	KindParse     = "parse"   // a document that does not parse
	KindRead      = "read"    // a file feed that cannot be read
	KindHandler   = "handler" // the handler failed to take the items
	KindState     = "state"   // feed state that could not be read or saved
	KindOther     = "other"
)

// kindError marks an error with the stage that failed, without changing its
// message.
type kindError struct {
	kind string
	err  error
}

func (e *kindError) Error() string { return e.err.Error() }
func (e *kindError) Unwrap() error { return e.err }

// withKind marks err as a failure of the given kind.
func withKind(kind string, err error) error { return &kindError{kind: kind, err: err} }

// ErrorKind classifies a poll's error for metrics and logs: one of the Kind
// constants.
func ErrorKind(err error) string {
	if err == nil {
		return ""
	}
	if se, ok := errors.AsType[*StatusError](err); ok {
		switch c := se.Code; {
		case c == http.StatusTooManyRequests || c == http.StatusServiceUnavailable:
			return KindThrottled
		case c == http.StatusGone:
			return KindGone
		case c >= 400 && c < 500:
			return KindHTTP4xx
		case c >= 500:
			return KindHTTP5xx
		}
		return KindHTTPOther
	}
	switch {
	case errors.Is(err, ErrPrivateAddress):
		return KindPrivate
	case errors.Is(err, ErrTooLarge):
		return KindTooLarge
	case errors.Is(err, ErrNotFeed):
		return KindNotFeed
	}
	// Errors of the stages after the response arrived carry their kind.
	if ke, ok := errors.AsType[*kindError](err); ok {
		return ke.kind
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return KindTimeout
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return KindTimeout
	}
	if _, ok := errors.AsType[*net.DNSError](err); ok {
		return KindDNS
	}
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return KindTLS
	}
	if _, ok := errors.AsType[tls.RecordHeaderError](err); ok {
		return KindTLS
	}
	if _, ok := errors.AsType[x509.UnknownAuthorityError](err); ok {
		return KindTLS
	}
	if _, ok := errors.AsType[x509.HostnameError](err); ok {
		return KindTLS
	}
	if oe, ok := errors.AsType[*net.OpError](err); ok && oe.Op == "dial" {
		return KindConnect
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) {
		return KindConnect
	}
	return KindOther
}

// refusePrivate is the dialer Control of the guarded client: it runs after
// the host name was resolved, once per address tried, so a name that
// resolves (or is re-bound, or redirected) to an internal address is caught
// whatever the URL said.
func refusePrivate(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrPrivateAddress, address)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !publicAddress(ip) {
		return fmt.Errorf("%w %s; set watchers.allow_private: true to allow feeds from imports and chats to reach it", ErrPrivateAddress, host)
	}
	return nil
}

// nonPublic are the ranges that are neither loopback, private nor
// link-local by netip's reckoning but are still not the public internet.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),           // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),       // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),        // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),       // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),         // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b:1::/48"),      // local-use NAT64
	netip.MustParsePrefix("2001:db8::/32"),       // documentation
	netip.MustParsePrefix("::ffff:0:0/96"),       // IPv4-mapped (checked unmapped)
	netip.MustParsePrefix("100::/64"),            // discard-only
	netip.MustParsePrefix("fec0::/10"),           // old site-local
	netip.MustParsePrefix("2002:a00::/24"),       // 6to4 of 10/8
	netip.MustParsePrefix("2002:7f00::/24"),      // 6to4 of 127/8
	netip.MustParsePrefix("2002:a9fe::/32"),      // 6to4 of 169.254/16
	netip.MustParsePrefix("2002:ac10::/28"),      // 6to4 of 172.16/12
	netip.MustParsePrefix("2002:c0a8::/32"),      // 6to4 of 192.168/16
	netip.MustParsePrefix("64:ff9b::7f00:0/104"), // NAT64 of 127/8
}

// publicAddress reports whether ip is a public unicast address.
func publicAddress(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}
