# cpa — the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 60

.PHONY: all build test test-default test-asan demo bench fuzz format format-check clean bootstrap

all: build

bootstrap:
	@scripts/bootstrap

build: bootstrap
	@cmake --preset default >/dev/null
	@cmake --build --preset default -j $(JOBS)

test: bootstrap format-check test-default test-asan

test-default: build
	@ctest --preset default -j $(JOBS)

# The whole suite again under AddressSanitizer and UndefinedBehaviorSanitizer.
# The sanitizer build uses clang: it compiles the instrumented code in about half of GCC's time.
# A tree configured with another compiler is started afresh.
test-asan: bootstrap
	@if [[ -f build-asan/CMakeCache.txt ]] && ! grep -q '^CMAKE_CXX_COMPILER:.*clang' build-asan/CMakeCache.txt; then rm -rf build-asan; fi
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	@ctest --preset asan -j $(JOBS)

demo: build
	@scripts/demo

bench: build
	@scripts/bench

fuzz: bootstrap
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz

format:
	@scripts/format

format-check:
	@scripts/format --check

clean:
	@rm -rf build build-asan build-fuzz
