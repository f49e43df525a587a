//! `meshauth thumbprint JWK|JWKS`: RFC 7638 SHA-256 thumbprints (core
//! `jwks_compare::thumbprint_of`), base64url without padding; one line per key of a JWKS.

use clap::Args;
use meshauth_core::json::{self, Value as J};
use meshauth_core::jwks_compare::thumbprint_of;
use meshauth_core::{b64, Status};
use serde_json::{json, Value};

use crate::fetch::read_source;
use crate::util::{merge, print_json, status_json};
use crate::{NetArgs, Outcome};

/// Arguments of `meshauth thumbprint`.
#[derive(Args)]
pub struct ThumbprintArgs {
    /// One JWK, or a JWKS (`{"keys": [...]}`): file, `-` or http(s) URL.
    source: String,
    /// Print one JSON document.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    net: NetArgs,
}

/// One key's result: its kid (if a string) and thumbprint or status.
fn one(o: json::Object<'_>) -> (Option<String>, Result<String, Status>) {
    let kid = o
        .get("kid")
        .and_then(|v| v.as_jstr())
        .map(|s| s.to_cow().into_owned());
    (kid, thumbprint_of(o).map(|t| b64::encode(&t)))
}

/// Runs `meshauth thumbprint`. Exit 1 if the input is not a JWK/JWKS or a key lacks a member
/// the thumbprint needs.
pub fn run(a: &ThumbprintArgs) -> Result<Outcome, String> {
    let data = read_source(&a.source, &a.net.options())?;
    let root = json::parse(&data, json::DEFAULT_MAX_DEPTH)
        .ok()
        .and_then(|v| v.as_object());
    let Some(root) = root else {
        let s = Status::JwksParseError;
        if a.json {
            print_json(&merge(json!({"keys": []}), status_json(s)));
        } else {
            println!("REJECTED {} ({}): not a JSON object", s.name(), s.code());
        }
        return Ok(Outcome::Rejected);
    };
    let results: Vec<_> = match root.get("keys") {
        Some(J::Array(keys)) => keys
            .iter()
            .map(|k| match k.as_object() {
                Some(o) => one(o),
                None => (None, Err(Status::JwksKeyNotObject)),
            })
            .collect(),
        Some(_) => vec![(None, Err(Status::JwksBadKeys))],
        None => vec![one(root)],
    };
    let ok = results.iter().all(|(_, r)| r.is_ok());
    if a.json {
        let keys: Vec<Value> = results
            .iter()
            .enumerate()
            .map(|(i, (kid, r))| match r {
                Ok(t) => json!({"index": i, "kid": kid, "thumbprint": t, "status": "Ok"}),
                Err(s) => merge(
                    json!({"index": i, "kid": kid, "thumbprint": null}),
                    status_json(*s),
                ),
            })
            .collect();
        print_json(&json!({"keys": keys}));
    } else {
        for (kid, r) in &results {
            let kid = kid
                .as_deref()
                .map(|k| format!("  kid={k}"))
                .unwrap_or_default();
            match r {
                Ok(t) => println!("{t}{kid}"),
                Err(s) => println!("REJECTED {} ({}): {}{kid}", s.name(), s.code(), s.message()),
            }
        }
    }
    Ok(if ok { Outcome::Ok } else { Outcome::Rejected })
}
