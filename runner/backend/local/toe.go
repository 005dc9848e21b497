package local

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/runner/backend"
)

// Paths inside containers. The run folder (binary, documents, logs, state)
// is bind-mounted, so nothing of ibgitops ends up in the committed image
// except the empty mount point.
const (
	ctrRun    = "/.ibgitops"
	ctrBinary = ctrRun + "/ibgitops"
	ctrDocs   = ctrRun + "/docs"
	ctrLogs   = "/.ibgitops-logs" // container recipes: a separate volume
)

// maxReboots bounds how often one component may ask for a reboot.
const maxReboots = 10

// keepAlive is the build container's entrypoint: it keeps the container
// running so components can be exec'd into it, and stops at once on
// SIGTERM so restarts ("reboots") are quick.
var keepAlive = []string{"/bin/sh", "-c", `trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done`}

// component is a recipe entry resolved to a document the executor can run.
type component struct {
	Index   int
	Name    string // component name, or the ARN
	ARN     string
	Version string
	Data    string // AWSTOE document text; "" when skipped
	Hash    string
	StandIn string
	Params  map[string][]string
	Phases  map[string]bool
	File    string // file name under docs/
}

// id names the component's files and logs: "01-name".
func (c *component) id() string {
	return fmt.Sprintf("%02d-%s", c.Index+1, sanitizeName(path.Base(c.Name)))
}

// has returns the wanted phases the document actually declares, in the
// order given.
func (c *component) has(phases ...string) []string {
	var out []string
	for _, p := range phases {
		if c.Phases[p] {
			out = append(out, p)
		}
	}
	return out
}

// documentPhases lists the phase names of an AWSTOE document.
func documentPhases(data string) (map[string]bool, error) {
	var doc struct {
		Phases []struct {
			Name string `yaml:"name"`
		} `yaml:"phases"`
	}
	if err := yaml.Unmarshal([]byte(data), &doc); err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, p := range doc.Phases {
		out[strings.ToLower(p.Name)] = true
	}
	return out, nil
}

// resolveComponents turns the recipe's components into documents: this
// repository's components by name, ARNs through `local.components`
// stand-ins; an unmapped ARN is skipped with a warning.
func resolveComponents(req backend.Request, r *recipes.Recipe) ([]*component, []string, error) {
	var comps []*component
	var warnings []string
	for i, ref := range r.Components {
		c := &component{Index: i, Params: ref.Parameters}
		switch {
		case ref.Name != "":
			rc, ok := req.Repo.Components[ref.Name]
			if !ok {
				return nil, nil, fmt.Errorf("%s: recipe %s uses component %q, which this repository does not define: add components/%s.yaml or fix the name", where(r.File, ref.Pos), r.Name, ref.Name, ref.Name)
			}
			c.Name, c.Version, c.Data, c.Hash = rc.Name, rc.Version, rc.Data, rc.ContentHash
			if ref.Version != "" && !versionMatches(ref.Version, rc.Version) {
				warnings = append(warnings, fmt.Sprintf("recipe %s pins component %s %s but the repository holds %s: the local backend builds the repository's document", r.Name, rc.Name, ref.Version, rc.Version))
			}
		case ref.ARN != "":
			c.Name, c.ARN = ref.ARN, ref.ARN
			doc, standIn, err := standInFor(req, ref.ARN)
			if err != nil {
				return nil, nil, err
			}
			if standIn == "" {
				warnings = append(warnings, fmt.Sprintf("component %s skipped: AWS-managed and shared components have no document locally; map it to a stand-in document with `local.components` in ibgitops.yaml", ref.ARN))
				comps = append(comps, c)
				continue
			}
			c.Data, c.StandIn = doc, standIn
		default:
			return nil, nil, fmt.Errorf("%s: recipe %s has a component entry with neither a name nor an ARN", where(r.File, ref.Pos), r.Name)
		}
		if c.Hash == "" {
			c.Hash = sha256Hex(c.Data)
		}
		phases, err := documentPhases(c.Data)
		if err != nil {
			return nil, nil, fmt.Errorf("component %s: the AWSTOE document does not parse: %w (run `ibgitops lint`)", c.Name, err)
		}
		c.Phases = phases
		c.File = c.id() + ".yaml"
		comps = append(comps, c)
	}
	return comps, warnings, nil
}

// standInFor finds the local stand-in document mapped to an ARN.
func standInFor(req backend.Request, arn string) (string, string, error) {
	m := req.Repo.Config.Local.Components
	for _, pattern := range sortedKeys(m) {
		ok, err := path.Match(pattern, arn)
		if err != nil {
			return "", "", fmt.Errorf("ibgitops.yaml: local.components pattern %q is not valid (path.Match syntax: * ? [ ]): %w", pattern, err)
		}
		if !ok {
			continue
		}
		file := m[pattern]
		p := file
		if !filepath.IsAbs(p) {
			p = filepath.Join(req.Root, filepath.FromSlash(file))
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return "", "", fmt.Errorf("ibgitops.yaml: local.components maps %s to %s, which cannot be read: %w (fix the path; it is relative to the repository root)", pattern, file, err)
		}
		return string(data), file, nil
	}
	return "", "", nil
}

func versionMatches(pin, version string) bool {
	pp, vp := strings.Split(pin, "."), strings.Split(version, ".")
	if len(pp) != len(vp) {
		return pin == version
	}
	for i := range pp {
		if pp[i] != "x" && pp[i] != vp[i] {
			return false
		}
	}
	return true
}

func where(file string, pos diag.Pos) string {
	if pos.Line == 0 {
		return file
	}
	return fmt.Sprintf("%s:%d:%d", file, pos.Line, pos.Column)
}

// writeDocuments writes each component's document into dir, and for a
// component with parameters an AWSTOE run config naming the document with
// its parameters: values may hold commas, which `--parameters a=b,c=d`
// cannot carry.
func writeDocuments(dir string, comps []*component) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, c := range comps {
		if c.Data == "" {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, c.File), []byte(c.Data), 0o644); err != nil {
			return err
		}
		if len(c.Params) == 0 {
			continue
		}
		type param struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		}
		type document struct {
			Path       string  `json:"path"`
			Parameters []param `json:"parameters"`
		}
		doc := document{Path: ctrDocs + "/" + c.File}
		for _, k := range sortedKeys(c.Params) {
			// A stringList parameter is one comma-separated value.
			doc.Parameters = append(doc.Parameters, param{Name: k, Value: strings.Join(c.Params[k], ",")})
		}
		data, err := json.MarshalIndent(map[string]any{"documents": []document{doc}}, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, c.configFile()), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// configFile is the name of the component's AWSTOE run config.
func (c *component) configFile() string { return c.id() + ".run.json" }

// toeArgs is the executor command line for one component: the document
// with --documents, or with its parameters through --config.
func toeArgs(c *component, phases []string, logDir, stateDir, execID string) []string {
	args := []string{ctrBinary, "toe", "run"}
	if len(c.Params) > 0 {
		args = append(args, "--config", ctrDocs+"/"+c.configFile())
	} else {
		args = append(args, "--documents", ctrDocs+"/"+c.File)
	}
	args = append(args,
		"--phases", strings.Join(phases, ","),
		"--log-directory", logDir,
		"--execution-id", execID,
	)
	if stateDir != "" {
		args = append(args, "--state-directory", stateDir)
	}
	return args
}

// detailed is the part of the executor's detailedoutput.json we read.
type detailed struct {
	Status         string `json:"status"`
	FailureMessage string `json:"failureMessage"`
	Documents      []struct {
		Phases []struct {
			Name  string `json:"name"`
			Steps []struct {
				Name           string `json:"name"`
				Action         string `json:"action"`
				Status         string `json:"status"`
				FailureMessage string `json:"failureMessage"`
			} `json:"steps"`
		} `json:"phases"`
	} `json:"documents"`
}

// findLog returns the newest file called name under dir (the executor
// writes into dir/TOE_<time>_<id>/).
func findLog(dir, name string) string {
	var found []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.EqualFold(d.Name(), name) {
			found = append(found, p)
		}
		return nil
	})
	if len(found) == 0 {
		return ""
	}
	sort.Strings(found)
	return found[len(found)-1]
}

// stepResults reads the executor's outputs in logDir and turns them into
// step results. code is the executor's exit code; console is what the exec
// printed (used when the executor wrote no console.log).
func stepResults(c *component, logDir string, code int, console string) []backend.StepResult {
	tail := console
	if p := findLog(logDir, "console.log"); p != "" {
		if data, err := os.ReadFile(p); err == nil && len(data) > 0 {
			tail = string(data)
		}
	}
	tail = lastLines(tail, 20)
	var d detailed
	var steps []backend.StepResult
	if p := findLog(logDir, "detailedoutput.json"); p != "" {
		if data, err := os.ReadFile(p); err == nil && json.Unmarshal(data, &d) == nil {
			for _, doc := range d.Documents {
				for _, ph := range doc.Phases {
					for _, st := range ph.Steps {
						sr := backend.StepResult{Phase: ph.Name, Component: c.Name, Step: st.Name, Status: strings.ToLower(st.Status), Message: st.FailureMessage}
						if sr.Status == "failed" {
							sr.ExitCode = code
							if n, ok := exitCodeOf(st.FailureMessage); ok {
								sr.ExitCode = n
							}
							sr.LogTail = tail
						}
						steps = append(steps, sr)
					}
				}
			}
		}
	}
	if code != 0 && !anyFailed(steps) {
		msg := d.FailureMessage
		if msg == "" {
			msg = fmt.Sprintf("ibgitops toe run exited with %d", code)
		}
		steps = append(steps, backend.StepResult{Phase: "", Component: c.Name, Step: "toe run", Status: "failed", ExitCode: code, Message: msg, LogTail: tail})
	}
	return steps
}

func anyFailed(steps []backend.StepResult) bool {
	for _, s := range steps {
		if s.Status == "failed" {
			return true
		}
	}
	return false
}

// runComponent runs phases of one component in a running container,
// restarting the container when the executor asks for a reboot (exit 194)
// and running it again with the same state directory.
func (b *Backend) runComponent(ctx context.Context, ctr, runDir string, c *component, stage string, phases []string, emit func(string, string)) ([]backend.StepResult, bool, error) {
	logRel := "logs/" + stage + "/" + c.id()
	hostLogs := filepath.Join(runDir, filepath.FromSlash(logRel))
	if err := os.MkdirAll(hostLogs, 0o755); err != nil {
		return nil, false, err
	}
	args := toeArgs(c, phases, ctrRun+"/"+logRel, ctrRun+"/state/"+stage+"/"+c.id(), c.id()+"-"+stage)
	out, err := os.Create(filepath.Join(hostLogs, "exec.log"))
	if err != nil {
		return nil, false, err
	}
	defer out.Close()
	for reboots := 0; ; reboots++ {
		tail := &tailBuffer{max: 64 << 10}
		code, err := b.engine.Exec(ctx, ctr, args, io.MultiWriter(out, tail))
		if err != nil {
			return nil, false, fmt.Errorf("run component %s (%s): %w", c.Name, stage, err)
		}
		if code == 194 {
			if reboots >= maxReboots {
				return []backend.StepResult{{Phase: stage, Component: c.Name, Step: "reboot", Status: "failed", ExitCode: 194, Message: fmt.Sprintf("asked for a reboot %d times: a step that exits 194 must succeed after the reboot", maxReboots+1)}}, false, nil
			}
			emit(stage, fmt.Sprintf("%s asked for a reboot: restarting the container", c.Name))
			if err := b.engine.Restart(ctx, ctr); err != nil {
				return nil, false, fmt.Errorf("reboot for component %s: %w", c.Name, err)
			}
			continue
		}
		steps := stepResults(c, hostLogs, code, tail.String())
		return steps, code == 0, nil
	}
}

// tailBuffer keeps about the last max bytes written.
type tailBuffer struct {
	buf bytes.Buffer
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf.Write(p)
	if t.buf.Len() > 2*t.max {
		keep := append([]byte(nil), t.buf.Bytes()[t.buf.Len()-t.max:]...)
		t.buf.Reset()
		t.buf.Write(keep)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return t.buf.String() }
