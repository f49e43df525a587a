//! Request authentication: Istio's `RequestAuthentication` as a library.
//!
//! A [`Provider`] is one Istio `JWTRule` (Envoy `JwtProvider`). An [`Authenticator`] holds the
//! providers of every `RequestAuthentication` that applies to a workload, sorted by issuer as
//! istiod sorts them, and walks Istio's requirement tree the way Envoy's `jwt_authn` verifier does:
//!
//! - one provider: `requires_any{origins-0, allow_missing}`;
//! - several: `requires_any{origins-0, …, origins-n, requires_all{requires_any{origins-i,
//!   allow_missing} for each i}}`.
//!
//! As in current Envoy, `allow_missing` inside `requires_any` is a flag: when every child failed
//! and the aggregated status is `JwtMissed`, the node succeeds. A provider node fails on the first
//! of its tokens that does not verify (tokens are checked from the last extracted back), with
//! `JwtUnknownIssuer` when the token's `iss` is not the provider's. So a request without any token
//! passes ([`Outcome::NoToken`]): pair it with an [`AuthorizationPolicy`](crate::policy) to
//! require one; a token that is present must verify.
//!
//! Token locations follow Envoy's `extractor.cc`: the prefix is searched anywhere in a header
//! value and the token is the run of base64url/`.` characters after it (current Envoy takes the
//! rest of the value; the run cuts trailing `, …`); a header without the prefix holds no token;
//! repeated headers are joined with `,` (current Envoy takes each value as a candidate); query
//! values are URL-decoded, first value wins; cookies come from the host's list or `Cookie`
//! headers. Without configured locations: `Authorization: Bearer `, then `access_token`.
//!
//! Stricter than Envoy, on purpose:
//! - every configured output header (payload and claim headers of **all** providers) is removed
//!   from the request, also for requests without a token and CORS preflights (Envoy strips only the
//!   headers of the providers that ran);
//! - a provider whose keys are unavailable fails closed with `JwksFetchFail` (remote `jwksUri`) or
//!   `JwksNoValidKeys` (inline), never with a dummy key.
//!
//! ```
//! use meshauth_core::authn::{Authenticator, Outcome, RequestView};
//! let auth = Authenticator::from_json(br#"{"jwtRules":[{"issuer":"https://issuer.example",
//!     "jwks":"{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0LWtleS1mb3ItZG9jcy1zZWNyZXQta2V5LWZvcg\",\"alg\":\"HS256\"}]}"}]}"#).unwrap();
//! let headers = [("authorization", "Bearer not-a-jwt")];
//! let req = RequestView { method: "GET", path: "/", headers: &headers, ..RequestView::default() };
//! match auth.authenticate(&req, 1_700_000_000) {
//!     Outcome::Rejected { http_status, .. } => assert_eq!(http_status, 401),
//!     _ => unreachable!(),
//! }
//! ```

mod config;
mod extract;

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use crate::json::Value;
use crate::jwks::Jwks;
use crate::jwt::Token;
use crate::verify::{verify, Validation, DEFAULT_CLOCK_SKEW, DEFAULT_MAX_TOKEN_BYTES};
use crate::Status;

pub(crate) use config::{
    check_keys, documents, err, get_string, get_strings, item_objects, ConfigPath,
};
pub use extract::{cookie, query_param, token_in_header_value, url_decode};
use extract::{Found, Issuers, Place};

/// A configuration error: which field, why, and the status (`ConfigInvalid`,
/// `ConfigUnsupported`, or a JWKS status for an inline `jwks` that does not parse).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The status.
    pub status: Status,
    /// The path of the offending field, e.g. `jwtRules[0].fromHeaders[1].name`.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl core::error::Error for ConfigError {}

/// A header token location (Istio `fromHeaders` entry).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderLocation {
    /// The header name (matched case-insensitively).
    pub name: String,
    /// The prefix searched (anywhere, case-sensitive) in the value, e.g. `"Bearer "`; empty means
    /// the whole value is the token.
    pub prefix: String,
}

/// A claim copied to a request header (Istio `outputClaimToHeaders` entry).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimToHeader {
    /// The header to set.
    pub header: String,
    /// The claim, `.`-separated for nested claims.
    pub claim: String,
}

/// One JWT provider: Istio's `JWTRule`.
#[derive(Clone)]
pub struct Provider {
    /// Required `iss`; empty means any issuer.
    pub issuer: String,
    /// Accepted audiences; empty means no audience check (what Istio really does).
    pub audiences: Vec<String>,
    /// The `jwksUri`, when the keys come from the host ([`Authenticator::set_remote_keys`]).
    pub jwks_uri: Option<String>,
    /// The keys; `None` (or an empty set) fails closed: `JwksFetchFail` when `jwks_uri` is set,
    /// else `JwksNoValidKeys`.
    pub keys: Option<Arc<Jwks>>,
    /// Header locations.
    pub from_headers: Vec<HeaderLocation>,
    /// Query parameter locations.
    pub from_params: Vec<String>,
    /// Cookie locations.
    pub from_cookies: Vec<String>,
    /// Keep the token header upstream (default false: the header is removed; query parameters
    /// and cookies always stay, as in Envoy).
    pub forward_original_token: bool,
    /// Header that receives the token's original base64url payload segment.
    pub output_payload_to_header: Option<String>,
    /// Claims copied to headers.
    pub output_claim_to_headers: Vec<ClaimToHeader>,
    /// Top-level string claims split on `' '` in [`Identity::claims`], besides `scope` and
    /// `permission`.
    pub space_delimited_claims: Vec<String>,
    /// Clock skew in seconds for `exp`/`nbf`; 0 means Envoy's default of 60.
    pub clock_skew: u64,
}

impl fmt::Debug for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Provider")
            .field("issuer", &self.issuer)
            .field("audiences", &self.audiences)
            .field("jwks_uri", &self.jwks_uri)
            .field("keys", &self.keys.as_ref().map(|k| k.len()))
            .field("from_headers", &self.from_headers)
            .field("from_params", &self.from_params)
            .field("from_cookies", &self.from_cookies)
            .field("forward_original_token", &self.forward_original_token)
            .field("output_payload_to_header", &self.output_payload_to_header)
            .field("output_claim_to_headers", &self.output_claim_to_headers)
            .field("space_delimited_claims", &self.space_delimited_claims)
            .field("clock_skew", &self.clock_skew)
            .finish()
    }
}

impl Provider {
    /// A provider for `issuer` with inline `keys` and Istio's defaults.
    pub fn new(issuer: &str, keys: Option<Arc<Jwks>>) -> Provider {
        Provider {
            issuer: issuer.into(),
            audiences: Vec::new(),
            jwks_uri: None,
            keys,
            from_headers: Vec::new(),
            from_params: Vec::new(),
            from_cookies: Vec::new(),
            forward_original_token: false,
            output_payload_to_header: None,
            output_claim_to_headers: Vec::new(),
            space_delimited_claims: Vec::new(),
            clock_skew: DEFAULT_CLOCK_SKEW,
        }
    }

    /// The token locations, lower-cased header names; the defaults (`Authorization: Bearer `,
    /// then `access_token`) when none is configured.
    pub(crate) fn places(&self) -> Vec<Place> {
        let mut v = Vec::new();
        if self.from_headers.is_empty()
            && self.from_params.is_empty()
            && self.from_cookies.is_empty()
        {
            v.push(Place::Header("authorization".into(), "Bearer ".into()));
            v.push(Place::Param("access_token".into()));
            return v;
        }
        for h in &self.from_headers {
            v.push(Place::Header(h.name.to_ascii_lowercase(), h.prefix.clone()));
        }
        for p in &self.from_params {
            v.push(Place::Param(p.clone()));
        }
        for c in &self.from_cookies {
            v.push(Place::Cookie(c.clone()));
        }
        v
    }

    /// The output headers (payload header and claim headers), lower-cased.
    pub fn output_headers(&self) -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for h in self
            .output_payload_to_header
            .iter()
            .chain(self.output_claim_to_headers.iter().map(|c| &c.header))
        {
            let h = h.to_ascii_lowercase();
            if !h.is_empty() && !v.contains(&h) {
                v.push(h);
            }
        }
        v
    }

    /// The [`Validation`] this provider applies (issuer, audiences, clock skew).
    pub fn validation(&self) -> Validation {
        let mut v = Validation::new();
        if !self.issuer.is_empty() {
            v.set_issuer(&self.issuer);
        }
        for a in &self.audiences {
            v.add_audience(a);
        }
        v.set_clock_skew(if self.clock_skew == 0 {
            DEFAULT_CLOCK_SKEW
        } else {
            self.clock_skew
        });
        v
    }

    fn usable_keys(&self) -> Option<&Jwks> {
        self.keys.as_deref().filter(|k| !k.is_empty())
    }
}

/// What the host hands in about a request. Header names are matched case-insensitively.
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestView<'a> {
    /// `:method`, e.g. `GET`.
    pub method: &'a str,
    /// `x-forwarded-proto` / `:scheme` (used for the `WWW-Authenticate` realm when the request
    /// has no `x-forwarded-proto` header).
    pub scheme: &'a str,
    /// `:authority` / `Host` (an `:authority` or `host` header is used when empty).
    pub host: &'a str,
    /// The path, without the query.
    pub path: &'a str,
    /// The query string, without `?`.
    pub query: &'a str,
    /// The destination port (0 = unknown), for `ports` / `notPorts` rules.
    pub port: u16,
    /// Header (name, value) pairs, repeated names allowed.
    pub headers: &'a [(&'a str, &'a str)],
    /// Parsed cookies (name, value); `Cookie` headers are also read.
    pub cookies: &'a [(&'a str, &'a str)],
}

impl<'a> RequestView<'a> {
    /// A request for `method` and `uri` (a path with an optional `?query`).
    pub fn new(method: &'a str, uri: &'a str) -> RequestView<'a> {
        let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
        RequestView {
            method,
            path,
            query,
            ..RequestView::default()
        }
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }

    /// The host: [`RequestView::host`], else the `:authority` or `host` header.
    pub fn authority(&self) -> &'a str {
        if !self.host.is_empty() {
            return self.host;
        }
        self.header(":authority")
            .or_else(|| self.header("host"))
            .unwrap_or("")
    }

    /// A CORS preflight: `OPTIONS` with non-empty `Origin` and `Access-Control-Request-Method`.
    pub fn is_cors_preflight(&self) -> bool {
        self.method == "OPTIONS"
            && self.header("origin").is_some_and(|v| !v.is_empty())
            && self
                .header("access-control-request-method")
                .is_some_and(|v| !v.is_empty())
    }
}

/// A claim value, owned (the verified payload as Istio's policies see it).
#[derive(Clone, Debug, PartialEq)]
pub enum Claim {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string.
    String(String),
    /// A list.
    List(Vec<Claim>),
    /// An object, members in document order.
    Object(Vec<(String, Claim)>),
}

impl Claim {
    fn from_json(v: Value<'_>) -> Claim {
        match v {
            Value::Null => Claim::Null,
            Value::Bool(b) => Claim::Bool(b),
            Value::Number(n) => Claim::Number(n.into()),
            Value::String(s) => Claim::String(s.to_cow().into_owned()),
            Value::Array(a) => Claim::List(a.iter().map(Claim::from_json).collect()),
            Value::Object(o) => Claim::Object(
                o.iter()
                    .map(|(k, v)| (k.to_cow().into_owned(), Claim::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// The member `name` of an object.
    pub fn get(&self, name: &str) -> Option<&Claim> {
        match self {
            Claim::Object(m) => m.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Walks nested objects by member names.
    pub fn lookup<'p>(&self, path: impl IntoIterator<Item = &'p str>) -> Option<&Claim> {
        let mut cur = self;
        for name in path {
            cur = cur.get(name)?;
        }
        Some(cur)
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Claim::String(s) => Some(s),
            _ => None,
        }
    }
}

/// A verified identity.
#[derive(Clone, Debug, PartialEq)]
pub struct Identity {
    /// `iss`.
    pub issuer: Option<String>,
    /// `sub`.
    pub subject: Option<String>,
    /// The payload as an object, with top-level `scope`, `permission` and the provider's
    /// `space_delimited_claims` string values split on `' '` (empty pieces dropped).
    pub claims: Claim,
}

/// The result of [`Authenticator::authenticate`].
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// No token at any configured location: the request passes authentication with no identity.
    NoToken {
        /// Output headers to remove from the request (anti-spoofing).
        headers_to_remove: Vec<String>,
    },
    /// A CORS preflight: verification bypassed, no identity.
    CorsPreflight {
        /// Output headers to remove from the request (anti-spoofing).
        headers_to_remove: Vec<String>,
    },
    /// Verified.
    Authenticated {
        /// `iss` of the token whose payload Envoy would keep in metadata (the last verified).
        issuer: Option<String>,
        /// Its `sub`.
        subject: Option<String>,
        /// Its payload, space-delimited claims split.
        claims: Claim,
        /// Headers to set, after removing `headers_to_remove` (lower-case names).
        headers_to_set: Vec<(String, String)>,
        /// Headers to remove first: every configured output header, and the token headers of
        /// verified tokens whose provider does not forward the token.
        headers_to_remove: Vec<String>,
    },
    /// Rejected by authentication.
    Rejected {
        /// Why (Envoy's status; its message is the response body).
        status: Status,
        /// 401, or 403 for `JwtAudienceNotAllowed`.
        http_status: u16,
        /// The `WWW-Authenticate` header Envoy sends.
        www_authenticate: String,
    },
}

impl Outcome {
    /// The verified identity, if any.
    pub fn identity(&self) -> Option<Identity> {
        match self {
            Outcome::Authenticated {
                issuer,
                subject,
                claims,
                ..
            } => Some(Identity {
                issuer: issuer.clone(),
                subject: subject.clone(),
                claims: claims.clone(),
            }),
            _ => None,
        }
    }

    /// The payload claims, if authenticated.
    pub fn claims(&self) -> Option<&Claim> {
        match self {
            Outcome::Authenticated { claims, .. } => Some(claims),
            _ => None,
        }
    }
}

/// A node of Istio's requirement tree, with its merged locations.
enum Req {
    /// `provider_name`: every token at the provider's locations must verify with it.
    Provider(usize, BTreeMap<Place, Issuers>),
    /// `requires_any`; `true` when the list also holds `allow_missing` (Envoy keeps it as a flag
    /// that turns a final `JwtMissed` into success).
    Any(Vec<Req>, bool),
    /// `requires_all`.
    All(Vec<Req>),
}

/// The providers of all `RequestAuthentication`s that apply to a workload.
pub struct Authenticator {
    providers: Vec<Provider>,
    tree: Option<Req>,
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticator")
            .field("providers", &self.providers)
            .finish()
    }
}

impl Authenticator {
    /// Holds `providers`, sorted by issuer (stable) as istiod sorts `jwtRules` into `origins-i`.
    pub fn new(mut providers: Vec<Provider>) -> Authenticator {
        providers.sort_by(|a, b| a.issuer.cmp(&b.issuer));
        let n = providers.len();
        let one = |i: usize, p: &Provider| {
            let locs = extract::locations(core::iter::once(p));
            Req::Any(alloc::vec![Req::Provider(i, locs)], true)
        };
        let tree = match n {
            0 => None,
            1 => Some(one(0, &providers[0])),
            _ => {
                let mut any: Vec<Req> = providers
                    .iter()
                    .enumerate()
                    .map(|(i, p)| Req::Provider(i, extract::locations(core::iter::once(p))))
                    .collect();
                any.push(Req::All(
                    providers
                        .iter()
                        .enumerate()
                        .map(|(i, p)| one(i, p))
                        .collect(),
                ));
                Some(Req::Any(any, false))
            }
        };
        Authenticator { providers, tree }
    }

    /// Parses Istio `RequestAuthentication` JSON: a resource (`{"kind":…,"spec":{…}}`), a bare
    /// spec (`{"jwtRules":[…]}`), an array of them, or a Kubernetes list (`{"kind":"List",
    /// "items":[…]}`, as `kubectl get -o json` prints). Resources of other kinds are skipped; more
    /// than 4096 items is an error.
    pub fn from_json(input: &[u8]) -> Result<Authenticator, ConfigError> {
        config::parse_request_authentications(input).map(Authenticator::new)
    }

    /// The providers, in issuer order.
    pub fn providers(&self) -> &[Provider] {
        &self.providers
    }

    /// The providers, to swap key sets (the order must stay as it is).
    pub fn providers_mut(&mut self) -> &mut [Provider] {
        &mut self.providers
    }

    /// Sets the keys of every provider whose `jwks_uri` is `uri` (`None` = unavailable, fail
    /// closed). Returns how many providers were updated.
    pub fn set_remote_keys(&mut self, uri: &str, keys: Option<Arc<Jwks>>) -> usize {
        let mut n = 0;
        for p in self.providers.iter_mut() {
            if p.jwks_uri.as_deref() == Some(uri) {
                p.keys = keys.clone();
                n += 1;
            }
        }
        n
    }

    /// Every output header of every provider, lower-cased, without duplicates.
    pub fn output_headers(&self) -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for p in &self.providers {
            for h in p.output_headers() {
                if !v.contains(&h) {
                    v.push(h);
                }
            }
        }
        v
    }

    /// Authenticates `req` at `now` (Unix seconds).
    pub fn authenticate(&self, req: &RequestView<'_>, now: i64) -> Outcome {
        let mut remove = self.output_headers();
        if req.is_cors_preflight() {
            return Outcome::CorsPreflight {
                headers_to_remove: remove,
            };
        }
        let Some(tree) = &self.tree else {
            return Outcome::NoToken {
                headers_to_remove: remove,
            };
        };
        let mut walk = Walk {
            auth: self,
            req,
            now,
            memo: Vec::new(),
            good: Vec::new(),
        };
        if let Err(status) = walk.eval(tree) {
            return Outcome::Rejected {
                status,
                http_status: status.http_status(),
                www_authenticate: www_authenticate(req, status),
            };
        }
        if walk.good.is_empty() {
            return Outcome::NoToken {
                headers_to_remove: remove,
            };
        }
        let mut set: Vec<(String, String)> = Vec::new();
        let mut put = |name: &str, value: String| {
            let name = name.to_ascii_lowercase();
            set.retain(|(n, _)| *n != name);
            set.push((name, value));
        };
        let mut last = None;
        for (i, g) in walk.good.iter().enumerate() {
            if walk.good[..i]
                .iter()
                .any(|e| e.place == g.place && e.provider == g.provider)
            {
                continue;
            }
            let p = &self.providers[g.provider];
            let Ok(t) = Token::parse(&g.token) else {
                continue;
            };
            if let Some(h) = p
                .output_payload_to_header
                .as_deref()
                .filter(|h| !h.is_empty())
            {
                put(h, t.payload_b64().into());
            }
            for c in &p.output_claim_to_headers {
                if let Some(v) = claim_header_value(t.claim(&c.claim)) {
                    put(&c.header, v);
                }
            }
            if !p.forward_original_token {
                if let Place::Header(name, _) = &g.place {
                    if !remove.contains(name) {
                        remove.push(name.clone());
                    }
                }
            }
            last = Some(g);
        }
        let Some(g) = last else {
            return Outcome::NoToken {
                headers_to_remove: remove,
            };
        };
        let p = &self.providers[g.provider];
        let (issuer, subject, claims) = match Token::parse(&g.token) {
            Ok(t) => (
                t.iss().map(String::from),
                t.sub().map(String::from),
                normalize_claims(&t, &p.space_delimited_claims),
            ),
            Err(_) => (None, None, Claim::Object(Vec::new())),
        };
        Outcome::Authenticated {
            issuer,
            subject,
            claims,
            headers_to_set: set,
            headers_to_remove: remove,
        }
    }
}

/// A claim as a header value: strings as they are (empty = no header), whole numbers in
/// `[0, 2^64)` as integers, bools as `true`/`false`; anything else gives no header.
fn claim_header_value(v: Option<Value<'_>>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.to_cow().into_owned()).filter(|s| !s.is_empty()),
        Value::Bool(b) => Some(if b { "true" } else { "false" }.into()),
        Value::Number(n) => integer_text(n),
        _ => None,
    }
}

/// The integer text of a JSON number that is a whole number in `[0, 2^64)` (as Envoy prints a
/// whole double), e.g. `1562182722`, `1.5e3` → `1500`.
fn integer_text(n: &str) -> Option<String> {
    if n.bytes().all(|c| c.is_ascii_digit()) {
        return n.parse::<u64>().ok().map(|v| alloc::format!("{v}"));
    }
    let f: f64 = n.parse().ok()?;
    if (0.0..18446744073709551616.0).contains(&f) && f == (f as u64) as f64 {
        Some(alloc::format!("{}", f as u64))
    } else {
        None
    }
}

/// The payload with Envoy's `normalize_payload_in_metadata`: top-level string claims named
/// `scope`, `permission` or in `extra` become lists (split on `' '`, empties dropped).
fn normalize_claims(t: &Token<'_>, extra: &[String]) -> Claim {
    let members = t
        .claims()
        .iter()
        .map(|(k, v)| {
            let name = k.to_cow().into_owned();
            let split = name == "scope" || name == "permission" || extra.contains(&name);
            let value = match v {
                Value::String(s) if split => Claim::List(
                    s.to_cow()
                        .split(' ')
                        .filter(|p| !p.is_empty())
                        .map(|p| Claim::String(p.into()))
                        .collect(),
                ),
                other => Claim::from_json(other),
            };
            (name, value)
        })
        .collect();
    Claim::Object(members)
}

/// Envoy's `WWW-Authenticate`: `Bearer realm="<scheme>://<host><path, at most 256 chars>"`, plus
/// `, error="invalid_token"` unless the token was missing.
fn www_authenticate(req: &RequestView<'_>, status: Status) -> String {
    let scheme = req
        .header("x-forwarded-proto")
        .filter(|s| !s.is_empty())
        .unwrap_or(req.scheme);
    let mut path: String = req.path.into();
    if !req.query.is_empty() {
        path.push('?');
        path.push_str(req.query);
    }
    let mut cut = path.len().min(256);
    while !path.is_char_boundary(cut) {
        cut -= 1;
    }
    path.truncate(cut);
    let mut s = alloc::format!("Bearer realm=\"{}://{}{}\"", scheme, req.authority(), path);
    if status != Status::JwtMissed {
        s.push_str(", error=\"invalid_token\"");
    }
    s
}

/// A token that verified: its location, the provider that verified it, and the token.
struct Good {
    place: Place,
    provider: usize,
    token: String,
}

/// One walk of the requirement tree for one request.
struct Walk<'a, 'r> {
    auth: &'a Authenticator,
    req: &'a RequestView<'r>,
    now: i64,
    /// (location, provider) → result, so each token is verified once per provider.
    memo: Vec<(Place, usize, Result<(), Status>)>,
    good: Vec<Good>,
}

impl Walk<'_, '_> {
    fn eval(&mut self, r: &Req) -> Result<(), Status> {
        match r {
            Req::Provider(i, locs) => {
                let found = extract::extract(self.req, locs);
                if found.is_empty() {
                    return Err(Status::JwtMissed);
                }
                // Envoy pops tokens from the back; every one must verify.
                for f in found.iter().rev() {
                    self.check(f, *i)?;
                }
                Ok(())
            }
            Req::All(children) => {
                for c in children {
                    self.eval(c)?;
                }
                Ok(())
            }
            Req::Any(children, allow_missing) => {
                let mut errors = Vec::new();
                for c in children {
                    match self.eval(c) {
                        Ok(()) => return Ok(()),
                        Err(e) => errors.push(e),
                    }
                }
                match pick_any_error(&errors) {
                    Status::JwtMissed if *allow_missing => Ok(()),
                    e => Err(e),
                }
            }
        }
    }

    /// Envoy's per-token checks (`authenticator.cc`): parse → issuer allowed at this location →
    /// time → audience → keys → signature, with provider `pi`.
    fn check(&mut self, f: &Found<'_>, pi: usize) -> Result<(), Status> {
        if let Some((_, _, r)) = self.memo.iter().find(|(p, i, _)| *p == f.place && *i == pi) {
            return *r;
        }
        let r = self.check_uncached(f, pi);
        if r.is_ok() {
            self.good.push(Good {
                place: f.place.clone(),
                provider: pi,
                token: f.token.clone().into_owned(),
            });
        }
        self.memo.push((f.place.clone(), pi, r));
        r
    }

    fn check_uncached(&self, f: &Found<'_>, pi: usize) -> Result<(), Status> {
        if f.token.len() > DEFAULT_MAX_TOKEN_BYTES {
            return Err(Status::JwtTooLarge);
        }
        let t = Token::parse(&f.token)?;
        let iss = t.iss().unwrap_or("");
        if !f.issuers.allows(iss) {
            return Err(Status::JwtUnknownIssuer);
        }
        let p = &self.auth.providers[pi];
        let empty = Jwks::empty();
        let (jwks, available) = match p.usable_keys() {
            Some(k) => (k, true),
            None => (&empty, false),
        };
        match verify(f.token.as_bytes(), jwks, &p.validation(), self.now) {
            Ok(_) => Ok(()),
            // With no keys, everything before key selection passed: fail closed as Envoy does.
            Err(Status::JwksKidAlgMismatch) if !available => Err(if p.jwks_uri.is_some() {
                Status::JwksFetchFail
            } else {
                Status::JwksNoValidKeys
            }),
            Err(e) => Err(e),
        }
    }
}

/// Envoy's `requires_any` aggregation (`verifier.cc`): the last child error that is neither
/// `JwtMissed` nor `JwtUnknownIssuer`; else `JwtUnknownIssuer` if any child gave it; else
/// `JwtMissed`.
fn pick_any_error(errors: &[Status]) -> Status {
    if let Some(e) = errors
        .iter()
        .rev()
        .find(|e| !matches!(e, Status::JwtMissed | Status::JwtUnknownIssuer))
    {
        return *e;
    }
    if errors.contains(&Status::JwtUnknownIssuer) {
        Status::JwtUnknownIssuer
    } else {
        Status::JwtMissed
    }
}
