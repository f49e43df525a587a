//! Istio's `RequestAuthentication` and `AuthorizationPolicy` over the core's `authn` and
//! `policy` modules. Configuration arrives as JSON text (the Python layer serialises dicts);
//! requests as owned strings, so the GIL is released while they are judged.

use std::sync::{RwLock, RwLockReadGuard};

use meshauth_core::authn::{self, Claim, ConfigError, RequestView};
use meshauth_core::policy::{self, AuthorizationPolicy};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::{json_loads, status_err_msg, unix_now, Data, Jwks};

/// A configuration error as the status's exception class, `str(e)` = "field: message", with
/// `.field` set.
fn config_err(py: Python<'_>, e: ConfigError) -> PyErr {
    let err = status_err_msg(py, e.status, &e.to_string());
    let _ = err.value(py).setattr("field", e.field);
    err
}

/// A claim value as a Python object (numbers through `json.loads`, exactly as written).
fn claim_to_py<'py>(py: Python<'py>, c: &Claim) -> PyResult<Bound<'py, PyAny>> {
    Ok(match c {
        Claim::Null => py.None().into_bound(py),
        Claim::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        Claim::Number(n) => json_loads(py, n)?,
        Claim::String(s) => s.into_pyobject(py)?.into_any(),
        Claim::List(v) => {
            let l = PyList::empty(py);
            for x in v {
                l.append(claim_to_py(py, x)?)?;
            }
            l.into_any()
        }
        Claim::Object(m) => {
            let d = PyDict::new(py);
            for (k, v) in m {
                d.set_item(k, claim_to_py(py, v)?)?;
            }
            d.into_any()
        }
    })
}

/// One request, owned.
struct Request {
    method: String,
    path: String,
    query: Option<String>,
    host: String,
    scheme: String,
    port: u16,
    headers: Vec<(String, String)>,
    cookies: Vec<(String, String)>,
}

impl Request {
    /// Runs `f` on a [`RequestView`] of this request (`path` may carry `?query`; an explicit
    /// `query` wins).
    fn with_view<R>(&self, f: impl FnOnce(&RequestView<'_>) -> R) -> R {
        let h: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let c: Vec<(&str, &str)> = self
            .cookies
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let mut v = RequestView::new(&self.method, &self.path);
        if let Some(q) = &self.query {
            v.query = q;
        }
        v.host = &self.host;
        v.scheme = &self.scheme;
        v.port = self.port;
        v.headers = &h;
        v.cookies = &c;
        f(&v)
    }
}

/// The result of `Authenticator.authenticate`, kept native so `Policy.evaluate` can use it.
#[pyclass(frozen, module = "meshauth._meshauth")]
struct AuthOutcome {
    inner: authn::Outcome,
}

fn kind_of(o: &authn::Outcome) -> &'static str {
    match o {
        authn::Outcome::NoToken { .. } => "no_token",
        authn::Outcome::CorsPreflight { .. } => "cors_preflight",
        authn::Outcome::Authenticated { .. } => "authenticated",
        authn::Outcome::Rejected { .. } => "rejected",
    }
}

#[pymethods]
impl AuthOutcome {
    /// `"no_token"`, `"cors_preflight"`, `"authenticated"` or `"rejected"`.
    #[getter]
    fn kind(&self) -> &'static str {
        kind_of(&self.inner)
    }

    /// The outcome as a dict: `kind`, `code` (status name or None), `status` (its number or
    /// None), `message`, `http_status` (401/403 when rejected, else None), `www_authenticate`,
    /// `issuer`, `subject`, `claims` (dict or None), `headers_to_set` (list of pairs),
    /// `headers_to_remove`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("kind", kind_of(&self.inner))?;
        let none = || py.None().into_bound(py);
        let (mut code, mut status, mut message, mut http, mut www) =
            (none(), none(), none(), none(), none());
        let (mut iss, mut sub, mut claims) = (none(), none(), none());
        let mut set: Vec<(String, String)> = Vec::new();
        let mut remove: Vec<String> = Vec::new();
        match &self.inner {
            authn::Outcome::NoToken { headers_to_remove }
            | authn::Outcome::CorsPreflight { headers_to_remove } => {
                remove = headers_to_remove.clone();
            }
            authn::Outcome::Authenticated {
                issuer,
                subject,
                claims: c,
                headers_to_set,
                headers_to_remove,
            } => {
                iss = issuer.into_pyobject(py)?;
                sub = subject.into_pyobject(py)?;
                claims = claim_to_py(py, c)?;
                set = headers_to_set.clone();
                remove = headers_to_remove.clone();
            }
            authn::Outcome::Rejected {
                status: s,
                http_status,
                www_authenticate,
            } => {
                code = s.name().into_pyobject(py)?.into_any();
                status = s.code().into_pyobject(py)?.into_any();
                message = s.message().into_pyobject(py)?.into_any();
                http = http_status.into_pyobject(py)?.into_any();
                www = www_authenticate.into_pyobject(py)?.into_any();
            }
        }
        d.set_item("code", code)?;
        d.set_item("status", status)?;
        d.set_item("message", message)?;
        d.set_item("http_status", http)?;
        d.set_item("www_authenticate", www)?;
        d.set_item("issuer", iss)?;
        d.set_item("subject", sub)?;
        d.set_item("claims", claims)?;
        d.set_item("headers_to_set", set)?;
        d.set_item("headers_to_remove", remove)?;
        Ok(d)
    }
}

/// Istio `RequestAuthentication` (core `authn::Authenticator::from_json`).
#[pyclass(frozen, module = "meshauth._meshauth", name = "Authenticator")]
struct PyAuthenticator {
    inner: RwLock<authn::Authenticator>,
}

impl PyAuthenticator {
    fn read(&self) -> RwLockReadGuard<'_, authn::Authenticator> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }
}

#[pymethods]
impl PyAuthenticator {
    /// Parses RequestAuthentication JSON (resource, spec or list). A configuration error raises
    /// the `ConfigInvalid` / `ConfigUnsupported` / JWKS status class, `str(e)` naming the field.
    #[new]
    fn new(py: Python<'_>, config: Data) -> PyResult<Self> {
        let a = py
            .detach(|| authn::Authenticator::from_json(config.as_bytes()))
            .map_err(|e| config_err(py, e))?;
        Ok(PyAuthenticator {
            inner: RwLock::new(a),
        })
    }

    /// Sets the keys of every provider whose `jwksUri` is `jwks_uri` (None: unavailable, fail
    /// closed); returns how many providers were updated.
    fn set_keys(&self, py: Python<'_>, jwks_uri: &str, jwks: Option<&Bound<'_, Jwks>>) -> usize {
        let keys = jwks.map(|j| j.get().inner.clone());
        // Without the GIL: readers (authenticate) hold the lock with the GIL released.
        py.detach(|| {
            self.inner
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .set_remote_keys(jwks_uri, keys)
        })
    }

    /// The providers as dicts: `issuer`, `audiences`, `jwks_uri`, `has_keys`.
    fn providers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        // Copied out first: no Python code runs while the lock is held.
        let providers: Vec<_> = py.detach(|| {
            self.read()
                .providers()
                .iter()
                .map(|p| {
                    let has_keys = p.keys.as_ref().is_some_and(|k| !k.is_empty());
                    (
                        p.issuer.clone(),
                        p.audiences.clone(),
                        p.jwks_uri.clone(),
                        has_keys,
                    )
                })
                .collect()
        });
        let l = PyList::empty(py);
        for (issuer, audiences, jwks_uri, has_keys) in providers {
            let d = PyDict::new(py);
            d.set_item("issuer", issuer)?;
            d.set_item("audiences", audiences)?;
            d.set_item("jwks_uri", jwks_uri)?;
            d.set_item("has_keys", has_keys)?;
            l.append(d)?;
        }
        Ok(l)
    }

    /// Authenticates one request at `now` (Unix seconds; default: the current time).
    #[pyo3(signature = (method, path, headers, query, cookies, host, scheme, port, now))]
    #[allow(clippy::too_many_arguments)]
    fn authenticate(
        &self,
        py: Python<'_>,
        method: String,
        path: String,
        headers: Vec<(String, String)>,
        query: Option<String>,
        cookies: Vec<(String, String)>,
        host: String,
        scheme: String,
        port: u16,
        now: Option<i64>,
    ) -> AuthOutcome {
        let req = Request {
            method,
            path,
            query,
            host,
            scheme,
            port,
            headers,
            cookies,
        };
        let inner = py.detach(|| {
            let now = now.unwrap_or_else(unix_now);
            let a = self.read();
            req.with_view(|v| a.authenticate(v, now))
        });
        AuthOutcome { inner }
    }
}

/// Istio `AuthorizationPolicy`s (core `policy::parse_policies`).
#[pyclass(frozen, module = "meshauth._meshauth", name = "Policy")]
struct PyPolicy {
    inner: Vec<AuthorizationPolicy>,
}

#[pymethods]
impl PyPolicy {
    /// Parses AuthorizationPolicy JSON (resource, spec or list); configuration errors as for
    /// `Authenticator`.
    #[new]
    fn new(py: Python<'_>, config: Data) -> PyResult<Self> {
        let inner = py
            .detach(|| policy::parse_policies(config.as_bytes()))
            .map_err(|e| config_err(py, e))?;
        Ok(PyPolicy { inner })
    }

    /// The policy names, in order.
    #[getter]
    fn names(&self) -> Vec<String> {
        self.inner.iter().map(|p| p.name.clone()).collect()
    }

    /// Istio's decision for a request and its authentication outcome (None: no token), as a
    /// dict: `allowed`, `matched_policy`, `matched_rule`, `http_status` (the mesh's answer:
    /// the rejection's 401/403, else 403 when denied, else 200).
    #[pyo3(signature = (method, path, headers, outcome, query, host, scheme, port))]
    #[allow(clippy::too_many_arguments)]
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        method: String,
        path: String,
        headers: Vec<(String, String)>,
        outcome: Option<&Bound<'py, AuthOutcome>>,
        query: Option<String>,
        host: String,
        scheme: String,
        port: u16,
    ) -> PyResult<Bound<'py, PyDict>> {
        let req = Request {
            method,
            path,
            query,
            host,
            scheme,
            port,
            headers,
            cookies: Vec::new(),
        };
        let no_token = authn::Outcome::NoToken {
            headers_to_remove: Vec::new(),
        };
        let o = outcome.map_or(&no_token, |o| &o.get().inner);
        let (decision, http) = req.with_view(|v| {
            let d = policy::evaluate(&self.inner, v, o);
            let h = policy::http_status(o, &d);
            (d, h)
        });
        let d = PyDict::new(py);
        d.set_item("allowed", decision.allowed)?;
        d.set_item("matched_policy", decision.matched_policy)?;
        d.set_item("matched_rule", decision.matched_rule)?;
        d.set_item("http_status", http)?;
        Ok(d)
    }

    /// Warnings about known JWT traps (core `policy::lint`): dicts with `kind`, `policy`,
    /// `rule`, `field`, `message`, `fix`. `issuers` are the configured jwtRules issuers.
    #[pyo3(signature = (issuers = None))]
    fn lint<'py>(
        &self,
        py: Python<'py>,
        issuers: Option<Vec<String>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let iss: Vec<&str> = issuers.iter().flatten().map(String::as_str).collect();
        let l = PyList::empty(py);
        for w in policy::lint(&self.inner, &iss) {
            let d = PyDict::new(py);
            d.set_item("kind", format!("{:?}", w.kind))?;
            d.set_item("policy", w.policy)?;
            d.set_item("rule", w.rule)?;
            d.set_item("field", w.field)?;
            d.set_item("message", w.message)?;
            d.set_item("fix", w.fix)?;
            l.append(d)?;
        }
        Ok(l)
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }
}

/// Adds this module's classes.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<AuthOutcome>()?;
    m.add_class::<PyAuthenticator>()?;
    m.add_class::<PyPolicy>()?;
    Ok(())
}
