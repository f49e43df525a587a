//! Runs `jwks-diff`, `thumbprint`, `jwks-canonical`, `cert`, `rotation`, `authn` and `authz`
//! (JSON and YAML configurations):
//! exact `--json` fields and exit codes. Expected values come from the shared vectors
//! (`istio-samples/compare_jwks_response_cases.json` with the answers core/tests/jwks_compare.rs
//! defines, `rfc7638.json`, `x509/expected.json`) or from worked examples in the comments.
mod support;

use serde_json::{json, Value};
use support::*;

/// The answers core/tests/jwks_compare.rs gives for Istio's compareJWKSResponse cases:
/// `Ok(changed)` or `Err(status)`.
fn compare_answer(name: &str) -> Result<bool, &'static str> {
    match name {
        "testEquivalentStrings"
        | "testReorderedKeys"
        | "testBothNoKidSame"
        | "testBothExtraElements"
        | "cyclic_less_same_set_permuted"
        | "nokid_same_member_count_swapped"
        | "duplicate_kid_swapped"
        | "number_1_vs_1e0"
        | "member_order_and_whitespace"
        | "unicode_escape_vs_literal" => Ok(false),
        "testDifferentKeys"
        | "testOldJsonParseFailure"
        | "testNewNoKid"
        | "testOldNoKid"
        | "testBothNoKidDifferent"
        | "testOldNoKeys"
        | "testNewExtraElements"
        | "testOldExtraElements"
        | "bigint_beyond_2pow53"
        | "toplevel_member_outside_keys"
        | "old_is_empty_string" => Ok(true),
        "testNewJsonParseFailure"
        | "duplicate_member_last_wins"
        | "new_is_null"
        | "new_is_array"
        | "new_is_empty_string"
        | "identical_garbage" => Err("JwksParseError"),
        "testNewNoKeys"
        | "testBothNoKeysSame"
        | "testBothNoKeysDifferent"
        | "both_no_keys_same_content_other_whitespace" => Err("JwksNoKeys"),
        "keys_is_object_on_both_sides" => Err("JwksBadKeys"),
        "non_object_entries_reordered" => Err("JwksKeyNotObject"),
        other => panic!("case {other} has no expectation"),
    }
}

#[test]
fn jwks_diff_istio_compare_cases() {
    let v: Value = serde_json::from_str(
        &std::fs::read_to_string(shared().join("istio-samples/compare_jwks_response_cases.json"))
            .unwrap(),
    )
    .unwrap();
    let fixtures = v["fixtures"].as_object().unwrap();
    let text = |s: &Value| -> String {
        let s = s.as_str().unwrap();
        fixtures
            .get(s)
            .map(|f| f.as_str().unwrap().to_string())
            .unwrap_or_else(|| s.to_string())
    };
    let mut n = 0;
    for c in v["upstream_cases"]
        .as_array()
        .unwrap()
        .iter()
        .chain(v["quirk_cases"].as_array().unwrap())
    {
        let name = c["name"].as_str().unwrap();
        let old = temp_file(&format!("{name}-old.json"), text(&c["old"]).as_bytes());
        let new = temp_file(&format!("{name}-new.json"), text(&c["new"]).as_bytes());
        let o = run(&["jwks-diff", &old, &new, "--json"]);
        let j = json_out(&o);
        match compare_answer(name) {
            Ok(changed) => {
                assert_eq!(code(&o), 0, "{name}");
                assert_eq!(j["changed"], changed, "{name}: {j}");
                for f in ["added", "removed", "modified"] {
                    assert!(j[f].is_array(), "{name}: {f}");
                }
            }
            Err(status) => {
                assert_eq!(code(&o), 1, "{name}");
                assert_eq!(j["changed"], Value::Null, "{name}");
                assert_eq!(j["status"], status, "{name}: {j}");
            }
        }
        n += 1;
    }
    assert_eq!(n, 33);
}

#[test]
fn jwks_diff_names_keys() {
    // Worked example: rename the Istio key's kid (a rotation), add a kid-less copy whose name is
    // its RFC 7638 thumbprint, and change the exponent of a third key that keeps its kid.
    let istio: Value = serde_json::from_str(&istio_jwks()).unwrap();
    let key = istio["keys"][0].clone();
    let with = |kid: Option<&str>, e: &str| {
        let mut k = key.clone();
        k["e"] = json!(e);
        match kid {
            Some(kid) => k["kid"] = json!(kid),
            None => {
                k.as_object_mut().unwrap().remove("kid");
            }
        }
        k
    };
    let old = json!({"keys": [key.clone(), with(Some("stays"), "AQAB")]});
    let new = json!({"keys": [with(Some("rotated"), "AQAB"), with(None, "AQAB"), with(Some("stays"), "AwAB")]});
    let o = run(&[
        "jwks-diff",
        &temp_file("diff-old.json", old.to_string().as_bytes()),
        &temp_file("diff-new.json", new.to_string().as_bytes()),
        "--json",
    ]);
    assert_eq!(code(&o), 0);
    // The Istio sample key's kid is its own RFC 7638 thumbprint (see its README), so the
    // kid-less copy is named by that same value.
    assert_eq!(
        json_out(&o),
        json!({
            "changed": true,
            "added": [{"kind": "kid", "name": "rotated"}, {"kind": "thumbprint", "name": ISTIO_KID}],
            "removed": [{"kind": "kid", "name": ISTIO_KID}],
            "modified": [{"kind": "kid", "name": "stays"}],
        })
    );
    // Text output and I/O errors.
    let o = run(&[
        "jwks-diff",
        &repo("tests/vectors/istio/jwks.json"),
        &repo("tests/vectors/istio/jwks.json"),
    ]);
    assert_eq!(code(&o), 0);
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "UNCHANGED");
    assert_eq!(
        code(&run(&[
            "jwks-diff",
            "/nonexistent/a.json",
            "/nonexistent/b.json"
        ])),
        2
    );
    assert_eq!(code(&run(&["jwks-diff", "only-one.json"])), 2);
}

#[test]
fn thumbprint_rfc7638_vectors() {
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(shared().join("rfc7638.json")).unwrap())
            .unwrap();
    let mut cases = vec![v.clone()];
    cases.extend(v["additional"].as_array().unwrap().iter().cloned());
    // One JWK: one line, the thumbprint (and the kid when it has one).
    for c in &cases {
        let path = temp_file("jwk.json", c["jwk"].to_string().as_bytes());
        let o = run(&["thumbprint", &path]);
        assert_eq!(code(&o), 0);
        let line = String::from_utf8_lossy(&o.stdout);
        let want = c["thumbprint_sha256_b64url"].as_str().unwrap();
        assert_eq!(line.split_whitespace().next(), Some(want), "{line}");
    }
    // A JWKS: one entry per key, in order.
    let jwks = json!({"keys": cases.iter().map(|c| c["jwk"].clone()).collect::<Vec<_>>()});
    let o = run(&[
        "thumbprint",
        &temp_file("jwks.json", jwks.to_string().as_bytes()),
        "--json",
    ]);
    assert_eq!(code(&o), 0);
    let want: Vec<Value> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| {
            json!({"index": i, "kid": c["jwk"].get("kid"), "thumbprint": c["thumbprint_sha256_b64url"], "status": "Ok"})
        })
        .collect();
    assert_eq!(json_out(&o), json!({"keys": want}));
    // A key without `n`: exit 1 and the core's status for it.
    let bad = json!({"keys": [{"kty": "RSA", "e": "AQAB", "kid": "k1"}]});
    let o = run(&[
        "thumbprint",
        &temp_file("bad.json", bad.to_string().as_bytes()),
        "--json",
    ]);
    assert_eq!(code(&o), 1);
    let j = json_out(&o);
    assert_eq!(j["keys"][0]["status"], "JwksRSAKeyMissingN");
    assert_eq!(j["keys"][0]["kid"], "k1");
    assert_eq!(j["keys"][0]["thumbprint"], Value::Null);
    let o = run(&[
        "thumbprint",
        &temp_file("notjson.json", b"<html>"),
        "--json",
    ]);
    assert_eq!(code(&o), 1);
    assert_eq!(json_out(&o)["status"], "JwksParseError");
}

#[test]
fn jwks_canonical_sorts_and_normalises() {
    // Worked example of the canonical form: members sorted, no whitespace, 1.0 -> 1, "\u0061" ->
    // "a", and the keys array sorted by each key's canonical text.
    let doc = br#"{ "x": 1.0, "keys": [ {"kty":"oct","k":"b"}, {"k":"\u0061","kty":"oct"} ] }"#;
    let path = temp_file("canon.json", doc);
    let want = r#"{"keys":[{"k":"a","kty":"oct"},{"k":"b","kty":"oct"}],"x":1}"#;
    let o = run(&["jwks-canonical", &path]);
    assert_eq!(code(&o), 0);
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim_end(), want);
    let o = run(&["jwks-canonical", &path, "--json"]);
    assert_eq!(json_out(&o), json!({"canonical": want, "status": "Ok"}));
    let o = run(&["jwks-canonical", &temp_file("nokeys.json", b"{}"), "--json"]);
    assert_eq!(code(&o), 1);
    let j = json_out(&o);
    assert_eq!(j["status"], "JwksNoKeys");
    assert_eq!(j["canonical"], Value::Null);
}

fn expected_x509() -> Value {
    serde_json::from_str(&std::fs::read_to_string(shared().join("x509/expected.json")).unwrap())
        .unwrap()
}

#[test]
fn cert_matches_x509_expected() {
    let now = 1_800_000_000i64;
    let exp = expected_x509();
    let mut files = 0;
    for (file, want) in exp.as_object().unwrap() {
        let want: Vec<Value> = match want {
            Value::Array(a) => a.clone(),
            one => vec![one.clone()],
        };
        if want.iter().any(|w| w["expect"] != "parse") {
            continue;
        }
        let o = run(&[
            "cert",
            &vector(&format!("x509/{file}")),
            "--json",
            "--now",
            "1800000000",
        ]);
        let j = json_out(&o);
        assert_eq!(j["now"], now);
        let f = &j["files"][0];
        assert_eq!(f["status"], "Ok", "{file}");
        let certs = f["certificates"].as_array().unwrap();
        assert_eq!(certs.len(), want.len(), "{file}");
        let mut valid = true;
        for (c, w) in certs.iter().zip(&want) {
            let (nb, na) = (
                w["not_before_unix"].as_i64().unwrap(),
                w["not_after_unix"].as_i64().unwrap(),
            );
            assert_eq!(c["subject"], w["subject"], "{file}");
            assert_eq!(c["not_before"], nb, "{file}");
            assert_eq!(c["not_after"], na, "{file}");
            assert_eq!(c["not_before_rfc3339"], w["not_before_rfc3339"], "{file}");
            assert_eq!(c["not_after_rfc3339"], w["not_after_rfc3339"], "{file}");
            assert_eq!(c["seconds_left"], na - now, "{file}");
            assert_eq!(c["expired"], na < now, "{file}");
            assert_eq!(c["not_yet_valid"], nb > now, "{file}");
            valid &= nb <= now && now <= na;
        }
        // Rotation: the earliest notAfter of the chain, and which certificate has it.
        let earliest = (0..want.len())
            .min_by_key(|&i| want[i]["not_after_unix"].as_i64().unwrap())
            .unwrap();
        let r = &f["rotation"];
        assert_eq!(r["expire"], want[earliest]["not_after_unix"], "{file}");
        assert_eq!(r["limited_by_index"], earliest, "{file}");
        assert_eq!(r["limited_by_subject"], want[earliest]["subject"], "{file}");
        assert_eq!(j["ok"], valid, "{file}");
        assert_eq!(code(&o), if valid { 0 } else { 1 }, "{file}");
        files += 1;
    }
    assert!(files >= 12, "only {files} files");
}

#[test]
fn cert_rotation_schedule_and_spiffe() {
    // derived_text_before_between_after.pem: leaf notAfter 3600000000 (2084), second certificate
    // 2524651260 (2050-01-01T12:01:00Z, x509/expected.json), which limits the chain. Received at
    // 1890000000 with ratio 0.5: rotate at 2524651260 - (2524651260 - 1890000000) / 2 = 2207325630.
    let exp = expected_x509();
    let second = &exp["derived_text_before_between_after.pem"][1];
    let expire = second["not_after_unix"].as_i64().unwrap();
    assert_eq!(expire, 2_524_651_260);
    let o = run(&[
        "cert",
        &vector("x509/derived_text_before_between_after.pem"),
        "--now",
        "1900000000",
        "--created",
        "1890000000",
        "--json",
    ]);
    assert_eq!(code(&o), 0);
    let j = json_out(&o);
    let r = &j["files"][0]["rotation"];
    assert_eq!(
        *r,
        json!({
            "created": 1_890_000_000i64,
            "expire": expire,
            "rotate_at": 2_207_325_630i64,
            "rotate_at_ns": 2_207_325_630_000_000_000i64,
            "rotate_at_rfc3339": "2039-12-12T18:00:30Z",
            "delay_seconds": 2_207_325_630i64 - 1_900_000_000,
            "due": false,
            "limited_by_index": 1,
            "limited_by_subject": second["subject"],
            "limited_by_intermediate": true,
            "grace_ratio": 0.5,
            "jitter": 0.0,
            "effective_ratio": 0.5,
            "draw": {"sign": 1, "u": 0.0},
        })
    );
    // Text mode names the limiting certificate.
    let o = run(&[
        "cert",
        &vector("x509/derived_text_before_between_after.pem"),
        "--now",
        "1900000000",
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("limited by [1] CN=Valid GeneralizedTime notAfter Date EE Certificate Test8"),
        "{text}"
    );
    // core/tests/data/spiffe_chain.pem (values fixed by its generator script): the leaf's SPIFFE
    // ID; the intermediate (2024-01-01T12:00:00Z) expires before the leaf (2024-01-02).
    let o = run(&[
        "cert",
        &repo("core/tests/data/spiffe_chain.pem"),
        "--now",
        "1704067200",
        "--json",
    ]);
    assert_eq!(code(&o), 0);
    let j = json_out(&o);
    let leaf = &j["files"][0]["certificates"][0];
    assert_eq!(
        leaf["spiffe_id"],
        "spiffe://cluster.local/ns/default/sa/web"
    );
    assert_eq!(
        leaf["dns_names"],
        json!(["web.default.svc", "web.default.svc.cluster.local"])
    );
    assert_eq!(leaf["is_ca"], false);
    let r = &j["files"][0]["rotation"];
    assert_eq!(r["limited_by_index"], 1);
    assert_eq!(r["expire"], 1_704_110_400i64);
    // created = now = 2024-01-01T00:00:00Z, 12 h left, ratio 0.5: rotate 6 h later.
    assert_eq!(r["rotate_at"], 1_704_067_200i64 + 6 * 3600);
    // Expired: exit 1; an expired chain is due at once.
    let o = run(&[
        "cert",
        &repo("core/tests/data/spiffe_chain.pem"),
        "--now",
        "1800000000",
        "--json",
    ]);
    assert_eq!(code(&o), 1);
    let j = json_out(&o);
    assert_eq!(j["ok"], false);
    assert_eq!(j["files"][0]["certificates"][0]["expired"], true);
    assert_eq!(j["files"][0]["rotation"]["due"], true);
    // Rejected blocks (x509/expected.json says reject): exit 1 with a Cert* status.
    let o = run(&["cert", &vector("x509/istio_cert-parse-fail.pem"), "--json"]);
    assert_eq!(code(&o), 1);
    let j = json_out(&o);
    assert!(
        j["files"][0]["status"]
            .as_str()
            .unwrap()
            .starts_with("Cert"),
        "{j}"
    );
    assert_eq!(j["files"][0]["rotation"], Value::Null);
    // Missing file or no file: exit 2.
    assert_eq!(code(&run(&["cert", "/nonexistent.pem"])), 2);
    assert_eq!(code(&run(&["cert"])), 2);
}

#[test]
fn rotation_worked_examples() {
    // Created 0, expires 86400 (one day), ratio 0.5: rotate at 43200; at now = 40000, 3200 s left.
    let o = run(&[
        "rotation",
        "--created",
        "0",
        "--expire",
        "86400",
        "--now",
        "40000",
        "--json",
    ]);
    assert_eq!(code(&o), 0);
    assert_eq!(
        json_out(&o),
        json!({
            "created": 0, "expire": 86400, "now": 40000, "lifetime_seconds": 86400,
            "rotate_at": 43200, "rotate_at_ns": 43_200_000_000_000i64,
            "rotate_at_rfc3339": "1970-01-01T12:00:00Z",
            "delay_seconds": 3200, "delay_ns": 3_200_000_000_000i64, "due": false,
            "grace_ratio": 0.5, "jitter": 0.0, "effective_ratio": 0.5,
            "draw": {"sign": 1, "u": 0.0},
        })
    );
    // Ratio 0.1: rotate when 10 % of the lifetime is left, 86400 - 8640 = 77760; past it: due.
    let o = run(&[
        "rotation",
        "--created",
        "0",
        "--expire",
        "86400",
        "--now",
        "80000",
        "--grace-ratio",
        "0.1",
        "--json",
    ]);
    let j = json_out(&o);
    assert_eq!(j["rotate_at"], 77760);
    assert_eq!(j["delay_seconds"], 0);
    assert_eq!(j["due"], true);
    // Jitter 0.01: the effective ratio is within 0.5 ± 0.01, so the time within 43200 ± 864.
    let o = run(&[
        "rotation",
        "--created",
        "0",
        "--expire",
        "86400",
        "--now",
        "0",
        "--jitter",
        "0.01",
        "--json",
    ]);
    let j = json_out(&o);
    let r = j["effective_ratio"].as_f64().unwrap();
    assert!((0.49..=0.51).contains(&r), "{r}");
    let at = j["rotate_at"].as_i64().unwrap();
    assert!((43200 - 864..=43200 + 864).contains(&at), "{at}");
    // Invalid input is a usage error.
    for bad in [
        &["--created", "10", "--expire", "5"][..],
        &["--created", "0", "--expire", "5", "--grace-ratio", "1.5"],
        &["--created", "0"],
    ] {
        let mut args = vec!["rotation"];
        args.extend_from_slice(bad);
        assert_eq!(code(&run(&args)), 2, "{bad:?}");
    }
}

/// A RequestAuthentication resource for the Istio sample issuer with the sample JWKS inline.
fn authn_resource() -> Value {
    json!({"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication",
        "metadata": {"name": "jwt"},
        "spec": {"jwtRules": [{"issuer": "testing@secure.istio.io", "jwks": istio_jwks(),
                               "outputClaimToHeaders": [{"header": "x-jwt-foo", "claim": "foo"}]}]}})
}

/// [`authn_resource`] as a JSON file.
fn authn_config() -> String {
    temp_file("ra.json", authn_resource().to_string().as_bytes())
}

/// An ALLOW policy for the sample token's principal on /api, and a DENY for /admin.
fn policy() -> String {
    let p = json!([
        {"kind": "AuthorizationPolicy", "metadata": {"name": "require-jwt"},
         "spec": {"action": "ALLOW", "rules": [{"from": [{"source": {"requestPrincipals":
            ["testing@secure.istio.io/testing@secure.istio.io"]}}], "to": [{"operation": {"paths": ["/api*"]}}]}]}},
        {"kind": "AuthorizationPolicy", "metadata": {"name": "no-admin"},
         "spec": {"action": "DENY", "rules": [{"to": [{"operation": {"paths": ["/admin"]}}]}]}}
    ]);
    temp_file("authz.json", p.to_string().as_bytes())
}

#[test]
fn authn_outcomes() {
    let cfg = authn_config();
    let bearer = format!("Authorization: Bearer {}", demo_token());
    // The sample token (iss = sub = testing@secure.istio.io, claim foo = bar; its README).
    let o = authn_sample_token(&cfg, &[]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let j = json_out(&o);
    assert_eq!(j["outcome"], "authenticated");
    assert_eq!(j["status"], "Ok");
    assert_eq!(j["issuer"], "testing@secure.istio.io");
    assert_eq!(j["subject"], "testing@secure.istio.io");
    assert_eq!(
        j["principal"],
        "testing@secure.istio.io/testing@secure.istio.io"
    );
    assert_eq!(j["claims"]["foo"], "bar");
    assert_eq!(j["headers_to_set"], json!({"x-jwt-foo": "bar"}));
    assert!(j["headers_to_remove"]
        .as_array()
        .unwrap()
        .contains(&json!("x-jwt-foo")));
    // No token: passes authentication without identity.
    let o = run(&["authn", "--config", &cfg, "--json"]);
    assert_eq!(code(&o), 0);
    let j = json_out(&o);
    assert_eq!(j["outcome"], "no_token");
    assert_eq!(j["principal"], Value::Null);
    // Expired (exp 4685989700): Envoy's JwtExpired, 401, with a WWW-Authenticate header.
    let o = run(&[
        "authn",
        "--config",
        &cfg,
        "-H",
        &bearer,
        "--now",
        "4685999999",
        "--json",
    ]);
    assert_eq!(code(&o), 1);
    let j = json_out(&o);
    assert_eq!(j["outcome"], "rejected");
    assert_eq!(j["status"], "JwtExpired");
    assert_eq!(j["code"], 3);
    assert_eq!(j["http_status"], 401);
    assert!(
        j["www_authenticate"]
            .as_str()
            .unwrap()
            .starts_with("Bearer realm="),
        "{j}"
    );
    // The token in the query (the default `access_token` location).
    let q = format!("access_token={}", demo_token());
    let o = run(&[
        "authn",
        "--config",
        &cfg,
        "--query",
        &q,
        "--now",
        "1800000000",
        "--json",
    ]);
    assert_eq!(json_out(&o)["outcome"], "authenticated");
    // Usage errors: a bad header, a bad config.
    assert_eq!(
        code(&run(&["authn", "--config", &cfg, "-H", "no-colon"])),
        2
    );
    let bad = temp_file("bad-ra.json", br#"{"jwtRules":[{}]}"#);
    assert_eq!(code(&run(&["authn", "--config", &bad])), 2);
}

/// Istio's TestAuthz_JWT template, as YAML with both resources in one file (`---` between them),
/// through `authz --policy F --config F`: the 32 requests' decisions are the vector file's. The
/// template's JWKS URI is a local server serving `tests-common-jwt/jwks.json`.
#[test]
fn authz_yaml_istio_scenarios() {
    let read = |rel: &str| std::fs::read_to_string(vector(rel)).unwrap();
    let v: Value = serde_json::from_str(&read("istio-samples/authz_jwt_scenarios.json")).unwrap();
    let jwks = read("istio-samples/tests-common-jwt/jwks.json");
    let url = serve(move |_| ok(jwks.clone()));
    let yaml = v["policy_yaml"]
        .as_str()
        .unwrap()
        .replace("{{ .JWTServer.JwksURI }}", &format!("{url}/jwks.json"))
        .replace("{{ .To.ServiceName }}", "b");
    let file = temp_file("authz_jwt.yaml", yaml.as_bytes());
    let tokens: Value =
        serde_json::from_str(&read("istio-samples/tests-common-jwt/tokens.json")).unwrap();
    let token = |name: &str| {
        let t = tokens["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name);
        t.unwrap()["token"].as_str().unwrap().to_string()
    };
    // Text output: the template's rules (each starts with `- to:`) all carry the HTTP-only trap,
    // reported once for the policy with every rule's field.
    let rules = yaml.matches("  - to:").count();
    let o = run(&["authz", "--policy", &file, "--now", "1700000000"]);
    let text = String::from_utf8_lossy(&o.stdout);
    let warnings: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("  warning"))
        .collect();
    assert_eq!(warnings.len(), 1, "{text}");
    let fields: Vec<String> = (0..rules).map(|i| format!("rules[{i}]")).collect();
    assert!(
        warnings[0].starts_with(&format!("  warning: policy b, {}: ", fields.join(", "))),
        "{text}"
    );
    let cases = v["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 32);
    for c in cases {
        let path = c["path"].as_str().unwrap();
        let bearer = c["token"]
            .as_str()
            .map(|n| format!("Authorization: Bearer {}", token(n)));
        let mut args = vec![
            "authz",
            "--policy",
            &file,
            "--config",
            &file,
            "--allow-http",
        ];
        args.extend(["--method", c["method"].as_str().unwrap(), "--path", path]);
        args.extend(["--now", "1700000000", "--json"]);
        if let Some(b) = &bearer {
            args.extend(["-H", b.as_str()]);
        }
        let o = run(&args);
        let j = json_out(&o);
        let allow = c["allow"].as_bool().unwrap();
        let what = format!("{} {path}: {j}", c["prefix"]);
        assert_eq!(j["allowed"], allow, "{what}");
        assert_eq!(j["http_status"], if allow { 200 } else { 403 }, "{what}");
        assert_eq!(code(&o), if allow { 0 } else { 1 }, "{what}");
        if bearer.is_some() {
            // Every token here verifies: the decision is the policy's, not a fetch failure's.
            assert_eq!(j["authn"]["outcome"], "authenticated", "{what}");
        }
    }
}

/// `kubectl get requestauthentication -o yaml` prints one `List` document with the resources
/// under `items`: the same resource read that way answers exactly as its JSON file does (whose
/// answer `authn_outcomes` checks field by field). A YAML error is a usage error naming the file
/// and the line.
#[test]
fn config_yaml_list_and_errors() {
    // YAML block style around the resource in flow style (JSON is a YAML flow mapping).
    let list = format!(
        "apiVersion: v1\nkind: List\nmetadata:\n  resourceVersion: \"\"\nitems:\n- {}\n",
        authn_resource()
    );
    let cfg = temp_file("list.yaml", list.as_bytes());
    let o = authn_sample_token(&cfg, &[]);
    assert_eq!(code(&o), 0);
    let j = json_out(&o);
    assert_eq!(j["outcome"], "authenticated", "{j}");
    assert_eq!(j, json_out(&authn_sample_token(&authn_config(), &[])));

    let bad = temp_file("bad.yaml", b"kind: AuthorizationPolicy\nspec: [1\n");
    let o = run(&["authz", "--policy", &bad]);
    assert_eq!(code(&o), 2);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.yaml: neither JSON nor valid YAML") && err.contains("line 2"),
        "{err}"
    );
    // A file without the resource the option reads is accepted, with a warning: a policy file
    // given as --config holds no RequestAuthentication, and the reverse.
    let o = run(&[
        "authz",
        "--policy",
        &cfg,
        "--config",
        &cfg,
        "--now",
        "1800000000",
    ]);
    assert_eq!(code(&o), 0);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("holds no AuthorizationPolicy: every request is allowed"),
        "{err}"
    );
    let ap = temp_file(
        "ap.yaml",
        b"kind: AuthorizationPolicy\nspec:\n  action: DENY\n  rules: [{}]\n",
    );
    let o = run(&["authn", "--config", &ap]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("holds no RequestAuthentication: no token is required"),
        "{err}"
    );
    // Duplicate keys are rejected, as the core rejects duplicate JSON members.
    let dup = temp_file("dup.yaml", b"jwtRules: []\njwtRules: []\n");
    let o = run(&["authn", "--config", &dup]);
    assert_eq!(code(&o), 2);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("duplicate mapping key: jwtRules") && err.contains("line 2"),
        "{err}"
    );
}

#[test]
fn authz_decisions() {
    let (cfg, pol) = (authn_config(), policy());
    let bearer = format!("Authorization: Bearer {}", demo_token());
    let go = |path: &str, token: bool| {
        let mut args = vec![
            "authz",
            "--policy",
            &pol,
            "--config",
            &cfg,
            "--path",
            path,
            "--now",
            "1800000000",
            "--json",
        ];
        if token {
            args.extend(["-H", &bearer]);
        }
        let o = run(&args);
        (code(&o), json_out(&o))
    };
    let (c, j) = go("/api/v1", true);
    assert_eq!(c, 0);
    assert_eq!(j["allowed"], true);
    assert_eq!(j["http_status"], 200);
    assert_eq!(
        j["decision"],
        json!({"allowed": true, "matched_policy": "require-jwt", "matched_rule": 0})
    );
    assert_eq!(j["authn"]["outcome"], "authenticated");
    // core lint: a requestPrincipals rule without ports is dropped on non-HTTP ports.
    assert_eq!(j["warnings"][0]["kind"], "HttpOnlyAttribute");
    assert_eq!(j["warnings"][0]["policy"], "require-jwt");
    assert_eq!(j["warnings"][0]["field"], "rules[0]");
    // No token: authentication passes, the ALLOW policy does not match: 403.
    let (c, j) = go("/api/v1", false);
    assert_eq!(c, 1);
    assert_eq!(j["http_status"], 403);
    assert_eq!(
        j["decision"],
        json!({"allowed": false, "matched_policy": null, "matched_rule": null})
    );
    // DENY wins.
    let (c, j) = go("/admin", true);
    assert_eq!(c, 1);
    assert_eq!(j["decision"]["matched_policy"], "no-admin");
    // A tampered token: authentication answers 401 before the policies.
    let tampered = format!("Authorization: Bearer {}x", demo_token());
    let o = run(&[
        "authz", "--policy", &pol, "--config", &cfg, "--path", "/api", "-H", &tampered, "--json",
    ]);
    assert_eq!(code(&o), 1);
    let j = json_out(&o);
    assert_eq!(j["http_status"], 401);
    assert_eq!(j["authn"]["outcome"], "rejected");
    // Text output.
    let o = run(&[
        "authz",
        "--policy",
        &pol,
        "--config",
        &cfg,
        "--path",
        "/api",
        "-H",
        &bearer,
        "--now",
        "1800000000",
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("authz: ALLOW (policy require-jwt, rule 0) -> HTTP 200"),
        "{text}"
    );
    // A policy file that is not JSON (it starts like JSON, so it is not read as YAML): usage/I-O
    // error.
    let bad = temp_file("bad-policy.json", b"{\"action\": ALLOW}");
    assert_eq!(code(&run(&["authz", "--policy", &bad])), 2);
}

#[test]
fn help_has_examples() {
    for sub in [
        "verify",
        "decode",
        "jwks-diff",
        "thumbprint",
        "jwks-canonical",
        "cert",
        "rotation",
        "discover",
        "watch",
        "authn",
        "authz",
    ] {
        let o = run(&[sub, "--help"]);
        assert_eq!(code(&o), 0, "{sub}");
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(text.contains(&format!("meshauth {sub} ")), "{sub}: {text}");
    }
}
