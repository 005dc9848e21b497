package runner

import (
	"context"
	"fmt"

	"github.com/ibgitops/ibgitops/internal/exitcodes"
	"github.com/ibgitops/ibgitops/runner/plan"
	"github.com/ibgitops/ibgitops/runner/report/escape"
)

// Bump lists the version scalars the plan changes and, with write, writes
// them into the files (`ibgitops bump`). It returns the exit code; an
// error means it could not plan or write.
func Bump(ctx context.Context, o PlanOptions, write bool) (int, error) {
	res, err := ComputePlan(ctx, o)
	if err != nil {
		return exitcodes.Cannot, err
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(o.Err, "ibgitops bump: warning:", escape.TermLines(w))
	}
	edits, err := plan.Bumps(res)
	if err != nil {
		return exitcodes.Cannot, err
	}
	if len(edits) == 0 {
		fmt.Fprintln(o.Out, "nothing to bump: every changed resource already has its planned version")
		return exitcodes.OK, nil
	}
	for _, e := range edits {
		fmt.Fprintln(o.Out, escape.Term(e.String()))
	}
	if !write {
		fmt.Fprintf(o.Out, "%d version(s) to change; run with --write to write them\n", len(edits))
		return exitcodes.OK, nil
	}
	if o.Head != "" && !res.WorkTree {
		// The edits target head's content; the files on disk are checked
		// against it before anything is written.
		fmt.Fprintf(o.Err, "ibgitops bump: writing into the work tree the versions planned for %s\n", escape.Term(o.Head))
	}
	written, err := plan.WriteBumps(res, edits)
	if err != nil {
		return exitcodes.Cannot, err
	}
	for _, w := range written {
		if w.Target != w.Path {
			fmt.Fprintln(o.Out, "wrote", escape.Term(w.String()))
		}
	}
	fmt.Fprintf(o.Out, "wrote %d file(s); review and commit them\n", len(written))
	return exitcodes.OK, nil
}
