//go:build linux

package toe

import (
	"bytes"
	"os"
	"strconv"
	"sync"
	"syscall"
)

const prSetChildSubreaper = 36 // PR_SET_CHILD_SUBREAPER, linux/prctl.h

var subreaper struct {
	sync.Mutex
	runs int
}

// runReaper is one run's clean-up: the children the process already had
// when the run started are not the run's orphans.
type runReaper struct {
	tag    string
	before map[int]uint64 // pid -> start time of the children at the start
}

// beginReaping makes this process a child subreaper for the run (while
// any run is active) and remembers its current children.
func beginReaping(tag string) *runReaper {
	subreaper.Lock()
	if subreaper.runs == 0 {
		syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0)
	}
	subreaper.runs++
	subreaper.Unlock()
	r := &runReaper{tag: tag, before: map[int]uint64{}}
	self := os.Getpid()
	for pid, p := range scanProcs() {
		if p.ppid == self {
			r.before[pid] = p.start
		}
	}
	return r
}

// end kills what the run's steps left running, reaps it, and drops the
// subreaper role when no other run needs it.
func (r *runReaper) end() {
	self := os.Getpid()
	ours := func(pid int, p procInfo) bool {
		start, ok := r.before[pid]
		return !ok || start != p.start
	}
	killWhere(ours, func(pid int, p procInfo, all map[int]procInfo) bool {
		if hasEnv(pid, envRunTag+"="+r.tag) {
			return true
		}
		// An orphan re-parented to us during the run that is not a
		// running step: it came from a step (nothing else in the
		// executor starts processes), with its environment cleared.
		return p.ppid == self && !procs.live[pid] && ours(pid, p)
	})
	subreaper.Lock()
	subreaper.runs--
	if subreaper.runs == 0 {
		syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 0, 0)
	}
	subreaper.Unlock()
}

// killTagged kills every process carrying env (KEY=VALUE), e.g. one step's
// tag after its timeout.
func killTagged(env string) {
	var killed map[int]bool
	killWhere(func(pid int, _ procInfo) bool { return killed[pid] }, func(pid int, _ procInfo, _ map[int]procInfo) bool {
		if hasEnv(pid, env) {
			if killed == nil {
				killed = map[int]bool{}
			}
			killed[pid] = true
			return true
		}
		return false
	})
}

// killWhere SIGKILLs the processes match selects, and their descendants,
// until a scan finds none (a process may fork while the previous round is
// killed), then reaps our exited children that reap selects.
func killWhere(reap func(pid int, p procInfo) bool, match func(pid int, p procInfo, all map[int]procInfo) bool) {
	self := os.Getpid()
	for round := 0; round < 20; round++ {
		all := scanProcs()
		procs.Lock()
		targets := map[int]bool{}
		for pid, p := range all {
			if pid != self && p.state != 'Z' && match(pid, p, all) {
				targets[pid] = true
			}
		}
		// Descendants of a target go too (a child that cleared its
		// environment but was not orphaned yet).
		for grew := true; grew; {
			grew = false
			for pid, p := range all {
				if !targets[pid] && targets[p.ppid] && p.state != 'Z' && !procs.live[pid] {
					targets[pid], grew = true, true
				}
			}
		}
		procs.Unlock()
		for pid := range targets {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		reapOrphans(self, func(pid int, p procInfo) bool { return targets[pid] || reap(pid, p) })
		if len(targets) == 0 {
			return
		}
	}
}

// reapOrphans waits for the exited children of this process that no
// os/exec Cmd waits for (orphans re-parented to us), so none stays a zombie.
func reapOrphans(self int, reap func(pid int, p procInfo) bool) {
	procs.Lock()
	defer procs.Unlock()
	for pid, p := range scanProcs() {
		if p.ppid != self || procs.live[pid] || !reap(pid, p) {
			continue
		}
		var ws syscall.WaitStatus
		for i := 0; i < 50; i++ { // a SIGKILLed process exits at once; bound the wait anyway
			if got, err := syscall.Wait4(pid, &ws, syscall.WNOHANG, nil); got != 0 || err != nil {
				break
			}
			if p.state != 'Z' {
				syscall.Nanosleep(&syscall.Timespec{Nsec: 2e6}, nil)
			}
		}
	}
}

type procInfo struct {
	ppid  int
	state byte
	start uint64 // clock ticks after boot: tells a reused pid apart
}

// scanProcs reads every process's parent, state and start time from /proc.
func scanProcs() map[int]procInfo {
	out := map[int]procInfo{}
	d, err := os.Open("/proc")
	if err != nil {
		return out
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	for _, name := range names {
		pid, err := strconv.Atoi(name)
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + name + "/stat")
		if err != nil {
			continue
		}
		// The command name is in parentheses and may hold anything:
		// the fields after the last ')' are state, ppid, ... starttime (22nd).
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := bytes.Fields(b[i+1:])
		if len(f) < 20 {
			continue
		}
		ppid, _ := strconv.Atoi(string(f[1]))
		start, _ := strconv.ParseUint(string(f[19]), 10, 64)
		out[pid] = procInfo{ppid: ppid, state: f[0][0], start: start}
	}
	return out
}

// hasEnv reports whether pid's environment holds kv (KEY=VALUE). Processes
// of other users cannot be read and are never ours.
func hasEnv(pid int, kv string) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return false
	}
	for _, e := range bytes.Split(b, []byte{0}) {
		if string(e) == kv {
			return true
		}
	}
	return false
}
