//! Runs the `meshauth` binary: exit codes, `--json` fields, the shared vectors through `verify`,
//! and fetching a JWKS from a local HTTP server (ok, 500, slow, oversize, plain http refused).

mod support;

use std::time::Duration;

use serde_json::Value;
use support::{bin, demo_token, json_out, repo, serve, shared};

#[test]
fn verify_accepts_and_reports_json() {
    let o = bin()
        .args([
            "verify",
            &demo_token(),
            "--jwks",
            &repo("tests/vectors/istio/jwks.json"),
        ])
        .args([
            "--issuer",
            "testing@secure.istio.io",
            "--now",
            "1800000000",
            "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let j = json_out(&o);
    assert_eq!(j["accepted"], true);
    assert_eq!(j["status"], "Ok");
    assert_eq!(
        j["principal"],
        "testing@secure.istio.io/testing@secure.istio.io"
    );
    assert_eq!(j["alg"], "RS256");
    assert_eq!(j["kid"], "DHFbpoIUqrY8t2zpA2qXfCmr5VO5ZEr4RzHU_-envvQ");
    assert_eq!(j["claims"]["foo"], "bar");
    assert_eq!(j["claims"]["exp"], 4685989700u64);
    assert_eq!(j["header"]["typ"], "JWT");
}

#[test]
fn verify_rejections_explain() {
    let jwks = repo("tests/vectors/istio/jwks.json");
    // Expired: exit 1, Envoy's status, and the time delta.
    let o = bin()
        .args([
            "verify",
            &demo_token(),
            "--jwks",
            &jwks,
            "--now",
            "4685999999",
            "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let j = json_out(&o);
    assert_eq!(j["status"], "JwtExpired");
    assert_eq!(j["code"], 3);
    assert_eq!(j["message"], "Jwt is expired");
    assert_eq!(j["http_status"], 401);
    assert!(j["explanation"][0].as_str().unwrap().contains("10299 s"));
    // Unknown kid: the key list is shown.
    let doc = std::fs::read_to_string(&jwks)
        .unwrap()
        .replace("DHFbpoIUqrY8t2zpA2qXfCmr5VO5ZEr4RzHU_-envvQ", "rotated");
    let path =
        std::env::temp_dir().join(format!("meshauth-cli-{}-rotated.json", std::process::id()));
    std::fs::write(&path, doc).unwrap();
    let o = bin()
        .args([
            "verify",
            &demo_token(),
            "--jwks",
            path.to_str().unwrap(),
            "--now",
            "1800000000",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains(
            "JwksKidAlgMismatch (32): Jwks doesn't have key to match kid or alg from Jwt"
        ),
        "{text}"
    );
    assert!(text.contains("kid=rotated"), "{text}");
    // Audience: 403.
    let o = bin()
        .args([
            "verify",
            &demo_token(),
            "--jwks",
            &jwks,
            "--now",
            "1800000000",
            "--audience",
            "api",
            "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(json_out(&o)["http_status"], 403);
    // Usage and I/O errors: exit 2.
    assert_eq!(
        bin()
            .args(["verify", "x", "--jwks", "/nonexistent/jwks.json"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        bin().args(["verify"]).output().unwrap().status.code(),
        Some(2)
    );
    assert_eq!(
        bin()
            .args(["verify", "x", "--jwks", &jwks, "--alg", "none"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn decode_is_labelled_unverified() {
    let o = bin().args(["decode", &demo_token()]).output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let j = json_out(&o);
    assert_eq!(j["verified"], false);
    assert_eq!(j["claims"]["sub"], "testing@secure.istio.io");
    let o = bin().args(["decode", "a.b"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn shared_vectors_through_verify() {
    // The non-mutated jwks-based cases of Envoy's verify.json (strict answers), via temp files.
    let cases: Value = serde_json::from_str(
        &std::fs::read_to_string(shared().join("jwt_verify_lib/verify.json")).unwrap(),
    )
    .unwrap();
    let mut n = 0;
    for c in cases.as_array().unwrap() {
        if c["api"] != "verifyJwt" || c["jwks_type"] != "jwks" || c.get("mutate").is_some() {
            continue;
        }
        let want = c
            .get("strict_expect")
            .unwrap_or(&c["expect"])
            .as_str()
            .unwrap();
        let path =
            std::env::temp_dir().join(format!("meshauth-cli-{}-{n}.json", std::process::id()));
        std::fs::write(&path, c["jwks"].as_str().unwrap()).unwrap();
        let o = bin()
            .args([
                "verify",
                c["token"].as_str().unwrap(),
                "--jwks",
                path.to_str().unwrap(),
                "--json",
            ])
            .args([
                "--now",
                &c["now"].to_string(),
                "--clock-skew",
                &c["clock_skew"].to_string(),
            ])
            .output()
            .unwrap();
        let _ = std::fs::remove_file(&path);
        let j = json_out(&o);
        assert_eq!(j["status"], want, "{}", c["name"]);
        assert_eq!(
            o.status.code(),
            Some(if want == "Ok" { 0 } else { 1 }),
            "{}",
            c["name"]
        );
        n += 1;
    }
    assert!(n >= 30, "only {n} cases");
}

#[test]
fn verify_fetches_jwks_over_http() {
    let jwks = std::fs::read(repo("tests/vectors/istio/jwks.json")).unwrap();
    let base = serve(move |path| match path {
        "/jwks.json" => ("200 OK".into(), jwks.clone(), Duration::ZERO),
        "/slow" => ("200 OK".into(), b"{}".to_vec(), Duration::from_secs(3)),
        "/big" => ("200 OK".into(), vec![b' '; 2 << 20], Duration::ZERO),
        _ => (
            "500 Internal Server Error".into(),
            b"oops".to_vec(),
            Duration::ZERO,
        ),
    });
    let t = demo_token();
    let ok = bin()
        .args([
            "verify",
            &t,
            "--jwks",
            &format!("{base}/jwks.json"),
            "--allow-http",
            "--now",
            "1800000000",
        ])
        .output()
        .unwrap();
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    // Plain http without --allow-http is refused before any request.
    let o = bin()
        .args(["verify", &t, "--jwks", &format!("{base}/jwks.json")])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("plain http is refused"));
    // 500, a response slower than the timeout, an oversize body: I/O errors, exit 2.
    for (path, needle) in [
        ("/err", "http 500"),
        ("/slow", "timeout"),
        ("/big", "limit"),
    ] {
        let o = bin()
            .args([
                "verify",
                &t,
                "--jwks",
                &format!("{base}{path}"),
                "--allow-http",
                "--timeout",
                "1",
            ])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{path}");
        let err = String::from_utf8_lossy(&o.stderr).to_lowercase();
        assert!(err.contains(needle), "{path}: {err}");
    }
}

#[test]
fn demo_runs_offline() {
    let o = bin().arg("demo").output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("13 of 13 algorithms verified"), "{text}");
    for alg in ["RS256", "PS512", "ES512", "HS384", "EdDSA"] {
        assert!(text.contains(&format!("ACCEPT {alg}")), "{alg}");
    }
    assert!(text.contains("REJECT expired") && text.contains("JwtExpired[3]"));
    // Key rotation as a diff (one kid replaced, one key changed under its kid).
    assert!(text.contains("added     kid:demo-es256-2"), "{text}");
    assert!(text.contains("removed   kid:demo-es256\n"), "{text}");
    assert!(text.contains("modified  kid:demo-hmac"), "{text}");
    assert!(
        text.contains("the same keys in reverse order: changed = false"),
        "{text}"
    );
    // Certificates: notAfter values of x509/expected.json; the second certificate of the
    // derived file limits its chain.
    assert!(text.contains("notAfter 2030-05-05T06:04:53Z"), "{text}");
    assert!(text.contains("notAfter 2050-01-01T12:01:00Z"), "{text}");
    assert!(
        text.contains("limited by [1], which expires before the first"),
        "{text}"
    );
    // Request authentication + policy: 200 with the sample token, 403 without, 401 tampered.
    assert!(
        text.contains("HTTP 200  GET /api/items, sample token"),
        "{text}"
    );
    assert!(
        text.contains("HTTP 403  GET /api/items, no token"),
        "{text}"
    );
    assert!(
        text.contains(
            "HTTP 401  GET /api/items, tampered token   authn: rejected JwtVerificationFail"
        ),
        "{text}"
    );
}
