package nn

import "testing"

func TestArgmax(t *testing.T) {
	for _, tc := range []struct {
		p    []float32
		want int
	}{
		{[]float32{0.1, 0.7, 0.2}, 1},
		{[]float32{0.9}, 0},
		{[]float32{-3, -1, -2}, 1},
		{[]float32{0.2, 0.4, 0.4}, 1}, // a tie goes to the first
		{[]float32{0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 9},
	} {
		if got := Argmax(tc.p); got != tc.want {
			t.Errorf("Argmax(%v) = %d, want %d", tc.p, got, tc.want)
		}
	}
}
