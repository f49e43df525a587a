//! `meshauth jwks-diff OLD NEW`: whether a key set changed (core `jwks_compare::changed`) and
//! which keys were added, removed or modified (core `jwks_compare::diff`).

use clap::Args;
use meshauth_core::jwks_compare::{changed, diff, KeyName};
use serde_json::{json, Value};

use crate::fetch::read_source;
use crate::util::{merge, print_json, status_json};
use crate::{NetArgs, Outcome};

/// Arguments of `meshauth jwks-diff`.
#[derive(Args)]
pub struct JwksDiffArgs {
    /// The old key set (file, `-` or http(s) URL).
    old: String,
    /// The new key set (file, `-` or http(s) URL).
    new: String,
    /// Print one JSON document.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    net: NetArgs,
}

fn names(v: &[KeyName]) -> Value {
    Value::Array(
        v.iter()
            .map(|k| json!({"kind": k.kind(), "name": k.as_str()}))
            .collect(),
    )
}

/// Runs `meshauth jwks-diff`. Exit 0 when the new set is usable (changed or not), 1 when it is
/// not (the host would keep the old keys), 2 on I/O errors.
pub fn run(a: &JwksDiffArgs) -> Result<Outcome, String> {
    let opts = a.net.options();
    let old = read_source(&a.old, &opts)?;
    let new = read_source(&a.new, &opts)?;
    let result = changed(&old, &new).and_then(|c| diff(&old, &new).map(|d| (c, d)));
    match result {
        Ok((c, d)) => {
            if a.json {
                print_json(&json!({
                    "changed": c,
                    "added": names(&d.added),
                    "removed": names(&d.removed),
                    "modified": names(&d.modified),
                }));
            } else {
                println!("{}", if c { "CHANGED" } else { "UNCHANGED" });
                for (label, list) in [("+", &d.added), ("-", &d.removed), ("~", &d.modified)] {
                    for k in list {
                        println!("  {label} {k}");
                    }
                }
                if c && d.is_empty() {
                    println!("  (the keys are the same; members outside `keys` differ)");
                }
            }
            Ok(Outcome::Ok)
        }
        Err(s) => {
            if a.json {
                print_json(&merge(json!({"changed": null}), status_json(s)));
            } else {
                println!(
                    "REJECTED {} ({}): {}: the new key set is not usable; a host keeps the old keys",
                    s.name(),
                    s.code(),
                    s.message()
                );
            }
            Ok(Outcome::Rejected)
        }
    }
}
