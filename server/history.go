package server

import (
	"sync"
	"time"

	"convscope/nn"
)

// maxHistory bounds the metric history sent in hello and saved in checkpoints.
const maxHistory = 1024

// History is the run's metric curve, column-wise (docs/PROTOCOL.md, hello.history).
type History struct {
	Step          []int64   `json:"step"`
	Epoch         []int     `json:"epoch"`
	EpochFraction []float64 `json:"epoch_fraction"`
	TrainLoss     []float64 `json:"train_loss"`
	TrainAccuracy []float64 `json:"train_accuracy"`
	TestAccuracy  []float64 `json:"test_accuracy"`
	TestLoss      []float64 `json:"test_loss"`
	TestAt        []int64   `json:"test_at"`
	SamplesPerSec []float64 `json:"samples_per_sec"`
	T             []float64 `json:"t"`
	// Every says how many metric ticks one point stands for; it doubles each time the
	// history is thinned.
	Every int `json:"every"`
}

// Len is the number of points.
func (h History) Len() int { return len(h.Step) }

// history records a point every h.Every metric ticks in which the step moved, and thins
// itself to half when full, so it always covers the whole run evenly.
type history struct {
	mu    sync.Mutex
	h     History
	ticks int
}

func (hs *history) add(p nn.Progress, at time.Time) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	h := &hs.h
	if h.Every < 1 {
		h.Every = 1
	}
	if n := h.Len(); n > 0 && p.Step < h.Step[n-1] {
		// The run was reset: a new curve begins.
		hs.h, hs.ticks = History{Every: 1}, 0
	}
	if n := h.Len(); n > 0 && h.Step[n-1] == p.Step {
		return
	}
	hs.ticks++
	if hs.ticks < h.Every && h.Len() > 0 {
		return
	}
	hs.ticks = 0
	h.Step = append(h.Step, p.Step)
	h.Epoch = append(h.Epoch, p.Epoch)
	h.EpochFraction = append(h.EpochFraction, p.EpochFraction)
	h.TrainLoss = append(h.TrainLoss, p.TrainLoss)
	h.TrainAccuracy = append(h.TrainAccuracy, p.TrainAccuracy)
	h.TestAccuracy = append(h.TestAccuracy, p.TestAccuracy)
	h.TestLoss = append(h.TestLoss, p.TestLoss)
	h.TestAt = append(h.TestAt, p.TestAt)
	h.SamplesPerSec = append(h.SamplesPerSec, p.SamplesPerSec)
	h.T = append(h.T, millis(at))
	if h.Len() >= maxHistory {
		thin(h)
	}
}

// thin keeps every second point (and the last one) and doubles Every.
func thin(h *History) {
	keep := func(n int, move func(dst, src int)) int {
		j := 0
		for i := 0; i < n; i++ {
			if i%2 == 0 || i == n-1 {
				move(j, i)
				j++
			}
		}
		return j
	}
	n := h.Len()
	m := keep(n, func(d, s int) {
		h.Step[d], h.Epoch[d], h.EpochFraction[d] = h.Step[s], h.Epoch[s], h.EpochFraction[s]
		h.TrainLoss[d], h.TrainAccuracy[d], h.TestAccuracy[d] = h.TrainLoss[s], h.TrainAccuracy[s], h.TestAccuracy[s]
		h.TestLoss[d] = h.TestLoss[s]
		h.TestAt[d], h.SamplesPerSec[d], h.T[d] = h.TestAt[s], h.SamplesPerSec[s], h.T[s]
	})
	h.Step, h.Epoch, h.EpochFraction = h.Step[:m], h.Epoch[:m], h.EpochFraction[:m]
	h.TrainLoss, h.TrainAccuracy, h.TestAccuracy = h.TrainLoss[:m], h.TrainAccuracy[:m], h.TestAccuracy[:m]
	h.TestLoss = h.TestLoss[:m]
	h.TestAt, h.SamplesPerSec, h.T = h.TestAt[:m], h.SamplesPerSec[:m], h.T[:m]
	h.Every *= 2
}

// snapshot returns a copy safe to marshal while recording goes on.
func (hs *history) snapshot() History {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	h := hs.h
	h.Step = append([]int64{}, h.Step...)
	h.Epoch = append([]int{}, h.Epoch...)
	h.EpochFraction = append([]float64{}, h.EpochFraction...)
	h.TrainLoss = append([]float64{}, h.TrainLoss...)
	h.TrainAccuracy = append([]float64{}, h.TrainAccuracy...)
	h.TestAccuracy = append([]float64{}, h.TestAccuracy...)
	h.TestLoss = append([]float64{}, h.TestLoss...)
	h.TestAt = append([]int64{}, h.TestAt...)
	h.SamplesPerSec = append([]float64{}, h.SamplesPerSec...)
	h.T = append([]float64{}, h.T...)
	if h.Every < 1 {
		h.Every = 1
	}
	return h
}

// restore replaces the history (from a checkpoint), checking the columns agree.
func (hs *history) restore(h History) bool {
	n := h.Len()
	if len(h.Epoch) != n || len(h.EpochFraction) != n || len(h.TrainLoss) != n ||
		len(h.TrainAccuracy) != n || len(h.TestAccuracy) != n || len(h.TestAt) != n ||
		(len(h.TestLoss) != n && len(h.TestLoss) != 0) ||
		len(h.SamplesPerSec) != n || len(h.T) != n {
		return false
	}
	if len(h.TestLoss) == 0 {
		h.TestLoss = make([]float64, n) // checkpoints from before the column existed
	}
	hs.mu.Lock()
	defer hs.mu.Unlock()
	hs.h = h
	for hs.h.Len() >= maxHistory {
		thin(&hs.h)
	}
	return true
}
