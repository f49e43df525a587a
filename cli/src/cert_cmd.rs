//! `meshauth cert FILE...`: each certificate's subject, SPIFFE ID, validity and time left (core
//! `cert::parse`), and when Istio's agent would rotate the chain (core `rotation::schedule`,
//! which uses the earliest notAfter of the chain and says which certificate set it).

use clap::Args;
use meshauth_core::cert::{self, CertInfo};
use meshauth_core::rotation::{self, Reason, NANOS_PER_SECOND};
use meshauth_core::Status;
use serde_json::{json, Value};

use crate::fetch::{read_source, FetchOptions};
use crate::rotation_cmd::{to_ns, PolicyArgs};
use crate::util::{human_duration, merge, print_json, rfc3339, status_json};
use crate::{now_or, Outcome};

/// Arguments of `meshauth cert`.
#[derive(Args)]
pub struct CertArgs {
    /// PEM bundles (leaf first) or DER certificates.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<String>,
    /// The current time, Unix seconds (default: now).
    #[arg(long, value_name = "UNIX")]
    now: Option<i64>,
    /// When the chain was received, Unix seconds (default: --now).
    #[arg(long, value_name = "UNIX")]
    created: Option<i64>,
    #[command(flatten)]
    policy: PolicyArgs,
    /// Print one JSON document.
    #[arg(long)]
    json: bool,
}

fn cert_json(i: usize, c: &CertInfo, now: i64) -> Value {
    json!({
        "index": i,
        "subject": c.subject,
        "issuer": c.issuer,
        "serial": c.serial,
        "spiffe_id": c.spiffe_id,
        "dns_names": c.dns_names,
        "is_ca": c.is_ca,
        "not_before": c.not_before,
        "not_before_rfc3339": rfc3339(c.not_before),
        "not_after": c.not_after,
        "not_after_rfc3339": rfc3339(c.not_after),
        "seconds_left": c.not_after.saturating_sub(now),
        "expired": c.not_after < now,
        "not_yet_valid": c.not_before > now,
        "fingerprint_sha256": c.fingerprint_hex(),
    })
}

/// Runs `meshauth cert`. Exit 1 if a file holds no parsable certificate chain, or a
/// certificate is expired or not yet valid; 2 on I/O or usage errors.
pub fn run(a: &CertArgs) -> Result<Outcome, String> {
    let now = now_or(a.now);
    let created = a.created.unwrap_or(now);
    let (now_ns, created_ns) = (to_ns(now, "now")?, to_ns(created, "created")?);
    let draw = a.policy.draw()?;
    let policy = a.policy.policy();
    let opts = FetchOptions {
        max_bytes: cert::MAX_INPUT as u64,
        ..FetchOptions::default()
    };
    let mut all_ok = true;
    let mut files = Vec::new();
    for path in &a.files {
        let data = read_source(path, &opts)?;
        let parsed = match cert::parse(&data) {
            Ok(c) if c.is_empty() => Err(Status::CertNotFound),
            other => other,
        };
        let chain = match parsed {
            Ok(c) => c,
            Err(s) => {
                all_ok = false;
                files.push(merge(
                    json!({"file": path, "certificates": [], "rotation": null}),
                    status_json(s),
                ));
                if !a.json {
                    println!(
                        "{path}: REJECTED {} ({}): {}",
                        s.name(),
                        s.code(),
                        s.message()
                    );
                }
                continue;
            }
        };
        let bad = chain
            .iter()
            .any(|c| c.not_after < now || c.not_before > now);
        all_ok &= !bad;
        let sched = rotation::schedule(&chain, created_ns, now_ns, policy, draw)
            .map_err(|s| format!("{}: --grace-ratio and --jitter must be in 0..1", s.name()))?;
        let limit = match sched.reason {
            Reason::LeafExpiry => 0,
            Reason::ChainCertExpiry { index } => index,
        };
        let at_s = sched.rotate_at_ns.div_euclid(NANOS_PER_SECOND);
        let rot = merge(
            json!({
                "created": created,
                "expire": sched.expire,
                "rotate_at": at_s,
                "rotate_at_ns": sched.rotate_at_ns,
                "rotate_at_rfc3339": rfc3339(at_s),
                "delay_seconds": sched.delay_ns / NANOS_PER_SECOND,
                "due": sched.delay_ns == 0,
                "limited_by_index": limit,
                "limited_by_subject": chain[limit].subject,
                "limited_by_intermediate": limit != 0,
            }),
            a.policy.describe(draw),
        );
        if a.json {
            files.push(json!({
                "file": path,
                "status": "Ok",
                "certificates": chain.iter().enumerate().map(|(i, c)| cert_json(i, c, now)).collect::<Vec<_>>(),
                "rotation": rot,
            }));
            continue;
        }
        println!("{path}: {} certificate(s)", chain.len());
        for (i, c) in chain.iter().enumerate() {
            let state = if c.not_after < now {
                format!("EXPIRED {} ago", human_duration(now - c.not_after))
            } else if c.not_before > now {
                format!("NOT YET VALID for {}", human_duration(c.not_before - now))
            } else {
                format!("{} left", human_duration(c.not_after - now))
            };
            println!(
                "  [{i}] {}{}",
                c.subject,
                if c.is_ca { " (CA)" } else { "" }
            );
            if let Some(id) = &c.spiffe_id {
                println!("      SPIFFE ID  {id}");
            }
            println!(
                "      valid      {} .. {}  ({state})",
                rfc3339(c.not_before),
                rfc3339(c.not_after)
            );
        }
        println!(
            "  rotate at {} ({}), {}; limited by [{limit}] {}{}",
            at_s,
            rfc3339(at_s),
            if sched.delay_ns == 0 {
                "due now".to_string()
            } else {
                format!("in {}", human_duration(sched.delay_ns / NANOS_PER_SECOND))
            },
            chain[limit].subject,
            if limit != 0 {
                " (expires before the leaf: Istio, which reads only the leaf, would miss it)"
            } else {
                ""
            }
        );
    }
    if a.json {
        print_json(&json!({"now": now, "ok": all_ok, "files": files}));
    }
    Ok(if all_ok {
        Outcome::Ok
    } else {
        Outcome::Rejected
    })
}
