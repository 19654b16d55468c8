package addr

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
)

// Normalize reads a share address in any form the stub and the remoted
// command accept and returns it as a URL go-redis's ParseURL reads:
//
//   - unix:///path/to.sock, with a password as unix://:PASS@/path/to.sock
//     (go-redis's form; unix://USER:PASS@/path with a user) or as
//     unix:///path/to.sock?password=PASS (redis-py's form, moved into the
//     userinfo here);
//   - redis://[USER:PASS@]HOST:PORT[/DB], and rediss://... for TLS;
//   - a bare socket path, anything with a slash in it or ending in .sock
//     (/tmp/x.sock, ./x.sock), which becomes unix:// with the path made
//     absolute;
//   - HOST:PORT, [::1]:PORT or :PORT, which becomes redis://HOST:PORT.
//
// A bad address's error names it with any password replaced by xxxxx
// (see Redact), never the password itself.
func Normalize(s string) (string, error) {
	s = strings.TrimSpace(s)
	var (
		u   string
		err error
	)
	switch {
	case s == "":
		err = errors.New("empty address")
	case strings.Contains(s, "://"):
		u, err = normalizeURL(s)
	case strings.ContainsRune(s, '/') || strings.HasSuffix(s, ".sock"):
		u, err = socketURL(s)
	default:
		u, err = hostPortURL(s)
	}
	if err != nil {
		return "", fmt.Errorf("addr: bad share address %q: %w (want unix:///path/to.sock, a socket path, redis://host:port or host:port)", Redact(s), err)
	}
	return u, nil
}

// normalizeURL checks a URL with a scheme and moves a unix URL's
// password parameter into its userinfo.
func normalizeURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL, which would show the password
		}
		return "", err
	}
	u.Scheme = strings.ToLower(u.Scheme)
	switch u.Scheme {
	case "redis", "rediss":
		if p := u.Port(); p != "" {
			if err := checkPort(p); err != nil {
				return "", err
			}
		}
	case "unix":
		if err := unixPassword(u); err != nil {
			return "", err
		}
	default:
		return "", fmt.Errorf("unknown scheme %q", u.Scheme)
	}
	return u.String(), nil
}

// unixPassword checks a unix URL's path and moves a password=PASS query
// parameter into the userinfo, where go-redis reads it.
func unixPassword(u *url.URL) error {
	if u.Host != "" {
		return fmt.Errorf("a unix URL has no host (%q): the path follows three slashes, unix:///path", u.Host)
	}
	if strings.TrimSpace(u.Path) == "" {
		return errors.New("no socket path")
	}
	q := u.Query()
	if !q.Has("password") {
		return nil
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			return errors.New("two passwords: one in the userinfo and one in password=")
		}
	}
	user := ""
	if u.User != nil {
		user = u.User.Username()
	}
	u.User = url.UserPassword(user, q.Get("password"))
	q.Del("password")
	u.RawQuery = q.Encode()
	return nil
}

// socketURL turns a socket path into a unix URL with an absolute path.
func socketURL(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	return normalizeURL((&url.URL{Scheme: "unix", Path: abs}).String())
}

// hostPortURL turns HOST:PORT into redis://HOST:PORT.
func hostPortURL(s string) (string, error) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", errors.New("not a URL, a socket path or host:port")
	}
	if err := checkPort(port); err != nil {
		return "", err
	}
	if strings.ContainsAny(host, "/@?#") {
		return "", fmt.Errorf("bad host %q", host)
	}
	if host == "" {
		host = "localhost"
	}
	return normalizeURL("redis://" + net.JoinHostPort(host, port))
}

func checkPort(p string) error {
	n, err := strconv.ParseUint(p, 10, 16)
	if err != nil || n == 0 {
		return fmt.Errorf("bad port %q", p)
	}
	return nil
}

// Redact returns an address with its password, in the userinfo or in a
// password= parameter, replaced by xxxxx, for messages and logs. It works
// on any string, parseable or not, and errs on the side of hiding.
func Redact(s string) string {
	start := 0
	if i := strings.Index(s, "://"); i >= 0 {
		start = i + 3
	}
	if at := strings.LastIndexByte(s[start:], '@'); at >= 0 && !strings.HasPrefix(s[start:], "/") {
		if colon := strings.IndexByte(s[start:start+at], ':'); colon >= 0 {
			s = s[:start+colon+1] + "xxxxx" + s[start+at:]
		}
	}
	return redactParam(s)
}

// redactParam hides the value of every password= query parameter.
func redactParam(s string) string {
	q := strings.IndexByte(s, '?')
	if q < 0 {
		return s
	}
	var b strings.Builder
	b.WriteString(s[:q+1])
	for i, kv := range strings.Split(s[q+1:], "&") {
		if i > 0 {
			b.WriteByte('&')
		}
		if k, _, ok := strings.Cut(kv, "="); ok && strings.EqualFold(k, "password") {
			kv = k + "=xxxxx"
		}
		b.WriteString(kv)
	}
	return b.String()
}
