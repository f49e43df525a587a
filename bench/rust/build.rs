//! Links `verify_loop` against the C library (`libmeshauth.so`, built by `make ffi-lib`), so it
//! can time `meshauth_verify` through the C ABI in the same process as `meshauth_core::verify`.
//! The library's directory is `$MESHAUTH_FFI_LIB_DIR`, by default the main workspace's
//! `target/release`.
use std::path::PathBuf;

fn main() {
    let dir = std::env::var_os("MESHAUTH_FFI_LIB_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/release"),
        PathBuf::from,
    );
    let dir = dir.display();
    println!("cargo:rerun-if-env-changed=MESHAUTH_FFI_LIB_DIR");
    println!("cargo:rustc-link-arg-bin=verify_loop=-L{dir}");
    println!("cargo:rustc-link-arg-bin=verify_loop=-lmeshauth");
    println!("cargo:rustc-link-arg-bin=verify_loop=-Wl,-rpath,{dir}");
}
