package addr

import (
	"errors"
	"testing"
)

func TestCheckTCP(t *testing.T) {
	for _, tc := range []struct {
		host, pass string
		optOut     bool
		want       error
	}{
		{"127.0.0.1", "", false, ErrProtectedMode},
		{"::1", "", false, ErrProtectedMode},
		{"[::1]", "", false, ErrProtectedMode},
		{"localhost", "", false, ErrProtectedMode},
		{"127.0.0.1", "", true, nil},
		{"[::1]", "", true, nil},
		{"localhost", "", true, nil},
		{"127.0.0.1", "pw", false, nil},
		{"0.0.0.0", "", true, ErrNeedPassword},
		{"10.1.2.3", "", true, ErrNeedPassword},
		{"0.0.0.0", "pw", false, nil},
		{"::", "pw", false, nil},
	} {
		if err := CheckTCP(tc.host, tc.pass, tc.optOut); !errors.Is(err, tc.want) {
			t.Errorf("CheckTCP(%q, %q, %v) = %v, want %v", tc.host, tc.pass, tc.optOut, err, tc.want)
		}
	}
	if err := CheckTCP("nohost", "", true); err == nil {
		t.Error("CheckTCP accepted an unparseable host")
	}
}
