package toe

import (
	"context"
	"fmt"
	"slices"

	"github.com/ibgitops/ibgitops/runner/toe/toedoc"
)

// executeDocument runs another document (ExecuteDocument): nested at most
// maxNesting levels, never a document that is already running above it.
// Its summary is the step's output and its results the step's
// detailedOutput.
func (x *executor) executeDocument(ctx context.Context, parent *docRun, inputs any) (output, *RunResult, error) {
	m, err := single(inputs)
	if err != nil {
		return nil, nil, err
	}
	path, err := reqString(m, "document")
	if err != nil {
		return nil, nil, err
	}
	phasesText, _ := optString(m, "phases", "")
	var params []Param
	if raw, ok := m["parameters"]; ok && raw != nil {
		list, ok := raw.([]any)
		if !ok {
			return nil, nil, fmt.Errorf("input \"parameters\" must be a list of {name, value}")
		}
		for i, e := range list {
			pm, _ := e.(map[string]any)
			name, _ := optString(pm, "name", "")
			value, _ := optString(pm, "value", "")
			if name == "" {
				return nil, nil, fmt.Errorf("parameters[%d] needs a name", i)
			}
			params = append(params, Param{Name: name, Value: value})
		}
	}
	path = resolveDocPath(path, parent.path)
	ancestors := append(slices.Clone(parent.ancestors), absOrSelf(parent.path))
	if len(ancestors) > maxNesting {
		return nil, nil, fmt.Errorf("ExecuteDocument %s would nest %d levels deep; AWSTOE allows %d: flatten the documents", path, len(ancestors), maxNesting)
	}
	if slices.Contains(ancestors, absOrSelf(path)) {
		return nil, nil, fmt.Errorf("ExecuteDocument %s: the document is already running above this step (a cycle); remove the circular call", path)
	}
	child, err := loadOne(ctx, x.env.s3, path, params, toedoc.SplitList(phasesText), ancestors, x.opts.AllowMissingSteps)
	if err != nil {
		return nil, nil, fmt.Errorf("ExecuteDocument: %w", err)
	}
	if len(child.phases) == 0 {
		child.phases = nil
	}
	run := &docRun{loadedDoc: child, records: map[string]*stepRecord{}}
	start := x.now()
	dr := &DocumentResult{Name: child.doc.Name, FilePath: path, Description: child.doc.Description, StartTime: stamp(start), Phases: []*PhaseResult{}}
	// top=false: the child's steps are counted in its own summary (the
	// step's output), not in the top-level one.
	reboot, _ := x.runDocument(ctx, run, dr, 0, nil, false)
	sub := &RunResult{ExecutionID: x.opts.ExecutionID, Status: dr.Status, StartTime: dr.StartTime, EndTime: dr.EndTime, FailureMessage: dr.FailureMessage, Documents: []*DocumentResult{dr}}
	executed, failed, ignored := countSteps(dr)
	summary := map[string]any{
		"executionId": x.opts.ExecutionID, "status": StatusSuccess, "executedStepCount": executed,
		"failedStepCount": failed, "ignoredFailedStepCount": ignored, "failureMessage": "", "logUrl": absOrSelf(x.logDir),
	}
	if reboot != nil {
		return output{summary}, sub, &errRebootRequested{rerunStep: true}
	}
	if dr.Status == StatusFailed {
		summary["status"] = StatusFailed
		summary["failureMessage"] = fmt.Sprintf("Document %s failed! %s", path, dr.FailureMessage)
		return output{summary}, sub, fmt.Errorf("document %s failed: %s", path, dr.FailureMessage)
	}
	return output{summary}, sub, nil
}

func countSteps(dr *DocumentResult) (executed, failed, ignored int) {
	for _, p := range dr.Phases {
		for _, s := range p.Steps {
			switch s.Status {
			case StatusSkipped:
				continue
			case StatusFailed:
				failed++
			case StatusIgnoredFailure:
				ignored++
			}
			executed++
		}
	}
	return
}
