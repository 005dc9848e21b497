package aws

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/ibgitops/ibgitops/internal/lazyre"
	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/runner/backend"
)

// build is one image being waited for.
type build struct {
	target  string // "pipeline web" or "recipe web"
	arn     string
	started bool // this run started it: an interrupt cancels it
	status  types.ImageStatus
	image   *types.Image
	execs   map[string]*execSeen
	order   []string // workflow execution ids, first seen first
}

type execSeen struct {
	meta  types.WorkflowExecutionMetadata
	steps []types.WorkflowStepMetadata
	key   string // status and counters when the steps were last listed
}

func terminal(s types.ImageStatus) bool {
	switch s {
	case types.ImageStatusAvailable, types.ImageStatusFailed, types.ImageStatusCancelled,
		types.ImageStatusDeprecated, types.ImageStatusDeleted, types.ImageStatusDisabled:
		return true
	}
	return false
}

// stage maps an image status to a progress stage.
func stage(s types.ImageStatus) string {
	switch s {
	case types.ImageStatusBuilding:
		return "build"
	case types.ImageStatusTesting:
		return "test"
	case types.ImageStatusDistributing, types.ImageStatusIntegrating:
		return "distribute"
	}
	return strings.ToLower(string(s))
}

func workflowStage(t types.WorkflowType) string {
	switch t {
	case types.WorkflowTypeBuild:
		return "build"
	case types.WorkflowTypeTest:
		return "test"
	case types.WorkflowTypeDistribution:
		return "distribute"
	}
	return strings.ToLower(string(t))
}

// wait polls the builds with backoff until each is finished, reporting
// status changes and workflow steps as progress. When ctx is cancelled it
// cancels the builds this run started, under a fresh bounded context.
func (r *run) wait(ctx context.Context, res *backend.Result, recipe *recipes.Recipe, builds []*build) (*backend.Result, error) {
	b := r.b
	interval := b.opts.PollInterval
	for {
		pending := 0
		for _, bd := range builds {
			if terminal(bd.status) {
				continue
			}
			if err := r.poll(ctx, bd); err != nil {
				if ctx.Err() != nil {
					break
				}
				return nil, err
			}
			if !terminal(bd.status) {
				pending++
			}
		}
		if ctx.Err() != nil {
			return r.interrupted(res, builds)
		}
		if pending == 0 {
			break
		}
		select {
		case <-ctx.Done():
			return r.interrupted(res, builds)
		case <-time.After(interval):
		}
		interval = min(interval*3/2, b.opts.MaxPollInterval)
	}
	return r.report(res, recipe, builds), nil
}

// poll reads one build's image and, while it runs, its workflows.
func (r *run) poll(ctx context.Context, bd *build) error {
	out, err := r.b.api.GetImage(ctx, &imagebuilder.GetImageInput{ImageBuildVersionArn: ptr(bd.arn)})
	if err != nil {
		return explain("GetImage", bd.arn, err)
	}
	img := out.Image
	if img == nil || img.State == nil {
		return fmt.Errorf("GetImage %s: the answer has no image state", bd.arn)
	}
	bd.image = img
	changed := img.State.Status != bd.status
	bd.status = img.State.Status
	if terminal(bd.status) {
		r.b.mu.Lock()
		delete(r.b.inflight, bd.arn)
		r.b.mu.Unlock()
	}
	// Steps that finished belong to the state just left: they come before
	// the new state, the steps that started after it.
	var events []stepEvent
	if bd.status != types.ImageStatusPending && bd.status != types.ImageStatusCreating {
		var err error
		if events, err = r.workflows(ctx, bd); err != nil {
			return err
		}
	}
	for _, ev := range events {
		if ev.finished {
			r.emit(ev.stage, "%s", ev.msg)
		}
	}
	if changed {
		r.emit(stage(bd.status), "%s: image %s is %s", bd.target, bd.arn, bd.status)
	}
	for _, ev := range events {
		if !ev.finished {
			r.emit(ev.stage, "%s", ev.msg)
		}
	}
	return nil
}

// stepEvent is a workflow step transition to report.
type stepEvent struct {
	stage, msg string
	finished   bool
}

// workflows lists the image's workflow executions, and the steps of those
// whose status or counters changed, reporting step transitions.
func (r *run) workflows(ctx context.Context, bd *build) ([]stepEvent, error) {
	var events []stepEvent
	if bd.execs == nil {
		bd.execs = map[string]*execSeen{}
	}
	p := imagebuilder.NewListWorkflowExecutionsPaginator(r.b.api, &imagebuilder.ListWorkflowExecutionsInput{ImageBuildVersionArn: ptr(bd.arn)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, explain("ListWorkflowExecutions", bd.arn, err)
		}
		for _, ex := range page.WorkflowExecutions {
			id := aws.ToString(ex.WorkflowExecutionId)
			seen := bd.execs[id]
			if seen == nil {
				seen = &execSeen{}
				bd.execs[id] = seen
				bd.order = append(bd.order, id)
			}
			seen.meta = ex
			key := fmt.Sprintf("%s/%d/%d/%d", ex.Status, ex.TotalStepsSucceeded, ex.TotalStepsFailed, ex.TotalStepsSkipped)
			if key == seen.key {
				continue
			}
			seen.key = key
			evs, err := r.steps(ctx, bd, seen)
			if err != nil {
				return nil, err
			}
			events = append(events, evs...)
		}
	}
	return events, nil
}

func (r *run) steps(ctx context.Context, bd *build, seen *execSeen) ([]stepEvent, error) {
	before := map[string]types.WorkflowStepExecutionStatus{}
	for _, s := range seen.steps {
		before[aws.ToString(s.StepExecutionId)] = s.Status
	}
	var steps []types.WorkflowStepMetadata
	p := imagebuilder.NewListWorkflowStepExecutionsPaginator(r.b.api, &imagebuilder.ListWorkflowStepExecutionsInput{WorkflowExecutionId: seen.meta.WorkflowExecutionId})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, explain("ListWorkflowStepExecutions", aws.ToString(seen.meta.WorkflowExecutionId), err)
		}
		steps = append(steps, page.Steps...)
	}
	seen.steps = steps
	var events []stepEvent
	for _, s := range steps {
		if s.Status == types.WorkflowStepExecutionStatusPending || before[aws.ToString(s.StepExecutionId)] == s.Status {
			continue
		}
		msg := fmt.Sprintf("%s: %s step %s %s", bd.target, seen.meta.Type, aws.ToString(s.Name), s.Status)
		if m := aws.ToString(s.Message); m != "" && s.Status == types.WorkflowStepExecutionStatusFailed {
			msg += ": " + m
		}
		events = append(events, stepEvent{stage: workflowStage(seen.meta.Type), msg: msg, finished: s.Status != types.WorkflowStepExecutionStatusRunning})
	}
	return events, nil
}

// interrupted cancels the in-flight builds this run started and says
// exactly what it cancelled and what stays: only image builds are
// cancelled; the component and recipe versions, configurations and
// pipelines this run created or updated stay in Image Builder (versions
// are immutable and the next run reuses them), and so do builds another
// run started.
func (r *run) interrupted(res *backend.Result, builds []*build) (*backend.Result, error) {
	cancelled, left, errs := r.cancelStarted(builds)
	var parts []string
	if len(cancelled) > 0 {
		parts = append(parts, "cancelled the image build(s) this run started (CancelImageCreation sent, nothing distributed): "+strings.Join(cancelled, ", "))
	}
	if len(left) > 0 {
		parts = append(parts, "left running (started by another or an earlier run) "+strings.Join(left, ", "))
	}
	for _, err := range errs {
		parts = append(parts, err.Error())
	}
	if len(r.applied) > 0 {
		parts = append(parts, "kept in Image Builder (the next run reuses them): "+strings.Join(r.applied, ", "))
	} else {
		parts = append(parts, "created no component, recipe, configuration or pipeline (all existed)")
	}
	res.Status = backend.StatusCancelled
	res.Message = "interrupted: " + strings.Join(parts, "; ")
	res.Finished = r.b.opts.Now()
	return res, nil
}

// cancelStarted cancels, under a fresh bounded context, every build of
// this run that this run started and that is not finished.
func (r *run) cancelStarted(builds []*build) (cancelled, left []string, errs []error) {
	ctx, cancel := context.WithTimeout(context.Background(), r.b.opts.CancelTimeout)
	defer cancel()
	for _, bd := range builds {
		if terminal(bd.status) {
			continue
		}
		if !bd.started {
			left = append(left, bd.arn)
			continue
		}
		if err := r.b.cancelImage(ctx, bd.arn); err != nil {
			errs = append(errs, err)
			continue
		}
		bd.status = types.ImageStatusCancelled
		cancelled = append(cancelled, bd.arn)
		r.emit("cancelled", "%s: cancelled image %s (CancelImageCreation)", bd.target, bd.arn)
	}
	return cancelled, left, errs
}

func (b *Backend) cancelImage(ctx context.Context, arn string) error {
	_, err := b.api.CancelImageCreation(ctx, &imagebuilder.CancelImageCreationInput{ImageBuildVersionArn: ptr(arn)})
	// An image that finished meanwhile cannot be cancelled: nothing to do.
	if err != nil && apiCode(err) != "ResourceInUseException" && apiCode(err) != "InvalidRequestException" {
		return explain("CancelImageCreation", arn, err)
	}
	b.mu.Lock()
	delete(b.inflight, arn)
	b.mu.Unlock()
	return nil
}

// Cleanup implements backend.Canceller: it cancels every build this
// process started that has not finished (call it with a fresh, bounded
// context after an interrupt).
func (b *Backend) Cleanup(ctx context.Context) error {
	b.mu.Lock()
	arns := make([]string, 0, len(b.inflight))
	for arn := range b.inflight {
		arns = append(arns, arn)
	}
	b.mu.Unlock()
	var errs []error
	for _, arn := range arns {
		errs = append(errs, b.cancelImage(ctx, arn))
	}
	return errors.Join(errs...)
}

// report fills the result from the finished builds.
func (r *run) report(res *backend.Result, recipe *recipes.Recipe, builds []*build) *backend.Result {
	res.Status = backend.StatusSucceeded
	var failures []string
	for _, bd := range builds {
		for _, id := range bd.order {
			ex := bd.execs[id]
			phase := workflowStage(ex.meta.Type)
			for _, s := range ex.steps {
				sr := backend.StepResult{Phase: phase, Step: aws.ToString(s.Name), Status: strings.ToLower(string(s.Status)), Message: aws.ToString(s.Message),
					ExitCode: exitCodeIn(aws.ToString(s.Message))}
				// The failing AWSTOE step, when the message names it, comes
				// first: it is what the author has to fix.
				if s.Status == types.WorkflowStepExecutionStatusFailed {
					if cs, ok := componentStep(recipe, aws.ToString(s.Message)); ok {
						if cs.Phase == "test" {
							res.Tests = append(res.Tests, cs)
						} else {
							res.Steps = append(res.Steps, cs)
						}
					}
				}
				if ex.meta.Type == types.WorkflowTypeTest {
					res.Tests = append(res.Tests, sr)
				} else {
					res.Steps = append(res.Steps, sr)
				}
			}
		}
		switch bd.status {
		case types.ImageStatusAvailable:
			if res.Image == "" {
				res.Image, res.BuildNumber = bd.arn, buildNumber(bd.arn)
			}
			if bd.image != nil {
				res.Outputs = append(res.Outputs, outputs(bd.image.OutputResources)...)
			}
		case types.ImageStatusCancelled:
			if res.Status != backend.StatusFailed {
				res.Status = backend.StatusCancelled
			}
			failures = append(failures, fmt.Sprintf("%s: image %s was cancelled", bd.target, bd.arn))
		default:
			res.Status = backend.StatusFailed
			msg, logURL := r.failure(bd)
			failures = append(failures, msg)
			if res.LogURL == "" {
				res.LogURL = logURL
			}
		}
	}
	if res.Status != backend.StatusSucceeded {
		res.Image, res.BuildNumber, res.Outputs = "", 0, nil
		res.Message = strings.Join(failures, "; ")
	}
	res.Finished = r.b.opts.Now()
	return res
}

// failure describes a failed build: the failing workflow step, the
// reason, and where the logs are.
func (r *run) failure(bd *build) (string, string) {
	reason := ""
	name := ""
	logGroup := ""
	if bd.image != nil {
		reason = aws.ToString(bd.image.State.Reason)
		name = aws.ToString(bd.image.Name)
		if bd.image.LoggingConfiguration != nil {
			logGroup = aws.ToString(bd.image.LoggingConfiguration.LogGroupName)
		}
	}
	if logGroup == "" {
		logGroup = "/aws/imagebuilder/" + name
	}
	step := ""
	for _, id := range bd.order {
		ex := bd.execs[id]
		for _, s := range ex.steps {
			if s.Status == types.WorkflowStepExecutionStatusFailed && step == "" {
				step = fmt.Sprintf("%s step %s", ex.meta.Type, aws.ToString(s.Name))
				if m := aws.ToString(s.Message); m != "" && !strings.Contains(reason, m) {
					reason = strings.TrimSpace(reason + " " + m)
				}
			}
		}
	}
	if step == "" {
		step = "an unreported step"
	}
	if reason == "" {
		reason = "Image Builder gave no reason"
	}
	logURL := fmt.Sprintf("https://%[1]s.console.aws.amazon.com/cloudwatch/home?region=%[1]s#logsV2:log-groups/log-group/%[2]s", r.b.region,
		strings.ReplaceAll(url.QueryEscape(logGroup), "%", "$25"))
	stream := bd.arn
	if parts := strings.Split(bd.arn, "/"); len(parts) >= 2 {
		stream = strings.Join(parts[len(parts)-2:], "/")
	}
	msg := fmt.Sprintf("%s: image %s %s at %s: %s; logs: CloudWatch log group %s (stream %s)", bd.target, bd.arn, bd.status, step, strings.TrimRight(reason, ". "), logGroup, stream)
	if s3 := r.s3Logs(); s3 != "" {
		msg += " and " + s3
	}
	return msg, logURL
}

// s3Logs names the S3 log location of the infrastructure configurations
// this request uses, when they log to S3.
func (r *run) s3Logs() string {
	var out []string
	for _, inf := range r.req.Repo.Infrastructures {
		logging, _ := inf.Spec["logging"].(map[string]any)
		s3, _ := logging["s3Logs"].(map[string]any)
		if bucket, _ := s3["s3BucketName"].(string); bucket != "" {
			prefix, _ := s3["s3KeyPrefix"].(string)
			out = append(out, "s3://"+bucket+"/"+strings.TrimPrefix(prefix, "/"))
		}
	}
	if len(out) == 1 {
		return out[0]
	}
	return ""
}

// reComponentStep reads the failing AWSTOE component and step out of a
// workflow step message such as "Component 'arn:...:component/web/1.0.0/1'
// failed in phase 'build' at step 'Install': exit status 3". Messages that
// do not name them leave the workflow step as the only detail.
var reComponentStep = lazyre.New(`component/([a-z0-9-_]+)/[0-9]+\.[0-9]+\.[0-9]+(?:/[0-9]+)?'? failed in phase '(\w+)' at step '([^']+)'(?:[^0-9]*?(?:exit status|exit code|exited with code) (\d+))?`)

// reExitCode reads a non-zero exit code out of a step message ("exited
// with code 3", "exit status 3"); Image Builder has no field for it.
var reExitCode = lazyre.New(`(?:exit status|exit code|exited with code) ([1-9][0-9]*)`)

// exitCodeIn is the exit code a message states, or 0 when it states none
// (unknown: printers show no code then).
func exitCodeIn(msg string) int {
	m := reExitCode.FindStringSubmatch(msg)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func componentStep(recipe *recipes.Recipe, msg string) (backend.StepResult, bool) {
	m := reComponentStep.FindStringSubmatch(msg)
	if m == nil {
		return backend.StepResult{}, false
	}
	component := m[1]
	for _, ref := range recipe.Components {
		if ref.Name != "" && arnName(ref.Name) == m[1] {
			component = ref.Name
		}
	}
	code, _ := strconv.Atoi(m[4])
	return backend.StepResult{Phase: m[2], Component: component, Step: m[3], Status: "failed", ExitCode: code, Message: msg, LogTail: msg}, true
}
