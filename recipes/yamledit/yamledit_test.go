package yamledit

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// pos finds the position of the value of key (first match) with yaml.v3,
// as the loader does.
func pos(t *testing.T, src, key string) (int, int) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	var find func(n *yaml.Node) *yaml.Node
	find = func(n *yaml.Node) *yaml.Node {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == key {
					return n.Content[i+1]
				}
			}
		}
		for _, c := range n.Content {
			if v := find(c); v != nil {
				return v
			}
		}
		return nil
	}
	v := find(&doc)
	if v == nil {
		t.Fatalf("no key %s", key)
	}
	return v.Line, v.Column
}

func TestApply(t *testing.T) {
	tests := []struct {
		name, src, key, old, new, want string
	}{
		{"plain with comment", "# head\nkind: Component\nversion: 1.2.3   # keep me\nname: x\n", "version", "1.2.3", "1.3.0",
			"# head\nkind: Component\nversion: 1.3.0   # keep me\nname: x\n"},
		{"double quoted", "version: \"1.2.3\"\n\n\nname: x\n", "version", "1.2.3", "2.0.0", "version: \"2.0.0\"\n\n\nname: x\n"},
		{"single quoted", "name: x\nversion: '1.2.3' # c\n", "version", "1.2.3", "1.2.10", "name: x\nversion: '1.2.10' # c\n"},
		{"crlf kept", "name: x\r\nversion: 1.0.0\r\n", "version", "1.0.0", "1.0.1", "name: x\r\nversion: 1.0.1\r\n"},
		{"flow mapping", "components:\n  - {name: web, version: 1.0.0}\n", "version", "1.0.0", "1.1.0", "components:\n  - {name: web, version: 1.1.0}\n"},
		{"unicode before", "description: héllo wörld\nmeta: {a: ü, version: 1.0.0}\n", "version", "1.0.0", "1.0.1", "description: héllo wörld\nmeta: {a: ü, version: 1.0.1}\n"},
		{"no trailing newline", "version: 0.0.1", "version", "0.0.1", "0.0.2", "version: 0.0.2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, c := pos(t, tc.src, tc.key)
			got, err := Apply([]byte(tc.src), []Edit{{Line: l, Column: c, Old: tc.old, New: tc.new}})
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestApplyRefuses(t *testing.T) {
	src := "version: 1.2.3\nblock: |\n  text\n"
	if _, err := Apply([]byte(src), []Edit{{Line: 1, Column: 10, Old: "1.2.4", New: "1.2.5"}}); err == nil || !strings.Contains(err.Error(), "changed since") {
		t.Errorf("stale old value: %v", err)
	}
	if _, err := Apply([]byte(src), []Edit{{Line: 2, Column: 8, Old: "text\n", New: "x"}}); err == nil {
		t.Error("block scalar must be refused")
	}
	if _, err := Apply([]byte(src), []Edit{{Line: 9, Column: 1, Old: "x", New: "y"}}); err == nil {
		t.Error("line past the end must be refused")
	}
	if _, err := Apply([]byte(src), []Edit{{Line: 1, Column: 10, Old: "1.2.3", New: "a: b"}}); err == nil {
		t.Error("a value that needs quoting must be refused in plain style")
	}
	// Two edits in one file, applied from the end so offsets stay valid.
	two := "version: 1.0.0\ncomponents:\n  - name: a\n    version: \"1.0.0\"\n"
	got, err := Apply([]byte(two), []Edit{{1, 10, "1.0.0", "1.1.0"}, {4, 14, "1.0.0", "1.1.0"}})
	if err != nil || string(got) != "version: 1.1.0\ncomponents:\n  - name: a\n    version: \"1.1.0\"\n" {
		t.Errorf("two edits: %q, %v", got, err)
	}
}

// FuzzApply: for any document whose top-level `version` is a scalar,
// rewriting it either fails cleanly or yields a document where yaml.v3
// reads the new value and every byte outside the scalar is unchanged.
func FuzzApply(f *testing.F) {
	f.Add("version: 1.2.3 # c\nname: x\n", "2.0.0")
	f.Add("name: x\nversion: \"1.0.0\"\n", "1.0.1")
	f.Add("version: '0.1.0'\r\nother: [a, b]\r\n", "0.2.0")
	f.Add("{version: 1.0.0, name: x}\n", "1.1.0")
	f.Fuzz(func(t *testing.T, src, newValue string) {
		var doc yaml.Node
		if yaml.Unmarshal([]byte(src), &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
			return
		}
		m := doc.Content[0]
		var v *yaml.Node
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == "version" && m.Content[i+1].Kind == yaml.ScalarNode {
				v = m.Content[i+1]
			}
		}
		if v == nil || v.Tag != "!!str" && v.Style == 0 {
			return
		}
		out, err := Apply([]byte(src), []Edit{{Line: v.Line, Column: v.Column, Old: v.Value, New: newValue}})
		if err != nil {
			return
		}
		var doc2 yaml.Node
		if err := yaml.Unmarshal(out, &doc2); err != nil {
			t.Fatalf("edited document no longer parses: %v\n%q", err, out)
		}
		m2 := doc2.Content[0]
		for i := 0; i+1 < len(m2.Content); i += 2 {
			if m2.Content[i].Value == "version" && m2.Content[i+1].Line == v.Line {
				if got := m2.Content[i+1].Value; got != newValue {
					t.Fatalf("version reads %q, want %q\n%q", got, newValue, out)
				}
			}
		}
		off, _ := offset([]byte(src), v.Line, v.Column)
		if string(out[:off]) != src[:off] {
			t.Fatalf("bytes before the scalar changed")
		}
		tail := len(src) - off
		for i := 1; i <= tail && i <= len(out); i++ {
			if out[len(out)-i] != src[len(src)-i] {
				// The differing suffix must lie inside the rewritten scalar.
				if end, _, _, err := scalarAt([]byte(src), off); err != nil || len(src)-i >= end {
					t.Fatalf("bytes after the scalar changed\n%q\n%q", src, out)
				}
				break
			}
		}
	})
}
