package toe

import "sync"

// Everything a step starts must end with the run, including what escaped
// its process group (`setsid daemon &`, a double fork). Two marks find it:
//
//   - every step process gets IBGITOPS_TOE_RUN=<run tag> and
//     IBGITOPS_TOE_STEP=<step tag> in its environment, which its
//     descendants inherit whatever group or session they move to;
//   - on Linux the executor is a child subreaper while a run is active, so
//     an orphan whose parent exited (and that cleared its environment) is
//     re-parented to the executor instead of init.
//
// A step's timeout or an interrupt kills its process group and every
// process with its step tag; the end of the run kills every process with
// the run tag and every orphan re-parented to the executor during the run.
// Orphans are then reaped, so no zombie is left either.
const (
	envRunTag  = "IBGITOPS_TOE_RUN"
	envStepTag = "IBGITOPS_TOE_STEP"
)

// procs tracks the step processes running now, in every run of this
// process: they are the executor's own children, not orphans, and are
// waited for by os/exec, never by the reaper.
var procs = struct {
	sync.Mutex
	live map[int]bool
}{live: map[int]bool{}}

// startTracked starts a step process and registers it atomically with
// respect to the reaper, which holds the same lock while it decides what
// is an orphan.
func startTracked(start func() error, pid func() int) error {
	procs.Lock()
	defer procs.Unlock()
	if err := start(); err != nil {
		return err
	}
	procs.live[pid()] = true
	return nil
}

func untrack(pid int) {
	procs.Lock()
	delete(procs.live, pid)
	procs.Unlock()
}
