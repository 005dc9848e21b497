# ibgitops developer targets. `make test` is the test command CI runs.
GO      ?= go
BIN     ?= bin/ibgitops
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/ibgitops/ibgitops/internal/version.Version=$(VERSION)
FUZZTIME ?= 5m

.PHONY: build test lint bench fuzz demo clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/ibgitops

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

clean:
	rm -rf bin
