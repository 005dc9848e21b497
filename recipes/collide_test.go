package recipes

import (
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/recipes/diag"
)

func TestVersionCollisions(t *testing.T) {
	comp := func(version, hash string) *Repo {
		r := NewRepo()
		r.Components["greeter"] = &Component{Meta: Meta{Kind: KindComponent, Name: "greeter", Version: version, File: "components/greeter.yaml", VersionPos: diag.Pos{Line: 3, Column: 10}, ContentHash: hash}}
		return r
	}
	key := Key{KindComponent, "greeter"}
	tests := []struct {
		name      string
		tip, head *Repo
		levels    map[Key]string
		want      string // "" no finding
	}{
		{"main took the version with other content", comp("1.0.4", "a"), comp("1.0.4", "b"), nil,
			"components/greeter.yaml:3:10: error: version-taken: greeter 1.0.4 is already on origin/main with other content; merge origin/main and bump to 1.0.5 [version-taken]"},
		{"a feat change suggests the next minor", comp("1.0.4", "a"), comp("1.0.4", "b"), map[Key]string{key: BumpMinor},
			"merge origin/main and bump to 1.1.0"},
		{"the same content is no collision", comp("1.0.4", "a"), comp("1.0.4", "a"), nil, ""},
		{"another version is no collision", comp("1.0.5", "a"), comp("1.0.4", "b"), nil, ""},
		{"absent on the tip", NewRepo(), comp("1.0.4", "b"), nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := VersionCollisions(tc.tip, tc.head, "origin/main", tc.levels)
			if tc.want == "" {
				if len(got) != 0 {
					t.Errorf("want none, got %v", got)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0].String(), tc.want) {
				t.Errorf("got %v, want one containing %q", got, tc.want)
			}
		})
	}
}
