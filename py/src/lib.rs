//! `meshauth._meshauth`: the native half of the `meshauth` Python package.
//!
//! Thin by design: arguments are converted, the core is called with the GIL released
//! (`py.detach`, [`verifier::verify_then`]), and a core [`Status`] becomes the matching
//! `meshauth.errors` exception class (one class per status, generated in Python from
//! [`status_table`]). Verified claims and headers are built as
//! dicts straight from the core's validated JSON ([`verifier::to_py`]); other JSON documents
//! handed to Python are the core's exact decoded text passed through Python's `json`.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use meshauth_core::{self as core, Alg, AlgSet, JwksOptions, Status, Token, Validation, Verified};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList};

mod lifecycle;
mod mesh;
mod verifier;

use verifier::{claims, to_py, verify_then, Verifier};

/// Text or bytes from Python, borrowed without copying and usable with the GIL released.
#[derive(FromPyObject)]
pub(crate) enum Data {
    Str(PyBackedStr),
    Bytes(PyBackedBytes),
}

impl Data {
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            Data::Str(s) => s.as_bytes(),
            Data::Bytes(b) => b,
        }
    }
}

/// `meshauth.errors._by_code`, looked up once.
static ERROR_CLASSES: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The Python exception for a core status: an instance of `meshauth.errors.<StatusName>`,
/// whose `str()` is the status message (Envoy's text).
pub(crate) fn status_err(py: Python<'_>, s: Status) -> PyErr {
    status_err_msg(py, s, s.message())
}

/// As [`status_err`], with another message (e.g. a configuration error naming its field).
pub(crate) fn status_err_msg(py: Python<'_>, s: Status, message: &str) -> PyErr {
    let make = || -> PyResult<PyErr> {
        let table = ERROR_CLASSES.get_or_try_init(py, || {
            py.import("meshauth.errors")?
                .getattr("_by_code")
                .map(Bound::unbind)
        })?;
        let cls = table.bind(py).get_item(s.code())?;
        Ok(PyErr::from_value(cls.call1((message,))?))
    };
    make().unwrap_or_else(|e| {
        PyRuntimeError::new_err(format!(
            "{}: {message} (meshauth.errors unavailable: {e})",
            s.name()
        ))
    })
}

/// Calls Python's `json.loads` on text the core has already validated as JSON.
pub(crate) fn json_loads<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (text,))
}

/// The current time in Unix seconds.
pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Every status as `(code, name, message, http_status)`, in code order: the source of the
/// exception classes in `meshauth.errors`.
#[pyfunction]
fn status_table() -> Vec<(u16, &'static str, &'static str, u16)> {
    Status::all()
        .map(|s| (s.code(), s.name(), s.message(), s.http_status()))
        .collect()
}

/// A parsed, immutable key set (JWKS). Keys are prepared once, at load time; the object is
/// safe to share between threads.
///
/// Build it with `Jwks.from_json(data)` (a JWKS document, or Google's kid → X.509 certificate
/// map) or `Jwks.from_pem(pem)`. Unusable keys are skipped, as in Envoy; when none is usable
/// the first key's error is raised (a `meshauth.errors.Jwks*` exception).
#[pyclass(frozen, weakref, module = "meshauth")]
pub(crate) struct Jwks {
    pub(crate) inner: Arc<core::Jwks>,
}

fn jwks_options(allow_legacy_rsa: bool, ec_tables: usize) -> JwksOptions {
    JwksOptions {
        allow_legacy_rsa,
        ec_tables,
        ..JwksOptions::default()
    }
}

#[pymethods]
impl Jwks {
    /// Parses a JWKS document (`{"keys": [...]}`, str or bytes) or Google's kid -> PEM
    /// certificate map. `allow_legacy_rsa` accepts 1024-2047-bit RSA keys (refused by default).
    /// `ec_tables`: how many EC keys (in document order) get a precomputed verification table,
    /// ~2-8x faster ES256/384/512 for ~1-2 ms and 100-160 KiB per key at load (default 8).
    /// Raises a `MeshAuthError` subclass (e.g. `meshauth.errors.JwksParseError`).
    #[staticmethod]
    #[pyo3(signature = (data, *, allow_legacy_rsa = false, ec_tables = 8))]
    fn from_json(
        py: Python<'_>,
        data: Data,
        allow_legacy_rsa: bool,
        ec_tables: usize,
    ) -> PyResult<Jwks> {
        let opts = jwks_options(allow_legacy_rsa, ec_tables);
        py.detach(|| core::Jwks::from_json_with(data.as_bytes(), &opts))
            .map(|inner| Jwks {
                inner: Arc::new(inner),
            })
            .map_err(|s| status_err(py, s))
    }

    /// Parses one PEM `PUBLIC KEY` (SubjectPublicKeyInfo: RSA, EC P-256/384/521 or Ed25519),
    /// optionally giving it a `kid` and an `alg` (Envoy's `createFromPem`). `ec_tables` as in
    /// `from_json` (0 or 1 here).
    #[staticmethod]
    #[pyo3(signature = (data, *, kid = None, alg = None, allow_legacy_rsa = false, ec_tables = 8))]
    fn from_pem(
        py: Python<'_>,
        data: Data,
        kid: Option<&str>,
        alg: Option<&str>,
        allow_legacy_rsa: bool,
        ec_tables: usize,
    ) -> PyResult<Jwks> {
        let opts = jwks_options(allow_legacy_rsa, ec_tables);
        py.detach(|| core::Jwks::from_pem_with(data.as_bytes(), kid, alg, &opts))
            .map(|inner| Jwks {
                inner: Arc::new(inner),
            })
            .map_err(|s| status_err(py, s))
    }

    /// The number of usable keys.
    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// The `kid` of each usable key, in order (`None` for a key without one).
    #[getter]
    fn kids(&self) -> Vec<Option<String>> {
        self.inner
            .keys()
            .iter()
            .map(|k| k.kid().map(String::from))
            .collect()
    }

    /// One dict per usable key: `kid`, `alg` (or None), `kty`, `crv` (or None) and `bits`.
    #[getter]
    fn keys<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for k in self.inner.keys() {
            let d = PyDict::new(py);
            d.set_item("kid", k.kid())?;
            d.set_item("alg", k.alg())?;
            d.set_item("kty", k.kty().name())?;
            d.set_item("crv", k.curve().map(|c| c.name()))?;
            d.set_item("bits", k.bits())?;
            list.append(d)?;
        }
        Ok(list)
    }

    fn __repr__(&self) -> String {
        format!("<meshauth.Jwks keys={}>", self.inner.len())
    }
}

/// The [`Validation`] for the keyword arguments of `verify`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn validation(
    py: Python<'_>,
    issuer: Option<&str>,
    audiences: Option<Vec<String>>,
    clock_skew: u64,
    algorithms: Option<Vec<String>>,
    require_exp: bool,
    max_lifetime: Option<u64>,
    max_age: Option<u64>,
    max_token_bytes: Option<usize>,
) -> PyResult<Validation> {
    let mut v = Validation::new();
    if let Some(iss) = issuer {
        v.set_issuer(iss);
    }
    for a in audiences.iter().flatten() {
        v.add_audience(a);
    }
    v.set_clock_skew(clock_skew);
    if let Some(names) = algorithms {
        let mut set = AlgSet::EMPTY;
        for n in &names {
            match Alg::from_name(n) {
                Some(a) => set = set.with(a),
                None => return Err(status_err(py, Status::InvalidArgument)),
            }
        }
        v.set_algorithms(set);
    }
    v.set_require_exp(require_exp);
    v.set_max_lifetime(max_lifetime);
    v.set_max_age(max_age);
    if let Some(n) = max_token_bytes {
        v.set_max_token_bytes(n);
    }
    Ok(v)
}

/// Verifies a compact JWS `token` (str or bytes) against `jwks` exactly as Envoy's jwt_authn
/// does, in its order: parse, allowed algorithm, issuer (exact), time (`now + clock_skew < nbf`
/// is JwtNotYetValid, `now > exp + clock_skew` is JwtExpired), audience (any of `audiences`,
/// ignoring one leading http(s):// and one trailing /), key selection by kid/alg, signature.
/// Returns the claims as a dict. `now` is Unix seconds (default: the current time).
/// Optional bounds: `require_exp`; `max_lifetime` (`exp - iat`, JwtLifetimeTooLong);
/// `max_age` (jose's maxTokenAge: `iat` required, JwtMissingIat; `now - iat` over
/// `max_age + clock_skew` is JwtExpired); `max_token_bytes` (JwtTooLarge).
///
/// Raises a `meshauth.MeshAuthError` subclass named after the status (e.g.
/// `meshauth.errors.JwtExpired`, also a `meshauth.ExpiredSignatureError`) with `.code`
/// ("JwtExpired"), `.status` (its number) and Envoy's message as `str(e)`.
/// The GIL is released while the token is verified. To verify many tokens with the same options, build a `Verifier` once.
#[pyfunction]
#[pyo3(signature = (token, jwks, *, issuer = None, audiences = None, clock_skew = 60,
    algorithms = None, now = None, require_exp = false, max_lifetime = None, max_age = None,
    max_token_bytes = None))]
#[allow(clippy::too_many_arguments)]
fn verify<'py>(
    py: Python<'py>,
    token: Data,
    jwks: &Bound<'py, Jwks>,
    issuer: Option<&str>,
    audiences: Option<Vec<String>>,
    clock_skew: u64,
    algorithms: Option<Vec<String>>,
    now: Option<i64>,
    require_exp: bool,
    max_lifetime: Option<u64>,
    max_age: Option<u64>,
    max_token_bytes: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let v = validation(
        py,
        issuer,
        audiences,
        clock_skew,
        algorithms,
        require_exp,
        max_lifetime,
        max_age,
        max_token_bytes,
    )?;
    let keys = &jwks.get().inner;
    verify_then(py, token.as_bytes(), keys, &v, now, |t| claims(py, t))
}

/// A verified token: `header` and `claims` dicts, `principal` ("iss/sub" or None), `scopes`
/// (the `scope` claim split on spaces), `claim(path)`, and the `alg`, `kid` and `key_index`
/// (position in the key set) that verified it.
#[pyclass(frozen, module = "meshauth")]
pub(crate) struct VerifiedToken {
    token: String,
    header: Py<PyAny>,
    claims: Py<PyAny>,
    principal: Option<String>,
    scopes: Vec<String>,
    key_index: usize,
    alg: &'static str,
    kid: Option<String>,
}

impl VerifiedToken {
    /// The Python view of a token the core verified.
    pub(crate) fn new(py: Python<'_>, t: &Verified<'_>) -> PyResult<VerifiedToken> {
        Ok(VerifiedToken {
            token: t.as_str().to_owned(),
            header: to_py(py, core::json::Value::Object(t.header()))?.unbind(),
            claims: claims(py, t)?.unbind(),
            principal: t.principal(),
            scopes: t.scopes().into_iter().map(|s| s.into_owned()).collect(),
            key_index: t.key_index(),
            alg: t.alg().name(),
            kid: t.kid().map(String::from),
        })
    }
}

#[pymethods]
impl VerifiedToken {
    /// The decoded JOSE header, as a dict.
    #[getter]
    fn header(&self, py: Python<'_>) -> Py<PyAny> {
        self.header.clone_ref(py)
    }

    /// The claims (payload), as a dict.
    #[getter]
    fn claims(&self, py: Python<'_>) -> Py<PyAny> {
        self.claims.clone_ref(py)
    }

    /// Istio's request principal `iss/sub`, or None when either claim is missing.
    #[getter]
    fn principal(&self) -> Option<String> {
        self.principal.clone()
    }

    /// The `scope` claim split on spaces (a list-valued `scope` gives its string elements).
    #[getter]
    fn scopes(&self) -> Vec<String> {
        self.scopes.clone()
    }

    /// The position in the key set of the key that verified the signature.
    #[getter]
    fn key_index(&self) -> usize {
        self.key_index
    }

    /// The header's `alg`.
    #[getter]
    fn alg(&self) -> &'static str {
        self.alg
    }

    /// The header's `kid`, or None.
    #[getter]
    fn kid(&self) -> Option<String> {
        self.kid.clone()
    }

    /// The token text.
    #[getter]
    fn token(&self) -> &str {
        &self.token
    }

    /// A claim by dotted path (`"a.b.c"` walks nested objects, as Envoy's claim_to_headers and
    /// Istio's `request.auth.claims[a][b]`); None when absent.
    fn claim<'py>(&self, py: Python<'py>, path: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        let t = Token::parse(&self.token).map_err(|s| status_err(py, s))?;
        t.claim(path).map(|v| to_py(py, v)).transpose()
    }

    fn __repr__(&self) -> String {
        let quote = |v: &Option<String>| v.as_ref().map_or("None".into(), |s| format!("{s:?}"));
        format!(
            "<meshauth.VerifiedToken alg={} kid={} principal={}>",
            self.alg,
            quote(&self.kid),
            quote(&self.principal)
        )
    }
}

/// As `verify` (same arguments and errors), returning a `VerifiedToken` with `.header`, `.claims`, `.principal`, `.scopes`,
/// `.claim(path)`, `.alg`, `.kid` and `.key_index`.
#[pyfunction]
#[pyo3(signature = (token, jwks, *, issuer = None, audiences = None, clock_skew = 60,
    algorithms = None, now = None, require_exp = false, max_lifetime = None, max_age = None,
    max_token_bytes = None))]
#[allow(clippy::too_many_arguments)]
fn verify_complete(
    py: Python<'_>,
    token: Data,
    jwks: &Bound<'_, Jwks>,
    issuer: Option<&str>,
    audiences: Option<Vec<String>>,
    clock_skew: u64,
    algorithms: Option<Vec<String>>,
    now: Option<i64>,
    require_exp: bool,
    max_lifetime: Option<u64>,
    max_age: Option<u64>,
    max_token_bytes: Option<usize>,
) -> PyResult<VerifiedToken> {
    let v = validation(
        py,
        issuer,
        audiences,
        clock_skew,
        algorithms,
        require_exp,
        max_lifetime,
        max_age,
        max_token_bytes,
    )?;
    let keys = &jwks.get().inner;
    verify_then(py, token.as_bytes(), keys, &v, now, |t| {
        VerifiedToken::new(py, t)
    })
}

/// UNVERIFIED: returns `(header, claims)` as dicts. Splits and decodes a token with the core's strict parser and checks nothing
/// else (no signature, no time, no issuer or audience). For inspection and debugging only.
#[pyfunction]
fn decode_unverified<'py>(
    py: Python<'py>,
    token: Data,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    let (h, p) = py
        .detach(|| {
            let text = std::str::from_utf8(token.as_bytes()).map_err(|_| Status::JwtBadFormat)?;
            let t = Token::parse(text)?;
            Ok((t.header_json().to_owned(), t.payload_json().to_owned()))
        })
        .map_err(|s: Status| status_err(py, s))?;
    Ok((json_loads(py, &h)?, json_loads(py, &p)?))
}

/// Base64url without padding, as a str (the core's encoder).
#[pyfunction]
fn b64url_encode(data: &[u8]) -> String {
    core::b64::encode(data)
}

/// The native module: `Jwks`, `VerifiedToken`, `Verifier`, `verify`, `verify_complete`,
/// `decode_unverified`, `status_table`, `b64url_encode`.
#[pymodule]
fn _meshauth(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Jwks>()?;
    m.add_class::<VerifiedToken>()?;
    m.add_class::<Verifier>()?;
    m.add_function(wrap_pyfunction!(verify, m)?)?;
    m.add_function(wrap_pyfunction!(verify_complete, m)?)?;
    m.add_function(wrap_pyfunction!(decode_unverified, m)?)?;
    m.add_function(wrap_pyfunction!(status_table, m)?)?;
    m.add_function(wrap_pyfunction!(b64url_encode, m)?)?;
    lifecycle::register(m)?;
    mesh::register(m)?;
    Ok(())
}
