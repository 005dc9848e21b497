package recipes

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/ibgitops/ibgitops/recipes/awstoe"
	"github.com/ibgitops/ibgitops/recipes/diag"
	"github.com/ibgitops/ibgitops/recipes/raw"
	"gopkg.in/yaml.v3"
)

// MaxDocumentChars is Image Builder's limit on inline `data`.
const MaxDocumentChars = 16000

func (l *loader) component(pf *parsedFile, r *raw.Component, m map[string]any, meta Meta) {
	c := &Component{Meta: meta, Platform: r.Platform.V, ChangeDescription: r.ChangeDescription.V, KmsKeyID: r.KmsKeyID.V,
		SupportedOsVersions: raw.Strings(r.SupportedOsVersions)}
	if len(c.SupportedOsVersions) == 0 {
		c.SupportedOsVersions = nil
	}
	platform := c.Platform
	if platform != awstoe.PlatformLinux && platform != awstoe.PlatformWindows && platform != awstoe.PlatformMacOS {
		platform = ""
	}
	var doc *awstoe.Document
	var docFindings []diag.Finding
	docPos := r.Document.KeyPos
	switch {
	case r.Document.Set:
		node := r.Document.V
		c.Data = inlineDocumentText(pf, node)
		doc, docFindings = awstoe.ParseNode(node, pf.path)
	case r.DocumentFile.Set:
		rel := r.DocumentFile.V
		docPos = r.DocumentFile.Pos
		target, ok := l.fileRef(pf.path, docPos, "documentFile", rel)
		if !ok {
			break
		}
		c.DocumentFile = target
		tf := l.parse(target)
		if tf == nil {
			l.add(RuleFileRef, diag.Error, pf.path, docPos, "documentFile %q cannot be used: see the findings of %s", rel, target)
			break
		}
		if tf.kind != "" {
			l.add(RuleFileRef, diag.Error, pf.path, docPos, "documentFile %q is a resource file (kind: %s), not a pure AWSTOE document; point it at the AWSTOE YAML", rel, tf.kind)
			break
		}
		c.Data = string(tf.data)
		doc, docFindings = awstoe.Parse(tf.data, target)
	}
	if c.Data != "" {
		if n := utf8.RuneCountInString(c.Data); n > MaxDocumentChars {
			l.add(RuleDocumentSize, diag.Error, pf.path, docPos, "the AWSTOE document has %d characters; Image Builder accepts at most 16,000: split it into several components or move scripts into files the document downloads", n)
		}
	}
	l.findings = append(l.findings, docFindings...)
	if doc != nil {
		l.findings = append(l.findings, doc.Validate(awstoe.ValidateOptions{Platform: platform})...)
		for _, p := range doc.Parameters {
			c.Parameters = append(c.Parameters, Parameter{Name: p.Name, Type: p.Type, Default: p.Default, Description: p.Description})
		}
	}
	c.ContentHash = contentHash(m, map[string]any{"document": nil, "documentFile": nil, "data": c.Data})
	l.repo.Components[meta.Name] = c
}

// inlineDocumentText returns the inline document as the YAML text sent to
// Image Builder: the document's lines cut from the component file and
// de-indented, so comments and formatting survive. Flow-style documents
// and documents using anchors are re-encoded instead.
func inlineDocumentText(pf *parsedFile, node *yaml.Node) string {
	if node.Style&yaml.FlowStyle != 0 || hasAnchors(node) {
		return encodeNode(node)
	}
	// The document ends where the next top-level key starts.
	end := -1
	for i := 0; i+1 < len(pf.root.Content); i += 2 {
		if pf.root.Content[i+1] == node && i+2 < len(pf.root.Content) {
			end = pf.root.Content[i+2].Line - 1
		}
	}
	lines := strings.Split(string(pf.data), "\n")
	if end < 0 || end > len(lines) {
		end = len(lines)
	}
	start := node.Line - 1
	if start < 0 || start >= end {
		return encodeNode(node)
	}
	indent := node.Column - 1
	out := make([]string, 0, end-start)
	for _, line := range lines[start:end] {
		line = strings.TrimSuffix(line, "\r")
		lead := len(line) - len(strings.TrimLeft(line, " "))
		switch {
		case lead >= indent:
			out = append(out, line[indent:])
		case strings.TrimSpace(line) == "":
			out = append(out, "")
		case strings.HasPrefix(strings.TrimSpace(line), "#"):
			out = append(out, "") // a comment of the enclosing file
		default:
			return encodeNode(node)
		}
	}
	for len(out) > 0 && strings.TrimSpace(out[len(out)-1]) == "" {
		out = out[:len(out)-1]
	}
	return strings.Join(out, "\n") + "\n"
}

func hasAnchors(n *yaml.Node) bool {
	if n.Anchor != "" || n.Kind == yaml.AliasNode {
		return true
	}
	for _, c := range n.Content {
		if hasAnchors(c) {
			return true
		}
	}
	return false
}

func encodeNode(n *yaml.Node) string {
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return ""
	}
	enc.Close()
	return b.String()
}

// contentHash is the sha256 of the resource's API-facing content as
// canonical JSON (sorted keys). The version is excluded, and so are the
// local-backend sections and, for versioned kinds, the tags (Image Builder
// updates tags in place, so they need no new version). overrides replace
// keys; a nil override removes the key.
func contentHash(m map[string]any, overrides map[string]any) string {
	c := make(map[string]any, len(m)+len(overrides))
	for k, v := range m {
		c[k] = v
	}
	delete(c, "version")
	delete(c, "local")
	if k, _ := m["kind"].(string); Kind(k).Versioned() {
		delete(c, "tags")
	}
	for k, v := range overrides {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	data, err := json.Marshal(c)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// InferPlatform guesses a pure AWSTOE document's platform from its action
// modules: Windows when some module runs only on Windows and every module
// runs there, Linux otherwise.
func InferPlatform(doc *awstoe.Document) string {
	windowsOnly, allWindows := false, true
	for _, ph := range doc.Phases {
		for _, st := range ph.Steps {
			a, ok := awstoe.LookupAction(st.Action)
			if !ok {
				continue
			}
			if !a.SupportsPlatform(awstoe.PlatformWindows) {
				allWindows = false
			} else if !a.SupportsPlatform(awstoe.PlatformLinux) {
				windowsOnly = true
			}
		}
	}
	if windowsOnly && allWindows {
		return awstoe.PlatformWindows
	}
	return awstoe.PlatformLinux
}
