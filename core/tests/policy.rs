//! AuthorizationPolicy (JWT parts): Istio's `TestAuthz_JWT` cases, `TestRequestPrincipal`'s
//! eight forms, the quirks of istio.md §4.3, bracket rules, configuration errors, lint warnings,
//! and the seeds' walkthroughs replayed request by request.

mod authn_support;
mod common;

use authn_support::*;
use common::Tally;
use meshauth_core::authn::{Authenticator, Claim, Outcome, RequestView};
use meshauth_core::policy::{
    claim_path, evaluate, lint, parse_policies, PrincipalMatcher, StringMatch, WarningKind,
};
use meshauth_core::Status;

const NOW: i64 = 1_700_000_000;
const JWKS_URI: &str = "http://jwks.test/jwks.json";

fn get<'a>(uri: &'a str, headers: &'a [(&'a str, &'a str)]) -> RequestView<'a> {
    let mut r = RequestView::new("GET", uri);
    r.headers = headers;
    r.host = "httpbin";
    r
}

#[test]
fn istio_authz_jwt_scenarios() {
    let v = common::load("istio-samples/authz_jwt_scenarios.json");
    let yaml = v["policy_yaml"]
        .as_str()
        .unwrap()
        .replace("{{ .JWTServer.JwksURI }}", JWKS_URI)
        .replace("{{ .To.ServiceName }}", "b");
    let docs = serde_json::Value::Array(yaml_documents(&yaml));
    let text = docs.to_string();
    let mut auth = Authenticator::from_json(text.as_bytes()).unwrap();
    assert_eq!(auth.providers().len(), 2);
    auth.set_remote_keys(JWKS_URI, Some(test_jwks()));
    let policies = parse_policies(text.as_bytes()).unwrap();
    assert_eq!(policies.len(), 1);
    assert_eq!(policies[0].name, "b");
    // Every rule of the template was read (each starts with `- to:`).
    assert_eq!(policies[0].rules.len(), yaml.matches("  - to:").count());
    let toks = tokens();
    let mut t = Tally::default();
    let cases = v["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 32);
    for c in cases {
        let path = c["path"].as_str().unwrap();
        let bearer = c["token"].as_str().map(|n| format!("Bearer {}", toks[n]));
        let h: Vec<(&str, &str)> = bearer
            .iter()
            .map(|b| ("Authorization", b.as_str()))
            .collect();
        let mut r = get(path, &h);
        r.method = c["method"].as_str().unwrap();
        let (status, outcome) = status_of(&auth, &policies, &r, NOW);
        let want = if c["allow"].as_bool().unwrap() {
            200
        } else {
            403
        };
        t.check(status == want, || {
            format!(
                "{} {path}: {status}, want {want} ({outcome:?})",
                c["prefix"].as_str().unwrap()
            )
        });
    }
    t.finish("authz_jwt_scenarios");
}

fn claims(json: &str) -> Outcome {
    // A payload as the policy sees it (built from JSON without splitting).
    fn conv(v: &serde_json::Value) -> Claim {
        match v {
            serde_json::Value::Null => Claim::Null,
            serde_json::Value::Bool(b) => Claim::Bool(*b),
            serde_json::Value::Number(n) => Claim::Number(n.to_string()),
            serde_json::Value::String(s) => Claim::String(s.clone()),
            serde_json::Value::Array(a) => Claim::List(a.iter().map(conv).collect()),
            serde_json::Value::Object(o) => {
                Claim::Object(o.iter().map(|(k, v)| (k.clone(), conv(v))).collect())
            }
        }
    }
    Outcome::Authenticated {
        issuer: None,
        subject: None,
        claims: conv(&serde_json::from_str(json).unwrap()),
        headers_to_set: vec![],
        headers_to_remove: vec![],
    }
}

fn no_jwt() -> Outcome {
    Outcome::NoToken {
        headers_to_remove: vec![],
    }
}

fn allowed(policy_json: &str, outcome: &Outcome) -> bool {
    let p = parse_policies(policy_json.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    evaluate(&p, &get("/", &[]), outcome).allowed
}

fn principal_allows(value: &str, outcome: &Outcome) -> bool {
    allowed(
        &format!(
            r#"{{"rules":[{{"from":[{{"source":{{"requestPrincipals":[{}]}}}}]}}]}}"#,
            serde_json::to_string(value).unwrap()
        ),
        outcome,
    )
}

#[test]
fn eight_principal_forms_of_test_request_principal() {
    use StringMatch::*;
    let s = |x: &str| x.to_string();
    let table = [
        ("*", Present, Present),
        ("foo*", Prefix(s("foo")), Present),
        ("foo/*", Exact(s("foo")), Present),
        ("foo/bar*", Exact(s("foo")), Prefix(s("bar"))),
        ("*foo", Present, Suffix(s("foo"))),
        ("*/foo", Present, Exact(s("foo"))),
        ("*bar/foo", Suffix(s("bar")), Exact(s("foo"))),
        ("foo/bar", Exact(s("foo")), Exact(s("bar"))),
    ];
    for (v, iss, sub) in table {
        assert_eq!(
            PrincipalMatcher::new(v),
            PrincipalMatcher { iss, sub },
            "{v}"
        );
    }
    // And end to end against a payload.
    let o = claims(r#"{"iss":"foo","sub":"bar"}"#);
    for v in [
        "*", "foo*", "foo/*", "foo/bar*", "*/bar", "*oo/bar", "foo/bar", "*ar",
    ] {
        assert!(principal_allows(v, &o), "{v}");
    }
    for v in ["fo/bar", "foo/ba", "*x/bar", "foo/x*", "*x", "x*"] {
        assert!(!principal_allows(v, &o), "{v}");
    }
}

#[test]
fn quirk_star_slash_star_means_sub_is_literal_star() {
    assert!(!principal_allows(
        "*/*",
        &claims(r#"{"iss":"a","sub":"b"}"#)
    ));
    assert!(principal_allows("*/*", &claims(r#"{"iss":"a","sub":"*"}"#)));
}

#[test]
fn quirk_star_at_both_ends_and_in_the_middle() {
    // `*foo/bar*`: iss suffix foo, sub exact "bar*" (literal).
    let m = PrincipalMatcher::new("*foo/bar*");
    assert_eq!(m.iss, StringMatch::Suffix("foo".into()));
    assert_eq!(m.sub, StringMatch::Exact("bar*".into()));
    // `foo*/bar`: iss exact "foo*".
    assert_eq!(
        PrincipalMatcher::new("foo*/bar").iss,
        StringMatch::Exact("foo*".into())
    );
    // Generic values: `*abc*` is suffix "abc*"; a middle `*` is literal.
    assert_eq!(
        StringMatch::from_value("*abc*"),
        StringMatch::Suffix("abc*".into())
    );
    assert_eq!(
        StringMatch::from_value("a*c"),
        StringMatch::Exact("a*c".into())
    );
}

#[test]
fn quirk_sub_containing_slash_never_matches_exactly() {
    let o = claims(
        r#"{"iss":"https://token.actions.githubusercontent.com","sub":"repo:org/repo:ref:refs/heads/main"}"#,
    );
    assert!(!principal_allows(
        "https://token.actions.githubusercontent.com/repo:org/repo:ref:refs/heads/main",
        &o
    ));
    // Only a prefix form cut before the slash works.
    assert!(principal_allows(
        "https://token.actions.githubusercontent.com/repo:org*",
        &o
    ));
    // The workaround: match iss and sub separately.
    assert!(allowed(
        r#"{"rules":[{"when":[{"key":"request.auth.claims[iss]","values":["https://token.actions.githubusercontent.com"]},
            {"key":"request.auth.claims[sub]","values":["repo:org/repo:ref:refs/heads/main"]}]}]}"#,
        &o
    ));
}

#[test]
fn quirk_url_issuer_split_at_last_slash() {
    // 1.21.0 split at the first '/', breaking URL issuers; 1.21.4+ uses the last.
    let o = claims(r#"{"iss":"https://accounts.example.com/tenant","sub":"alice"}"#);
    assert!(principal_allows(
        "https://accounts.example.com/tenant/alice",
        &o
    ));
    let o = claims(r#"{"iss":"https://leonseng.au.auth0.com/","sub":"abc@clients"}"#);
    assert!(principal_allows(
        "https://leonseng.au.auth0.com//abc@clients",
        &o
    ));
}

#[test]
fn quirk_wildcards_need_non_empty_sub() {
    for o in [
        claims(r#"{"iss":"client-credentials-issuer"}"#),
        claims(r#"{"iss":"i","sub":""}"#),
    ] {
        for v in ["*", "i/*", "*x", "*/x"] {
            assert!(!principal_allows(v, &o), "{v}");
        }
    }
    // An explicitly empty sub still matches an exact `iss/`.
    assert!(principal_allows("i/", &claims(r#"{"iss":"i","sub":""}"#)));
}

#[test]
fn quirk_list_valued_iss_or_sub_never_matches() {
    assert!(!principal_allows(
        "*",
        &claims(r#"{"iss":["a"],"sub":"b"}"#)
    ));
    assert!(!principal_allows(
        "a/b",
        &claims(r#"{"iss":"a","sub":["b"]}"#)
    ));
}

#[test]
fn quirk_not_request_principals_matches_no_jwt() {
    let p = r#"{"action":"DENY","rules":[{"from":[{"source":{"notRequestPrincipals":["*"]}}]}]}"#;
    assert!(!allowed(p, &no_jwt()));
    assert!(allowed(p, &claims(r#"{"iss":"a","sub":"b"}"#)));
    // A token without sub has no principal either: denied.
    assert!(!allowed(p, &claims(r#"{"iss":"a"}"#)));
    let p = r#"{"rules":[{"when":[{"key":"request.auth.claims[group]","notValues":["banned"]}]}]}"#;
    assert!(
        allowed(p, &no_jwt()),
        "notValues holds when the claim is missing"
    );
}

#[test]
fn quirk_numbers_bools_and_nested_values_never_match() {
    let o = claims(r#"{"n":5,"b":true,"nested":[["x"]],"obj":{"x":"y"},"list":["a",1,"b"]}"#);
    for (claim, value, want) in [
        ("n", "5", false),
        ("b", "true", false),
        ("nested", "x", false),
        ("obj", "y", false),
        ("list", "b", true),
        ("list", "1", false),
        ("obj][x", "y", true),
    ] {
        let p = format!(
            r#"{{"rules":[{{"when":[{{"key":"request.auth.claims[{claim}]","values":["{value}"]}}]}}]}}"#
        );
        assert_eq!(allowed(&p, &o), want, "{claim}={value}");
    }
}

#[test]
fn quirk_claim_value_wildcards() {
    let o = claims(r#"{"g":"admin-team","e":""}"#);
    for (claim, v, want) in [
        ("g", "*", true),
        ("e", "*", false),
        ("missing", "*", false),
        ("g", "admin*", true),
        ("g", "*team", true),
        ("g", "*-*", false),
        ("g", "admin-team", true),
    ] {
        let p = format!(
            r#"{{"rules":[{{"when":[{{"key":"request.auth.claims[{claim}]","values":["{v}"]}}]}}]}}"#
        );
        assert_eq!(allowed(&p, &o), want, "{claim} {v}");
    }
}

#[test]
fn audiences_and_presenter_match_string_or_list() {
    let aud = r#"{"rules":[{"when":[{"key":"request.auth.audiences","values":["foo"]}]}]}"#;
    assert!(allowed(aud, &claims(r#"{"aud":"foo"}"#)));
    assert!(allowed(aud, &claims(r#"{"aud":["foo","buzz"]}"#)));
    assert!(!allowed(aud, &claims(r#"{"aud":"bar"}"#)));
    let azp = r#"{"rules":[{"when":[{"key":"request.auth.presenter","values":["bar"]}]}]}"#;
    assert!(allowed(azp, &claims(r#"{"azp":"bar"}"#)));
    assert!(!allowed(azp, &no_jwt()));
    let pr = r#"{"rules":[{"when":[{"key":"request.auth.principal","values":["a/*"]}]}]}"#;
    assert!(allowed(pr, &claims(r#"{"iss":"a","sub":"b"}"#)));
    assert!(!allowed(pr, &claims(r#"{"iss":"b","sub":"b"}"#)));
}

#[test]
fn bracket_rules_of_extract_name_in_nested_brackets() {
    let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(claim_path("[good]").unwrap(), v(&["good"]));
    assert_eq!(
        claim_path("[good][abc][xyz]").unwrap(),
        v(&["good", "abc", "xyz"])
    );
    assert_eq!(claim_path("[]").unwrap(), v(&[""]));
    assert_eq!(claim_path("[[good]").unwrap(), v(&["[good"]));
    assert_eq!(claim_path("[good]]").unwrap(), v(&["good]"]));
    assert_eq!(claim_path("[[good]]").unwrap(), v(&["[good]"]));
    for bad in ["x[bad]", "[bad", "bad]", "bad"] {
        assert!(claim_path(bad).is_err(), "{bad}");
    }
    // validateMapKey: request.auth.claims[] has nothing between the brackets.
    let e =
        parse_policies(br#"{"rules":[{"when":[{"key":"request.auth.claims[]","values":["a"]}]}]}"#)
            .unwrap_err();
    assert_eq!(e.field, "rules[0].when[0].key");
    let e =
        parse_policies(br#"{"rules":[{"when":[{"key":"request.auth.claims[a","values":["a"]}]}]}"#)
            .unwrap_err();
    assert_eq!(e.status, Status::ConfigInvalid);
}

#[test]
fn allow_deny_evaluation() {
    let o = claims(r#"{"iss":"a","sub":"b","scope":["read"]}"#);
    let p = parse_policies(
        br#"[{"kind":"AuthorizationPolicy","metadata":{"name":"deny-admin"},"spec":{"action":"DENY","rules":[{"to":[{"operation":{"paths":["/admin*"]}}]}]}},
             {"kind":"AuthorizationPolicy","metadata":{"name":"allow-read"},"spec":{"rules":[
                {"to":[{"operation":{"methods":["POST"]}}]},
                {"from":[{"source":{"requestPrincipals":["x/y"]}},{"source":{"requestPrincipals":["a/b"]}}],
                 "to":[{"operation":{"methods":["GET"],"notPaths":["/private"]}}],
                 "when":[{"key":"request.auth.claims[scope]","values":["read"]}]}]}}]"#,
    )
    .unwrap();
    let d = evaluate(&p, &get("/data", &[]), &o);
    assert!(d.allowed);
    assert_eq!(d.matched_policy.as_deref(), Some("allow-read"));
    assert_eq!(d.matched_rule, Some(1));
    let d = evaluate(&p, &get("/admin/x", &[]), &o);
    assert!(!d.allowed);
    assert_eq!(d.matched_policy.as_deref(), Some("deny-admin"));
    assert!(!evaluate(&p, &get("/private", &[]), &o).allowed);
    assert!(!evaluate(&p, &get("/data", &[]), &no_jwt()).allowed);
    // No policies: allowed. An ALLOW policy with no rules: nothing is allowed.
    assert!(evaluate(&[], &get("/", &[]), &no_jwt()).allowed);
    assert!(!allowed(r#"{"action":"ALLOW"}"#, &o));
    assert!(allowed(r#"{"rules":[{}]}"#, &no_jwt()));
    // Hosts: case-insensitive, an exact host also matches with a port.
    let h = r#"{"rules":[{"to":[{"operation":{"hosts":["HTTPBIN"]}}]}]}"#;
    let p = parse_policies(h.as_bytes()).unwrap();
    let mut r = get("/", &[]);
    r.host = "httpbin:8000";
    assert!(evaluate(&p, &r, &no_jwt()).allowed);
    r.host = "other";
    assert!(!evaluate(&p, &r, &no_jwt()).allowed);
}

#[test]
fn policy_config_errors_name_the_field() {
    let cases: &[(&str, &str, Status)] = &[
        (r#"{"action":"AUDIT"}"#, "action", Status::ConfigUnsupported),
        (r#"{"action":"allow"}"#, "action", Status::ConfigInvalid),
        (
            r#"{"rules":[{"from":[{}]}]}"#,
            "rules[0].from[0].source",
            Status::ConfigInvalid,
        ),
        (
            r#"{"rules":[{"from":[{"source":{}}]}]}"#,
            "rules[0].from[0].source",
            Status::ConfigInvalid,
        ),
        (
            r#"{"rules":[{"from":[{"source":{"requestPrincipals":[""]}}]}]}"#,
            "rules[0].from[0].source.requestPrincipals[0]",
            Status::ConfigInvalid,
        ),
        (
            r#"{"rules":[{"from":[{"source":{"principals":["x"]}}]}]}"#,
            "rules[0].from[0].source.principals",
            Status::ConfigUnsupported,
        ),
        (
            r#"{"rules":[{"to":[{"operation":{}}]}]}"#,
            "rules[0].to[0].operation",
            Status::ConfigInvalid,
        ),
        (
            r#"{"rules":[{"to":[{"operation":{"ports":["http"]}}]}]}"#,
            "rules[0].to[0].operation.ports[0]",
            Status::ConfigInvalid,
        ),
        (
            r#"{"rules":[{"when":[{"key":"request.auth.claims[a]"}]}]}"#,
            "rules[0].when[0]",
            Status::ConfigInvalid,
        ),
        (
            r#"{"rules":[{"to":[{"operation":{"paths":["/a","/b/{*}"]}}]}]}"#,
            "rules[0].to[0].operation.paths[1]",
            Status::ConfigUnsupported,
        ),
        (
            r#"{"rules":[{"when":[{"key":"source.ip","values":["1.2.3.4"]}]}]}"#,
            "rules[0].when[0].key",
            Status::ConfigUnsupported,
        ),
        (
            r#"{"rules":[{"when":[{"key":"request.auth.claims","values":["a"]}]}]}"#,
            "rules[0].when[0].key",
            Status::ConfigInvalid,
        ),
        (
            r#"{"rules":[{"form":[]}]}"#,
            "rules[0].form",
            Status::ConfigInvalid,
        ),
        (
            r#"[{"kind":"AuthorizationPolicy","spec":{"rules":"x"}}]"#,
            "[0].spec.rules",
            Status::ConfigInvalid,
        ),
    ];
    let mut t = Tally::default();
    for (json, field, status) in cases {
        match parse_policies(json.as_bytes()) {
            Err(e) => t.check(e.field == *field && e.status == *status, || {
                format!(
                    "{json}: got {} {:?} ({}), want {field} {status:?}",
                    e.field, e.status, e.message
                )
            }),
            Ok(_) => t.check(false, || format!("{json}: accepted")),
        }
    }
    t.finish("policy config errors");
}

#[test]
fn lint_warnings() {
    let p = parse_policies(
        br#"[{"kind":"AuthorizationPolicy","metadata":{"name":"p"},"spec":{"action":"DENY","rules":[
            {"from":[{"source":{"requestPrincipals":["*/*"]}}],"to":[{"operation":{"ports":["8080"]}}]},
            {"from":[{"source":{"notRequestPrincipals":["https://token.actions.githubusercontent.com/repo:org/repo:ref:refs/heads/main"]}}],"to":[{"operation":{"ports":["8080"]}}]},
            {"to":[{"operation":{"ports":["8080"]}}],"when":[{"key":"request.auth.claims[email_verified]","values":["true"]},{"key":"request.auth.claims[iat]","notValues":["x"]}]},
            {"from":[{"source":{"requestPrincipals":["iss/sub"]}}]},
            {"to":[{"operation":{"paths":["/x"]}}]}]}}]"#,
    )
    .unwrap();
    let w = lint(&p, &[]);
    let kinds: Vec<(WarningKind, usize)> = w.iter().map(|w| (w.kind, w.rule)).collect();
    assert_eq!(
        kinds,
        vec![
            (WarningKind::StarSlashStar, 0),
            (WarningKind::SubjectContainsSlash, 1),
            (WarningKind::NonStringClaim, 2),
            (WarningKind::NonStringClaim, 2),
            (WarningKind::HttpOnlyAttribute, 3),
        ],
        "{w:#?}"
    );
    assert_eq!(w[0].field, "rules[0].from[0].source.requestPrincipals[0]");
    assert!(
        w[1].fix.contains("request.auth.claims[sub]")
            && w[1].fix.contains("repo:org/repo:ref:refs/heads/main")
    );
    assert!(w[4].message.contains("DENY"));
    assert!(w.iter().all(|w| !w.fix.is_empty() && w.policy == "p"));
    // Known issuers decide the sub-with-slash check.
    let p = parse_policies(
        br#"{"rules":[{"from":[{"source":{"requestPrincipals":["https://issuer.test/spiffe-ish/a/b","https://issuer.test/x"]}}],"to":[{"operation":{"ports":["80"]}}]}]}"#,
    )
    .unwrap();
    let w = lint(&p, &["https://issuer.test"]);
    assert_eq!(w.len(), 1, "{w:#?}");
    assert_eq!(w[0].kind, WarningKind::SubjectContainsSlash);
    assert!(lint(&p, &["https://issuer.test/spiffe-ish/a"]).is_empty());
}

// ---- The seeds' walkthroughs, request by request ----

/// Seed 002 ("Learning Istio | JWT Auth"): Auth0 client-credentials tokens, re-minted with
/// Istio's published test key (the seed's own key is not public).
#[test]
fn seed_002_walkthrough() {
    let iss = "https://leonseng.au.auth0.com/";
    let jwks = serde_json::to_string(&test_jwks_text()).unwrap();
    let ra = format!(
        r#"{{"apiVersion":"security.istio.io/v1beta1","kind":"RequestAuthentication","metadata":{{"name":"httpbin-jwt-req-auth"}},
            "spec":{{"selector":{{"matchLabels":{{"app":"httpbin"}}}},"jwtRules":[{{"issuer":"{iss}","jwks":{jwks},"outputPayloadToHeader":"x-jwt-payload"}}]}}}}"#
    );
    let auth = Authenticator::from_json(ra.as_bytes()).unwrap();
    let token = |sub: &str, scope: &str| {
        mint_test(&format!(
            r#"{{"iss":"{iss}","sub":"{sub}","aud":"istio-jwt-test","iat":1636331240,"exp":1636331300,"azp":"{}","scope":"{scope}","gty":"client-credentials"}}"#,
            sub.trim_end_matches("@clients")
        ))
    };
    let good = token(
        "QWPjwvmVTLVJiQejcPJim0CKR3pxtgd3@clients",
        "read:database write:database",
    );
    let now = 1636331250;
    let run = |policies: &[meshauth_core::AuthorizationPolicy],
               method: &str,
               path: &str,
               tok: Option<&str>,
               now: i64| {
        let b = tok.map(|t| format!("Bearer {t}"));
        let h: Vec<(&str, &str)> = b.iter().map(|b| ("Authorization", b.as_str())).collect();
        let mut r = get(path, &h);
        r.method = method;
        let (s, o) = status_of(&auth, policies, &r, now);
        (s, o, upstream(&h, &auth.authenticate(&r, now)))
    };
    // A valid token: 200, and X-Jwt-Payload is the token's payload segment.
    let (s, _, up) = run(&[], "GET", "/headers", Some(&good), now);
    assert_eq!(s, 200);
    assert_eq!(up.get("x-jwt-payload"), Some(&payload_segment(&good)));
    // Malformed, expired, and a token signed with another key: rejected with the seed's messages.
    let other = mint(
        "istio-samples/key.pem",
        "DHFbpoIUqrY8t2zpA2qXfCmr5VO5ZEr4RzHU_-envvQ",
        &format!(r#"{{"iss":"{iss}","sub":"x","exp":1636331300}}"#),
    );
    for (tok, at, msg) in [
        (
            "bad",
            now,
            "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections",
        ),
        (good.as_str(), 1636331300 + 61, "Jwt is expired"),
        (
            other.as_str(),
            now,
            "Jwks doesn't have key to match kid or alg from Jwt",
        ),
    ] {
        match run(&[], "GET", "/headers", Some(tok), at).1 {
            Outcome::Rejected {
                status,
                http_status,
                ..
            } => {
                assert_eq!((status.message(), http_status), (msg, 401));
            }
            o => panic!("{o:?}"),
        }
    }
    // "Requests without JWT is expected to fail, but it didn't": 200.
    assert_eq!(run(&[], "GET", "/headers", None, now).0, 200);
    // The AuthorizationPolicy: principal iss/sub, GET /headers, aud and scope conditions.
    let policies = parse_policies(
        br#"{"apiVersion":"security.istio.io/v1beta1","kind":"AuthorizationPolicy","metadata":{"name":"httpbin-authz-policy"},
            "spec":{"selector":{"matchLabels":{"app":"httpbin"}},"rules":[{
              "from":[{"source":{"requestPrincipals":["https://leonseng.au.auth0.com//QWPjwvmVTLVJiQejcPJim0CKR3pxtgd3@clients"]}}],
              "to":[{"operation":{"methods":["GET"],"paths":["/headers"]}}],
              "when":[{"key":"request.auth.claims[aud]","values":["istio-jwt-test"]},
                      {"key":"request.auth.claims[scope]","values":["write:database"]}]}]}}"#,
    )
    .unwrap();
    assert_eq!(run(&policies, "GET", "/headers", Some(&good), now).0, 200);
    // No JWT, a different subject, another verb/path, a token without write:database: 403.
    let other_sub = token(
        "uoPlJVCJID9UxJS1jdOMPcr9Gmz2TGgP@clients",
        "read:database write:database",
    );
    let read_only = token("xYvKrg4QHLA5bsna0Hg1MYiD3itPY1gC@clients", "read:database");
    let read_only_same_sub = token("QWPjwvmVTLVJiQejcPJim0CKR3pxtgd3@clients", "read:database");
    assert_eq!(run(&policies, "GET", "/headers", None, now).0, 403);
    assert_eq!(
        run(&policies, "GET", "/headers", Some(&other_sub), now).0,
        403
    );
    assert_eq!(run(&policies, "POST", "/post", Some(&good), now).0, 403);
    assert_eq!(
        run(&policies, "POST", "/post", Some(&read_only), now).0,
        403
    );
    assert_eq!(
        run(&policies, "GET", "/headers", Some(&read_only_same_sub), now).0,
        403
    );
}

/// Seed 003 ("Istio & JWT: step by step"): invalid 401, valid 200, none 200; then with the DENY
/// `notRequestPrincipals: ["*"]` policy: 401, 200, 403.
#[test]
fn seed_003_walkthrough() {
    let jwks =
        serde_json::to_string(&String::from_utf8(common::read("istio-samples/jwks.json")).unwrap())
            .unwrap();
    let auth = Authenticator::from_json(
        format!(r#"{{"jwtRules":[{{"issuer":"testing@secure.istio.io","jwks":{jwks}}}]}}"#)
            .as_bytes(),
    )
    .unwrap();
    let demo = String::from_utf8(common::read("istio-samples/demo.jwt")).unwrap();
    let demo = demo.trim_end();
    let run = |p: &[meshauth_core::AuthorizationPolicy], tok: Option<&str>| {
        let b = tok.map(|t| format!("Bearer {t}"));
        let h: Vec<(&str, &str)> = b.iter().map(|b| ("Authorization", b.as_str())).collect();
        status_of(&auth, p, &get("/headers", &h), NOW).0
    };
    assert_eq!(
        [
            run(&[], Some("bla-bla-bla")),
            run(&[], Some(demo)),
            run(&[], None)
        ],
        [401, 200, 200]
    );
    let deny = parse_policies(
        br#"{"kind":"AuthorizationPolicy","metadata":{"name":"require-jwt"},"spec":{"action":"DENY",
            "rules":[{"from":[{"source":{"notRequestPrincipals":["*"]}}]}]}}"#,
    )
    .unwrap();
    assert_eq!(
        [
            run(&deny, Some("bla-bla-bla")),
            run(&deny, Some(demo)),
            run(&deny, None)
        ],
        [401, 200, 403]
    );
}

/// Seed 004 (ASM FAQ): exempt /productpage with DENY notRequestPrincipals ["*"] + notPaths.
#[test]
fn seed_004_not_paths_exemption_table() {
    let jwks =
        serde_json::to_string(&String::from_utf8(common::read("istio-samples/jwks.json")).unwrap())
            .unwrap();
    let auth = Authenticator::from_json(
        format!(
            r#"{{"apiVersion":"security.istio.io/v1beta1","kind":"RequestAuthentication","metadata":{{"name":"jwt-example","namespace":"istio-system"}},
                "spec":{{"jwtRules":[{{"issuer":"testing@secure.istio.io","jwks":{jwks}}}],"selector":{{"matchLabels":{{"app":"istio-ingressgateway"}}}}}}}}"#
        )
        .as_bytes(),
    )
    .unwrap();
    let policies = parse_policies(
        br#"{"apiVersion":"security.istio.io/v1beta1","kind":"AuthorizationPolicy","metadata":{"name":"test-exclude","namespace":"istio-system"},
            "spec":{"action":"DENY","rules":[{"from":[{"source":{"notRequestPrincipals":["*"]}}],
              "to":[{"operation":{"notPaths":["/productpage"]}}]}],"selector":{"matchLabels":{"app":"istio-ingressgateway"}}}}"#,
    )
    .unwrap();
    let demo = String::from_utf8(common::read("istio-samples/demo.jwt")).unwrap();
    let bearer = format!("Bearer {}", demo.trim_end());
    // Path | Without JWT | With valid JWT
    for (path, without, with) in [
        ("/productpage", 200, 200),
        ("/api/v1/products/0", 403, 200),
        ("/api/v1/products/1", 403, 200),
    ] {
        assert_eq!(
            status_of(&auth, &policies, &get(path, &[]), NOW).0,
            without,
            "{path}"
        );
        let h = [("Authorization", bearer.as_str())];
        assert_eq!(
            status_of(&auth, &policies, &get(path, &h), NOW).0,
            with,
            "{path}"
        );
    }
}
