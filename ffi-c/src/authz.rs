//! Request authentication (Istio `RequestAuthentication`) and JWT authorization policies (Istio
//! `AuthorizationPolicy`): thin wrappers over `meshauth_core::{authn, policy}`.

use std::ffi::{c_char, c_int};

use meshauth_core::authn::{Authenticator, Outcome, RequestView};
use meshauth_core::policy::{self, AuthorizationPolicy};
use meshauth_core::Status;

use crate::lifecycle::put;
use crate::{
    code, free_box, guard, handle, meshauth_jwks, meshauth_status, meshauth_str, out, text,
};

/// The providers of every `RequestAuthentication` that applies to a workload. Immutable once
/// built except for meshauth_authenticator_set_remote_keys() (which needs exclusive access);
/// meshauth_authenticate() may use one handle from many threads at once. Free with
/// meshauth_authenticator_free().
pub struct meshauth_authenticator {
    auth: Authenticator,
}

/// A header or cookie: (name, value) views owned by the caller.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct meshauth_header {
    /// The name (headers match case-insensitively).
    pub name: meshauth_str,
    /// The value.
    pub value: meshauth_str,
}

/// What the host hands in about a request. All views are owned by the caller and only read
/// during the call. A view with NULL `ptr` (and `len` 0) is the empty string. A NULL array is
/// allowed with count 0.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct meshauth_request {
    /// `:method`, e.g. `GET`.
    pub method: meshauth_str,
    /// `x-forwarded-proto` / `:scheme`, for the `WWW-Authenticate` realm (may be empty).
    pub scheme: meshauth_str,
    /// `:authority` / `Host` (when empty, an `:authority` or `host` header is used).
    pub host: meshauth_str,
    /// The path, without the query.
    pub path: meshauth_str,
    /// The query string, without `?`.
    pub query: meshauth_str,
    /// The destination port (0 = unknown), for `ports` / `notPorts` rules.
    pub port: u16,
    /// `header_count` headers, repeated names allowed.
    pub headers: *const meshauth_header,
    /// The number of headers.
    pub header_count: usize,
    /// `cookie_count` parsed cookies (`Cookie` headers are read too).
    pub cookies: *const meshauth_header,
    /// The number of cookies.
    pub cookie_count: usize,
}

unsafe fn view_text<'a>(s: meshauth_str) -> Result<&'a str, Status> {
    text(s.ptr, s.len)
}

unsafe fn pairs<'a>(
    p: *const meshauth_header,
    n: usize,
) -> Result<Vec<(&'a str, &'a str)>, Status> {
    if n > isize::MAX as usize / std::mem::size_of::<meshauth_header>() {
        return Err(Status::InvalidArgument);
    }
    let items: &[meshauth_header] = if p.is_null() {
        if n != 0 {
            return Err(Status::NullArgument);
        }
        &[]
    } else {
        std::slice::from_raw_parts(p, n)
    };
    items
        .iter()
        .map(|h| Ok((view_text(h.name)?, view_text(h.value)?)))
        .collect()
}

/// The converted request: owned pair lists that a `RequestView` borrows.
struct Request<'a> {
    method: &'a str,
    scheme: &'a str,
    host: &'a str,
    path: &'a str,
    query: &'a str,
    port: u16,
    headers: Vec<(&'a str, &'a str)>,
    cookies: Vec<(&'a str, &'a str)>,
}

impl<'a> Request<'a> {
    unsafe fn from_c(r: *const meshauth_request) -> Result<Request<'a>, Status> {
        let r = handle(r)?;
        Ok(Request {
            method: view_text(r.method)?,
            scheme: view_text(r.scheme)?,
            host: view_text(r.host)?,
            path: view_text(r.path)?,
            query: view_text(r.query)?,
            port: r.port,
            headers: pairs(r.headers, r.header_count)?,
            cookies: pairs(r.cookies, r.cookie_count)?,
        })
    }

    fn view(&self) -> RequestView<'_> {
        RequestView {
            method: self.method,
            scheme: self.scheme,
            host: self.host,
            path: self.path,
            query: self.query,
            port: self.port,
            headers: &self.headers,
            cookies: &self.cookies,
        }
    }
}

/// Parses Istio `RequestAuthentication` JSON: a resource (`{"kind":…,"spec":{…}}`), a bare spec
/// (`{"jwtRules":[…]}`), an array of them or a Kubernetes `List` (`kubectl get -o json`; other
/// kinds are skipped). Providers with inline `jwks` are ready; providers
/// with a `jwksUri` fail closed (`MESHAUTH_STATUS_JWKS_FETCH_FAIL`) until
/// meshauth_authenticator_set_remote_keys() gives them keys. Errors:
/// `MESHAUTH_STATUS_CONFIG_INVALID` and the other configuration statuses. On success `*out` is a
/// new handle, on error NULL.
///
/// # Safety
/// `json` is valid for `len` bytes (or NULL with 0); `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_authenticator_from_json(
    json: *const u8,
    len: usize,
    out: *mut *mut meshauth_authenticator,
) -> meshauth_status {
    put(out, || {
        let auth = Authenticator::from_json(crate::bytes(json, len)?).map_err(|e| e.status)?;
        Ok(meshauth_authenticator { auth })
    })
}

/// Gives the keys `keys` (shared, not copied; NULL: unavailable, fail closed) to every provider
/// whose `jwksUri` is `uri`, e.g. from meshauth_scheduler_keys() after a refresh. Writes how many
/// providers were updated to `*updated` (may be NULL). `keys` may be freed afterwards.
///
/// # Safety
/// `auth` is NULL or a live handle not used by another thread; `uri` is valid for `uri_len`
/// bytes; `keys` is NULL or a live handle; `updated` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_authenticator_set_remote_keys(
    auth: *mut meshauth_authenticator,
    uri: *const c_char,
    uri_len: usize,
    keys: *const meshauth_jwks,
    updated: *mut usize,
) -> meshauth_status {
    guard(|| {
        let a = auth.as_mut().ok_or(Status::NullArgument)?;
        let uri = text(uri, uri_len)?;
        let keys = keys.as_ref().map(|k| k.jwks.clone());
        let n = a.auth.set_remote_keys(uri, keys);
        if let Some(u) = updated.as_mut() {
            *u = n;
        }
        Ok(())
    })
}

/// Frees an authenticator; NULL is a no-op.
///
/// # Safety
/// `auth` is NULL or a handle from this library, not yet freed and not in use.
#[no_mangle]
pub unsafe extern "C" fn meshauth_authenticator_free(auth: *mut meshauth_authenticator) {
    free_box(auth)
}

/// meshauth_outcome_kind(): no token at any configured location (passes, no identity).
pub const MESHAUTH_OUTCOME_NO_TOKEN: c_int = 0;
/// A CORS preflight: verification bypassed, no identity.
pub const MESHAUTH_OUTCOME_CORS_PREFLIGHT: c_int = 1;
/// A token verified.
pub const MESHAUTH_OUTCOME_AUTHENTICATED: c_int = 2;
/// Rejected by authentication (see meshauth_outcome_status(), _http_status(),
/// _www_authenticate()).
pub const MESHAUTH_OUTCOME_REJECTED: c_int = 3;

/// The result of meshauth_authenticate(). Read-only; free with meshauth_outcome_free().
pub struct meshauth_outcome {
    outcome: Outcome,
}

/// Authenticates `req` at `now` (Unix seconds) with Envoy's `jwt_authn` semantics. The call
/// itself fails only on bad arguments; a rejected request is an OK call whose outcome has kind
/// `MESHAUTH_OUTCOME_REJECTED`. On success `*out` is a new handle, on error NULL.
///
/// # Safety
/// `auth` is NULL or a live handle; `req` is NULL or points to a request whose views and arrays
/// are valid; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_authenticate(
    auth: *const meshauth_authenticator,
    req: *const meshauth_request,
    now: i64,
    out: *mut *mut meshauth_outcome,
) -> meshauth_status {
    put(out, || {
        let a = handle(auth)?;
        let r = Request::from_c(req)?;
        Ok(meshauth_outcome {
            outcome: a.auth.authenticate(&r.view(), now),
        })
    })
}

/// Writes the outcome's kind (`MESHAUTH_OUTCOME_*`) to `*kind`.
///
/// # Safety
/// `o` is NULL or a live handle; `kind` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_outcome_kind(
    o: *const meshauth_outcome,
    kind: *mut c_int,
) -> meshauth_status {
    guard(|| {
        let slot = out(kind)?;
        *slot = match handle(o)?.outcome {
            Outcome::NoToken { .. } => MESHAUTH_OUTCOME_NO_TOKEN,
            Outcome::CorsPreflight { .. } => MESHAUTH_OUTCOME_CORS_PREFLIGHT,
            Outcome::Authenticated { .. } => MESHAUTH_OUTCOME_AUTHENTICATED,
            Outcome::Rejected { .. } => MESHAUTH_OUTCOME_REJECTED,
        };
        Ok(())
    })
}

/// Writes why the request was rejected to `*status` (`MESHAUTH_STATUS_OK` unless rejected; its
/// meshauth_status_message() is Envoy's response body).
///
/// # Safety
/// `o` is NULL or a live handle; `status` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_outcome_status(
    o: *const meshauth_outcome,
    status: *mut meshauth_status,
) -> meshauth_status {
    guard(|| {
        let slot = out(status)?;
        *slot = match &handle(o)?.outcome {
            Outcome::Rejected { status, .. } => code(*status),
            _ => code(Status::Ok),
        };
        Ok(())
    })
}

/// Writes the HTTP status of authentication alone to `*http_status`: 401 (403 for
/// `JWT_AUDIENCE_NOT_ALLOWED`) when rejected, else 200. With policies, use the status from
/// meshauth_policy_evaluate().
///
/// # Safety
/// `o` is NULL or a live handle; `http_status` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_outcome_http_status(
    o: *const meshauth_outcome,
    http_status: *mut u16,
) -> meshauth_status {
    guard(|| {
        let slot = out(http_status)?;
        *slot = match &handle(o)?.outcome {
            Outcome::Rejected { http_status, .. } => *http_status,
            _ => 200,
        };
        Ok(())
    })
}

unsafe fn outcome_view(
    o: *const meshauth_outcome,
    dst: *mut meshauth_str,
    f: impl FnOnce(&Outcome) -> Result<Option<&str>, Status>,
) -> meshauth_status {
    guard(|| {
        let slot = out(dst)?;
        *slot = meshauth_str::of(None);
        *slot = meshauth_str::of(f(&handle(o)?.outcome)?);
        Ok(())
    })
}

/// The `WWW-Authenticate` header value Envoy sends with a rejection; absent unless rejected.
/// View valid until `o` is freed.
///
/// # Safety
/// `o` is NULL or a live handle; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_outcome_www_authenticate(
    o: *const meshauth_outcome,
    out: *mut meshauth_str,
) -> meshauth_status {
    outcome_view(o, out, |o| {
        Ok(match o {
            Outcome::Rejected {
                www_authenticate, ..
            } => Some(www_authenticate.as_str()),
            _ => None,
        })
    })
}

/// The verified token's `iss`; absent unless authenticated (or without `iss`). View valid until
/// `o` is freed.
///
/// # Safety
/// `o` is NULL or a live handle; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_outcome_issuer(
    o: *const meshauth_outcome,
    out: *mut meshauth_str,
) -> meshauth_status {
    outcome_view(o, out, |o| {
        Ok(match o {
            Outcome::Authenticated { issuer, .. } => issuer.as_deref(),
            _ => None,
        })
    })
}

/// The verified token's `sub`; absent unless authenticated (or without `sub`). View valid until
/// `o` is freed.
///
/// # Safety
/// `o` is NULL or a live handle; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_outcome_subject(
    o: *const meshauth_outcome,
    out: *mut meshauth_str,
) -> meshauth_status {
    outcome_view(o, out, |o| {
        Ok(match o {
            Outcome::Authenticated { subject, .. } => subject.as_deref(),
            _ => None,
        })
    })
}

fn to_remove(o: &Outcome) -> &[String] {
    match o {
        Outcome::NoToken { headers_to_remove }
        | Outcome::CorsPreflight { headers_to_remove }
        | Outcome::Authenticated {
            headers_to_remove, ..
        } => headers_to_remove,
        Outcome::Rejected { .. } => &[],
    }
}

fn to_set(o: &Outcome) -> &[(String, String)] {
    match o {
        Outcome::Authenticated { headers_to_set, .. } => headers_to_set,
        _ => &[],
    }
}

/// Writes the number of request headers to remove (before setting any) to `*count`: every
/// configured output header (anti-spoofing) and forwarded-token headers; 0 when rejected.
///
/// # Safety
/// `o` is NULL or a live handle; `count` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_outcome_header_to_remove_count(
    o: *const meshauth_outcome,
    count: *mut usize,
) -> meshauth_status {
    guard(|| {
        let slot = out(count)?;
        *slot = to_remove(&handle(o)?.outcome).len();
        Ok(())
    })
}

/// The (lower-case) name of header `index` to remove; an index past the end is
/// `MESHAUTH_STATUS_INVALID_ARGUMENT`. View valid until `o` is freed.
///
/// # Safety
/// `o` is NULL or a live handle; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_outcome_header_to_remove(
    o: *const meshauth_outcome,
    index: usize,
    out: *mut meshauth_str,
) -> meshauth_status {
    outcome_view(o, out, |o| {
        to_remove(o)
            .get(index)
            .map(|s| Some(s.as_str()))
            .ok_or(Status::InvalidArgument)
    })
}

/// Writes the number of headers to set (after the removals) to `*count`: payload and claim
/// output headers of an authenticated request; 0 otherwise.
///
/// # Safety
/// `o` is NULL or a live handle; `count` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_outcome_header_to_set_count(
    o: *const meshauth_outcome,
    count: *mut usize,
) -> meshauth_status {
    guard(|| {
        let slot = out(count)?;
        *slot = to_set(&handle(o)?.outcome).len();
        Ok(())
    })
}

/// Header `index` to set: its (lower-case) name and value, views valid until `o` is freed. An
/// index past the end is `MESHAUTH_STATUS_INVALID_ARGUMENT`.
///
/// # Safety
/// `o` is NULL or a live handle; `name` and `value` are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_outcome_header_to_set(
    o: *const meshauth_outcome,
    index: usize,
    name: *mut meshauth_str,
    value: *mut meshauth_str,
) -> meshauth_status {
    guard(|| {
        let (n, v) = (out(name)?, out(value)?);
        *n = meshauth_str::of(None);
        *v = meshauth_str::of(None);
        let (hn, hv) = to_set(&handle(o)?.outcome)
            .get(index)
            .ok_or(Status::InvalidArgument)?;
        *n = meshauth_str::of(Some(hn));
        *v = meshauth_str::of(Some(hv));
        Ok(())
    })
}

/// Frees an outcome; NULL is a no-op. Its views become invalid.
///
/// # Safety
/// `o` is NULL or a handle from this library, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn meshauth_outcome_free(o: *mut meshauth_outcome) {
    free_box(o)
}

/// Istio `AuthorizationPolicy` resources (their JWT parts). Immutable; may be shared by threads.
/// Free with meshauth_policy_free().
pub struct meshauth_policy {
    policies: Vec<AuthorizationPolicy>,
}

/// Parses Istio `AuthorizationPolicy` JSON: a resource, a bare spec (`{"action":…,"rules":[…]}`),
/// an array of them or a Kubernetes `List` (`kubectl get -o json`); resources of other kinds are
/// skipped, so one document may hold the `RequestAuthentication` too. Errors: `MESHAUTH_STATUS_CONFIG_INVALID` and the other
/// configuration statuses. On success `*out` is a new handle, on error NULL.
///
/// # Safety
/// `json` is valid for `len` bytes (or NULL with 0); `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_policy_from_json(
    json: *const u8,
    len: usize,
    out: *mut *mut meshauth_policy,
) -> meshauth_status {
    put(out, || {
        let policies = policy::parse_policies(crate::bytes(json, len)?).map_err(|e| e.status)?;
        Ok(meshauth_policy { policies })
    })
}

/// Writes the number of policies to `*len`.
///
/// # Safety
/// `p` is NULL or a live handle; `len` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_policy_len(
    p: *const meshauth_policy,
    len: *mut usize,
) -> meshauth_status {
    guard(|| {
        let slot = out(len)?;
        *slot = handle(p)?.policies.len();
        Ok(())
    })
}

/// Istio's evaluation of `req` given its authentication `outcome`: any matching DENY rule
/// denies; then, if ALLOW policies exist, one of their rules must match; a rejected outcome is
/// denied. Writes the decision to `*allowed`; `*http_status` (may be NULL) is the status the mesh
/// answers (the rejection's 401/403, else 403 when denied, else 200); `*matched_policy` (may be
/// NULL) is the name of the policy that decided, or absent (a view valid until `policy` is
/// freed).
///
/// # Safety
/// `policy` and `outcome` are NULL or live handles; `req` is NULL or a valid request; the out
/// pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_policy_evaluate(
    policy: *const meshauth_policy,
    req: *const meshauth_request,
    outcome: *const meshauth_outcome,
    allowed: *mut bool,
    http_status: *mut u16,
    matched_policy: *mut meshauth_str,
) -> meshauth_status {
    guard(|| {
        let slot = out(allowed)?;
        let p = handle(policy)?;
        let o = &handle(outcome)?.outcome;
        let r = Request::from_c(req)?;
        let d = policy::evaluate(&p.policies, &r.view(), o);
        *slot = d.allowed;
        if let Some(h) = http_status.as_mut() {
            *h = policy::http_status(o, &d);
        }
        if let Some(m) = matched_policy.as_mut() {
            // The decision names the policy by a copy of its name: view the handle's own copy.
            let name = d.matched_policy.as_deref().and_then(|n| {
                p.policies
                    .iter()
                    .find(|q| q.name == n)
                    .map(|q| q.name.as_str())
            });
            *m = meshauth_str::of(name);
        }
        Ok(())
    })
}

/// Frees policies; NULL is a no-op.
///
/// # Safety
/// `p` is NULL or a handle from this library, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn meshauth_policy_free(p: *mut meshauth_policy) {
    free_box(p)
}
