//! Warnings about the JWT traps users report (istio.md §5), each with a suggested fix.

use alloc::string::String;
use alloc::vec::Vec;

use super::{Action, Attribute, AuthorizationPolicy, Rule};

/// The kind of trap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WarningKind {
    /// `*/*`: any `iss` but `sub` equal to the literal `*`, not "anything".
    StarSlashStar,
    /// An exact principal whose `sub` contains `/`: split at the last `/`, it can never match.
    SubjectContainsSlash,
    /// A claim condition whose value looks like a number or bool, or on a numeric registered
    /// claim: numbers and bools never match.
    NonStringClaim,
    /// `request.auth.*` / request principals in a rule not limited to HTTP ports: on non-HTTP
    /// traffic Istio drops an ALLOW rule and ignores the condition of a DENY rule.
    HttpOnlyAttribute,
}

/// One warning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// The kind.
    pub kind: WarningKind,
    /// The policy name.
    pub policy: String,
    /// The rule index.
    pub rule: usize,
    /// The field, e.g. `rules[0].from[0].source.requestPrincipals[1]`.
    pub field: String,
    /// What goes wrong.
    pub message: String,
    /// The suggested fix.
    pub fix: String,
}

/// Registered claims that are numbers.
const NUMERIC_CLAIMS: &[&str] = &["exp", "iat", "nbf", "auth_time"];

/// Lints `policies`. `issuers` (the configured `jwtRules` issuers, may be empty) sharpen the
/// `SubjectContainsSlash` check.
pub fn lint(policies: &[AuthorizationPolicy], issuers: &[&str]) -> Vec<Warning> {
    let mut out = Vec::new();
    for p in policies {
        for (ri, rule) in p.rules.iter().enumerate() {
            let mut push = |kind, field: String, message: String, fix: String| {
                out.push(Warning {
                    kind,
                    policy: p.name.clone(),
                    rule: ri,
                    field,
                    message,
                    fix,
                })
            };
            let base = alloc::format!("rules[{ri}]");
            // Every principal value of the rule, with its field path.
            let mut principals: Vec<(String, &str)> = Vec::new();
            for (fi, s) in rule.from.iter().enumerate() {
                for (name, list) in [
                    ("requestPrincipals", &s.request_principals),
                    ("notRequestPrincipals", &s.not_request_principals),
                ] {
                    for (vi, v) in list.iter().enumerate() {
                        principals
                            .push((alloc::format!("{base}.from[{fi}].source.{name}[{vi}]"), v));
                    }
                }
            }
            for (wi, c) in rule.when.iter().enumerate() {
                for (name, list) in [("values", &c.values), ("notValues", &c.not_values)] {
                    for (vi, v) in list.iter().enumerate() {
                        let field = alloc::format!("{base}.when[{wi}].{name}[{vi}]");
                        match &c.attribute {
                            Attribute::Principal => principals.push((field, v)),
                            Attribute::Claims(path) => {
                                let last = path.last().map(String::as_str).unwrap_or("");
                                if looks_non_string(v) || NUMERIC_CLAIMS.contains(&last) {
                                    push(
                                        WarningKind::NonStringClaim,
                                        field,
                                        alloc::format!(
                                            "{}: if the claim is a JSON number or bool it never matches \
                                             (only strings and lists of strings do){}",
                                            c.key,
                                            if name == "notValues" {
                                                ", so notValues always holds"
                                            } else {
                                                ""
                                            }
                                        ),
                                        "have the issuer emit the claim as a string (e.g. \"true\"), or \
                                         match another string claim"
                                            .into(),
                                    );
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            for (field, v) in &principals {
                if *v == "*/*" {
                    push(
                        WarningKind::StarSlashStar,
                        field.clone(),
                        "\"*/*\" means any iss with sub equal to the literal \"*\", not any principal"
                            .into(),
                        "use \"*\" for any authenticated request, or \"<issuer>/*\" for any subject \
                         of one issuer"
                            .into(),
                    );
                } else if let Some((iss, sub)) = slash_in_subject(v, issuers) {
                    push(
                        WarningKind::SubjectContainsSlash,
                        field.clone(),
                        alloc::format!(
                            "\"{v}\" is split at its last '/', so a sub containing '/' (here \"{sub}\" \
                             of issuer \"{iss}\") can never match"
                        ),
                        alloc::format!(
                            "match the claims separately: when: [{{key: request.auth.claims[iss], \
                             values: [\"{iss}\"]}}, {{key: request.auth.claims[sub], values: [\"{sub}\"]}}]"
                        ),
                    );
                }
            }
            if uses_identity(rule) && !rule.to.iter().any(|o| !o.ports.is_empty()) {
                push(
                    WarningKind::HttpOnlyAttribute,
                    base.clone(),
                    match p.action {
                        Action::Deny => "request principals and request.auth.* are HTTP-only: on a \
                                         non-HTTP port Istio ignores them, so this DENY rule denies \
                                         all of that traffic"
                            .into(),
                        Action::Allow => "request principals and request.auth.* are HTTP-only: on a \
                                          non-HTTP port Istio drops this ALLOW rule, so it allows \
                                          none of that traffic"
                            .into(),
                    },
                    "limit the rule to HTTP ports with to: [{operation: {ports: [...]}}], or select \
                     only workloads whose ports all speak HTTP"
                        .into(),
                );
            }
        }
    }
    out
}

fn uses_identity(rule: &Rule) -> bool {
    !rule.from.is_empty() || !rule.when.is_empty()
}

fn looks_non_string(v: &str) -> bool {
    v == "true"
        || v == "false"
        || (!v.is_empty()
            && crate::json::parse(v.as_bytes(), 1)
                .is_ok_and(|x| matches!(x, crate::json::Value::Number(_))))
}

/// For an exact principal (no `*` at either end): the (issuer, subject) it was meant as, when the
/// subject contains `/`. Known issuers decide; without one, an issuer URL whose path contains
/// `:` (GitHub Actions `repo:org/repo:ref:…`) or a `spiffe://` subject gives it away.
fn slash_in_subject<'v>(v: &'v str, issuers: &[&str]) -> Option<(&'v str, &'v str)> {
    if v.starts_with('*') || v.ends_with('*') {
        return None;
    }
    let (iss_part, _) = v.rsplit_once('/')?;
    if issuers.contains(&iss_part) {
        return None;
    }
    for iss in issuers {
        if let Some(sub) = v.strip_prefix(iss).and_then(|r| r.strip_prefix('/')) {
            if sub.contains('/') {
                return Some((&v[..iss.len()], sub));
            }
        }
    }
    if let Some(i) = v.get(1..).and_then(|r| r.find("spiffe://")).map(|i| i + 1) {
        if v.as_bytes()[i - 1] == b'/' {
            return Some((&v[..i - 1], &v[i..]));
        }
    }
    let after_scheme = v.find("://").map(|i| i + 3)?;
    let host_end = after_scheme + v[after_scheme..].find('/')?;
    let path = &v[host_end..];
    let colon = path.find(':')?;
    let sub_start = path[..colon].rfind('/')? + 1;
    let iss = &v[..host_end + sub_start - 1];
    let sub = &v[host_end + sub_start..];
    sub.contains('/').then_some((iss, sub))
}
