package recipes

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/ibgitops/ibgitops/recipes/diag"
)

// A tiny builder for repositories in pure tests: no files, no loader.
type repoBuilder struct{ r *Repo }

func newRepoB() *repoBuilder { return &repoBuilder{r: NewRepo()} }

func (b *repoBuilder) comp(name, version, hash string, docFile ...string) *repoBuilder {
	c := &Component{Meta: Meta{Kind: KindComponent, Name: name, Version: version, File: "components/" + name + ".yaml",
		ContentHash: hash, VersionPos: diag.Pos{Line: 3, Column: 10}}, Platform: "Linux"}
	if len(docFile) > 0 {
		c.DocumentFile = docFile[0]
	}
	b.r.Components[name] = c
	return b
}

func (b *repoBuilder) moved(kind Kind, name, file string) *repoBuilder {
	for _, res := range b.r.Resources() {
		if res.Kind == kind && res.Name == name {
			res.Meta.File = file
		}
	}
	return b
}

func ref(name string, pin ...string) ComponentRef {
	r := ComponentRef{Name: name}
	if len(pin) > 0 {
		r.Version = pin[0]
	}
	return r
}

func (b *repoBuilder) recipe(name, version, hash, parent string, comps ...ComponentRef) *repoBuilder {
	if parent == "" {
		parent = "ami-0123456789abcdef0"
	}
	b.r.ImageRecipes[name] = &ImageRecipe{Recipe: Recipe{Meta: Meta{Kind: KindImageRecipe, Name: name, Version: version,
		File: "recipes/" + name + ".yaml", ContentHash: hash, VersionPos: diag.Pos{Line: 3, Column: 10}}, ParentImage: parent, Components: comps}}
	return b
}

func (b *repoBuilder) container(name, version, hash, tplFile string, comps ...ComponentRef) *repoBuilder {
	cr := &ContainerRecipe{Recipe: Recipe{Meta: Meta{Kind: KindContainerRecipe, Name: name, Version: version,
		File: "recipes/" + name + ".yaml", ContentHash: hash}, ParentImage: "amazonlinux:2023", Components: comps}, DockerfileTemplateFile: tplFile}
	b.r.ContainerRecipes[name] = cr
	return b
}

func (b *repoBuilder) infra(name, hash string) *repoBuilder {
	b.r.Infrastructures[name] = &Infrastructure{Meta: Meta{Kind: KindInfrastructure, Name: name, File: "infrastructure/" + name + ".yaml", ContentHash: hash}}
	return b
}

func (b *repoBuilder) dist(name, hash string) *repoBuilder {
	b.r.Distributions[name] = &Distribution{Meta: Meta{Kind: KindDistribution, Name: name, File: "distribution/" + name + ".yaml", ContentHash: hash}}
	return b
}

func (b *repoBuilder) pipeline(name, hash, recipe, infra, dist string) *repoBuilder {
	p := &Pipeline{Meta: Meta{Kind: KindPipeline, Name: name, File: "pipelines/" + name + ".yaml", ContentHash: hash},
		InfrastructureConfiguration: infra, DistributionConfiguration: dist}
	if _, ok := b.r.ContainerRecipes[recipe]; ok {
		p.ContainerRecipe = recipe
	} else {
		p.ImageRecipe = recipe
	}
	b.r.Pipelines[name] = p
	return b
}

func (b *repoBuilder) config(fn func(*Config)) *repoBuilder { fn(&b.r.Config); return b }

// baseRepo is the repository most plan cases start from:
//
//	web (component) ─┐
//	                 ├─> base-ami (recipe) ─> app-ami (child recipe) ─> app (pipeline)
//	hardening ───────┘          └───────────────────────────────────> nightly (pipeline)
//	shared-infra, shared-dist ─> both pipelines
func baseRepo() *repoBuilder {
	return newRepoB().
		comp("web", "1.2.3", "h-web", "components/docs/web.yaml").
		comp("hardening", "2.0.0", "h-hard").
		recipe("base-ami", "1.0.0", "h-base", "", ref("web"), ref("hardening")).
		recipe("app-ami", "3.1.0", "h-app", "recipe:base-ami").
		infra("shared-infra", "h-infra").
		dist("shared-dist", "h-dist").
		pipeline("nightly", "h-nightly", "base-ami", "shared-infra", "shared-dist").
		pipeline("app", "h-appp", "app-ami", "shared-infra", "")
}

func summarize(p Plan) []string {
	var out []string
	for _, c := range p.Changes {
		line := fmt.Sprintf("%s %s %s", c.Kind, c.Name, c.Change)
		if c.FromVersion != "" || c.ToVersion != "" {
			line += fmt.Sprintf(" %s->%s", c.FromVersion, c.ToVersion)
		}
		line += " " + c.Bump
		out = append(out, line)
	}
	for _, b := range p.Builds {
		out = append(out, fmt.Sprintf("build %s %s %s %v", b.Kind, b.Name, b.Version, b.Pipelines))
	}
	return out
}

func TestPlanChanges(t *testing.T) {
	feat := CommitInfo{Hash: "aaaaaaaaaa", Message: "feat(web): serve http/2", Paths: []string{"components/docs/web.yaml"}}
	fix := CommitInfo{Hash: "bbbbbbbbbb", Message: "fix: typo", Paths: []string{"components/web.yaml"}}
	breaking := CommitInfo{Hash: "cccccccccc", Message: "refactor: drop centos\n\nBREAKING CHANGE: centos is gone", Paths: []string{"components/hardening.yaml"}}

	tests := []struct {
		name    string
		base    *Repo
		head    *Repo
		paths   []PathChange
		commits []CommitInfo
		want    []string
		reasons map[string]string // name -> substring of its reason
	}{
		{
			name:    "component content changed by a feat commit: minor, propagated",
			base:    baseRepo().r,
			head:    baseRepo().comp("web", "1.2.3", "h-web2", "components/docs/web.yaml").r,
			paths:   []PathChange{{PathModified, "components/docs/web.yaml", "components/docs/web.yaml"}},
			commits: []CommitInfo{fix, feat},
			want: []string{
				"Component web modified 1.2.3->1.3.0 minor",
				"ImageRecipe base-ami affected 1.0.0->1.0.1 patch",
				"ImageRecipe app-ami affected 3.1.0->3.1.1 patch",
				"ImagePipeline app affected none",
				"ImagePipeline nightly affected none",
				"build ImageRecipe base-ami 1.0.1 [nightly]",
				"build ImageRecipe app-ami 3.1.1 [app]",
			},
			reasons: map[string]string{
				"web":      `minor from commit aaaaaaa "feat(web): serve http/2"`,
				"base-ami": "uses component web 1.2.3 -> 1.3.0",
				"app-ami":  "parent recipe base-ami 1.0.0 -> 1.0.1",
				"nightly":  "image recipe base-ami 1.0.0 -> 1.0.1",
			},
		},
		{
			name:    "breaking change footer: major",
			base:    baseRepo().r,
			head:    baseRepo().comp("hardening", "2.0.0", "h-hard2").r,
			paths:   []PathChange{{PathModified, "components/hardening.yaml", "components/hardening.yaml"}},
			commits: []CommitInfo{breaking},
			want: []string{
				"Component hardening modified 2.0.0->3.0.0 major",
				"ImageRecipe base-ami affected 1.0.0->1.0.1 patch",
				"ImageRecipe app-ami affected 3.1.0->3.1.1 patch",
				"ImagePipeline app affected none",
				"ImagePipeline nightly affected none",
				"build ImageRecipe base-ami 1.0.1 [nightly]",
				"build ImageRecipe app-ami 3.1.1 [app]",
			},
		},
		{
			name:  "author-raised version stands, recipe version raised too stands",
			base:  baseRepo().r,
			head:  baseRepo().comp("web", "1.4.0", "h-web2", "components/docs/web.yaml").recipe("base-ami", "2.0.0", "h-base", "", ref("web"), ref("hardening")).r,
			paths: []PathChange{{PathModified, "components/web.yaml", "components/web.yaml"}, {PathModified, "recipes/base-ami.yaml", "recipes/base-ami.yaml"}},
			want: []string{
				"Component web modified 1.2.3->1.4.0 minor",
				"ImageRecipe base-ami modified 1.0.0->2.0.0 major",
				"ImageRecipe app-ami affected 3.1.0->3.1.1 patch",
				"ImagePipeline app affected none",
				"ImagePipeline nightly affected none",
				"build ImageRecipe base-ami 2.0.0 [nightly]",
				"build ImageRecipe app-ami 3.1.1 [app]",
			},
			reasons: map[string]string{"web": "version raised by the author"},
		},
		{
			name:  "configured default bump, no commits (work tree)",
			base:  baseRepo().r,
			head:  baseRepo().config(func(c *Config) { c.Versioning.Bump = BumpMinor }).recipe("app-ami", "3.1.0", "h-app2", "recipe:base-ami").r,
			paths: []PathChange{{PathModified, "recipes/app-ami.yaml", "recipes/app-ami.yaml"}},
			want: []string{
				"ImageRecipe app-ami modified 3.1.0->3.2.0 minor",
				"ImagePipeline app affected none",
				"build ImageRecipe app-ami 3.2.0 [app]",
			},
			reasons: map[string]string{"app-ami": "versioning.bump is minor"},
		},
		{
			name:  "conventional with no commit touching it: patch",
			base:  baseRepo().r,
			head:  baseRepo().recipe("app-ami", "3.1.0", "h-app2", "recipe:base-ami").r,
			paths: []PathChange{{PathModified, "recipes/app-ami.yaml", "recipes/app-ami.yaml"}},
			want: []string{
				"ImageRecipe app-ami modified 3.1.0->3.1.1 patch",
				"ImagePipeline app affected none",
				"build ImageRecipe app-ami 3.1.1 [app]",
			},
		},
		{
			name: "propagation off: recipes affected but keep their version",
			base: baseRepo().r,
			head: baseRepo().config(func(c *Config) { c.Versioning.Propagate = false }).
				comp("web", "1.2.3", "h-web2", "components/docs/web.yaml").r,
			paths:   []PathChange{{PathModified, "components/docs/web.yaml", "components/docs/web.yaml"}},
			commits: []CommitInfo{fix},
			want: []string{
				"Component web modified 1.2.3->1.2.4 patch",
				"ImageRecipe base-ami affected 1.0.0->1.0.0 none",
			},
			reasons: map[string]string{"base-ami": "versioning.propagate is off"},
		},
		{
			name: "propagation off, recipe changed itself: its own bump, the note says propagation did not count",
			base: baseRepo().r,
			head: baseRepo().config(func(c *Config) { c.Versioning.Propagate = false }).
				comp("web", "1.2.3", "h-web2", "components/docs/web.yaml").
				recipe("base-ami", "1.0.0", "h-base2", "", ref("web"), ref("hardening")).r,
			paths:   []PathChange{{PathModified, "components/docs/web.yaml", "components/docs/web.yaml"}, {PathModified, "recipes/base-ami.yaml", "recipes/base-ami.yaml"}},
			commits: []CommitInfo{fix, {Hash: "dddddddddd", Message: "feat: more disk", Paths: []string{"recipes/base-ami.yaml"}}},
			want: []string{
				"Component web modified 1.2.3->1.2.4 patch",
				"ImageRecipe base-ami modified 1.0.0->1.1.0 minor",
				"ImageRecipe app-ami affected 3.1.0->3.1.0 none",
				"ImagePipeline nightly affected none",
				"build ImageRecipe base-ami 1.1.0 [nightly]",
			},
			reasons: map[string]string{"base-ami": "that alone would not bump it", "app-ami": "parent recipe base-ami 1.0.0 -> 1.1.0 (versioning.propagate is off"},
		},
		{
			name: "pins: exact old pin follows, other exact pin and non-matching wildcard do not",
			base: newRepoB().comp("web", "1.2.3", "h1").
				recipe("exact", "1.0.0", "r1", "", ref("web", "1.2.3")).
				recipe("other", "1.0.0", "r2", "", ref("web", "1.1.0")).
				recipe("wild1", "1.0.0", "r3", "", ref("web", "1.x.x")).
				recipe("wild2", "1.0.0", "r4", "", ref("web", "1.2.x")).r,
			head: newRepoB().comp("web", "2.0.0", "h2").
				recipe("exact", "1.0.0", "r1", "", ref("web", "1.2.3")).
				recipe("other", "1.0.0", "r2", "", ref("web", "1.1.0")).
				recipe("wild1", "1.0.0", "r3", "", ref("web", "1.x.x")).
				recipe("wild2", "1.0.0", "r4", "", ref("web", "1.2.x")).r,
			paths: []PathChange{{PathModified, "components/web.yaml", "components/web.yaml"}},
			want: []string{
				"Component web modified 1.2.3->2.0.0 major",
				"ImageRecipe exact affected 1.0.0->1.0.1 patch",
				"build ImageRecipe exact 1.0.1 []",
			},
		},
		{
			name:  "infrastructure change: pipelines rebuild the current recipe versions",
			base:  baseRepo().r,
			head:  baseRepo().infra("shared-infra", "h-infra2").r,
			paths: []PathChange{{PathModified, "infrastructure/shared-infra.yaml", "infrastructure/shared-infra.yaml"}},
			want: []string{
				"InfrastructureConfiguration shared-infra modified none",
				"ImagePipeline app affected none",
				"ImagePipeline nightly affected none",
				"build ImageRecipe base-ami 1.0.0 [nightly]",
				"build ImageRecipe app-ami 3.1.0 [app]",
			},
		},
		{
			name:  "comment-only edit: same content hash, nothing planned",
			base:  baseRepo().r,
			head:  baseRepo().r,
			paths: []PathChange{{PathModified, "components/web.yaml", "components/web.yaml"}},
			want:  nil,
		},
		{
			name:  "moved file, same content: renamed, no bump, no build",
			base:  baseRepo().r,
			head:  baseRepo().moved(KindComponent, "hardening", "security/hardening.yaml").r,
			paths: []PathChange{{PathRenamed, "security/hardening.yaml", "components/hardening.yaml"}},
			want:  []string{"Component hardening renamed 2.0.0->2.0.0 none"},
		},
		{
			name: "deleted pipeline and distribution are shown, nothing built",
			base: baseRepo().r,
			head: func() *Repo {
				b := baseRepo()
				delete(b.r.Pipelines, "nightly")
				delete(b.r.Distributions, "shared-dist")
				return b.r
			}(),
			paths: []PathChange{{PathDeleted, "pipelines/nightly.yaml", "pipelines/nightly.yaml"}, {PathDeleted, "distribution/shared-dist.yaml", "distribution/shared-dist.yaml"}},
			want: []string{
				"DistributionConfiguration shared-dist deleted none",
				"ImagePipeline nightly deleted none",
			},
			reasons: map[string]string{"nightly": "deletes nothing in AWS"},
		},
		{
			name: "new component used by a new recipe with a new pipeline",
			base: baseRepo().r,
			head: baseRepo().comp("nginx", "1.0.0", "n").container("web-img", "1.0.0", "w", "docker/web.Dockerfile", ref("nginx")).
				pipeline("web-img", "p", "web-img", "shared-infra", "").r,
			paths: []PathChange{{PathAdded, "components/nginx.yaml", ""}, {PathAdded, "recipes/web-img.yaml", ""}, {PathAdded, "pipelines/web-img.yaml", ""}},
			want: []string{
				"Component nginx added ->1.0.0 none",
				"ContainerRecipe web-img added ->1.0.0 none",
				"ImagePipeline web-img added none",
				"build ContainerRecipe web-img 1.0.0 [web-img]",
			},
		},
		{
			name:  "no base: everything is new",
			base:  nil,
			head:  newRepoB().comp("web", "1.0.0", "h").recipe("r", "1.0.0", "rh", "", ref("web")).r,
			paths: nil,
			want: []string{
				"Component web added ->1.0.0 none",
				"ImageRecipe r added ->1.0.0 none",
				"build ImageRecipe r 1.0.0 []",
			},
		},
		{
			name: "resource renamed with its file: new name, old one stays",
			base: baseRepo().r,
			head: func() *Repo {
				b := baseRepo()
				c := b.r.Components["hardening"]
				delete(b.r.Components, "hardening")
				c.Name, c.File = "cis-hardening", "components/cis-hardening.yaml"
				b.r.Components["cis-hardening"] = c
				b.r.ImageRecipes["base-ami"].Components[1].Name = "cis-hardening"
				b.r.ImageRecipes["base-ami"].ContentHash = "h-base2"
				return b.r
			}(),
			paths: []PathChange{{PathRenamed, "components/cis-hardening.yaml", "components/hardening.yaml"}, {PathModified, "recipes/base-ami.yaml", "recipes/base-ami.yaml"}},
			want: []string{
				"Component cis-hardening renamed 2.0.0->2.0.0 none",
				"ImageRecipe base-ami modified 1.0.0->1.0.1 patch",
				"ImageRecipe app-ami affected 3.1.0->3.1.1 patch",
				"ImagePipeline app affected none",
				"ImagePipeline nightly affected none",
				"build ImageRecipe base-ami 1.0.1 [nightly]",
				"build ImageRecipe app-ami 3.1.1 [app]",
			},
			reasons: map[string]string{"cis-hardening": "renamed from hardening"},
		},
		{
			name:  "lowered version: planned from base",
			base:  baseRepo().r,
			head:  baseRepo().recipe("app-ami", "3.0.0", "h-app2", "recipe:base-ami").r,
			paths: []PathChange{{PathModified, "recipes/app-ami.yaml", "recipes/app-ami.yaml"}},
			want: []string{
				"ImageRecipe app-ami modified 3.1.0->3.1.1 patch",
				"ImagePipeline app affected none",
				"build ImageRecipe app-ami 3.1.1 [app]",
			},
			reasons: map[string]string{"app-ami": "lower than 3.1.0 on base"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan := PlanChanges(PlanInput{Base: tc.base, Head: tc.head, BaseRef: "b", HeadRef: "h", Paths: tc.paths, Commits: tc.commits})
			if got := summarize(plan); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("plan =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
			for name, sub := range tc.reasons {
				found := false
				for _, c := range plan.Changes {
					if c.Name == name {
						found = true
						if !strings.Contains(c.Reason, sub) {
							t.Errorf("reason of %s = %q, want it to contain %q", name, c.Reason, sub)
						}
					}
				}
				if !found {
					t.Errorf("no change for %s", name)
				}
			}
			if plan.Changes == nil || plan.Builds == nil {
				t.Error("Changes and Builds must be empty lists, not null, in JSON")
			}
		})
	}
}

func TestConventionalBump(t *testing.T) {
	tests := map[string]string{
		"feat: add nginx":                       BumpMinor,
		"feat(web): add nginx":                  BumpMinor,
		"FEAT: shouting":                        BumpMinor,
		"fix: typo":                             BumpPatch,
		"chore(deps): bump":                     BumpPatch,
		"feat!: drop al2":                       BumpMajor,
		"fix(web)!: new port":                   BumpMajor,
		"refactor: x\n\nBREAKING CHANGE: gone":  BumpMajor,
		"refactor: x\n\nBREAKING-CHANGE: gone":  BumpMajor,
		"Update web component":                  BumpPatch,
		"feature: not a conventional type":      BumpPatch,
		"feat:no space is not conventional":     BumpPatch,
		"docs: mention BREAKING CHANGE: inline": BumpPatch,
	}
	for msg, want := range tests {
		if got := ConventionalBump(msg); got != want {
			t.Errorf("ConventionalBump(%q) = %s, want %s", msg, got, want)
		}
	}
}

func TestBumpVersionAndPins(t *testing.T) {
	for _, tc := range []struct{ v, level, want string }{
		{"1.2.3", BumpPatch, "1.2.4"}, {"1.2.3", BumpMinor, "1.3.0"}, {"1.2.3", BumpMajor, "2.0.0"}, {"1.2.3", BumpNone, "1.2.3"},
		{"0.0.9", BumpPatch, "0.0.10"},
	} {
		if got, err := BumpVersion(tc.v, tc.level); err != nil || got != tc.want {
			t.Errorf("BumpVersion(%s, %s) = %s, %v; want %s", tc.v, tc.level, got, err, tc.want)
		}
	}
	if _, err := BumpVersion("1.2", BumpPatch); err == nil {
		t.Error("BumpVersion(1.2) should fail")
	}
	for _, tc := range []struct {
		pin, from, to string
		want          bool
	}{
		{"", "1.0.0", "1.0.1", true}, {"1.0.0", "1.0.0", "1.0.1", true}, {"1.0.1", "1.0.0", "1.0.1", true},
		{"0.9.0", "1.0.0", "1.0.1", false}, {"1.x.x", "1.0.0", "1.1.0", true}, {"1.x.x", "1.0.0", "2.0.0", false},
		{"1.0.x", "1.0.0", "1.0.1", true}, {"x.x.x", "1.0.0", "9.0.0", true},
	} {
		if got := pinAccepts(tc.pin, tc.from, tc.to); got != tc.want {
			t.Errorf("pinAccepts(%q, %s, %s) = %v", tc.pin, tc.from, tc.to, got)
		}
	}
}

func TestResourcesTouched(t *testing.T) {
	base := baseRepo().container("img", "1.0.0", "c", "docker/img.Dockerfile").r
	head := baseRepo().container("img", "1.0.0", "c", "docker/img.Dockerfile").moved(KindComponent, "hardening", "sec/hardening.yaml").r
	touched, unowned := ResourcesTouched(base, head, []PathChange{
		{PathModified, "components/docs/web.yaml", "components/docs/web.yaml"},
		{PathModified, "docker/img.Dockerfile", "docker/img.Dockerfile"},
		{PathRenamed, "sec/hardening.yaml", "components/hardening.yaml"},
		{PathModified, "README.md", "README.md"},
		{PathDeleted, "pipelines/app.yaml", "pipelines/app.yaml"},
	})
	want := map[Key][]string{
		{KindComponent, "web"}:       {"components/docs/web.yaml"},
		{KindContainerRecipe, "img"}: {"docker/img.Dockerfile"},
		{KindComponent, "hardening"}: {"sec/hardening.yaml", "components/hardening.yaml"},
		{KindPipeline, "app"}:        {"pipelines/app.yaml"},
	}
	if !reflect.DeepEqual(touched, want) {
		t.Errorf("touched = %v\nwant %v", touched, want)
	}
	if !reflect.DeepEqual(unowned, []string{"README.md"}) {
		t.Errorf("unowned = %v", unowned)
	}
}

func TestGraph(t *testing.T) {
	g := NewGraph(baseRepo().r)
	got := g.Dependents(Key{KindComponent, "web"})
	if want := []Key{{KindImageRecipe, "base-ami"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Dependents(web) = %v", got)
	}
	got = g.Dependents(Key{KindInfrastructure, "shared-infra"})
	if want := []Key{{KindPipeline, "app"}, {KindPipeline, "nightly"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Dependents(shared-infra) = %v", got)
	}
	got = g.Affected([]Key{{KindComponent, "hardening"}})
	want := []Key{{KindImageRecipe, "base-ami"}, {KindImageRecipe, "app-ami"}, {KindPipeline, "app"}, {KindPipeline, "nightly"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Affected(hardening) = %v\nwant %v", got, want)
	}
	got = g.Affected([]Key{{KindDistribution, "shared-dist"}})
	if want := []Key{{KindPipeline, "nightly"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Affected(shared-dist) = %v", got)
	}
	// A parent cycle (a lint error) must not loop.
	cyc := newRepoB().recipe("a", "1.0.0", "", "recipe:b").recipe("b", "1.0.0", "", "recipe:a").r
	if got := NewGraph(cyc).Affected([]Key{{KindImageRecipe, "a"}}); len(got) != 1 || got[0].Name != "b" {
		t.Errorf("Affected in a cycle = %v", got)
	}
	if order := NewGraph(baseRepo().r).Order(); order[2].Name != "base-ami" || order[3].Name != "app-ami" {
		t.Errorf("Order puts parents first: %v", order)
	}
}

func TestLintAgainstBase(t *testing.T) {
	base := baseRepo().r
	head := baseRepo().
		comp("web", "1.2.3", "h-web-changed", "components/docs/web.yaml"). // content changed, version kept
		comp("hardening", "1.9.0", "h-hard").                              // lowered
		recipe("app-ami", "3.2.0", "h-app2", "recipe:base-ami").           // raised: fine
		infra("shared-infra", "changed").r                                 // unversioned: fine
	paths := []PathChange{
		{PathModified, "components/docs/web.yaml", "components/docs/web.yaml"},
		{PathModified, "components/hardening.yaml", "components/hardening.yaml"},
		{PathModified, "recipes/app-ami.yaml", "recipes/app-ami.yaml"},
		{PathModified, "infrastructure/shared-infra.yaml", "infrastructure/shared-infra.yaml"},
	}
	feat := CommitInfo{Hash: "aaaaaaaaaa", Message: "feat(web): serve http/2", Paths: []string{"components/docs/web.yaml"}}
	plan := PlanChanges(PlanInput{Base: base, Head: head, Paths: paths, Commits: []CommitInfo{feat}})
	got := LintAgainstBase(base, head, plan)
	var lines []string
	for _, f := range got {
		lines = append(lines, f.String())
	}
	want := []string{
		"components/hardening.yaml:3:10: error: component hardening has version 1.9.0, lower than 2.0.0 on the base ref; versions only go up: set version: 2.0.1 (ibgitops bump --write does it) [version-lowered]",
		"components/web.yaml:3:10: error: component web changed since the base ref but its version 1.2.3 did not rise; Image Builder versions are immutable: set version: 1.3.0 (or run ibgitops bump --write) [version-not-raised]",
	}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("LintAgainstBase =\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if got := LintAgainstBase(nil, head, plan); got != nil {
		t.Errorf("no base: %v", got)
	}
}

var reSetVersion = regexp.MustCompile(`set version: (\S+)`)

// TestVersionDecisionAgrees: lint's version-not-raised / version-lowered
// fix is the version bump --write writes, whatever the commits say and
// however versioning is configured (#14 item 6: lint said 1.2.1 where
// bump wrote 1.3.0 for a feat).
func TestVersionDecisionAgrees(t *testing.T) {
	commit := func(msg string, paths ...string) CommitInfo {
		return CommitInfo{Hash: fmt.Sprintf("%010x", len(msg)*7919), Message: msg, Paths: paths}
	}
	webPaths := []PathChange{{PathModified, "components/docs/web.yaml", "components/docs/web.yaml"}}
	webChanged := func() *repoBuilder { return baseRepo().comp("web", "1.2.3", "h-web2", "components/docs/web.yaml") }
	cases := []struct {
		name    string
		head    *repoBuilder
		paths   []PathChange
		commits []CommitInfo
		want    map[string]string // file -> the version both must ask for
	}{
		{"feat", webChanged(), webPaths, []CommitInfo{commit("feat(web): serve http/2", "components/docs/web.yaml")},
			map[string]string{"components/web.yaml": "1.3.0"}},
		{"fix", webChanged(), webPaths, []CommitInfo{commit("fix(web): typo", "components/docs/web.yaml")},
			map[string]string{"components/web.yaml": "1.2.4"}},
		{"feat!", webChanged(), webPaths, []CommitInfo{commit("feat(web)!: drop http/1", "components/docs/web.yaml")},
			map[string]string{"components/web.yaml": "2.0.0"}},
		{"BREAKING CHANGE footer", webChanged(), webPaths, []CommitInfo{commit("refactor: paths\n\nBREAKING CHANGE: moved", "components/docs/web.yaml")},
			map[string]string{"components/web.yaml": "2.0.0"}},
		{"not conventional", webChanged(), webPaths, []CommitInfo{commit("Update web.yaml", "components/docs/web.yaml")},
			map[string]string{"components/web.yaml": "1.2.4"}},
		{"fix then feat: the highest wins", webChanged(), webPaths, []CommitInfo{
			commit("fix: one", "components/docs/web.yaml"), commit("feat: two", "components/docs/web.yaml"), commit("chore: three", "components/docs/web.yaml")},
			map[string]string{"components/web.yaml": "1.3.0"}},
		{"feat on another resource does not count", webChanged(), webPaths, []CommitInfo{
			commit("fix: web", "components/docs/web.yaml"), commit("feat: hardening", "components/hardening.yaml")},
			map[string]string{"components/web.yaml": "1.2.4"}},
		{"uncommitted change", webChanged(), webPaths, nil,
			map[string]string{"components/web.yaml": "1.2.4"}},
		{"versioning.bump: minor", webChanged().config(func(c *Config) { c.Versioning.Bump = BumpMinor }), webPaths,
			[]CommitInfo{commit("fix: small", "components/docs/web.yaml")},
			map[string]string{"components/web.yaml": "1.3.0"}},
		{"versioning.bump: major", webChanged().config(func(c *Config) { c.Versioning.Bump = BumpMajor }), webPaths, nil,
			map[string]string{"components/web.yaml": "2.0.0"}},
		{"propagate off", webChanged().config(func(c *Config) { c.Versioning.Propagate = false }), webPaths,
			[]CommitInfo{commit("feat: x", "components/docs/web.yaml")},
			map[string]string{"components/web.yaml": "1.3.0"}},
		{"recipe changed by feat and through its component", webChanged().recipe("base-ami", "1.0.0", "h-base2", "", ref("web"), ref("hardening")),
			append([]PathChange{{PathModified, "recipes/base-ami.yaml", "recipes/base-ami.yaml"}}, webPaths...),
			[]CommitInfo{commit("fix: web", "components/docs/web.yaml"), commit("feat: recipe", "recipes/base-ami.yaml")},
			map[string]string{"components/web.yaml": "1.2.4", "recipes/base-ami.yaml": "1.1.0"}},
		{"version lowered, with a feat", baseRepo().comp("hardening", "1.9.0", "h-hard2"),
			[]PathChange{{PathModified, "components/hardening.yaml", "components/hardening.yaml"}},
			[]CommitInfo{commit("feat: new check", "components/hardening.yaml")},
			map[string]string{"components/hardening.yaml": "2.1.0"}},
		{"version lowered, content kept", baseRepo().comp("hardening", "1.0.0", "h-hard"),
			[]PathChange{{PathModified, "components/hardening.yaml", "components/hardening.yaml"}},
			[]CommitInfo{commit("chore: oops", "components/hardening.yaml")},
			map[string]string{"components/hardening.yaml": "2.0.1"}},
		{"version raised by the author: nothing to say", baseRepo().comp("web", "1.2.9", "h-web2", "components/docs/web.yaml"), webPaths,
			[]CommitInfo{commit("feat: x", "components/docs/web.yaml")}, map[string]string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base, head := baseRepo().r, tc.head.r
			plan := PlanChanges(PlanInput{Base: base, Head: head, Paths: tc.paths, Commits: tc.commits})
			edits, err := BumpEdits(plan, head)
			if err != nil {
				t.Fatal(err)
			}
			bumped := map[string]string{} // file -> new version of the resource's own version
			for _, e := range edits {
				if !strings.Contains(e.What, " pins ") {
					bumped[e.File] = e.New
				}
			}
			asked := map[string]string{}
			for _, f := range LintAgainstBase(base, head, plan) {
				m := reSetVersion.FindStringSubmatch(f.Message)
				if m == nil {
					t.Fatalf("%s names no version", f)
				}
				asked[f.File] = m[1]
			}
			for file, v := range asked {
				if bumped[file] != v {
					t.Errorf("%s: lint asks for %s, bump writes %q", file, v, bumped[file])
				}
			}
			for file, v := range tc.want {
				if asked[file] != v || bumped[file] != v {
					t.Errorf("%s: lint asks for %q, bump writes %q; want %s for both", file, asked[file], bumped[file], v)
				}
			}
			for file := range asked {
				if _, ok := tc.want[file]; !ok {
					t.Errorf("unexpected finding on %s", file)
				}
			}
		})
	}
}
