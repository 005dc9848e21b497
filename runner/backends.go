package runner

// The build backends --backend and ibgitops.yaml's `backend` can name.
// Each registers itself with backend.Register; a new backend is one
// package and one line here.
import (
	_ "github.com/ibgitops/ibgitops/runner/backend/aws"
	_ "github.com/ibgitops/ibgitops/runner/backend/local"
)
