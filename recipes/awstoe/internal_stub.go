package awstoe

import (
	"github.com/ibgitops/ibgitops/recipes/diag"
	"gopkg.in/yaml.v3"
)

func evalCondition(c *Condition, r Resolver, host Host) (bool, error) { return false, nil }
func parse(data []byte, file string) (*Document, []diag.Finding)      { return nil, nil }
func parseNode(n *yaml.Node, file string) (*Document, []diag.Finding) { return nil, nil }
func validate(d *Document, opts ValidateOptions) []diag.Finding       { return nil }
