package plan

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/ibgitops/ibgitops/recipes"
	"github.com/ibgitops/ibgitops/recipes/yamledit"
)

// Bumps lists the version scalars the plan changes in head's files.
func Bumps(res *Result) ([]recipes.VersionEdit, error) {
	return recipes.BumpEdits(res.Plan, res.Head)
}

// WriteBumps rewrites the edited version scalars in the files under
// res.Root, byte for byte everywhere else. Every file is checked before
// any is written, so a stale file changes nothing. It returns the files
// written.
func WriteBumps(res *Result, edits []recipes.VersionEdit) ([]string, error) {
	byFile := map[string][]yamledit.Edit{}
	var order []string
	for _, e := range edits {
		if _, ok := byFile[e.File]; !ok {
			order = append(order, e.File)
		}
		byFile[e.File] = append(byFile[e.File], e.Edit)
	}
	type output struct {
		path string
		data []byte
		mode os.FileMode
	}
	var outs []output
	for _, f := range order {
		p := filepath.Join(res.Root, filepath.FromSlash(f))
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("bump %s: %w", f, err)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("bump %s: %w", f, err)
		}
		edited, err := yamledit.Apply(data, byFile[f])
		if err != nil {
			return nil, fmt.Errorf("bump %s: %w", f, err)
		}
		outs = append(outs, output{p, edited, st.Mode().Perm()})
	}
	var written []string
	for i, o := range outs {
		tmp := o.path + ".ibgitops-bump"
		if err := os.WriteFile(tmp, o.data, o.mode); err != nil {
			return written, fmt.Errorf("bump %s: %w", order[i], err)
		}
		if err := os.Rename(tmp, o.path); err != nil {
			os.Remove(tmp)
			return written, fmt.Errorf("bump %s: %w", order[i], err)
		}
		written = append(written, order[i])
	}
	return written, nil
}
