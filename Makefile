# ibgitops developer targets. `make test` is the test command CI runs.
GO      ?= go
BIN     ?= bin/ibgitops
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/ibgitops/ibgitops/internal/version.Version=$(VERSION)
FUZZTIME ?= 5m
# The engine for the image targets: the one ibgitops would pick (podman, then docker).
ENGINE  ?= $(shell command -v podman 2>/dev/null || command -v docker 2>/dev/null || echo docker)
ACTION_IMAGE ?= localhost/ibgitops:dev
ACTIONLINT_VERSION ?= v1.7.12

.PHONY: build unit test lint bench fuzz demo clean docs action-image action-test actionlint gitlab-ci-local composite-test

# Two binaries (issue #15): ibgitops, what users and hooks start, and
# ibgitops-full beside it, which runs the commands that need the AWS SDK,
# the CI hosts' API clients or the AWSTOE executor (docs/design.md).
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/ibgitops
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)-full ./cmd/ibgitops-full

# The edit-test loop: vet, then the pure and fake-backed tests with -race.
# -short skips the slow tiers (tests through the built binary, container
# engine tests, e2e's fault sweeps) and ./e2e is left out; `make test` runs
# them all.
UNIT_PKGS = $(shell $(GO) list ./... | grep -v '/e2e$$')

unit:
	$(GO) vet ./...
	$(GO) test -race -short -count=1 -timeout 10m $(UNIT_PKGS)

# Every tier: what CI runs (.ci/run) and the README's test command.
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 30m ./...

lint: build
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	./$(BIN) lint --root testdata/example

bench:
	./scripts/bench.sh

fuzz:
	./scripts/fuzz.sh $(FUZZTIME)

demo:
	./scripts/demo.sh

# Regenerate docs/reference/ from the code (tests fail when it is stale).
docs:
	$(GO) test ./recipes ./internal/cli -run TestReference -update

# The action's image, from bin/ibgitops and bin/ibgitops-full (no Go image
# to pull); the release
# workflow builds the same Dockerfile with the Go stage instead.
action-image: build
	rm -rf bin/image && mkdir -p bin/image/tmp && chmod 1777 bin/image/tmp
	cp $(BIN) bin/image/ibgitops
	cp $(BIN)-full bin/image/ibgitops-full
	cp /etc/ssl/certs/ca-certificates.crt bin/image/
	$(ENGINE) build --build-arg BINARY_FROM=prebuilt --build-arg VERSION=$(VERSION) -t $(ACTION_IMAGE) .

# Run that image the way the GitHub runner runs a Docker action.
action-test: action-image
	ENGINE=$(ENGINE) IMAGE=$(ACTION_IMAGE) ./scripts/action-test.sh

# actionlint (and shellcheck, when installed) over the workflows and actions
# of this repository and every workflow the docs show.
actionlint:
	@command -v actionlint >/dev/null || test -x "$$($(GO) env GOPATH)/bin/actionlint" || $(GO) install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)
	PATH="$$PATH:$$($(GO) env GOPATH)/bin" $(GO) test -count=1 -run 'Actionlint' -v ./internal/shipping

# gitlab-ci-local (npm, Node 22, rsync) on the GitLab template, the starter
# .gitlab-ci.yml of `ibgitops init` and the merge-request job run with the
# shell executor; NODE22=<node 22 binary> when the default node is older.
gitlab-ci-local: build
	./scripts/gitlab-ci-local.sh

# composite/action.yml with from-source: true, run as the runner runs it.
composite-test:
	$(GO) test -count=1 -run 'TestCompositeFromSource|TestActionlintCompositeFromSource' -v ./internal/shipping

clean:
	rm -rf bin
