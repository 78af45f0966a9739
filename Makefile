# haappliance — build, test, demo, bench.
# `make test` is the one test command (CI calls it through .ci/run).

GO       ?= go
BIN      ?= bin/haappliance
PKGS     ?= ./...
VERSION  ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)
# Debian packages the interop/differential tests and benchmarks use.
TEST_DEBS := haproxy keepalived nginx-light wrk iperf3 rsyslog socat iproute2 procps curl systemd logrotate chromium

.PHONY: all build test deps unit lint fuzz fuzz-ci soak demo demo-pair bench install clean

all: build

build:
	CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/haappliance

# deps installs what the interop tests need when we are root on Debian and
# something is missing; elsewhere those tests skip with a message.
deps:
	@missing=""; for p in haproxy keepalived nginx wrk iperf3 rsyslogd socat ip curl systemd-analyze logrotate chromium; do \
	  command -v $$p >/dev/null 2>&1 || [ -x /usr/sbin/$$p ] || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing test dependencies (missing:$$missing)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(TEST_DEBS) >/dev/null; \
	  else \
	    echo "note: missing$$missing and not root on Debian: interop tests will skip"; \
	  fi; \
	fi

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

test: deps lint
	$(GO) test -count=1 -timeout 25m $(PKGS)
	FUZZTIME=1s ./bench/fuzz-ci.sh

# Every fuzz target for a short bounded time (make test runs it at 1s each).
fuzz-ci:
	./bench/fuzz-ci.sh

# 10 minutes of mixed load with reloads and server flaps; not in CI.
soak: build
	./bench/soak.sh

# Short coverage-guided fuzzing of every parser (bounded time each).
FUZZTIME ?= 10s
fuzz:
	@set -e; for pkg in $$($(GO) list $(PKGS)); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; done

demo:
	$(GO) run ./cmd/haappliance demo

demo-pair: build
	sudo $(BIN) demo --pair

bench: build deps
	./bench/run.sh

install: build
	BIN=$(BIN) ./deploy/install.sh

clean:
	rm -rf bin
