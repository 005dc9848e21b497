package toe

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"sort"
	"time"
)

// env is what action modules may use: where to write console output, the
// executor's log, a scratch folder, the process environment and clients.
type env struct {
	console io.Writer
	log     *slog.Logger
	scratch string // per-run folder for generated scripts
	environ []string
	http    *http.Client
	s3      func(ctx context.Context) (S3API, error)
	sleep   func(ctx context.Context, d time.Duration) error
	backoff time.Duration // first WebDownload retry delay
	redact  *redactor     // secrets never written (redact.go)
}

// output is one action's outputs: one map per input item (a single map for
// map-input actions). AWSTOE writes it as a JSON array.
type output = []map[string]any

// module is one AWSTOE action.
type module struct {
	listInputs bool
	// platforms lists the OSes (GOOS values) it runs on; nil = every OS.
	platforms []string
	run       func(ctx context.Context, e *env, inputs any) (output, error)
}

var modules = map[string]module{}

func register(name string, m module) { modules[name] = m }

// windowsOnly refuses to run a Windows module on this OS with a message that
// says what to do instead.
func windowsOnly(name string) module {
	return module{platforms: []string{"windows"}, run: func(context.Context, *env, any) (output, error) {
		return nil, fmt.Errorf("%s runs only on Windows; this is %s: move the step to a Windows component or guard it with `if`", name, runtime.GOOS)
	}}
}

func init() {
	for _, name := range []string{"ExecutePowerShell", "InstallMSI", "UninstallMSI", "SetRegistry"} {
		register(name, windowsOnly(name))
	}
}

// ModuleNames returns the action names the executor knows, sorted.
func ModuleNames() []string {
	out := make([]string, 0, len(modules))
	for n := range modules {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// perItem runs fn for every item of a list-input action and collects one
// output map per item (nil outputs become empty maps).
func perItem(inputs any, fn func(i int, m map[string]any) (map[string]any, error)) (output, error) {
	list, err := items(inputs)
	if err != nil {
		return nil, err
	}
	out := make(output, 0, len(list))
	for i, m := range list {
		o, err := fn(i, m)
		if err != nil {
			if len(list) > 1 {
				return out, fmt.Errorf("inputs[%d]: %w", i, err)
			}
			return out, err
		}
		if o != nil {
			out = append(out, o)
		}
	}
	return out, nil
}
