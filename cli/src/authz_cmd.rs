//! `meshauth authz`: Istio `AuthorizationPolicy` (JWT parts) for one request (core
//! `policy::parse_policies`, `evaluate`, `http_status` and `lint`), after request authentication
//! with `--config` (without it the request has no identity).

use clap::Args;
use meshauth_core::authn::{Authenticator, Outcome as AuthnOutcome};
use meshauth_core::policy::{evaluate, http_status, lint, parse_policies};
use serde_json::{json, Value};

use crate::authn_cmd::{load_authenticator, outcome_json, print_outcome, RequestArgs};
use crate::istio_config::read_config;
use crate::util::print_json;
use crate::{NetArgs, Outcome};

/// Arguments of `meshauth authz`.
#[derive(Args)]
pub struct AuthzArgs {
    /// AuthorizationPolicy, JSON or YAML: a resource, a bare spec, several (a JSON array, or YAML
    /// documents) or kubectl's `List`; other kinds are skipped, so one file may hold both.
    #[arg(long, value_name = "FILE")]
    policy: String,
    /// RequestAuthentication, JSON or YAML (default: none, the request has no identity).
    #[arg(long, value_name = "FILE")]
    config: Option<String>,
    #[command(flatten)]
    request: RequestArgs,
    /// Print one JSON document.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    net: NetArgs,
}

/// Runs `meshauth authz`. Exit 0 when the mesh answers 200, 1 when it answers 401/403.
pub fn run(a: &AuthzArgs) -> Result<Outcome, String> {
    let data = read_config(&a.policy, &a.net.options())?;
    let policies = parse_policies(&data).map_err(|e| format!("{}: {e}", a.policy))?;
    if policies.is_empty() {
        eprintln!(
            "meshauth: warning: {} holds no AuthorizationPolicy: every request is allowed",
            a.policy
        );
    }
    let auth = match &a.config {
        Some(c) => load_authenticator(c, &a.net)?,
        None => Authenticator::new(Vec::new()),
    };
    let issuers: Vec<&str> = auth.providers().iter().map(|p| p.issuer.as_str()).collect();
    let warnings = lint(&policies, &issuers);
    let pairs = a.request.header_pairs()?;
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let req = a.request.view(&refs);
    let o = auth.authenticate(&req, a.request.now());
    let d = evaluate(&policies, &req, &o);
    let status = http_status(&o, &d);
    if a.json {
        let w: Vec<Value> = warnings
            .iter()
            .map(|w| {
                json!({"kind": format!("{:?}", w.kind), "policy": w.policy, "rule": w.rule,
                       "field": w.field, "message": w.message, "fix": w.fix})
            })
            .collect();
        print_json(&json!({
            "allowed": status == 200,
            "http_status": status,
            "decision": {"allowed": d.allowed, "matched_policy": d.matched_policy, "matched_rule": d.matched_rule},
            "authn": outcome_json(&o),
            "warnings": w,
        }));
    } else {
        print_outcome(&o);
        let by = match (&d.matched_policy, d.matched_rule) {
            (Some(p), Some(r)) => format!(" (policy {p}, rule {r})"),
            _ if matches!(o, AuthnOutcome::Rejected { .. }) => " (authentication failed)".into(),
            _ if d.allowed => " (no ALLOW policy applies)".into(),
            _ => " (no ALLOW rule matched)".into(),
        };
        println!(
            "authz: {}{by} -> HTTP {status}",
            if d.allowed { "ALLOW" } else { "DENY" }
        );
        // One line per policy and trap, naming every field it was found at (Istio's own samples
        // repeat one trap on every rule).
        let mut groups: Vec<(&str, &str, &str, Vec<&str>)> = Vec::new();
        for w in &warnings {
            let key = (w.policy.as_str(), w.message.as_str(), w.fix.as_str());
            match groups.iter_mut().find(|g| (g.0, g.1, g.2) == key) {
                Some(g) => g.3.push(&w.field),
                None => groups.push((key.0, key.1, key.2, vec![&w.field])),
            }
        }
        for (policy, message, fix, fields) in groups {
            println!(
                "  warning: policy {policy}, {}: {message} (fix: {fix})",
                fields.join(", ")
            );
        }
    }
    Ok(if status == 200 {
        Outcome::Ok
    } else {
        Outcome::Rejected
    })
}
