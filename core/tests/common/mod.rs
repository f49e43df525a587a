//! Helpers shared by the vector tests: where the shared vectors live, and loading them.
#![allow(dead_code)]

use std::path::PathBuf;

/// `$MESHAUTH_SHARED/vectors`, or `../shared/vectors` beside the repository.
pub fn vectors_dir() -> PathBuf {
    let shared = std::env::var_os("MESHAUTH_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")));
    shared.join("vectors")
}

/// Reads and parses a JSON vector file relative to the vectors directory.
pub fn load(rel: &str) -> serde_json::Value {
    let path = vectors_dir().join(rel);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Reads a vector file as bytes.
pub fn read(rel: &str) -> Vec<u8> {
    let path = vectors_dir().join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Base64url without padding (an independent encoder for building mutants in tests).
pub fn b64url(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut s = String::new();
    for c in data.chunks(3) {
        let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let v = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=c.len() {
            s.push(A[(v >> (18 - 6 * i)) as usize & 63] as char);
        }
    }
    s
}

/// Collects failures so a test reports all of them with counts, then fails once.
#[derive(Default)]
pub struct Tally {
    pub passed: usize,
    pub failures: Vec<String>,
}

impl Tally {
    pub fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if ok {
            self.passed += 1;
        } else {
            self.failures.push(what());
        }
    }

    pub fn finish(self, label: &str) {
        println!(
            "{label}: {} passed, {} failed",
            self.passed,
            self.failures.len()
        );
        for f in self.failures.iter().take(40) {
            println!("  FAIL {f}");
        }
        assert!(
            self.failures.is_empty(),
            "{label}: {} failures",
            self.failures.len()
        );
        assert!(self.passed > 0, "{label}: nothing was checked");
    }
}
