package stub_test

import (
	"bytes"
	"errors"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/remoted/remoted/stub"
)

type (
	myString string
	myBytes  []byte
	myInt    int16
	myUint   uint8
	myFloat  float32
)

const tag = "\xd9\xd9\xf7"

// TestMarshalForms pins the stored bytes of every kind of Go value.
func TestMarshalForms(t *testing.T) {
	s := "x"
	cases := []struct {
		name string
		in   any
		want string
	}{
		{"string", "hi", "hi"},
		{"empty string", "", ""},
		{"named string", myString("hi"), "hi"},
		{"bytes", []byte{0, 0xff}, "\x00\xff"},
		{"named bytes", myBytes("ab"), "ab"},
		{"int", 42, "42"},
		{"int8", int8(-128), "-128"},
		{"int16 named", myInt(-7), "-7"},
		{"int32", int32(1 << 30), "1073741824"},
		{"int64", int64(math.MinInt64), "-9223372036854775808"},
		{"uint", uint(7), "7"},
		{"uint8 named", myUint(255), "255"},
		{"uint64", uint64(math.MaxUint64), "18446744073709551615"},
		{"uintptr", uintptr(9), "9"},
		{"float64", 0.1, "0.1"},
		{"float64 int", 3.0, "3"},
		{"float64 big", 1e21, "1e+21"},
		{"float64 tiny", 5e-324, "5e-324"},
		{"float32", float32(0.1), "0.1"},
		{"float32 named", myFloat(2.5), "2.5"},
		{"nan", math.NaN(), "NaN"},
		{"+inf", math.Inf(1), "+Inf"},
		{"duration", 1500 * time.Millisecond, "1500000000"},
		{"bool", true, tag + "\xf5"},
		{"false", false, tag + "\xf4"},
		{"nil", nil, tag + "\xf6"},
		{"nil pointer", (*int)(nil), tag + "\xf6"},
		{"pointer", &s, tag + "\x61x"},
		{"struct", point{1, 2, ""}, tag + "\xa2\x61X\x01\x61Y\x02"},
		{"map sorted", map[string]int{"b": 2, "a": 1}, tag + "\xa2\x61a\x01\x61b\x02"},
		{"slice", []int{1, 2}, tag + "\x82\x01\x02"},
		{"array", [2]bool{true, false}, tag + "\x82\xf5\xf4"},
		{"empty slice", []string{}, tag + "\x80"},
		{"time", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), tag + "\xc0\x742026-01-02T03:04:05Z"},
		{"tagged string", tag + "x", tag + "\x44" + tag + "x"},
		{"tagged bytes", []byte(tag), tag + "\x43" + tag},
		{"big int", big.NewInt(5), tag + "\x05"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := stub.Marshal(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("Marshal(%#v) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestMarshalUnsupported(t *testing.T) {
	for _, v := range []any{make(chan int), func() {}, complex(1, 2), complex64(1), map[string]any{"f": func() {}}} {
		if _, err := stub.Marshal(v); !errors.Is(err, stub.ErrUnsupportedType) {
			t.Errorf("Marshal(%T) = %v, want ErrUnsupportedType", v, err)
		}
	}
}

// TestRoundTrip decodes what Marshal stored into a target of the same type.
func TestRoundTrip(t *testing.T) {
	vals := []any{
		"hi", "", myString("m"), []byte{1, 2}, myBytes("b"), 42, int8(-3), myInt(9),
		int64(math.MaxInt64), uint16(65535), myUint(1), uint64(math.MaxUint64),
		0.1, -2.5e-300, float32(3.25), myFloat(-1), math.Inf(-1),
		true, point{5, 6, "t"}, map[string]point{"p": {1, 2, ""}}, []float64{1.5, 2},
		map[int]string{1: "a"}, time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), tag, []byte(tag + "more"),
		"\xff\xfe not utf-8", [3]int{1, 2, 3}, time.Minute,
	}
	for _, v := range vals {
		b, err := stub.Marshal(v)
		if err != nil {
			t.Fatalf("Marshal(%#v): %v", v, err)
		}
		ptr := reflect.New(reflect.TypeOf(v))
		if err := stub.Unmarshal(b, ptr.Interface()); err != nil {
			t.Fatalf("Unmarshal(%q) into %T: %v", b, v, err)
		}
		if got := ptr.Elem().Interface(); !reflect.DeepEqual(got, v) {
			t.Errorf("round trip %#v: got %#v", v, got)
		}
	}
}

// TestUnmarshalForeign reads values as other clients write them.
func TestUnmarshalForeign(t *testing.T) {
	type target = any
	cases := []struct {
		name string
		data string
		ptr  any
		want any
		err  error // wanted with errors.Is; nil: success
	}{
		{"text into string", "hello", new(string), "hello", nil},
		{"text into bytes", "hello", new([]byte), []byte("hello"), nil},
		{"empty into bytes", "", new([]byte), []byte{}, nil},
		{"text into named string", "x", new(myString), myString("x"), nil},
		{"text into any", "42", new(target), "42", nil},
		{"int", "42", new(int), 42, nil},
		{"negative int8", "-128", new(int8), int8(-128), nil},
		{"int8 overflow", "128", new(int8), nil, strconv.ErrRange},
		{"uint", "18446744073709551615", new(uint64), uint64(math.MaxUint64), nil},
		{"negative uint", "-1", new(uint), nil, strconv.ErrSyntax},
		{"int with spaces", " 1", new(int), nil, strconv.ErrSyntax},
		{"float into int", "1.5", new(int64), nil, strconv.ErrSyntax},
		{"float", "3.14", new(float64), 3.14, nil},
		{"float exp", "5.0e3", new(float64), 5000.0, nil},
		{"redis inf", "inf", new(float64), math.Inf(1), nil},
		{"int into float32", "7", new(float32), float32(7), nil},
		{"named float", "0.5", new(myFloat), myFloat(0.5), nil},
		{"into pointer", "9", new(*int), ptrTo(9), nil},
		{"text into bool", "true", new(bool), nil, stub.ErrUnsupportedType},
		{"text into struct", "{}", new(point), nil, stub.ErrUnsupportedType},
		{"text into []int", "1", new([]int), nil, stub.ErrUnsupportedType},
		{"text into error", "x", new(error), nil, stub.ErrUnsupportedType},
		{"cbor map (python dict)", tag + "\xa2\x61X\x01\x61Y\x02", new(point), point{1, 2, ""}, nil},
		{"cbor map into any", tag + "\xa1\x61a\x01", new(target), map[string]any{"a": int64(1)}, nil},
		{"cbor int-keyed map into any", tag + "\xa1\x01\x61a", new(target), map[any]any{int64(1): "a"}, nil},
		{"cbor list into any", tag + "\x82\x01\x61a", new(target), []any{int64(1), "a"}, nil},
		{"cbor double tag (cbor2 with self-describe)", tag + tag + "\x01", new(int), 1, nil},
		{"cbor float into int", tag + "\xf9\x3e\x00", new(int), nil, nil},
		{"cbor garbage", tag + "\xa2\x61", new(target), nil, nil},
		{"cbor trailing", tag + "\x01\x02", new(int), nil, nil},
		{"nil pointer target", "x", (*string)(nil), nil, stub.ErrInvalidTarget},
		{"non-pointer target", "x", "", nil, stub.ErrInvalidTarget},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := stub.Unmarshal([]byte(tc.data), tc.ptr)
			if tc.want == nil {
				if err == nil {
					t.Fatalf("no error, got %#v", reflect.ValueOf(tc.ptr).Elem())
				}
				if tc.err != nil && !errors.Is(err, tc.err) {
					t.Errorf("error %v, want %v", err, tc.err)
				}
				var de *stub.DecodeError
				if tc.err != stub.ErrInvalidTarget && !errors.As(err, &de) {
					t.Errorf("error %v is not a *DecodeError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := reflect.ValueOf(tc.ptr).Elem().Interface(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}

func ptrTo[T any](v T) *T { return &v }

func TestValueDecode(t *testing.T) {
	var n int
	if err := stub.Value("12").Decode(&n); err != nil || n != 12 {
		t.Errorf("Value.Decode = %d, %v", n, err)
	}
}

func FuzzCodec(f *testing.F) {
	f.Add("hello", int64(1), 1.5, []byte{0})
	f.Add(tag, int64(-1), math.Inf(1), []byte(tag))
	f.Add("", int64(math.MinInt64), math.Copysign(0, -1), []byte{})
	f.Fuzz(func(t *testing.T, s string, n int64, x float64, b []byte) {
		check := func(v, ptr any, eq func() bool) {
			data, err := stub.Marshal(v)
			if err != nil {
				t.Fatalf("Marshal(%#v): %v", v, err)
			}
			if err := stub.Unmarshal(data, ptr); err != nil {
				t.Fatalf("Unmarshal(%q): %v", data, err)
			}
			if !eq() {
				t.Fatalf("round trip of %#v gave %#v", v, reflect.ValueOf(ptr).Elem())
			}
		}
		var gs string
		check(s, &gs, func() bool { return gs == s })
		var gb []byte
		check(b, &gb, func() bool { return bytes.Equal(gb, b) })
		var gn int64
		check(n, &gn, func() bool { return gn == n })
		var gx float64
		check(x, &gx, func() bool { return gx == x || (math.IsNaN(x) && math.IsNaN(gx)) })
		type rec struct {
			S string
			N int64
			B []byte
		}
		var gr rec
		r := rec{s, n, b}
		check(r, &gr, func() bool {
			return gr.S == r.S && gr.N == r.N && bytes.Equal(gr.B, r.B)
		})
	})
}

// FuzzUnmarshal: decoding arbitrary bytes into any target never panics.
func FuzzUnmarshal(f *testing.F) {
	f.Add([]byte("42"))
	f.Add([]byte(tag + "\xa1\x61a\x01"))
	f.Add([]byte(tag + "\x9f\x9f\x9f\x9f"))
	f.Add([]byte(tag + "\xc1\xfb\x7f\xf0\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		targets := []any{new(any), new(string), new([]byte), new(int), new(uint8), new(float32),
			new(point), new(map[string]any), new([]any), new(time.Time), new(*int), new(bool)}
		for _, p := range targets {
			_ = stub.Unmarshal(data, p)
		}
	})
}
