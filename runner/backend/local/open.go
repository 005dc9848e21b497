package local

import (
	"context"

	"github.com/ibgitops/ibgitops/runner/backend"
)

func init() { backend.Register("local", Open) }

// Open is the local backend's backend.Opener: the engine named by
// local.engine in ibgitops.yaml (auto, podman or docker).
func Open(_ context.Context, cfg backend.Config) (backend.Backend, error) {
	return New(Options{Engine: cfg.Repo.Local.Engine})
}
