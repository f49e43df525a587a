//! Request authentication: Istio's `TestRequestAuthentication` scenarios, token locations,
//! requirement-tree walk, output headers, fail-closed keys and configuration errors.

mod authn_support;
mod common;

use authn_support::*;
use common::Tally;
use meshauth_core::authn::{
    query_param, token_in_header_value, url_decode, Authenticator, Claim, Outcome, Provider,
    RequestView,
};
use meshauth_core::policy::parse_policies;
use meshauth_core::Status;

/// 2023-11-14: after TokenExpired (2019) and before every other test token's `exp` (2119+).
const NOW: i64 = 1_700_000_000;
const JWKS_URI: &str = "http://jwks.test/jwks.json";

/// Replaces `<Name>` placeholders with tokens or payload segments.
fn fill(s: &str, toks: &std::collections::HashMap<String, String>) -> String {
    let mut out = s.to_string();
    for (name, seg) in [
        ("payload1", "TokenIssuer1"),
        ("payload2", "TokenIssuer2"),
        ("payload3", "TokenIssuer1WithNestedClaims2"),
    ] {
        out = out.replace(&format!("<{name}>"), &payload_segment(&toks[seg]));
    }
    for (name, tok) in toks {
        out = out.replace(&format!("<{name}>"), tok);
    }
    out
}

/// The JSON of the suite's RequestAuthentication(s), with `<jwks>` made a URL the host feeds.
fn suite_config(policy: &serde_json::Value) -> Vec<u8> {
    let specs: Vec<serde_json::Value> = match policy.get("requestAuthentications") {
        Some(list) => list.as_array().unwrap().clone(),
        None => vec![serde_json::json!({ "jwtRules": policy["jwtRules"] })],
    };
    serde_json::to_string(&specs)
        .unwrap()
        .replace("<jwks>", JWKS_URI)
        .into_bytes()
}

#[test]
fn istio_request_authentication_scenarios() {
    let v = common::load("istio-samples/requestauthn_scenarios.json");
    let toks = tokens();
    let mut t = Tally::default();
    let (mut suites, mut cases) = (0, 0);
    for suite in v["suites"].as_array().unwrap() {
        suites += 1;
        let name = suite["suite"].as_str().unwrap();
        let policy = &suite["policy"];
        let mut auth = Authenticator::from_json(&suite_config(policy))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        // The host fetched the JWKS for the plain URI; the `?delay=500ms` URI (timeout suite) and
        // the non-existent one (invalid-jwks suite) never produced keys.
        auth.set_remote_keys(JWKS_URI, Some(test_jwks()));
        let policies = match policy.get("authorization") {
            Some(a) => parse_policies(a.to_string().as_bytes()).unwrap(),
            None => Vec::new(),
        };
        for case in suite["cases"].as_array().unwrap() {
            cases += 1;
            let cname = format!("{name}/{}", case["name"].as_str().unwrap());
            let req = &case["request"];
            let method = req["method"].as_str().unwrap_or("GET");
            let uri = fill(req["path"].as_str().unwrap_or("/"), &toks);
            let headers: Vec<(String, String)> = req["headers"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), fill(v.as_str().unwrap(), &toks)))
                        .collect()
                })
                .unwrap_or_default();
            let hrefs: Vec<(&str, &str)> = headers
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect();
            let mut view = RequestView::new(method, &uri);
            view.headers = &hrefs;
            view.host = "b";
            let (status, outcome) = status_of(&auth, &policies, &view, NOW);
            let want = case["status"].as_u64().unwrap() as u16;
            t.check(status == want, || {
                format!("{cname}: status {status}, want {want} ({outcome:?})")
            });
            if let Some(expect) = case["upstream_headers"].as_object() {
                let up = upstream(&hrefs, &outcome);
                for (k, v) in expect {
                    let want = fill(v.as_str().unwrap(), &toks);
                    let got = up.get(&k.to_ascii_lowercase()).cloned();
                    let ok = if want.is_empty() {
                        got.is_none()
                    } else {
                        got.as_deref() == Some(want.as_str())
                    };
                    t.check(ok, || {
                        format!("{cname}: upstream {k} = {got:?}, want {want:?}")
                    });
                }
            }
        }
    }
    assert_eq!(
        (suites, cases),
        (7, 26),
        "the vector file holds 7 suites, 26 cases"
    );
    t.finish("requestauthn_scenarios");
}

fn one_provider(json: &str) -> Authenticator {
    let text = json.replace("JWKS", &serde_json::to_string(&test_jwks_text()).unwrap());
    Authenticator::from_json(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

fn req<'a>(uri: &'a str, headers: &'a [(&'a str, &'a str)]) -> RequestView<'a> {
    let mut r = RequestView::new("GET", uri);
    r.headers = headers;
    r.host = "example.test";
    r
}

fn rejected(o: &Outcome) -> Option<Status> {
    match o {
        Outcome::Rejected { status, .. } => Some(*status),
        _ => None,
    }
}

#[test]
fn header_prefix_is_searched_anywhere_and_token_is_the_base64url_run() {
    let tok = "aaa.bbb.ccc";
    assert_eq!(
        token_in_header_value("Bearer aaa.bbb.ccc", "Bearer "),
        Some(tok)
    );
    assert_eq!(
        token_in_header_value("x, Bearer aaa.bbb.ccc, y", "Bearer "),
        Some(tok)
    );
    assert_eq!(
        token_in_header_value("Bearer   aaa.bbb.ccc;", "Bearer "),
        Some(tok)
    );
    assert_eq!(token_in_header_value("Basic dXNlcg==", "Bearer "), None);
    assert_eq!(token_in_header_value("bearer aaa.bbb.ccc", "Bearer "), None);
    assert_eq!(
        token_in_header_value("aaa.bbb.ccc x", ""),
        Some("aaa.bbb.ccc x")
    );
    // No token character after the prefix: Envoy's fallback hands over the whole value.
    assert_eq!(
        token_in_header_value("Bearer  ;", "Bearer "),
        Some("Bearer  ;")
    );
}

#[test]
fn header_without_prefix_is_no_token_not_401() {
    let auth = one_provider(r#"{"jwtRules":[{"issuer":"test-issuer-1@istio.io","jwks":JWKS}]}"#);
    let h = [("Authorization", "Basic dXNlcjpwdw==")];
    assert!(matches!(
        auth.authenticate(&req("/", &h), NOW),
        Outcome::NoToken { .. }
    ));
}

#[test]
fn custom_header_prefix_found_mid_value() {
    let toks = tokens();
    let auth = one_provider(
        r#"{"jwtRules":[{"issuer":"test-issuer-1@istio.io","jwks":JWKS,
            "fromHeaders":[{"name":"X-Auth","prefix":"tok="}]}]}"#,
    );
    let v = format!("v=1; tok={}; more", toks["TokenIssuer1"]);
    let h = [("x-auth", v.as_str())];
    let o = auth.authenticate(&req("/", &h), NOW);
    assert!(matches!(o, Outcome::Authenticated { .. }), "{o:?}");
    // The token header is removed (forwardOriginalToken defaults to false).
    assert!(!upstream(&h, &o).contains_key("x-auth"));
}

#[test]
fn repeated_headers_are_joined() {
    let toks = tokens();
    let auth = one_provider(r#"{"jwtRules":[{"issuer":"test-issuer-1@istio.io","jwks":JWKS}]}"#);
    let a = format!("Bearer {}", toks["TokenIssuer1"]);
    let b = format!("Bearer {}", toks["TokenExpired"]);
    // Joined as "Bearer <t1>,Bearer <expired>": the token is the run after the first prefix.
    let h = [("Authorization", a.as_str()), ("authorization", b.as_str())];
    let o = auth.authenticate(&req("/", &h), NOW);
    assert!(matches!(o, Outcome::Authenticated { .. }), "{o:?}");
    let h = [("authorization", b.as_str()), ("Authorization", a.as_str())];
    assert_eq!(
        rejected(&auth.authenticate(&req("/", &h), NOW)),
        Some(Status::JwtExpired)
    );
}

#[test]
fn query_values_are_url_decoded_and_default_locations() {
    let toks = tokens();
    let auth = one_provider(r#"{"jwtRules":[{"issuer":"test-issuer-1@istio.io","jwks":JWKS}]}"#);
    let encoded = toks["TokenIssuer1"].replace('.', "%2E");
    let uri = format!("/p?x=1&access%5Ftoken={encoded}");
    let o = auth.authenticate(&req(&uri, &[]), NOW);
    assert!(matches!(o, Outcome::Authenticated { .. }), "{o:?}");
    // Query tokens stay in the request: nothing but output headers is removed.
    if let Outcome::Authenticated {
        headers_to_remove, ..
    } = &o
    {
        assert!(headers_to_remove.is_empty(), "{headers_to_remove:?}");
    }
    assert_eq!(url_decode("a%2Eb%zz%4"), "a.b%zz%4");
    assert_eq!(query_param("?a=1&a=2", "a").as_deref(), Some("1"));
    assert_eq!(query_param("a", "a").as_deref(), Some(""));
    assert_eq!(query_param("b=1", "a"), None);
}

#[test]
fn cookie_extraction() {
    let toks = tokens();
    let auth = one_provider(
        r#"{"jwtRules":[{"issuer":"test-issuer-1@istio.io","jwks":JWKS,"fromCookies":["session"]}]}"#,
    );
    let c = format!("theme=dark; session=\"{}\"", toks["TokenIssuer1"]);
    let h = [("Cookie", c.as_str())];
    let o = auth.authenticate(&req("/", &h), NOW);
    assert!(matches!(o, Outcome::Authenticated { .. }), "{o:?}");
    assert!(
        upstream(&h, &o).contains_key("cookie"),
        "cookies are never removed"
    );
    // Host-parsed cookies work too; an expired one is rejected.
    let cookies = [("session", toks["TokenExpired"].as_str())];
    let mut r = req("/", &[]);
    r.cookies = &cookies;
    assert_eq!(
        rejected(&auth.authenticate(&r, NOW)),
        Some(Status::JwtExpired)
    );
    // The default Authorization location is not used once a cookie location is configured.
    let a = format!("Bearer {}", toks["TokenExpired"]);
    let h = [("Authorization", a.as_str())];
    assert!(matches!(
        auth.authenticate(&req("/", &h), NOW),
        Outcome::NoToken { .. }
    ));
}

#[test]
fn every_extracted_token_must_verify_in_either_order() {
    let toks = tokens();
    let auth = one_provider(
        r#"{"jwtRules":[{"issuer":"test-issuer-1@istio.io","jwks":JWKS,"fromParams":["token","secondary_token"]}]}"#,
    );
    let (good, bad) = (&toks["TokenIssuer1"], &toks["TokenExpired"]);
    for uri in [
        format!("/?token={good}&secondary_token={bad}"),
        // The provider checks its tokens from the last extracted back and stops at the first
        // failure, so the order does not matter.
        format!("/?token={bad}&secondary_token={good}"),
    ] {
        assert_eq!(
            rejected(&auth.authenticate(&req(&uri, &[]), NOW)),
            Some(Status::JwtExpired),
            "{uri}"
        );
    }
}

#[test]
fn multiple_providers_route_by_issuer() {
    let toks = tokens();
    let auth = one_provider(
        r#"[{"jwtRules":[{"issuer":"test-issuer-2@istio.io","jwks":JWKS,"outputPayloadToHeader":"x-p2"}]},
            {"jwtRules":[{"issuer":"test-issuer-1@istio.io","jwks":JWKS,"outputPayloadToHeader":"x-p1"}]}]"#,
    );
    // Sorted by issuer, as istiod orders origins-i.
    let issuers: Vec<&str> = auth.providers().iter().map(|p| p.issuer.as_str()).collect();
    assert_eq!(
        issuers,
        ["test-issuer-1@istio.io", "test-issuer-2@istio.io"]
    );
    for (name, iss) in [
        ("TokenIssuer1", "test-issuer-1@istio.io"),
        ("TokenIssuer2", "test-issuer-2@istio.io"),
    ] {
        let a = format!("Bearer {}", toks[name]);
        let h = [
            ("authorization", a.as_str()),
            ("x-p1", "spoof"),
            ("x-p2", "spoof"),
        ];
        let o = auth.authenticate(&req("/", &h), NOW);
        match &o {
            Outcome::Authenticated { issuer, .. } => assert_eq!(issuer.as_deref(), Some(iss)),
            other => panic!("{name}: {other:?}"),
        }
        let up = upstream(&h, &o);
        let p = payload_segment(&toks[name]);
        let (mine, other) = if name == "TokenIssuer1" {
            ("x-p1", "x-p2")
        } else {
            ("x-p2", "x-p1")
        };
        assert_eq!(up.get(mine), Some(&p));
        assert!(
            !up.contains_key(other),
            "spoofed header of the other provider is stripped"
        );
    }
    let a = format!("Bearer {}", toks["TokenIssuer3"]);
    let h = [("authorization", a.as_str())];
    assert_eq!(
        rejected(&auth.authenticate(&req("/", &h), NOW)),
        Some(Status::JwtUnknownIssuer)
    );
}

#[test]
fn output_headers_are_stripped_even_without_token_and_on_preflight() {
    let auth = one_provider(
        r#"{"jwtRules":[{"issuer":"test-issuer-1@istio.io","jwks":JWKS,"outputPayloadToHeader":"X-Test-Payload",
            "outputClaimToHeaders":[{"header":"x-jwt-sub","claim":"sub"}]}]}"#,
    );
    let h = [
        ("X-Test-Payload", "eyJzdWIiOiJhZG1pbiJ9"),
        ("x-jwt-sub", "admin"),
    ];
    let o = auth.authenticate(&req("/", &h), NOW);
    assert!(matches!(o, Outcome::NoToken { .. }));
    let up = upstream(&h, &o);
    assert!(up.is_empty(), "{up:?}");
    let h = [
        ("x-jwt-sub", "admin"),
        ("origin", "https://a.test"),
        ("access-control-request-method", "POST"),
    ];
    let mut r = req("/", &h);
    r.method = "OPTIONS";
    let o = auth.authenticate(&r, NOW);
    assert!(matches!(o, Outcome::CorsPreflight { .. }));
    assert!(!upstream(&h, &o).contains_key("x-jwt-sub"));
}

#[test]
fn claim_headers_types() {
    let payload = r#"{"iss":"test-issuer-1@istio.io","sub":"s","exp":4715782722,"b":true,"f":1.5,"n":-3,"e":1.5e3,"list":["a"],"o":{"k":"v"},"empty":""}"#;
    let tok = mint_test(payload);
    let auth = one_provider(
        r#"{"jwtRules":[{"issuer":"test-issuer-1@istio.io","jwks":JWKS,"outputClaimToHeaders":[
            {"header":"h-exp","claim":"exp"},{"header":"h-b","claim":"b"},{"header":"h-f","claim":"f"},
            {"header":"h-n","claim":"n"},{"header":"h-e","claim":"e"},{"header":"h-list","claim":"list"},
            {"header":"h-o","claim":"o"},{"header":"h-ok","claim":"o.k"},{"header":"h-missing","claim":"nope"},
            {"header":"h-empty","claim":"empty"}]}]}"#,
    );
    let a = format!("Bearer {tok}");
    let h = [("authorization", a.as_str()), ("h-exp", "old")];
    let o = auth.authenticate(&req("/", &h), NOW);
    let up = upstream(&h, &o);
    assert_eq!(
        up.get("h-exp").map(String::as_str),
        Some("4715782722"),
        "overwritten"
    );
    assert_eq!(up.get("h-b").map(String::as_str), Some("true"));
    assert_eq!(up.get("h-e").map(String::as_str), Some("1500"));
    assert_eq!(up.get("h-ok").map(String::as_str), Some("v"));
    for absent in [
        "h-f",
        "h-n",
        "h-list",
        "h-o",
        "h-missing",
        "h-empty",
        "authorization",
    ] {
        assert!(!up.contains_key(absent), "{absent}: {up:?}");
    }
}

#[test]
fn claims_split_scope_permission_and_space_delimited() {
    let toks = tokens();
    let auth = one_provider(
        r#"{"jwtRules":[{"issuer":"test-issuer-2@istio.io","jwks":JWKS,"spaceDelimitedClaims":["custom_scope"]}]}"#,
    );
    let list = |xs: &[&str]| Claim::List(xs.iter().map(|s| Claim::String(s.to_string())).collect());
    for (name, claim, want) in [
        (
            "TokenIssuer2WithSpaceDelimitedScope",
            "scope",
            list(&["write", "read"]),
        ),
        (
            "TokenIssuer2WithSpaceDelimitedPermission",
            "permission",
            list(&["read", "write"]),
        ),
        (
            "TokenIssuer2WithCustomScopeSpaceDelimitedScope",
            "custom_scope",
            list(&["admin", "user"]),
        ),
        ("TokenIssuer2", "sub", Claim::String("sub-2".into())),
    ] {
        let a = format!("Bearer {}", toks[name]);
        let h = [("authorization", a.as_str())];
        let o = auth.authenticate(&req("/", &h), NOW);
        assert_eq!(o.claims().and_then(|c| c.get(claim)), Some(&want), "{name}");
    }
}

#[test]
fn keys_unavailable_fail_closed() {
    let toks = tokens();
    let a = format!("Bearer {}", toks["TokenIssuer1"]);
    let h = [("authorization", a.as_str())];
    let mut remote = Provider::new("test-issuer-1@istio.io", None);
    remote.jwks_uri = Some(JWKS_URI.into());
    let auth = Authenticator::new(vec![remote]);
    assert_eq!(
        rejected(&auth.authenticate(&req("/", &h), NOW)),
        Some(Status::JwksFetchFail)
    );
    let auth = Authenticator::new(vec![Provider::new("test-issuer-1@istio.io", None)]);
    assert_eq!(
        rejected(&auth.authenticate(&req("/", &h), NOW)),
        Some(Status::JwksNoValidKeys)
    );
    // Time is checked before keys, as in Envoy.
    let e = format!("Bearer {}", toks["TokenExpired"]);
    let h = [("authorization", e.as_str())];
    assert_eq!(
        rejected(&auth.authenticate(&req("/", &h), NOW)),
        Some(Status::JwtExpired)
    );
    // The host supplies keys later: accepted.
    let mut auth = Authenticator::new(vec![{
        let mut p = Provider::new("test-issuer-1@istio.io", None);
        p.jwks_uri = Some(JWKS_URI.into());
        p
    }]);
    assert_eq!(auth.set_remote_keys(JWKS_URI, Some(test_jwks())), 1);
    let h = [("authorization", a.as_str())];
    assert!(matches!(
        auth.authenticate(&req("/", &h), NOW),
        Outcome::Authenticated { .. }
    ));
}

#[test]
fn rejection_status_and_www_authenticate() {
    let toks = tokens();
    let auth = one_provider(
        r#"{"jwtRules":[{"issuer":"test-issuer-1@istio.io","jwks":JWKS,"audiences":["foo"]}]}"#,
    );
    let a = format!("Bearer {}", toks["TokenIssuer1"]);
    let h = [
        ("authorization", a.as_str()),
        ("x-forwarded-proto", "https"),
    ];
    match auth.authenticate(&req("/hello?x=1", &h), NOW) {
        Outcome::Rejected {
            status,
            http_status,
            www_authenticate,
        } => {
            assert_eq!(status, Status::JwtAudienceNotAllowed);
            assert_eq!(http_status, 403);
            assert_eq!(
                www_authenticate,
                r#"Bearer realm="https://example.test/hello?x=1", error="invalid_token""#
            );
        }
        o => panic!("{o:?}"),
    }
    let a = format!("Bearer {}", toks["TokenIssuer1WithAudList"]);
    let h = [("authorization", a.as_str())];
    assert!(matches!(
        auth.authenticate(&req("/", &h), NOW),
        Outcome::Authenticated { .. }
    ));
    let h = [("authorization", "Bearer TokenInvalid")];
    match auth.authenticate(&req("/", &h), NOW) {
        Outcome::Rejected {
            status,
            http_status,
            ..
        } => {
            assert_eq!(status, Status::JwtBadFormat);
            assert_eq!(http_status, 401);
        }
        o => panic!("{o:?}"),
    }
}

/// What `kubectl get requestauthentication,authorizationpolicy -o json` prints: a `List` whose
/// `items` are the resources (or a `RequestAuthenticationList`). Each parser takes its own kind
/// from the items; a top-level list longer than the limit is an error, not cut short.
#[test]
fn kubernetes_lists() {
    let ra = |iss: &str| {
        format!(
            r#"{{"apiVersion":"security.istio.io/v1","kind":"RequestAuthentication","metadata":{{"name":"{iss}"}},"spec":{{"jwtRules":[{{"issuer":"{iss}"}}]}}}}"#
        )
    };
    let ap = r#"{"apiVersion":"security.istio.io/v1","kind":"AuthorizationPolicy","metadata":{"name":"p"},"spec":{"action":"DENY","rules":[{}]}}"#;
    let list = format!(
        r#"{{"apiVersion":"v1","kind":"List","metadata":{{"resourceVersion":""}},"items":[{},{ap},{}]}}"#,
        ra("a"),
        ra("b")
    );
    let auth = Authenticator::from_json(list.as_bytes()).unwrap();
    let issuers: Vec<&str> = auth.providers().iter().map(|p| p.issuer.as_str()).collect();
    assert_eq!(issuers, ["a", "b"]);
    let policies = parse_policies(list.as_bytes()).unwrap();
    assert_eq!(policies.len(), 1);
    assert_eq!(policies[0].name, "p");
    let typed = format!(
        r#"{{"kind":"RequestAuthenticationList","items":[{}]}}"#,
        ra("c")
    );
    assert_eq!(
        Authenticator::from_json(typed.as_bytes())
            .unwrap()
            .providers()
            .len(),
        1
    );
    // Another kind's typed list holds no RequestAuthentication: it is skipped like its kind.
    let other = format!(
        r#"{{"kind":"PeerAuthenticationList","items":[{}]}}"#,
        ra("d")
    );
    assert!(Authenticator::from_json(other.as_bytes())
        .unwrap()
        .providers()
        .is_empty());
    // Several `kubectl` outputs in one multi-document file: lists as elements of the array.
    let docs = format!(
        r#"[{list},{{"kind":"AuthorizationPolicyList","items":[{ap}]}},{}]"#,
        ra("f")
    );
    let auth = Authenticator::from_json(docs.as_bytes()).unwrap();
    let issuers: Vec<&str> = auth.providers().iter().map(|p| p.issuer.as_str()).collect();
    assert_eq!(issuers, ["a", "b", "f"]);
    let policies = parse_policies(docs.as_bytes()).unwrap();
    assert_eq!(policies.len(), 2);
    // Errors name the item inside the list.
    let bad = r#"[{},{"kind":"List","items":[{"kind":"RequestAuthentication","spec":[]}]}]"#;
    let e = Authenticator::from_json(bad.as_bytes()).err().unwrap();
    assert_eq!(e.field, "[1].items[0].spec");
    // 4097 resources in all: refused at the first one past the limit (4096), whether they come
    // as an array, a list, or lists in an array; the policy parser counts the same way.
    let many = json_array(4097, &ra("e"));
    let e = Authenticator::from_json(format!(r#"{{"kind":"List","items":{many}}}"#).as_bytes())
        .err()
        .unwrap();
    assert_eq!(
        (e.field.as_str(), e.status),
        ("items[4096]", Status::ConfigInvalid)
    );
    let e = Authenticator::from_json(many.as_bytes()).err().unwrap();
    assert_eq!(e.field, "[4096]");
    let halves = format!(
        r#"[{{"kind":"List","items":{}}},{{"kind":"List","items":{}}}]"#,
        json_array(2048, &ra("e")),
        json_array(2049, &ra("e"))
    );
    let e = Authenticator::from_json(halves.as_bytes()).err().unwrap();
    assert_eq!(e.field, "[1].items[2048]");
    let e = parse_policies(json_array(4097, ap).as_bytes())
        .err()
        .unwrap();
    assert_eq!(e.field, "[4096]");
    let ok = json_array(4096, &ra("e"));
    assert_eq!(
        Authenticator::from_json(ok.as_bytes())
            .unwrap()
            .providers()
            .len(),
        4096
    );
}

/// A JSON array of `n` copies of `item`.
fn json_array(n: usize, item: &str) -> String {
    format!("[{}]", vec![item; n].join(","))
}

#[test]
fn config_errors_name_the_field() {
    let cases: &[(&str, &str, Status)] = &[
        (
            r#"{"jwtRules":[{"audiences":["a"]}]}"#,
            "jwtRules[0]",
            Status::ConfigInvalid,
        ),
        (
            r#"{"jwtRules":[{"issuer":"i","audiences":[""]}]}"#,
            "jwtRules[0].audiences[0]",
            Status::ConfigInvalid,
        ),
        (
            r#"{"jwtRules":[{"issuer":"i","jwksUri":"ftp://x/j"}]}"#,
            "jwtRules[0].jwksUri",
            Status::ConfigInvalid,
        ),
        (
            r#"{"jwtRules":[{"issuer":"i","jwksUri":"https://x/j","jwks":"{}"}]}"#,
            "jwtRules[0].jwks",
            Status::ConfigInvalid,
        ),
        (
            r#"{"jwtRules":[{"issuer":"i","jwks":"{\"keys\":[]}"}]}"#,
            "jwtRules[0].jwks",
            Status::JwksNoValidKeys,
        ),
        (
            r#"{"jwtRules":[{"issuer":"i","fromHeaders":[{"name":""}]}]}"#,
            "jwtRules[0].fromHeaders[0].name",
            Status::ConfigInvalid,
        ),
        (
            r#"{"jwtRules":[{"issuer":"i","fromParams":["a",""]}]}"#,
            "jwtRules[0].fromParams[1]",
            Status::ConfigInvalid,
        ),
        (
            r#"{"jwtRules":[{"issuer":"i","fromCookies":[""]}]}"#,
            "jwtRules[0].fromCookies[0]",
            Status::ConfigInvalid,
        ),
        (
            r#"{"jwtRules":[{"issuer":"i","outputClaimToHeaders":[{"header":"x y","claim":"c"}]}]}"#,
            "jwtRules[0].outputClaimToHeaders[0].header",
            Status::ConfigInvalid,
        ),
        (
            r#"{"jwtRules":[{"issuer":"i","outputClaimToHeaders":[{"header":"x","claim":""}]}]}"#,
            "jwtRules[0].outputClaimToHeaders[0].claim",
            Status::ConfigInvalid,
        ),
        (
            r#"{"jwtRules":[{"issuer":"i","timeout":"5 seconds"}]}"#,
            "jwtRules[0].timeout",
            Status::ConfigInvalid,
        ),
        (
            r#"{"jwtRules":[{"issuer":"i","jwks_uri":"https://x/j"}]}"#,
            "jwtRules[0].jwks_uri",
            Status::ConfigInvalid,
        ),
        (
            r#"{"jwtRules":[{"issuer":"i","forwardOriginalToken":"yes"}]}"#,
            "jwtRules[0].forwardOriginalToken",
            Status::ConfigInvalid,
        ),
        (
            r#"[{"kind":"RequestAuthentication","spec":{"jwtRules":[{"issuer":7}]}}]"#,
            "[0].spec.jwtRules[0].issuer",
            Status::ConfigInvalid,
        ),
        (
            r#"{"jwtRules":[{"issuer":"i",}]}"#,
            "(document)",
            Status::ConfigInvalid,
        ),
        (
            r#"{"kind":"List","items":{"kind":"RequestAuthentication"}}"#,
            "items",
            Status::ConfigInvalid,
        ),
        (
            r#"{"kind":"List","items":[{"kind":"RequestAuthentication","spec":{"jwtRules":[{"issuer":7}]}}]}"#,
            "items[0].spec.jwtRules[0].issuer",
            Status::ConfigInvalid,
        ),
    ];
    let mut t = Tally::default();
    for (json, field, status) in cases {
        match Authenticator::from_json(json.as_bytes()) {
            Err(e) => t.check(e.field == *field && e.status == *status, || {
                format!(
                    "{json}: got {} {:?}, want {field} {status:?}",
                    e.field, e.status
                )
            }),
            Ok(_) => t.check(false, || format!("{json}: accepted")),
        }
    }
    // Valid: issuer only (keys from the host), jwksUri only (Istio #56158), timeout.
    for ok in [
        r#"{"jwtRules":[{"issuer":"i"}]}"#,
        r#"{"jwtRules":[{"jwksUri":"https://x.test/jwks"}]}"#,
        r#"{"jwtRules":[{"issuer":"i","jwksUri":"https://x.test/jwks","timeout":"10ms"}]}"#,
        r#"{"apiVersion":"security.istio.io/v1","kind":"RequestAuthentication","metadata":{"name":"a"},"spec":{"selector":{},"jwtRules":[]}}"#,
    ] {
        let r = Authenticator::from_json(ok.as_bytes());
        t.check(r.is_ok(), || format!("{ok}: {:?}", r.err()));
    }
    t.finish("authn config errors");
}

mod no_panic {
    use super::*;
    use meshauth_core::policy::{claim_path, evaluate, lint, PrincipalMatcher};
    use proptest::prelude::*;

    fn auth() -> Authenticator {
        one_provider(
            r#"[{"jwtRules":[{"issuer":"test-issuer-1@istio.io","jwks":JWKS,"fromHeaders":[{"name":"x-t","prefix":"T "},{"name":"authorization","prefix":"Bearer "}],
                "fromParams":["token"],"fromCookies":["c"],"outputPayloadToHeader":"x-p","outputClaimToHeaders":[{"header":"x-c","claim":"a.b"}]}]},
                {"jwtRules":[{"jwksUri":"https://k.test/j","audiences":["x"]}]}]"#,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn authenticate_and_evaluate_never_panic(
            hv in "\\PC{0,80}", q in "[a-z=&%0-9A-F._-]{0,60}", cv in "\\PC{0,40}",
            method in "(GET|OPTIONS|POST)", origin in proptest::bool::ANY,
        ) {
            let auth = auth();
            let h = [("authorization", hv.as_str()), ("x-t", hv.as_str()), ("cookie", cv.as_str()),
                     ("origin", if origin { "o" } else { "" }), ("access-control-request-method", "GET")];
            let mut r = RequestView::new("GET", "/");
            r.method = &method;
            r.query = &q;
            r.headers = &h;
            let o = auth.authenticate(&r, NOW);
            let p = parse_policies(br#"{"rules":[{"when":[{"key":"request.auth.claims[a][b]","values":["*x"]}]}]}"#).unwrap();
            let _ = evaluate(&p, &r, &o);
        }

        #[test]
        fn config_readers_never_panic(input in proptest::collection::vec(any::<u8>(), 0..200), s in "\\PC{0,40}") {
            let _ = Authenticator::from_json(&input);
            let _ = parse_policies(&input);
            let _ = claim_path(&s);
            let _ = PrincipalMatcher::new(&s);
            let doc = serde_json::json!({"rules":[{"from":[{"source":{"requestPrincipals":[s.clone()]}}],
                "when":[{"key": format!("request.auth.claims[{s}]"), "values":[s.clone()]}]}]});
            if let Ok(p) = parse_policies(doc.to_string().as_bytes()) {
                let _ = lint(&p, &[s.as_str(), "https://x"]);
            }
            let rule = serde_json::json!({"jwtRules":[{"issuer": s.clone(), "timeout": s.clone(), "fromHeaders":[{"name": s.clone(), "prefix": s.clone()}]}]});
            let _ = Authenticator::from_json(rule.to_string().as_bytes());
        }
    }
}

#[test]
fn requirement_tree_single_provider_unknown_issuer_is_401() {
    // requires_any{origins-0, allow_missing}: only a final JwtMissed becomes success.
    let toks = tokens();
    let auth = one_provider(r#"{"jwtRules":[{"issuer":"test-issuer-1@istio.io","jwks":JWKS}]}"#);
    let a = format!("Bearer {}", toks["TokenIssuer3"]);
    let h = [("authorization", a.as_str())];
    match auth.authenticate(&req("/x", &h), NOW) {
        Outcome::Rejected {
            status,
            http_status,
            www_authenticate,
        } => {
            assert_eq!((status, http_status), (Status::JwtUnknownIssuer, 401));
            assert_eq!(
                www_authenticate,
                r#"Bearer realm="://example.test/x", error="invalid_token""#
            );
        }
        o => panic!("{o:?}"),
    }
}

#[test]
fn requirement_tree_first_satisfied_provider_decides() {
    // requires_any{origins-0, origins-1, requires_all{…}} completes at the first provider that
    // is satisfied; a token only another provider reads is then not looked at (Envoy).
    let toks = tokens();
    let auth = one_provider(
        r#"{"jwtRules":[{"issuer":"test-issuer-1@istio.io","jwks":JWKS,"fromHeaders":[{"name":"x-a"}]},
                        {"issuer":"test-issuer-2@istio.io","jwks":JWKS,"fromHeaders":[{"name":"x-b"}]}]}"#,
    );
    let h = [("x-a", toks["TokenIssuer1"].as_str()), ("x-b", "garbage")];
    assert!(matches!(
        auth.authenticate(&req("/", &h), NOW),
        Outcome::Authenticated { .. }
    ));
    // Without a good token anywhere, the requires_all branch reports the garbage token.
    let h = [("x-b", "garbage")];
    assert_eq!(
        rejected(&auth.authenticate(&req("/", &h), NOW)),
        Some(Status::JwtBadFormat)
    );
    // A good token at x-b only: origins-1 is satisfied.
    let h = [("x-b", toks["TokenIssuer2"].as_str())];
    assert!(matches!(
        auth.authenticate(&req("/", &h), NOW),
        Outcome::Authenticated { .. }
    ));
    // issuer-2's token at issuer-1's location: JwtUnknownIssuer there, so 401.
    let h = [("x-a", toks["TokenIssuer2"].as_str())];
    assert_eq!(
        rejected(&auth.authenticate(&req("/", &h), NOW)),
        Some(Status::JwtUnknownIssuer)
    );
}
