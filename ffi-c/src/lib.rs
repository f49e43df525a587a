//! meshauth C ABI (`include/meshauth.h`), modelled on rustls-ffi: opaque handles, a
//! `meshauth_status` from every fallible call, out parameters, an explicit `_free` for everything
//! the library allocates, no global state and no callbacks.
//!
//! Every entry point catches panics (`MESHAUTH_STATUS_PANIC`) and checks its pointers, lengths
//! and UTF-8 before touching them. The binding holds no logic: it converts arguments, calls
//! `meshauth_core` and maps the result.
#![warn(missing_docs)]
#![allow(non_camel_case_types)]

use std::ffi::{c_char, c_int, CStr};
use std::mem::ManuallyDrop;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::{Arc, Mutex, OnceLock};

use meshauth_core::verify::DEFAULT_MAX_TOKEN_BYTES;
use meshauth_core::{verify, Alg, AlgSet, Jwks, JwksOptions, Status, Validation, Verified};

mod authz;
mod lifecycle;

mod tables {
    include!(concat!(env!("OUT_DIR"), "/status_gen.rs"));
}

/// A status code: a value of the C `meshauth_status` enum, generated from the core's status
/// table by build.rs (so it is not emitted by cbindgen).
pub type meshauth_status = c_int;

pub(crate) const OK: meshauth_status = 0;

pub(crate) fn code(s: Status) -> meshauth_status {
    meshauth_status::from(s.code())
}

/// Runs `f`, mapping its error and any panic to a status.
pub(crate) fn guard(f: impl FnOnce() -> Result<(), Status>) -> meshauth_status {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => OK,
        Ok(Err(s)) => code(s),
        Err(_) => code(Status::Panic),
    }
}

/// `(ptr, len)` as a slice: NULL is allowed only with length 0; lengths above `isize::MAX`
/// (impossible for a real object) are rejected instead of being undefined behaviour.
pub(crate) unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], Status> {
    if len > isize::MAX as usize {
        return Err(Status::InvalidArgument);
    }
    if ptr.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(Status::NullArgument)
        };
    }
    Ok(std::slice::from_raw_parts(ptr, len))
}

/// `(ptr, len)` as UTF-8 text.
pub(crate) unsafe fn text<'a>(ptr: *const c_char, len: usize) -> Result<&'a str, Status> {
    std::str::from_utf8(bytes(ptr.cast(), len)?).map_err(|_| Status::InvalidUtf8)
}

/// An optional string: NULL is "absent".
pub(crate) unsafe fn opt_text<'a>(
    ptr: *const c_char,
    len: usize,
) -> Result<Option<&'a str>, Status> {
    if ptr.is_null() {
        Ok(None)
    } else {
        text(ptr, len).map(Some)
    }
}

/// A required out pointer.
pub(crate) unsafe fn out<'a, T>(p: *mut T) -> Result<&'a mut T, Status> {
    p.as_mut().ok_or(Status::NullArgument)
}

/// A required handle.
pub(crate) unsafe fn handle<'a, T>(p: *const T) -> Result<&'a T, Status> {
    p.as_ref().ok_or(Status::NullArgument)
}

/// Frees a handle made by `Box::into_raw`; NULL is a no-op.
pub(crate) unsafe fn free_box<T>(p: *mut T) {
    if !p.is_null() {
        let _ = catch_unwind(AssertUnwindSafe(|| drop(Box::from_raw(p))));
    }
}

/// A string view: `len` bytes of UTF-8 at `ptr`, **not** NUL-terminated. `ptr` is NULL (and
/// `len` 0) when the value is absent; an empty present value has a non-NULL `ptr`. Each function
/// returning one says how long it stays valid.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct meshauth_str {
    /// The first byte, or NULL when absent.
    pub ptr: *const c_char,
    /// The length in bytes.
    pub len: usize,
}

impl meshauth_str {
    pub(crate) fn of(s: Option<&str>) -> meshauth_str {
        match s {
            Some(s) => meshauth_str {
                ptr: s.as_ptr().cast(),
                len: s.len(),
            },
            None => meshauth_str {
                ptr: ptr::null(),
                len: 0,
            },
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Status and version

/// The status name, e.g. `"JwtExpired"` (the `code` string used by the Python and Node
/// bindings), as a static NUL-terminated string; `"Unknown"` for a value outside the enum. Never
/// NULL, never freed.
#[no_mangle]
pub extern "C" fn meshauth_status_name(status: meshauth_status) -> *const c_char {
    usize::try_from(status)
        .ok()
        .and_then(|i| tables::NAMES.get(i))
        .copied()
        .unwrap_or(c"Unknown")
        .as_ptr()
}

/// The status message, e.g. `"Jwt is expired"` (Envoy's wording for codes 0-72, which Envoy
/// sends as the 401/403 body), as a static NUL-terminated string; `"Unknown status"` for a value
/// outside the enum. Never NULL, never freed.
#[no_mangle]
pub extern "C" fn meshauth_status_message(status: meshauth_status) -> *const c_char {
    usize::try_from(status)
        .ok()
        .and_then(|i| tables::MESSAGES.get(i))
        .copied()
        .unwrap_or(c"Unknown status")
        .as_ptr()
}

/// The HTTP status Envoy answers a request rejected with `status`: 200 for OK, 403 for
/// `MESHAUTH_STATUS_JWT_AUDIENCE_NOT_ALLOWED`, 401 for any other status, 500 for a value
/// outside the enum.
#[no_mangle]
pub extern "C" fn meshauth_status_http_status(status: meshauth_status) -> u16 {
    u16::try_from(status)
        .ok()
        .and_then(Status::from_code)
        .map_or(500, Status::http_status)
}

/// The library version (equal to `MESHAUTH_VERSION` of the header it was built with), as a static
/// NUL-terminated string. Never NULL, never freed.
#[no_mangle]
pub extern "C" fn meshauth_version() -> *const c_char {
    const V: &CStr =
        match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
            Ok(v) => v,
            Err(_) => panic!("version contains NUL"),
        };
    V.as_ptr()
}

/// Test hook, not in the header: panics inside the panic barrier and so always returns
/// `MESHAUTH_STATUS_PANIC`. The C tests use it to prove panics never cross the ABI.
#[no_mangle]
pub extern "C" fn meshauth_test_panic() -> meshauth_status {
    guard(|| panic!("meshauth_test_panic"))
}

// ---------------------------------------------------------------------------------------------
// JWKS

/// A parsed key set. Immutable: one handle may be used by any number of threads at once (it is
/// `Send + Sync`). Free with meshauth_jwks_free().
pub struct meshauth_jwks {
    /// Shared with the refresh scheduler (meshauth_scheduler_keys()) and authenticators.
    pub(crate) jwks: Arc<Jwks>,
}

/// Limits and policy for loading keys; fill with meshauth_jwks_options_default() first.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct meshauth_jwks_options {
    /// Accept RSA moduli of 1024-2047 bits (PKCS#1 v1.5 only). Default false: such keys are
    /// `MESHAUTH_STATUS_JWKS_RSA_KEY_TOO_SMALL`.
    pub allow_legacy_rsa: bool,
    /// The largest document in bytes (default 1 MiB); larger is `MESHAUTH_STATUS_JWKS_TOO_LARGE`.
    pub max_bytes: usize,
    /// The most entries in `keys` (default 512); more is `MESHAUTH_STATUS_JWKS_TOO_LARGE`.
    pub max_keys: usize,
    /// JSON nesting limit (default 32).
    pub max_depth: usize,
    /// How many EC keys (P-256, P-384, P-521) of the set get a precomputed ECDSA verification
    /// table, in document order (default 8; 0 for none). A table makes ES256 ~2×, ES512 ~3× and
    /// ES384 ~8× faster per verification, for ~1-2 ms at load and 100-160 KiB per key; the
    /// answers are the same with or without.
    pub ec_tables: usize,
}

impl From<&meshauth_jwks_options> for JwksOptions {
    fn from(o: &meshauth_jwks_options) -> JwksOptions {
        JwksOptions {
            allow_legacy_rsa: o.allow_legacy_rsa,
            max_bytes: o.max_bytes,
            max_keys: o.max_keys,
            max_depth: o.max_depth,
            ec_tables: o.ec_tables,
        }
    }
}

/// Facts about one key of a set. The string views point into the meshauth_jwks handle and are
/// valid until it is freed; `kty` and `crv` are static.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct meshauth_key_info {
    /// The `kid`, or absent (NULL `ptr`).
    pub kid: meshauth_str,
    /// The JWK `alg`, or absent (a key without `alg` matches any algorithm of its family).
    pub alg: meshauth_str,
    /// The key type: `"RSA"`, `"EC"`, `"oct"` or `"OKP"`.
    pub kty: meshauth_str,
    /// The curve (`"P-256"`, `"P-384"`, `"P-521"`, `"Ed25519"`), or absent.
    pub crv: meshauth_str,
    /// The key size in bits (RSA modulus, curve size, HMAC key length).
    pub bits: u32,
}

unsafe fn put_jwks(
    out_ptr: *mut *mut meshauth_jwks,
    load: impl FnOnce() -> Result<Jwks, Status>,
) -> meshauth_status {
    guard(|| {
        let slot = out(out_ptr)?;
        *slot = ptr::null_mut();
        let jwks = load()?;
        *slot = Box::into_raw(Box::new(meshauth_jwks {
            jwks: Arc::new(jwks),
        }));
        Ok(())
    })
}

/// Writes the default options (no legacy RSA, 1 MiB, 512 keys, depth 32) to `*out`.
///
/// # Safety
/// `out` is NULL (`MESHAUTH_STATUS_NULL_ARGUMENT`) or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_jwks_options_default(
    out_opts: *mut meshauth_jwks_options,
) -> meshauth_status {
    guard(|| {
        let d = JwksOptions::default();
        *out(out_opts)? = meshauth_jwks_options {
            allow_legacy_rsa: d.allow_legacy_rsa,
            max_bytes: d.max_bytes,
            max_keys: d.max_keys,
            max_depth: d.max_depth,
            ec_tables: d.ec_tables,
        };
        Ok(())
    })
}

/// Parses a JWKS document (`{"keys":[...]}`) or Google's kid → X.509 certificate map, with
/// Envoy's rules: unusable keys are skipped; when none is usable the first key's error is
/// returned. On success `*out` is a new handle (free with meshauth_jwks_free()); on error it is
/// NULL.
///
/// # Safety
/// `json` is valid for `len` bytes (or NULL with `len` 0); `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_jwks_from_json(
    json: *const u8,
    len: usize,
    out: *mut *mut meshauth_jwks,
) -> meshauth_status {
    put_jwks(out, || Jwks::from_json(bytes(json, len)?))
}

/// As meshauth_jwks_from_json(), with explicit options (`opts` NULL means the defaults).
///
/// # Safety
/// As meshauth_jwks_from_json(); `opts` is NULL or points to an initialised options struct.
#[no_mangle]
pub unsafe extern "C" fn meshauth_jwks_from_json_with(
    json: *const u8,
    len: usize,
    opts: *const meshauth_jwks_options,
    out: *mut *mut meshauth_jwks,
) -> meshauth_status {
    put_jwks(out, || {
        let o = opts.as_ref().map(JwksOptions::from).unwrap_or_default();
        Jwks::from_json_with(bytes(json, len)?, &o)
    })
}

/// Parses one PEM `PUBLIC KEY` (SubjectPublicKeyInfo: RSA, EC P-256/384/521 or Ed25519) into a
/// one-key set with no kid and no alg. `*out` as for meshauth_jwks_from_json().
///
/// # Safety
/// `pem` is valid for `len` bytes (or NULL with `len` 0); `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_jwks_from_pem(
    pem: *const u8,
    len: usize,
    out: *mut *mut meshauth_jwks,
) -> meshauth_status {
    put_jwks(out, || Jwks::from_pem(bytes(pem, len)?))
}

/// As meshauth_jwks_from_pem(), giving the key a `kid` and an `alg` (Envoy's `createFromPem`).
/// A NULL `kid` or `alg` means none (their lengths are then ignored).
///
/// # Safety
/// Each non-NULL pointer is valid for its length; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_jwks_from_pem_with(
    pem: *const u8,
    len: usize,
    kid: *const c_char,
    kid_len: usize,
    alg: *const c_char,
    alg_len: usize,
    out: *mut *mut meshauth_jwks,
) -> meshauth_status {
    put_jwks(out, || {
        let kid = opt_text(kid, kid_len)?;
        let alg = opt_text(alg, alg_len)?;
        Jwks::from_pem_with(bytes(pem, len)?, kid, alg, &JwksOptions::default())
    })
}

/// A new empty key set: every verification against it passes the claim checks, then fails with
/// `MESHAUTH_STATUS_JWKS_KID_ALG_MISMATCH`. Free with meshauth_jwks_free().
///
/// # Safety
/// `out` is NULL (`MESHAUTH_STATUS_NULL_ARGUMENT`) or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_jwks_empty(out: *mut *mut meshauth_jwks) -> meshauth_status {
    put_jwks(out, || Ok(Jwks::empty()))
}

/// Writes the number of usable keys to `*len`.
///
/// # Safety
/// `jwks` is NULL or a live handle; `len` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_jwks_len(
    jwks: *const meshauth_jwks,
    len: *mut usize,
) -> meshauth_status {
    guard(|| {
        *out(len)? = handle(jwks)?.jwks.len();
        Ok(())
    })
}

/// Describes key `index` (0-based, document order) of the set; an index past the end is
/// `MESHAUTH_STATUS_INVALID_ARGUMENT`. The views in `*info` are valid until `jwks` is freed.
///
/// # Safety
/// `jwks` is NULL or a live handle; `info` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_jwks_key(
    jwks: *const meshauth_jwks,
    index: usize,
    info: *mut meshauth_key_info,
) -> meshauth_status {
    guard(|| {
        let slot = out(info)?;
        let key = handle(jwks)?
            .jwks
            .keys()
            .get(index)
            .ok_or(Status::InvalidArgument)?;
        *slot = meshauth_key_info {
            kid: meshauth_str::of(key.kid()),
            alg: meshauth_str::of(key.alg()),
            kty: meshauth_str::of(Some(key.kty().name())),
            crv: meshauth_str::of(key.curve().map(|c| c.name())),
            bits: key.bits(),
        };
        Ok(())
    })
}

/// Frees a key set; NULL is a no-op. No other thread may be using it.
///
/// # Safety
/// `jwks` is NULL or a handle from this library, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn meshauth_jwks_free(jwks: *mut meshauth_jwks) {
    free_box(jwks)
}

// ---------------------------------------------------------------------------------------------
// Validation

/// What a token must satisfy besides its signature. Configure it from one thread, then share it
/// read-only: meshauth_verify() may use one handle from many threads at once (`Send + Sync`),
/// but the setters need exclusive access. Free with meshauth_validation_free().
pub struct meshauth_validation {
    v: Validation,
    max_token_bytes: usize,
}

/// A new validation with the defaults: no issuer or audience check, 60 s clock skew, all 13
/// algorithms, 16 KiB tokens, `exp` optional, no lifetime bound. Returns NULL only if a panic was
/// caught. Free with meshauth_validation_free().
#[no_mangle]
pub extern "C" fn meshauth_validation_new() -> *mut meshauth_validation {
    catch_unwind(|| {
        Box::into_raw(Box::new(meshauth_validation {
            v: Validation::new(),
            max_token_bytes: DEFAULT_MAX_TOKEN_BYTES,
        }))
    })
    .unwrap_or(ptr::null_mut())
}

unsafe fn with_validation(
    v: *mut meshauth_validation,
    f: impl FnOnce(&mut meshauth_validation) -> Result<(), Status>,
) -> meshauth_status {
    guard(|| f(v.as_mut().ok_or(Status::NullArgument)?))
}

/// Requires the token's `iss` to equal `iss` exactly (replacing any earlier issuer); otherwise
/// verification fails with `MESHAUTH_STATUS_JWT_UNKNOWN_ISSUER`. On error `v` is unchanged.
///
/// # Safety
/// `v` is NULL or a live handle not used by another thread; `iss` is valid for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_validation_set_issuer(
    v: *mut meshauth_validation,
    iss: *const c_char,
    len: usize,
) -> meshauth_status {
    with_validation(v, |h| {
        h.v.set_issuer(text(iss, len)?);
        Ok(())
    })
}

/// Adds an accepted audience (Envoy's sanitising: one leading `http://` or `https://` and one
/// trailing `/` are ignored on both sides). With none configured any `aud` is accepted; with
/// one, a token without `aud` is `MESHAUTH_STATUS_JWT_AUDIENCE_NOT_ALLOWED`.
///
/// # Safety
/// `v` is NULL or a live handle not used by another thread; `aud` is valid for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_validation_add_audience(
    v: *mut meshauth_validation,
    aud: *const c_char,
    len: usize,
) -> meshauth_status {
    with_validation(v, |h| {
        h.v.add_audience(text(aud, len)?);
        Ok(())
    })
}

/// Sets the tolerance for `nbf` and `exp`, in seconds (default 60; 0 is allowed).
///
/// # Safety
/// `v` is NULL or a live handle not used by another thread.
#[no_mangle]
pub unsafe extern "C" fn meshauth_validation_set_clock_skew(
    v: *mut meshauth_validation,
    seconds: u64,
) -> meshauth_status {
    with_validation(v, |h| {
        h.v.set_clock_skew(seconds);
        Ok(())
    })
}

/// Sets the allowed algorithms from a list of names separated by commas and/or spaces, e.g.
/// `"RS256, ES256"` (exact, case-sensitive JWS names). Tokens with another `alg` fail with
/// `MESHAUTH_STATUS_JWT_ALG_NOT_ALLOWED`. An unknown name is `MESHAUTH_STATUS_INVALID_ARGUMENT`
/// and leaves `v` unchanged; an empty list allows nothing.
///
/// # Safety
/// `v` is NULL or a live handle not used by another thread; `names` is valid for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_validation_set_algorithms(
    v: *mut meshauth_validation,
    names: *const c_char,
    len: usize,
) -> meshauth_status {
    with_validation(v, |h| {
        let list = text(names, len)?;
        let mut set = AlgSet::EMPTY;
        for name in list
            .split(|c: char| c == ',' || c.is_ascii_whitespace())
            .filter(|n| !n.is_empty())
        {
            set = set.with(Alg::from_name(name).ok_or(Status::InvalidArgument)?);
        }
        h.v.set_algorithms(set);
        Ok(())
    })
}

/// Requires an `exp` claim (`MESHAUTH_STATUS_JWT_MISSING_EXP` when absent); default false.
///
/// # Safety
/// `v` is NULL or a live handle not used by another thread.
#[no_mangle]
pub unsafe extern "C" fn meshauth_validation_set_require_exp(
    v: *mut meshauth_validation,
    require: bool,
) -> meshauth_status {
    with_validation(v, |h| {
        h.v.set_require_exp(require);
        Ok(())
    })
}

/// Tokens longer than `bytes` fail with `MESHAUTH_STATUS_JWT_TOO_LARGE` before any parsing
/// (default 16384).
///
/// # Safety
/// `v` is NULL or a live handle not used by another thread.
#[no_mangle]
pub unsafe extern "C" fn meshauth_validation_set_max_token_bytes(
    v: *mut meshauth_validation,
    bytes: usize,
) -> meshauth_status {
    with_validation(v, |h| {
        h.v.set_max_token_bytes(bytes);
        h.max_token_bytes = bytes;
        Ok(())
    })
}

/// When `enabled`, bounds the token lifetime: `exp - iat` (or `exp - now` without `iat`) must
/// not exceed `seconds` (`MESHAUTH_STATUS_JWT_LIFETIME_TOO_LONG`), and `exp` is required. When
/// not `enabled` there is no bound (the default) and `seconds` is ignored.
///
/// # Safety
/// `v` is NULL or a live handle not used by another thread.
#[no_mangle]
pub unsafe extern "C" fn meshauth_validation_set_max_lifetime(
    v: *mut meshauth_validation,
    enabled: bool,
    seconds: u64,
) -> meshauth_status {
    with_validation(v, |h| {
        h.v.set_max_lifetime(enabled.then_some(seconds));
        Ok(())
    })
}

/// When `enabled`, bounds the token age (jose's `maxTokenAge`): `iat` is required
/// (`MESHAUTH_STATUS_JWT_MISSING_IAT`) and `now - iat` must not exceed `seconds` plus the clock
/// skew (`MESHAUTH_STATUS_JWT_EXPIRED`). When not `enabled` there is no bound (the default) and
/// `seconds` is ignored.
///
/// # Safety
/// `v` is NULL or a live handle not used by another thread.
#[no_mangle]
pub unsafe extern "C" fn meshauth_validation_set_max_age(
    v: *mut meshauth_validation,
    enabled: bool,
    seconds: u64,
) -> meshauth_status {
    with_validation(v, |h| {
        h.v.set_max_age(enabled.then_some(seconds));
        Ok(())
    })
}

/// Frees a validation; NULL is a no-op.
///
/// # Safety
/// `v` is NULL or a handle from this library, not yet freed and not in use.
#[no_mangle]
pub unsafe extern "C" fn meshauth_validation_free(v: *mut meshauth_validation) {
    free_box(v)
}

// ---------------------------------------------------------------------------------------------
// Verify

/// A verified token: signature, issuer, times and audience were checked. It owns a copy of the
/// token, so the caller's buffer may be reused at once. All string views from its accessors are
/// valid until meshauth_verified_free(). Read-only, `Send + Sync`.
pub struct meshauth_verified {
    /// Borrows `token`; dropped first (see `Drop`).
    verified: ManuallyDrop<Verified<'static>>,
    /// The owned token bytes (from `Box<[u8]>`), freed after `verified`.
    token: *mut [u8],
    principal: OnceLock<Option<String>>,
    audiences: OnceLock<Vec<String>>,
    scopes: OnceLock<Vec<String>>,
    /// Decoded string claims that had escapes (see meshauth_verified_claim_text()).
    decoded: Mutex<Vec<Box<str>>>,
}

// SAFETY: `token` is an owned, never-mutated heap buffer only read through `verified`; every
// other field is Send + Sync.
unsafe impl Send for meshauth_verified {}
// SAFETY: as above; all access is read-only and the lazily computed fields use OnceLock.
unsafe impl Sync for meshauth_verified {}

impl Drop for meshauth_verified {
    fn drop(&mut self) {
        // SAFETY: `verified` is dropped exactly once, before the buffer it borrows.
        unsafe {
            ManuallyDrop::drop(&mut self.verified);
            drop(Box::from_raw(self.token));
        }
    }
}

const _: () = {
    const fn shared<T: Send + Sync>() {}
    shared::<meshauth_jwks>();
    shared::<meshauth_validation>();
    shared::<meshauth_verified>();
};

/// Verifies a compact JWS `token` against `jwks` and `v` at time `now` (Unix seconds), in Envoy's
/// order: parse → issuer → time → audience → key selection → signature. Returns
/// `MESHAUTH_STATUS_OK` or the first failed check. When `out` is not NULL, on success `*out` is a
/// new meshauth_verified (free with meshauth_verified_free()) and on error NULL; pass NULL when
/// only the status is needed. Both handles may be shared with other threads verifying at once.
///
/// # Safety
/// `jwks` and `v` are NULL or live handles; `token` is valid for `len` bytes; `out` is NULL or
/// valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_verify(
    jwks: *const meshauth_jwks,
    v: *const meshauth_validation,
    token: *const c_char,
    len: usize,
    now: i64,
    out: *mut *mut meshauth_verified,
) -> meshauth_status {
    guard(|| {
        if let Some(slot) = out.as_mut() {
            *slot = ptr::null_mut();
        }
        let jwks = &handle(jwks)?.jwks;
        let v = handle(v)?;
        let tok = bytes(token.cast(), len)?;
        let Some(slot) = out.as_mut() else {
            return verify(tok, jwks, &v.v, now).map(|_| ());
        };
        if tok.len() > v.max_token_bytes {
            return Err(Status::JwtTooLarge); // before copying an oversized token
        }
        let owned: *mut [u8] = Box::into_raw(Box::<[u8]>::from(tok));
        // SAFETY: `owned` stays allocated and unmodified until the handle's Drop, which drops
        // the Verified borrowing it first; on error it is freed here, nothing borrowing it.
        let borrowed: &'static [u8] = &*owned;
        match verify(borrowed, jwks, &v.v, now) {
            Ok(verified) => {
                *slot = Box::into_raw(Box::new(meshauth_verified {
                    verified: ManuallyDrop::new(verified),
                    token: owned,
                    principal: OnceLock::new(),
                    audiences: OnceLock::new(),
                    scopes: OnceLock::new(),
                    decoded: Mutex::new(Vec::new()),
                }));
                Ok(())
            }
            Err(s) => {
                drop(Box::from_raw(owned));
                Err(s)
            }
        }
    })
}

/// Frees a verified token; NULL is a no-op. Its string views become invalid.
///
/// # Safety
/// `v` is NULL or a handle from this library, not yet freed and not in use.
#[no_mangle]
pub unsafe extern "C" fn meshauth_verified_free(v: *mut meshauth_verified) {
    free_box(v)
}

unsafe fn view(
    v: *const meshauth_verified,
    dst: *mut meshauth_str,
    f: impl FnOnce(&meshauth_verified) -> Result<Option<&str>, Status>,
) -> meshauth_status {
    guard(|| {
        let slot = out(dst)?;
        *slot = meshauth_str::of(None);
        *slot = meshauth_str::of(f(handle(v)?)?);
        Ok(())
    })
}

unsafe fn time(
    v: *const meshauth_verified,
    present: *mut bool,
    value: *mut u64,
    f: impl FnOnce(&Verified<'static>) -> Option<u64>,
) -> meshauth_status {
    guard(|| {
        let (p, val) = (out(present)?, out(value)?);
        let t = f(&handle(v)?.verified);
        *p = t.is_some();
        *val = t.unwrap_or(0);
        Ok(())
    })
}

/// The header's `alg` (e.g. `"RS256"`): a static view.
///
/// # Safety
/// `v` is NULL or a live handle; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_verified_alg(
    v: *const meshauth_verified,
    out: *mut meshauth_str,
) -> meshauth_status {
    view(v, out, |h| Ok(Some(h.verified.alg().name())))
}

/// The header's `kid`, or absent. View valid for the handle's lifetime.
///
/// # Safety
/// `v` is NULL or a live handle; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_verified_kid(
    v: *const meshauth_verified,
    out: *mut meshauth_str,
) -> meshauth_status {
    view(v, out, |h| Ok(h.verified.kid()))
}

/// The header's `typ`, or absent. View valid for the handle's lifetime.
///
/// # Safety
/// `v` is NULL or a live handle; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_verified_typ(
    v: *const meshauth_verified,
    out: *mut meshauth_str,
) -> meshauth_status {
    view(v, out, |h| Ok(h.verified.typ()))
}

/// The `iss` claim, or absent. View valid for the handle's lifetime.
///
/// # Safety
/// `v` is NULL or a live handle; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_verified_issuer(
    v: *const meshauth_verified,
    out: *mut meshauth_str,
) -> meshauth_status {
    view(v, out, |h| Ok(h.verified.iss()))
}

/// The `sub` claim, or absent. View valid for the handle's lifetime.
///
/// # Safety
/// `v` is NULL or a live handle; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_verified_subject(
    v: *const meshauth_verified,
    out: *mut meshauth_str,
) -> meshauth_status {
    view(v, out, |h| Ok(h.verified.sub()))
}

/// The `jti` claim, or absent. View valid for the handle's lifetime.
///
/// # Safety
/// `v` is NULL or a live handle; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_verified_jti(
    v: *const meshauth_verified,
    out: *mut meshauth_str,
) -> meshauth_status {
    view(v, out, |h| Ok(h.verified.jti()))
}

/// Istio's request principal `iss/sub`, or absent unless both claims are present. View valid
/// for the handle's lifetime.
///
/// # Safety
/// `v` is NULL or a live handle; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_verified_principal(
    v: *const meshauth_verified,
    out: *mut meshauth_str,
) -> meshauth_status {
    view(v, out, |h| {
        Ok(h.principal
            .get_or_init(|| h.verified.principal())
            .as_deref())
    })
}

fn audiences(h: &meshauth_verified) -> &[String] {
    h.audiences
        .get_or_init(|| h.verified.audiences().map(|a| a.into_owned()).collect())
}

fn scopes(h: &meshauth_verified) -> &[String] {
    h.scopes.get_or_init(|| {
        h.verified
            .scopes()
            .into_iter()
            .map(|s| s.into_owned())
            .collect()
    })
}

/// Writes the number of `aud` values to `*count` (a string `aud` counts 1; absent counts 0).
///
/// # Safety
/// `v` is NULL or a live handle; `count` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_verified_audience_count(
    v: *const meshauth_verified,
    count: *mut usize,
) -> meshauth_status {
    guard(|| {
        *out(count)? = audiences(handle(v)?).len();
        Ok(())
    })
}

/// The `aud` value at `index` (escapes decoded), in token order; an index past the end is
/// `MESHAUTH_STATUS_INVALID_ARGUMENT`. View valid for the handle's lifetime.
///
/// # Safety
/// `v` is NULL or a live handle; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_verified_audience(
    v: *const meshauth_verified,
    index: usize,
    out: *mut meshauth_str,
) -> meshauth_status {
    view(v, out, |h| {
        audiences(h)
            .get(index)
            .map(|s| Some(s.as_str()))
            .ok_or(Status::InvalidArgument)
    })
}

/// Writes the number of `scope` values to `*count`: the space-delimited pieces of a string
/// `scope` claim (empty pieces dropped), or the strings of a list-valued one.
///
/// # Safety
/// `v` is NULL or a live handle; `count` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_verified_scope_count(
    v: *const meshauth_verified,
    count: *mut usize,
) -> meshauth_status {
    guard(|| {
        *out(count)? = scopes(handle(v)?).len();
        Ok(())
    })
}

/// The scope at `index` (see meshauth_verified_scope_count()); an index past the end is
/// `MESHAUTH_STATUS_INVALID_ARGUMENT`. View valid for the handle's lifetime.
///
/// # Safety
/// `v` is NULL or a live handle; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_verified_scope(
    v: *const meshauth_verified,
    index: usize,
    out: *mut meshauth_str,
) -> meshauth_status {
    view(v, out, |h| {
        scopes(h)
            .get(index)
            .map(|s| Some(s.as_str()))
            .ok_or(Status::InvalidArgument)
    })
}

/// The `exp` claim: `*present` says whether the token has one, `*value` is it in Unix seconds
/// (fractions truncated; 0 when absent).
///
/// # Safety
/// `v` is NULL or a live handle; `present` and `value` are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_verified_exp(
    v: *const meshauth_verified,
    present: *mut bool,
    value: *mut u64,
) -> meshauth_status {
    time(v, present, value, |t| t.exp())
}

/// The `nbf` claim, as meshauth_verified_exp().
///
/// # Safety
/// `v` is NULL or a live handle; `present` and `value` are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_verified_nbf(
    v: *const meshauth_verified,
    present: *mut bool,
    value: *mut u64,
) -> meshauth_status {
    time(v, present, value, |t| t.nbf())
}

/// The `iat` claim, as meshauth_verified_exp().
///
/// # Safety
/// `v` is NULL or a live handle; `present` and `value` are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_verified_iat(
    v: *const meshauth_verified,
    present: *mut bool,
    value: *mut u64,
) -> meshauth_status {
    time(v, present, value, |t| t.iat())
}

/// The decoded header JSON, exactly as signed. View valid for the handle's lifetime.
///
/// # Safety
/// `v` is NULL or a live handle; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_verified_header_json(
    v: *const meshauth_verified,
    out: *mut meshauth_str,
) -> meshauth_status {
    view(v, out, |h| Ok(Some(h.verified.header_json())))
}

/// The decoded payload JSON (the claims), exactly as signed. View valid for the handle's
/// lifetime.
///
/// # Safety
/// `v` is NULL or a live handle; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_verified_payload_json(
    v: *const meshauth_verified,
    out: *mut meshauth_str,
) -> meshauth_status {
    view(v, out, |h| Ok(Some(h.verified.payload_json())))
}

/// The payload segment as sent (base64url), e.g. for Envoy's `forward_payload_header`. View
/// valid for the handle's lifetime.
///
/// # Safety
/// `v` is NULL or a live handle; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_verified_payload_b64(
    v: *const meshauth_verified,
    out: *mut meshauth_str,
) -> meshauth_status {
    view(v, out, |h| Ok(Some(h.verified.payload_b64())))
}

/// A claim by dotted path (`a.b.c` walks nested objects, as Envoy's `claim_to_headers`), as its
/// JSON text exactly as in the payload (a string keeps its quotes and escapes), or absent. View
/// valid for the handle's lifetime.
///
/// # Safety
/// `v` is NULL or a live handle; `path` is valid for `path_len` bytes; `out` is NULL or valid for
/// writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_verified_claim(
    v: *const meshauth_verified,
    path: *const c_char,
    path_len: usize,
    out: *mut meshauth_str,
) -> meshauth_status {
    view(v, out, |h| {
        let path = text(path, path_len)?;
        Ok(h.verified
            .claim(path)
            .map(|c| json_text(h.verified.payload_json(), c)))
    })
}

/// A claim by dotted path as header-ready text: a string claim's value with its escapes decoded,
/// any other claim's JSON text (`42`, `true`, `{"a":1}`), or absent. View valid for the handle's
/// lifetime (a string with escapes is decoded once per call into storage the handle owns).
///
/// # Safety
/// `v` is NULL or a live handle; `path` is valid for `path_len` bytes; `out` is NULL or valid for
/// writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_verified_claim_text(
    v: *const meshauth_verified,
    path: *const c_char,
    path_len: usize,
    out: *mut meshauth_str,
) -> meshauth_status {
    view(v, out, |h| {
        let path = text(path, path_len)?;
        let Some(value) = h.verified.claim(path) else {
            return Ok(None);
        };
        let Some(s) = value.as_jstr() else {
            return Ok(Some(value.raw()));
        };
        if let Some(plain) = s.as_str() {
            return Ok(Some(plain));
        }
        let boxed: Box<str> = s.to_cow().into();
        let (ptr, len) = (boxed.as_ptr(), boxed.len());
        h.decoded.lock().map_err(|_| Status::Panic)?.push(boxed);
        // SAFETY: the boxed text is owned by the handle until it is freed and never mutated; the
        // Vec may move its Box pointers but not the text they point to.
        Ok(Some(std::str::from_utf8_unchecked(
            std::slice::from_raw_parts(ptr, len),
        )))
    })
}

/// The JSON text of `value`, a value inside `doc`: a string's raw text excludes its quotes, so
/// widen it by the quote on each side (both are in `doc`).
fn json_text<'a>(doc: &'a str, value: meshauth_core::json::Value<'a>) -> &'a str {
    let raw = value.raw();
    if let meshauth_core::json::Value::String(_) = value {
        let start = (raw.as_ptr() as usize).wrapping_sub(doc.as_ptr() as usize);
        if let Some(quoted) = start
            .checked_sub(1)
            .and_then(|s| doc.get(s..start + raw.len() + 1))
        {
            if quoted.starts_with('"') && quoted.ends_with('"') {
                return quoted;
            }
        }
    }
    raw
}

/// Writes to `*index` the position in the key set of the key that verified the signature.
///
/// # Safety
/// `v` is NULL or a live handle; `index` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn meshauth_verified_key_index(
    v: *const meshauth_verified,
    index: *mut usize,
) -> meshauth_status {
    guard(|| {
        *out(index)? = handle(v)?.verified.key_index();
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed header's enum has every core status, with its code, in order.
    #[test]
    fn header_enum_matches_core_table() {
        let header = include_str!("../../include/meshauth.h");
        let mut expected = 0;
        let mut previous = "";
        for line in header.lines().map(str::trim) {
            let Some(rest) = line.strip_prefix("MESHAUTH_STATUS_") else {
                previous = line;
                continue;
            };
            let (_, value) = rest.split_once(" = ").unwrap();
            let value: u16 = value.trim_end_matches(',').parse().unwrap();
            assert_eq!(value, expected);
            // The doc comment above each constant names the core status with that code.
            let status = Status::from_code(value).unwrap();
            let doc = format!("/** {}: {} */", status.name(), status.message());
            assert_eq!(previous, doc);
            expected += 1;
        }
        assert_eq!(usize::from(expected), Status::all().count());
        for s in Status::all() {
            let name = unsafe { CStr::from_ptr(meshauth_status_name(code(s))) };
            assert_eq!(name.to_str().unwrap(), s.name());
            let msg = unsafe { CStr::from_ptr(meshauth_status_message(code(s))) };
            assert_eq!(msg.to_str().unwrap(), s.message());
        }
    }
}
