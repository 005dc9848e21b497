// Package importer writes a repository from what a backend holds
// (`ibgitops import`): one file per resource in the conventional folders,
// a component's AWSTOE document in its own file (documentFile), and
// ibgitops.yaml when there is none. It never overwrites a file unless
// told to, and then writes nothing until every target is known.
package importer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/ibgitops/ibgitops/internal/lazyre"
	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/runner/backend"
)

// Options say where to write.
type Options struct {
	Root  string
	Force bool // overwrite existing files
	// Config is ibgitops.yaml's content when the root has none ("": none).
	Config string
}

// folders are the conventional folders per kind.
var folders = map[recipes.Kind]string{
	recipes.KindComponent: "components", recipes.KindImageRecipe: "recipes", recipes.KindContainerRecipe: "recipes",
	recipes.KindInfrastructure: "infrastructure", recipes.KindDistribution: "distribution", recipes.KindPipeline: "pipelines",
}

var unsafe = lazyre.New(`[^A-Za-z0-9._-]+`)

// fileName is a resource name usable as a file name.
func fileName(name string) string {
	n := strings.Trim(unsafe.ReplaceAllString(name, "-"), "-.")
	if n == "" {
		n = "resource"
	}
	return n
}

// file is one file to write.
type file struct {
	path string // relative to the root, slash-separated
	data []byte
}

// Plan lists the files Write would write for exported, relative to the
// root, in order.
func Plan(exported []backend.Exported, opts Options) ([]string, error) {
	files, err := render(exported, opts)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.path
	}
	return out, nil
}

func render(exported []backend.Exported, opts Options) ([]file, error) {
	var files []file
	seen := map[string]string{}
	add := func(path string, data []byte, what string) error {
		if other, dup := seen[path]; dup {
			return fmt.Errorf("%s and %s would both be written to %s: rename one in the account or import them with --name-prefix apart", other, what, path)
		}
		seen[path] = what
		files = append(files, file{path, data})
		return nil
	}
	if opts.Config != "" {
		if _, err := os.Stat(filepath.Join(opts.Root, recipes.ConfigFile)); errors.Is(err, os.ErrNotExist) {
			_ = add(recipes.ConfigFile, []byte(opts.Config), "the settings")
		}
	}
	for _, e := range exported {
		folder, ok := folders[e.Kind]
		if !ok {
			return nil, fmt.Errorf("cannot import %s %s: unknown kind", e.Kind, e.Name)
		}
		what := string(e.Kind) + " " + e.Name
		fields := e.Fields
		if e.Kind == recipes.KindComponent {
			doc := "documents/" + fileName(e.Name) + ".yaml"
			fields = copyMap(fields)
			fields["documentFile"] = doc
			if err := add(folder+"/"+doc, []byte(e.Document), what+" (document)"); err != nil {
				return nil, err
			}
		}
		data, err := encode(fields)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		if err := add(folder+"/"+fileName(e.Name)+".yaml", data, what); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// Write writes the files; without Force it refuses, writing nothing, when
// any of them exists.
func Write(exported []backend.Exported, opts Options) ([]string, error) {
	files, err := render(exported, opts)
	if err != nil {
		return nil, err
	}
	if !opts.Force {
		var existing []string
		for _, f := range files {
			if _, err := os.Lstat(filepath.Join(opts.Root, filepath.FromSlash(f.path))); err == nil {
				existing = append(existing, f.path)
			}
		}
		if len(existing) > 0 {
			if len(existing) > 5 {
				existing = append(existing[:5], fmt.Sprintf("and %d more", len(existing)-5))
			}
			return nil, fmt.Errorf("%d file(s) already exist under %s (%s): nothing was written; import into an empty folder, narrow it with --name-prefix/--tag, or pass --force to overwrite them",
				len(existing), opts.Root, strings.Join(existing, ", "))
		}
	}
	var written []string
	for _, f := range files {
		p := filepath.Join(opts.Root, filepath.FromSlash(f.path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return written, err
		}
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			return written, fmt.Errorf("write %s: %w", p, err)
		}
		written = append(written, f.path)
	}
	return written, nil
}

// keyOrder puts the keys a reader looks for first.
var keyOrder = []string{"kind", "name", "version", "description", "changeDescription", "platform", "supportedOsVersions", "documentFile",
	"imageRecipe", "containerRecipe", "infrastructureConfiguration", "distributionConfiguration", "schedule", "status",
	"containerType", "parentImage", "components"}

// encode renders fields as YAML with the main keys first, the rest sorted.
func encode(fields map[string]any) ([]byte, error) {
	var keys []string
	rank := map[string]int{}
	for i, k := range keyOrder {
		rank[k] = i + 1
	}
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := rank[keys[i]], rank[keys[j]]
		switch {
		case ri > 0 && rj > 0:
			return ri < rj
		case ri > 0 || rj > 0:
			return ri > 0
		}
		return keys[i] < keys[j]
	})
	doc := &yaml.Node{Kind: yaml.MappingNode}
	for _, k := range keys {
		var v yaml.Node
		if err := v.Encode(fields[k]); err != nil {
			return nil, err
		}
		doc.Content = append(doc.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, &v)
	}
	return yaml.Marshal(doc)
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
