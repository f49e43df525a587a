//! Key-set lifecycle: JWKS comparison, diff, thumbprints and canonical form; certificate
//! parsing and expiry; rotation timing; the sans-IO refresh scheduler. Thin wrappers over
//! `meshauth_core::{jwks_compare, cert, rotation, refresh}`.

use std::ffi::{c_char, c_int};
use std::ptr;

use meshauth_core::cert::{self, CertInfo};
use meshauth_core::jwks_compare::{self, JwksDiff, KeyName};
use meshauth_core::refresh::{self, EntryId, FetchKind, Scheduler};
use meshauth_core::rotation::{self, Draw, Policy, NANOS_PER_SECOND};
use meshauth_core::Status;

use crate::{
    bytes, free_box, guard, handle, meshauth_jwks, meshauth_status, meshauth_str, opt_text, out,
    text,
};

/// Writes a new handle to `*out_ptr` (NULL first, so it is NULL on every error).
pub(crate) unsafe fn put<T>(
    out_ptr: *mut *mut T,
    make: impl FnOnce() -> Result<T, Status>,
) -> meshauth_status {
    guard(|| {
        let slot = out(out_ptr)?;
        *slot = ptr::null_mut();
        *slot = Box::into_raw(Box::new(make()?));
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// Allocated strings

/// A string the library allocated (e.g. by meshauth_jwks_canonical()). Read it with
/// meshauth_string_get(); free it with meshauth_string_free().
pub struct meshauth_string {
    /// The text followed by one NUL byte (not part of the view's length).
    text: Box<str>,
}

impl meshauth_string {
    fn new(mut s: String) -> meshauth_string {
        s.push('\0');
        meshauth_string {
            text: s.into_boxed_str(),
        }
    }
}

/// The text of `s`: a view valid until `s` is freed. The byte at `ptr[len]` is a NUL, so
/// `ptr` may also be used as a C string when the text itself contains no NUL. A NULL `s` gives
/// an absent view (NULL `ptr`).
///
/// # Safety
/// `s` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn meshauth_string_get(s: *const meshauth_string) -> meshauth_str {
    match s.as_ref() {
        Some(s) => meshauth_str::of(Some(&s.text[..s.text.len() - 1])),
        None => meshauth_str::of(None),
    }
}

/// Frees a string; NULL is a no-op. Its views become invalid.
///
/// # Safety
/// `s` is NULL or a handle from this library, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn meshauth_string_free(s: *mut meshauth_string) {
    free_box(s)
}

// ---------------------------------------------------------------------------------------------
// JWKS comparison

/// Whether the key set `new_json` differs from `old_json` (`jwks_compare::changed`). `new_json`
/// must be a usable JWKS document, otherwise its status is returned (e.g.
/// `MESHAUTH_STATUS_JWKS_PARSE_ERROR`, `MESHAUTH_STATUS_JWKS_NO_KEYS`: keep the old keys). An
/// empty or unusable `old_json` counts as changed. Member order, whitespace, escapes, number
/// spelling and the order of `keys` do not matter; any other difference anywhere in the document
/// is a change. `*changed` is written only on success.
///
/// # Safety
/// `old_json`/`new_json` are valid for their lengths (or NULL with length 0); `changed` is NULL
/// or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_jwks_changed(
    old_json: *const u8,
    old_len: usize,
    new_json: *const u8,
    new_len: usize,
    changed: *mut bool,
) -> meshauth_status {
    guard(|| {
        let slot = out(changed)?;
        *slot = jwks_compare::changed(bytes(old_json, old_len)?, bytes(new_json, new_len)?)?;
        Ok(())
    })
}

/// Which list of a meshauth_jwks_diff_result: keys only in the new set.
pub const MESHAUTH_JWKS_DIFF_ADDED: c_int = 0;
/// Keys only in the old set.
pub const MESHAUTH_JWKS_DIFF_REMOVED: c_int = 1;
/// Keys in both sets whose content differs.
pub const MESHAUTH_JWKS_DIFF_MODIFIED: c_int = 2;

/// The key-by-key difference of two key sets (meshauth_jwks_diff()). Read-only; free with
/// meshauth_jwks_diff_free().
pub struct meshauth_jwks_diff_result {
    diff: JwksDiff,
}

fn diff_list(d: &JwksDiff, list: c_int) -> Result<&[KeyName], Status> {
    match list {
        MESHAUTH_JWKS_DIFF_ADDED => Ok(&d.added),
        MESHAUTH_JWKS_DIFF_REMOVED => Ok(&d.removed),
        MESHAUTH_JWKS_DIFF_MODIFIED => Ok(&d.modified),
        _ => Err(Status::InvalidArgument),
    }
}

/// Key-by-key difference between two JWKS documents (`jwks_compare::diff`). `new_json` must be a
/// usable JWKS (its status otherwise); an unusable `old_json` reads as an empty set. Keys are
/// named by `kid`, or by RFC 7638 thumbprint when they have none. Differences outside `keys` are
/// not reported (meshauth_jwks_changed() sees them). On success `*out` is a new handle, on error
/// NULL.
///
/// # Safety
/// The documents are valid for their lengths (or NULL with length 0); `out` is NULL or valid for
/// writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_jwks_diff(
    old_json: *const u8,
    old_len: usize,
    new_json: *const u8,
    new_len: usize,
    out: *mut *mut meshauth_jwks_diff_result,
) -> meshauth_status {
    put(out, || {
        let diff = jwks_compare::diff(bytes(old_json, old_len)?, bytes(new_json, new_len)?)?;
        Ok(meshauth_jwks_diff_result { diff })
    })
}

/// Writes the number of names in list `list` (`MESHAUTH_JWKS_DIFF_ADDED`, `_REMOVED` or
/// `_MODIFIED`; another value is `MESHAUTH_STATUS_INVALID_ARGUMENT`) to `*count`.
///
/// # Safety
/// `d` is NULL or a live handle; `count` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_jwks_diff_count(
    d: *const meshauth_jwks_diff_result,
    list: c_int,
    count: *mut usize,
) -> meshauth_status {
    guard(|| {
        let slot = out(count)?;
        *slot = diff_list(&handle(d)?.diff, list)?.len();
        Ok(())
    })
}

/// Name `index` of list `list` (sorted, no repeats): `*name` is the kid or the base64url
/// thumbprint/digest (valid until `d` is freed), `*kind` (may be NULL) the static `"kid"`,
/// `"thumbprint"` or `"digest"`. An index past the end is `MESHAUTH_STATUS_INVALID_ARGUMENT`.
///
/// # Safety
/// `d` is NULL or a live handle; `name` is NULL or valid for writes; `kind` is NULL or valid for
/// writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_jwks_diff_name(
    d: *const meshauth_jwks_diff_result,
    list: c_int,
    index: usize,
    name: *mut meshauth_str,
    kind: *mut meshauth_str,
) -> meshauth_status {
    guard(|| {
        let slot = out(name)?;
        *slot = meshauth_str::of(None);
        let key = diff_list(&handle(d)?.diff, list)?
            .get(index)
            .ok_or(Status::InvalidArgument)?;
        *slot = meshauth_str::of(Some(key.as_str()));
        if let Some(k) = kind.as_mut() {
            *k = meshauth_str::of(Some(key.kind()));
        }
        Ok(())
    })
}

/// Frees a diff; NULL is a no-op.
///
/// # Safety
/// `d` is NULL or a handle from this library, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn meshauth_jwks_diff_free(d: *mut meshauth_jwks_diff_result) {
    free_box(d)
}

/// The length of a base64url thumbprint (meshauth_jwk_thumbprint_b64()), without its NUL.
pub const MESHAUTH_THUMBPRINT_B64_LEN: usize = 43;

/// The RFC 7638 SHA-256 thumbprint of one JWK given as JSON text, written to the 32 bytes at
/// `out`. Only the required members count (RSA `e,kty,n`; EC `crv,kty,x,y`; oct `k,kty`; OKP
/// `crv,kty,x`). Errors: `MESHAUTH_STATUS_JWKS_PARSE_ERROR` (not a JSON object),
/// `..._JWKS_MISSING_KTY`, `..._JWKS_NOT_IMPLEMENTED_KTY`, or the missing/bad member's status.
/// `out` is unchanged on error.
///
/// # Safety
/// `jwk` is valid for `len` bytes (or NULL with 0); `out` is NULL or valid for 32 bytes of writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_jwk_thumbprint(
    jwk: *const u8,
    len: usize,
    out: *mut u8,
) -> meshauth_status {
    guard(|| {
        if out.is_null() {
            return Err(Status::NullArgument);
        }
        let t = jwks_compare::jwk_thumbprint(bytes(jwk, len)?)?;
        ptr::copy_nonoverlapping(t.as_ptr(), out, t.len());
        Ok(())
    })
}

/// As meshauth_jwk_thumbprint(), in base64url without padding (the form used as a `kid`):
/// `MESHAUTH_THUMBPRINT_B64_LEN` (43) characters and a NUL written to `out`, which must hold 44
/// bytes. `out` is unchanged on error.
///
/// # Safety
/// `jwk` is valid for `len` bytes (or NULL with 0); `out` is NULL or valid for 44 bytes of writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_jwk_thumbprint_b64(
    jwk: *const u8,
    len: usize,
    out: *mut c_char,
) -> meshauth_status {
    guard(|| {
        if out.is_null() {
            return Err(Status::NullArgument);
        }
        let t = jwks_compare::jwk_thumbprint_b64(bytes(jwk, len)?)?;
        if t.len() != MESHAUTH_THUMBPRINT_B64_LEN {
            return Err(Status::Panic); // a SHA-256 digest always encodes to 43 characters
        }
        ptr::copy_nonoverlapping(t.as_ptr(), out.cast::<u8>(), t.len());
        *out.add(t.len()) = 0;
        Ok(())
    })
}

/// The canonical form of a JWKS document (`jwks_compare::canonical_jwks`): members sorted,
/// no whitespace, escapes and numbers normalised, `keys` sorted by their canonical text. Two
/// documents are "unchanged" for meshauth_jwks_changed() exactly when these are equal. Errors as
/// meshauth_jwks_changed() for `new_json`. On success `*out` is a new string (free with
/// meshauth_string_free()), on error NULL.
///
/// # Safety
/// `json` is valid for `len` bytes (or NULL with 0); `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_jwks_canonical(
    json: *const u8,
    len: usize,
    out: *mut *mut meshauth_string,
) -> meshauth_status {
    put(out, || {
        jwks_compare::canonical_jwks(bytes(json, len)?).map(meshauth_string::new)
    })
}

// ---------------------------------------------------------------------------------------------
// Certificates

/// The notAfter (Unix seconds) of the first certificate of a PEM bundle or of one DER
/// certificate: Istio's `ParseCertAndGetExpiryTimestamp` (`cert::expiry`). Text before the first
/// block and malformed blocks before the first good one are skipped; the rest of the chain is
/// ignored. Errors: `MESHAUTH_STATUS_CERT_NOT_FOUND`, `..._CERT_BAD_PEM`, `..._CERT_MALFORMED`,
/// `..._CERT_TRUNCATED`, `..._CERT_TOO_LARGE` (over 1 MiB). `*not_after` is written only on
/// success.
///
/// # Safety
/// `data` is valid for `len` bytes (or NULL with 0); `not_after` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_cert_expiry(
    data: *const u8,
    len: usize,
    not_after: *mut i64,
) -> meshauth_status {
    guard(|| {
        let slot = out(not_after)?;
        *slot = cert::expiry(bytes(data, len)?)?;
        Ok(())
    })
}

/// The certificates of a PEM bundle or one DER certificate (meshauth_cert_parse()). Read-only;
/// free with meshauth_certs_free().
pub struct meshauth_certs {
    certs: Vec<(CertInfo, String)>,
}

/// One certificate. The views point into the meshauth_certs handle and are valid until it is
/// freed.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct meshauth_cert_info {
    /// notBefore, Unix seconds (negative before 1970).
    pub not_before: i64,
    /// notAfter, Unix seconds (253402300799 for 9999-12-31T23:59:59Z, "no expiry").
    pub not_after: i64,
    /// The subject as an RFC 4514 string, most-specific RDN first (`CN=x,O=y`).
    pub subject: meshauth_str,
    /// The issuer as an RFC 4514 string.
    pub issuer: meshauth_str,
    /// The serial number in upper-case hex without leading zeros (`-` first when negative).
    pub serial: meshauth_str,
    /// The SHA-256 fingerprint of the DER as 64 lower-case hex digits.
    pub fingerprint: meshauth_str,
    /// The SHA-256 fingerprint of the DER.
    pub fingerprint_sha256: [u8; 32],
    /// The first `spiffe://` URI SAN, or absent.
    pub spiffe_id: meshauth_str,
    /// The number of DNS SANs (see meshauth_certs_dns_name()).
    pub dns_name_count: usize,
    /// Whether basicConstraints has `cA: TRUE`.
    pub is_ca: bool,
}

/// Parses a PEM bundle (text around blocks and non-certificate blocks are skipped) or one DER
/// certificate (`cert::parse`). Every certificate block must parse: the first failure is
/// returned (`MESHAUTH_STATUS_CERT_BAD_PEM`, `..._CERT_TRUNCATED`, `..._CERT_MALFORMED`; no
/// certificate at all is `..._CERT_NOT_FOUND`). On success `*out` is a new handle, on error NULL.
///
/// # Safety
/// `data` is valid for `len` bytes (or NULL with 0); `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_cert_parse(
    data: *const u8,
    len: usize,
    out: *mut *mut meshauth_certs,
) -> meshauth_status {
    put(out, || {
        let certs = cert::parse(bytes(data, len)?)?;
        Ok(meshauth_certs {
            certs: certs
                .into_iter()
                .map(|c| {
                    let hex = c.fingerprint_hex();
                    (c, hex)
                })
                .collect(),
        })
    })
}

/// Writes the number of certificates (in input order) to `*len`.
///
/// # Safety
/// `certs` is NULL or a live handle; `len` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_certs_len(
    certs: *const meshauth_certs,
    len: *mut usize,
) -> meshauth_status {
    guard(|| {
        let slot = out(len)?;
        *slot = handle(certs)?.certs.len();
        Ok(())
    })
}

fn cert_at(certs: &meshauth_certs, index: usize) -> Result<&(CertInfo, String), Status> {
    certs.certs.get(index).ok_or(Status::InvalidArgument)
}

/// Describes certificate `index` (0-based, input order); an index past the end is
/// `MESHAUTH_STATUS_INVALID_ARGUMENT`. The views in `*info` are valid until `certs` is freed.
///
/// # Safety
/// `certs` is NULL or a live handle; `info` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_certs_get(
    certs: *const meshauth_certs,
    index: usize,
    info: *mut meshauth_cert_info,
) -> meshauth_status {
    guard(|| {
        let slot = out(info)?;
        let (c, hex) = cert_at(handle(certs)?, index)?;
        *slot = meshauth_cert_info {
            not_before: c.not_before,
            not_after: c.not_after,
            subject: meshauth_str::of(Some(&c.subject)),
            issuer: meshauth_str::of(Some(&c.issuer)),
            serial: meshauth_str::of(Some(&c.serial)),
            fingerprint: meshauth_str::of(Some(hex)),
            fingerprint_sha256: c.fingerprint_sha256,
            spiffe_id: meshauth_str::of(c.spiffe_id.as_deref()),
            dns_name_count: c.dns_names.len(),
            is_ca: c.is_ca,
        };
        Ok(())
    })
}

/// DNS SAN `name_index` of certificate `index`, in certificate order; either index past the end
/// is `MESHAUTH_STATUS_INVALID_ARGUMENT`. View valid until `certs` is freed.
///
/// # Safety
/// `certs` is NULL or a live handle; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_certs_dns_name(
    certs: *const meshauth_certs,
    index: usize,
    name_index: usize,
    out_name: *mut meshauth_str,
) -> meshauth_status {
    guard(|| {
        let slot = out(out_name)?;
        *slot = meshauth_str::of(None);
        let (c, _) = cert_at(handle(certs)?, index)?;
        let name = c.dns_names.get(name_index).ok_or(Status::InvalidArgument)?;
        *slot = meshauth_str::of(Some(name));
        Ok(())
    })
}

/// Frees a certificate list; NULL is a no-op.
///
/// # Safety
/// `certs` is NULL or a handle from this library, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn meshauth_certs_free(certs: *mut meshauth_certs) {
    free_box(certs)
}

// ---------------------------------------------------------------------------------------------
// Rotation

fn nanos(secs: i64) -> Result<i64, Status> {
    secs.checked_mul(NANOS_PER_SECOND)
        .ok_or(Status::RotationInvalidInput)
}

/// Seconds from `now` until a certificate valid from `created` to `expire` (all Unix seconds)
/// should be rotated, never negative: Istio's `rotateTime` without jitter, rotating when
/// `grace_ratio` of the lifetime is left (`expire − grace_ratio × (expire − created)`; Istio's
/// default `SECRET_GRACE_PERIOD_RATIO` is 0.5). The core computes in nanoseconds; the result is
/// rounded down to whole seconds. `MESHAUTH_STATUS_ROTATION_INVALID_INPUT` unless
/// `expire > created`, `grace_ratio` is finite and in [0, 1], and the times fit in nanoseconds
/// (about ±292 years from 1970). `*delay_seconds` is written only on success.
///
/// # Safety
/// `delay_seconds` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_rotation_delay(
    now: i64,
    created: i64,
    expire: i64,
    grace_ratio: f64,
    delay_seconds: *mut i64,
) -> meshauth_status {
    guard(|| {
        let slot = out(delay_seconds)?;
        let policy = Policy {
            ratio: grace_ratio,
            jitter: 0.0,
        };
        let d = rotation::delay(
            nanos(created)?,
            nanos(expire)?,
            nanos(now)?,
            policy,
            Draw::NONE,
        )?;
        *slot = d / NANOS_PER_SECOND;
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// Refresh scheduler

/// A sans-IO JWKS refresh scheduler (`refresh::Scheduler`): it does no I/O, reads no clock and
/// calls nothing back. Times are Unix seconds passed in by the host. Not internally
/// synchronised: calls on one handle must not overlap (use a lock); key sets obtained with
/// meshauth_scheduler_keys() are independent handles usable from any thread. Free with
/// meshauth_scheduler_free().
pub struct meshauth_scheduler {
    s: Scheduler,
}

/// Scheduler settings (seconds); fill with meshauth_scheduler_options_default() first. Zero
/// durations count as one second.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct meshauth_scheduler_options {
    /// Delay after a successful refresh (default 1200, Istio's 20 min).
    pub refresh_interval: u64,
    /// Delay after the first failure in a row (default 60); doubles per further failure.
    pub retry_initial: u64,
    /// Cap on the failure delay (default 3600).
    pub retry_max: u64,
    /// Evict an entry this long after its last use (default 7 days).
    pub evict_unused_after: u64,
    /// Evict an entry this long after its last successful refresh (default 7 days).
    pub evict_unrefreshed_after: u64,
    /// Minimum time between a fetch start and an unknown-kid refetch (default 30).
    pub unknown_kid_cooldown: u64,
    /// A fetch not reported within this time has failed (default 60).
    pub fetch_timeout: u64,
    /// Use `Cache-Control: max-age` as the next refresh delay (default false).
    pub honor_cache_control: bool,
    /// Lower bound of a `max-age` delay (default 60).
    pub cache_control_min: u64,
    /// Upper bound of a `max-age` delay (default 86400).
    pub cache_control_max: u64,
    /// Each delay is shortened by up to this much, pseudo-randomly (default 0: no jitter; seed
    /// with meshauth_scheduler_set_random_seed()).
    pub jitter_max: u64,
    /// Also accept `http://` JWKS URLs (default false).
    pub allow_http: bool,
}

fn options_of(c: &refresh::Config) -> meshauth_scheduler_options {
    meshauth_scheduler_options {
        refresh_interval: c.refresh_interval,
        retry_initial: c.retry_initial,
        retry_max: c.retry_max,
        evict_unused_after: c.evict_unused_after,
        evict_unrefreshed_after: c.evict_unrefreshed_after,
        unknown_kid_cooldown: c.unknown_kid_cooldown,
        fetch_timeout: c.fetch_timeout,
        honor_cache_control: c.honor_cache_control,
        cache_control_min: c.cache_control_min,
        cache_control_max: c.cache_control_max,
        jitter_max: c.jitter_max,
        allow_http: c.discovery.allow_http,
    }
}

fn config_of(o: &meshauth_scheduler_options) -> refresh::Config {
    let mut c = refresh::Config {
        refresh_interval: o.refresh_interval,
        retry_initial: o.retry_initial,
        retry_max: o.retry_max,
        evict_unused_after: o.evict_unused_after,
        evict_unrefreshed_after: o.evict_unrefreshed_after,
        unknown_kid_cooldown: o.unknown_kid_cooldown,
        fetch_timeout: o.fetch_timeout,
        honor_cache_control: o.honor_cache_control,
        cache_control_min: o.cache_control_min,
        cache_control_max: o.cache_control_max,
        jitter_max: o.jitter_max,
        ..refresh::Config::default()
    };
    c.discovery.allow_http = o.allow_http;
    c
}

/// Writes the default scheduler options to `*opts`.
///
/// # Safety
/// `opts` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_scheduler_options_default(
    opts: *mut meshauth_scheduler_options,
) -> meshauth_status {
    guard(|| {
        *out(opts)? = options_of(&refresh::Config::default());
        Ok(())
    })
}

/// A new empty scheduler with `opts` (NULL: the defaults). On success `*out` is a new handle,
/// on error NULL.
///
/// # Safety
/// `opts` is NULL or initialised; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_scheduler_new(
    opts: *const meshauth_scheduler_options,
    out: *mut *mut meshauth_scheduler,
) -> meshauth_status {
    put(out, || {
        let config = opts.as_ref().map(config_of).unwrap_or_default();
        Ok(meshauth_scheduler {
            s: Scheduler::new(config),
        })
    })
}

unsafe fn with_scheduler(
    s: *mut meshauth_scheduler,
    f: impl FnOnce(&mut Scheduler) -> Result<(), Status>,
) -> meshauth_status {
    guard(|| f(&mut s.as_mut().ok_or(Status::NullArgument)?.s))
}

/// Seeds the jitter generator (use a different random seed per replica).
///
/// # Safety
/// `s` is NULL or a live handle not used concurrently.
#[no_mangle]
pub unsafe extern "C" fn meshauth_scheduler_set_random_seed(
    s: *mut meshauth_scheduler,
    seed: u64,
) -> meshauth_status {
    with_scheduler(s, |s| {
        s.set_random_seed(seed);
        Ok(())
    })
}

/// Registers (issuer, jwks_uri) at `now` and writes its entry id to `*id`; a NULL `jwks_uri`
/// resolves the URL by OpenID discovery of `issuer` (then `jwks_uri_len` is ignored).
/// Registering an existing pair returns the same id and marks it used. A new entry's first fetch
/// is due at `now`. Errors: `MESHAUTH_STATUS_INVALID_ARGUMENT` (no issuer and no URL),
/// `..._DISCOVERY_BAD_JWKS_URI` (not an absolute https URL, or http without `allow_http`).
///
/// # Safety
/// `s` is NULL or a live handle not used concurrently; strings are valid for their lengths;
/// `id` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_scheduler_register(
    s: *mut meshauth_scheduler,
    issuer: *const c_char,
    issuer_len: usize,
    jwks_uri: *const c_char,
    jwks_uri_len: usize,
    now: i64,
    id: *mut u64,
) -> meshauth_status {
    with_scheduler(s, |s| {
        let slot = out(id)?;
        let issuer = text(issuer, issuer_len)?;
        let uri = opt_text(jwks_uri, jwks_uri_len)?;
        *slot = s.register(issuer, uri, now)?.to_u64();
        Ok(())
    })
}

/// Marks entry `id` used at `now` (entries unused for `evict_unused_after` are evicted).
/// `MESHAUTH_STATUS_INVALID_ARGUMENT` for an unknown or expired id.
///
/// # Safety
/// `s` is NULL or a live handle not used concurrently.
#[no_mangle]
pub unsafe extern "C" fn meshauth_scheduler_touch(
    s: *mut meshauth_scheduler,
    id: u64,
    now: i64,
) -> meshauth_status {
    with_scheduler(s, |s| s.touch(EntryId::from_u64(id), now))
}

/// Removes entry `id`; `MESHAUTH_STATUS_INVALID_ARGUMENT` if it does not exist.
///
/// # Safety
/// `s` is NULL or a live handle not used concurrently.
#[no_mangle]
pub unsafe extern "C" fn meshauth_scheduler_remove(
    s: *mut meshauth_scheduler,
    id: u64,
) -> meshauth_status {
    with_scheduler(s, |s| {
        if s.remove(EntryId::from_u64(id)) {
            Ok(())
        } else {
            Err(Status::InvalidArgument)
        }
    })
}

/// A fetch of the OpenID configuration document.
pub const MESHAUTH_FETCH_DISCOVERY: c_int = 0;
/// A fetch of the JWKS document.
pub const MESHAUTH_FETCH_JWKS: c_int = 1;

/// The result of meshauth_scheduler_poll(). Read-only; free with meshauth_poll_free().
pub struct meshauth_poll {
    poll: refresh::Poll,
}

/// One fetch the host must perform now. `url` points into the meshauth_poll handle and is valid
/// until it is freed.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct meshauth_fetch {
    /// The entry to report the result to (meshauth_scheduler_on_fetched() / _on_failed()).
    pub entry: u64,
    /// `MESHAUTH_FETCH_DISCOVERY` or `MESHAUTH_FETCH_JWKS`.
    pub kind: c_int,
    /// The URL to GET.
    pub url: meshauth_str,
    /// Read at most this many bytes; a longer body is a failure (report _on_failed()).
    pub max_bytes: usize,
}

/// Evicts what has expired, times out fetches not reported within `fetch_timeout`, and collects
/// the fetches due at `now` (at most one in flight per entry) and the next wake-up into a new
/// handle `*out` (NULL on error). Poll again at the latest at meshauth_poll_next_wake(), and
/// after every meshauth_scheduler_on_fetched() that resolved a discovery document or
/// meshauth_scheduler_on_unknown_kid() that allowed a refetch.
///
/// # Safety
/// `s` is NULL or a live handle not used concurrently; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_scheduler_poll(
    s: *mut meshauth_scheduler,
    now: i64,
    out: *mut *mut meshauth_poll,
) -> meshauth_status {
    put(out, || {
        let s = &mut s.as_mut().ok_or(Status::NullArgument)?.s;
        Ok(meshauth_poll { poll: s.poll(now) })
    })
}

/// Writes the number of fetches due to `*count`.
///
/// # Safety
/// `p` is NULL or a live handle; `count` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_poll_fetch_count(
    p: *const meshauth_poll,
    count: *mut usize,
) -> meshauth_status {
    guard(|| {
        let slot = out(count)?;
        *slot = handle(p)?.poll.fetches.len();
        Ok(())
    })
}

/// Describes fetch `index`; an index past the end is `MESHAUTH_STATUS_INVALID_ARGUMENT`. The
/// `url` view is valid until `p` is freed.
///
/// # Safety
/// `p` is NULL or a live handle; `fetch` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_poll_fetch(
    p: *const meshauth_poll,
    index: usize,
    fetch: *mut meshauth_fetch,
) -> meshauth_status {
    guard(|| {
        let slot = out(fetch)?;
        let f = handle(p)?
            .poll
            .fetches
            .get(index)
            .ok_or(Status::InvalidArgument)?;
        *slot = meshauth_fetch {
            entry: f.entry.to_u64(),
            kind: match f.kind {
                FetchKind::Discovery => MESHAUTH_FETCH_DISCOVERY,
                FetchKind::Jwks => MESHAUTH_FETCH_JWKS,
            },
            url: meshauth_str::of(Some(&f.url)),
            max_bytes: f.max_bytes,
        };
        Ok(())
    })
}

/// Writes the number of entries this poll evicted (their ids are now invalid) to `*count`.
///
/// # Safety
/// `p` is NULL or a live handle; `count` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_poll_evicted_count(
    p: *const meshauth_poll,
    count: *mut usize,
) -> meshauth_status {
    guard(|| {
        let slot = out(count)?;
        *slot = handle(p)?.poll.evicted.len();
        Ok(())
    })
}

/// Writes the id of evicted entry `index` to `*id`; an index past the end is
/// `MESHAUTH_STATUS_INVALID_ARGUMENT`.
///
/// # Safety
/// `p` is NULL or a live handle; `id` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_poll_evicted(
    p: *const meshauth_poll,
    index: usize,
    id: *mut u64,
) -> meshauth_status {
    guard(|| {
        let slot = out(id)?;
        let e = handle(p)?
            .poll
            .evicted
            .get(index)
            .ok_or(Status::InvalidArgument)?;
        *slot = e.to_u64();
        Ok(())
    })
}

/// When to poll next at the latest (Unix seconds): `*present` is false (and `*at` 0) when the
/// scheduler has no entries.
///
/// # Safety
/// `p` is NULL or a live handle; `present` and `at` are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_poll_next_wake(
    p: *const meshauth_poll,
    present: *mut bool,
    at: *mut i64,
) -> meshauth_status {
    guard(|| {
        let (p_slot, at_slot) = (out(present)?, out(at)?);
        let w = handle(p)?.poll.next_wake;
        *p_slot = w.is_some();
        *at_slot = w.unwrap_or(0);
        Ok(())
    })
}

/// Frees a poll result; NULL is a no-op. Its views become invalid.
///
/// # Safety
/// `p` is NULL or a handle from this library, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn meshauth_poll_free(p: *mut meshauth_poll) {
    free_box(p)
}

/// meshauth_scheduler_on_fetched(): a valid JWKS with the same canonical content as the current
/// keys.
pub const MESHAUTH_FETCHED_UNCHANGED: c_int = 0;
/// A valid JWKS that differs: it is now the current key set (meshauth_scheduler_keys()).
pub const MESHAUTH_FETCHED_CHANGED: c_int = 1;
/// A discovery document gave the JWKS URL; its fetch is due now (poll again).
pub const MESHAUTH_FETCHED_RESOLVED: c_int = 2;
/// The body was refused (see `rejected`); the last good keys stay and the failure counts for
/// the backoff.
pub const MESHAUTH_FETCHED_REJECTED: c_int = 3;

/// Reports the body of entry `id`'s fetch in flight, with the response's `Cache-Control` value
/// (NULL: none; then `cache_control_len` is ignored). `*outcome` is one of
/// `MESHAUTH_FETCHED_*`; `*rejected` (may be NULL) is the reason of a rejection, else
/// `MESHAUTH_STATUS_OK`. A rejected body is not an error of the call: the status is OK.
/// `MESHAUTH_STATUS_INVALID_ARGUMENT` (nothing changes) for an unknown or expired id or when no
/// fetch is in flight (never started, already reported or timed out).
///
/// # Safety
/// `s` is NULL or a live handle not used concurrently; `body` and `cache_control` are valid for
/// their lengths; `outcome` is NULL or valid for writes; `rejected` is NULL or valid for writes.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn meshauth_scheduler_on_fetched(
    s: *mut meshauth_scheduler,
    id: u64,
    body: *const u8,
    len: usize,
    cache_control: *const c_char,
    cache_control_len: usize,
    now: i64,
    outcome: *mut c_int,
    rejected: *mut meshauth_status,
) -> meshauth_status {
    with_scheduler(s, |s| {
        let slot = out(outcome)?;
        let body = bytes(body, len)?;
        let cc = opt_text(cache_control, cache_control_len)?;
        let (kind, reason) = match s.on_fetched(EntryId::from_u64(id), body, cc, now)? {
            refresh::Outcome::Unchanged => (MESHAUTH_FETCHED_UNCHANGED, Status::Ok),
            refresh::Outcome::Changed(_) => (MESHAUTH_FETCHED_CHANGED, Status::Ok),
            refresh::Outcome::Resolved(_) => (MESHAUTH_FETCHED_RESOLVED, Status::Ok),
            refresh::Outcome::Rejected(st) => (MESHAUTH_FETCHED_REJECTED, st),
        };
        *slot = kind;
        if let Some(r) = rejected.as_mut() {
            *r = crate::code(reason);
        }
        Ok(())
    })
}

/// Reports that entry `id`'s fetch in flight failed (network error, non-2xx, timeout, body over
/// `max_bytes`). The keys stay; the next attempt follows the backoff (`retry_initial`, doubling
/// up to `retry_max`). `MESHAUTH_STATUS_INVALID_ARGUMENT` as for meshauth_scheduler_on_fetched().
///
/// # Safety
/// `s` is NULL or a live handle not used concurrently.
#[no_mangle]
pub unsafe extern "C" fn meshauth_scheduler_on_failed(
    s: *mut meshauth_scheduler,
    id: u64,
    now: i64,
) -> meshauth_status {
    with_scheduler(s, |s| s.on_failed(EntryId::from_u64(id), now))
}

/// A token named a `kid` entry `id`'s keys lack: marks the entry used and writes to `*refetch`
/// whether a refetch is allowed now (not while a fetch is in flight, nor within
/// `unknown_kid_cooldown` of the last fetch start). When true, a fetch is due: poll again.
///
/// # Safety
/// `s` is NULL or a live handle not used concurrently; `refetch` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_scheduler_on_unknown_kid(
    s: *mut meshauth_scheduler,
    id: u64,
    now: i64,
    refetch: *mut bool,
) -> meshauth_status {
    with_scheduler(s, |s| {
        let slot = out(refetch)?;
        *slot = s.on_unknown_kid(EntryId::from_u64(id), now)?;
        Ok(())
    })
}

/// The last good key set of entry `id` as a new meshauth_jwks handle sharing the keys
/// (reference-counted, no copy): it stays valid after later refreshes, evictions and
/// meshauth_scheduler_free(); free it with meshauth_jwks_free(). Errors:
/// `MESHAUTH_STATUS_INVALID_ARGUMENT` (unknown id), `MESHAUTH_STATUS_JWKS_FETCH_FAIL` (no fetch
/// has succeeded yet). `*out` is NULL on error.
///
/// # Safety
/// `s` is NULL or a live handle not used concurrently; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_scheduler_keys(
    s: *const meshauth_scheduler,
    id: u64,
    out: *mut *mut meshauth_jwks,
) -> meshauth_status {
    put(out, || {
        let jwks = handle(s)?.s.keys(EntryId::from_u64(id))?;
        Ok(meshauth_jwks { jwks })
    })
}

/// Writes the number of entries to `*len`.
///
/// # Safety
/// `s` is NULL or a live handle not used concurrently; `len` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_scheduler_len(
    s: *const meshauth_scheduler,
    len: *mut usize,
) -> meshauth_status {
    guard(|| {
        let slot = out(len)?;
        *slot = handle(s)?.s.len();
        Ok(())
    })
}

/// Frees a scheduler; NULL is a no-op. Key sets from meshauth_scheduler_keys() stay valid.
///
/// # Safety
/// `s` is NULL or a handle from this library, not yet freed and not in use.
#[no_mangle]
pub unsafe extern "C" fn meshauth_scheduler_free(s: *mut meshauth_scheduler) {
    free_box(s)
}
