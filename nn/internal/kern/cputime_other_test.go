//go:build !linux

package kern

import "time"

// threadCPU reports that per-thread CPU time is not measured on this system.
func threadCPU() (time.Duration, bool) { return 0, false }
