// Package reconcile compares the repository at head (the desired state)
// with what a backend holds (the actual state, backend.Actual) and says,
// per resource, whether they agree; from that comparison it plans what a
// run on the default branch does: build every recipe version whose image
// of this content is not available, update drifted mutable resources in
// place, never delete. It is pure: no I/O, no backend calls.
package reconcile

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/runner/backend"
)

// State of one resource.
type State string

const (
	InSync       State = "in sync"
	Missing      State = "missing"       // never built or created, or its last build failed
	Drifted      State = "drifted"       // a mutable resource's live fields differ from the file
	VersionTaken State = "version taken" // the version exists with other content
	NotInGit     State = "not in git"    // carries ibgitops' tags, no file defines it
	Unreadable   State = "unreadable"    // the backend could not read it
)

// FieldChange is one field of a drifted resource: what the backend holds
// (Live, the old value) and what the file says (Desired, the new value).
type FieldChange struct {
	Field   string `json:"field"`
	Live    any    `json:"live"`
	Desired any    `json:"desired"`
}

// Entry is one resource's comparison.
type Entry struct {
	Kind    recipes.Kind `json:"kind"`
	Name    string       `json:"name"`
	Version string       `json:"version,omitempty"`
	File    string       `json:"file,omitempty"`
	Line    int          `json:"line,omitempty"`
	State   State        `json:"state"`
	// Message says why, in one sentence.
	Message string `json:"message"`
	ID      string `json:"id,omitempty"`
	// LastBuild is the newest build of a missing recipe version.
	LastBuild *backend.Image `json:"lastBuild,omitempty"`
	// Fields are a drifted resource's differences.
	Fields []FieldChange `json:"fields,omitempty"`
}

// Where is the entry's file:line, or its kind and name.
func (e Entry) Where() string {
	switch {
	case e.File != "" && e.Line > 0:
		return fmt.Sprintf("%s:%d", e.File, e.Line)
	case e.File != "":
		return e.File
	}
	return string(e.Kind) + " " + e.Name
}

// Status is the comparison of a repository with a backend.
type Status struct {
	Backend string  `json:"backend"`
	Entries []Entry `json:"entries"`
	// Reads and Lists are what the observation cost (backend calls).
	Reads int `json:"reads"`
	Lists int `json:"lists"`
}

// Counts is the number of entries per state.
func (s *Status) Counts() map[State]int {
	out := map[State]int{}
	for _, e := range s.Entries {
		out[e.State]++
	}
	return out
}

// InSync reports whether every resource agrees.
func (s *Status) InSync() bool {
	for _, e := range s.Entries {
		if e.State != InSync {
			return false
		}
	}
	return true
}

// Unreadable reports whether some resource could not be read.
func (s *Status) Unreadable() bool { return s.Counts()[Unreadable] > 0 }

// Lookup finds a resource's entry.
func (s *Status) Lookup(kind recipes.Kind, name string) (Entry, bool) {
	for _, e := range s.Entries {
		if e.Kind == kind && e.Name == name && e.State != NotInGit {
			return e, true
		}
	}
	return Entry{}, false
}

// kindOrder sorts entries the way a reader walks a repository.
var kindOrder = map[recipes.Kind]int{recipes.KindComponent: 0, recipes.KindImageRecipe: 1, recipes.KindContainerRecipe: 1,
	recipes.KindInfrastructure: 2, recipes.KindDistribution: 3, recipes.KindPipeline: 4}

// Compare decides each resource's state.
func Compare(repo *recipes.Repo, a *backend.Actual) *Status {
	s := &Status{Backend: a.Backend, Reads: a.Reads, Lists: a.Lists}
	observed := map[recipes.Key]backend.Observed{}
	for _, o := range a.Resources {
		observed[recipes.Key{Kind: o.Kind, Name: o.Name}] = o
	}
	problems := map[recipes.Key]backend.ReadProblem{}
	for _, p := range a.Problems {
		problems[recipes.Key{Kind: p.Kind, Name: p.Name}] = p
	}
	for _, res := range repo.Resources() {
		m := res.Meta
		if !a.Holds(m.Kind) {
			continue
		}
		e := Entry{Kind: m.Kind, Name: m.Name, Version: m.Version, File: m.File, Line: line(*m)}
		p, bad := problems[m.Key()]
		if !bad {
			p, bad = problems[recipes.Key{Kind: m.Kind}]
		}
		o, seen := observed[m.Key()]
		switch {
		case bad:
			e.State, e.Message = Unreadable, p.Message
		case !seen:
			e.State, e.Message = Unreadable, fmt.Sprintf("the %s backend reported nothing about it", a.Backend)
		case m.Kind.Versioned():
			versioned(&e, o, a.Backend)
		default:
			mutable(&e, o, a.Backend)
		}
		s.Entries = append(s.Entries, e)
	}
	for _, u := range a.Untracked {
		what := u.ID
		if u.Repository != "" {
			what += ", tagged by " + u.Repository
		}
		s.Entries = append(s.Entries, Entry{Kind: u.Kind, Name: u.Name, Version: u.Version, ID: u.ID, State: NotInGit,
			Message: fmt.Sprintf("carries ibgitops' tags (%s) but no file defines it: ibgitops never deletes it; add a file (`ibgitops import` writes one) or delete it yourself", what)})
	}
	sort.SliceStable(s.Entries, func(i, j int) bool {
		x, y := s.Entries[i], s.Entries[j]
		if (x.State == NotInGit) != (y.State == NotInGit) {
			return y.State == NotInGit
		}
		if kindOrder[x.Kind] != kindOrder[y.Kind] {
			return kindOrder[x.Kind] < kindOrder[y.Kind]
		}
		return x.Name < y.Name
	})
	if s.Entries == nil {
		s.Entries = []Entry{}
	}
	return s
}

func line(m recipes.Meta) int {
	if m.VersionPos.Line > 0 {
		return m.VersionPos.Line
	}
	return m.NamePos.Line
}

// versioned decides a component or recipe version.
func versioned(e *Entry, o backend.Observed, be string) {
	e.ID = o.ID
	noun := "version " + e.Version
	switch {
	case o.Exists && o.Have != o.Want:
		e.State = VersionTaken
		e.Message = fmt.Sprintf("%s %s is already in the %s backend (%s) with other content: versions are immutable: raise the version (`ibgitops bump --write`)", e.Name, e.Version, be, o.ID)
		return
	case e.Kind == recipes.KindComponent:
		if o.Exists {
			e.State, e.Message = InSync, noun+" exists with this content"
			return
		}
		e.State, e.Message = Missing, noun+" was never created: the next build of a recipe using it creates it"
		if o.Note != "" {
			e.Message = noun + " is gone (" + o.Note + "): the next build of a recipe using it creates it again"
		}
		return
	}
	// A recipe: is there an available image of this content?
	var newest *backend.Image
	for i := range o.Images {
		img := o.Images[i]
		if img.Content != o.WantImage && o.WantImage != "" {
			continue
		}
		if img.State == backend.ImageAvailable {
			e.State, e.ID = InSync, img.ID
			e.Message = fmt.Sprintf("%s is built: %s (available)", noun, img.ID)
			return
		}
		if newest == nil {
			newest = &img
		}
	}
	e.State = Missing
	if newest == nil {
		e.Message = noun + " was never built"
		if o.Note != "" {
			e.Message += " (" + o.Note + ")"
		}
		return
	}
	e.LastBuild = newest
	e.Message = LastBuildText(noun, *newest)
}

// LastBuildText says what became of the last build of a missing version.
func LastBuildText(noun string, img backend.Image) string {
	when := ""
	if !img.Created.IsZero() {
		when = " on " + img.Created.UTC().Format("2006-01-02 15:04 UTC")
	}
	reason := ""
	if img.Reason != "" {
		reason = ": " + oneLine(img.Reason)
	}
	switch img.State {
	case backend.ImageInProgress:
		return fmt.Sprintf("%s is being built (%s, started%s in %s)", noun, strings.ToLower(img.Status), when, img.Run())
	case backend.ImageFailed, backend.ImageCancelled:
		return fmt.Sprintf("%s: the last build %s%s in %s%s", noun, img.State, when, img.Run(), reason)
	}
	return fmt.Sprintf("%s: the last build is %s (%s)%s in %s", noun, img.State, img.Status, when, img.Run())
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:199] + "…"
	}
	return s
}

// mutable decides an infrastructure or distribution configuration or a
// pipeline.
func mutable(e *Entry, o backend.Observed, be string) {
	e.ID = o.ID
	if !o.Exists {
		e.State, e.Message = Missing, fmt.Sprintf("not in the %s backend: the next run creates it", be)
		if o.Note != "" {
			e.Message = fmt.Sprintf("not in the %s backend (%s): the next run creates it", be, o.Note)
		}
		return
	}
	e.Fields = Diff(o.Live, o.Desired)
	if len(e.Fields) == 0 {
		e.State, e.Message = InSync, "the live fields match the file"
		return
	}
	names := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		names[i] = f.Field
	}
	e.State = Drifted
	e.Message = fmt.Sprintf("%s differ(s) from the file (edited outside git?): the next run on the default branch updates it in place", strings.Join(names, ", "))
}

// Diff lists the fields whose values differ, nested maps walked with
// dotted names; lists compare whole.
func Diff(live, desired map[string]any) []FieldChange {
	var out []FieldChange
	diffInto(&out, "", live, desired)
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

func diffInto(out *[]FieldChange, prefix string, live, desired map[string]any) {
	keys := map[string]bool{}
	for k := range live {
		keys[k] = true
	}
	for k := range desired {
		keys[k] = true
	}
	for k := range keys {
		l, d := live[k], desired[k]
		lm, lok := l.(map[string]any)
		dm, dok := d.(map[string]any)
		if lok && dok {
			diffInto(out, prefix+k+".", lm, dm)
			continue
		}
		if !equal(l, d) {
			*out = append(*out, FieldChange{Field: prefix + k, Live: l, Desired: d})
		}
	}
}

// equal compares values the way JSON spells them (1 and 1.0 agree).
func equal(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
