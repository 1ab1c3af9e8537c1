//go:build goexperiment.simd && amd64

package kern

// available lists the implementations this build can run on this CPU, fastest first.
func available() []kernels {
	return []kernels{scalarKernels}
}
