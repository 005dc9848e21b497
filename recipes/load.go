package recipes

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/ibgitops/ibgitops/internal/lazyre"
	"github.com/ibgitops/ibgitops/recipes/awstoe"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/recipes/raw"
	"gopkg.in/yaml.v3"
)

// MaxFileSize is the largest file Load reads (1 MiB); larger files are a
// finding, never read into memory.
const MaxFileSize = 1 << 20

// ConfigFile is the settings file at the repository root.
const ConfigFile = "ibgitops.yaml"

// parsedFile is one YAML file after the syntax layer.
type parsedFile struct {
	path string
	data []byte
	root *yaml.Node // the top-level mapping, nil when the file is not a mapping
	kind string
	// empty is set when the file holds no YAML value at all (nothing,
	// only comments, a bare --- or null).
	empty bool
}

// loader carries the state of one Load call.
type loader struct {
	fsys     fs.FS
	repo     *Repo
	findings []diag.Finding
	files    map[string]bool
	parsed   map[string]*parsedFile
	// regular holds the walked files whose directory entry says they are
	// regular files in real folders: they need no symlink resolution.
	regular map[string]bool
	// What the cross checks take positions from: the parameter keys of a
	// recipe's component entries (aligned with its Components), the raw
	// distributions and pipelines by name.
	paramKeys map[Key][]keyList
	dists     map[string]*raw.Distribution
	pipelines map[string]*raw.Pipeline
	shared    *Parses // YAML parses shared with other loads; nil: none
}

func (l *loader) add(rule string, sev diag.Severity, file string, p diag.Pos, format string, args ...any) {
	l.findings = append(l.findings, diag.Finding{Rule: rule, Severity: sev, File: file, Line: p.Line, Column: p.Column,
		Message: fmt.Sprintf(format, args...)})
}

func (l *loader) examined(p string) { l.files[p] = true }

// LoadConfig reads ibgitops.yaml from the repository root. A missing file
// gives the defaults and no findings.
func LoadConfig(fsys fs.FS) (Config, []diag.Finding, error) {
	l := &loader{fsys: fsys, files: map[string]bool{}, parsed: map[string]*parsedFile{}}
	cfg, err := l.loadConfig()
	return cfg, l.findings, err
}

func (l *loader) loadConfig() (Config, error) {
	cfg := DefaultConfig()
	name := ConfigFile
	if _, err := fs.Stat(l.fsys, name); errors.Is(err, fs.ErrNotExist) {
		name = "ibgitops.yml"
		if _, err := fs.Stat(l.fsys, name); errors.Is(err, fs.ErrNotExist) {
			return cfg, nil
		}
	}
	pf := l.parse(name)
	if pf == nil || pf.root == nil {
		return cfg, nil
	}
	d := newDecoder(name, ConfigFile)
	var rc raw.Value[*raw.Config]
	_, ok := d.value(pf.root, ConfigSchema(), "", &rc)
	l.findings = append(l.findings, d.findings...)
	if !ok {
		return cfg, nil
	}
	c := rc.V
	cfg.Root = c.Root.Or(cfg.Root)
	cfg.Backend = c.Backend.Or(cfg.Backend)
	cfg.AWS.Region = raw.Get(c.AWS).Region.Or(cfg.AWS.Region)
	local := raw.Get(c.Local)
	cfg.Local.Engine = local.Engine.Or(cfg.Local.Engine)
	cfg.Local.Store = local.Store.Or(cfg.Local.Store)
	if standIns := local.Components; standIns.Set {
		cfg.Local.Components = raw.Plain(standIns)
		l.checkStandIns(name, standIns)
	}
	versioning := raw.Get(c.Versioning)
	cfg.Versioning.Bump = versioning.Bump.Or(cfg.Versioning.Bump)
	cfg.Versioning.Propagate = versioning.Propagate.Or(cfg.Versioning.Propagate)
	cfg.Release.TagPattern = raw.Get(c.Release).TagPattern.Or(cfg.Release.TagPattern)
	report := raw.Get(c.Report)
	cfg.Report.Comment = report.Comment.Or(cfg.Report.Comment)
	cfg.Report.Statuses = report.Statuses.Or(cfg.Report.Statuses)
	root := path.Clean(strings.TrimPrefix(cfg.Root, "./"))
	if root == "" {
		root = "."
	}
	rootPos := c.Root.Pos
	switch {
	case !fs.ValidPath(root):
		l.add(RuleConfigRoot, diag.Error, name, rootPos, "root %q must be a relative folder inside the repository (no .., no leading /); fix root: in %s", cfg.Root, name)
		root = "."
	default:
		if _, prob := resolve(l.fsys, root); prob != nil {
			l.add(RuleConfigRoot, diag.Error, name, rootPos, "root %q cannot be used: %s", cfg.Root, prob.msg)
			root = "."
			break
		}
		st, err := fs.Stat(l.fsys, root)
		if err != nil || !st.IsDir() {
			l.add(RuleConfigRoot, diag.Error, name, rootPos, "root %q is not a folder of the repository; create it or fix root: in %s", cfg.Root, name)
			root = "."
		}
	}
	cfg.Root = root
	return cfg, nil
}

// checkStandIns checks local.components: valid ARN patterns mapped to
// AWSTOE documents that exist and validate (the local backend runs them
// in Linux containers).
func (l *loader) checkStandIns(file string, standIns raw.StringMap) {
	for _, pattern := range sortedKeys(standIns.V) {
		entry := standIns.V[pattern]
		if !entry.Set {
			continue
		}
		at := entry.Pos
		if _, err := path.Match(pattern, ""); err != nil {
			l.add(RuleValuePattern, diag.Error, file, entry.KeyPos, "local.components pattern %q is not a valid path.Match pattern (%v); fix the brackets or escapes", pattern, err)
		}
		rel := entry.V
		target := path.Clean(rel)
		if !fs.ValidPath(target) {
			l.add(RuleFileRef, diag.Error, file, at, "local.components %q: %q must be a path relative to the repository root, inside it", pattern, rel)
			continue
		}
		real, prob := resolve(l.fsys, target)
		if prob != nil {
			l.add(RuleFileRef, diag.Error, file, at, "local.components %q cannot be used: %s", pattern, prob.msg)
			continue
		}
		if st, err := fs.Stat(l.fsys, real); err != nil || st.IsDir() {
			l.add(RuleFileRef, diag.Error, file, at, "local.components %q: %s does not exist; create the stand-in document or fix the path (relative to the repository root)", pattern, target)
			continue
		}
		if _, prob := regular(l.fsys, target); prob != nil {
			l.add(RuleFileRef, diag.Error, file, at, "local.components %q cannot be used: %s", pattern, prob.msg)
			continue
		}
		pf := l.parse(target)
		if pf == nil || pf.root == nil || pf.kind != "" {
			continue // unusable files are reported by parse; Component files are linted as resources
		}
		doc, findings := awstoe.ParseNode(pf.root, target)
		l.findings = append(l.findings, findings...)
		if doc != nil {
			l.findings = append(l.findings, doc.Validate(awstoe.ValidateOptions{Platform: awstoe.PlatformLinux})...)
		}
	}
}

var reYAMLLine = lazyre.New(`line (\d+)`)

// parse reads and parses one file (syntax layer), reporting size, syntax
// and multi-document problems. It returns nil when the file is unusable.
func (l *loader) parse(name string) *parsedFile {
	if pf, ok := l.parsed[name]; ok {
		return pf
	}
	l.parsed[name] = nil
	l.examined(name)
	data, prob := l.readRegular(name)
	if prob != nil {
		l.add(prob.rule, diag.Error, name, diag.Pos{}, "%s", prob.msg)
		return nil
	}
	pf := &parsedFile{path: name, data: data}
	l.parsed[name] = pf
	if sp := l.shared.parse(data); sp != nil {
		pf.root, pf.kind, pf.empty = sp.root, sp.kind, sp.empty
		return pf
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := safeDecode(dec, &doc); err != nil {
		if errors.Is(err, io.EOF) {
			pf.empty = true
			return pf
		}
		l.yamlError(name, data, err)
		return nil
	}
	var second yaml.Node
	switch err := safeDecode(dec, &second); {
	case errors.Is(err, io.EOF):
	case err != nil:
		l.yamlError(name, data, err)
		return nil
	default:
		l.add(RuleMultipleDocuments, diag.Error, name, diag.Pos{Line: second.Line, Column: 1},
			"the file holds more than one YAML document; keep one resource per file and move the rest to their own files")
	}
	pf.fill(&doc)
	return pf
}

// fill sets what the loader reads of a file's one YAML document.
func (pf *parsedFile) fill(doc *yaml.Node) {
	if len(doc.Content) == 0 || len(doc.Content) == 1 && doc.Content[0].Kind == yaml.ScalarNode && doc.Content[0].Tag == "!!null" {
		pf.empty = true
	}
	if len(doc.Content) == 1 && doc.Content[0].Kind == yaml.MappingNode {
		pf.root = doc.Content[0]
		for i := 0; i+1 < len(pf.root.Content); i += 2 {
			if pf.root.Content[i].Value == "kind" && pf.root.Content[i+1].Kind == yaml.ScalarNode {
				pf.kind = pf.root.Content[i+1].Value
			}
		}
	}
}

// Parses shares the YAML parses of files between loads: a plan loads the
// same unchanged files at its base and at its head, and decoding YAML is
// most of a load. A file is known by its content; only a clean parse (one
// document, no error) is shared, so every finding is still the loader's
// own. The shared trees are read only. Safe for concurrent loads.
//
// A load drops a file's YAML nodes once it has decoded the file, so
// shared parses must not outlive their use: a parse is let go once two
// loads took it (a plan's base and head, which read their files in the
// same order at the same time), and parses taken once only (a changed
// file) go when sharedPerGeneration newer ones have come after them.
// Holding every parse of a plan of 25,000 files took 70 MB more at its
// peak (a third load of the same content parses it again).
type Parses struct {
	mu       sync.Mutex
	cur, old map[string]*sharedParse // two generations: old is dropped when cur is full
	parsed   int                     // files parsed (tests count them)
}

// sharedPerGeneration bounds the parses kept for a later load: twice
// this many at most.
const sharedPerGeneration = 1024

type sharedParse struct {
	once  sync.Once
	pf    *parsedFile // nil: the file has a problem its loader reports
	takes int
}

// NewParses returns an empty set of shared parses.
func NewParses() *Parses { return &Parses{cur: map[string]*sharedParse{}} }

// held is how many parses ps keeps for later loads.
func (ps *Parses) held() int {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return len(ps.cur) + len(ps.old)
}

// parse returns the clean parse of data, parsing it once for all loads;
// nil when there is no sharing or the file is not clean.
func (ps *Parses) parse(data []byte) *parsedFile {
	if ps == nil {
		return nil
	}
	ps.mu.Lock()
	e, ok := ps.cur[string(data)]
	if !ok {
		e, ok = ps.old[string(data)]
	}
	if !ok {
		if len(ps.cur) >= sharedPerGeneration {
			ps.old, ps.cur = ps.cur, make(map[string]*sharedParse, sharedPerGeneration)
		}
		e = &sharedParse{}
		ps.cur[string(data)] = e
	}
	ps.mu.Unlock()
	e.once.Do(func() {
		ps.mu.Lock()
		ps.parsed++
		ps.mu.Unlock()
		dec := yaml.NewDecoder(bytes.NewReader(data))
		var doc, second yaml.Node
		if err := safeDecode(dec, &doc); err != nil && !errors.Is(err, io.EOF) {
			return
		} else if err != nil {
			e.pf = &parsedFile{empty: true}
			return
		}
		if err := safeDecode(dec, &second); !errors.Is(err, io.EOF) {
			return
		}
		e.pf = &parsedFile{}
		e.pf.fill(&doc)
	})
	ps.mu.Lock()
	if e.takes++; e.takes == 2 {
		if ps.cur[string(data)] == e {
			delete(ps.cur, string(data))
		}
		if ps.old[string(data)] == e {
			delete(ps.old, string(data))
		}
	}
	ps.mu.Unlock()
	return e.pf
}

// fileProblem is why a file cannot be used, with the rule to report it under.
type fileProblem struct {
	rule string
	msg  string
}

// maxLinkHops bounds a symlink chain (as the kernel's 40).
const maxLinkHops = 40

// resolve follows the symlinks of name, one path element at a time, and
// returns the path they lead to inside fsys. A link that is absolute or
// climbs out of the root is a problem, never followed, as is a loop.
// os.DirFS (and any fs.ReadLinkFS) is resolved this way; a file system
// without links is taken as it is. A missing element is not a problem
// here: the returned path then fails Stat and the caller says so.
func resolve(fsys fs.FS, name string) (string, *fileProblem) {
	rl, ok := fsys.(fs.ReadLinkFS)
	if !ok || name == "." {
		return name, nil
	}
	rest := strings.Split(name, "/")
	done := "."
	hops := 0
	for len(rest) > 0 {
		cur := path.Join(done, rest[0])
		rest = rest[1:]
		fi, err := rl.Lstat(cur)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			done = cur
			if err != nil {
				return path.Join(append([]string{done}, rest...)...), nil
			}
			continue
		}
		if hops++; hops > maxLinkHops {
			return "", &fileProblem{RuleSymlink, fmt.Sprintf("%s is a symlink chain that loops (more than %d links); point the link at a real file", name, maxLinkHops)}
		}
		target, err := rl.ReadLink(cur)
		if err != nil {
			return "", &fileProblem{RuleFileUnreadable, fmt.Sprintf("cannot read the symlink %s (%v); check its permissions", cur, errors.Unwrap(err))}
		}
		if strings.HasPrefix(target, "/") || len(target) > 2 && target[1] == ':' && (target[2] == '/' || target[2] == '\\') {
			return "", &fileProblem{RuleSymlink, fmt.Sprintf("%s is a symlink to %s, outside the repository; ibgitops reads only files inside the repository: copy the file in, or make the link relative to a file in the repository", cur, target)}
		}
		next := path.Join(path.Dir(cur), target)
		if !fs.ValidPath(next) {
			return "", &fileProblem{RuleSymlink, fmt.Sprintf("%s is a symlink to %s, which leads outside the repository; ibgitops reads only files inside the repository: copy the file in instead of linking", cur, target)}
		}
		rest = append(strings.Split(next, "/"), rest...)
		done = "."
	}
	return done, nil
}

// regular resolves name's symlinks within fsys and checks that it is a
// regular file. Anything else (a FIFO, a device, a socket) is never
// opened: opening a FIFO blocks until a writer comes.
func regular(fsys fs.FS, name string) (string, *fileProblem) {
	real, prob := resolve(fsys, name)
	if prob != nil {
		return "", prob
	}
	st, err := fs.Stat(fsys, real)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", &fileProblem{RuleFileUnreadable, fmt.Sprintf("%s does not exist (a dangling symlink?); create it or remove the link", name)}
		}
		return "", &fileProblem{RuleFileUnreadable, fmt.Sprintf("cannot read the file (%v); check its permissions", errors.Unwrap(err))}
	}
	if !st.Mode().IsRegular() {
		what := "not a regular file"
		switch m := st.Mode(); {
		case m.IsDir():
			what = "a folder"
		case m&fs.ModeNamedPipe != 0:
			what = "a FIFO (named pipe)"
		case m&fs.ModeSocket != 0:
			what = "a socket"
		case m&fs.ModeDevice != 0:
			what = "a device"
		case m&fs.ModeSymlink != 0:
			what = "a symlink"
		}
		return "", &fileProblem{RuleFileType, fmt.Sprintf("%s is %s, not a regular file, so ibgitops does not read it; remove it or rename it away from .yaml/.yml", name, what)}
	}
	return real, nil
}

var (
	bomUTF8    = []byte{0xef, 0xbb, 0xbf}
	bomUTF32LE = []byte{0xff, 0xfe, 0x00, 0x00}
	bomUTF32BE = []byte{0x00, 0x00, 0xfe, 0xff}
	bomUTF16LE = []byte{0xff, 0xfe}
	bomUTF16BE = []byte{0xfe, 0xff}
)

// readRegular reads a regular file of at most MaxFileSize bytes, in
// UTF-8. A UTF-8 byte order mark is dropped; UTF-16 and UTF-32 files are
// refused with the conversion command.
func (l *loader) readRegular(name string) ([]byte, *fileProblem) {
	real := name
	if !l.regular[name] {
		var prob *fileProblem
		if real, prob = regular(l.fsys, name); prob != nil {
			return nil, prob
		}
	}
	f, err := l.fsys.Open(real)
	if err != nil {
		return nil, &fileProblem{RuleFileUnreadable, fmt.Sprintf("cannot read the file (%v); check its permissions", errors.Unwrap(err))}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	f.Close()
	if err != nil {
		return nil, &fileProblem{RuleFileUnreadable, fmt.Sprintf("cannot read the file (%v); check its permissions", err)}
	}
	if len(data) > MaxFileSize {
		return nil, &fileProblem{RuleFileTooLarge, "the file is larger than 1 MiB; split it or move large content out (Image Builder accepts 16,000 characters per document)"}
	}
	for _, enc := range []struct {
		bom  []byte
		name string
	}{{bomUTF32LE, "UTF-32"}, {bomUTF32BE, "UTF-32"}, {bomUTF16LE, "UTF-16"}, {bomUTF16BE, "UTF-16"}} {
		if bytes.HasPrefix(data, enc.bom) {
			return nil, &fileProblem{RuleEncoding, fmt.Sprintf("the file is %s (it starts with a %s byte order mark); ibgitops and Image Builder read UTF-8 only: convert it with iconv -f %s -t UTF-8 %s > %s.utf8 && mv %s.utf8 %s",
				enc.name, enc.name, enc.name, name, name, name, name)}
		}
	}
	return bytes.TrimPrefix(data, bomUTF8), nil
}

// safeDecode turns a panic of the YAML parser into an error.
func safeDecode(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the YAML parser failed: %v", r)
		}
	}()
	return dec.Decode(n)
}

func (l *loader) yamlError(name string, data []byte, err error) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	p := diag.Pos{}
	if m := reYAMLLine.FindStringSubmatch(msg); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		p.Column = 1
		msg = strings.TrimPrefix(msg, m[0]+": ")
	}
	hint := "fix the YAML syntax (quote strings with : or #, align the indentation)"
	lines := bytes.Split(data, []byte("\n"))
	if p.Line >= 1 && p.Line <= len(lines) {
		// yaml reports some tab errors on the line before the tab.
		for ln := p.Line; ln <= p.Line+1 && ln <= len(lines); ln++ {
			line := lines[ln-1]
			if i := bytes.IndexByte(line, '\t'); i >= 0 && len(bytes.TrimLeft(line[:i], " ")) == 0 {
				hint = "indent with spaces, not tabs"
				p.Line, p.Column = ln, i+1
				break
			}
		}
	} else if bytes.Contains(data, []byte("\t")) && strings.Contains(msg, "cannot start any token") {
		hint = "indent with spaces, not tabs"
	}
	if !isText(data) {
		hint = "the file is not UTF-8 text; remove it or rename it away from .yaml/.yml"
	}
	l.add(RuleYAMLSyntax, diag.Error, name, p, "invalid YAML: %s; %s", msg, hint)
}

func isText(data []byte) bool {
	return !bytes.ContainsRune(data, 0) && strings.ToValidUTF8(string(data), "\uFFFD") == string(data)
}

// keyNode returns the value node of key in a mapping, or nil.
func keyNode(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m == nil {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// resourceHints are keys that only resource files have: a file with one of
// them but no kind is a resource that forgot its kind.
var resourceHints = []string{"parentImage", "components", "document", "documentFile", "instanceProfileName",
	"distributions", "infrastructureConfiguration", "imageRecipe", "containerRecipe", "containerType", "dockerfileTemplate"}

func looksLikeResource(root *yaml.Node) bool {
	for _, h := range resourceHints {
		if k, _ := keyNode(root, h); k != nil {
			return true
		}
	}
	return false
}

// Load reads every resource under the configured root of fsys (the
// repository root), validates each kind and the references between them,
// and returns all findings, sorted. The error is set only when the
// repository cannot be read at all.
func Load(fsys fs.FS) (*Repo, []diag.Finding, error) { return LoadShared(fsys, nil) }

// LoadShared is Load taking the YAML parse of each file from parses when
// another load (of another commit) parsed the same content; nil parses
// shares nothing.
func LoadShared(fsys fs.FS, parses *Parses) (*Repo, []diag.Finding, error) {
	l := &loader{fsys: fsys, repo: NewRepo(), files: map[string]bool{}, parsed: map[string]*parsedFile{},
		paramKeys: map[Key][]keyList{}, dists: map[string]*raw.Distribution{}, pipelines: map[string]*raw.Pipeline{}, shared: parses}
	if _, err := fs.Stat(fsys, "."); err != nil {
		return nil, nil, fmt.Errorf("read repository root: %w", err)
	}
	cfg, err := l.loadConfig()
	if err != nil {
		return nil, nil, err
	}
	l.repo.Config = cfg
	var names []string
	// WalkDir never descends through a symlinked folder, so below a root
	// that is no link, a regular entry is a regular file of the repository.
	cfgRootReal := false
	if real, prob := resolve(fsys, cfg.Root); prob == nil && real == cfg.Root {
		cfgRootReal = true
	}
	l.regular = map[string]bool{}
	err = fs.WalkDir(fsys, cfg.Root, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			if p == cfg.Root {
				return err
			}
			l.add(RuleFileUnreadable, diag.Error, p, diag.Pos{}, "cannot read (%v); check its permissions", errors.Unwrap(err))
			return nil
		}
		base := de.Name()
		if p != cfg.Root && strings.HasPrefix(base, ".") {
			if de.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if de.IsDir() || p == ConfigFile || p == "ibgitops.yml" {
			return nil
		}
		if ext := path.Ext(base); ext == ".yaml" || ext == ".yml" {
			names = append(names, p)
			if de.Type().IsRegular() && cfgRootReal {
				l.regular[p] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", cfg.Root, err)
	}
	// Resources are decoded as soon as they are parsed and their YAML
	// nodes dropped, so memory holds one file's nodes at a time (plus the
	// kind-less files, checked at the end).
	targets := map[string]bool{}
	var kindless []*parsedFile
	for _, n := range names {
		pf := l.parse(n)
		if pf != nil && pf.empty {
			kindless = append(kindless, pf)
		}
		if pf == nil || pf.root == nil {
			continue
		}
		if pf.kind == "" {
			kindless = append(kindless, pf)
			continue
		}
		if pf.kind == string(KindComponent) {
			// documentFile targets are pure AWSTOE documents, not resources.
			if _, v := keyNode(pf.root, "documentFile"); v != nil && v.Kind == yaml.ScalarNode {
				targets[path.Join(path.Dir(n), v.Value)] = true
			}
		}
		l.safely(pf.path, func() { l.resource(pf) })
		pf.root, pf.data = nil, nil
	}
	for _, pf := range kindless {
		if pf.empty {
			// A documentFile target is checked (and reported) as a document.
			if !targets[pf.path] {
				l.add(RuleEmptyFile, diag.Warning, pf.path, diag.Pos{}, "the file is empty (no YAML value, only comments or a bare ---), so it defines no resource; add the resource it was meant to hold or delete the file")
			}
			continue
		}
		if !targets[pf.path] && looksLikeResource(pf.root) {
			l.add(RuleMissingKind, diag.Error, pf.path, posOf(pf.root), "the file looks like a resource but has no kind:; add kind: Component, ImageRecipe, ContainerRecipe, InfrastructureConfiguration, DistributionConfiguration or ImagePipeline")
		}
	}
	l.crossCheck()
	l.repo.Files = make([]string, 0, len(l.files))
	for f := range l.files {
		l.repo.Files = append(l.repo.Files, f)
	}
	sort.Strings(l.repo.Files)
	diag.Sort(l.findings)
	return l.repo, l.findings, nil
}

// safely runs fn for one file and turns a panic (a bug in a checker) into
// a finding on that file, so one bad file never stops the lint.
func (l *loader) safely(file string, fn func()) {
	defer func() {
		if r := recover(); r != nil {
			l.add(RuleInternal, diag.Error, file, diag.Pos{}, "ibgitops could not check this file (internal error: %v); please report it with the file attached", r)
		}
	}()
	fn()
}

// resource decodes one resource file into the repository.
func (l *loader) resource(pf *parsedFile) {
	kind := Kind(pf.kind)
	schema := Schema(kind)
	if schema == nil {
		if k, _ := keyNode(pf.root, "apiVersion"); k != nil {
			return // another tool's manifest (Kubernetes, ...)
		}
		_, v := keyNode(pf.root, "kind")
		hint := ""
		for _, known := range Kinds {
			if strings.EqualFold(string(known), pf.kind) || editDistance(strings.ToLower(string(known)), strings.ToLower(pf.kind)) <= 3 {
				hint = fmt.Sprintf("did you mean %s? ", known)
			}
		}
		l.add(RuleUnknownKind, diag.Error, pf.path, posOf(v), "kind %q is not a resource kind; %suse one of Component, ImageRecipe, ContainerRecipe, InfrastructureConfiguration, DistributionConfiguration, ImagePipeline", pf.kind, hint)
		return
	}
	switch kind {
	case KindComponent:
		build(l, pf, schema, l.component)
	case KindImageRecipe:
		build(l, pf, schema, l.imageRecipe)
	case KindContainerRecipe:
		build(l, pf, schema, l.containerRecipe)
	case KindInfrastructure:
		build(l, pf, schema, l.infrastructure)
	case KindDistribution:
		build(l, pf, schema, l.distribution)
	case KindPipeline:
		build(l, pf, schema, l.pipeline)
	}
}

// build decodes a resource file into its kind's raw struct T and, when it
// defines a usable resource, hands it to the kind's builder.
func build[T any](l *loader, pf *parsedFile, schema *Field, kind func(pf *parsedFile, r *T, m map[string]any, meta Meta)) {
	var r raw.Value[*T]
	if m, meta, ok := l.decode(pf, schema, &r); ok {
		kind(pf, r.V, m, meta)
	}
}

// decode decodes a resource file strictly against its field table, into
// r (the raw.Value of the kind's raw struct) and into plain values (the
// API's Spec and the content hash) in one walk. ok is false when the file
// defines no usable resource (reported) or one of its kind and name is
// already loaded.
func (l *loader) decode(pf *parsedFile, schema *Field, r slot) (map[string]any, Meta, bool) {
	d := newDecoder(pf.path, pf.kind)
	v, ok := d.value(pf.root, schema, "", r)
	l.findings = append(l.findings, d.findings...)
	if !ok {
		return nil, Meta{}, false
	}
	res := reflect.ValueOf(r.Target()).Elem().Interface() // the *raw.Component, ...
	c := res.(interface{ Common() *raw.Meta }).Common()
	if c.Name.V == "" {
		return nil, Meta{}, false // reported: name is required
	}
	meta := Meta{Kind: Kind(pf.kind), Name: c.Name.V, File: pf.path, NamePos: c.Name.Pos,
		Description: c.Description.V, Tags: raw.Plain(c.Tags)}
	if vr, ok := res.(interface{ VersionValue() *raw.Value[string] }); ok {
		version := vr.VersionValue()
		meta.Version, meta.VersionPos = version.V, version.Pos
	}
	if !l.unique(meta) {
		return nil, Meta{}, false
	}
	return v.(map[string]any), meta, true
}

func (l *loader) imageRecipe(_ *parsedFile, r *raw.ImageRecipe, m map[string]any, meta Meta) {
	ir := &ImageRecipe{Recipe: l.recipe(&r.Recipe, m, meta)}
	ir.ContentHash = contentHash(m, nil)
	l.repo.ImageRecipes[meta.Name] = ir
}

func (l *loader) infrastructure(_ *parsedFile, r *raw.Infrastructure, m map[string]any, meta Meta) {
	inf := &Infrastructure{Meta: meta, InstanceProfileName: r.InstanceProfileName.V, Spec: specOf(m, KindInfrastructure)}
	inf.ContentHash = contentHash(m, nil)
	l.repo.Infrastructures[meta.Name] = inf
}

func (l *loader) distribution(_ *parsedFile, r *raw.Distribution, m map[string]any, meta Meta) {
	dist := &Distribution{Meta: meta}
	if list, ok := m["distributions"].([]any); ok {
		for _, e := range list {
			if em, ok := e.(map[string]any); ok {
				dist.Distributions = append(dist.Distributions, em)
			}
		}
	}
	if loc := &r.Local; loc.Set {
		dist.Local = &LocalDistribution{Images: raw.Strings(loc.V.Images), Registry: loc.V.Registry.V, Export: loc.V.Export.V}
	}
	dist.ContentHash = contentHash(m, nil)
	l.repo.Distributions[meta.Name] = dist
	l.dists[meta.Name] = r // the ami-name rule points at the AMI name's line
}

func (l *loader) pipeline(_ *parsedFile, r *raw.Pipeline, m map[string]any, meta Meta) {
	p := &Pipeline{Meta: meta, Spec: specOf(m, KindPipeline),
		ImageRecipe: r.ImageRecipe.V, ContainerRecipe: r.ContainerRecipe.V,
		InfrastructureConfiguration: r.InfrastructureConfiguration.V, DistributionConfiguration: r.DistributionConfiguration.V,
		Status: r.Status.V}
	if s := &r.Schedule; s.Set {
		p.Schedule = &Schedule{ScheduleExpression: s.V.ScheduleExpression.V, Timezone: s.V.Timezone.V,
			PipelineExecutionStartCondition: s.V.PipelineExecutionStartCondition.V}
	}
	p.ContentHash = contentHash(m, nil)
	l.repo.Pipelines[meta.Name] = p
	l.pipelines[meta.Name] = r
}

// unique reports a second resource of one kind and name. Image and
// container recipes share one namespace so that recipe:<name> and
// Repo.Recipe are unambiguous.
func (l *loader) unique(meta Meta) bool {
	var other *Meta
	switch meta.Kind {
	case KindComponent:
		if c, ok := l.repo.Components[meta.Name]; ok {
			other = &c.Meta
		}
	case KindImageRecipe, KindContainerRecipe:
		if r, _, ok := l.repo.Recipe(meta.Name); ok {
			other = &r.Meta
		}
	case KindInfrastructure:
		if r, ok := l.repo.Infrastructures[meta.Name]; ok {
			other = &r.Meta
		}
	case KindDistribution:
		if r, ok := l.repo.Distributions[meta.Name]; ok {
			other = &r.Meta
		}
	case KindPipeline:
		if r, ok := l.repo.Pipelines[meta.Name]; ok {
			other = &r.Meta
		}
	}
	if other == nil {
		return true
	}
	l.add(RuleDuplicateName, diag.Error, meta.File, meta.NamePos, "%s %q is already defined in %s:%d; names are unique per kind, rename one of them",
		meta.Kind, meta.Name, other.File, other.NamePos.Line)
	return false
}

// metaKeys are the keys Meta holds.
var metaKeys = []string{"kind", "name", "version", "description", "tags"}

// modelKeys are, per kind with a Spec, the keys its model holds in typed
// fields besides Meta's; Spec holds the others.
// TestModelKeysAreTableKeys checks that each is a key of the kind's table.
var modelKeys = map[Kind][]string{
	KindImageRecipe:     {"parentImage", "components", "workingDirectory", "local"},
	KindContainerRecipe: {"parentImage", "components", "workingDirectory", "local", "containerType", "dockerfileTemplate", "dockerfileTemplateFile", "targetRepository"},
	KindInfrastructure:  {"instanceProfileName"},
	KindPipeline:        {"imageRecipe", "containerRecipe", "infrastructureConfiguration", "distributionConfiguration", "schedule", "status"},
}

// specOf returns the decoded map without the keys the kind's model holds
// typed.
func specOf(m map[string]any, kind Kind) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for _, k := range metaKeys {
		delete(out, k)
	}
	for _, k := range modelKeys[kind] {
		delete(out, k)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// fileRef resolves a path written in file (relative to that file) to a
// path of fsys, or reports why it cannot be used.
func (l *loader) fileRef(file string, p diag.Pos, key, rel string) (string, bool) {
	if path.IsAbs(rel) || strings.Contains(rel, "\\") {
		l.add(RuleFileRef, diag.Error, file, p, "%s %q must be a relative path with forward slashes, relative to %s", key, rel, file)
		return "", false
	}
	target := path.Join(path.Dir(file), rel)
	if !fs.ValidPath(target) {
		l.add(RuleFileRef, diag.Error, file, p, "%s %q points outside the repository; move the file into the repository", key, rel)
		return "", false
	}
	if l.regular[target] {
		return target, true
	}
	real, prob := resolve(l.fsys, target)
	if prob != nil {
		l.add(RuleFileRef, diag.Error, file, p, "%s %q cannot be used: %s", key, rel, prob.msg)
		return "", false
	}
	st, err := fs.Stat(l.fsys, real)
	if err != nil || st.IsDir() {
		l.add(RuleFileRef, diag.Error, file, p, "%s %q: %s does not exist; create it or fix the path (relative to %s)", key, rel, target, path.Dir(file))
		return "", false
	}
	if !st.Mode().IsRegular() {
		if _, prob := regular(l.fsys, target); prob != nil {
			l.add(RuleFileRef, diag.Error, file, p, "%s %q cannot be used: %s", key, rel, prob.msg)
		}
		return "", false
	}
	return target, true
}

func (l *loader) recipe(r *raw.Recipe, m map[string]any, meta Meta) Recipe {
	rec := Recipe{Meta: meta, ParentImage: r.ParentImage.V, ParentImagePos: r.ParentImage.Pos,
		WorkingDirectory: r.WorkingDirectory.V, LocalParentImage: raw.Get(r.Local).ParentImage.V}
	var paramKeys []keyList
	for i := range r.Components.V {
		e := &r.Components.V[i]
		if !e.Set {
			continue
		}
		ref := ComponentRef{Name: e.V.Name.V, ARN: e.V.ARN.V, Version: e.V.Version.V, Pos: e.Pos, VersionPos: e.V.Version.Pos}
		if ref.Name == "" && ref.ARN == "" {
			continue
		}
		var keys keyList
		if params := &e.V.Parameters; params.Set {
			ref.Parameters = make(map[string][]string, len(params.V))
			for name, v := range params.V {
				keys = append(keys, keyAt{name, v.KeyPos})
				if v.Set {
					ref.Parameters[name] = v.V
				}
			}
		}
		rec.Components = append(rec.Components, ref)
		paramKeys = append(paramKeys, keys)
	}
	l.paramKeys[meta.Key()] = paramKeys
	rec.Spec = specOf(m, meta.Kind)
	return rec
}

var (
	reParentPlaceholder     = lazyre.New(`\{\{\{\s*imagebuilder:parentImage\s*\}\}\}`)
	reComponentsPlaceholder = lazyre.New(`\{\{\{\s*imagebuilder:components\s*\}\}\}`)
)

func (l *loader) containerRecipe(pf *parsedFile, r *raw.ContainerRecipe, m map[string]any, meta Meta) {
	cr := &ContainerRecipe{Recipe: l.recipe(&r.Recipe, m, meta), ContainerType: r.ContainerType.V, DockerfileTemplate: r.DockerfileTemplate.V}
	repo := raw.Get(r.TargetRepository)
	cr.TargetRepository.Service = repo.Service.V
	cr.TargetRepository.RepositoryName = repo.RepositoryName.V
	tplPos := r.DockerfileTemplate.Pos
	if file := &r.DockerfileTemplateFile; file.Set {
		rel := file.V
		tplPos = file.Pos
		if target, ok := l.fileRef(pf.path, tplPos, "dockerfileTemplateFile", rel); ok {
			data, prob := l.readRegular(target)
			l.examined(target)
			switch {
			case prob != nil:
				l.add(RuleFileRef, diag.Error, pf.path, tplPos, "dockerfileTemplateFile %q cannot be used: %s", rel, prob.msg)
			case len([]rune(string(data))) > 16000:
				l.add(RuleDocumentSize, diag.Error, pf.path, tplPos, "the Dockerfile template %s has %d characters; Image Builder accepts at most 16,000: shorten it", target, len([]rune(string(data))))
			default:
				cr.DockerfileTemplateFile = target
				cr.DockerfileTemplate = string(data)
			}
		}
	}
	if cr.DockerfileTemplate != "" {
		for _, ph := range []struct {
			re   *lazyre.Regexp
			text string
		}{{reParentPlaceholder, "{{{ imagebuilder:parentImage }}}"}, {reComponentsPlaceholder, "{{{ imagebuilder:components }}}"}} {
			if !ph.re.MatchString(cr.DockerfileTemplate) {
				l.add(RuleDockerfile, diag.Warning, pf.path, tplPos, "the Dockerfile template has no %s placeholder; add it (FROM %s, then %s on its own line)", ph.text,
					"{{{ imagebuilder:parentImage }}}", "{{{ imagebuilder:components }}}")
			}
		}
	}
	cr.ContentHash = contentHash(m, map[string]any{"dockerfileTemplate": cr.DockerfileTemplate, "dockerfileTemplateFile": nil})
	l.repo.ContainerRecipes[meta.Name] = cr
}
