package nn

import (
	"math"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
)

// testLayer builds a layer from ls on input shape in. With flatIn the layer follows a
// flatten (as dense must); with first it is the model's first layer (no input gradient).
func testLayer(t *testing.T, in Shape, ls LayerSpec, flatIn, first bool) Layer {
	t.Helper()
	spec := Spec{Name: "test", Input: in, Layers: []LayerSpec{ls}}
	if flatIn {
		spec.Layers = []LayerSpec{{Type: "flatten"}, ls}
	}
	infos, err := spec.planLayers()
	if err != nil {
		t.Fatalf("plan %+v on %v: %v", ls, in, err)
	}
	info := infos[len(infos)-1]
	info.Index = 1
	if first {
		info.Index = 0
	}
	switch ls.Type {
	case "conv":
		return newConv2D(info, make([]float32, info.Params-info.Out.C), make([]float32, info.Out.C), true)
	case "dense":
		return newDense(info, make([]float32, info.Params-info.Out.C), make([]float32, info.Out.C), true)
	case "relu":
		return newReLU(info, false, false)
	case "maxpool":
		return newMaxPool2D(info, false, false)
	case "flatten":
		return newFlatten(info, flatIn)
	}
	t.Fatalf("unknown layer type %q", ls.Type)
	return nil
}

// randn fills a new slice with n values from N(0, std²).
func randn(rng *rand.Rand, n int, std float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64() * std)
	}
	return x
}

// awayFromZero pushes values at least gap away from 0, so that ReLU has no kink nearby.
func awayFromZero(x []float32, gap float32) {
	for i, v := range x {
		if v >= 0 && v < gap {
			x[i] = v + gap
		} else if v < 0 && v > -gap {
			x[i] = v - gap
		}
	}
}

// toCNHW reorders a sample-major batch x[n][c][hw] to channel-major x[c][n][hw].
func toCNHW(x []float32, n, c, hw int) []float32 {
	y := make([]float32, len(x))
	for s := 0; s < n; s++ {
		for ch := 0; ch < c; ch++ {
			copy(y[(ch*n+s)*hw:(ch*n+s+1)*hw], x[(s*c+ch)*hw:(s*c+ch+1)*hw])
		}
	}
	return y
}

// toNCHW is the inverse of toCNHW.
func toNCHW(x []float32, n, c, hw int) []float32 {
	y := make([]float32, len(x))
	for s := 0; s < n; s++ {
		for ch := 0; ch < c; ch++ {
			copy(y[(s*c+ch)*hw:(s*c+ch+1)*hw], x[(ch*n+s)*hw:(ch*n+s+1)*hw])
		}
	}
	return y
}

// dot64 is Σ a·b in float64.
func dot64(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// closeTo reports whether got is within tol of want, relative to max(1, |want|).
func closeTo(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

var (
	mnistOnce             sync.Once
	mnistTrain, mnistTest *Dataset
	mnistErr              error
)

// loadTestMNIST loads the real MNIST files once per test binary.
func loadTestMNIST(tb testing.TB) (train, test *Dataset) {
	tb.Helper()
	mnistOnce.Do(func() {
		mnistTrain, mnistTest, mnistErr = LoadMNIST(os.DirFS("../samples"), "mnist")
	})
	if mnistErr != nil {
		tb.Fatalf("LoadMNIST: %v", mnistErr)
	}
	return mnistTrain, mnistTest
}
