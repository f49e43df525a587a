# meshauth: `make demo` runs the main job, `make test` runs every check CI runs.
# Both install what they need (Rust components, Python and npm packages) on a fresh machine.

SHARED ?= ../shared
CARGO ?= cargo
export MESHAUTH_SHARED := $(abspath $(SHARED))
export RUST_BACKTRACE := 0

.PHONY: demo test build fmt-check clippy generated rust-test nostd-check tools jwks-test bench-jwks

demo:
	$(CARGO) run -q --release -p meshauth-core --example demo

test: tools fmt-check generated clippy rust-test nostd-check jwks-test
	@echo "make test: all suites passed"

tools:
	@rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
	@rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy

fmt-check:
	$(CARGO) fmt --all -- --check

# Generated files must match their sources: the status table and docs/status.md.
generated:
	python3 tools/gen_status.py $(SHARED)/vectors/jwt_verify_lib/status.json
	git diff --exit-code -- core/src/status_table.rs docs/status.md

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

rust-test:
	$(CARGO) test --workspace

# JWKS lifecycle (issue #4): comparison, discovery, refresh scheduler and its property test.
jwks-test:
	$(CARGO) test -p meshauth-core --test jwks_compare --test jwks_lifecycle --test refresh_props

# Criterion benchmarks of jwks_compare::changed and Scheduler::poll (docs/benchmarks-jwks.md).
bench-jwks:
	$(CARGO) bench -p meshauth-core --bench jwks

# The core built into a #![no_std] staticlib of its own workspace: fails if std leaks in.
nostd-check:
	cd ci/nostd-check && $(CARGO) build --release

build:
	$(CARGO) build --workspace --release
