//! JWKS comparison: Istio's `compareJWKSResponse` cases under this project's rules, the canonical
//! form against an independent serializer (serde_json), RFC 7638 thumbprints and the diff.
mod common;

use common::{load, Tally};
use meshauth_core::jwks_compare::{canonical, canonical_jwks, changed, diff, JwksDiff, KeyName};
use meshauth_core::{jwk_thumbprint, jwk_thumbprint_b64, Status};
use proptest::prelude::*;
use serde_json::Value as J;

/// What issue #4 says for each case: `Ok(changed)` or `Err(status name)`, and why it differs from
/// Istio's answer when it does.
fn expected(name: &str) -> (Result<bool, &'static str>, Option<&'static str>) {
    match name {
        "testEquivalentStrings" | "testReorderedKeys" | "testBothNoKidSame"
        | "testBothExtraElements" => (Ok(false), None),
        "testDifferentKeys" | "testOldJsonParseFailure" | "testNewNoKid" | "testOldNoKid"
        | "testBothNoKidDifferent" | "testOldNoKeys" | "testNewExtraElements"
        | "testOldExtraElements" => (Ok(true), None),
        "testNewJsonParseFailure" => (Err("JwksParseError"), None),
        "testNewNoKeys" => (
            Err("JwksNoKeys"),
            Some("the new document has no keys array: it is not a usable JWKS, so it is an error and the host keeps its old keys (Istio answers changed and stores it)"),
        ),
        "testBothNoKeysSame" | "testBothNoKeysDifferent" => (
            Err("JwksNoKeys"),
            Some("the new document has no keys array: an error, whatever the old one is"),
        ),
        "cyclic_less_same_set_permuted" => (
            Ok(false),
            Some("the keys array is a multiset under a total order; Istio's less() is cyclic"),
        ),
        "nokid_same_member_count_swapped" => (
            Ok(false),
            Some("kid-less keys are ordered by their canonical text, so a permutation is no change"),
        ),
        "duplicate_kid_swapped" => (
            Ok(false),
            Some("duplicate kids are ordered by their whole canonical text, not kept in input order"),
        ),
        "number_1_vs_1e0" | "member_order_and_whitespace" | "unicode_escape_vs_literal" => {
            (Ok(false), None)
        }
        "bigint_beyond_2pow53" => (
            Ok(true),
            Some("integers are compared exactly; Istio's float64 gives a false 'unchanged'"),
        ),
        "duplicate_member_last_wins" => (
            Err("JwksParseError"),
            Some("the strict parser rejects duplicate member names instead of keeping the last"),
        ),
        "toplevel_member_outside_keys" => (
            Ok(true),
            Some("every difference in the top-level object is a change; Istio only looks at keys"),
        ),
        "new_is_null" => (
            Err("JwksParseError"),
            Some("null is not a JWKS: an error (Istio answers changed and stores null)"),
        ),
        "new_is_array" | "new_is_empty_string" => (Err("JwksParseError"), None),
        "old_is_empty_string" => (Ok(true), None),
        "both_no_keys_same_content_other_whitespace" => (
            Err("JwksNoKeys"),
            Some("the new document has no keys array: an error"),
        ),
        "keys_is_object_on_both_sides" => (
            Err("JwksBadKeys"),
            Some("keys must be an array: an error"),
        ),
        "non_object_entries_reordered" => (
            Err("JwksKeyNotObject"),
            Some("keys must be an array of objects: an error"),
        ),
        "identical_garbage" => (
            Err("JwksParseError"),
            Some("the new body is not JSON: an error even if byte-identical to the old one"),
        ),
        other => panic!("case {other} has no expectation: add one"),
    }
}

#[test]
fn istio_compare_jwks_response_cases() {
    let v = load("istio-samples/compare_jwks_response_cases.json");
    let fixtures = v["fixtures"].as_object().unwrap();
    let text = |s: &str| -> String {
        fixtures
            .get(s)
            .map(|f| f.as_str().unwrap().to_string())
            .unwrap_or_else(|| s.to_string())
    };
    let mut t = Tally::default();
    let mut differ = 0;
    let mut cases = Vec::new();
    for c in v["upstream_cases"].as_array().unwrap() {
        let istio = if c["want_error"].as_bool().unwrap() {
            Err(())
        } else {
            Ok(c["want_changed"].as_bool().unwrap())
        };
        cases.push((
            c["name"].as_str().unwrap(),
            text(c["old"].as_str().unwrap()),
            text(c["new"].as_str().unwrap()),
            istio,
        ));
    }
    for c in v["quirk_cases"].as_array().unwrap() {
        let istio = if c["istio_error"].as_bool().unwrap() {
            Err(())
        } else {
            Ok(c["istio_changed"].as_bool().unwrap())
        };
        cases.push((
            c["name"].as_str().unwrap(),
            c["old"].as_str().unwrap().to_string(),
            c["new"].as_str().unwrap().to_string(),
            istio,
        ));
    }
    assert_eq!(cases.len(), 33, "16 upstream + 17 quirk cases");
    for (name, old, new, istio) in cases {
        let (want, reason) = expected(name);
        let got = changed(old.as_bytes(), new.as_bytes()).map_err(|s| s.name());
        t.check(got == want, || {
            format!("{name}: got {got:?}, want {want:?}")
        });
        let same_as_istio = match (&want, &istio) {
            (Ok(a), Ok(b)) => a == b,
            (Err(_), Err(())) => true,
            _ => false,
        };
        t.check(same_as_istio == reason.is_none(), || {
            format!("{name}: a reason must be given exactly when the answer differs from Istio's ({istio:?})")
        });
        if let Some(r) = reason {
            differ += 1;
            println!("differs from Istio: {name}: {r}");
        }
    }
    t.check(differ == 14, || {
        format!("{differ} cases differ from Istio, expected 14")
    });
    t.finish("compare_jwks_response_cases");
}

#[test]
fn multiset_and_total_order() {
    let a = r#"{"kty":"RSA","n":"a","e":"AQAB"}"#;
    let b = r#"{"kty":"RSA","n":"b","e":"AQAB"}"#;
    let k = r#"{"kid":"k","kty":"RSA","n":"c","e":"AQAB"}"#;
    let doc = |ks: &[&str]| format!(r#"{{"keys":[{}]}}"#, ks.join(","));
    // Every permutation of a mixed set (kid-less, kid, duplicate) is the same set.
    let set = [a, b, k, a];
    let base = doc(&set);
    let perms = [[0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1], [1, 3, 0, 2]];
    for p in perms {
        let d = doc(&p.map(|i| set[i]));
        assert_eq!(changed(base.as_bytes(), d.as_bytes()), Ok(false), "{d}");
    }
    // Duplicates are counted.
    assert_eq!(
        changed(doc(&[a, a, b]).as_bytes(), doc(&[a, b, b]).as_bytes()),
        Ok(true)
    );
    assert_eq!(
        changed(doc(&[a, b]).as_bytes(), doc(&[a, b, b]).as_bytes()),
        Ok(true)
    );
    // More than 12 kid-less keys (Istio's pdqsort boundary), reversed.
    let many: Vec<String> = (0..40)
        .map(|i| format!(r#"{{"kty":"oct","k":"k{i}"}}"#))
        .collect();
    let fwd: Vec<&str> = many.iter().map(String::as_str).collect();
    let rev: Vec<&str> = fwd.iter().rev().copied().collect();
    assert_eq!(
        changed(doc(&fwd).as_bytes(), doc(&rev).as_bytes()),
        Ok(false)
    );
    // Nested arrays keep their order (x5c is a chain).
    assert_eq!(
        changed(
            br#"{"keys":[{"kid":"a","x5c":["1","2"]}]}"#,
            br#"{"keys":[{"kid":"a","x5c":["2","1"]}]}"#
        ),
        Ok(true)
    );
    // Number spellings and escapes inside keys.
    assert_eq!(
        changed(
            br#"{"keys":[{"kid":"a","v":[100,0.5,-0]}]}"#,
            br#"{"keys":[{"v":[1e2,5E-1,0.0],"kid":"\u0061"}]}"#
        ),
        Ok(false)
    );
    // Exact big numbers and decimals.
    assert_eq!(
        changed(
            br#"{"keys":[{"x":0.1000000000000000000001}]}"#,
            br#"{"keys":[{"x":0.1}]}"#
        ),
        Ok(true)
    );
    // The new document is checked; the old one is not required to be valid.
    assert_eq!(changed(b"", br#"{"keys":[]}"#), Ok(true));
    assert_eq!(changed(br#"{"keys":[]}"#, br#"{"keys":[]}"#), Ok(false));
    assert_eq!(
        changed(br#"{"keys":[]}"#, b"<html></html>"),
        Err(Status::JwksParseError)
    );
    assert_eq!(
        changed(br#"{"keys":[]}"#, br#"{"keys":[{}],"keys2":1}"#),
        Ok(true)
    );
    let big = format!(r#"{{"keys":[],"pad":"{}"}}"#, "x".repeat(1 << 20));
    assert_eq!(changed(b"", big.as_bytes()), Err(Status::JwksTooLarge));
}

#[test]
fn canonical_examples() {
    // RFC 8785 §3.2.3 member sorting by UTF-16 code units: "\u{10000}" (D800 DC00) sorts
    // before "\u{fb33}" although its UTF-8 bytes are larger.
    let c = canonical("{\"\u{fb33}\":1,\"\u{10000}\":2,\"a\":3}".as_bytes()).unwrap();
    assert_eq!(c, "{\"a\":3,\"\u{10000}\":2,\"\u{fb33}\":1}");
    assert_eq!(
        canonical(br#"  { "b" : [ 1.50, "\u00e9\/\t\u001F" ], "a" : null } "#).unwrap(),
        "{\"a\":null,\"b\":[1.5,\"\u{e9}/\\t\\u001f\"]}"
    );
    assert_eq!(
        canonical_jwks(br#"{"x":1,"keys":[{"b":2},{"a":1}]}"#).unwrap(),
        r#"{"keys":[{"a":1},{"b":2}],"x":1}"#
    );
    assert_eq!(canonical(b"{\"a\":1,\"a\":1}"), Err(Status::JwksParseError));
}

/// A JSON tree with the constructs the canonical form must normalise.
#[derive(Clone, Debug)]
enum T {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Arr(Vec<T>),
    Obj(Vec<(String, T)>),
}

fn tree() -> impl Strategy<Value = T> {
    // Names and strings from ASCII and the BMP below the surrogates, where UTF-8 byte order and
    // UTF-16 order agree, so serde_json's sorted map is an independent oracle.
    let s = "[a-c\\\\\"/\u{1}\u{1f}\u{7f}\u{e9}\u{4e2d}]{0,4}";
    let leaf = prop_oneof![
        Just(T::Null),
        any::<bool>().prop_map(T::Bool),
        any::<i64>().prop_map(T::Int),
        s.prop_map(T::Str),
    ];
    leaf.prop_recursive(4, 32, 5, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(T::Arr),
            prop::collection::btree_map(s, inner, 0..5)
                .prop_map(|m| T::Obj(m.into_iter().collect())),
        ]
    })
}

fn to_serde(t: &T) -> J {
    match t {
        T::Null => J::Null,
        T::Bool(b) => J::Bool(*b),
        T::Int(i) => J::from(*i),
        T::Str(s) => J::String(s.clone()),
        T::Arr(a) => J::Array(a.iter().map(to_serde).collect()),
        T::Obj(o) => J::Object(o.iter().map(|(k, v)| (k.clone(), to_serde(v))).collect()),
    }
}

/// Writes `t` with a random spelling chosen by `r`: whitespace, member order, escapes, numbers.
fn spell(t: &T, r: &mut u64, out: &mut String) {
    let mut next = || {
        *r ^= *r << 13;
        *r ^= *r >> 7;
        *r ^= *r << 17;
        *r
    };
    let ws = ["", " ", "\n\t", "\r\n  "];
    out.push_str(ws[(next() % 4) as usize]);
    match t {
        T::Null => out.push_str("null"),
        T::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        T::Int(i) => {
            let s = i.to_string();
            let (sign, digits) = s.strip_prefix('-').map(|d| ("-", d)).unwrap_or(("", &s));
            let form = match next() % 5 {
                0 => s.clone(),
                1 => format!("{sign}{digits}.000"),
                2 => format!("{sign}{digits}e0"),
                3 => format!("{sign}{digits}0E-1"),
                _ => {
                    // d.ddd e+k
                    if digits == "0" {
                        format!("{sign}0.0e+7")
                    } else {
                        format!(
                            "{sign}{}.{}e+{}",
                            &digits[..1],
                            &digits[1..],
                            digits.len() - 1
                        )
                        .replace(".e", "e")
                    }
                }
            };
            out.push_str(&form);
        }
        T::Str(s) => spell_str(s, next(), out),
        T::Arr(a) => {
            out.push('[');
            for (i, e) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                spell(e, r, out);
            }
            out.push(']');
        }
        T::Obj(o) => {
            let mut members: Vec<&(String, T)> = o.iter().collect();
            let rot = (next() as usize) % members.len().max(1);
            members.rotate_left(rot);
            if next() % 2 == 0 {
                members.reverse();
            }
            out.push('{');
            for (i, (k, v)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                spell_str(k, *r, out);
                out.push(':');
                spell(v, r, out);
            }
            out.push('}');
        }
    }
}

fn spell_str(s: &str, r: u64, out: &mut String) {
    out.push('"');
    for (i, c) in s.chars().enumerate() {
        let escape_all = (r >> (i % 64)) & 1 == 1;
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || escape_all => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn canonical_matches_sorted_serde_and_ignores_spelling(t in tree(), seed in 1u64..) {
        let want = serde_json::to_string(&to_serde(&t)).unwrap();
        let mut r = seed;
        let mut a = String::new();
        spell(&t, &mut r, &mut a);
        let mut b = String::new();
        spell(&t, &mut r, &mut b);
        let ca = canonical(a.as_bytes()).unwrap();
        prop_assert_eq!(&ca, &want, "spelling {}", a);
        prop_assert_eq!(canonical(b.as_bytes()).unwrap(), want);
    }

    #[test]
    fn changed_iff_multisets_differ(xs in prop::collection::vec(0u8..4, 0..6), ys in prop::collection::vec(0u8..4, 0..6), seed in 1u64..) {
        let key = |i: u8| format!(r#"{{"kty":"oct","k":"k{}"{}}}"#, i, if i.is_multiple_of(2) { "" } else { r#","kid":"dup""# });
        let doc = |v: &[u8]| format!(r#"{{"keys":[{}]}}"#, v.iter().map(|&i| key(i)).collect::<Vec<_>>().join(","));
        let mut xs_sorted = xs.clone();
        xs_sorted.sort();
        let mut ys_sorted = ys.clone();
        ys_sorted.sort();
        let mut shuffled = xs.clone();
        let n = shuffled.len().max(1);
        shuffled.rotate_left((seed as usize) % n);
        prop_assert_eq!(changed(doc(&xs).as_bytes(), doc(&ys).as_bytes()), Ok(xs_sorted != ys_sorted));
        prop_assert_eq!(changed(doc(&xs).as_bytes(), doc(&shuffled).as_bytes()), Ok(false));
    }
}

#[test]
fn rfc7638_thumbprints() {
    let v = load("rfc7638.json");
    let mut t = Tally::default();
    let mut vectors = vec![v.clone()];
    vectors.extend(v["additional"].as_array().unwrap().iter().cloned());
    for vec in vectors {
        let jwk = serde_json::to_string(&vec["jwk"]).unwrap();
        let hex: String = jwk_thumbprint(jwk.as_bytes())
            .unwrap()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let want_hex = vec["sha256_hex"].as_str().unwrap();
        t.check(hex == want_hex, || format!("{jwk}: {hex} != {want_hex}"));
        let b64 = jwk_thumbprint_b64(jwk.as_bytes()).unwrap();
        let want_b64 = vec["thumbprint_sha256_b64url"].as_str().unwrap();
        t.check(b64 == want_b64, || format!("{jwk}: {b64} != {want_b64}"));
        // alg, kid, other members and member order do not change it.
        let mut obj = vec["jwk"].as_object().unwrap().clone();
        obj.insert("kid".into(), "other".into());
        obj.insert("use".into(), "sig".into());
        let mut members: Vec<_> = obj.into_iter().collect();
        members.reverse();
        let text = format!(
            "{{{}}}",
            members
                .iter()
                .map(|(k, v)| format!("{}:{}", J::String(k.clone()), v))
                .collect::<Vec<_>>()
                .join(" , ")
        );
        t.check(
            jwk_thumbprint_b64(text.as_bytes()).as_deref() == Ok(want_b64),
            || format!("reordered {text}"),
        );
    }
    t.finish("rfc7638");
}

#[test]
fn thumbprint_all_key_types_and_errors() {
    // Expected values: SHA-256 of the RFC 7638 member text, computed by ring's digest directly.
    let sha = |s: &str| {
        let d = ring::digest::digest(&ring::digest::SHA256, s.as_bytes());
        let mut o = [0u8; 32];
        o.copy_from_slice(d.as_ref());
        o
    };
    let cases = [
        (
            r#"{"kty":"EC","y":"Y","x":"X","crv":"P-256","kid":"1"}"#,
            r#"{"crv":"P-256","kty":"EC","x":"X","y":"Y"}"#,
        ),
        (
            r#"{"k":"S2V5","kty":"oct","alg":"HS256"}"#,
            r#"{"k":"S2V5","kty":"oct"}"#,
        ),
        (
            r#"{"x":"Q","kty":"OKP","crv":"Ed25519"}"#,
            r#"{"crv":"Ed25519","kty":"OKP","x":"Q"}"#,
        ),
        (
            r#"{"n":"\u0041B","e":"AQAB","kty":"RSA"}"#,
            r#"{"e":"AQAB","kty":"RSA","n":"AB"}"#,
        ),
    ];
    for (jwk, text) in cases {
        assert_eq!(jwk_thumbprint(jwk.as_bytes()).unwrap(), sha(text), "{jwk}");
    }
    for (jwk, err) in [
        (r#"{"n":"a","e":"b"}"#, Status::JwksMissingKty),
        (r#"{"kty":1}"#, Status::JwksBadKty),
        (r#"{"kty":"XYZ"}"#, Status::JwksNotImplementedKty),
        (r#"{"kty":"RSA","e":"AQAB"}"#, Status::JwksRSAKeyMissingN),
        (r#"{"kty":"RSA","e":1,"n":"a"}"#, Status::JwksRSAKeyBadE),
        (
            r#"{"kty":"EC","crv":"P-256","x":"a"}"#,
            Status::JwksECKeyMissingY,
        ),
        (r#"{"kty":"oct"}"#, Status::JwksHMACKeyMissingK),
        (r#"{"kty":"OKP","x":"a"}"#, Status::JwksOKPKeyMissingCrv),
        (r#"[]"#, Status::JwksParseError),
    ] {
        assert_eq!(jwk_thumbprint(jwk.as_bytes()), Err(err), "{jwk}");
    }
}

#[test]
fn diff_names_keys_by_kid_or_thumbprint() {
    let rsa_a = r#"{"kty":"RSA","e":"AQAB","n":"aaaa"}"#;
    let rsa_a_alg = r#"{"kty":"RSA","e":"AQAB","n":"aaaa","alg":"RS256"}"#;
    let rsa_b = r#"{"kty":"RSA","e":"AQAB","n":"bbbb"}"#;
    let old = format!(
        r#"{{"keys":[{{"kid":"k1","kty":"oct","k":"AA"}},{{"kid":"k2","kty":"oct","k":"BB"}},{rsa_a},{rsa_b},{{"weird":1}}]}}"#
    );
    let new = format!(
        r#"{{"keys":[{{"kid":"k2","kty":"oct","k":"CC"}},{{"kid":"k3","kty":"oct","k":"DD"}},{rsa_a_alg},{{"weird":1}}]}}"#
    );
    let tp = |j: &str| KeyName::Thumbprint(jwk_thumbprint_b64(j.as_bytes()).unwrap());
    let d = diff(old.as_bytes(), new.as_bytes()).unwrap();
    let mut want = JwksDiff {
        added: vec![KeyName::Kid("k3".into())],
        removed: vec![KeyName::Kid("k1".into()), tp(rsa_b)],
        modified: vec![KeyName::Kid("k2".into()), tp(rsa_a)],
    };
    want.removed.sort();
    want.modified.sort();
    assert_eq!(d, want);
    assert!(diff(old.as_bytes(), old.as_bytes()).unwrap().is_empty());
    // Reordering is no difference; an invalid old document reads as empty.
    let reordered = format!(r#"{{"keys":[{rsa_b},{rsa_a}]}}"#);
    let plain = format!(r#"{{"keys":[{rsa_a},{rsa_b}]}}"#);
    assert!(diff(plain.as_bytes(), reordered.as_bytes())
        .unwrap()
        .is_empty());
    assert_eq!(diff(b"null", plain.as_bytes()).unwrap().added.len(), 2);
    assert_eq!(diff(plain.as_bytes(), b"null"), Err(Status::JwksParseError));
    assert_eq!(KeyName::Kid("x".into()).to_string(), "kid:x");
}
