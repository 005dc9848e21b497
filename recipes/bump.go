package recipes

import (
	"fmt"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/ibgitops/ibgitops/internal/lazyre"
	"github.com/ibgitops/ibgitops/recipes/diag"
)

// Rules that compare head with a base ref (`lint --base REF`).
const (
	RuleVersionNotRaised = "version-not-raised"
	RuleVersionLowered   = "version-lowered"
)

// BaseRuleDocs documents the rules LintAgainstBase adds.
var BaseRuleDocs = []RuleDoc{
	{RuleVersionNotRaised, "error", "with --base: a component or recipe whose content changed while its version did not rise (Image Builder versions are immutable)"},
	{RuleVersionLowered, "error", "with --base: a component or recipe version lower than on the base ref"},
}

// CommitInfo is one commit between base and head, for conventional-commit
// bumps. Paths are the files it changed (at least those of resources).
type CommitInfo struct {
	Hash    string
	Message string
	Paths   []string
}

var reConventional = lazyre.New(`^([A-Za-z]+)(\([^()]*\))?(!)?: \S`)
var reBreaking = lazyre.New(`(?m)^BREAKING[ -]CHANGE: `)

// ConventionalBump is the bump a commit message asks for: `type!:` or a
// `BREAKING CHANGE:` footer major, `feat` minor, `fix` and anything else
// (including messages that do not follow the convention) patch.
func ConventionalBump(message string) string {
	subject, _, _ := strings.Cut(strings.TrimSpace(message), "\n")
	m := reConventional.FindStringSubmatch(strings.TrimSpace(subject))
	switch {
	case m != nil && m[3] == "!", reBreaking.MatchString(message):
		return BumpMajor
	case m != nil && strings.EqualFold(m[1], "feat"):
		return BumpMinor
	}
	return BumpPatch
}

func bumpRank(b string) int {
	switch b {
	case BumpPatch:
		return 1
	case BumpMinor:
		return 2
	case BumpMajor:
		return 3
	}
	return 0
}

// BumpVersion raises v by level ("none" returns v unchanged).
func BumpVersion(v, level string) (string, error) {
	sv, err := semver.StrictNewVersion(v)
	if err != nil {
		return "", fmt.Errorf("version %q is not major.minor.patch", v)
	}
	var n semver.Version
	switch level {
	case BumpMajor:
		n = sv.IncMajor()
	case BumpMinor:
		n = sv.IncMinor()
	case BumpPatch:
		n = sv.IncPatch()
	default:
		return sv.String(), nil
	}
	return n.String(), nil
}

// levelBetween is the bump that turns from into to (to > from).
func levelBetween(from, to *semver.Version) string {
	switch {
	case to.Major() != from.Major():
		return BumpMajor
	case to.Minor() != from.Minor():
		return BumpMinor
	}
	return BumpPatch
}

// PlanInput is what PlanChanges needs: both sides loaded, the changed
// paths, and the commits between them.
type PlanInput struct {
	Base, Head       *Repo // Base nil: no base (everything is new)
	BaseRef, HeadRef string
	Paths            []PathChange
	// Commits between base and head (newest first); only their Paths that
	// are resource files matter.
	Commits []CommitInfo
}

// decision is the planned outcome for one resource.
type decision struct {
	Change
	newVersion bool // a version to create (and build, for recipes)
	// updated: an unversioned resource whose API content changes.
	updated bool
}

// triggersPipeline reports whether a pipeline depending on dep must build:
// its recipe gets a new version, or its infrastructure or distribution
// content changed.
func triggersPipeline(dep Key, dec *decision) bool {
	if dep.Kind.Versioned() {
		return dec.newVersion
	}
	return dec.updated
}

// PlanChanges decides what a change between base and head does: which
// resources changed or are affected through the dependency graph, each
// versioned resource's new version, and which recipe versions to build
// with which pipelines. Deleted resources are shown; nothing is ever
// deleted in AWS.
func PlanChanges(in PlanInput) Plan {
	head := in.Head
	if head == nil {
		head = NewRepo()
	}
	cfg := head.Config
	plan := Plan{Base: in.BaseRef, Head: in.HeadRef, Changes: []Change{}, Builds: []Build{}}
	diffs := DiffRepos(in.Base, head, in.Paths)
	byKey := map[Key]ResourceDiff{}
	for _, d := range diffs {
		byKey[d.Key] = d
	}
	commitsOf := commitsByResource(in.Base, head, in.Commits)
	decided := map[Key]*decision{}
	graph := NewGraph(head)

	versioned := func(d ResourceDiff, minLevel, why string) *decision {
		dec := &decision{Change: Change{Kind: d.Kind, Name: d.Name, File: d.Head.File, Change: d.Change}}
		if d.OldName != "" {
			dec.Reason = fmt.Sprintf("renamed from %s (a new resource in Image Builder; %s stays there)", d.OldName, d.OldName)
		} else if d.Change == ChangeRenamed {
			dec.Reason = fmt.Sprintf("moved from %s", d.Base.File)
		}
		to, level, reason := decideVersion(d.Base.Version, d.Head.Version, d.ContentChanged, minLevel, why, commitsOf[d.Key], cfg.Versioning.Bump)
		dec.FromVersion, dec.ToVersion, dec.Bump = d.Base.Version, to, level
		dec.Reason = joinReason(dec.Reason, reason)
		dec.newVersion = to != d.Base.Version
		return dec
	}

	for _, k := range graph.Order() {
		d, changed := byKey[k]
		if changed && d.Change == ChangeDeleted {
			continue
		}
		switch k.Kind {
		case KindComponent:
			if !changed {
				continue
			}
			if d.Change == ChangeAdded {
				decided[k] = added(d)
				continue
			}
			decided[k] = versioned(d, BumpNone, "")
		case KindImageRecipe, KindContainerRecipe:
			why := dependencyReasons(graph, head, k, decided)
			if changed && d.Change == ChangeAdded {
				decided[k] = added(d)
				continue
			}
			if len(why) == 0 {
				if changed {
					decided[k] = versioned(d, BumpNone, "")
				}
				continue
			}
			if !cfg.Versioning.Propagate {
				if changed {
					dec := versioned(d, BumpNone, "")
					dec.Reason = joinReason(dec.Reason, "also "+strings.Join(why, "; ")+" (versioning.propagate is off: that alone would not bump it)")
					decided[k] = dec
					continue
				}
				res, _ := head.Lookup(k)
				decided[k] = &decision{Change: Change{Kind: k.Kind, Name: k.Name, File: res.File, Change: ChangeAffected,
					FromVersion: res.Version, ToVersion: res.Version, Bump: BumpNone,
					Reason: strings.Join(why, "; ") + " (versioning.propagate is off: the recipe keeps its version and is not rebuilt)"}}
				continue
			}
			if changed {
				decided[k] = versioned(d, BumpPatch, strings.Join(why, "; "))
				continue
			}
			res, _ := head.Lookup(k)
			to, err := BumpVersion(res.Version, BumpPatch)
			dec := &decision{Change: Change{Kind: k.Kind, Name: k.Name, File: res.File, Change: ChangeAffected,
				FromVersion: res.Version, ToVersion: to, Bump: BumpPatch, Reason: strings.Join(why, "; ")}, newVersion: err == nil}
			if err != nil {
				dec.ToVersion, dec.Bump = res.Version, BumpNone
				dec.Reason = joinReason(dec.Reason, err.Error()+": fix it before it can be bumped")
			}
			decided[k] = dec
		case KindInfrastructure, KindDistribution:
			if changed {
				decided[k] = unversioned(d)
			}
		case KindPipeline:
			var why []string
			for _, dep := range pipelineDeps(head.Pipelines[k.Name]) {
				if dec, ok := decided[dep]; ok && triggersPipeline(dep, dec) {
					why = append(why, fmt.Sprintf("%s %s %s", kindWord(dep.Kind), dep.Name, describeDecision(dec)))
				}
			}
			switch {
			case changed:
				dec := unversioned(d)
				dec.Reason = joinReason(dec.Reason, strings.Join(why, "; "))
				dec.updated = dec.updated || len(why) > 0
				decided[k] = dec
			case len(why) > 0:
				res, _ := head.Lookup(k)
				decided[k] = &decision{Change: Change{Kind: k.Kind, Name: k.Name, File: res.File, Change: ChangeAffected, Bump: BumpNone,
					Reason: strings.Join(why, "; ")}, updated: true}
			}
		}
	}

	for _, k := range graph.Order() {
		if dec, ok := decided[k]; ok {
			plan.Changes = append(plan.Changes, dec.Change)
		}
	}
	for _, d := range diffs {
		if d.Change != ChangeDeleted {
			continue
		}
		reason := "removed from the repository; ibgitops deletes nothing in AWS: the existing resource stays until you delete it there"
		plan.Changes = append(plan.Changes, Change{Kind: d.Kind, Name: d.Name, File: d.Base.File, Change: ChangeDeleted,
			FromVersion: d.Base.Version, Bump: BumpNone, Reason: reason})
	}
	plan.Builds = builds(head, graph, decided)
	return plan
}

func added(d ResourceDiff) *decision {
	reason := "new " + kindWord(d.Kind)
	switch {
	case d.Kind.Versioned() && d.Head.Version != "":
		reason += " at version " + d.Head.Version
	case d.Kind.Versioned():
		// A missing or unreadable version is a lint error; say so rather
		// than end the sentence with nothing.
		reason += " without a valid version (lint names the fix)"
	}
	return &decision{Change: Change{Kind: d.Kind, Name: d.Name, File: d.Head.File, Change: ChangeAdded,
		ToVersion: d.Head.Version, Bump: BumpNone, Reason: reason}, newVersion: d.Kind.Versioned()}
}

func unversioned(d ResourceDiff) *decision {
	dec := &decision{Change: Change{Kind: d.Kind, Name: d.Name, File: d.Head.File, Change: d.Change, Bump: BumpNone}, updated: d.ContentChanged}
	switch {
	case d.Change == ChangeAdded:
		dec.Reason = "new " + kindWord(d.Kind)
	case d.OldName != "":
		dec.Reason = fmt.Sprintf("renamed from %s (created under the new name; %s stays in AWS)", d.OldName, d.OldName)
	case d.Change == ChangeRenamed:
		dec.Reason = "moved from " + d.Base.File
		if d.ContentChanged {
			dec.Reason += "; updated in place"
		}
	default:
		dec.Reason = "updated in place (not versioned)"
	}
	return dec
}

func describeDecision(dec *decision) string {
	switch {
	case dec.newVersion && dec.ToVersion != "":
		if dec.FromVersion != "" && dec.FromVersion != dec.ToVersion {
			return dec.FromVersion + " -> " + dec.ToVersion
		}
		return dec.ToVersion + " (" + dec.Change.Change + ")"
	}
	return dec.Change.Change
}

func kindWord(k Kind) string {
	switch k {
	case KindComponent:
		return "component"
	case KindImageRecipe:
		return "image recipe"
	case KindContainerRecipe:
		return "container recipe"
	case KindInfrastructure:
		return "infrastructure configuration"
	case KindDistribution:
		return "distribution configuration"
	case KindPipeline:
		return "pipeline"
	}
	return string(k)
}

func joinReason(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

func pipelineDeps(p *Pipeline) []Key {
	if p == nil {
		return nil
	}
	var out []Key
	if p.ImageRecipe != "" {
		out = append(out, Key{KindImageRecipe, p.ImageRecipe})
	}
	if p.ContainerRecipe != "" {
		out = append(out, Key{KindContainerRecipe, p.ContainerRecipe})
	}
	if p.InfrastructureConfiguration != "" {
		out = append(out, Key{KindInfrastructure, p.InfrastructureConfiguration})
	}
	if p.DistributionConfiguration != "" {
		out = append(out, Key{KindDistribution, p.DistributionConfiguration})
	}
	return out
}

// dependencyReasons says why recipe k must get a new version because of
// what it depends on: a component it uses that gets a new version (unless
// a pin keeps the old one), or a parent recipe that gets one.
func dependencyReasons(g *Graph, head *Repo, k Key, decided map[Key]*decision) []string {
	rec, _, ok := head.Recipe(k.Name)
	if !ok {
		return nil
	}
	var why []string
	for _, ref := range rec.Components {
		if ref.Name == "" {
			continue
		}
		dec, ok := decided[Key{KindComponent, ref.Name}]
		if !ok || !dec.newVersion || dec.Change.Change == ChangeAdded {
			continue
		}
		if !pinAccepts(ref.Version, dec.FromVersion, dec.ToVersion) {
			continue
		}
		why = append(why, fmt.Sprintf("uses component %s %s", ref.Name, describeDecision(dec)))
	}
	if parent := rec.ParentRecipe(); parent != "" {
		_, pk, ok := head.Recipe(parent)
		if dec, found := decided[Key{pk, parent}]; ok && found && dec.newVersion {
			why = append(why, fmt.Sprintf("parent recipe %s %s", parent, describeDecision(dec)))
		}
	}
	return why
}

// pinAccepts reports whether a recipe's component version pin follows the
// component to its new version: no pin, an exact pin on the old or new
// version (bump --write rewrites it), or a wildcard the new version matches.
func pinAccepts(pin, from, to string) bool {
	if pin == "" || pin == from || pin == to {
		return true
	}
	if !strings.Contains(pin, "x") {
		return false
	}
	pp := strings.Split(pin, ".")
	tp := strings.Split(to, ".")
	if len(pp) != 3 || len(tp) != 3 {
		return false
	}
	for i := range pp {
		if pp[i] != "x" && pp[i] != tp[i] {
			return false
		}
	}
	return true
}

// decideVersion applies the bump rules to one versioned resource that
// exists on both sides.
// VersionRaised reports whether the author raised the version (both are
// major.minor.patch and head's is higher): the change's commits do not
// decide its bump then, so the planner need not read them.
func VersionRaised(baseV, headV string) bool {
	hv, herr := semver.StrictNewVersion(headV)
	bv, berr := semver.StrictNewVersion(baseV)
	return herr == nil && berr == nil && hv.GreaterThan(bv)
}

func decideVersion(baseV, headV string, contentChanged bool, minLevel, why string, commits []CommitInfo, mode string) (to, level, reason string) {
	hv, herr := semver.StrictNewVersion(headV)
	if herr != nil {
		return headV, BumpNone, fmt.Sprintf("version %q is not major.minor.patch: fix it (lint reports where)", headV)
	}
	bv, berr := semver.StrictNewVersion(baseV)
	if berr != nil {
		return headV, BumpNone, fmt.Sprintf("the base version %q is not major.minor.patch; keeping %s", baseV, headV)
	}
	if hv.GreaterThan(bv) {
		return headV, levelBetween(bv, hv), joinReason("version raised by the author", why)
	}
	level = BumpNone
	var reasons []string
	if contentChanged {
		var r string
		level, r = changeLevel(commits, mode)
		reasons = append(reasons, r)
	}
	if why != "" {
		reasons = append(reasons, why)
	}
	if bumpRank(minLevel) > bumpRank(level) {
		level = minLevel
	}
	if hv.LessThan(bv) {
		if level == BumpNone {
			level = BumpPatch
		}
		reasons = append([]string{fmt.Sprintf("version %s is lower than %s on base (lint: %s)", headV, baseV, RuleVersionLowered)}, reasons...)
	}
	if level == BumpNone {
		return headV, BumpNone, strings.Join(reasons, "; ")
	}
	to, _ = BumpVersion(baseV, level)
	return to, level, strings.Join(reasons, "; ")
}

// changeLevel is the bump for changed content: the highest conventional
// bump among the commits touching the resource, or the configured level.
func changeLevel(commits []CommitInfo, mode string) (string, string) {
	switch mode {
	case BumpPatch, BumpMinor, BumpMajor:
		return mode, "content changed; versioning.bump is " + mode
	}
	if len(commits) == 0 {
		return BumpPatch, "content changed; no commit in range touches it (uncommitted?): patch"
	}
	level, by := BumpNone, commits[0]
	for _, c := range commits {
		if b := ConventionalBump(c.Message); bumpRank(b) > bumpRank(level) {
			level, by = b, c
		}
	}
	subject, _, _ := strings.Cut(strings.TrimSpace(by.Message), "\n")
	h := by.Hash
	if len(h) > 7 {
		h = h[:7]
	}
	return level, fmt.Sprintf("content changed; %s from commit %s %q", level, h, subject)
}

// commitsByResource maps each resource to the commits touching its files.
func commitsByResource(base, head *Repo, commits []CommitInfo) map[Key][]CommitInfo {
	out := map[Key][]CommitInfo{}
	if len(commits) == 0 {
		return out
	}
	owners := head.FileOwners()
	if base != nil {
		for f, ks := range base.FileOwners() {
			for _, k := range ks {
				if !containsKey(owners[f], k) {
					owners[f] = append(owners[f], k)
				}
			}
		}
	}
	for _, c := range commits {
		seen := map[Key]bool{}
		for _, p := range c.Paths {
			for _, k := range owners[p] {
				if !seen[k] {
					seen[k] = true
					out[k] = append(out[k], c)
				}
			}
		}
	}
	return out
}

func containsKey(ks []Key, k Key) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// builds lists each recipe version to build, with the pipelines that
// build it: recipes with a new version, and recipes of pipelines that
// changed or whose infrastructure or distribution changed.
func builds(head *Repo, g *Graph, decided map[Key]*decision) []Build {
	type entry struct {
		b     Build
		build bool
	}
	var order []Key
	byRecipe := map[Key]*entry{}
	get := func(k Key) *entry {
		if e, ok := byRecipe[k]; ok {
			return e
		}
		rec, _, _ := head.Recipe(k.Name)
		e := &entry{b: Build{Kind: k.Kind, Name: k.Name, Version: rec.Version, Pipelines: []string{}}}
		if dec, ok := decided[k]; ok && dec.ToVersion != "" {
			e.b.Version = dec.ToVersion
		}
		for _, p := range g.Dependents(k) {
			if p.Kind == KindPipeline {
				e.b.Pipelines = append(e.b.Pipelines, p.Name)
			}
		}
		byRecipe[k] = e
		order = append(order, k)
		return e
	}
	for _, k := range g.Order() {
		dec, ok := decided[k]
		if !ok {
			continue
		}
		switch k.Kind {
		case KindImageRecipe, KindContainerRecipe:
			if dec.newVersion {
				get(k).build = true
			}
		case KindPipeline:
			p := head.Pipelines[k.Name]
			if !dec.updated || p == nil || p.RecipeName() == "" {
				continue
			}
			if _, rk, ok := head.Recipe(p.RecipeName()); ok {
				get(Key{rk, p.RecipeName()}).build = true
			}
		}
	}
	out := []Build{}
	g.sortByDependency(order)
	for _, k := range order {
		if e := byRecipe[k]; e.build {
			sort.Strings(e.b.Pipelines)
			out = append(out, e.b)
		}
	}
	return out
}

// LintAgainstBase compares head with base: a component or recipe whose
// content changed while its version stayed (version-not-raised), or whose
// version is lower than on base (version-lowered). Both are errors:
// Image Builder versions are immutable, so either would fail at build.
//
// The version each finding asks for is the plan's (PlanChanges, hence
// decideVersion): the one `bump --write` writes, so lint's fix and bump
// always agree (a feat commit asks for a minor bump in both). plan is
// the plan from base to head; a resource the plan does not cover gets
// the same decision without commits.
func LintAgainstBase(base, head *Repo, plan Plan) []diag.Finding {
	var out []diag.Finding
	if base == nil || head == nil {
		return nil
	}
	planned := map[Key]Change{}
	for _, c := range plan.Changes {
		planned[Key{c.Kind, c.Name}] = c
	}
	baseRes := map[Key]Resource{}
	for _, r := range base.Resources() {
		baseRes[r.Key()] = r
	}
	for _, r := range head.Resources() {
		if !r.Kind.Versioned() {
			continue
		}
		b, ok := baseRes[r.Key()]
		if !ok {
			continue
		}
		hv, herr := semver.StrictNewVersion(r.Version)
		bv, berr := semver.StrictNewVersion(b.Version)
		if herr != nil || berr != nil {
			continue // version-format reports it
		}
		pos := r.VersionPos
		if pos.Line == 0 {
			pos = r.NamePos
		}
		next := func() string {
			if c, ok := planned[r.Key()]; ok && c.FromVersion == b.Version && c.ToVersion != "" && c.ToVersion != r.Version {
				return c.ToVersion
			}
			to, _, _ := decideVersion(b.Version, r.Version, true, BumpNone, "", nil, head.Config.Versioning.Bump)
			return to
		}
		switch {
		case hv.LessThan(bv):
			out = append(out, diag.Finding{Rule: RuleVersionLowered, Severity: diag.Error, File: r.File, Line: pos.Line, Column: pos.Column,
				Message: fmt.Sprintf("%s %s has version %s, lower than %s on the base ref; versions only go up: set version: %s (ibgitops bump --write does it)", kindWord(r.Kind), r.Name, r.Version, b.Version, next())})
		case hv.Equal(bv) && r.ContentHash != "" && b.ContentHash != "" && r.ContentHash != b.ContentHash:
			out = append(out, diag.Finding{Rule: RuleVersionNotRaised, Severity: diag.Error, File: r.File, Line: pos.Line, Column: pos.Column,
				Message: fmt.Sprintf("%s %s changed since the base ref but its version %s did not rise; Image Builder versions are immutable: set version: %s (or run ibgitops bump --write)", kindWord(r.Kind), r.Name, r.Version, next())})
		}
	}
	diag.Sort(out)
	return out
}
