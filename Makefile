# logtriage — build, test, benchmark and fuzz.
GO       ?= go
BIN      ?= bin/logtriage
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
FUZZTIME ?= 30s
BENCHTIME ?= 1s

.PHONY: all build test bench bench-go bench-cmd bench-profile pgo fuzz lint clean

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/logtriage

# The README's test command: vet, then every test with the race detector. The end-to-end tests
# in cmd/logtriage build the binary and run it on samples/.
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

# Go benchmarks of every parser and of the analysis engine (lines/s, MB/s, allocs), then
# whole-command runs on generated logs beside wc, grep and awk: wall and CPU time, lines/s,
# MB/s, peak RSS, the progress line's cost (.ci/bench.sh). The machine's load is printed too:
# on a shared machine compare CPU times, not wall times.
bench: bench-go bench-cmd

bench-go:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./parsers ./analysis

bench-cmd: build
	PROFILE='$(PROFILE)' bash .ci/bench.sh $(BIN)

# The whole-command runs, with CPU and allocation profiles of analyze written to PROFILE (default
# bin/profiles, which git ignores) and their top entries printed.
bench-profile: PROFILE ?= bin/profiles
bench-profile: bench-cmd

# The profile go build optimises the binary with (profile-guided optimisation: the go command
# reads cmd/logtriage/default.pgo by itself): a CPU profile of analyze on the bench's four-hop
# logs. Make it again after large changes to the hot paths; a stale one only optimises less.
pgo: build
	PROFILE=bin/profiles MULTS=1 MANY= SPLIT= bash .ci/bench.sh $(BIN)
	cp bin/profiles/analyze.cpu.pprof cmd/logtriage/default.pgo

# Each fuzz target of every package for FUZZTIME (go test allows one target per run).
fuzz:
	@for p in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
		for t in $$($(GO) test -list '^Fuzz' $$p | grep '^Fuzz'); do \
			echo "== $$p $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$p || exit 1; \
		done; \
	done

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt wants to rewrite:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

clean:
	rm -rf bin
