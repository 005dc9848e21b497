package toe

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// stateFileName is the file in the state directory that lets a run resume
// after a reboot.
const stateFileName = "executionstate.json"

// savedState is what a run that asked for a reboot leaves behind.
type savedState struct {
	ExecutionID string                         `json:"executionId"`
	Documents   []string                       `json:"documents"`
	Phases      []string                       `json:"phases"`
	Position    position                       `json:"position"`
	Result      *RunResult                     `json:"result"`
	Records     map[int]map[string]*stepRecord `json:"records"`
	Executed    int                            `json:"executedStepCount"`
	Failed      int                            `json:"failedStepCount"`
	Ignored     int                            `json:"ignoredFailedStepCount"`
}

func statePath(dir string) string { return filepath.Join(dir, stateFileName) }

func saveState(dir string, st *savedState) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	tmp := statePath(dir) + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, statePath(dir))
}

// loadState returns the saved state of an interrupted (rebooted) run of
// the same documents and phases, or nil when there is none.
func loadState(dir string, docs []*loadedDoc, phases []string) (*savedState, error) {
	b, err := os.ReadFile(statePath(dir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the saved state %s: %w", statePath(dir), err)
	}
	var st savedState
	if err := json.Unmarshal(b, &st); err != nil || st.Result == nil {
		return nil, fmt.Errorf("the saved state %s is unreadable: delete it to start afresh", statePath(dir))
	}
	if !slices.Equal(st.Documents, docPaths(docs)) || !slices.Equal(st.Phases, phases) {
		return nil, fmt.Errorf("the state directory holds a run of other documents or phases (%v, phases %v): run that again to resume, or delete %s to start afresh", st.Documents, st.Phases, statePath(dir))
	}
	return &st, nil
}

func removeState(dir string) { _ = os.Remove(statePath(dir)) }
