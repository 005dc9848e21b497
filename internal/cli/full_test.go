package cli

import fullparts "github.com/ibgitops/ibgitops/runner/full"

// The in-process tests run the tree as ibgitops-full does: every command
// runs here, none is handed to another binary (delegate_test.go tests the
// hand-over with the built binaries).
func init() { full = &Full{ToeRun: fullparts.ToeRun} }
