//! `meshauth discover ISSUER`: OpenID discovery (core `discovery::config_url` and
//! `discovery::jwks_uri_with`), then the JWKS at `jwks_uri` and its key list. Also used by
//! `verify --issuer-discovery`.

use clap::Args;
use meshauth_core::discovery::{self, DiscoveryOptions};
use meshauth_core::{Jwks, Status};
use serde_json::{json, Value};

use crate::fetch::{fetch, FetchOptions};
use crate::util::{merge, print_json, status_json};
use crate::{NetArgs, Outcome};

/// Arguments of `meshauth discover`.
#[derive(Args)]
pub struct DiscoverArgs {
    /// The issuer (`iss`), e.g. `https://accounts.google.com`.
    issuer: String,
    /// Print one JSON document.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    net: NetArgs,
}

/// What discovery found.
pub struct Discovered {
    /// The configuration URL fetched.
    pub config_url: String,
    /// The `jwks_uri` it names (checked).
    pub jwks_uri: String,
    /// The JWKS document fetched from it.
    pub jwks_body: Vec<u8>,
}

/// Fetches the issuer's configuration and its JWKS. `Err` is an I/O error (exit 2);
/// `Ok(Err(status, config_url))` a bad discovery document (exit 1).
pub fn resolve(
    issuer: &str,
    opts: &FetchOptions,
) -> Result<Result<Discovered, (Status, String)>, String> {
    let config_url = discovery::config_url(issuer);
    let (doc, _) = fetch(&config_url, opts)?;
    let dopts = DiscoveryOptions {
        allow_http: opts.allow_http,
        max_bytes: usize::try_from(opts.max_bytes).unwrap_or(usize::MAX),
    };
    let jwks_uri = match discovery::jwks_uri_with(&doc, issuer, &dopts) {
        Ok(u) => u,
        Err(s) => return Ok(Err((s, config_url))),
    };
    let (jwks_body, _) = fetch(&jwks_uri, opts)?;
    Ok(Ok(Discovered {
        config_url,
        jwks_uri,
        jwks_body,
    }))
}

/// The keys of a loaded set as JSON: `[{"kid", "kty", "alg", "crv"}]`.
pub fn key_list(jwks: &Jwks) -> Value {
    Value::Array(
        jwks.keys()
            .iter()
            .map(|k| {
                json!({
                    "kid": k.kid(),
                    "kty": k.kty().name(),
                    "alg": k.alg(),
                    "crv": k.curve().map(|c| c.name()),
                })
            })
            .collect(),
    )
}

/// Runs `meshauth discover`. Exit 1 if the configuration document or the JWKS is not usable.
pub fn run(a: &DiscoverArgs) -> Result<Outcome, String> {
    let found = resolve(&a.issuer, &a.net.options())?;
    let d = match found {
        Ok(d) => d,
        Err((s, config_url)) => {
            if a.json {
                print_json(&merge(
                    json!({"issuer": a.issuer, "config_url": config_url, "jwks_uri": null, "keys": []}),
                    status_json(s),
                ));
            } else {
                println!("{config_url}");
                println!("REJECTED {} ({}): {}", s.name(), s.code(), s.message());
            }
            return Ok(Outcome::Rejected);
        }
    };
    let loaded = Jwks::from_json(&d.jwks_body);
    let (keys, status) = match &loaded {
        Ok(j) => (key_list(j), Status::Ok),
        Err(s) => (json!([]), *s),
    };
    if a.json {
        print_json(&merge(
            json!({"issuer": a.issuer, "config_url": d.config_url, "jwks_uri": d.jwks_uri, "keys": keys}),
            status_json(status),
        ));
    } else {
        println!("config:   {}", d.config_url);
        println!("jwks_uri: {}", d.jwks_uri);
        match &loaded {
            Ok(j) => {
                println!("{} key(s):", j.len());
                for k in j.keys() {
                    println!(
                        "  kid={} kty={} alg={}{}",
                        k.kid().unwrap_or("(none)"),
                        k.kty().name(),
                        k.alg().unwrap_or("(any of its family)"),
                        k.curve()
                            .map(|c| format!(" crv={}", c.name()))
                            .unwrap_or_default()
                    );
                }
            }
            Err(s) => println!("REJECTED {} ({}): {}", s.name(), s.code(), s.message()),
        }
    }
    Ok(if loaded.is_ok() {
        Outcome::Ok
    } else {
        Outcome::Rejected
    })
}
