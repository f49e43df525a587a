//! Key-set and certificate lifecycle: JWKS comparison and thumbprints, certificate facts,
//! rotation timing, trust-bundle merging, and the sans-IO refresh [`Scheduler`] that the Python
//! `JwksClient` drives with `urllib`. Argument conversion and error mapping only.

use std::sync::{Arc, Mutex, MutexGuard};

use meshauth_core::refresh::{self, EntryId, FetchKind};
use meshauth_core::rotation::{self, Draw};
use meshauth_core::{bundle, cert, jwks_compare, Status};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::{status_err, status_err_msg, Data, Jwks};

/// Whether the key set `new` differs from `old` (core `jwks_compare::changed`): member order,
/// whitespace, escapes and number spelling do not matter, the `keys` array is a multiset, any
/// other difference is a change. An `old` that is empty or not a usable JWKS counts as changed;
/// a `new` that is not a usable JWKS raises its status (e.g. `JwksParseError`, `JwksNoKeys`).
#[pyfunction]
fn jwks_changed(py: Python<'_>, old: Data, new: Data) -> PyResult<bool> {
    py.detach(|| jwks_compare::changed(old.as_bytes(), new.as_bytes()))
        .map_err(|s| status_err(py, s))
}

/// Key-by-key difference (core `jwks_compare::diff`) as `(added, removed, modified)`, each a
/// sorted list of `(kind, name)` with kind `"kid"`, `"thumbprint"` or `"digest"`.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn jwks_diff(
    py: Python<'_>,
    old: Data,
    new: Data,
) -> PyResult<(
    Vec<(&'static str, String)>,
    Vec<(&'static str, String)>,
    Vec<(&'static str, String)>,
)> {
    let d = py
        .detach(|| jwks_compare::diff(old.as_bytes(), new.as_bytes()))
        .map_err(|s| status_err(py, s))?;
    let names = |v: Vec<meshauth_core::KeyName>| {
        v.into_iter()
            .map(|n| (n.kind(), n.as_str().to_owned()))
            .collect::<Vec<_>>()
    };
    Ok((names(d.added), names(d.removed), names(d.modified)))
}

/// The RFC 7638 SHA-256 thumbprint of one JWK (JSON text), base64url without padding.
#[pyfunction]
fn jwk_thumbprint(py: Python<'_>, jwk: Data) -> PyResult<String> {
    jwks_compare::jwk_thumbprint_b64(jwk.as_bytes()).map_err(|s| status_err(py, s))
}

/// The canonical text of a JWKS document (`keys` sorted by their canonical text).
#[pyfunction]
fn canonical_jwks(py: Python<'_>, data: Data) -> PyResult<String> {
    py.detach(|| jwks_compare::canonical_jwks(data.as_bytes()))
        .map_err(|s| status_err(py, s))
}

/// What meshauth reads from one X.509 certificate.
#[pyclass(frozen, module = "meshauth", name = "CertInfo")]
struct PyCertInfo {
    inner: cert::CertInfo,
}

/// `datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=secs)` (works before 1970).
fn utc_datetime(py: Python<'_>, secs: i64) -> PyResult<Bound<'_, PyAny>> {
    let dt = py.import("datetime")?;
    let utc = dt.getattr("timezone")?.getattr("utc")?;
    let epoch = dt
        .getattr("datetime")?
        .call((1970, 1, 1, 0, 0, 0, 0, utc), None)?;
    let delta = dt.getattr("timedelta")?.call((0, secs), None)?;
    epoch.call_method1("__add__", (delta,))
}

#[pymethods]
impl PyCertInfo {
    /// notBefore, Unix seconds (negative before 1970).
    #[getter]
    fn not_before(&self) -> i64 {
        self.inner.not_before
    }
    /// notAfter, Unix seconds.
    #[getter]
    fn not_after(&self) -> i64 {
        self.inner.not_after
    }
    /// notBefore as an aware UTC `datetime`.
    #[getter]
    fn not_before_dt<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        utc_datetime(py, self.inner.not_before)
    }
    /// notAfter as an aware UTC `datetime`.
    #[getter]
    fn not_after_dt<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        utc_datetime(py, self.inner.not_after)
    }
    /// Subject, RFC 4514 (`CN=x,O=y`).
    #[getter]
    fn subject(&self) -> &str {
        &self.inner.subject
    }
    /// Issuer, RFC 4514.
    #[getter]
    fn issuer(&self) -> &str {
        &self.inner.issuer
    }
    /// Serial number, upper-case hex without leading zeros (`-` prefix if negative).
    #[getter]
    fn serial(&self) -> &str {
        &self.inner.serial
    }
    /// SHA-256 of the DER, lower-case hex.
    #[getter]
    fn fingerprint(&self) -> String {
        self.inner.fingerprint_hex()
    }
    /// The first `spiffe://` URI SAN, or None.
    #[getter]
    fn spiffe_id(&self) -> Option<&str> {
        self.inner.spiffe_id.as_deref()
    }
    /// The DNS SANs, in certificate order.
    #[getter]
    fn dns_names(&self) -> Vec<String> {
        self.inner.dns_names.clone()
    }
    /// Whether basicConstraints has `cA: TRUE`.
    #[getter]
    fn is_ca(&self) -> bool {
        self.inner.is_ca
    }
    fn __repr__(&self) -> String {
        format!(
            "<meshauth.CertInfo subject={:?} not_after={}>",
            self.inner.subject, self.inner.not_after
        )
    }
}

/// Every certificate of a PEM bundle (or one DER certificate), in order. Every certificate block
/// must parse: the first failure raises (`CertBadPem`, `CertTruncated`, `CertMalformed`);
/// `CertNotFound` without any certificate, `CertTooLarge` above 1 MiB.
#[pyfunction]
fn cert_info(py: Python<'_>, data: Data) -> PyResult<Vec<PyCertInfo>> {
    let certs = py
        .detach(|| cert::parse(data.as_bytes()))
        .map_err(|s| status_err(py, s))?;
    Ok(certs
        .into_iter()
        .map(|inner| PyCertInfo { inner })
        .collect())
}

/// Istio's leaf expiry: notAfter (Unix seconds) of the first well-formed PEM block.
#[pyfunction]
fn cert_expiry(py: Python<'_>, data: Data) -> PyResult<i64> {
    py.detach(|| cert::expiry(data.as_bytes()))
        .map_err(|s| status_err(py, s))
}

/// A time in Unix seconds, int or float.
#[derive(FromPyObject)]
enum Seconds {
    Int(i64),
    Float(f64),
}

impl Seconds {
    /// Nanoseconds (saturating); `None` for NaN or infinities.
    fn nanos(&self) -> Option<i64> {
        match *self {
            Seconds::Int(s) => Some(s.saturating_mul(rotation::NANOS_PER_SECOND)),
            Seconds::Float(f) if f.is_finite() => {
                // Whole seconds and the fraction apart: f64 nanoseconds near today lose
                // hundreds of nanoseconds, the split keeps what the float holds.
                let whole = f.floor();
                let frac = ((f - whole) * rotation::NANOS_PER_SECOND as f64).round() as i64;
                Some(
                    (whole as i64)
                        .saturating_mul(rotation::NANOS_PER_SECOND)
                        .saturating_add(frac),
                )
            }
            Seconds::Float(_) => None,
        }
    }
}

/// The host's jitter draw: 64 random bits, or `(sign, u)`.
#[derive(FromPyObject)]
enum DrawArg {
    Bits(u64),
    Pair(i8, f64),
}

/// Seconds until rotation (core `rotation::delay`, in nanoseconds inside), never negative: an
/// int when whole, else a float. Times are Unix seconds. `draw` is the jitter draw (64 random
/// bits, or `(sign, u)`); with `jitter > 0` and no draw, 64 bits come from Python's `random`.
#[pyfunction]
#[pyo3(signature = (now, created, expire, grace_ratio = 0.5, *, jitter = 0.0, draw = None))]
fn rotation_delay(
    py: Python<'_>,
    now: Seconds,
    created: Seconds,
    expire: Seconds,
    grace_ratio: f64,
    jitter: f64,
    draw: Option<DrawArg>,
) -> PyResult<Py<PyAny>> {
    let bad = || status_err(py, Status::RotationInvalidInput);
    let (now, created, expire) = (
        now.nanos().ok_or_else(bad)?,
        created.nanos().ok_or_else(bad)?,
        expire.nanos().ok_or_else(bad)?,
    );
    let draw = match draw {
        Some(DrawArg::Bits(b)) => Draw::from_bits(b),
        Some(DrawArg::Pair(sign, u)) => Draw { sign, u },
        None if jitter != 0.0 => Draw::from_bits(
            py.import("random")?
                .call_method1("getrandbits", (64,))?
                .extract()?,
        ),
        None => Draw::NONE,
    };
    let policy = rotation::Policy {
        ratio: grace_ratio,
        jitter,
    };
    let ns = rotation::delay(created, expire, now, policy, draw).map_err(|s| status_err(py, s))?;
    let per = rotation::NANOS_PER_SECOND;
    if ns % per == 0 {
        Ok((ns / per).into_pyobject(py)?.into_any().unbind())
    } else {
        Ok((ns as f64 / per as f64)
            .into_pyobject(py)?
            .into_any()
            .unbind())
    }
}

/// Merges trust bundles by certificate (core `bundle::merge`) into canonical PEM bytes. With
/// `strict` (the default) the first unusable certificate block raises its status
/// (`CertBadPem`, `CertTruncated`, `CertMalformed`), naming the bundle; otherwise such blocks
/// are left out.
#[pyfunction]
#[pyo3(signature = (*bundles, strict = true))]
fn merge_trust_bundles<'py>(
    py: Python<'py>,
    bundles: Vec<Data>,
    strict: bool,
) -> PyResult<Bound<'py, PyBytes>> {
    let m = py
        .detach(|| {
            let inputs: Vec<&[u8]> = bundles.iter().map(Data::as_bytes).collect();
            bundle::merge(&inputs)
        })
        .map_err(|s| status_err(py, s))?;
    if strict {
        if let Some(b) = m.invalid.first() {
            let msg = format!(
                "{} (bundle {}, bytes {}..{})",
                b.status.message(),
                b.input,
                b.range.start,
                b.range.end
            );
            return Err(status_err_msg(py, b.status, &msg));
        }
    }
    Ok(PyBytes::new(py, m.pem.as_bytes()))
}

/// The core's sans-IO JWKS refresh scheduler (`refresh::Scheduler`), for hosts that do the
/// HTTP themselves (`meshauth.JwksClient`). Times are Unix seconds; entries are integer handles.
/// Thread-safe (an internal mutex); it performs no I/O and reads no clock.
#[pyclass(frozen, module = "meshauth._meshauth")]
struct Scheduler {
    inner: Mutex<refresh::Scheduler>,
}

impl Scheduler {
    /// The scheduler, locked. Callers drop the guard before running any Python code (building
    /// exceptions or objects): Python may switch threads there, and a thread blocked on this
    /// mutex holds the GIL.
    fn lock(&self) -> MutexGuard<'_, refresh::Scheduler> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn kind_name(k: FetchKind) -> &'static str {
    match k {
        FetchKind::Discovery => "discovery",
        FetchKind::Jwks => "jwks",
    }
}

#[pymethods]
impl Scheduler {
    /// A scheduler with the core's defaults unless given (durations in seconds).
    #[new]
    #[pyo3(signature = (*, refresh_interval = 1200, retry_initial = 60, retry_max = 3600,
        unknown_kid_cooldown = 30, fetch_timeout = 60, honor_cache_control = false,
        cache_control_min = 60, cache_control_max = 86400, allow_http = false, max_bytes = None,
        allow_legacy_rsa = false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        refresh_interval: u64,
        retry_initial: u64,
        retry_max: u64,
        unknown_kid_cooldown: u64,
        fetch_timeout: u64,
        honor_cache_control: bool,
        cache_control_min: u64,
        cache_control_max: u64,
        allow_http: bool,
        max_bytes: Option<usize>,
        allow_legacy_rsa: bool,
    ) -> Scheduler {
        let mut c = refresh::Config {
            refresh_interval,
            retry_initial,
            retry_max,
            unknown_kid_cooldown,
            fetch_timeout,
            honor_cache_control,
            cache_control_min,
            cache_control_max,
            ..refresh::Config::default()
        };
        c.discovery.allow_http = allow_http;
        c.jwks.allow_legacy_rsa = allow_legacy_rsa;
        if let Some(n) = max_bytes {
            c.jwks.max_bytes = n;
        }
        Scheduler {
            inner: Mutex::new(refresh::Scheduler::new(c)),
        }
    }

    /// Registers (issuer, jwks_uri) (`jwks_uri=None`: OpenID discovery of `issuer`) and returns
    /// its handle; the first fetch is due at `now`.
    #[pyo3(signature = (issuer, jwks_uri, now))]
    fn register(
        &self,
        py: Python<'_>,
        issuer: &str,
        jwks_uri: Option<&str>,
        now: i64,
    ) -> PyResult<u64> {
        let r = self.lock().register(issuer, jwks_uri, now);
        r.map(EntryId::to_u64).map_err(|s| status_err(py, s))
    }

    /// Marks the entry used at `now`.
    fn touch(&self, py: Python<'_>, entry: u64, now: i64) -> PyResult<()> {
        let r = self.lock().touch(EntryId::from_u64(entry), now);
        r.map_err(|s| status_err(py, s))
    }

    /// Returns `(fetches, evicted, next_wake)`: each fetch is `(entry, kind, url, max_bytes)`
    /// with kind `"discovery"` or `"jwks"`; the host must GET each and report it.
    #[allow(clippy::type_complexity)]
    fn poll(
        &self,
        now: i64,
    ) -> (
        Vec<(u64, &'static str, String, usize)>,
        Vec<u64>,
        Option<i64>,
    ) {
        let p = self.lock().poll(now);
        (
            p.fetches
                .into_iter()
                .map(|f| (f.entry.to_u64(), kind_name(f.kind), f.url, f.max_bytes))
                .collect(),
            p.evicted.into_iter().map(EntryId::to_u64).collect(),
            p.next_wake,
        )
    }

    /// Reports a fetched body. Returns `("unchanged", None)`, `("changed", Jwks)`,
    /// `("resolved", jwks_url)` (poll again) or `("rejected", status_name)`.
    #[pyo3(signature = (entry, body, cache_control, now))]
    fn on_fetched<'py>(
        &self,
        py: Python<'py>,
        entry: u64,
        body: Data,
        cache_control: Option<&str>,
        now: i64,
    ) -> PyResult<(&'static str, Bound<'py, PyAny>)> {
        let out = self
            .lock()
            .on_fetched(
                EntryId::from_u64(entry),
                body.as_bytes(),
                cache_control,
                now,
            )
            .map_err(|s| status_err(py, s))?;
        Ok(match out {
            refresh::Outcome::Unchanged => ("unchanged", py.None().into_bound(py)),
            refresh::Outcome::Changed(k) => {
                ("changed", Bound::new(py, Jwks { inner: k })?.into_any())
            }
            refresh::Outcome::Resolved(u) => ("resolved", u.into_pyobject(py)?.into_any()),
            refresh::Outcome::Rejected(s) => ("rejected", s.name().into_pyobject(py)?.into_any()),
        })
    }

    /// Reports that the fetch in flight failed (network error, non-2xx, timeout).
    fn on_failed(&self, py: Python<'_>, entry: u64, now: i64) -> PyResult<()> {
        let r = self.lock().on_failed(EntryId::from_u64(entry), now);
        r.map_err(|s| status_err(py, s))
    }

    /// A token named an unknown kid: whether a refetch is allowed now (then poll again).
    fn on_unknown_kid(&self, py: Python<'_>, entry: u64, now: i64) -> PyResult<bool> {
        let r = self.lock().on_unknown_kid(EntryId::from_u64(entry), now);
        r.map_err(|s| status_err(py, s))
    }

    /// The last good key set (`JwksFetchFail` if no fetch has succeeded yet).
    fn keys(&self, py: Python<'_>, entry: u64) -> PyResult<Jwks> {
        let r = self.lock().keys(EntryId::from_u64(entry));
        r.map(|inner: Arc<_>| Jwks { inner })
            .map_err(|s| status_err(py, s))
    }

    /// A snapshot of an entry as a dict, or None for an unknown handle.
    fn info<'py>(&self, py: Python<'py>, entry: u64) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(i) = self.lock().info(EntryId::from_u64(entry)) else {
            return Ok(None);
        };
        let d = PyDict::new(py);
        d.set_item("issuer", i.issuer)?;
        d.set_item("jwks_uri", i.jwks_uri)?;
        d.set_item("discovered_uri", i.discovered_uri)?;
        d.set_item("in_flight", i.in_flight.map(kind_name))?;
        d.set_item("consecutive_failures", i.consecutive_failures)?;
        d.set_item("next_fetch", i.next_fetch)?;
        d.set_item("last_delay", i.last_delay)?;
        d.set_item("last_used", i.last_used)?;
        d.set_item("last_success", i.last_success)?;
        d.set_item("evict_at", i.evict_at)?;
        d.set_item("has_keys", i.has_keys)?;
        Ok(Some(d))
    }

    /// The number of entries.
    fn __len__(&self) -> usize {
        self.lock().len()
    }
}

/// Core `discovery::check_url`: raises `DiscoveryBadJwksUri` unless `url` is an absolute https
/// URL (or http with `allow_http`). The JWKS client checks discovery URLs with it.
#[pyfunction]
#[pyo3(signature = (url, allow_http = false))]
fn check_url(py: Python<'_>, url: &str, allow_http: bool) -> PyResult<()> {
    meshauth_core::discovery::check_url(url, allow_http).map_err(|s| status_err(py, s))
}

/// Adds this module's classes and functions.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyCertInfo>()?;
    m.add_class::<Scheduler>()?;
    m.add_function(wrap_pyfunction!(jwks_changed, m)?)?;
    m.add_function(wrap_pyfunction!(jwks_diff, m)?)?;
    m.add_function(wrap_pyfunction!(jwk_thumbprint, m)?)?;
    m.add_function(wrap_pyfunction!(canonical_jwks, m)?)?;
    m.add_function(wrap_pyfunction!(cert_info, m)?)?;
    m.add_function(wrap_pyfunction!(cert_expiry, m)?)?;
    m.add_function(wrap_pyfunction!(rotation_delay, m)?)?;
    m.add_function(wrap_pyfunction!(merge_trust_bundles, m)?)?;
    m.add_function(wrap_pyfunction!(check_url, m)?)?;
    Ok(())
}
