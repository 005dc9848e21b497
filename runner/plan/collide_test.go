package plan

import (
	"strings"
	"testing"
)

// A pull request raised tools to 1.1.0; meanwhile main took 1.1.0 for
// other content. Planned against the merge base alone it looks fine; the
// target branch's tip says the version is taken.
func TestCollisionWithTargetTip(t *testing.T) {
	f := standard(t) // feature: tools document changed, version not raised yet
	f.commit("feat(tools): 1.1.0", map[string]string{"images/components/tools.yaml": strings.Replace(toolsYAML, "1.0.0", "1.1.0", 1)})
	f.checkout("main")
	f.commit("feat(tools): install yq", map[string]string{
		"images/components/tools.yaml":      strings.Replace(toolsYAML, "1.0.0", "1.1.0", 1),
		"images/components/docs/tools.yaml": strings.Replace(toolsDoc, "echo curl", "echo curl yq", 1),
	})
	f.checkout("feature")
	res := compute(t, Options{Root: f.dir + "/images", Base: "main"})
	if len(res.Collisions) != 1 {
		t.Fatalf("collisions: %v", res.Collisions)
	}
	want := "components/tools.yaml:4:10: error: version-taken: tools 1.1.0 is already on main with other content; merge main and bump to 1.2.0 [version-taken]"
	if got := res.Collisions[0].String(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}

	// The same content on both sides (a cherry-pick) is no collision.
	f.checkout("main")
	f.commit("fix: same as the feature", map[string]string{"images/components/docs/tools.yaml": strings.Replace(toolsDoc, "echo curl", "echo curl jq", 1)})
	f.checkout("feature")
	if res := compute(t, Options{Root: f.dir + "/images", Base: "main"}); len(res.Collisions) != 0 {
		t.Errorf("same content: collisions %v", res.Collisions)
	}
}

// Head on top of the target branch: nothing else to compare with.
func TestNoCollisionWhenTipIsMergeBase(t *testing.T) {
	f := standard(t)
	if res := compute(t, Options{Root: f.dir + "/images", Base: "main"}); res.Tip != nil || len(res.Collisions) != 0 {
		t.Errorf("tip %v, collisions %v", res.Tip != nil, res.Collisions)
	}
}
