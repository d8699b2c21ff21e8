# sluice: `make run` and `make test` set everything up from a fresh Debian 12.
# Builds use ninja with JOBS parallel jobs and ccache.
JOBS ?= 2
BUILD ?= build
SAN_BUILD ?= build-san
PYTHON ?= /usr/bin/python3
FUZZ_SECONDS ?= 10
CMAKE_GEN := -G Ninja
# ccache hits across clones (CI builds a fresh clone at another path).
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.PHONY: all setup build run test test-unit test-integration test-slow test-sanitize test-fuzz fuzzers bench format tidy docs clean

all: build

setup:
	@bash scripts/setup.sh

$(BUILD)/build.ninja: CMakeLists.txt | setup
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: setup $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

## Start the all-in-one process with the embedded default config.
run: build
	./$(BUILD)/sluice run

## Every test: unit, integration with real peers, sanitizers, fuzz smoke runs, docs drift.
test: build
	$(MAKE) --no-print-directory test-unit test-integration test-docs test-sanitize test-fuzz
	@echo "make test: all tiers passed"

test-unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-integration: build
	SLUICE_BIN=$(CURDIR)/$(BUILD)/sluice $(PYTHON) -m pytest -q -p no:cacheprovider tests

test-docs: build
	@./$(BUILD)/sluice config schema --markdown > $(BUILD)/config.md
	@diff -u docs/reference/config.md $(BUILD)/config.md || \
	  (echo "docs/reference/config.md is stale: run 'make docs'" && exit 1)

docs: build
	./$(BUILD)/sluice config schema --markdown > docs/reference/config.md

$(SAN_BUILD)/build.ninja: CMakeLists.txt | setup
	CC=clang CXX=clang++ cmake -S . -B $(SAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug \
	  -DSLUICE_SANITIZE=ON -DSLUICE_FUZZ=ON >/dev/null

## Unit tests under AddressSanitizer + UndefinedBehaviorSanitizer (clang).
test-sanitize: setup $(SAN_BUILD)/build.ninja
	cmake --build $(SAN_BUILD) -j $(JOBS)
	cd $(SAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j $(JOBS)

## Each libFuzzer target for FUZZ_SECONDS, seeded from fuzz/corpus/<target>.
test-fuzz: setup $(SAN_BUILD)/build.ninja
	cmake --build $(SAN_BUILD) -j $(JOBS) --target fuzzers
	bash scripts/run_fuzzers.sh $(SAN_BUILD) $(FUZZ_SECONDS)

bench: build
	bash bench/run_ingest.sh
	bash bench/run_shipping.sh
	bash bench/run_protocols.sh
	bash bench/run_idle_files.sh

format:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.hpp' 'bench/*.cpp')

tidy: build
	clang-tidy -p $(BUILD) --quiet $$(git ls-files 'src/*.cpp' | grep -v _fuzz.cpp)

clean:
	rm -rf $(BUILD) $(SAN_BUILD)
