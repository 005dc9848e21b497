// Package shipping holds the checks of what ibgitops ships besides the
// binary: the Dockerfile, the Docker and composite actions, the release
// workflow, the GitLab template and the version they pin. It has no code of
// its own; its tests read the files at the repository's top level.
package shipping
