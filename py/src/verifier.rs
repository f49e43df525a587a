//! `meshauth.Verifier` (the validation options parsed once), the verify path it shares with the
//! module-level `verify`/`verify_complete`, and the conversion of the core's validated JSON into
//! Python objects.

use meshauth_core::json::Value;
use meshauth_core::{self as core, Validation, Verified};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString};

use crate::{status_err, unix_now, validation, Data, Jwks, VerifiedToken};

/// Verifies `token` with the core, the GIL released, and hands the verified token to `f` with
/// the GIL held again (borrowed: claims are converted without copying the payload first).
pub(crate) fn verify_then<T>(
    py: Python<'_>,
    token: &[u8],
    keys: &core::Jwks,
    v: &Validation,
    now: Option<i64>,
    f: impl FnOnce(&Verified<'_>) -> PyResult<T>,
) -> PyResult<T> {
    match py.detach(|| core::verify(token, keys, v, now.unwrap_or_else(unix_now))) {
        Ok(t) => f(&t),
        Err(s) => Err(status_err(py, s)),
    }
}

/// A value of a document the core validated, as `json.loads` gives it: dict (members in
/// document order), list, str, int (any size), float, bool or None.
pub(crate) fn to_py<'py>(py: Python<'py>, v: Value<'_>) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, b).to_owned().into_any(),
        Value::Number(n) => number(py, n)?,
        Value::String(s) => PyString::new(py, &s.to_cow()).into_any(),
        Value::Object(o) => {
            let d = PyDict::new(py);
            for (k, v) in o.iter() {
                d.set_item(PyString::new(py, &k.to_cow()), to_py(py, v)?)?;
            }
            d.into_any()
        }
        Value::Array(a) => {
            let items = a
                .iter()
                .map(|e| to_py(py, e))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?.into_any()
        }
    })
}

/// A JSON number as `json.loads` reads it: with a fraction or exponent a float (both Rust's
/// and Python's parsers round correctly; out of range is ±inf or 0.0, as `float()` gives),
/// otherwise an int of any size.
fn number<'py>(py: Python<'py>, n: &str) -> PyResult<Bound<'py, PyAny>> {
    if n.bytes().any(|c| matches!(c, b'.' | b'e' | b'E')) {
        let f: f64 = n.parse().unwrap_or(f64::NAN);
        Ok(PyFloat::new(py, f).into_any())
    } else if let Ok(i) = n.parse::<i64>() {
        Ok(i.into_pyobject(py)?.into_any())
    } else {
        py.get_type::<PyInt>().call1((n,))
    }
}

/// The claims of a verified token as a dict.
pub(crate) fn claims<'py>(py: Python<'py>, t: &Verified<'_>) -> PyResult<Bound<'py, PyAny>> {
    to_py(py, Value::Object(t.claims()))
}

/// A reusable verifier: the key set and the validation options of `meshauth.verify`, parsed
/// once. `Verifier(jwks, *, issuer=None, audiences=None, clock_skew=60, algorithms=None,
/// require_exp=False, max_lifetime=None, max_age=None, max_token_bytes=None)` takes the same
/// keywords (with the same meaning, defaults and errors) as `verify`; then
/// `v.verify(token, now=None)` gives exactly what `meshauth.verify(token, jwks, **options,
/// now=now)` gives, with less work per call.
///
/// Immutable and safe to share between threads; the GIL is released while verifying. It keeps
/// the `Jwks` it was given (`.jwks`): when the keys rotate, build a new `Verifier` (cheap)
/// around the new `Jwks`.
#[pyclass(frozen, module = "meshauth")]
pub(crate) struct Verifier {
    jwks: Py<Jwks>,
    validation: Validation,
}

#[pymethods]
impl Verifier {
    #[new]
    #[pyo3(signature = (jwks, *, issuer = None, audiences = None, clock_skew = 60,
        algorithms = None, require_exp = false, max_lifetime = None, max_age = None,
        max_token_bytes = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        jwks: Py<Jwks>,
        issuer: Option<&str>,
        audiences: Option<Vec<String>>,
        clock_skew: u64,
        algorithms: Option<Vec<String>>,
        require_exp: bool,
        max_lifetime: Option<u64>,
        max_age: Option<u64>,
        max_token_bytes: Option<usize>,
    ) -> PyResult<Verifier> {
        let validation = validation(
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
        Ok(Verifier { jwks, validation })
    }

    /// Verifies a compact JWS `token` (str or bytes) and returns its claims as a dict, exactly
    /// as `meshauth.verify` with this verifier's key set and options. `now` is Unix seconds
    /// (default: the current time). Raises the same `MeshAuthError` subclasses.
    #[pyo3(signature = (token, now = None))]
    fn verify<'py>(
        &self,
        py: Python<'py>,
        token: Data,
        now: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.run(py, &token, now, |t| claims(py, t))
    }

    /// As `verify`, returning a `VerifiedToken` (`.header`, `.claims`, `.principal`,
    /// `.scopes`, `.claim(path)`, `.alg`, `.kid`, `.key_index`).
    #[pyo3(signature = (token, now = None))]
    fn verify_complete(
        &self,
        py: Python<'_>,
        token: Data,
        now: Option<i64>,
    ) -> PyResult<VerifiedToken> {
        self.run(py, &token, now, |t| VerifiedToken::new(py, t))
    }

    /// The key set (the `Jwks` given to the constructor).
    #[getter]
    fn jwks(&self, py: Python<'_>) -> Py<Jwks> {
        self.jwks.clone_ref(py)
    }

    /// The required issuer, or None.
    #[getter]
    fn issuer(&self) -> Option<&str> {
        self.validation.issuer()
    }

    /// The accepted audiences as compared (one leading http(s):// and one trailing / removed).
    #[getter]
    fn audiences(&self) -> Vec<String> {
        self.validation.audiences().to_vec()
    }

    /// The clock skew in seconds.
    #[getter]
    fn clock_skew(&self) -> u64 {
        self.validation.clock_skew()
    }

    /// The accepted algorithms.
    #[getter]
    fn algorithms(&self) -> Vec<&'static str> {
        self.validation
            .algorithms()
            .iter()
            .map(|a| a.name())
            .collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "<meshauth.Verifier keys={} issuer={:?} audiences={:?}>",
            self.jwks.get().inner.len(),
            self.validation.issuer(),
            self.validation.audiences()
        )
    }
}

impl Verifier {
    fn run<T>(
        &self,
        py: Python<'_>,
        token: &Data,
        now: Option<i64>,
        f: impl FnOnce(&Verified<'_>) -> PyResult<T>,
    ) -> PyResult<T> {
        verify_then(
            py,
            token.as_bytes(),
            &self.jwks.get().inner,
            &self.validation,
            now,
            f,
        )
    }
}
