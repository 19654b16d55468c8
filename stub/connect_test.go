package stub_test

import (
	"context"
	"strings"
	"testing"

	"github.com/remoted/remoted/stub"
)

// TestConnectAddressForms: a bare socket path and host:port reach a
// share as its URL does.
func TestConnectAddressForms(t *testing.T) {
	ctx := context.Background()
	for _, u := range []string{remotedURL, strings.TrimPrefix(remotedURL, "unix://"), strings.TrimPrefix(realRedis(t), "redis://")} {
		s, err := stub.Connect(ctx, u)
		if err != nil {
			t.Errorf("Connect(%q): %v", u, err)
			continue
		}
		if err := s.Set(ctx, "form", u); err != nil {
			t.Errorf("Set over %q: %v", u, err)
		}
		s.Close()
	}
}

// TestConnectBadURL: a bad URL's error names it, never its password.
func TestConnectBadURL(t *testing.T) {
	for _, u := range []string{"redis://:s3cret@h:x", "redis://:s3cret@h:1/zz", "ftp://:s3cret@h", "unix://:s3cret@/x?nosuch=1"} {
		_, err := stub.Connect(context.Background(), u)
		if err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), ":xxxxx@") {
			t.Errorf("Connect(%q) = %v; want an error naming the URL without its password", u, err)
		}
	}
}
