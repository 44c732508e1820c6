package gemmshape

import "testing"

func TestShape(t *testing.T) {
	s := Step[1]
	if s.String() != "784x256x128TN" || s.Flops() != 2*784*256*128 {
		t.Errorf("%v: %v flops", s, s.Flops())
	}
	if ar, ac, br, bc := s.Stored(); ar != 128 || ac != 784 || br != 128 || bc != 256 {
		t.Errorf("stored %d×%d, %d×%d", ar, ac, br, bc)
	}
	if q := Square(64); q.String() != "64x64x64NN" {
		t.Errorf("Square(64) = %v", q)
	}
}
