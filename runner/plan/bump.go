package plan

import (
	"fmt"

	"github.com/ibgitops/ibgitops/internal/fileset"
	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/recipes/yamledit"
)

// Bumps lists the version scalars the plan changes in head's files.
func Bumps(res *Result) ([]recipes.VersionEdit, error) {
	return recipes.BumpEdits(res.Plan, res.Head)
}

// WriteBumps rewrites the edited version scalars in the files under
// res.Root, byte for byte everywhere else, all or nothing (see
// fileset.Write): every file is read and checked before any is written, a
// stale or read-only file changes nothing, a failed write restores what
// was written, and a symlink inside the repository is written through to
// its target. It returns the files written.
func WriteBumps(res *Result, edits []recipes.VersionEdit) ([]fileset.Written, error) {
	byFile := map[string][]yamledit.Edit{}
	var order []string
	for _, e := range edits {
		if _, ok := byFile[e.File]; !ok {
			order = append(order, e.File)
		}
		byFile[e.File] = append(byFile[e.File], e.Edit)
	}
	changes := make([]fileset.Change, 0, len(order))
	for _, f := range order {
		fileEdits := byFile[f]
		changes = append(changes, fileset.Change{Path: f, Edit: func(old []byte) ([]byte, error) {
			return yamledit.Apply(old, fileEdits)
		}})
	}
	written, err := fileset.Write(res.Root, changes)
	if err != nil {
		return nil, fmt.Errorf("bump: %w", err)
	}
	return written, nil
}
