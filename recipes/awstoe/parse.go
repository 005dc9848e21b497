package awstoe

import (
	"github.com/ibgitops/ibgitops/recipes/diag"
	"gopkg.in/yaml.v3"
)

// Parse decodes an AWSTOE document from YAML text. Findings (malformed
// YAML, unknown keys, wrong types) carry file:line:col; the document is
// returned as far as it could be decoded (nil only when the YAML itself
// could not be read).
func Parse(data []byte, file string) (*Document, []diag.Finding) {
	return parse(data, file)
}

// ParseNode decodes an AWSTOE document from an already parsed mapping
// node, e.g. the inline `document:` of a component file; positions are
// then those of that file.
func ParseNode(n *yaml.Node, file string) (*Document, []diag.Finding) {
	return parseNode(n, file)
}
