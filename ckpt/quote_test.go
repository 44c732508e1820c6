package ckpt

import "testing"

func TestQuoteName(t *testing.T) {
	for _, c := range []struct{ in, quoted, display string }{
		{"dense_0/weights", `"dense_0/weights"`, "dense_0/weights"},
		{"dense\u200b_0", `"dense\u200b_0"`, `"dense\u200b_0"`},
		{"\ufeffdense_0", `"\ufeffdense_0"`, `"\ufeffdense_0"`},
		{"dense\u00a00", `"dense\u00a00"`, `"dense\u00a00"`},
		{"a\u3164b", `"a\u3164b"`, `"a\u3164b"`},
		{"a b", `"a b"`, `"a b"`},
		{`a"b\c`, `"a\"b\\c"`, `"a\"b\\c"`},
		{"poids_é", `"poids_é"`, "poids_é"},
		{"line\nbreak", `"line\nbreak"`, `"line\nbreak"`},
		{"bad\xffutf8", `"bad\xffutf8"`, `"bad\xffutf8"`},
		{"", `""`, `""`},
	} {
		if got := QuoteName(c.in); got != c.quoted {
			t.Errorf("QuoteName(%+q) = %s, want %s", c.in, got, c.quoted)
		}
		if got := DisplayName(c.in); got != c.display {
			t.Errorf("DisplayName(%+q) = %s, want %s", c.in, got, c.display)
		}
	}
	// Names that look the same differ once quoted.
	seen := map[string]string{}
	for _, n := range []string{"w", "w\u200b", "\ufeffw", "w\u00a0", "w\u2060"} {
		q := DisplayName(n)
		if prev, dup := seen[q]; dup {
			t.Errorf("%+q and %+q both display as %s", prev, n, q)
		}
		seen[q] = n
	}
}
