# meshauth: `make demo` runs the main job, `make test` runs every check CI runs.
# Both install what they need (Rust components, Python and npm packages) on a fresh machine.

SHARED ?= ../shared
CARGO ?= cargo
export MESHAUTH_SHARED := $(abspath $(SHARED))
export RUST_BACKTRACE := 0

.PHONY: demo test build fmt-check clippy generated rust-test nostd-check tools node-test py-test \
	bench bench-cert bench-jwks bench-setup bench-fixtures bench-rust bench-python bench-node \
	bench-c bench-report ffi-lib header-check pc c-test cmake-check install-c fuzz miri venv

demo:
	$(CARGO) run -q --release -p meshauth-cli -- demo

test: tools fmt-check generated clippy rust-test nostd-check header-check c-test py-test node-test
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

# The workspace builds the core with its `aws-lc` feature (the bindings and the CLI turn it on);
# the core's default, ring-only build is linted (the library: its cfg differs) and tested too:
# its unit tests and the suites that check RSA signatures (the only code the feature changes).
clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) clippy -p meshauth-core -- -D warnings

RING_ONLY_SUITES := alloc_count attacks attacks_extra authn envoy_vectors jwks_compare \
	jwks_lifecycle policy rsa_backends samples wycheproof
rust-test:
	$(CARGO) test --workspace
	$(CARGO) test -p meshauth-core --lib $(RING_ONLY_SUITES:%=--test %)

# Benchmarks (issue #11; not part of `make test`): meshauth beside the libraries users would pick
# instead, in one run, rendered into BENCHMARKS.md and docs/benchmarks-verify.svg. Installs its
# own dependencies: a virtualenv at $(BENCH_OUT)/venv (maturin, PyJWT, cryptography, matplotlib),
# npm packages in node/bench (jose, fast-jwt, jsonwebtoken), the crates of bench/rust.
BENCH_OUT := $(or $(CARGO_TARGET_DIR),target)/bench
BENCH_VENV := $(BENCH_OUT)/venv
BENCH_PY := $(BENCH_VENV)/bin/python
BENCH_RES := $(BENCH_OUT)/results
BENCH_TARGET := $(or $(CARGO_TARGET_DIR),target)
# bench/rust's verify_loop links the C library built here (bench/rust/build.rs).
export MESHAUTH_FFI_LIB_DIR := $(abspath $(BENCH_TARGET)/release)

bench: bench-setup bench-fixtures bench-rust bench-cert bench-jwks bench-python bench-node bench-c
	$(MAKE) bench-report

bench-setup:
	@test -x $(BENCH_PY) || python3 -m venv $(BENCH_VENV)
	$(BENCH_PY) -m pip install -q --disable-pip-version-check "maturin>=1.9,<2" pyjwt cryptography matplotlib
	cd node/bench && npm ci --no-audit --no-fund

# Fresh keys and tokens for every benchmark (bench/fixtures.py): all sides verify the same bytes.
bench-fixtures: bench-setup
	@mkdir -p $(BENCH_RES)
	$(BENCH_PY) bench/fixtures.py $(BENCH_OUT)/fixtures.json $(BENCH_OUT)/fixtures.tsv

# Rust: core verify vs the raw ring/p521 check and the jsonwebtoken crate (own workspace; cargo
# bench also builds its binaries, and verify_loop links libmeshauth.so).
bench-rust: bench-fixtures ffi-lib
	rm -rf bench/rust/target/criterion
	cd bench/rust && MESHAUTH_BENCH_FIXTURES=$(abspath $(BENCH_OUT)/fixtures.json) $(CARGO) bench --bench verify
	cd bench/rust && MESHAUTH_BENCH_FIXTURES=$(abspath $(BENCH_OUT)/fixtures.json) \
	  MESHAUTH_BENCH_JWT_BACKEND=rust_crypto $(CARGO) bench --bench verify -- jsonwebtoken-rust_crypto
	cd bench/rust && $(CARGO) build --release --bin rsa_backends --bin hmac_backends --bin versus_jsonwebtoken
	for b in rsa hmac; do \
	  MESHAUTH_BENCH_FIXTURES=$(abspath $(BENCH_OUT)/fixtures.json) \
	    $(or $(CARGO_TARGET_DIR),bench/rust/target)/release/$${b}_backends 9 > $(BENCH_RES)/$$b-backends.json.tmp && \
	  mv $(BENCH_RES)/$$b-backends.json.tmp $(BENCH_RES)/$$b-backends.json || exit 1; \
	done
	for b in aws_lc_rs rust_crypto; do \
	  out=$(BENCH_RES)/jsonwebtoken$$(test $$b = rust_crypto && echo -rust_crypto).json; \
	  MESHAUTH_BENCH_FIXTURES=$(abspath $(BENCH_OUT)/fixtures.json) MESHAUTH_BENCH_JWT_BACKEND=$$b \
	    $(or $(CARGO_TARGET_DIR),bench/rust/target)/release/versus_jsonwebtoken 9 > $$out.tmp \
	    && mv $$out.tmp $$out || exit 1; \
	done

# Python: a release abi3 wheel in the bench virtualenv, against PyJWT.
bench-python: bench-fixtures
	rm -rf $(BENCH_OUT)/wheels
	$(BENCH_VENV)/bin/maturin build -q --release -m py/Cargo.toml -o $(BENCH_OUT)/wheels -i $(BENCH_PY)
	$(BENCH_PY) -m pip install -q --disable-pip-version-check --force-reinstall --no-deps $(BENCH_OUT)/wheels/meshauth-*.whl
	$(BENCH_PY) py/bench/bench_verify.py $(BENCH_OUT)/fixtures.json $(BENCH_RES)/python.json

# Node: the release addon against jose, fast-jwt and jsonwebtoken.
bench-node: bench-fixtures
	$(CARGO) build --release -p meshauth-node
	cp $(BENCH_TARGET)/release/libmeshauth_node.so node/meshauth.node
	node node/bench/bench_verify.mjs $(BENCH_OUT)/fixtures.json $(BENCH_RES)/node.json

# C: meshauth_verify through libmeshauth.so against the same loop in Rust. bench/rust verify_loop
# times meshauth, the raw check and meshauth_verify (C ABI, same .so) interleaved in one process;
# the C program bench_verify.c runs in its own process, alternated with verify_loop 5 times.
BENCH_RUST_BIN := $(or $(CARGO_TARGET_DIR),bench/rust/target)/release/verify_loop
bench-c: bench-fixtures ffi-lib
	$(CC) -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -Iinclude \
	  ffi-c/bench/bench_verify.c $(C_LINK) -o $(BENCH_OUT)/bench_verify_c
	cd bench/rust && $(CARGO) build --release --bin verify_loop
	for i in 1 2 3 4 5; do \
	  $(BENCH_OUT)/bench_verify_c $(BENCH_OUT)/fixtures.tsv 5 > $(BENCH_RES)/c-$$i.json && \
	  MESHAUTH_BENCH_FIXTURES=$(abspath $(BENCH_OUT)/fixtures.json) $(BENCH_RUST_BIN) 5 \
	    > $(BENCH_RES)/rust-loop-$$i.json || exit 1; \
	done
	@command -v valgrind >/dev/null || (apt-get update -qq && apt-get install -y -qq valgrind)
	MESHAUTH_BENCH_FIXTURES=$(abspath $(BENCH_OUT)/fixtures.json) python3 bench/instructions.py \
	  $(BENCH_OUT)/bench_verify_c $(BENCH_RUST_BIN) $(BENCH_OUT)/fixtures.tsv $(BENCH_RES)/instructions.json

bench-report:
	@mkdir -p $(BENCH_RES)
	@printf '%s, %s cores (shared), %s, %s, load average at report time %s\n' \
	  "$$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" "$$(nproc)" "$$(uname -sr)" \
	  "$$(rustc --version | cut -d' ' -f1-2)" "$$(cut -d' ' -f1-3 /proc/loadavg)" > $(BENCH_RES)/machine.txt
	@echo "$(BENCH_TARGET)/criterion bench/rust/target/criterion" > $(BENCH_RES)/criterion-dirs.txt
	$(BENCH_PY) bench/report.py $(BENCH_RES) --out BENCHMARKS.md --chart docs/benchmarks-verify.svg

bench-cert: bench-setup
	$(CARGO) bench -p meshauth-core --bench cert
	@mkdir -p $(BENCH_RES)
	$(BENCH_PY) bench/cert_peer.py > $(BENCH_RES)/cert_peer.txt
	cat $(BENCH_RES)/cert_peer.txt

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
	$(MAKE) pc

# Python binding: a virtualenv at .venv (left in place: `import meshauth` works there), a debug
# abi3 wheel built by maturin and installed into it, then the pytest suite (PyJWT is a test
# dependency: the compatible layer is checked against it; PyYAML lets the suite read Istio's YAML
# policies through meshauth's optional YAML support).
VENV ?= .venv
VENV_PY := $(VENV)/bin/python
PY_WHEELS := target/py-wheels

# The test virtualenv; c-test uses it too (gen_vectors.py reads Istio's YAML policy with PyYAML).
venv:
	@test -x $(VENV_PY) || python3 -m venv $(VENV)
	$(VENV_PY) -m pip install -q --disable-pip-version-check "maturin>=1.9,<2" pytest pyjwt cryptography pyyaml

py-test: venv
	rm -rf $(PY_WHEELS)
	$(VENV)/bin/maturin build -q -m py/Cargo.toml -o $(PY_WHEELS) -i $(VENV_PY)
	$(VENV_PY) -m pip install -q --disable-pip-version-check --force-reinstall --no-deps $(PY_WHEELS)/meshauth-*.whl
	cd py && $(abspath $(VENV_PY)) -m pytest -q -p no:cacheprovider tests

# --- C API (ffi-c): libmeshauth.so/.a, include/meshauth.h, meshauth.pc, C/C++ tests ---
CC ?= cc
CXX ?= c++
LIBDIR := target/release
C_OUT := target/c-tests
C_FLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -g -Iinclude -I$(C_OUT) -Iffi-c/tests
C_LINK := -L$(LIBDIR) -lmeshauth -pthread -Wl,-rpath,$(abspath $(LIBDIR))
C_STATIC := $(LIBDIR)/libmeshauth.a -lpthread -ldl -lm -lrt -lutil -lgcc_s -lc
VALGRIND := valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=3
MESHAUTH_VERSION = $(shell sed -n 's/^\#define MESHAUTH_VERSION "\(.*\)"/\1/p' include/meshauth.h)
PREFIX ?= /usr/local

# build.rs regenerates include/meshauth.h (cbindgen) on every library build.
ffi-lib:
	$(CARGO) build --release -p meshauth-ffi

# The committed header must be what the sources generate.
header-check: ffi-lib
	git diff --exit-code -- include/meshauth.h || \
	  (echo "include/meshauth.h is stale: commit the regenerated header" && exit 1)

pc: ffi-lib
	sed -e 's|@LIBDIR@|$(abspath $(LIBDIR))|' -e 's|@INCLUDEDIR@|$(abspath include)|' \
	  -e 's|@VERSION@|$(MESHAUTH_VERSION)|' ffi-c/meshauth.pc.in > $(LIBDIR)/meshauth.pc

c-test: ffi-lib pc venv
	@for t in valgrind pkg-config; do command -v $$t >/dev/null || \
	  (apt-get update -qq && apt-get install -y -qq $$t) || exit 1; done
	@mkdir -p $(C_OUT)
	$(VENV_PY) ffi-c/tests/gen_vectors.py $(SHARED)/vectors $(C_OUT)
	$(CC) $(C_FLAGS) ffi-c/tests/test_api.c $(C_LINK) -o $(C_OUT)/test_api
	$(CC) $(C_FLAGS) ffi-c/tests/test_api.c $(C_STATIC) -o $(C_OUT)/test_api_static
	$(CC) $(C_FLAGS) ffi-c/tests/test_vectors.c $(C_LINK) -o $(C_OUT)/test_vectors
	$(CC) $(C_FLAGS) ffi-c/tests/test_threads.c $(C_LINK) -o $(C_OUT)/test_threads
	$(CC) $(C_FLAGS) ffi-c/tests/test_lifecycle.c $(C_LINK) -o $(C_OUT)/test_lifecycle
	$(CC) $(C_FLAGS) ffi-c/tests/test_scenarios.c $(C_LINK) -o $(C_OUT)/test_scenarios
	$(CC) $(C_FLAGS) ffi-c/tests/test_lifecycle.c $(C_STATIC) -o $(C_OUT)/test_lifecycle_static
	$(CC) $(C_FLAGS) -fsanitize=address,undefined -fno-omit-frame-pointer ffi-c/tests/test_lifecycle.c $(C_LINK) -o $(C_OUT)/test_lifecycle_asan
	$(CC) $(C_FLAGS) -fsanitize=address,undefined -fno-omit-frame-pointer ffi-c/tests/test_api.c $(C_LINK) -o $(C_OUT)/test_api_asan
	$(CC) $(C_FLAGS) -fsanitize=address,undefined -fno-omit-frame-pointer ffi-c/tests/test_threads.c $(C_LINK) -o $(C_OUT)/test_threads_asan
	$(CC) $(C_FLAGS) -fsanitize=address,undefined -fno-omit-frame-pointer ffi-c/tests/test_vectors.c $(C_LINK) -o $(C_OUT)/test_vectors_asan
	$(CC) $(C_FLAGS) -fsanitize=address,undefined -fno-omit-frame-pointer ffi-c/tests/test_scenarios.c $(C_LINK) -o $(C_OUT)/test_scenarios_asan
	$(CC) $$(PKG_CONFIG_PATH=$(LIBDIR) pkg-config --cflags meshauth) -std=c11 -Wall -Wextra -Werror \
	  ffi-c/examples/verify.c $$(PKG_CONFIG_PATH=$(LIBDIR) pkg-config --libs meshauth) \
	  -Wl,-rpath,$(abspath $(LIBDIR)) -o $(C_OUT)/verify
	$(CXX) -std=c++17 -Wall -Wextra -Werror -Iinclude ffi-c/examples/filter.cpp $(C_LINK) -o $(C_OUT)/filter
	$(C_OUT)/test_api
	$(C_OUT)/test_api_static
	$(C_OUT)/test_vectors $(C_OUT)/vectors.tsv
	$(C_OUT)/test_threads
	$(C_OUT)/test_lifecycle
	$(C_OUT)/test_lifecycle_static
	$(C_OUT)/test_scenarios
	ASAN_OPTIONS=detect_leaks=1 $(C_OUT)/test_api_asan
	ASAN_OPTIONS=detect_leaks=1 $(C_OUT)/test_lifecycle_asan
	ASAN_OPTIONS=detect_leaks=1 $(C_OUT)/test_threads_asan
	ASAN_OPTIONS=detect_leaks=1 $(C_OUT)/test_vectors_asan $(C_OUT)/vectors.tsv 97
	ASAN_OPTIONS=detect_leaks=1 $(C_OUT)/test_scenarios_asan
	$(VALGRIND) $(C_OUT)/test_api
	$(VALGRIND) $(C_OUT)/test_vectors $(C_OUT)/vectors.tsv 97
	$(VALGRIND) $(C_OUT)/test_threads
	$(VALGRIND) $(C_OUT)/test_lifecycle
	$(VALGRIND) $(C_OUT)/test_scenarios
	$(C_OUT)/verify $(C_OUT)/ref_jwks.json "$$(cat $(C_OUT)/baseline_rs256.jwt)" 1800000000 \
	  https://issuer.example meshauth-test | grep -qx 'accepted: principal=https://issuer.example/alice sub="alice"'
	$(C_OUT)/filter $(C_OUT)/ref_jwks.json https://issuer.example meshauth-test 1800000000 \
	  "Bearer $$(cat $(C_OUT)/baseline_rs256.jwt)" | grep -qx 'x-principal: https://issuer.example/alice'
	$(C_OUT)/filter $(C_OUT)/ref_jwks.json https://issuer.example someone-else 1800000000 \
	  "Bearer $$(cat $(C_OUT)/baseline_rs256.jwt)" | grep -qx '403 Audiences in Jwt are not allowed'
	$(C_OUT)/filter $(C_OUT)/ref_jwks.json https://issuer.example meshauth-test 1800000000 \
	  "Basic abc" | grep -qx '401 Jwt is missing'
	$(MAKE) cmake-check
	@echo "c-test: API, lifecycle, vectors, Istio scenarios and threads (shared, static, ASan, valgrind) and examples passed"

# The examples built by CMake through FindMeshauth.cmake (shared and static), when cmake exists.
cmake-check:
	@if command -v cmake >/dev/null; then \
	  for mode in OFF ON; do \
	    cmake -S ffi-c/examples -B $(C_OUT)/cmake-$$mode -DMeshauth_ROOT=$(CURDIR) -DMeshauth_USE_STATIC=$$mode >/dev/null && \
	    cmake --build $(C_OUT)/cmake-$$mode >/dev/null && \
	    $(C_OUT)/cmake-$$mode/meshauth_verify $(C_OUT)/ref_jwks.json "$$(cat $(C_OUT)/baseline_rs256.jwt)" 1800000000 \
	      | grep -qx 'accepted: principal=https://issuer.example/alice sub="alice"' || exit 1; \
	  done; echo "cmake-check: FindMeshauth.cmake shared and static builds passed"; \
	else echo "cmake-check: skipped, cmake not installed"; fi

# Installs the library, header, pkg-config file and CMake module under PREFIX.
install-c: ffi-lib
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/cmake/meshauth
	install -m 644 $(LIBDIR)/libmeshauth.a $(DESTDIR)$(PREFIX)/lib
	install -m 755 $(LIBDIR)/libmeshauth.so $(DESTDIR)$(PREFIX)/lib
	install -m 644 include/meshauth.h $(DESTDIR)$(PREFIX)/include
	install -m 644 ffi-c/cmake/FindMeshauth.cmake $(DESTDIR)$(PREFIX)/lib/cmake/meshauth
	sed -e 's|@LIBDIR@|$(PREFIX)/lib|' -e 's|@INCLUDEDIR@|$(PREFIX)/include|' \
	  -e 's|@VERSION@|$(MESHAUTH_VERSION)|' ffi-c/meshauth.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/meshauth.pc

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
