//! Helpers for the CLI integration tests: the binary, paths, JSON output, a local HTTP server.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::Value;

/// The `meshauth` binary.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_meshauth"));
    c.env("RUST_BACKTRACE", "0");
    c
}

/// `../shared/vectors` (or `$MESHAUTH_SHARED/vectors`).
pub fn shared() -> PathBuf {
    std::env::var_os("MESHAUTH_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")))
        .join("vectors")
}

/// A shared vector file's path as a string.
pub fn vector(rel: &str) -> String {
    shared().join(rel).to_string_lossy().into_owned()
}

/// A path inside the repository.
pub fn repo(rel: &str) -> String {
    format!("{}/../{rel}", env!("CARGO_MANIFEST_DIR"))
}

/// Writes `data` to a fresh temporary file and returns its path.
pub fn temp_file(name: &str, data: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!("meshauth-cli2-{}-{name}", std::process::id()));
    std::fs::write(&path, data).unwrap();
    path.to_string_lossy().into_owned()
}

/// Runs the binary with `args`.
pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

/// The exit code.
pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Standard output as one JSON document.
pub fn json_out(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

/// The Istio sample token.
pub fn demo_token() -> String {
    std::fs::read_to_string(repo("tests/vectors/istio/demo.jwt"))
        .unwrap()
        .trim()
        .to_string()
}

/// `authn --config cfg` with the Istio sample token as a bearer header, at a time inside its
/// validity, `--json`, plus `extra` arguments.
pub fn authn_sample_token(cfg: &str, extra: &[&str]) -> Output {
    let bearer = format!("Authorization: Bearer {}", demo_token());
    let mut args = vec![
        "authn",
        "--config",
        cfg,
        "-H",
        &bearer,
        "--now",
        "1800000000",
        "--json",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

/// The Istio sample JWKS.
pub fn istio_jwks() -> String {
    std::fs::read_to_string(repo("tests/vectors/istio/jwks.json")).unwrap()
}

/// The kid of the Istio sample key.
pub const ISTIO_KID: &str = "DHFbpoIUqrY8t2zpA2qXfCmr5VO5ZEr4RzHU_-envvQ";

/// Serves up to 64 connections on 127.0.0.1 with `respond(request_path) -> (status line, body,
/// delay)`; returns `http://127.0.0.1:port`.
pub fn serve(
    respond: impl Fn(&str) -> (String, Vec<u8>, Duration) + Send + Sync + 'static,
) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let respond = std::sync::Arc::new(respond);
    std::thread::spawn(move || {
        for stream in listener.incoming().take(64) {
            let Ok(mut s) = stream else { continue };
            let respond = respond.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let n = s.read(&mut buf).unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = req.split_whitespace().nth(1).unwrap_or("/").to_string();
                let (status, body, delay) = respond(&path);
                std::thread::sleep(delay);
                let _ = write!(s, "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", body.len());
                let _ = s.write_all(&body);
            });
        }
    });
    format!("http://{addr}")
}

/// `200 OK` with `body`, at once.
pub fn ok(body: impl Into<Vec<u8>>) -> (String, Vec<u8>, Duration) {
    ("200 OK".into(), body.into(), Duration::ZERO)
}

/// `500` at once.
pub fn err500() -> (String, Vec<u8>, Duration) {
    (
        "500 Internal Server Error".into(),
        b"oops".to_vec(),
        Duration::ZERO,
    )
}
