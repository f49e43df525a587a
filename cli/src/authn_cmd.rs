//! `meshauth authn`: Istio `RequestAuthentication` for one request (core
//! `authn::Authenticator::from_json` + `authenticate`). Providers with a remote `jwksUri` get their
//! keys fetched; a fetch that fails leaves them without keys (they fail closed).

use std::sync::Arc;

use clap::Args;
use meshauth_core::authn::{Authenticator, Outcome as AuthnOutcome, RequestView};
use meshauth_core::Jwks;
use serde_json::{json, Value};

use crate::istio_config::read_config;
use crate::util::{claim_json, print_json, status_json};
use crate::{now_or, NetArgs, Outcome};

/// The request to evaluate (shared by `authn` and `authz`).
#[derive(Args, Clone, Debug)]
pub struct RequestArgs {
    /// A request header, `Name: value` (repeatable), e.g. `Authorization: Bearer $TOKEN`.
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// The query string, without `?`.
    #[arg(long, default_value = "")]
    query: String,
    /// The method.
    #[arg(long, default_value = "GET")]
    method: String,
    /// The path.
    #[arg(long, default_value = "/")]
    path: String,
    /// The host (`:authority`).
    #[arg(long, default_value = "")]
    host: String,
    /// The destination port (for `ports` rules; 0 = unknown).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Verification time, Unix seconds (default: now).
    #[arg(long, value_name = "UNIX")]
    now: Option<i64>,
}

impl RequestArgs {
    /// The headers as (name, value) pairs; a header without `:` is a usage error.
    pub fn header_pairs(&self) -> Result<Vec<(String, String)>, String> {
        self.headers
            .iter()
            .map(|h| {
                h.split_once(':')
                    .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
                    .filter(|(n, _)| !n.is_empty())
                    .ok_or_else(|| format!("--header {h:?}: expected 'Name: value'"))
            })
            .collect()
    }

    /// The request time.
    pub fn now(&self) -> i64 {
        now_or(self.now)
    }

    /// A view of the request over `headers` (from [`RequestArgs::header_pairs`]).
    pub fn view<'a>(&'a self, headers: &'a [(&'a str, &'a str)]) -> RequestView<'a> {
        RequestView {
            method: &self.method,
            scheme: "https",
            host: &self.host,
            path: &self.path,
            query: self.query.strip_prefix('?').unwrap_or(&self.query),
            port: self.port,
            headers,
            cookies: &[],
        }
    }
}

/// Arguments of `meshauth authn`.
#[derive(Args)]
pub struct AuthnArgs {
    /// RequestAuthentication, JSON or YAML: a resource, a bare spec (`{"jwtRules": [...]}`),
    /// several (a JSON array, or YAML documents separated by `---`) or kubectl's `List`.
    #[arg(long, value_name = "FILE")]
    config: String,
    #[command(flatten)]
    request: RequestArgs,
    /// Print one JSON document.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    net: NetArgs,
}

/// Reads the authenticator from `path` and fetches the keys of providers with a `jwksUri`.
pub fn load_authenticator(path: &str, net: &NetArgs) -> Result<Authenticator, String> {
    let opts = net.options();
    let data = read_config(path, &opts)?;
    let mut auth = Authenticator::from_json(&data).map_err(|e| format!("{path}: {e}"))?;
    if auth.providers().is_empty() {
        eprintln!("meshauth: warning: {path} holds no RequestAuthentication: no token is required");
    }
    let uris: Vec<String> = auth
        .providers()
        .iter()
        .filter(|p| p.keys.is_none())
        .filter_map(|p| p.jwks_uri.clone())
        .collect();
    for uri in uris {
        let keys = match crate::fetch::fetch(&uri, &opts) {
            Ok((body, _)) => match Jwks::from_json(&body) {
                Ok(k) => Some(Arc::new(k)),
                Err(s) => {
                    eprintln!("meshauth: {uri}: {} (its provider fails closed)", s.name());
                    None
                }
            },
            Err(e) => {
                eprintln!("meshauth: {e} (its provider fails closed)");
                None
            }
        };
        auth.set_remote_keys(&uri, keys);
    }
    Ok(auth)
}

/// The outcome as JSON: `{"outcome", "status", "code", "message", "http_status",
/// "www_authenticate", "issuer", "subject", "principal", "claims", "headers_to_set",
/// "headers_to_remove"}` (absent parts `null`).
pub fn outcome_json(o: &AuthnOutcome) -> Value {
    let base = |kind: &str, remove: &Vec<String>| {
        json!({"outcome": kind, "status": "Ok", "code": 0, "message": "OK", "http_status": null,
               "www_authenticate": null, "issuer": null, "subject": null, "principal": null,
               "claims": null, "headers_to_set": {}, "headers_to_remove": remove})
    };
    match o {
        AuthnOutcome::NoToken { headers_to_remove } => base("no_token", headers_to_remove),
        AuthnOutcome::CorsPreflight { headers_to_remove } => {
            base("cors_preflight", headers_to_remove)
        }
        AuthnOutcome::Authenticated {
            issuer,
            subject,
            claims,
            headers_to_set,
            headers_to_remove,
        } => {
            let mut d = base("authenticated", headers_to_remove);
            d["issuer"] = json!(issuer);
            d["subject"] = json!(subject);
            d["principal"] = json!(match (issuer, subject) {
                (Some(i), Some(s)) => Some(format!("{i}/{s}")),
                _ => None,
            });
            d["claims"] = claim_json(claims);
            d["headers_to_set"] = Value::Object(
                headers_to_set
                    .iter()
                    .map(|(n, v)| (n.clone(), Value::String(v.clone())))
                    .collect(),
            );
            d
        }
        AuthnOutcome::Rejected {
            status,
            http_status,
            www_authenticate,
        } => {
            let mut d = base("rejected", &Vec::new());
            for (k, v) in status_json(*status).as_object().into_iter().flatten() {
                d[k] = v.clone();
            }
            d["http_status"] = json!(http_status);
            d["www_authenticate"] = json!(www_authenticate);
            d
        }
    }
}

/// Prints the outcome as text.
pub fn print_outcome(o: &AuthnOutcome) {
    match o {
        AuthnOutcome::NoToken { .. } => {
            println!("authn: NO TOKEN (passes authentication with no identity; a policy must require one)")
        }
        AuthnOutcome::CorsPreflight { .. } => {
            println!("authn: CORS PREFLIGHT (verification bypassed)")
        }
        AuthnOutcome::Authenticated {
            issuer,
            subject,
            headers_to_set,
            ..
        } => {
            println!(
                "authn: AUTHENTICATED principal {}/{}",
                issuer.as_deref().unwrap_or(""),
                subject.as_deref().unwrap_or("")
            );
            for (n, v) in headers_to_set {
                println!("  set header {n}: {v}");
            }
        }
        AuthnOutcome::Rejected {
            status,
            http_status,
            www_authenticate,
        } => {
            println!(
                "authn: REJECTED {} ({}): {} -> HTTP {http_status}",
                status.name(),
                status.code(),
                status.message()
            );
            println!("  WWW-Authenticate: {www_authenticate}");
        }
    }
}

/// Runs `meshauth authn`. Exit 1 when authentication rejects the request.
pub fn run(a: &AuthnArgs) -> Result<Outcome, String> {
    let auth = load_authenticator(&a.config, &a.net)?;
    let pairs = a.request.header_pairs()?;
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let req = a.request.view(&refs);
    let o = auth.authenticate(&req, a.request.now());
    if a.json {
        print_json(&outcome_json(&o));
    } else {
        print_outcome(&o);
    }
    Ok(if matches!(o, AuthnOutcome::Rejected { .. }) {
        Outcome::Rejected
    } else {
        Outcome::Ok
    })
}
