package runner

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/ibgitops/ibgitops/runner/report/escape"
)

// live is the terminal view of the builds: log lines scroll above a block
// with one line per recipe (its stage, last message and time so far),
// redrawn in place. Without a terminal, recipe updates are plain
// timestamped lines instead.
type live struct {
	w     io.Writer
	now   func() time.Time
	width int

	mu      sync.Mutex
	order   []string
	recipes map[string]*liveRecipe
	drawn   int // lines of the block currently on screen
	stop    chan struct{}
	stopped chan struct{}
}

type liveRecipe struct {
	stage, msg string
	started    time.Time
	finished   time.Time
}

func newLive(w io.Writer, now func() time.Time) *live {
	return &live{w: w, now: now, width: 120, recipes: map[string]*liveRecipe{}}
}

// start redraws every second so the elapsed times move.
func (l *live) start() {
	l.stop, l.stopped = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(l.stopped)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-l.stop:
				return
			case <-t.C:
				l.mu.Lock()
				l.redraw()
				l.mu.Unlock()
			}
		}
	}()
}

// finish stops the ticker and leaves the final block on screen.
func (l *live) finish() {
	if l.stop != nil {
		close(l.stop)
		<-l.stopped
		l.stop = nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.redraw()
	l.drawn = 0
	l.order, l.recipes = nil, map[string]*liveRecipe{}
}

// line prints a log line above the block.
func (l *live) line(text string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.clear()
	fmt.Fprintln(l.w, text)
	l.draw()
}

// update sets a recipe's stage and message.
func (l *live) update(recipe, stage, msg string, done bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, ok := l.recipes[recipe]
	if !ok {
		r = &liveRecipe{started: l.now()}
		l.recipes[recipe] = r
		l.order = append(l.order, recipe)
	}
	if !r.finished.IsZero() && !done {
		// A finished recipe keeps its outcome; later events about it come
		// from other builds (a child checking its parent).
		return
	}
	r.stage, r.msg = stage, msg
	if done {
		r.finished = l.now()
	}
	l.redraw()
}

func (l *live) clear() {
	if l.drawn > 0 {
		// Up to the block's first line, then clear to the end of screen.
		fmt.Fprintf(l.w, "\x1b[%dA\r\x1b[J", l.drawn)
		l.drawn = 0
	}
}

func (l *live) redraw() {
	l.clear()
	l.draw()
}

func (l *live) draw() {
	now := l.now()
	for _, name := range l.order {
		r := l.recipes[name]
		end := now
		if !r.finished.IsZero() {
			end = r.finished
		}
		text := fmt.Sprintf("  %-20s %-10s %6s  %s", escape.Term(name), escape.Term(r.stage), roundDur(end.Sub(r.started)).Truncate(time.Second), escape.Term(oneLine(r.msg)))
		if len([]rune(text)) > l.width {
			text = string([]rune(text)[:l.width-1]) + "…"
		}
		fmt.Fprintln(l.w, text)
		l.drawn++
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
