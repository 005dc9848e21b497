# ibgitops as a small image: a static binary, CA certificates, nothing else
# (no shell, no package manager).
#
#   docker build -t ibgitops .                      # the image the GitHub Action runs (runs as root)
#   docker build --target nonroot -t ibgitops .     # the same image running as an unprivileged user
#   docker build --target shell -t ibgitops:shell . # with busybox sh, for GitLab CI jobs
#   make action-image                               # from bin/ibgitops(-full), without pulling the Go image
#
# Base images are fully qualified and pinned by the digest of their
# multi-arch index: podman refuses short names, and a digest makes every
# build start from the same bytes. How they were chosen and how to refresh
# them: docs/releasing-ibgitops.md. The Go version is go.mod's (the image sets
# GOTOOLCHAIN=local, so it cannot be older).
#
# The default (last) stage sets no USER on purpose: GitHub runs Docker
# actions as root and mounts the workspace owned by the runner's user; an
# image with USER set cannot read it. Elsewhere, use the nonroot target or
# `docker run --user 65532:65532 -v "$PWD:/work" -w /work ibgitops lint`.

ARG GO_IMAGE=docker.io/library/golang:1.26.8@sha256:3c3e25a4da13fd0478eed2df1eb35a0e667094a7124d3993a6a1d30f71c17e79
ARG BUSYBOX_IMAGE=docker.io/library/busybox:1.37-musl@sha256:5cec3fc171c87218698e85a52af7087de727372aae264a787b8112901a5b0092
# Where the binaries come from: "build" compiles them here (releases, builds
# from source); "prebuilt" takes bin/image/ from the build context (`make
# action-image` copies bin/ibgitops and bin/ibgitops-full there, for
# machines that cannot pull the Go image). ibgitops runs ibgitops-full from
# its own folder for run, build, release, status, import and toe run, and
# the local backend runs ibgitops-full inside the build containers.
ARG BINARY_FROM=build

# Compile on the build machine's platform and cross-compile to the target:
# a static Go binary needs no emulation for arm64.
FROM --platform=$BUILDPLATFORM ${GO_IMAGE} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG TARGETOS=linux
ARG TARGETARCH
RUN CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -trimpath \
      -ldflags "-s -w -X github.com/ibgitops/ibgitops/internal/version.Version=${VERSION}" \
      -o /out/ ./cmd/ibgitops ./cmd/ibgitops-full \
 && cp /etc/ssl/certs/ca-certificates.crt /out/ \
 && mkdir -p /out/tmp && chmod 1777 /out/tmp

FROM scratch AS prebuilt
COPY bin/image/ /out/

FROM ${BINARY_FROM} AS binary

FROM scratch AS base
COPY --from=binary /out/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=binary /out/tmp /tmp
COPY --from=binary /out/ibgitops /out/ibgitops-full /usr/local/bin/
ENV PATH=/usr/local/bin TMPDIR=/tmp IBGITOPS_BINARY=/usr/local/bin/ibgitops-full
ENTRYPOINT ["/usr/local/bin/ibgitops"]
CMD ["--help"]

FROM base AS nonroot
USER 65532:65532

# GitLab CI runs `script:` through a shell, so its jobs need an image with
# one: the same binary on busybox (.gitlab-ci-template.yml uses this
# variant, tagged -shell).
FROM ${BUSYBOX_IMAGE} AS shell
COPY --from=binary /out/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=binary /out/ibgitops /out/ibgitops-full /usr/local/bin/
ENV IBGITOPS_BINARY=/usr/local/bin/ibgitops-full
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/ibgitops"]

# Last stage = default target = what the action runs.
FROM base AS action
