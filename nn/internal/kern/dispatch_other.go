//go:build !(goexperiment.simd && amd64)

package kern

// available lists the implementations this build can run, fastest first. Without the
// SIMD experiment on amd64 only the portable one exists.
func available() []kernels { return []kernels{scalarKernels} }
