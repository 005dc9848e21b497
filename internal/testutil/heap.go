package testutil

import (
	"runtime"
	"time"
)

// PeakHeapMB runs fn and returns the highest HeapInuse (MiB) sampled every
// 10 ms meanwhile: a lower bound of the process's peak, for benchmarks
// that report memory beside time (lint, plan).
func PeakHeapMB(fn func()) float64 {
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		var peak uint64
		var ms runtime.MemStats
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				done <- peak
				return
			case <-tick.C:
			}
		}
	}()
	fn()
	close(stop)
	return float64(<-done) / (1 << 20)
}
