package local

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ibgitops/ibgitops/internal/lazyre"
	"github.com/ibgitops/ibgitops/runner/backend"
)

// Dockerfile template placeholders (Image Builder's spelling, spaces
// optional).
var (
	placeholderParent = lazyre.New(`\{\{\{\s*imagebuilder:parentImage\s*\}\}\}`)
	placeholderEnv    = lazyre.New(`\{\{\{\s*imagebuilder:environments\s*\}\}\}`)
	placeholderComps  = lazyre.New(`\{\{\{\s*imagebuilder:components\s*\}\}\}`)
	placeholderAny    = lazyre.New(`\{\{\{\s*imagebuilder:[^}]*\}\}\}`)
)

// RenderDockerfile fills a container recipe's Dockerfile template: the
// parent image, no extra environment, and one RUN per component that runs
// its build and validate phases through ibgitops's executor, with the run
// folder (binary and documents) bind-mounted from the build context so
// nothing of ibgitops stays in the image's layers. logMount is the RUN
// mount that receives the executor's logs.
func RenderDockerfile(template, parentRef string, comps []*component, logMount string) (string, error) {
	if !placeholderParent.MatchString(template) {
		return "", fmt.Errorf("the Dockerfile template has no {{{ imagebuilder:parentImage }}} placeholder: start it with `FROM {{{ imagebuilder:parentImage }}}`")
	}
	if !placeholderComps.MatchString(template) {
		return "", fmt.Errorf("the Dockerfile template has no {{{ imagebuilder:components }}} placeholder: add a line `{{{ imagebuilder:components }}}` where the components should run")
	}
	var runs []string
	for _, c := range comps {
		if c.Data == "" {
			continue
		}
		phases := c.has("build", "validate")
		if len(phases) == 0 {
			continue
		}
		logDir := ctrLogs + "/build/" + c.id()
		argv := toeArgs(c, phases, logDir, "", c.id()+"-build")
		js, err := json.Marshal(argv)
		if err != nil {
			return "", err
		}
		mounts := "--mount=type=bind,source=.,target=" + ctrRun
		if logMount != "" {
			mounts += " " + logMount
		}
		runs = append(runs, "RUN "+mounts+" "+string(js))
	}
	out := placeholderParent.ReplaceAllLiteralString(template, parentRef)
	out = placeholderEnv.ReplaceAllLiteralString(out, "")
	out = placeholderComps.ReplaceAllLiteralString(out, strings.Join(runs, "\n"))
	if m := placeholderAny.FindString(out); m != "" {
		return "", fmt.Errorf("the Dockerfile template uses %s, which ibgitops does not know: use parentImage, environments or components", m)
	}
	return out, nil
}

// buildContainerRecipe renders the template and builds it with the engine.
func (j *job) buildContainerRecipe(ctx context.Context) (bool, error) {
	ctxDir := filepath.Join(j.runDir, "context")
	if err := os.MkdirAll(filepath.Join(ctxDir, "docs"), 0o755); err != nil {
		return false, err
	}
	if err := writeDocuments(filepath.Join(ctxDir, "docs"), j.comps); err != nil {
		return false, err
	}
	if err := linkOrCopy(j.binary, filepath.Join(ctxDir, "ibgitops")); err != nil {
		return false, fmt.Errorf("put the ibgitops binary into the build context: %w", err)
	}
	logs := filepath.Join(j.runDir, "logs")
	var vols []Mount
	logMount := "--mount=type=tmpfs,target=" + ctrLogs
	if j.b.engine.Name() == "podman" {
		// podman's RUN steps can write into a host volume: the executor's
		// logs survive a failed build.
		if err := os.MkdirAll(logs, 0o755); err != nil {
			return false, err
		}
		vols = []Mount{{Source: logs, Target: ctrLogs}}
		logMount = ""
	}
	// FROM a per-build tag of the parent, so the working container an
	// interrupted podman build leaves has a name only this build uses.
	from := "localhost/ibgitops-build-" + strings.ToLower(j.b.runID) + "-" + sanitizeName(j.req.Recipe) + ":" + strconv.Itoa(j.rec.BuildNumber)
	if err := j.b.engine.Tag(ctx, j.parent.Ref, from); err != nil {
		return false, fmt.Errorf("tag the parent image for the build: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		_ = j.b.engine.RemoveBuildContainers(cctx, from)
		_ = j.b.engine.RemoveImage(cctx, from) // only the tag: the parent keeps its own
	}()
	df, err := RenderDockerfile(j.dockerfile, from, j.comps, logMount)
	if err != nil {
		return false, fmt.Errorf("recipe %s: %w", j.req.Recipe, err)
	}
	dfPath := filepath.Join(j.runDir, "Dockerfile")
	if err := os.WriteFile(dfPath, []byte(df), 0o644); err != nil {
		return false, err
	}
	out, err := os.Create(filepath.Join(j.runDir, "build.log"))
	if err != nil {
		return false, err
	}
	defer out.Close()
	labels := j.provenanceLabels()
	labels[LabelRun] = j.b.runID
	j.emit("build", fmt.Sprintf("%s build from %s", j.b.engine.Name(), j.parent.Ref))
	buf := &tailBuffer{max: 64 << 10}
	id, err := j.b.engine.Build(ctx, BuildSpec{ContextDir: ctxDir, Dockerfile: dfPath, Labels: labels, Volumes: vols}, io.MultiWriter(out, buf))
	if err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		// Which component failed: the first whose executor did not succeed.
		for _, c := range j.comps {
			if c.Data == "" || len(c.has("build", "validate")) == 0 {
				continue
			}
			dir := filepath.Join(logs, "build", c.id())
			steps := stepResults(c, dir, 0, "")
			if anyFailed(steps) || findLog(dir, "detailedoutput.json") == "" {
				if !anyFailed(steps) {
					steps = append(steps, componentFailure(c, err, buf.String()))
				}
				j.res.Steps = append(j.res.Steps, steps...)
				return false, nil
			}
			j.res.Steps = append(j.res.Steps, steps...)
		}
		return false, fmt.Errorf("%w (build log: %s)", err, filepath.Join(j.runDir, "build.log"))
	}
	for _, c := range j.comps {
		if c.Data != "" && len(c.has("build", "validate")) > 0 {
			j.res.Steps = append(j.res.Steps, stepResults(c, filepath.Join(logs, "build", c.id()), 0, "")...)
		}
	}
	j.snapshot = id
	j.b.trackImage(id)
	return true, nil
}

// componentFailure describes a component whose executor left no details.
func componentFailure(c *component, err error, output string) backend.StepResult {
	code := 1
	if n, ok := exitCodeOf(err.Error()); ok {
		code = n
	}
	msg := err.Error()
	if code == 194 {
		msg = "the component asked for a reboot (exit 194), which a container build cannot do: make the step work without one for container recipes (" + msg + ")"
	}
	return backend.StepResult{Phase: "build", Component: c.Name, Step: "toe run", Status: "failed", ExitCode: code, Message: msg, LogTail: lastLines(output, 20)}
}

// linkOrCopy hard-links src to dst, copying when they are on different
// file systems.
func linkOrCopy(src, dst string) error {
	_ = os.Remove(dst)
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
