package recipes

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf16"

	"github.com/ibgitops/ibgitops/recipes/diag"
)

const (
	hostileComp = "kind: Component\nname: comp-c\nversion: 1.0.0\nplatform: Linux\n"
	hostileDoc  = "schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: S\n        action: ExecuteBash\n        inputs:\n          commands: [echo hi]\n"
	hostileInl  = "document:\n  schemaVersion: 1.0\n  phases:\n    - name: build\n      steps:\n        - name: S\n          action: ExecuteBash\n          inputs:\n            commands: [echo hi]\n"
)

func utf16LE(s string, bigEndian bool) []byte {
	out := []byte{0xff, 0xfe}
	if bigEndian {
		out = []byte{0xfe, 0xff}
	}
	for _, u := range utf16.Encode([]rune(s)) {
		if bigEndian {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

func link(target string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte(target), Mode: fs.ModeSymlink | 0o777}
}

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s), Mode: 0o644} }

// TestHostileInputs: encodings, symlinks and special files. Each case
// wants exactly the listed findings (rule, file, line, message parts).
func TestHostileInputs(t *testing.T) {
	type want struct {
		rule, file string
		line       int
		msg        []string
	}
	standIn := "local:\n  components:\n    \"arn:aws:imagebuilder:*:aws:component/x/*\": %s\n"
	cases := []struct {
		name  string
		fsys  fstest.MapFS
		wants []want
	}{
		{"utf16-le-bom", fstest.MapFS{"c.yaml": {Data: utf16LE(hostileComp+hostileInl, false)}},
			[]want{{RuleEncoding, "c.yaml", 0, []string{"UTF-16", "iconv -f UTF-16 -t UTF-8 c.yaml"}}}},
		{"utf16-be-bom", fstest.MapFS{"c.yaml": {Data: utf16LE(hostileComp+hostileInl, true)}},
			[]want{{RuleEncoding, "c.yaml", 0, []string{"UTF-16"}}}},
		{"utf32-le-bom", fstest.MapFS{"c.yaml": {Data: append([]byte{0xff, 0xfe, 0, 0}, 'k', 0, 0, 0)}},
			[]want{{RuleEncoding, "c.yaml", 0, []string{"UTF-32", "iconv -f UTF-32"}}}},
		{"utf16-config", fstest.MapFS{"ibgitops.yaml": {Data: utf16LE("backend: local\n", false)}},
			[]want{{RuleEncoding, "ibgitops.yaml", 0, []string{"UTF-16"}}}},
		{"utf16-documentFile", fstest.MapFS{"c.yaml": file(hostileComp + "documentFile: doc.yaml\n"), "doc.yaml": {Data: utf16LE(hostileDoc, false)}},
			[]want{{RuleEncoding, "doc.yaml", 0, []string{"UTF-16"}}, {RuleFileRef, "c.yaml", 5, []string{"see the findings of doc.yaml"}}}},
		{"utf8-bom-accepted", fstest.MapFS{"c.yaml": file("\xef\xbb\xbf" + hostileComp + hostileInl)}, nil},
		{"utf8-bom-documentFile-accepted", fstest.MapFS{"c.yaml": file(hostileComp + "documentFile: doc.yaml\n"), "doc.yaml": file("\xef\xbb\xbf" + hostileDoc)}, nil},
		{"documentFile-link-absolute", fstest.MapFS{"c.yaml": file(hostileComp + "documentFile: p.yaml\n"), "p.yaml": link("/etc/passwd")},
			[]want{{RuleFileRef, "c.yaml", 5, []string{"p.yaml is a symlink to /etc/passwd, outside the repository"}}, {RuleSymlink, "p.yaml", 0, []string{"outside the repository"}}}},
		{"documentFile-link-climbs-out", fstest.MapFS{"sub/c.yaml": file(hostileComp + "documentFile: d/p.yml\n"), "sub/d/p.yml": link("../../../outside.yml")},
			[]want{{RuleFileRef, "sub/c.yaml", 5, []string{"sub/d/p.yml is a symlink to ../../../outside.yml, which leads outside the repository"}}, {RuleSymlink, "sub/d/p.yml", 0, nil}}},
		{"documentFile-through-linked-folder", fstest.MapFS{"c.yaml": file(hostileComp + "documentFile: etc/passwd\n"), "etc": link("/etc")},
			[]want{{RuleFileRef, "c.yaml", 5, []string{"etc is a symlink to /etc"}}}},
		{"documentFile-link-inside-accepted", fstest.MapFS{"c.yaml": file(hostileComp + "documentFile: docs/p.doc\n"), "docs": link("real"), "real/p.doc": file(hostileDoc)}, nil},
		{"documentFile-link-chain-inside-accepted", fstest.MapFS{"c.yaml": file(hostileComp + "documentFile: a.doc\n"), "a.doc": link("b/../c.doc"), "c.doc": link("real.doc"), "real.doc": file(hostileDoc), "b/x": file("")}, nil},
		{"documentFile-link-loop", fstest.MapFS{"c.yaml": file(hostileComp + "documentFile: a.doc\n"), "a.doc": link("b.doc"), "b.doc": link("a.doc")},
			[]want{{RuleFileRef, "c.yaml", 5, []string{"loops"}}}},
		{"documentFile-fifo", fstest.MapFS{"c.yaml": file(hostileComp + "documentFile: f.doc\n"), "f.doc": {Mode: fs.ModeNamedPipe | 0o644}},
			[]want{{RuleFileRef, "c.yaml", 5, []string{"FIFO"}}}},
		{"resource-fifo", fstest.MapFS{"f.yaml": {Mode: fs.ModeNamedPipe | 0o644}},
			[]want{{RuleFileType, "f.yaml", 0, []string{"f.yaml is a FIFO (named pipe), not a regular file"}}}},
		{"resource-device", fstest.MapFS{"z.yaml": {Mode: fs.ModeDevice | fs.ModeCharDevice | 0o644}},
			[]want{{RuleFileType, "z.yaml", 0, []string{"a device"}}}},
		{"resource-link-to-dev-zero", fstest.MapFS{"z.yaml": link("/dev/zero")},
			[]want{{RuleSymlink, "z.yaml", 0, []string{"/dev/zero"}}}},
		{"resource-link-inside-accepted", fstest.MapFS{"c.yaml": link("real/c.txt"), "real/c.txt": file(hostileComp + hostileInl)}, nil},
		{"resource-link-dangling", fstest.MapFS{"c.yaml": link("nowhere.txt")},
			[]want{{RuleFileUnreadable, "c.yaml", 0, []string{"does not exist"}}}},
		{"dockerfileTemplateFile-link-out", fstest.MapFS{"r.yaml": file("kind: ContainerRecipe\nname: rec-r\nversion: 1.0.0\ncontainerType: DOCKER\nparentImage: amazonlinux:2\ntargetRepository:\n  service: ECR\n  repositoryName: rec-r\ndockerfileTemplateFile: Dockerfile\n"), "Dockerfile": link("/etc/shadow")},
			[]want{{RuleFileRef, "r.yaml", 9, []string{"Dockerfile is a symlink to /etc/shadow, outside the repository"}}}},
		{"standin-link-out", fstest.MapFS{"ibgitops.yaml": file(strings.Replace(standIn, "%s", "stand-in.yaml", 1)), "stand-in.yaml": link("/etc/passwd")},
			[]want{{RuleFileRef, "ibgitops.yaml", 3, []string{"stand-in.yaml is a symlink to /etc/passwd"}}, {RuleSymlink, "stand-in.yaml", 0, nil}}},
		{"root-link-out", fstest.MapFS{"ibgitops.yaml": file("root: res\n"), "res": link("/")},
			[]want{{RuleConfigRoot, "ibgitops.yaml", 1, []string{"res is a symlink to /"}}}},
		{"tagPattern-no-version", fstest.MapFS{"ibgitops.yaml": file("release:\n  tagPattern: \"release-{name}\"\n")},
			[]want{{RuleTagPattern, "ibgitops.yaml", 2, []string{`"release-{name}" has no {version}`, "{name}/v{version}"}}}},
		{"tagPattern-no-name", fstest.MapFS{"ibgitops.yaml": file("release:\n  tagPattern: \"v{version}\"\n")},
			[]want{{RuleTagPattern, "ibgitops.yaml", 2, []string{"has no {name}"}}}},
		{"tagPattern-twice", fstest.MapFS{"ibgitops.yaml": file("release:\n  tagPattern: \"{name}-{version}-{version}\"\n")},
			[]want{{RuleTagPattern, "ibgitops.yaml", 2, []string{"{version} 2 times"}}}},
		{"tagPattern-ok", fstest.MapFS{"ibgitops.yaml": file("release:\n  tagPattern: \"release/{name}@{version}\"\n")}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			repo, findings, err := Load(tc.fsys)
			if err != nil {
				t.Fatal(err)
			}
			if len(findings) != len(tc.wants) {
				t.Fatalf("got %d findings, want %d:\n%s", len(findings), len(tc.wants), findingsText(findings))
			}
			for i, w := range tc.wants {
				var got *diag.Finding
				for j := range findings {
					if findings[j].Rule == w.rule && findings[j].File == w.file {
						got = &findings[j]
					}
				}
				if got == nil {
					t.Errorf("want #%d: no %s finding on %s in:\n%s", i, w.rule, w.file, findingsText(findings))
					continue
				}
				if got.Line != w.line {
					t.Errorf("%s on %s: line %d, want %d", w.rule, w.file, got.Line, w.line)
				}
				for _, m := range w.msg {
					if !strings.Contains(got.Message, m) {
						t.Errorf("%s on %s: message %q lacks %q", w.rule, w.file, got.Message, m)
					}
				}
			}
			for _, c := range repo.Components {
				if strings.HasPrefix(c.Data, "\ufeff") || strings.Contains(c.Data, "root:") {
					t.Errorf("component %s data starts with a BOM or holds a foreign file: %q", c.Name, c.Data)
				}
			}
		})
	}
}

func findingsText(fs []diag.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + f.String() + "\n")
	}
	return b.String()
}

// TestUTF8BOMIsStripped: a UTF-8 BOM changes neither the document text nor
// the content hash nor positions.
func TestUTF8BOMIsStripped(t *testing.T) {
	plain := fstest.MapFS{"c.yaml": file(hostileComp + "documentFile: doc.yaml\n"), "doc.yaml": file(hostileDoc)}
	bom := fstest.MapFS{"c.yaml": file("\xef\xbb\xbf" + hostileComp + "documentFile: doc.yaml\n"), "doc.yaml": file("\xef\xbb\xbf" + hostileDoc)}
	a, fa, _ := Load(plain)
	b, fb, _ := Load(bom)
	if len(fa)+len(fb) != 0 {
		t.Fatalf("findings: %v %v", fa, fb)
	}
	ca, cb := a.Components["comp-c"], b.Components["comp-c"]
	if ca.Data != cb.Data || ca.ContentHash != cb.ContentHash || ca.NamePos != cb.NamePos {
		t.Errorf("BOM changed the component: %q/%q %s/%s %v/%v", ca.Data, cb.Data, ca.ContentHash, cb.ContentHash, ca.NamePos, cb.NamePos)
	}
}

// TestRealSymlinksAndFIFO runs the same checks on os.DirFS, which follows
// symlinks on Open: a FIFO must not block and /etc/passwd must not be read.
func TestRealSymlinksAndFIFO(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(outside, "doc.yaml"), []byte(hostileDoc), 0o644))
	must(os.WriteFile(filepath.Join(dir, "c.yaml"), []byte(hostileComp+"documentFile: p.yaml\n"), 0o644))
	must(os.Symlink(filepath.Join(outside, "doc.yaml"), filepath.Join(dir, "p.yaml")))
	must(os.WriteFile(filepath.Join(dir, "d.yaml"), []byte(strings.Replace(hostileComp, "name: comp-c", "name: comp-d", 1)+"documentFile: up/doc.yaml\n"), 0o644))
	rel, err := filepath.Rel(dir, outside)
	must(err)
	must(os.Symlink(rel, filepath.Join(dir, "up")))
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.yaml"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan struct{})
	var findings []diag.Finding
	var repo *Repo
	go func() {
		defer close(done)
		repo, findings, err = Load(os.DirFS(dir))
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Load blocked (on the FIFO?)")
	}
	must(err)
	got := map[string]string{}
	for _, f := range findings {
		got[f.File+" "+f.Rule] = f.Message
	}
	for _, w := range []string{"c.yaml " + RuleFileRef, "d.yaml " + RuleFileRef, "p.yaml " + RuleSymlink, "fifo.yaml " + RuleFileType} {
		if _, ok := got[w]; !ok {
			t.Errorf("no finding %s in:\n%s", w, findingsText(findings))
		}
	}
	if len(findings) != 4 {
		t.Errorf("want 4 findings, got:\n%s", findingsText(findings))
	}
	for _, c := range repo.Components {
		if c.Data != "" {
			t.Errorf("component %s read a file outside the repository: %q", c.Name, c.Data)
		}
	}
}
