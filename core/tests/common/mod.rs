//! Helpers shared by the vector tests: where the shared vectors live, and loading them.
#![allow(dead_code)]

use std::path::PathBuf;

/// The shared directory: `MESHAUTH_SHARED` if set, else `../shared` beside the repository.
pub fn shared() -> PathBuf {
    match std::env::var_os("MESHAUTH_SHARED") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")),
    }
}

/// `<shared>/vectors`.
pub fn vectors_dir() -> PathBuf {
    shared().join("vectors")
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

/// Bytes from lowercase or uppercase hex (test data only: panics on bad input).
pub fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// A compact HS256 JWS of `header` and `claims` signed with `key` (ring's HMAC, not the code
/// under test).
pub fn hs256_token(header: &str, claims: &str, key: &[u8]) -> String {
    let si = format!(
        "{}.{}",
        b64url(header.as_bytes()),
        b64url(claims.as_bytes())
    );
    let tag = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key),
        si.as_bytes(),
    );
    format!("{si}.{}", b64url(tag.as_ref()))
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

/// A file of `vectors/x509/`.
pub fn x509(name: &str) -> Vec<u8> {
    let p = shared().join("vectors/x509").join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// `vectors/x509/expected.json`.
pub fn x509_expected() -> serde_json::Map<String, serde_json::Value> {
    let v: serde_json::Value = serde_json::from_slice(&x509("expected.json")).unwrap();
    v.as_object().unwrap().clone()
}

/// Re-wraps every PEM block body of `pem` at `width` columns with `eol` line ends; text outside
/// blocks is kept (its line ends are also changed to `eol`).
pub fn rewrap(pem: &str, width: usize, eol: &str) -> String {
    let mut out = String::new();
    let mut body = String::new();
    let mut inside = false;
    for line in pem.lines() {
        let line = line.trim_end_matches('\r');
        if line.starts_with("-----BEGIN ") {
            inside = true;
            out.push_str(line);
            out.push_str(eol);
        } else if line.starts_with("-----END ") {
            inside = false;
            let b: Vec<char> = body.chars().collect();
            for chunk in b.chunks(width) {
                out.extend(chunk.iter());
                out.push_str(eol);
            }
            body.clear();
            out.push_str(line);
            out.push_str(eol);
        } else if inside {
            body.push_str(line.trim());
        } else {
            out.push_str(line);
            out.push_str(eol);
        }
    }
    out
}
