# remoted — developer and CI entry points.
#
#   make run ARGS='serve --port 7450'   run the server from source
#   make deps                           install the test dependencies (idempotent)
#   make test                           deps, go vet (Linux, darwin, freebsd,
#                                       windows), then every test with -race
#   make bench                          the built-in benchmark
#   make fuzz FUZZTIME=30s              each fuzz target for FUZZTIME
#
# The black-box tests (compat_*_test.go) need redis-server, redis-cli, tmux,
# /usr/bin/python3 with redis (and cbor2), node and testdata/node's
# packages. Under CI=true a missing one fails the test; otherwise it skips.
# COMPAT_SELFTEST=1 runs the compatibility harness against a second real
# redis-server instead of remoted (see compat_test.go).

SHELL       := /bin/bash
GO          ?= go
NPM         ?= npm
ARGS        ?=
FUZZTIME    ?= 20s
TESTTIMEOUT ?= 30m

NODE_DIR  := testdata/node
NODE_DEPS := $(NODE_DIR)/node_modules/.package-lock.json

.PHONY: run deps deps-system deps-node test vet bench fuzz

# Built, then run rather than `go run`: go run exits 1 after Ctrl-C however
# cleanly the server stopped, and make would report that as an error.
run:
	$(GO) build -o bin/remoted ./cmd/remoted
	exec bin/remoted $(ARGS)

deps: deps-system deps-node

# Debian packages: installed only when something is missing and we are root
# with apt-get; otherwise say what is missing and carry on (the tests then
# skip, or fail under CI=true).
deps-system:
	@missing=""; \
	for t in redis-server redis-cli redis-benchmark tmux; do \
		command -v $$t >/dev/null 2>&1 || missing="$$missing $$t"; \
	done; \
	/usr/bin/python3 -c 'import redis' >/dev/null 2>&1 || missing="$$missing python3-redis"; \
	/usr/bin/python3 -c 'import cbor2' >/dev/null 2>&1 || missing="$$missing python3-cbor2"; \
	if [ -z "$$missing" ]; then \
		echo "deps: redis-server, redis-cli, redis-benchmark, tmux, python3-redis, python3-cbor2 present"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "deps: missing:$$missing; installing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update && \
		apt-get install -y --no-install-recommends redis-server redis-tools tmux python3-redis python3-cbor2; \
	else \
		echo "deps: missing:$$missing (need root and apt-get to install them)" >&2; \
	fi
	@# Debian's redis-server package starts a system redis on 6379; the
	@# tests start their own and need none.

deps-node: $(NODE_DEPS)

$(NODE_DEPS): $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	@if command -v $(NPM) >/dev/null 2>&1; then \
		$(NPM) ci --prefix $(NODE_DIR) --no-audit --no-fund; \
	else \
		echo "deps: npm not found; node client tests will skip (fail under CI=true)" >&2; \
	fi

# go vet for Linux, then for the other OSes a Go client library must build
# on: the server serves them with its portable driver, and stub's Connect
# works there (spawn says ErrUnsupported on windows).
CROSS_GOOS ?= darwin freebsd windows

vet:
	$(GO) vet ./...
	@set -e; for os in $(CROSS_GOOS); do \
		echo "vet: GOOS=$$os"; \
		GOOS=$$os $(GO) vet ./...; \
	done

test: deps vet
	$(GO) test -race -count=1 -timeout $(TESTTIMEOUT) ./...

bench:
	$(GO) run ./cmd/remoted bench

# Runs every Fuzz target of every package for FUZZTIME each.
fuzz:
	@set -e; \
	for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "fuzz: $$pkg $$f ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done
