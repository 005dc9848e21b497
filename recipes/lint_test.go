package recipes

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ibgitops/ibgitops/recipes/diag"
	"gopkg.in/yaml.v3"
)

const lintCases = "../testdata/lint"

// readTree copies the files under dir into m, prefixed with prefix.
func readTree(t testing.TB, m fstest.MapFS, dir, prefix string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		m[path.Join(prefix, filepath.ToSlash(rel))] = &fstest.MapFile{Data: data, Mode: 0o644}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

var reWant = regexp.MustCompile(`#\s*want:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)`)

// want is one expected finding: Line 0 means "anywhere in the file" (the
// want comment is on a line of its own).
type want struct {
	File string
	Line int
	Rule string
}

func wantsOf(m fstest.MapFS) []want {
	var ws []want
	for name, f := range m {
		for i, line := range strings.Split(string(f.Data), "\n") {
			mt := reWant.FindStringSubmatch(line)
			if mt == nil {
				continue
			}
			ln := i + 1
			if strings.HasPrefix(strings.TrimSpace(line), "#") {
				ln = 0
			}
			for _, r := range strings.Split(mt[1], ",") {
				ws = append(ws, want{name, ln, strings.TrimSpace(r)})
			}
		}
	}
	return ws
}

// match checks that findings are exactly the wanted ones.
func match(t *testing.T, findings []diag.Finding, wants []want) {
	t.Helper()
	used := make([]bool, len(findings))
	for _, w := range wants {
		found := false
		for i, f := range findings {
			if !used[i] && f.File == w.File && f.Rule == w.Rule && (w.Line == 0 || f.Line == w.Line) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			t.Errorf("missing finding %s:%d [%s]", w.File, w.Line, w.Rule)
		}
	}
	for i, f := range findings {
		if !used[i] {
			t.Errorf("unexpected finding %s", f)
		}
	}
}

func TestLintCases(t *testing.T) {
	entries, err := os.ReadDir(lintCases)
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "_base" {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			m := fstest.MapFS{}
			readTree(t, m, filepath.Join(lintCases, "_base"), "_base")
			readTree(t, m, filepath.Join(lintCases, e.Name()), "")
			wants := wantsOf(m)
			if len(wants) == 0 {
				t.Fatal("the case states no `# want: rule` comment")
			}
			for _, w := range wants {
				covered[w.Rule] = true
			}
			_, findings, err := Load(m)
			if err != nil {
				t.Fatal(err)
			}
			match(t, findings, wants)
			for _, f := range findings {
				if f.Message == "" || !strings.Contains(f.Message, ";") && !strings.Contains(f.Message, ":") {
					t.Errorf("message of %s does not say how to fix it: %q", f.Rule, f.Message)
				}
			}
		})
	}
	for _, c := range generatedCases() {
		covered[c.rule] = true
	}
	for _, d := range RuleDocs {
		if !covered[d.ID] {
			t.Errorf("rule %s has no failing case in %s or generatedCases", d.ID, lintCases)
		}
	}
}

func TestBaseFixtureIsClean(t *testing.T) {
	m := fstest.MapFS{}
	readTree(t, m, filepath.Join(lintCases, "_base"), "")
	_, findings, err := Load(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		t.Errorf("base fixture: %s", f)
	}
}

// errFS fails to open one file, as an unreadable file does.
type errFS struct {
	fstest.MapFS
	bad string
}

func (e errFS) Open(name string) (fs.File, error) {
	if name == e.bad {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return e.MapFS.Open(name)
}

type generatedCase struct {
	name string
	rule string
	fsys fs.FS
	file string
	// lint, when set, adds the findings lint adds after Load.
	lint func(*Repo, []diag.Finding) []diag.Finding
}

// generatedCases are the cases a small file cannot hold: huge files,
// unreadable files, binary garbage, oversized documents.
func generatedCases() []generatedCase {
	big := "kind: InfrastructureConfiguration\nname: big\ninstanceProfileName: x\ndescription: " + strings.Repeat("x", MaxFileSize) + "\n"
	var doc strings.Builder
	doc.WriteString("kind: Component\nname: huge-doc\nversion: 1.0.0\nplatform: Linux\ndocument:\n  schemaVersion: 1.0\n  phases:\n    - name: build\n      steps:\n        - name: Long\n          action: ExecuteBash\n          inputs:\n            commands:\n")
	for doc.Len() < 17000 {
		doc.WriteString("              - echo 0123456789012345678901234567890123456789\n")
	}
	return []generatedCase{
		{"file-too-large", RuleFileTooLarge, fstest.MapFS{"big.yaml": {Data: []byte(big)}}, "big.yaml", nil},
		{"file-unreadable", RuleFileUnreadable, errFS{fstest.MapFS{"secret.yaml": {Data: []byte("kind: Component\n")}}, "secret.yaml"}, "secret.yaml", nil},
		{"binary", RuleYAMLSyntax, fstest.MapFS{"bin.yaml": {Data: []byte("\x00\x01\x02\xff\xfe kind: x")}}, "bin.yaml", nil},
		{"document-size", RuleDocumentSize, fstest.MapFS{"doc.yaml": {Data: []byte(doc.String())}}, "doc.yaml", nil},
		{"encoding", RuleEncoding, fstest.MapFS{"u16.yaml": {Data: []byte{0xff, 0xfe, 'k', 0, ':', 0, ' ', 0, 'x', 0, '\n', 0}}}, "u16.yaml", nil},
		{"file-type", RuleFileType, fstest.MapFS{"fifo.yaml": {Mode: fs.ModeNamedPipe | 0o644}}, "fifo.yaml", nil},
		{"symlink", RuleSymlink, fstest.MapFS{"out.yaml": {Data: []byte("../../outside.yaml"), Mode: fs.ModeSymlink | 0o777}}, "out.yaml", nil},
		{"empty-file", RuleEmptyFile, fstest.MapFS{"components/empty.yaml": {Data: nil}}, "components/empty.yaml", nil},
		{"no-resources", RuleNoResources, fstest.MapFS{"README.md": {Data: []byte("# docs only\n")}, "mkdocs.yml": {Data: []byte("site_name: x\n")}}, ".", noResources},
		{"no-resources under root:", RuleNoResources, fstest.MapFS{"ibgitops.yaml": {Data: []byte("root: images\n")}, "images/.keep": {}, "recipes/r.yaml": {Data: []byte(recipeYAMLOutsideRoot)}}, "images", noResources},
		{"tag-pattern", RuleTagPattern, fstest.MapFS{"ibgitops.yaml": {Data: []byte("release:\n  tagPattern: \"{name}\"\n")}}, "ibgitops.yaml", nil},
	}
}

func TestGeneratedCases(t *testing.T) {
	for _, c := range generatedCases() {
		t.Run(c.name, func(t *testing.T) {
			repo, findings, err := Load(c.fsys)
			if err != nil {
				t.Fatal(err)
			}
			if c.lint != nil {
				findings = append(findings, c.lint(repo, findings)...)
			}
			if len(findings) != 1 || findings[0].Rule != c.rule || findings[0].File != c.file {
				t.Fatalf("want exactly one %s finding in %s, got %v", c.rule, c.file, findings)
			}
		})
	}
}

func TestLoadUnreadableRootIsAnError(t *testing.T) {
	_, _, err := Load(os.DirFS(filepath.Join(t.TempDir(), "missing")))
	if err == nil {
		t.Fatal("want an error for a missing root")
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("want a not-exist error, got %v", err)
	}
}

func TestExampleLintsClean(t *testing.T) {
	repo, findings, err := Load(os.DirFS("../testdata/example"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		t.Errorf("example: %s", f)
	}
	counts := fmt.Sprint(len(repo.Components), len(repo.ImageRecipes), len(repo.ContainerRecipes),
		len(repo.Infrastructures), len(repo.Distributions), len(repo.Pipelines))
	if counts != "3 2 1 1 2 3" {
		t.Errorf("resources per kind = %s, want 3 2 1 1 2 3", counts)
	}
	hard := repo.Components["linux-hardening"]
	if hard.VersionPos != (diag.Pos{Line: 5, Column: 10}) || hard.NamePos != (diag.Pos{Line: 4, Column: 7}) {
		t.Errorf("positions: name %v version %v", hard.NamePos, hard.VersionPos)
	}
	if !strings.HasPrefix(hard.Data, "name: linux-hardening\n") || !strings.Contains(hard.Data, "\nphases:\n  - name: build\n") {
		t.Errorf("inline document text not de-indented:\n%s", hard.Data)
	}
	if len(hard.Parameters) != 2 || hard.Parameters[0].Name != "Banner" || hard.Parameters[0].Default == nil {
		t.Errorf("parameters: %+v", hard.Parameters)
	}
	app := repo.Components["app-runtime"]
	if app.DocumentFile != "components/documents/app-runtime.yaml" || !strings.Contains(app.Data, "schemaVersion: 1.0") {
		t.Errorf("documentFile %q data %q", app.DocumentFile, app.Data)
	}
	if len(app.Parameters) != 2 || app.Parameters[0].Default != nil {
		t.Errorf("app-runtime parameters: %+v", app.Parameters)
	}
	srv := repo.ImageRecipes["app-server"]
	if srv.ParentRecipe() != "base-linux" || srv.Components[0].Version != "2.x.x" || srv.Components[0].Parameters["Port"][0] != "8443" {
		t.Errorf("app-server: %+v", srv.Recipe)
	}
	if srv.LocalParentImage != "localhost/ibgitops-base:latest" {
		t.Errorf("local parent %q", srv.LocalParentImage)
	}
	base := repo.ImageRecipes["base-linux"]
	if base.Components[0].ARN == "" || base.Spec["blockDeviceMappings"] == nil || base.Spec["amiTags"] == nil {
		t.Errorf("base-linux: %+v", base.Recipe)
	}
	cr := repo.ContainerRecipes["app-container"]
	if cr.DockerfileTemplateFile != "recipes/app-container.Dockerfile" || !strings.HasPrefix(cr.DockerfileTemplate, "FROM {{{ imagebuilder:parentImage }}}") {
		t.Errorf("container recipe template %q %q", cr.DockerfileTemplateFile, cr.DockerfileTemplate)
	}
	if cr.TargetRepository.RepositoryName != "shop/app" || cr.ContainerType != "DOCKER" {
		t.Errorf("container recipe: %+v", cr)
	}
	dist := repo.Distributions["ami-two-regions"]
	if len(dist.Distributions) != 2 || dist.Local == nil || !dist.Local.Export || len(dist.Local.Images) != 1 {
		t.Errorf("distribution: %+v", dist)
	}
	p := repo.Pipelines["app-server-nightly"]
	if p.RecipeName() != "app-server" || p.Schedule == nil || p.Schedule.Timezone != "Europe/Berlin" || p.Spec["enhancedImageMetadataEnabled"] != true {
		t.Errorf("pipeline: %+v", p)
	}
	if repo.Config.Local.Components == nil || repo.Config.AWS.Region != "us-east-1" {
		t.Errorf("config: %+v", repo.Config)
	}
	hashes := map[string]bool{}
	for _, m := range allMeta(repo) {
		if len(m.ContentHash) != 64 {
			t.Errorf("%s %s: content hash %q", m.Kind, m.Name, m.ContentHash)
		}
		if hashes[m.ContentHash] {
			t.Errorf("%s %s: content hash shared with another resource", m.Kind, m.Name)
		}
		hashes[m.ContentHash] = true
	}
	if len(repo.Files) != 16 {
		t.Errorf("files examined = %d %v, want 16", len(repo.Files), repo.Files)
	}
}

func allMeta(r *Repo) []*Meta {
	var out []*Meta
	for _, c := range r.Components {
		out = append(out, &c.Meta)
	}
	for _, c := range r.ImageRecipes {
		out = append(out, &c.Meta)
	}
	for _, c := range r.ContainerRecipes {
		out = append(out, &c.Meta)
	}
	for _, c := range r.Infrastructures {
		out = append(out, &c.Meta)
	}
	for _, c := range r.Distributions {
		out = append(out, &c.Meta)
	}
	for _, c := range r.Pipelines {
		out = append(out, &c.Meta)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].File < out[j].File })
	return out
}

func TestContentHashIgnoresVersionAndTags(t *testing.T) {
	load := func(version, tags, echo string) *Component {
		src := fmt.Sprintf("kind: Component\nname: hashed\nversion: %s\nplatform: Linux\ntags: {%s}\ndocument:\n  schemaVersion: 1.0\n  phases:\n    - name: build\n      steps:\n        - name: Say\n          action: ExecuteBash\n          inputs:\n            commands: [echo %s]\n", version, tags, echo)
		repo, findings, err := Load(fstest.MapFS{"c.yaml": {Data: []byte(src)}})
		if err != nil || len(findings) > 0 {
			t.Fatalf("load: %v %v", err, findings)
		}
		return repo.Components["hashed"]
	}
	a := load("1.0.0", "team: a", "hi")
	b := load("2.0.0", "team: b", "hi")
	c := load("1.0.0", "team: a", "bye")
	if a.ContentHash != b.ContentHash {
		t.Error("version or tags changed the content hash")
	}
	if a.ContentHash == c.ContentHash {
		t.Error("a document change did not change the content hash")
	}
}

func TestCheckSchedule(t *testing.T) {
	for expr, ok := range map[string]bool{
		"cron(0 0 * * ? *)":          true,
		"cron(0 10 ? * 2-6 *)":       true,
		"cron(30 22 ? * tue#2 *)":    true,
		"cron(0 3 L * ? *)":          true,
		"cron(0 3 15W * ? 2030)":     true,
		"cron(0/15 * ? * MON-FRI *)": true,
		"rate(1 day)":                true,
		"rate(12 hours)":             true,
		"cron(0 0 * * *)":            false,
		"cron(0 0 * * * *)":          false,
		"cron(0 0 ? * ? *)":          false,
		"cron(60 0 * * ? *)":         false,
		"cron(0 24 * * ? *)":         false,
		"cron(0 0 ? * MON#6 *)":      false,
		"cron(0 0 ? FOO * *)":        false,
		"cron(? 0 * * ? *)":          false,
		"rate(1 days)":               false,
		"rate(0 minutes)":            false,
		"every day":                  false,
	} {
		rule, msg := checkSchedule(expr)
		if (rule == "") != ok {
			t.Errorf("%s: got %q %q, want ok=%v", expr, rule, msg, ok)
		}
	}
}

func TestCheckVersion(t *testing.T) {
	for _, c := range []struct {
		v        string
		wildcard bool
		ok       bool
	}{
		{"1.0.0", false, true}, {"0.0.0", false, true}, {"1073741823.0.1", false, true},
		{"1073741824.0.0", false, false}, {"1.0", false, false}, {"1.0.0.0", false, false},
		{"1.x.x", false, false}, {"1.x.x", true, true}, {"x.x.x", true, true}, {"1.2.x", true, true},
		{"x.2.x", true, false}, {"1.x.8", true, false}, {"a.b.c", true, false}, {"-1.0.0", false, false},
	} {
		rule, _ := checkVersion(c.v, c.wildcard)
		if (rule == "") != c.ok {
			t.Errorf("checkVersion(%q, %v) = %q, want ok=%v", c.v, c.wildcard, rule, c.ok)
		}
	}
}

func TestRecursiveAliasIsBounded(t *testing.T) {
	for _, src := range []string{
		"kind: InfrastructureConfiguration\nname: rec\ninstanceProfileName: x\nlogging: &a {s3Logs: *a}\n",
		"kind: Component\nname: rec\nversion: 1.0.0\nplatform: Linux\ndocument: &a {phases: [*a]}\n",
		"kind: ImageRecipe\nname: rec\nversion: 1.0.0\nparentImage: ami-0123456789abcdef0\ncomponents: &a [{name: x, parameters: {p: *a}}]\n",
	} {
		_, findings, err := Load(fstest.MapFS{"r.yaml": {Data: []byte(src)}})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, f := range findings {
			found = found || f.Rule == RuleYAMLTooComplex || f.Rule == RuleWrongType || f.Rule == RuleUnknownKey
		}
		if !found {
			t.Errorf("recursive alias not reported: %v", findings)
		}
	}
}

func TestInlineDocumentTextForms(t *testing.T) {
	const head = "kind: Component\r\nname: forms\r\nversion: 1.0.0\r\nplatform: Linux\r\n"
	for name, src := range map[string]string{
		"crlf block": head + "document:\r\n  schemaVersion: 1.0 # kept\r\n  phases:\r\n    - name: build\r\n      steps:\r\n        - name: Say\r\n          action: ExecuteBash\r\n          inputs: {commands: [echo hi]}\r\n# trailing comment of the file\r\ndescription: after the document\r\n",
		"flow":       head + "document: {schemaVersion: 1.0, phases: [{name: build, steps: [{name: Say, action: ExecuteBash, inputs: {commands: [echo hi]}}]}]}\r\n",
		"anchors":    head + "document:\n  schemaVersion: 1.0\n  phases:\n    - name: build\n      steps:\n        - &say {name: Say, action: ExecuteBash, inputs: {commands: [echo hi]}}\n",
	} {
		t.Run(name, func(t *testing.T) {
			repo, findings, err := Load(fstest.MapFS{"c.yaml": {Data: []byte(src)}})
			if err != nil || len(findings) > 0 {
				t.Fatalf("load: %v %v", err, findings)
			}
			data := repo.Components["forms"].Data
			var v struct {
				SchemaVersion any `yaml:"schemaVersion"`
				Phases        []struct {
					Name  string
					Steps []map[string]any
				}
				Description string
			}
			if err := yaml.Unmarshal([]byte(data), &v); err != nil {
				t.Fatalf("Data is not YAML: %v\n%s", err, data)
			}
			if len(v.Phases) != 1 || v.Phases[0].Name != "build" || len(v.Phases[0].Steps) != 1 || v.Description != "" {
				t.Fatalf("Data does not hold exactly the document:\n%s", data)
			}
			if strings.Contains(data, "\r") {
				t.Errorf("Data keeps CR line ends:\n%q", data)
			}
		})
	}
}

func TestDocumentFileTargets(t *testing.T) {
	comp := func(name, file string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte(fmt.Sprintf("kind: Component\nname: %s\nversion: 1.0.0\nplatform: Linux\ndocumentFile: %s\n", name, file))}
	}
	fsys := fstest.MapFS{
		"c/good.yaml":        comp("good", "docs/good.yaml"),
		"c/broken.yaml":      comp("broken", "docs/broken.yaml"),
		"c/resource.yaml":    comp("resource", "good.yaml"),
		"c/escape.yaml":      comp("escape", "../../outside.yaml"),
		"c/docs/good.yaml":   {Data: []byte("schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Say\n        action: ExecuteBash\n        inputs: {commands: [echo hi]}\n")},
		"c/docs/broken.yaml": {Data: []byte("schemaVersion: 1.0\nphases: [\n")},
	}
	repo, findings, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range findings {
		got[f.File] += f.Rule + " "
	}
	want := map[string]string{
		"c/broken.yaml":      "file-ref ",
		"c/docs/broken.yaml": "yaml-syntax ",
		"c/resource.yaml":    "file-ref ",
		"c/escape.yaml":      "file-ref ",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("findings %v, want %v", got, want)
	}
	if g := repo.Components["good"]; g.DocumentFile != "c/docs/good.yaml" || !strings.HasPrefix(g.Data, "schemaVersion: 1.0\n") {
		t.Errorf("good: %+v", g)
	}
}

func TestImageAndContainerRecipesShareNames(t *testing.T) {
	fsys := fstest.MapFS{
		"a.yaml": {Data: []byte("kind: ImageRecipe\nname: same\nversion: 1.0.0\nparentImage: ami-0123456789abcdef0\n")},
		"b.yaml": {Data: []byte("kind: ContainerRecipe\nname: same\nversion: 1.0.0\ncontainerType: DOCKER\nparentImage: amazonlinux:2023\ndockerfileTemplate: \"FROM {{{ imagebuilder:parentImage }}}\\n{{{ imagebuilder:components }}}\\n\"\ntargetRepository: {service: ECR, repositoryName: r}\n")},
	}
	_, findings, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if len(findings) != 1 || findings[0].Rule != RuleDuplicateName || findings[0].File != "b.yaml" {
		t.Fatalf("findings: %v", findings)
	}
}

func TestConfigRootSelectsFolder(t *testing.T) {
	fsys := fstest.MapFS{
		"ibgitops.yaml":         {Data: []byte("root: images\nbackend: aws\n")},
		"images/infra.yaml":     {Data: []byte("kind: InfrastructureConfiguration\nname: x\ninstanceProfileName: p\n")},
		"elsewhere/infra.yaml":  {Data: []byte("kind: InfrastructureConfiguration\nname: ignored\n")},
		"images/.hidden/x.yaml": {Data: []byte("kind: Bogus\n")},
	}
	repo, findings, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if len(findings) != 1 || findings[0].File != "images/infra.yaml" || findings[0].Rule != RuleNamePattern {
		t.Fatalf("findings: %v", findings)
	}
	if repo.Config.Root != "images" || repo.Config.Backend != "aws" || fmt.Sprint(repo.Files) != "[ibgitops.yaml images/infra.yaml]" {
		t.Fatalf("config %+v files %v", repo.Config, repo.Files)
	}
}

func noResources(repo *Repo, findings []diag.Finding) []diag.Finding {
	return NoResources(repo, findings, ".")
}

// A resource outside root: is not found: the repository looks empty.
const recipeYAMLOutsideRoot = `kind: InfrastructureConfiguration
name: outside
instanceProfileName: builder
`

// NoResources stays silent when there is something to lint, or when the
// lint already fails for another reason.
func TestNoResources(t *testing.T) {
	cases := []struct {
		name  string
		fsys  fstest.MapFS
		label string
		want  string
	}{
		{"empty folder", fstest.MapFS{".keep": {}}, "repo", "no resources found under repo (no *.yaml"},
		{"root: images", fstest.MapFS{"ibgitops.yaml": {Data: []byte("root: images\n")}, "images/.keep": {}}, "repo", "no resources found under repo/images "},
		{"one resource", fstest.MapFS{"i.yaml": {Data: []byte(recipeYAMLOutsideRoot)}}, ".", ""},
		{"only a broken resource", fstest.MapFS{"i.yaml": {Data: []byte("kind: InfrastructureConfiguration\nname: x\n")}}, ".", ""},
		{"only an empty file", fstest.MapFS{"e.yaml": {}}, ".", "no resources found under ."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			repo, findings, err := Load(c.fsys)
			if err != nil {
				t.Fatal(err)
			}
			got := NoResources(repo, findings, c.label)
			if c.want == "" {
				if len(got) != 0 {
					t.Errorf("want nothing, got %v", got)
				}
				return
			}
			if len(got) != 1 || got[0].Severity != diag.Error || !strings.Contains(got[0].Message, c.want) {
				t.Errorf("got %v, want one error containing %q", got, c.want)
			}
		})
	}
}
