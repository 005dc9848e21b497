package recipes

// Change kinds in a plan.
const (
	ChangeAdded    = "added"
	ChangeModified = "modified"
	ChangeDeleted  = "deleted"
	ChangeRenamed  = "renamed"
	ChangeAffected = "affected" // unchanged itself, but depends on a change
)

// Bump levels.
const (
	BumpNone  = "none"
	BumpPatch = "patch"
	BumpMinor = "minor"
	BumpMajor = "major"
)

// Plan is what a change between two commits will do. The JSON names are a
// public contract (the `plan` step output and `plan --format json`).
type Plan struct {
	Base    string   `json:"base"`
	Head    string   `json:"head"`
	Changes []Change `json:"changes"`
	Builds  []Build  `json:"builds"`
}

// Change is one resource touched by the diff, directly or through the
// dependency graph.
type Change struct {
	Kind        Kind   `json:"kind"`
	Name        string `json:"name"`
	File        string `json:"file"`
	Change      string `json:"change"`
	FromVersion string `json:"fromVersion,omitempty"`
	ToVersion   string `json:"toVersion,omitempty"`
	Bump        string `json:"bump"`
	Reason      string `json:"reason"`
}

// Build is a recipe version the plan builds, with the pipelines that build it.
type Build struct {
	Kind      Kind     `json:"kind"`
	Name      string   `json:"name"`
	Version   string   `json:"version"`
	Pipelines []string `json:"pipelines"`
}
