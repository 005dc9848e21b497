//go:build !linux

package toe

// Outside Linux there is no subreaper nor /proc: only the step's process
// group is killed (proc_unix.go). The executor targets Linux.
type runReaper struct{}

func beginReaping(string) *runReaper { return &runReaper{} }
func (*runReaper) end()              {}
func killTagged(string)              {}
