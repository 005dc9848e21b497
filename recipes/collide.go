package recipes

import (
	"fmt"

	"github.com/ibgitops/ibgitops/recipes/diag"
)

// RuleVersionTaken: a version head proposes is already taken, with other
// content, on the target branch's tip (another change merged first) or
// in the backend.
const RuleVersionTaken = "version-taken"

// CollisionRuleDocs documents the rule VersionCollisions adds.
var CollisionRuleDocs = []RuleDoc{
	{RuleVersionTaken, "error", "on a pull request: a component or recipe version that the target branch's tip (or the backend) already holds with other content; merge the target branch and raise the version"},
}

// VersionCollisions finds head's component and recipe versions that tip
// (the target branch as it is now, not the merge base) holds with other
// content: merged as they are, they would collide at build time with
// "version already exists". where names tip ("origin/main"); levels are
// the bump each resource's change asks for (patch when absent), applied
// to the version taken to suggest the next one.
func VersionCollisions(tip, head *Repo, where string, levels map[Key]string) []diag.Finding {
	if tip == nil || head == nil {
		return nil
	}
	var out []diag.Finding
	for _, r := range head.Resources() {
		if !r.Kind.Versioned() {
			continue
		}
		t, ok := tip.Lookup(r.Key())
		if !ok || t.Version != r.Version || t.ContentHash == "" || r.ContentHash == "" || t.ContentHash == r.ContentHash {
			continue
		}
		out = append(out, TakenFinding(r.Meta, "on "+where, "merge "+where+" and bump", levels[r.Key()]))
	}
	diag.Sort(out)
	return out
}

// TakenFinding is the version-taken finding for a resource whose version
// is held elsewhere ("on origin/main", "in Image Builder") with other
// content; fix is what to do before the suggested version ("bump").
func TakenFinding(m *Meta, elsewhere, fix, level string) diag.Finding {
	if level == "" || level == BumpNone {
		level = BumpPatch
	}
	next, err := BumpVersion(m.Version, level)
	if err != nil {
		next = "a higher version"
	}
	pos := m.VersionPos
	if pos.Line == 0 {
		pos = m.NamePos
	}
	return diag.Finding{Rule: RuleVersionTaken, Severity: diag.Error, File: m.File, Line: pos.Line, Column: pos.Column,
		Message: fmt.Sprintf("%s: %s %s is already %s with other content; %s to %s", RuleVersionTaken, m.Name, m.Version, elsewhere, fix, next)}
}
