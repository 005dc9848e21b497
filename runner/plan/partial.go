package plan

import (
	"bytes"
	"context"
	"io/fs"
	"path"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ibgitops/ibgitops/recipes"
	"gopkg.in/yaml.v3"
)

// Planning loads only what a change can touch, so its cost follows the
// change, not the repository: the changed files, and the unchanged files
// that may depend on something changed (a recipe using a changed
// component, a pipeline building an affected recipe, a child of an
// affected recipe, a component whose documentFile changed). Unchanged
// files are the same blob at base and head, so loading the same set on
// both sides gives the plan the planner would compute from the whole
// repository: an unchanged resource outside the set could only appear
// in it as unchanged and unaffected (TestPartialPlanEqualsFull).
//
// Dependents are found by text before any YAML is decoded: a file that
// refers to a resource names it, by name or in an ARN (which lower-cases
// the name and may replace spaces), so it holds the name's longest word,
// case-insensitively. A file is selected when it holds the key word of a
// changed resource's name or of a changed file's name; the match may
// select files that do not depend on the change (they load as unchanged),
// never miss one that does, short of a name written with YAML escape
// sequences, which Image Builder's name rules give no reason to use.

// selection is the set of files (paths relative to the loaded file
// system) a plan loads on every side.
type selection struct {
	files map[string]bool
	dirs  map[string]bool // every folder on the way to a selected file
}

func newSelection() *selection {
	return &selection{files: map[string]bool{}, dirs: map[string]bool{".": true}}
}

func (s *selection) add(p string) {
	s.files[p] = true
	for d := path.Dir(p); !s.dirs[d]; d = path.Dir(d) {
		s.dirs[d] = true
	}
}

// keyWord is the longest run of letters and digits in s, lower-cased:
// the part of a name every spelling of a reference to it contains.
func keyWord(s string) string {
	best, start := "", -1
	for i := 0; i <= len(s); i++ {
		if i < len(s) && isWordByte(s[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start > len(best) {
			best = s[start:i]
		}
		start = -1
	}
	return strings.ToLower(best)
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// mentions reports whether data holds one of words as a whole word,
// case-insensitively, without allocating per word.
func mentions(data []byte, words map[string]bool, buf []byte) bool {
	buf = buf[:0]
	for i := 0; i <= len(data); i++ {
		if i < len(data) && isWordByte(data[i]) {
			c := data[i]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			buf = append(buf, c)
			continue
		}
		if len(buf) > 0 {
			if words[string(buf)] {
				return true
			}
			buf = buf[:0]
		}
	}
	return false
}

// FNV-1a, 32 bits: the hash of a word for the scan's first sieve.
const (
	fnvOffset32 = 2166136261
	fnvPrime32  = 16777619
)

// wordHash is the hash of a key word (already lower-case).
func wordHash(w string) uint32 {
	h := uint32(fnvOffset32)
	for i := 0; i < len(w); i++ {
		h = (h ^ uint32(w[i])) * fnvPrime32
	}
	return h
}

// appendWordHashes appends to dst the hash of each word of data (each
// run of letters and digits, lower-cased), as mentions splits them.
func appendWordHashes(dst []uint32, data []byte) []uint32 {
	h, in := uint32(fnvOffset32), false
	for _, c := range data {
		if isWordByte(c) {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			h = (h ^ uint32(c)) * fnvPrime32
			in = true
			continue
		}
		if in {
			dst = append(dst, h)
			h, in = fnvOffset32, false
		}
	}
	if in {
		dst = append(dst, h)
	}
	return dst
}

// anyHashIn reports whether one of hs is in set.
func anyHashIn(hs []uint32, set map[uint32]bool) bool {
	for _, h := range hs {
		if set[h] {
			return true
		}
	}
	return false
}

// head is a resource file's kind, name and parent, read without the
// loader.
type head struct {
	Kind        string `yaml:"kind"`
	Name        string `yaml:"name"`
	ParentImage string `yaml:"parentImage"`
}

// parent is the recipe of this repository a recipe builds on, if any.
func (h head) parent() string {
	if !propagates(h.Kind) {
		return ""
	}
	p, _ := strings.CutPrefix(h.ParentImage, "recipe:")
	if p == h.ParentImage {
		return ""
	}
	return p
}

func readHead(data []byte) (head, bool) {
	if h, ok := scanHead(data); ok {
		return h, true
	}
	var h head
	if err := yaml.Unmarshal(data, &h); err != nil {
		return h, false
	}
	return h, true
}

// scanHead reads kind, name and parentImage from a file written the
// plain way (top-level "key: value" lines, plain one-line values) without
// a YAML parser: the plan reads the head of every changed file and of
// every file that mentions a change, and a parse costs ten times a scan.
// Anything else at the top level (quotes, anchors, tags, flow style,
// merge keys, block or multi-line values, several documents, a repeated
// key) is left to the parser: ok is false.
func scanHead(data []byte) (h head, ok bool) {
	// YAML breaks lines at a lone CR and at NEL, LS and PS too.
	if bytes.Contains(bytes.ReplaceAll(data, []byte("\r\n"), nil), []byte("\r")) || bytes.ContainsAny(data, "\u0085\u2028\u2029") {
		return h, false
	}
	seen := map[string]bool{}
	var last *string // the value just read: an indented line after it would continue it
	started := false
	for rest := data; len(rest) > 0; {
		line := rest
		if nl := bytes.IndexByte(rest, '\n'); nl >= 0 {
			line, rest = rest[:nl], rest[nl+1:]
		} else {
			rest = nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		trimmed := bytes.TrimLeft(line, " ")
		if len(trimmed) == 0 || trimmed[0] == '#' {
			continue
		}
		if len(trimmed) != len(line) || line[0] == '\t' {
			if last != nil || len(seen) == 0 {
				return h, false // a multi-line value, or a mapping that is not at the left edge
			}
			continue // inside another key's value
		}
		last = nil
		if string(line) == "---" && len(seen) == 0 && !started {
			started = true // the document's start marker, once, before any key
			continue
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 || !plainKey(line[:colon]) || (colon+1 < len(line) && line[colon+1] != ' ') {
			return h, false
		}
		key := string(line[:colon])
		if seen[key] {
			return h, false
		}
		seen[key] = true
		v := line[colon+1:]
		var dst *string
		switch key {
		case "kind":
			dst = &h.Kind
		case "name":
			dst = &h.Name
		case "parentImage":
			dst = &h.ParentImage
		default:
			// Another key's value may hide lines at the top level only
			// inside quotes or brackets that do not close on its line.
			if !closedOnLine(bytes.Trim(v, " ")) {
				return h, false
			}
			continue
		}
		if c := bytes.Index(v, []byte(" #")); c >= 0 {
			v = v[:c]
		}
		v = bytes.Trim(v, " ")
		if len(v) == 0 || bytes.ContainsAny(v[:1], "\"'&*!|>{}[]%@`#,?:-<=~") || bytes.ContainsAny(v, "\t") || bytes.HasSuffix(v, []byte(":")) || bytes.Contains(v, []byte(": ")) {
			return h, false
		}
		switch string(v) {
		case "null", "Null", "NULL":
			return h, false
		}
		for _, c := range v {
			if c < 0x20 || c > 0x7e {
				return h, false // names are printable ASCII; the parser judges the rest
			}
		}
		*dst = string(v)
		last = dst
	}
	return h, seen["kind"] && seen["name"]
}

// closedOnLine reports whether a value cannot go on past its line: it
// does not start a quoted or flow value, or it is a quoted value that
// closes at the end of the line with nothing escaped.
func closedOnLine(v []byte) bool {
	if len(v) == 0 {
		return true
	}
	switch v[0] {
	case '[', '{':
		return false
	case '"':
		return len(v) >= 2 && v[len(v)-1] == '"' && !bytes.ContainsAny(v[1:len(v)-1], "\\\"")
	case '\'':
		return len(v) >= 2 && v[len(v)-1] == '\'' && !bytes.Contains(v[1:len(v)-1], []byte("'"))
	}
	return true
}

// plainKey: a key of letters, digits and underscores only.
func plainKey(k []byte) bool {
	for _, c := range k {
		if !isWordByte(c) && c != '_' {
			return false
		}
	}
	return true
}

// propagates reports whether an unchanged resource of kind k can pass a
// change on: recipes are used by child recipes and pipelines; nothing
// depends on the others through a change of theirs alone.
func propagates(k string) bool {
	return k == string(recipes.KindImageRecipe) || k == string(recipes.KindContainerRecipe)
}

// isResourceFile is what the loader reads as a resource file.
func isResourceFile(p string) bool {
	ext := path.Ext(p)
	return ext == ".yaml" || ext == ".yml"
}

// selector grows a selection from the changed paths.
type selector struct {
	sel   *selection
	words map[string]bool // key words of changed names, new since the last scan
	all   map[string]bool // every key word so far
	ok    bool            // false: a changed name has no key word; load everything
}

func newSelector() *selector {
	return &selector{sel: newSelection(), words: map[string]bool{}, all: map[string]bool{}, ok: true}
}

func (s *selector) word(name string) {
	w := keyWord(name)
	if w == "" {
		s.ok = false
		return
	}
	if !s.all[w] {
		s.all[w] = true
		s.words[w] = true
	}
}

// seed selects a changed path (relative to the loaded file system) and
// takes the key words of its file name and of the resource it holds on
// each side where it exists.
func (s *selector) seed(p string, sides ...fs.FS) {
	s.sel.add(p)
	// A documentFile or dockerfileTemplateFile names the file; a name of
	// punctuation only is searched by its extension.
	if w := keyWord(strings.TrimSuffix(path.Base(p), path.Ext(p))); w != "" {
		s.word(w)
	} else {
		s.word(path.Base(p))
	}
	if !isResourceFile(p) {
		return
	}
	for _, fsys := range sides {
		if fsys == nil {
			continue
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			continue
		}
		if h, ok := readHead(data); ok && h.Name != "" {
			s.word(h.Name)
			s.ancestor(h)
		}
	}
}

// ancestor searches for the parent recipe of a selected recipe too: the
// planner orders recipes parents first, by their depth in the parent
// chain, so the whole chain must load for the order to be the same.
func (s *selector) ancestor(h head) {
	if p := h.parent(); p != "" {
		s.word(p)
	}
}

// candidate is an unchanged resource file the scan may select.
type candidate struct {
	path  string
	data  []byte
	words []uint32 // hashes of data's words
	link  bool     // not read (a link, not a regular file, too large): always selected
}

// candidates lists the resource files under root in fsys with their
// content and its word hashes, as the loader walks them (dot entries
// skipped, symbolic links to folders not followed). The files are read
// on every core: reading them is most of planning a small change in a
// large repository.
func candidates(ctx context.Context, fsys fs.FS, root string, skip map[string]bool) ([]candidate, error) {
	var out []candidate
	var entries []fs.DirEntry // of out's regular files, to read
	var toRead []int
	err := fs.WalkDir(fsys, root, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return err
			}
			return nil // the loader reports it if the file is selected
		}
		if p != root && strings.HasPrefix(de.Name(), ".") {
			if de.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if de.IsDir() || skip[p] || !isResourceFile(p) {
			return nil
		}
		if !de.Type().IsRegular() {
			// A link's text is a path, not the linked file's text; a FIFO
			// or device in a work tree must not be read here: select them,
			// and the loader reads or refuses them as it always does.
			out = append(out, candidate{path: p, link: true})
			return nil
		}
		toRead = append(toRead, len(out))
		entries = append(entries, de)
		out = append(out, candidate{path: p})
		return nil
	})
	if err != nil {
		return nil, err
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(toRead)/64+1) {
		wg.Go(func() {
			var scratch, arena []uint32 // files' word hashes, in chunks
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(toRead) {
					return
				}
				c := &out[toRead[i]]
				if info, err := entries[i].Info(); err != nil || info.Size() > recipes.MaxFileSize {
					c.link = true // too large: the loader says so
					continue
				}
				data, err := readShared(fsys, c.path) // only read, never modified
				if err != nil {
					c.link = true // unreadable: let the loader say why
					continue
				}
				scratch = appendWordHashes(scratch[:0], data)
				if cap(arena)-len(arena) < len(scratch) {
					arena = make([]uint32, 0, max(32<<10, len(scratch)))
				}
				n := len(arena)
				arena = append(arena, scratch...)
				c.data, c.words = data, arena[n:len(arena):len(arena)]
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err // an interrupt: what was read is not the head
	}
	return out, nil
}

// grow selects the candidates that mention a changed name, then those
// that mention a newly selected recipe, until nothing new is selected.
// Each file's text was split into words once (candidates): rounds sieve
// the word hashes and read the text again only on a hit (a hash
// collision selects nothing by itself).
func (s *selector) grow(cands []candidate) {
	var buf []byte
	for len(s.words) > 0 {
		words := s.words
		s.words = map[string]bool{}
		hashes := make(map[uint32]bool, len(words))
		for w := range words {
			hashes[wordHash(w)] = true
		}
		rest := cands[:0]
		for _, c := range cands {
			if !c.link && !(anyHashIn(c.words, hashes) && mentions(c.data, words, buf)) {
				rest = append(rest, c)
				continue
			}
			s.sel.add(c.path)
			if h, ok := readHead(c.data); ok && propagates(h.Kind) {
				s.word(h.Name)
				s.ancestor(h)
			}
		}
		cands = rest
	}
}

// onlyFS lists only the selected files and their folders; every file
// stays readable by name, so a selected resource still reads its
// documentFile, links and stand-ins wherever they are.
type onlyFS struct {
	fs.FS
	sel *selection
}

func (o *onlyFS) ReadDir(name string) ([]fs.DirEntry, error) {
	ents, err := fs.ReadDir(o.FS, name)
	if err != nil {
		return nil, err
	}
	out := ents[:0]
	for _, e := range ents {
		p := path.Join(name, e.Name())
		if o.sel.files[p] || o.sel.dirs[p] {
			out = append(out, e)
		}
	}
	return out, nil
}

func (o *onlyFS) ReadFile(name string) ([]byte, error) { return fs.ReadFile(o.FS, name) }

func (o *onlyFS) Stat(name string) (fs.FileInfo, error) { return fs.Stat(o.FS, name) }

func (o *onlyFS) Lstat(name string) (fs.FileInfo, error) { return fs.Lstat(o.FS, name) }

func (o *onlyFS) ReadLink(name string) (string, error) { return fs.ReadLink(o.FS, name) }

var (
	_ fs.ReadDirFS  = (*onlyFS)(nil)
	_ fs.ReadFileFS = (*onlyFS)(nil)
	_ fs.StatFS     = (*onlyFS)(nil)
	_ fs.ReadLinkFS = (*onlyFS)(nil)
)

// restrict is fsys listing only sel; nil sel is fsys itself.
func restrict(fsys fs.FS, sel *selection) fs.FS {
	if sel == nil || fsys == nil {
		return fsys
	}
	return &onlyFS{FS: fsys, sel: sel}
}
