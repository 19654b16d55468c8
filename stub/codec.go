package stub

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strconv"

	"github.com/fxamacker/cbor/v2"
	"github.com/remoted/remoted/internal/cbortag"
)

var (
	encMode cbor.EncMode // deterministic, times as RFC 3339 text (tag 0)
	decMode cbor.DecMode // into any: maps with string keys
	decAny  cbor.DecMode // into any: maps with keys of any type (fallback)
)

func init() {
	var err error
	encMode, err = cbor.EncOptions{
		Sort:    cbor.SortCoreDeterministic,
		Time:    cbor.TimeRFC3339Nano,
		TimeTag: cbor.EncTagRequired,
	}.EncMode()
	if err != nil {
		panic(err)
	}
	dec := cbor.DecOptions{
		DefaultMapType: reflect.TypeFor[map[string]any](),
		IntDec:         cbor.IntDecConvertSignedOrBigInt,
		UTF8:           cbor.UTF8DecodeInvalid, // Go strings need not be UTF-8
		// A byte string reads into a string: how Marshal stores a string
		// that starts with the tag's bytes.
		ByteStringToString: cbor.ByteStringToStringAllowed,
	}
	if decMode, err = dec.DecMode(); err != nil {
		panic(err)
	}
	dec.DefaultMapType = nil
	if decAny, err = dec.DecMode(); err != nil {
		panic(err)
	}
}

// Marshal encodes v as the stub stores it (see the package doc): strings
// and byte slices as they are, integers and floats as decimal text,
// anything else as CBOR behind the self-describe tag. A string or byte
// slice that itself begins with the tag's bytes is stored as tagged CBOR.
// Unencodable values (channels, functions, complex numbers) give an error
// wrapping ErrUnsupportedType.
func Marshal(v any) ([]byte, error) {
	a, err := encode(v)
	if err != nil {
		return nil, err
	}
	if s, ok := a.(string); ok {
		return []byte(s), nil
	}
	return a.([]byte), nil
}

// encode is Marshal returning a string or []byte, whichever avoids a copy;
// go-redis writes either as a bulk string.
func encode(v any) (any, error) {
	switch x := v.(type) {
	case string:
		if !cbortag.Tagged(x) {
			return x, nil
		}
	case []byte:
		if !cbortag.Tagged(x) {
			return x, nil
		}
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return formatFloat(x, 64), nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		if s := rv.String(); !cbortag.Tagged(s) {
			return s, nil
		}
		// As a CBOR byte string: text starting d9 d9 is never valid UTF-8.
		return encodeCBOR([]byte(rv.String()))
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			if b := rv.Bytes(); !cbortag.Tagged(b) {
				return b, nil
			}
			return encodeCBOR(rv.Bytes()) // as a CBOR byte string
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(rv.Uint(), 10), nil
	case reflect.Float32:
		return formatFloat(rv.Float(), 32), nil
	case reflect.Float64:
		return formatFloat(rv.Float(), 64), nil
	case reflect.Complex64, reflect.Complex128, reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return nil, fmt.Errorf("stub: encode %s: %w", rv.Type(), ErrUnsupportedType)
	}
	return encodeCBOR(v)
}

// formatFloat is the shortest decimal text that parses back to f, the
// form INCRBYFLOAT and every other client read as a number.
func formatFloat(f float64, bits int) string {
	return strconv.FormatFloat(f, 'g', -1, bits)
}

func encodeCBOR(v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(cbortag.Prefix)
	if err := encMode.NewEncoder(&buf).Encode(v); err != nil {
		var ute *cbor.UnsupportedTypeError
		if errors.As(err, &ute) {
			return nil, fmt.Errorf("stub: encode %s: %w", ute.Type, ErrUnsupportedType)
		}
		return nil, fmt.Errorf("stub: encode %T: %w", v, err)
	}
	return buf.Bytes(), nil
}

// Unmarshal decodes data, as stored by Marshal or written by any other
// client, into the value ptr points to. Tagged CBOR decodes into the
// target; anything else is text, copied into a string or []byte, parsed
// into an integer or float, and returned as a string into an interface
// target. Other cases give a *DecodeError; a nil or non-pointer ptr gives
// an error wrapping ErrInvalidTarget.
func Unmarshal(data []byte, ptr any) error {
	if cbortag.Tagged(data) {
		return decodeCBOR(data, ptr)
	}
	if p, ok := ptr.(*[]byte); ok && p != nil {
		*p = append([]byte{}, data...)
		return nil
	}
	return decodeText(string(data), ptr)
}

// decode is Unmarshal for a value go-redis returned as a string, which it
// reads into directly when the value is text.
func decode(s string, ptr any) error {
	if cbortag.Tagged(s) {
		return decodeCBOR([]byte(s), ptr)
	}
	return decodeText(s, ptr)
}

func decodeCBOR(data []byte, ptr any) error {
	if err := checkTarget(ptr); err != nil {
		return err
	}
	err := decMode.Unmarshal(data, ptr)
	if err != nil {
		if p, ok := ptr.(*any); ok {
			// A map whose keys are not all strings: decode it as map[any]any.
			if err2 := decAny.Unmarshal(data, p); err2 == nil {
				return nil
			}
		}
		return &DecodeError{Type: reflect.TypeOf(ptr).Elem(), CBOR: true, Err: err}
	}
	return nil
}

func checkTarget(ptr any) error {
	rv := reflect.ValueOf(ptr)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("stub: decode into %T: %w", ptr, ErrInvalidTarget)
	}
	return nil
}

// decodeText stores the text s into *ptr.
func decodeText(s string, ptr any) error {
	if done, err := decodeTextFast(s, ptr); done {
		return err
	}
	if err := checkTarget(ptr); err != nil {
		return err
	}
	return setText(s, reflect.ValueOf(ptr).Elem(), ptr)
}

// decodeTextFast is decodeText for the common targets, without reflection.
func decodeTextFast(s string, ptr any) (bool, error) {
	var err error
	switch p := ptr.(type) {
	case *string:
		if p == nil {
			return false, nil
		}
		*p = s
	case *any:
		if p == nil {
			return false, nil
		}
		*p = s
	case *[]byte:
		if p == nil {
			return false, nil
		}
		*p = []byte(s)
	case *int64:
		if p == nil {
			return false, nil
		}
		var n int64
		if n, err = strconv.ParseInt(s, 10, 64); err == nil {
			*p = n
		}
	case *int:
		if p == nil {
			return false, nil
		}
		var n int64
		if n, err = strconv.ParseInt(s, 10, strconv.IntSize); err == nil {
			*p = int(n)
		}
	case *float64:
		if p == nil {
			return false, nil
		}
		var f float64
		if f, err = strconv.ParseFloat(s, 64); err == nil {
			*p = f
		}
	default:
		return false, nil
	}
	if err != nil {
		return true, textError(s, ptr, err)
	}
	return true, nil
}

// setText stores s into v by v's kind; a nil pointer on the way is
// allocated.
func setText(s string, v reflect.Value, ptr any) error {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return setText(s, v.Elem(), ptr)
	case reflect.String:
		v.SetString(s)
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.Uint8 {
			return textError(s, ptr, nil)
		}
		v.SetBytes([]byte(s))
	case reflect.Interface:
		if v.NumMethod() != 0 {
			return textError(s, ptr, nil)
		}
		v.Set(reflect.ValueOf(s))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, v.Type().Bits())
		if err != nil {
			return textError(s, ptr, err)
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, err := strconv.ParseUint(s, 10, v.Type().Bits())
		if err != nil {
			return textError(s, ptr, err)
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(s, v.Type().Bits())
		if err != nil {
			return textError(s, ptr, err)
		}
		v.SetFloat(f)
	default:
		return textError(s, ptr, nil)
	}
	return nil
}

// textError reports text that cannot go into ptr's target.
func textError(s string, ptr any, err error) error {
	if err == nil {
		err = ErrUnsupportedType
	}
	const max = 40
	if len(s) > max {
		s = s[:max] + "..."
	}
	return &DecodeError{Type: reflect.TypeOf(ptr).Elem(), Text: s, Err: err}
}
