package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Engine is the part of a container engine the local backend uses. The CLI
// type implements it for podman and docker; both speak the same commands
// for everything here.
type Engine interface {
	// Name is "podman" or "docker".
	Name() string
	Images
	Containers
	Leftovers
}

// Images is the engine's image store: what a build starts from and what
// it leaves (tags, pushes, archives).
type Images interface {
	ImageExists(ctx context.Context, ref string) (bool, error)
	Pull(ctx context.Context, ref string) error
	// ImageInfo returns the image id and its entrypoint and cmd (JSON arrays
	// or "null"), so a commit can restore what the parent image declared.
	ImageInfo(ctx context.Context, ref string) (ImageInfo, error)
	// Build builds a container recipe's Dockerfile.
	Build(ctx context.Context, spec BuildSpec, out io.Writer) (imageID string, err error)
	Tag(ctx context.Context, image, ref string) error
	Push(ctx context.Context, ref string) error
	Save(ctx context.Context, ref, archive string) error
	RemoveImage(ctx context.Context, ref string) error
}

// Containers runs an image recipe's components in a container and
// snapshots it into an image.
type Containers interface {
	Create(ctx context.Context, spec ContainerSpec) (id string, err error)
	Start(ctx context.Context, id string) error
	Restart(ctx context.Context, id string) error
	// Exec runs argv in the container, streaming output to out, and returns
	// the process exit code. err is set only when the engine itself failed.
	Exec(ctx context.Context, id string, argv []string, out io.Writer) (int, error)
	Copy(ctx context.Context, src, dst string) error
	Commit(ctx context.Context, id string, changes []string) (imageID string, err error)
	RemoveContainer(ctx context.Context, id string) error
}

// Leftovers finds what a run left behind by its labels, so an interrupted
// or killed run is cleaned up even for ids it never learnt.
type Leftovers interface {
	// ContainersLabelled lists ids of containers (any state) with label=value.
	ContainersLabelled(ctx context.Context, label, value string) ([]string, error)
	// UntaggedImagesLabelled lists ids of untagged images with label=value.
	UntaggedImagesLabelled(ctx context.Context, label, value string) ([]string, error)
	// RemoveBuildContainers removes the working containers an interrupted
	// image build left for its FROM image (podman: "<name>-working-container").
	RemoveBuildContainers(ctx context.Context, fromRef string) error
}

// ImageInfo is what the backend needs to know about an image.
type ImageInfo struct {
	ID         string
	Entrypoint string // JSON array or "null"
	Cmd        string // JSON array or "null"
}

// Mount is a bind mount into a container.
type Mount struct {
	Source, Target string
	ReadOnly       bool
}

// ContainerSpec describes a container the backend creates. The entrypoint
// keeps the container alive so that components can be exec'd into it and
// the container restarted for reboots.
type ContainerSpec struct {
	Image      string
	Labels     map[string]string
	Mounts     []Mount
	Entrypoint []string
}

// BuildSpec is an image build from a Dockerfile.
type BuildSpec struct {
	ContextDir string
	Dockerfile string
	Labels     map[string]string
	Volumes    []Mount // podman only: bind mounts available to RUN steps
}

// CLI drives podman or docker through its command line.
type CLI struct {
	name string // podman | docker
	path string
}

// ErrNoEngine is returned when no container engine is installed.
var ErrNoEngine = errors.New("no container engine found")

// installHint says how to get an engine on the machines users run.
const installHint = "install podman (Debian/Ubuntu: `sudo apt-get install -y podman runc`, or run scripts/setup-engine.sh from the ibgitops repository, which also configures the runc runtime) or Docker (https://docs.docker.com/engine/install/), or choose one with `local.engine` in ibgitops.yaml"

// DetectEngine finds the engine named by `local.engine`: auto (podman, then
// docker), podman or docker.
func DetectEngine(name string) (*CLI, error) {
	var candidates []string
	switch name {
	case "", "auto":
		candidates = []string{"podman", "docker"}
	case "podman", "docker":
		candidates = []string{name}
	default:
		return nil, fmt.Errorf("local.engine %q is not an engine ibgitops knows: use auto, podman or docker", name)
	}
	var stopped error
	for _, c := range candidates {
		p, err := exec.LookPath(c)
		if err != nil {
			continue
		}
		// Docker's CLI is only a client: without its daemon every command
		// fails later with a misleading message (a pull that "cannot" be
		// done), so a stopped daemon counts as no engine. podman needs none.
		if c == "docker" {
			if err := probeDockerDaemon(p); err != nil {
				stopped = err
				continue
			}
		}
		return &CLI{name: c, path: p}, nil
	}
	if stopped != nil {
		return nil, fmt.Errorf("%w: docker is installed but its daemon is not running (%v): start it (`sudo systemctl start docker`, or Docker Desktop), or install podman, which needs no daemon, and set local.engine: podman", ErrNoEngine, stopped)
	}
	return nil, fmt.Errorf("%w (looked for %s on PATH): %s", ErrNoEngine, strings.Join(candidates, ", "), installHint)
}

// probeDockerDaemon asks the docker CLI for its server's version: it fails
// at once when no daemon answers. A variable so tests can count calls.
var probeDockerDaemon = func(path string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "version", "--format", "{{.Server.Version}}").CombinedOutput()
	if err != nil {
		msg := strings.TrimSpace(string(out))
		if i := strings.IndexByte(msg, '\n'); i > 0 {
			msg = msg[:i]
		}
		if msg == "" {
			msg = err.Error()
		}
		return errors.New(msg)
	}
	return nil
}

func (c *CLI) Name() string { return c.name }

// EngineError is a failed engine command with its output.
type EngineError struct {
	Args   []string
	Code   int
	Stderr string
}

func (e *EngineError) Error() string {
	msg := strings.TrimSpace(e.Stderr)
	if msg == "" {
		msg = fmt.Sprintf("exit status %d", e.Code)
	}
	return fmt.Sprintf("%s: %s", strings.Join(e.Args, " "), msg)
}

// command prepares an engine command that is stopped with SIGTERM when
// ctx ends. (SIGINT is no better: podman build forwards it to the RUN step
// and carries on building.) What a killed build leaves is removed by
// RemoveBuildContainers.
func (c *CLI) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, c.path, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// run runs an engine command and returns its trimmed stdout.
func (c *CLI) run(ctx context.Context, args ...string) (string, error) {
	cmd := c.command(ctx, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", runError(ctx, err, append([]string{c.name}, args...), stderr.String())
	}
	return strings.TrimSpace(stdout.String()), nil
}

// runError is the error of an engine command that failed: the context's
// when it ended, else an EngineError with the exit code (-1 when the
// command did not exit) and what it said on stderr.
func runError(ctx context.Context, err error, args []string, stderr string) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	code := -1
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	}
	return &EngineError{Args: args, Code: code, Stderr: stderr}
}

func (c *CLI) ImageExists(ctx context.Context, ref string) (bool, error) {
	_, err := c.run(ctx, "image", "inspect", "--format", "{{.Id}}", ref)
	if err == nil {
		return true, nil
	}
	var ee *EngineError
	if errors.As(err, &ee) {
		return false, nil
	}
	return false, err
}

func (c *CLI) Pull(ctx context.Context, ref string) error {
	_, err := c.run(ctx, "pull", "-q", ref)
	return err
}

func (c *CLI) ImageInfo(ctx context.Context, ref string) (ImageInfo, error) {
	out, err := c.run(ctx, "image", "inspect", "--format", "{{.Id}}\t{{json .Config.Entrypoint}}\t{{json .Config.Cmd}}", ref)
	if err != nil {
		return ImageInfo{}, err
	}
	parts := strings.Split(out, "\t")
	if len(parts) != 3 {
		return ImageInfo{}, fmt.Errorf("%s image inspect %s: unexpected output %q", c.name, ref, out)
	}
	return ImageInfo{ID: strings.TrimPrefix(parts[0], "sha256:"), Entrypoint: parts[1], Cmd: parts[2]}, nil
}

func (c *CLI) Create(ctx context.Context, spec ContainerSpec) (string, error) {
	args := []string{"create"}
	for _, k := range sortedKeys(spec.Labels) {
		args = append(args, "--label", k+"="+spec.Labels[k])
	}
	for _, m := range spec.Mounts {
		v := m.Source + ":" + m.Target
		if m.ReadOnly {
			v += ":ro"
		}
		args = append(args, "--volume", v)
	}
	if len(spec.Entrypoint) > 0 {
		args = append(args, "--entrypoint", spec.Entrypoint[0])
	}
	args = append(args, spec.Image)
	if len(spec.Entrypoint) > 1 {
		args = append(args, spec.Entrypoint[1:]...)
	}
	return c.run(ctx, args...)
}

func (c *CLI) Start(ctx context.Context, id string) error {
	_, err := c.run(ctx, "start", id)
	return err
}

func (c *CLI) Restart(ctx context.Context, id string) error {
	_, err := c.run(ctx, "restart", "-t", "2", id)
	return err
}

func (c *CLI) Exec(ctx context.Context, id string, argv []string, out io.Writer) (int, error) {
	cmd := c.command(ctx, append([]string{"exec", id}, argv...)...)
	var stderr bytes.Buffer
	out = &lockedWriter{w: out} // stdout and stderr are copied by two goroutines
	cmd.Stdout = out
	cmd.Stderr = io.MultiWriter(out, &stderr)
	err := cmd.Run()
	if err == nil {
		return 0, nil
	}
	if ctx.Err() != nil {
		return -1, ctx.Err()
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return -1, fmt.Errorf("%s exec: %w", c.name, err)
	}
	code := ee.ExitCode()
	// podman and docker use 125-127 for their own failures (no such
	// container, command not found in the image).
	if code == 125 {
		return code, &EngineError{Args: []string{c.name, "exec", id, argv[0]}, Code: code, Stderr: stderr.String()}
	}
	return code, nil
}

func (c *CLI) Copy(ctx context.Context, src, dst string) error {
	_, err := c.run(ctx, "cp", src, dst)
	return err
}

func (c *CLI) Commit(ctx context.Context, id string, changes []string) (string, error) {
	args := []string{"commit"}
	if c.name == "podman" {
		args = append(args, "-q")
	}
	for _, ch := range changes {
		args = append(args, "--change", ch)
	}
	out, err := c.run(ctx, append(args, id)...)
	return strings.TrimPrefix(lastLine(out), "sha256:"), err
}

func (c *CLI) Build(ctx context.Context, spec BuildSpec, out io.Writer) (string, error) {
	iid := spec.ContextDir + ".iid"
	args := []string{"build", "--iidfile", iid, "-f", spec.Dockerfile}
	if c.name == "podman" {
		args = append(args, "--force-rm", "--layers=false")
		for _, m := range spec.Volumes {
			args = append(args, "--volume", m.Source+":"+m.Target)
		}
	}
	for _, k := range sortedKeys(spec.Labels) {
		args = append(args, "--label", k+"="+spec.Labels[k])
	}
	args = append(args, spec.ContextDir)
	cmd := c.command(ctx, args...)
	var tail bytes.Buffer
	out = &lockedWriter{w: out}
	cmd.Stdout = out
	cmd.Stderr = io.MultiWriter(out, &tail)
	if err := cmd.Run(); err != nil {
		return "", runError(ctx, err, []string{c.name, "build"}, lastLines(tail.String(), 5))
	}
	data, err := readFileTrim(iid)
	if err != nil {
		return "", fmt.Errorf("%s build: read image id: %w", c.name, err)
	}
	return strings.TrimPrefix(data, "sha256:"), nil
}

func (c *CLI) RemoveContainer(ctx context.Context, id string) error {
	args := []string{"rm", "-f", "-v"}
	if c.name == "podman" {
		args = append(args, "--time", "0") // docker's rm -f kills at once already
	}
	_, err := c.run(ctx, append(args, id)...)
	var ee *EngineError
	if errors.As(err, &ee) && strings.Contains(strings.ToLower(ee.Stderr), "no such container") {
		return nil
	}
	return err
}

func (c *CLI) RemoveImage(ctx context.Context, ref string) error {
	_, err := c.run(ctx, "rmi", "-f", ref)
	var ee *EngineError
	if errors.As(err, &ee) && strings.Contains(strings.ToLower(ee.Stderr), "image not known") {
		return nil
	}
	return err
}

func (c *CLI) Tag(ctx context.Context, image, ref string) error {
	_, err := c.run(ctx, "tag", image, ref)
	return err
}

func (c *CLI) Push(ctx context.Context, ref string) error {
	_, err := c.run(ctx, "push", ref)
	return err
}

func (c *CLI) Save(ctx context.Context, ref, archive string) error {
	args := []string{"save", "-o", archive}
	if c.name == "podman" {
		args = append(args, "--format", "oci-archive")
	}
	_, err := c.run(ctx, append(args, ref)...)
	return err
}

func (c *CLI) ContainersLabelled(ctx context.Context, label, value string) ([]string, error) {
	out, err := c.run(ctx, "ps", "-a", "-q", "--no-trunc", "--filter", "label="+label+"="+value)
	if err != nil || out == "" {
		return nil, err
	}
	return strings.Fields(out), nil
}

func (c *CLI) UntaggedImagesLabelled(ctx context.Context, label, value string) ([]string, error) {
	out, err := c.run(ctx, "images", "-q", "--no-trunc", "--filter", "dangling=true", "--filter", "label="+label+"="+value)
	if err != nil || out == "" {
		return nil, err
	}
	return strings.Fields(out), nil
}

func (c *CLI) RemoveBuildContainers(ctx context.Context, fromRef string) error {
	if c.name != "podman" {
		return nil // BuildKit keeps no containers in the engine's list
	}
	name := fromRef[strings.LastIndex(fromRef, "/")+1:]
	if i := strings.IndexAny(name, ":@"); i >= 0 {
		name = name[:i]
	}
	out, err := c.run(ctx, "ps", "-a", "-q", "--external", "--filter", "name=^"+name+"-working-container")
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range strings.Fields(out) {
		if err := c.RemoveContainer(ctx, id); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// exitCodeOf extracts an "exit status N" / "exit code N" number from an
// executor failure message; ok is false when there is none.
func exitCodeOf(msg string) (int, bool) {
	low := strings.ToLower(msg)
	for _, key := range []string{"exit status ", "exit code ", "exited with "} {
		if i := strings.LastIndex(low, key); i >= 0 {
			rest := low[i+len(key):]
			j := 0
			for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
				j++
			}
			if n, err := strconv.Atoi(rest[:j]); err == nil {
				return n, true
			}
		}
	}
	return 0, false
}

// lockedWriter serialises writes from a command's stdout and stderr
// copiers.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
