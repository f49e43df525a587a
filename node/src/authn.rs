//! Istio request authentication (`authn::Authenticator`) and JWT authorization policies
//! (`policy`) for Node: configuration from JSON, requests from plain objects, outcomes and
//! decisions back as plain objects. Every decision is the core's.

use std::sync::Arc;

use meshauth_core::authn::{self, Claim, ConfigError, RequestView};
use meshauth_core::policy;
use napi::bindgen_prelude::*;
use napi::Unknown;
use napi_derive::napi;

use crate::{bytes, status_error_with, to_now, Jwks};

/// A configuration error: `.code`/`.status` from the status, the field path in the message
/// (`jwtRules[0].issuer: ...`) and in `.field`.
fn config_error(env: &Env, e: &ConfigError) -> Error {
    status_error_with(
        env,
        e.status,
        &format!("{}: {}", e.field, e.message),
        Some(&e.field),
    )
}

/// What the host knows about a request. `index.js` normalises headers and cookies into
/// `[name, value]` pairs before calling in.
#[napi(object)]
#[derive(Default)]
pub struct RequestInput {
    /// `:method` (default `GET`).
    pub method: Option<String>,
    /// The path, optionally with `?query`.
    pub path: Option<String>,
    /// The query without `?` (overrides one in `path`).
    pub query: Option<String>,
    /// `:authority` (else the `host` header).
    pub host: Option<String>,
    /// `:scheme` for the `WWW-Authenticate` realm.
    pub scheme: Option<String>,
    /// Destination port for `ports`/`notPorts` (0 = unknown).
    pub port: Option<u32>,
    /// Header `[name, value]` pairs (repeats allowed).
    pub headers: Option<Vec<Vec<String>>>,
    /// Cookie `[name, value]` pairs (`Cookie` headers are read too).
    pub cookies: Option<Vec<Vec<String>>>,
    /// Unix seconds (number or BigInt); default the system clock.
    pub now: Option<Either<f64, BigInt>>,
}

fn pairs(list: &Option<Vec<Vec<String>>>, what: &str) -> Result<Vec<(String, String)>> {
    list.iter()
        .flatten()
        .map(|p| match p.as_slice() {
            [n, v] => Ok((n.clone(), v.clone())),
            _ => Err(crate::invalid_arg(format!(
                "{what} must be [name, value] pairs"
            ))),
        })
        .collect()
}

/// Runs `f` with a core [`RequestView`] of `req`.
fn with_view<T>(req: &RequestInput, f: impl FnOnce(&RequestView<'_>) -> T) -> Result<T> {
    let headers = pairs(&req.headers, "headers")?;
    let cookies = pairs(&req.cookies, "cookies")?;
    let h: Vec<(&str, &str)> = headers
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let c: Vec<(&str, &str)> = cookies
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let mut view = RequestView::new(
        req.method.as_deref().unwrap_or("GET"),
        req.path.as_deref().unwrap_or("/"),
    );
    if let Some(q) = &req.query {
        view.query = q;
    }
    view.host = req.host.as_deref().unwrap_or("");
    view.scheme = req.scheme.as_deref().unwrap_or("");
    view.port = req
        .port
        .map(|p| u16::try_from(p).map_err(|_| crate::invalid_arg("port must be 0-65535")))
        .transpose()?
        .unwrap_or(0);
    view.headers = &h;
    view.cookies = &c;
    Ok(f(&view))
}

/// A claim as a JS value (numbers as `JSON.parse` reads them).
fn claim_value<'env>(env: &'env Env, c: &Claim) -> Result<Unknown<'env>> {
    Ok(match c {
        Claim::Null => Null.into_unknown(env)?,
        Claim::Bool(b) => b.into_unknown(env)?,
        Claim::Number(n) => n.parse::<f64>().unwrap_or(f64::NAN).into_unknown(env)?,
        Claim::String(s) => s.as_str().into_unknown(env)?,
        Claim::List(items) => {
            let mut arr = env.create_array(u32::try_from(items.len()).unwrap_or(u32::MAX))?;
            for (i, item) in items.iter().enumerate() {
                arr.set(
                    u32::try_from(i).unwrap_or(u32::MAX),
                    claim_value(env, item)?,
                )?;
            }
            arr.to_unknown()
        }
        Claim::Object(members) => {
            let mut obj = Object::new(env)?;
            for (k, v) in members {
                obj.set(k.as_str(), claim_value(env, v)?)?;
            }
            obj.to_unknown()
        }
    })
}

/// The result of [`Authenticator::authenticate`]: the core outcome, kept for
/// `Policy.evaluate`, and its plain-object view.
#[napi]
pub struct AuthOutcome {
    inner: authn::Outcome,
}

#[napi]
impl AuthOutcome {
    /// The outcome as a plain object: `{ kind, status?, code?, httpStatus?, wwwAuthenticate?,
    /// issuer?, subject?, claims?, headersToSet, headersToRemove }`.
    #[napi(ts_return_type = "AuthenticationOutcome")]
    pub fn view<'env>(&self, env: &'env Env) -> Result<Object<'env>> {
        let mut out = Object::new(env)?;
        let (kind, remove, set): (&str, &[String], &[(String, String)]) = match &self.inner {
            authn::Outcome::NoToken { headers_to_remove } => ("noToken", headers_to_remove, &[]),
            authn::Outcome::CorsPreflight { headers_to_remove } => {
                ("corsPreflight", headers_to_remove, &[])
            }
            authn::Outcome::Authenticated {
                issuer,
                subject,
                claims,
                headers_to_set,
                headers_to_remove,
            } => {
                if let Some(i) = issuer {
                    out.set("issuer", i.as_str())?;
                }
                if let Some(s) = subject {
                    out.set("subject", s.as_str())?;
                }
                out.set("claims", claim_value(env, claims)?)?;
                ("authenticated", headers_to_remove, headers_to_set)
            }
            authn::Outcome::Rejected {
                status,
                http_status,
                www_authenticate,
            } => {
                out.set("status", u32::from(status.code()))?;
                out.set("code", status.name())?;
                out.set("message", status.message())?;
                out.set("httpStatus", u32::from(*http_status))?;
                out.set("wwwAuthenticate", www_authenticate.as_str())?;
                ("rejected", &[], &[])
            }
        };
        out.set("kind", kind)?;
        let set: Vec<Vec<String>> = set
            .iter()
            .map(|(n, v)| vec![n.clone(), v.clone()])
            .collect();
        out.set("headersToSet", set)?;
        out.set("headersToRemove", remove.to_vec())?;
        Ok(out)
    }
}

/// Istio `RequestAuthentication` (Envoy's jwt_authn filter) built from JSON in Istio's field
/// names: resources, bare specs, or arrays of them.
#[napi]
pub struct Authenticator {
    inner: authn::Authenticator,
}

#[napi]
impl Authenticator {
    /// Parses the configuration; throws `ConfigInvalid`/`ConfigUnsupported` (or the JWKS status
    /// of an inline `jwks`) with the field path in the message and in `.field`.
    #[napi(constructor, catch_unwind)]
    pub fn new(env: Env, config: Either<String, Uint8Array>) -> Result<Authenticator> {
        authn::Authenticator::from_json(bytes(&config))
            .map(|inner| Authenticator { inner })
            .map_err(|e| config_error(&env, &e))
    }

    /// Authenticates a request at `request.now` (default the clock).
    #[napi(catch_unwind)]
    pub fn authenticate(&self, request: RequestInput) -> Result<AuthOutcome> {
        let now = to_now(request.now.as_ref())?;
        let inner = with_view(&request, |v| self.inner.authenticate(v, now))?;
        Ok(AuthOutcome { inner })
    }

    /// Sets the keys of every provider whose `jwksUri` is `uri` (`null`: unavailable, requests
    /// with its tokens fail closed). Returns how many providers were updated.
    #[napi]
    pub fn set_keys(&mut self, jwks_uri: String, jwks: Option<&Jwks>) -> u32 {
        let keys = jwks.map(|j| Arc::clone(&j.inner));
        u32::try_from(self.inner.set_remote_keys(&jwks_uri, keys)).unwrap_or(u32::MAX)
    }

    /// The distinct `jwksUri`s of the providers (for the host to fetch), in provider order.
    #[napi(getter)]
    pub fn jwks_uris(&self) -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for p in self.inner.providers() {
            if let Some(u) = &p.jwks_uri {
                if !v.contains(u) {
                    v.push(u.clone());
                }
            }
        }
        v
    }

    /// The issuers of the providers, in order.
    #[napi(getter)]
    pub fn issuers(&self) -> Vec<String> {
        self.inner
            .providers()
            .iter()
            .map(|p| p.issuer.clone())
            .collect()
    }
}

/// The result of [`Policy::evaluate`] (core `Decision`) plus the HTTP status the mesh answers.
#[napi(object)]
pub struct PolicyDecision {
    /// Whether the request is allowed.
    pub allowed: bool,
    /// The policy whose rule decided, if one did.
    pub matched_policy: Option<String>,
    /// That rule's index.
    pub matched_rule: Option<u32>,
    /// 200, 403 (denied), or the authentication rejection's 401/403.
    pub http_status: u32,
}

/// One lint warning (core `policy::Warning`).
#[napi(object)]
pub struct PolicyWarning {
    /// The kind, e.g. `'SubjectContainsSlash'`.
    pub kind: String,
    /// The policy name.
    pub policy: String,
    /// The rule index.
    pub rule: u32,
    /// The field path.
    pub field: String,
    /// What goes wrong.
    pub message: String,
    /// The suggested fix.
    pub fix: String,
}

/// Istio `AuthorizationPolicy` resources (the JWT-related subset) from JSON.
#[napi]
pub struct Policy {
    inner: Vec<policy::AuthorizationPolicy>,
}

#[napi]
impl Policy {
    /// Parses policies (resources, specs or arrays); errors as `Authenticator`'s.
    #[napi(constructor, catch_unwind)]
    pub fn new(env: Env, config: Either<String, Uint8Array>) -> Result<Policy> {
        policy::parse_policies(bytes(&config))
            .map(|inner| Policy { inner })
            .map_err(|e| config_error(&env, &e))
    }

    /// Istio's evaluation of `request` given its authentication outcome (`null`: no identity).
    #[napi(catch_unwind)]
    pub fn evaluate(
        &self,
        request: RequestInput,
        outcome: Option<&AuthOutcome>,
    ) -> Result<PolicyDecision> {
        let none = authn::Outcome::NoToken {
            headers_to_remove: Vec::new(),
        };
        let o = outcome.map_or(&none, |o| &o.inner);
        let d = with_view(&request, |v| policy::evaluate(&self.inner, v, o))?;
        Ok(PolicyDecision {
            http_status: u32::from(policy::http_status(o, &d)),
            allowed: d.allowed,
            matched_policy: d.matched_policy,
            matched_rule: d.matched_rule.map(|i| u32::try_from(i).unwrap_or(u32::MAX)),
        })
    }

    /// Traps in the policies (Istio behaviours that surprise); `issuers` (the configured
    /// `jwtRules` issuers) sharpen the principal check.
    #[napi]
    pub fn lint(&self, issuers: Option<Vec<String>>) -> Vec<PolicyWarning> {
        let iss: Vec<&str> = issuers.iter().flatten().map(String::as_str).collect();
        policy::lint(&self.inner, &iss)
            .into_iter()
            .map(|w| PolicyWarning {
                kind: format!("{:?}", w.kind),
                policy: w.policy,
                rule: u32::try_from(w.rule).unwrap_or(u32::MAX),
                field: w.field,
                message: w.message,
                fix: w.fix,
            })
            .collect()
    }

    /// The number of policies.
    #[napi(getter)]
    pub fn size(&self) -> u32 {
        u32::try_from(self.inner.len()).unwrap_or(u32::MAX)
    }
}
