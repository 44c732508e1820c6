package meta

import (
	"strings"
	"testing"
)

func TestNumbers(t *testing.T) {
	m := map[string]string{"a": "12", "big": "4611686018427387904", "neg": "-1", "f": "0.5", "nan": "NaN", "inf": "+Inf", "x": "1e12"}
	if n, err := Int(m, "p", "a", 1, 100); err != nil || n != 12 {
		t.Errorf("Int(a) = %d, %v", n, err)
	}
	for _, key := range []string{"big", "neg", "f", "x"} {
		if _, err := Int(m, "p", key, 0, 1<<20); err == nil || !strings.Contains(err.Error(), "from 0 to 1048576") {
			t.Errorf("Int(%s) = %v, want an error naming the range", key, err)
		}
	}
	if _, err := Int(m, "p", "missing", 0, 1); err == nil || !strings.Contains(err.Error(), `no "missing" key`) {
		t.Errorf("missing key: %v", err)
	}
	if x, err := Float(m, "p", "f"); err != nil || x != 0.5 {
		t.Errorf("Float(f) = %v, %v", x, err)
	}
	if x, err := Float(m, "p", "inf"); err != nil || x < 1e308 {
		t.Errorf("Float(inf) = %v, %v", x, err)
	}
	for _, key := range []string{"nan", "missing"} {
		if _, err := Float(m, "p", key); err == nil {
			t.Errorf("Float(%s): no error", key)
		}
	}
	if n, err := Uint64(m, "p", "big"); err != nil || n != 1<<62 {
		t.Errorf("Uint64(big) = %d, %v", n, err)
	}
	if _, err := Uint64(m, "p", "neg"); err == nil {
		t.Error("Uint64(neg): no error")
	}
}
