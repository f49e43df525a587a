//! The request-identity parts of Istio's `AuthorizationPolicy` (1.21.4+ / master semantics).
//!
//! - `requestPrincipals` / `notRequestPrincipals`: each value is split at the **last** `/` and
//!   `iss` and `sub` are matched separately ([`PrincipalMatcher`]); `*` needs both non-empty;
//!   `notRequestPrincipals` matches a request with no JWT.
//! - `when` on `request.auth.principal`, `request.auth.audiences`, `request.auth.presenter` and
//!   `request.auth.claims[a][b]…`: a value matches a string claim or any string element of a list
//!   claim; numbers and bools never match ([`StringMatch`] for `*`, `abc*`, `*abc`, exact).
//! - `paths`/`notPaths`, `methods`/`notMethods`, `hosts`/`notHosts`, `ports`/`notPorts`.
//! - ALLOW/DENY: any matching DENY rule denies; if ALLOW policies exist one rule must match.
//!   Inside a rule: `from` entries ORed, `to` entries ORed, `when` conditions ANDed; inside a
//!   source or operation, fields ANDed and the values of one field ORed.
//!
//! Policies are read from JSON with [`parse_policies`]; [`lint`] warns about known traps.

mod config;
mod lint;

use alloc::string::String;
use alloc::vec::Vec;

use crate::authn::{Claim, ConfigError, Outcome, RequestView};

pub use config::parse_policies;
pub use lint::{lint, Warning, WarningKind};

/// What a policy does when one of its rules matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Allow (the default).
    Allow,
    /// Deny.
    Deny,
}

/// An `AuthorizationPolicy`.
#[derive(Clone, Debug, PartialEq)]
pub struct AuthorizationPolicy {
    /// `metadata.name` (or `policy-<index>` for a bare spec).
    pub name: String,
    /// `action`.
    pub action: Action,
    /// `rules`; an ALLOW policy without rules allows nothing, a rule with no fields matches
    /// everything.
    pub rules: Vec<Rule>,
}

/// A rule: `from`, `to`, `when`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rule {
    /// `from[].source` (ORed; empty = any).
    pub from: Vec<Source>,
    /// `to[].operation` (ORed; empty = any).
    pub to: Vec<Operation>,
    /// `when` (ANDed).
    pub when: Vec<Condition>,
}

/// The request-identity fields of a `source`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Source {
    /// `requestPrincipals`.
    pub request_principals: Vec<String>,
    /// `notRequestPrincipals`.
    pub not_request_principals: Vec<String>,
}

/// An `operation`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Operation {
    /// `hosts` (case-insensitive; an exact host also matches `host:port`).
    pub hosts: Vec<String>,
    /// `notHosts`.
    pub not_hosts: Vec<String>,
    /// `methods`.
    pub methods: Vec<String>,
    /// `notMethods`.
    pub not_methods: Vec<String>,
    /// `paths` (the path without the query).
    pub paths: Vec<String>,
    /// `notPaths`.
    pub not_paths: Vec<String>,
    /// `ports`.
    pub ports: Vec<String>,
    /// `notPorts`.
    pub not_ports: Vec<String>,
}

/// What a `when` condition reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attribute {
    /// `request.auth.principal` (matched like `requestPrincipals`).
    Principal,
    /// `request.auth.audiences` (`aud`).
    Audiences,
    /// `request.auth.presenter` (`azp`).
    Presenter,
    /// `request.auth.claims[a][b]…`: the nested claim path.
    Claims(Vec<String>),
}

/// A `when` condition.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// The key as written.
    pub key: String,
    /// What it reads.
    pub attribute: Attribute,
    /// `values` (ORed; empty = no constraint).
    pub values: Vec<String>,
    /// `notValues`.
    pub not_values: Vec<String>,
}

/// The result of [`evaluate`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request may proceed.
    pub allowed: bool,
    /// The policy whose rule decided (a DENY match, or the ALLOW match).
    pub matched_policy: Option<String>,
    /// The index of that rule.
    pub matched_rule: Option<usize>,
}

/// Istio's `StringMatcherWithPrefix`: `*` = present and non-empty, `*abc` = suffix (tested
/// first), `abc*` = prefix, anything else exact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StringMatch {
    /// `.+`
    Present,
    /// Exact.
    Exact(String),
    /// Prefix.
    Prefix(String),
    /// Suffix.
    Suffix(String),
}

impl StringMatch {
    /// The matcher for a policy value.
    pub fn from_value(v: &str) -> StringMatch {
        if v == "*" {
            StringMatch::Present
        } else if let Some(s) = v.strip_prefix('*') {
            StringMatch::Suffix(s.into())
        } else if let Some(p) = v.strip_suffix('*') {
            StringMatch::Prefix(p.into())
        } else {
            StringMatch::Exact(v.into())
        }
    }

    /// Whether `s` matches.
    pub fn matches(&self, s: &str) -> bool {
        match self {
            StringMatch::Present => !s.is_empty(),
            StringMatch::Exact(e) => s == e,
            StringMatch::Prefix(p) => s.starts_with(p.as_str()),
            StringMatch::Suffix(x) => s.ends_with(x.as_str()),
        }
    }

    fn matches_ignore_case(&self, s: &str) -> bool {
        let lower = |x: &str| x.to_ascii_lowercase();
        match self {
            StringMatch::Present => !s.is_empty(),
            StringMatch::Exact(e) => s.eq_ignore_ascii_case(e),
            StringMatch::Prefix(p) => lower(s).starts_with(&lower(p)),
            StringMatch::Suffix(x) => lower(s).ends_with(&lower(x)),
        }
    }
}

/// A `requestPrincipals` value compiled to matchers on `iss` and `sub`
/// (`requestPrincipalGenerator.extendedPrincipal`, 1.21.4+).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrincipalMatcher {
    /// The matcher on the `iss` claim.
    pub iss: StringMatch,
    /// The matcher on the `sub` claim.
    pub sub: StringMatch,
}

impl PrincipalMatcher {
    /// Compiles `v` as Istio does: split at the last `/`.
    pub fn new(v: &str) -> PrincipalMatcher {
        use StringMatch::*;
        let split = v.rfind('/').map(|i| (&v[..i], &v[i + 1..]));
        let (iss, sub) = if v == "*" {
            (Present, Present)
        } else if let Some(rest) = v.strip_prefix('*') {
            match split {
                Some((iss, sub)) => (
                    if iss == "*" {
                        Present
                    } else {
                        Suffix(iss.strip_prefix('*').unwrap_or(iss).into())
                    },
                    Exact(sub.into()),
                ),
                None => (Present, Suffix(rest.into())),
            }
        } else if let Some(rest) = v.strip_suffix('*') {
            match split {
                Some((iss, sub)) => (
                    Exact(iss.into()),
                    if sub == "*" {
                        Present
                    } else {
                        Prefix(sub.strip_suffix('*').unwrap_or(sub).into())
                    },
                ),
                None => (Prefix(rest.into()), Present),
            }
        } else {
            match split {
                Some((iss, sub)) => (Exact(iss.into()), Exact(sub.into())),
                None => (Exact(v.into()), Exact(String::new())),
            }
        };
        PrincipalMatcher { iss, sub }
    }

    /// Whether the payload's `iss` and `sub` (both must be strings) match.
    pub fn matches(&self, claims: Option<&Claim>) -> bool {
        let Some(c) = claims else { return false };
        match (
            c.get("iss").and_then(Claim::as_str),
            c.get("sub").and_then(Claim::as_str),
        ) {
            (Some(iss), Some(sub)) => self.iss.matches(iss) && self.sub.matches(sub),
            _ => false,
        }
    }
}

/// Istio's `extractNameInNestedBrackets`: `[a][b]` → `["a","b"]`. A segment ends at a `]` that
/// is followed by `[` or ends the text, so `[[a]]` → `["[a]"]` and `[]` → `[""]`.
pub fn claim_path(s: &str) -> Result<Vec<String>, &'static str> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut begin = 0;
    while begin < b.len() {
        if b[begin] != b'[' {
            return Err("expected `[`");
        }
        let end = (begin + 1..b.len())
            .find(|&i| b[i] == b']' && (i + 1 == b.len() || b[i + 1] == b'['))
            .ok_or("missing closing `]`")?;
        out.push(String::from(&s[begin + 1..end]));
        begin = end + 1;
    }
    if out.is_empty() {
        return Err("expected `[name]`");
    }
    Ok(out)
}

/// A claim value matches a string or any string element of a list; nothing else.
fn claim_matches(value: Option<&Claim>, m: &StringMatch) -> bool {
    match value {
        Some(Claim::String(s)) => m.matches(s),
        Some(Claim::List(items)) => items
            .iter()
            .any(|i| matches!(i, Claim::String(s) if m.matches(s))),
        _ => false,
    }
}

/// `values` ORed, then `notValues` NOT(OR): each given as a predicate over one value.
fn field(values: &[String], not_values: &[String], one: impl Fn(&str) -> bool) -> bool {
    (values.is_empty() || values.iter().any(|v| one(v)))
        && (not_values.is_empty() || !not_values.iter().any(|v| one(v)))
}

fn host_matches(v: &str, host: &str) -> bool {
    let m = StringMatch::from_value(v);
    if m.matches_ignore_case(host) {
        return true;
    }
    // An exact host also matches the authority with a port.
    match (&m, host.rsplit_once(':')) {
        (StringMatch::Exact(e), Some((h, port))) if port.bytes().all(|c| c.is_ascii_digit()) => {
            h.eq_ignore_ascii_case(e)
        }
        _ => false,
    }
}

impl Source {
    fn matches(&self, claims: Option<&Claim>) -> bool {
        field(
            &self.request_principals,
            &self.not_request_principals,
            |v| PrincipalMatcher::new(v).matches(claims),
        )
    }
}

impl Operation {
    fn matches(&self, req: &RequestView<'_>) -> bool {
        let host = req.authority();
        let port = alloc::format!("{}", req.port);
        field(&self.hosts, &self.not_hosts, |v| host_matches(v, host))
            && field(&self.methods, &self.not_methods, |v| {
                StringMatch::from_value(v).matches(req.method)
            })
            && field(&self.paths, &self.not_paths, |v| {
                StringMatch::from_value(v).matches(req.path)
            })
            && field(&self.ports, &self.not_ports, |v| req.port != 0 && v == port)
    }
}

impl Condition {
    fn matches(&self, claims: Option<&Claim>) -> bool {
        field(&self.values, &self.not_values, |v| match &self.attribute {
            Attribute::Principal => PrincipalMatcher::new(v).matches(claims),
            Attribute::Audiences => claim_matches(
                claims.and_then(|c| c.get("aud")),
                &StringMatch::from_value(v),
            ),
            Attribute::Presenter => claim_matches(
                claims.and_then(|c| c.get("azp")),
                &StringMatch::from_value(v),
            ),
            Attribute::Claims(path) => claim_matches(
                claims.and_then(|c| c.lookup(path.iter().map(String::as_str))),
                &StringMatch::from_value(v),
            ),
        })
    }
}

impl Rule {
    /// Whether the rule matches the request and identity (`claims` = `None` without a JWT).
    pub fn matches(&self, req: &RequestView<'_>, claims: Option<&Claim>) -> bool {
        (self.from.is_empty() || self.from.iter().any(|s| s.matches(claims)))
            && (self.to.is_empty() || self.to.iter().any(|o| o.matches(req)))
            && self.when.iter().all(|c| c.matches(claims))
    }
}

impl AuthorizationPolicy {
    /// Parses JSON (see [`parse_policies`]).
    pub fn from_json(input: &[u8]) -> Result<Vec<AuthorizationPolicy>, ConfigError> {
        parse_policies(input)
    }

    fn first_match(&self, req: &RequestView<'_>, claims: Option<&Claim>) -> Option<usize> {
        self.rules.iter().position(|r| r.matches(req, claims))
    }
}

/// Istio's evaluation: any matching DENY rule denies; then, if ALLOW policies exist, one of
/// their rules must match. A [`Outcome::Rejected`] request is denied without looking at the
/// policies (authentication has already answered it with 401/403).
pub fn evaluate(
    policies: &[AuthorizationPolicy],
    req: &RequestView<'_>,
    outcome: &Outcome,
) -> Decision {
    let denied = Decision {
        allowed: false,
        matched_policy: None,
        matched_rule: None,
    };
    if matches!(outcome, Outcome::Rejected { .. }) {
        return denied;
    }
    let claims = outcome.claims();
    for p in policies.iter().filter(|p| p.action == Action::Deny) {
        if let Some(i) = p.first_match(req, claims) {
            return Decision {
                allowed: false,
                matched_policy: Some(p.name.clone()),
                matched_rule: Some(i),
            };
        }
    }
    let mut any_allow = false;
    for p in policies.iter().filter(|p| p.action == Action::Allow) {
        any_allow = true;
        if let Some(i) = p.first_match(req, claims) {
            return Decision {
                allowed: true,
                matched_policy: Some(p.name.clone()),
                matched_rule: Some(i),
            };
        }
    }
    if any_allow {
        denied
    } else {
        Decision {
            allowed: true,
            matched_policy: None,
            matched_rule: None,
        }
    }
}

/// The HTTP status the mesh answers: the authentication rejection's status (401/403), else 403
/// when the policies deny, else 200.
pub fn http_status(outcome: &Outcome, decision: &Decision) -> u16 {
    match outcome {
        Outcome::Rejected { http_status, .. } => *http_status,
        _ if decision.allowed => 200,
        _ => 403,
    }
}
