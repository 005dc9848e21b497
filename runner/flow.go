// Package runner is the flow of `ibgitops run` and `ibgitops release`: an
// ordered list of small steps over one typed State (lint, plan, build,
// write reports, report to the CI host). Skipping, progress logging,
// error wrapping and "reporting never fails the run" are wrappers around
// steps, not code inside them.
package runner

import (
	"context"
	"fmt"
	"time"

	"github.com/ibgitops/ibgitops/runner/report/escape"
)

// Step is one stage of the flow. String reads as a sentence in progress
// output ("planning changes").
type Step interface {
	String() string
	Run(ctx context.Context, s *State) error
}

// Skipper is implemented by steps that do not always apply; the reason is
// shown and recorded in the report.
type Skipper interface {
	Skip(s *State) (reason string, skip bool)
}

// Flow runs the work steps in order until one fails, then every step of
// always (the reports), so that a run that could not finish still says so
// where people look. Which list a step is in decides whether it runs after
// a failure: no wrapper has to be looked through.
func Flow(ctx context.Context, s *State, work, always []Step) error {
	for _, st := range work {
		if err := st.Run(ctx, s); err != nil {
			s.Err = err
			break
		}
	}
	for _, st := range always {
		if err := st.Run(ctx, s); err != nil && s.Err == nil {
			s.Err = err
		}
	}
	return s.Err
}

// skippable asks the step it was built around whether it applies. It
// keeps that step (inner) beside the wrapped chain (next), so a new
// wrapper never needs unwrapping.
type skippable struct {
	Step
	inner Step
}

func (w skippable) Run(ctx context.Context, s *State) error {
	if sk, ok := w.inner.(Skipper); ok {
		if reason, skip := sk.Skip(s); skip {
			if reason != "" {
				s.progressf("skipped %s: %s", w.inner, reason)
				s.Skipped = append(s.Skipped, fmt.Sprintf("%s: %s", w.inner, reason))
			}
			return nil
		}
	}
	return w.Step.Run(ctx, s)
}

// logged prints the step's sentence and how long it took.
type logged struct{ Step }

func (w logged) Run(ctx context.Context, s *State) error {
	start := s.now()
	end := s.section(w.Step.String())
	s.progressf("%s", w.Step)
	err := w.Step.Run(ctx, s)
	if err != nil {
		s.progressf("%s: failed after %s", w.Step, roundDur(s.now().Sub(start)))
	}
	end()
	return err
}

// section opens a collapsible section of the job log around a step when
// the host folds them (GitLab reads these escape sequences from the log)
// and returns the function that closes it. Elsewhere it does nothing.
func (s *State) section(title string) func() {
	if s.CI == nil || !s.CI.LogSections || s.Opts.Progress == nil {
		return func() {}
	}
	s.mu.Lock()
	s.sections++
	name := fmt.Sprintf("ibgitops_step_%d", s.sections)
	fmt.Fprintf(s.Opts.Progress, "\x1b[0Ksection_start:%d:%s\r\x1b[0K%s\n", s.now().Unix(), name, escape.Term(title))
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		fmt.Fprintf(s.Opts.Progress, "\x1b[0Ksection_end:%d:%s\r\x1b[0K\n", s.now().Unix(), name)
	}
}

// wrapped prefixes the step's error with its sentence.
type wrapped struct{ Step }

func (w wrapped) Run(ctx context.Context, s *State) error {
	if err := w.Step.Run(ctx, s); err != nil {
		return fmt.Errorf("%s: %w", w.Step, err)
	}
	return nil
}

// bestEffort turns a failure into a note in the report: reporting never
// changes the outcome of the lint or the build.
type bestEffort struct{ Step }

func (w bestEffort) Run(ctx context.Context, s *State) error {
	if ctx.Err() != nil {
		// Interrupted: still say so where people look, under a fresh,
		// bounded context.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
		defer cancel()
	}
	if err := w.Step.Run(ctx, s); err != nil {
		s.note("%s: %v", w.Step, err)
	}
	return nil
}

// work is a step that does the job: logged, skippable, errors wrapped.
func work(st Step) Step { return skippable{Step: logged{wrapped{st}}, inner: st} }

// reporting is a step that tells people: it never fails the run. Put it
// in a flow's always list to run it after a failure too.
func reporting(st Step) Step { return skippable{Step: logged{bestEffort{st}}, inner: st} }

func roundDur(d time.Duration) time.Duration {
	if d > time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}
