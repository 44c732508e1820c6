package train

import (
	"strings"
	"testing"
)

func TestEpochSchedule(t *testing.T) {
	steps := Steps(1000, 32, 10) // 32 steps per epoch
	if steps != 320 {
		t.Fatalf("Steps = %d, want 320", steps)
	}
	for _, c := range []struct{ in, want string }{
		{"constant", "constant"},
		{"cosine", "cosine:320:0"},
		{"cosine:0.1", "cosine:320:0.1"},
		{"step:2:0.5", "step:64:0.5"},
		{"exp:0.5:0.9", "exp:16:0.9"},
	} {
		s, err := EpochSchedule(c.in, 10, 32)
		if err != nil || s.String() != c.want {
			t.Errorf("%q: %v, %v; want %s", c.in, s, err, c.want)
		}
	}
	for _, bad := range []string{"linear", "step:0:0.5", "step:2", "cosine:1:2"} {
		if _, err := EpochSchedule(bad, 10, 32); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if _, err := EpochSchedule("cosine", 0, 32); err == nil {
		t.Error("0 epochs accepted")
	}
}
