//! Shared helpers for the integration tests: where the shared vectors live.
#![allow(dead_code)]

use std::path::PathBuf;

/// The shared directory: `MESHAUTH_SHARED` if set, else `../../shared` from this crate.
pub fn shared() -> PathBuf {
    match std::env::var_os("MESHAUTH_SHARED") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")),
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
