//! Helpers for the authn/policy tests: Istio's test tokens, minting tokens with Istio's published
//! test keys, applying an outcome's header edits, and a YAML-subset reader for the policy
//! templates copied from Istio.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Arc;

use meshauth_core::authn::{Authenticator, Outcome, RequestView};
use meshauth_core::policy::{self, AuthorizationPolicy};
use meshauth_core::Jwks;

use crate::common;

/// Token name → token, from `tests-common-jwt/tokens.json`.
pub fn tokens() -> HashMap<String, String> {
    let v = common::load("istio-samples/tests-common-jwt/tokens.json");
    v["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_string(),
                t["token"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The key set Istio's e2e tests use (`tests-common-jwt/jwks.json`).
pub fn test_jwks() -> Arc<Jwks> {
    Arc::new(Jwks::from_json(&common::read("istio-samples/tests-common-jwt/jwks.json")).unwrap())
}

/// The `jwks.json` text of `tests-common-jwt`.
pub fn test_jwks_text() -> String {
    String::from_utf8(common::read("istio-samples/tests-common-jwt/jwks.json")).unwrap()
}

/// The payload segment of a token.
pub fn payload_segment(token: &str) -> String {
    token.split('.').nth(1).unwrap().to_string()
}

fn b64std_decode(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// Signs `payload` (JSON) as RS256 with the PKCS#1 PEM key at `key_rel` (one of Istio's published
/// test keys), header `{"alg":"RS256","kid":kid,"typ":"JWT"}`.
pub fn mint(key_rel: &str, kid: &str, payload: &str) -> String {
    let pem = String::from_utf8(common::read(key_rel)).unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = b64std_decode(&body);
    let key = ring::signature::RsaKeyPair::from_der(&der).expect("PKCS#1 key");
    let header = format!(r#"{{"alg":"RS256","kid":"{kid}","typ":"JWT"}}"#);
    let signing_input = format!(
        "{}.{}",
        common::b64url(header.as_bytes()),
        common::b64url(payload.as_bytes())
    );
    let mut sig = vec![0u8; key.public().modulus_len()];
    key.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        signing_input.as_bytes(),
        &mut sig,
    )
    .unwrap();
    format!("{signing_input}.{}", common::b64url(&sig))
}

/// Mints with `tests-common-jwt/key.pem` (verifies against [`test_jwks`]).
pub fn mint_test(payload: &str) -> String {
    mint(
        "istio-samples/tests-common-jwt/key.pem",
        "tT_w9LRNrY7wJalGsTYSt7rutZi86Gvyc0EKR4CaQAw",
        payload,
    )
}

/// The headers the upstream sees: the request's, minus `headers_to_remove`, plus
/// `headers_to_set` (names lower-cased).
pub fn upstream(headers: &[(&str, &str)], outcome: &Outcome) -> HashMap<String, String> {
    let mut map: HashMap<String, String> = HashMap::new();
    for (n, v) in headers {
        map.entry(n.to_ascii_lowercase())
            .and_modify(|e| {
                e.push(',');
                e.push_str(v)
            })
            .or_insert_with(|| v.to_string());
    }
    let (remove, set): (&[String], &[(String, String)]) = match outcome {
        Outcome::NoToken { headers_to_remove } | Outcome::CorsPreflight { headers_to_remove } => {
            (headers_to_remove, &[])
        }
        Outcome::Authenticated {
            headers_to_set,
            headers_to_remove,
            ..
        } => (headers_to_remove, headers_to_set),
        Outcome::Rejected { .. } => (&[], &[]),
    };
    for r in remove {
        map.remove(&r.to_ascii_lowercase());
    }
    for (n, v) in set {
        map.insert(n.to_ascii_lowercase(), v.clone());
    }
    map
}

/// authenticate + evaluate → the HTTP status the mesh answers.
pub fn status_of(
    auth: &Authenticator,
    policies: &[AuthorizationPolicy],
    req: &RequestView<'_>,
    now: i64,
) -> (u16, Outcome) {
    let outcome = auth.authenticate(req, now);
    let decision = policy::evaluate(policies, req, &outcome);
    (policy::http_status(&outcome, &decision), outcome)
}

/// Reads the YAML subset of Istio's test templates (block maps and lists, `[a, "b"]` flow lists,
/// quoted and plain scalars, `#` comment lines, `---` separators) into JSON documents.
pub fn yaml_documents(text: &str) -> Vec<serde_json::Value> {
    let mut docs = Vec::new();
    let mut cur: Vec<(usize, String)> = Vec::new();
    for line in text.lines().chain(std::iter::once("---")) {
        let trimmed = line.trim_start();
        if line.trim_end() == "---" {
            if !cur.is_empty() {
                let mut i = 0;
                let indent = cur[0].0;
                docs.push(block(&mut cur, &mut i, indent));
            }
            cur.clear();
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        cur.push((line.len() - trimmed.len(), trimmed.trim_end().to_string()));
    }
    docs
}

fn block(lines: &mut Vec<(usize, String)>, i: &mut usize, indent: usize) -> serde_json::Value {
    use serde_json::Value;
    if lines[*i].1.starts_with('-') {
        let mut items = Vec::new();
        while *i < lines.len() && lines[*i].0 == indent && lines[*i].1.starts_with('-') {
            let rest = lines[*i].1[1..].trim_start().to_string();
            if rest.is_empty() {
                *i += 1;
                let ind = lines[*i].0;
                items.push(block(lines, i, ind));
            } else {
                lines[*i] = (indent + 2, rest);
                items.push(block(lines, i, indent + 2));
            }
        }
        return Value::Array(items);
    }
    if !lines[*i].1.contains(": ") && !lines[*i].1.ends_with(':') {
        let v = scalar(&lines[*i].1);
        *i += 1;
        return v;
    }
    let mut map = serde_json::Map::new();
    while *i < lines.len() && lines[*i].0 == indent && !lines[*i].1.starts_with('-') {
        let text = lines[*i].1.clone();
        let (k, v) = match text.split_once(": ") {
            Some((k, v)) => (k.to_string(), v.trim().to_string()),
            None => (text.trim_end_matches(':').to_string(), String::new()),
        };
        let key = unquote(&k);
        *i += 1;
        let value = if !v.is_empty() {
            scalar(&v)
        } else if *i < lines.len()
            && (lines[*i].0 > indent || (lines[*i].0 == indent && lines[*i].1.starts_with('-')))
        {
            let ind = lines[*i].0;
            block(lines, i, ind)
        } else {
            Value::Null
        };
        map.insert(key, value);
    }
    Value::Object(map)
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    if s.len() >= 2
        && (s.starts_with('"') && s.ends_with('"') || s.starts_with('\'') && s.ends_with('\''))
    {
        s[1..s.len() - 1].to_string()
    } else {
        s.to_string()
    }
}

fn scalar(s: &str) -> serde_json::Value {
    let s = s.trim();
    if let Some(inner) = s.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        return serde_json::Value::Array(
            inner
                .split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(|x| serde_json::Value::String(unquote(x)))
                .collect(),
        );
    }
    match s {
        "true" => serde_json::Value::Bool(true),
        "false" => serde_json::Value::Bool(false),
        _ => serde_json::Value::String(unquote(s)),
    }
}
