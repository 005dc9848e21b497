package awstoe_test

import "gopkg.in/yaml.v3"

type yamlNode struct{ yaml.Node }

func (n *yamlNode) unmarshal(s string) error { return yaml.Unmarshal([]byte(s), &n.Node) }

func (n *yamlNode) mappingValue(key string) *yaml.Node {
	m := n.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}
