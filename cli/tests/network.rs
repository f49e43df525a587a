//! `discover`, `verify --issuer-discovery`, `watch` and `authn` with a remote `jwksUri`, against
//! local HTTP servers on 127.0.0.1 started by the tests: OIDC discovery + JWKS, a key rotation
//! mid-run, 500s, responses slower than the timeout and oversize bodies.
mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde_json::{json, Value};
use support::*;

/// The Istio JWKS with its kid renamed to `rotated` (a key rotation).
fn rotated_jwks() -> String {
    istio_jwks().replace(ISTIO_KID, "rotated")
}

/// An issuer at `/` of its own server: discovery document, JWKS, and faulty variants.
fn issuer_server() -> String {
    let base: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
    let b = base.clone();
    let url = serve(move |path| {
        let base = b.get().unwrap();
        match path {
            "/.well-known/openid-configuration" => {
                ok(json!({"issuer": base, "jwks_uri": format!("{base}/jwks.json")}).to_string())
            }
            "/other/.well-known/openid-configuration" => ok(
                json!({"issuer": "https://someone.else", "jwks_uri": format!("{base}/jwks.json")})
                    .to_string(),
            ),
            "/broken/.well-known/openid-configuration" => ok(
                json!({"issuer": format!("{base}/broken"), "jwks_uri": format!("{base}/err")})
                    .to_string(),
            ),
            "/slow/.well-known/openid-configuration" => {
                ("200 OK".into(), b"{}".to_vec(), Duration::from_secs(3))
            }
            "/big/.well-known/openid-configuration" => ok(vec![b' '; 300_000]),
            "/jwks.json" => ok(istio_jwks()),
            _ => err500(),
        }
    });
    base.set(url.clone()).unwrap();
    url
}

#[test]
fn discover_finds_jwks_uri_and_keys() {
    let base = issuer_server();
    let o = run(&["discover", &base, "--allow-http", "--json"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        json_out(&o),
        json!({
            "issuer": base,
            "config_url": format!("{base}/.well-known/openid-configuration"),
            "jwks_uri": format!("{base}/jwks.json"),
            "keys": [{"kid": ISTIO_KID, "kty": "RSA", "alg": null, "crv": null}],
            "status": "Ok", "code": 0, "message": "OK",
        })
    );
    // The document names another issuer: OIDC Discovery §4.3 mismatch, exit 1.
    let o = run(&[
        "discover",
        &format!("{base}/other"),
        "--allow-http",
        "--json",
    ]);
    assert_eq!(code(&o), 1);
    let j = json_out(&o);
    assert_eq!(j["status"], "DiscoveryIssuerMismatch");
    assert_eq!(j["jwks_uri"], Value::Null);
    // I/O: 500 on the document or the JWKS, slower than --timeout, larger than --max-bytes.
    for (issuer, needle) in [
        (format!("{base}/missing"), "http 500"),
        (format!("{base}/broken"), "http 500"),
        (format!("{base}/slow"), "timeout"),
        (format!("{base}/big"), "limit"),
    ] {
        let o = run(&[
            "discover",
            &issuer,
            "--allow-http",
            "--timeout",
            "1",
            "--max-bytes",
            "100000",
        ]);
        assert_eq!(code(&o), 2, "{issuer}");
        let err = String::from_utf8_lossy(&o.stderr).to_lowercase();
        assert!(err.contains(needle), "{issuer}: {err}");
    }
    // Plain http needs --allow-http.
    assert_eq!(code(&run(&["discover", &base])), 2);
}

#[test]
fn verify_with_issuer_discovery() {
    let base = issuer_server();
    let t = demo_token();
    // The token's iss is testing@secure.istio.io, so --issuer overrides the discovered issuer.
    let o = run(&[
        "verify",
        &t,
        "--issuer-discovery",
        &base,
        "--issuer",
        "testing@secure.istio.io",
        "--allow-http",
        "--now",
        "1800000000",
        "--json",
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let j = json_out(&o);
    assert_eq!(j["accepted"], true);
    assert_eq!(j["kid"], ISTIO_KID);
    // Without --issuer the discovered issuer is required: the sample token has another one.
    let o = run(&[
        "verify",
        &t,
        "--issuer-discovery",
        &base,
        "--allow-http",
        "--now",
        "1800000000",
        "--json",
    ]);
    assert_eq!(code(&o), 1);
    assert_eq!(json_out(&o)["status"], "JwtUnknownIssuer");
    // A bad discovery document rejects; a 500 is an I/O error.
    let o = run(&[
        "verify",
        &t,
        "--issuer-discovery",
        &format!("{base}/other"),
        "--allow-http",
        "--json",
    ]);
    assert_eq!(code(&o), 1);
    assert_eq!(json_out(&o)["status"], "DiscoveryIssuerMismatch");
    let o = run(&[
        "verify",
        &t,
        "--issuer-discovery",
        &format!("{base}/broken"),
        "--allow-http",
    ]);
    assert_eq!(code(&o), 2);
    // Exactly one of --jwks and --issuer-discovery.
    assert_eq!(code(&run(&["verify", &t])), 2);
    assert_eq!(
        code(&run(&[
            "verify",
            &t,
            "--jwks",
            "x.json",
            "--issuer-discovery",
            &base
        ])),
        2
    );
}

#[test]
fn authn_fetches_remote_jwks_uri() {
    let base = issuer_server();
    let cfg = json!({"jwtRules": [{"issuer": "testing@secure.istio.io", "jwksUri": format!("{base}/jwks.json")}]});
    let cfg = temp_file("remote-ra.json", cfg.to_string().as_bytes());
    let o = authn_sample_token(&cfg, &["--allow-http"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(json_out(&o)["outcome"], "authenticated");
    // The key set cannot be fetched: the provider fails closed (JwksFetchFail, 401).
    let cfg = json!({"jwtRules": [{"issuer": "testing@secure.istio.io", "jwksUri": format!("{base}/err")}]});
    let cfg = temp_file("remote-ra-500.json", cfg.to_string().as_bytes());
    let o = authn_sample_token(&cfg, &["--allow-http"]);
    assert_eq!(code(&o), 1);
    let j = json_out(&o);
    assert_eq!(j["status"], "JwksFetchFail");
    assert_eq!(j["http_status"], 401);
}

/// Runs `watch --json` and returns its exit code and events.
fn watch(args: &[&str]) -> (i32, Vec<Value>) {
    let mut all = vec!["watch"];
    all.extend_from_slice(args);
    let o = run(&all);
    let events = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    (code(&o), events)
}

#[test]
fn watch_issuer_rotation_failures_and_recovery() {
    // JWKS responses in order: the Istio key, the rotated key, a 500, a response slower than the
    // 1 s timeout, a body over --max-bytes, then the rotated key again.
    let n = Arc::new(AtomicUsize::new(0));
    let base: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
    let (b, count) = (base.clone(), n.clone());
    let url = serve(move |path| {
        let base = b.get().unwrap();
        match path {
            "/.well-known/openid-configuration" => {
                ok(json!({"issuer": base, "jwks_uri": format!("{base}/keys")}).to_string())
            }
            "/keys" => match count.fetch_add(1, Ordering::SeqCst) {
                0 => ok(istio_jwks()),
                1 => ok(rotated_jwks()),
                2 => err500(),
                3 => (
                    "200 OK".into(),
                    rotated_jwks().into_bytes(),
                    Duration::from_secs(3),
                ),
                4 => ok(vec![b' '; 200_000]),
                _ => ok(rotated_jwks()),
            },
            _ => err500(),
        }
    });
    base.set(url.clone()).unwrap();
    let (c, ev) = watch(&[
        &url,
        "--kind",
        "issuer",
        "--allow-http",
        "--timeout",
        "1",
        "--max-bytes",
        "100000",
        "--refresh-interval",
        "1s",
        "--retry-base",
        "1s",
        "--retry-max",
        "2s",
        "--for",
        "12s",
        "--json",
    ]);
    let kinds: Vec<&str> = ev.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(c, 0, "{kinds:?}");
    // Every cycle starts with discovery.
    assert_eq!(ev[0]["event"], "resolved");
    assert_eq!(ev[0]["jwks_uri"], format!("{url}/keys"));
    // The refreshes, changes and failures, in order (discoveries left out).
    let main: Vec<&Value> = ev.iter().filter(|e| e["event"] != "resolved").collect();
    assert!(main.len() >= 7, "{kinds:?}");
    let first = main[0];
    assert_eq!(first["event"], "changed");
    assert_eq!(first["keys"], 1);
    assert_eq!(first["added"], json!([format!("kid:{ISTIO_KID}")]));
    let second = main[1];
    assert_eq!(second["event"], "changed");
    assert_eq!(second["added"], json!(["kid:rotated"]));
    assert_eq!(second["removed"], json!([format!("kid:{ISTIO_KID}")]));
    assert_eq!(second["modified"], json!([]));
    // Three failures in a row, the backoff doubling from 1 s and capped at 2 s.
    let fails: Vec<&&Value> = main[2..5].iter().collect();
    for (i, (f, needle, retry)) in fails
        .iter()
        .zip([("http 500", 1), ("timeout", 2), ("limit", 2)])
        .map(|(f, (n, r))| (f, n, r))
        .enumerate()
    {
        assert_eq!(f["event"], "failed", "{i}: {f}");
        assert_eq!(f["kind"], "jwks");
        assert_eq!(f["consecutive_failures"], i + 1);
        assert_eq!(f["retry_in"], retry, "{f}");
        assert!(
            f["error"].as_str().unwrap().to_lowercase().contains(needle),
            "{needle}: {f}"
        );
    }
    // Recovery: the same key set as before the failures.
    assert_eq!(main[5]["event"], "unchanged", "{kinds:?}");
    assert_eq!(main[5]["next_in"], 1);
    let last = ev.last().unwrap();
    assert_eq!(last["event"], "stopped");
    assert_eq!(last["has_keys"], true);
}

#[test]
fn watch_jwks_url_without_keys_exits_1() {
    // A JWKS URL (auto-detected from the path) that always answers 500: never a good key set.
    let url = serve(|_| err500());
    let (c, ev) = watch(&[
        &format!("{url}/jwks.json"),
        "--allow-http",
        "--retry-base",
        "1s",
        "--retry-max",
        "1s",
        "--for",
        "2s",
        "--json",
    ]);
    assert_eq!(c, 1);
    assert_eq!(ev[0]["event"], "failed");
    assert_eq!(ev[0]["kind"], "jwks");
    assert_eq!(ev[0]["url"], format!("{url}/jwks.json"));
    assert_eq!(ev.last().unwrap()["has_keys"], false);
    // A body that is not a JWKS is refused by the core with its status.
    let url = serve(|_| ok(r#"{"keys": {}}"#));
    let (c, ev) = watch(&[
        &format!("{url}/keys"),
        "--allow-http",
        "--for",
        "1s",
        "--json",
    ]);
    assert_eq!(c, 1);
    assert_eq!(ev[0]["status"], "JwksBadKeys");
    // http without --allow-http is refused by the scheduler: usage error.
    assert_eq!(
        code(&run(&["watch", &format!("{url}/keys"), "--for", "1s"])),
        2
    );
}
