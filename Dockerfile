# syntax=docker/dockerfile:1
# ibgitops as a small image: a static binary, CA certificates, nothing else
# (no shell, no package manager).
#
#   docker build -t ibgitops .                    # the image the GitHub Action builds (runs as root)
#   docker build --target nonroot -t ibgitops .   # the same image running as an unprivileged user
#   docker build --target shell -t ibgitops:shell . # with busybox sh, for GitLab CI jobs
#
# The default (last) stage sets no USER on purpose: GitHub runs Docker
# actions as root and mounts the workspace owned by the runner's user; an
# image with USER set cannot read it. Elsewhere, use the nonroot target or
# `docker run --user 65532:65532 -v "$PWD:/work" -w /work ibgitops lint`.

ARG GO_VERSION=1.26
FROM golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/ibgitops/ibgitops/internal/version.Version=${VERSION}" \
      -o /out/ibgitops ./cmd/ibgitops \
 && mkdir -p /out/tmp && chmod 1777 /out/tmp

FROM scratch AS base
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/tmp /tmp
COPY --from=build /out/ibgitops /usr/local/bin/ibgitops
ENV PATH=/usr/local/bin TMPDIR=/tmp IBGITOPS_BINARY=/usr/local/bin/ibgitops
ENTRYPOINT ["/usr/local/bin/ibgitops"]
CMD ["--help"]

FROM base AS nonroot
USER 65532:65532

# GitLab CI runs `script:` through a shell, so its jobs need an image with
# one: the same binary on busybox (.gitlab-ci-template.yml uses this
# variant, tagged -shell).
FROM busybox:1.37-musl AS shell
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/ibgitops /usr/local/bin/ibgitops
ENV IBGITOPS_BINARY=/usr/local/bin/ibgitops
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/ibgitops"]

# Last stage = default target = what action.yml builds.
FROM base AS action
