# Herald's build. Every Go module (a folder with a go.mod) gets the same
# treatment, so adding a module needs no edit here.

GO        ?= go
MODULES   := $(shell find . -name go.mod -not -path './bin/*' -exec dirname {} \; | sort)
FUZZTIME  ?= 60s
BENCHTIME ?= 1s
TESTFLAGS ?=

.PHONY: all build run test fmt-check vet tidy-check gotest fuzz bench clean soak

all: build

## build: every binary into bin/
build:
	@mkdir -p bin
	cd broker && $(GO) build -o ../bin/heraldd ./cmd/heraldd
	cd conformance && $(GO) build -o ../bin/herald-conformance ./cmd/herald-conformance
	cd tools && $(GO) build -o ../bin/herald ./cmd/herald

## run: build, then start heraldd in the foreground on its defaults
run: build
	./bin/heraldd

## test: gofmt check, go vet, tidy check and go test -race in every module
test: fmt-check vet tidy-check gotest

fmt-check:
	@out=$$(gofmt -l $(MODULES)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	@for m in $(MODULES); do echo "vet $$m"; (cd $$m && $(GO) vet ./...) || exit 1; done

tidy-check:
	@for m in $(MODULES); do (cd $$m && $(GO) mod tidy -diff >/dev/null) || { echo "$$m: go.mod/go.sum not tidy (run go mod tidy there)"; exit 1; }; done

gotest:
	@for m in $(MODULES); do echo "test $$m"; (cd $$m && $(GO) test -race -count=1 $(TESTFLAGS) ./...) || exit 1; done

## fuzz: every fuzz target for FUZZTIME each
fuzz:
	@for f in $$(grep -rl --include='*_test.go' '^func Fuzz' $(MODULES)); do \
		dir=$$(dirname $$f); \
		for t in $$(grep -o '^func Fuzz[A-Za-z0-9_]*' $$f | cut -d' ' -f2); do \
			echo "fuzz $$dir $$t ($(FUZZTIME))"; \
			(cd $$dir && $(GO) test -run='^$$' -fuzz="^$$t$$" -fuzztime=$(FUZZTIME) .) || exit 1; \
		done; \
	done

## bench: every go test benchmark, with allocations
bench:
	@for m in $(MODULES); do (cd $$m && $(GO) test -run='^$$' -bench=. -benchmem -benchtime=$(BENCHTIME) ./...) || exit 1; done

clean:
	rm -rf bin

## soak: about five minutes of chaos and the memory bound against bin/heraldd as a
## separate process; writes tools/soak/RESULTS.md. Not part of test.
soak: build
	cd tools && $(GO) build -o ../bin/herald-soak ./cmd/herald-soak
	./bin/herald-soak --heraldd bin/heraldd --out tools/soak/RESULTS.md

## bench-compare: Herald beside nats-server, redis-server and mosquitto (installed
## from Debian if missing); writes tools/bench/RESULTS.md and fanout.svg. Not part of test.
.PHONY: bench-compare
bench-compare:
	GO=$(GO) bash tools/bench/compare.sh
