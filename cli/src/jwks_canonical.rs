//! `meshauth jwks-canonical FILE`: the canonical form of a JWKS (core
//! `jwks_compare::canonical_jwks`: sorted members, exact numbers, `keys` as a sorted multiset).

use clap::Args;
use meshauth_core::jwks_compare::canonical_jwks;
use serde_json::json;

use crate::fetch::read_source;
use crate::util::{merge, print_json, status_json};
use crate::{NetArgs, Outcome};

/// Arguments of `meshauth jwks-canonical`.
#[derive(Args)]
pub struct JwksCanonicalArgs {
    /// The key set: file, `-` or http(s) URL.
    source: String,
    /// Print one JSON document (`{"canonical": "..."}`).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    net: NetArgs,
}

/// Runs `meshauth jwks-canonical`. Exit 1 if the document is not a usable JWKS.
pub fn run(a: &JwksCanonicalArgs) -> Result<Outcome, String> {
    let data = read_source(&a.source, &a.net.options())?;
    match canonical_jwks(&data) {
        Ok(c) => {
            if a.json {
                print_json(&json!({"canonical": c, "status": "Ok"}));
            } else {
                println!("{c}");
            }
            Ok(Outcome::Ok)
        }
        Err(s) => {
            if a.json {
                print_json(&merge(json!({"canonical": null}), status_json(s)));
            } else {
                println!("REJECTED {} ({}): {}", s.name(), s.code(), s.message());
            }
            Ok(Outcome::Rejected)
        }
    }
}
