package awstoe

import "github.com/ibgitops/ibgitops/recipes/diag"

// Validate checks the document against AWSTOE's rules for opts.Platform
// and returns every finding (rule ids prefixed "toe-").
func (d *Document) Validate(opts ValidateOptions) []diag.Finding {
	return validate(d, opts)
}
