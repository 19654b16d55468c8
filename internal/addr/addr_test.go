package addr

import "testing"

func TestCheckBind(t *testing.T) {
	for _, tc := range []struct {
		host, pass string
		ok         bool
	}{
		{"127.0.0.1", "", true}, {"::1", "", true}, {"localhost", "", true},
		{"0.0.0.0", "", false}, {"10.1.2.3", "", false}, {"0.0.0.0", "pw", true},
	} {
		err := CheckBind(tc.host, tc.pass)
		if (err == nil) != tc.ok {
			t.Errorf("CheckBind(%q, %q) = %v", tc.host, tc.pass, err)
		}
	}
}
