// Package version holds the ibgitops version, set at link time with
// -ldflags "-X github.com/ibgitops/ibgitops/internal/version.Version=v1.2.3".
package version

import "runtime/debug"

// Version of this build.
var Version = "dev"

// String returns Version, or the module version when built with `go install`.
func String() string {
	if Version != "dev" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return Version
}
