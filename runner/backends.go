package runner

// The build backends --backend and ibgitops.yaml's `backend` can name.
// Each registers itself with backend.Register; a new backend is one
// package and one line here, or, when it links a cloud SDK, in
// runner/full (ibgitops-full only, as the aws backend: issue #15).
import (
	_ "github.com/ibgitops/ibgitops/runner/backend/local"
)
