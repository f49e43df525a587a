# meshauth: `make demo` runs the main job, `make test` runs every check CI runs.
# Both install what they need (Rust components, Python and npm packages) on a fresh machine.

SHARED ?= ../shared
CARGO ?= cargo
export MESHAUTH_SHARED := $(abspath $(SHARED))
export RUST_BACKTRACE := 0

.PHONY: demo test build fmt-check clippy generated rust-test nostd-check tools node-test py-test bench bench-cert bench-jwks fuzz miri

demo:
	$(CARGO) run -q --release -p meshauth-cli -- demo

test: tools fmt-check generated clippy rust-test nostd-check py-test node-test
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
# Benchmarks (not part of `make test`): docs/benchmarks-*.md.
bench: bench-cert bench-jwks

bench-cert:
	$(CARGO) bench -p meshauth-core --bench cert

# Criterion benchmarks of jwks_compare::changed and Scheduler::poll (docs/benchmarks-jwks.md).
bench-jwks:
	$(CARGO) bench -p meshauth-core --bench jwks

# The core built into a #![no_std] staticlib of its own workspace: fails if std leaks in.
nostd-check:
	cd ci/nostd-check && $(CARGO) build --release

# Node binding: plain cargo build, copy the cdylib to node/meshauth.node, npm ci (jose, typescript,
# @types/node from the lockfile), node --test, then tsc --noEmit over a usage file of index.d.ts.
node-test:
	$(CARGO) build -p meshauth-node
	cp $(or $(CARGO_TARGET_DIR),target)/debug/libmeshauth_node.so node/meshauth.node
	cd node && npm ci --no-audit --no-fund
	cd node && node --test test/*.test.mjs
	cd node && npx tsc --noEmit -p test/tsconfig.json

build:
	$(CARGO) build --workspace --release

# Python binding: a virtualenv at .venv (left in place: `import meshauth` works there), a debug
# abi3 wheel built by maturin and installed into it, then the pytest suite (PyJWT is a test
# dependency: the compatible layer is checked against it).
VENV ?= .venv
VENV_PY := $(VENV)/bin/python
PY_WHEELS := target/py-wheels

py-test:
	@test -x $(VENV_PY) || python3 -m venv $(VENV)
	$(VENV_PY) -m pip install -q --disable-pip-version-check "maturin>=1.9,<2" pytest pyjwt cryptography
	rm -rf $(PY_WHEELS)
	$(VENV)/bin/maturin build -q -m py/Cargo.toml -o $(PY_WHEELS) -i $(VENV_PY)
	$(VENV_PY) -m pip install -q --disable-pip-version-check --force-reinstall --no-deps $(PY_WHEELS)/meshauth-*.whl
	cd py && $(abspath $(VENV_PY)) -m pytest -q -p no:cacheprovider tests

# Fuzzing (issue #12; not part of `make test`): fuzz/ is its own workspace of libFuzzer targets,
# built on the stable toolchain with SanitizerCoverage flags (fuzz/build.sh), seeded from the
# shared vectors (fuzz/seeds.py), each run for FUZZ_SECONDS (default 60). See SECURITY.md.
FUZZ_SECONDS ?= 60
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh

# Miri over the pure-Rust unit tests (json, b64, jwks_compare, rotation; not part of `make test`).
# Needs a nightly toolchain with the miri and rust-src components; tests that reach ring's C or
# assembly (the thumbprint hashes) cannot run under Miri and are skipped.
miri:
	$(CARGO) +nightly miri test -p meshauth-core --lib -- json:: b64:: jwks_compare:: rotation:: --skip thumbprint
