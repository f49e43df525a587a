//! Node binding of meshauth (`require('meshauth')`): argument conversion, error mapping and the
//! host clock, over `meshauth-core`. Every check is the core's; nothing here decides whether a
//! token is valid.
//!
//! Errors raised for a core [`Status`] are plain JS `Error`s with `.code` (the status name, e.g.
//! `'JwtExpired'`), `.status` (its number) and Envoy's message. Bad arguments give an `Error`
//! with `.code === 'InvalidArg'` and no `.status`.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use meshauth_core::{Alg, AlgSet, JwksOptions, Status, Validation};
use napi::bindgen_prelude::*;
use napi::{JsString, JsValue, Unknown};
use napi_derive::napi;

pub mod authn;
pub mod lifecycle;
pub mod remote;
pub mod token_arg;

use token_arg::TokenArg;

/// A JS error code taken from the core status table.
struct Code(&'static str);

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.0
    }
}

/// The JS error for a core status: `Error` with `.code` = name, `.status` = number.
pub(crate) fn status_error(env: &Env, s: Status) -> Error {
    status_error_with(env, s, s.message(), None)
}

/// As [`status_error`] with another message and, for configuration errors, a `.field`.
pub(crate) fn status_error_with(env: &Env, s: Status, message: &str, field: Option<&str>) -> Error {
    let value = JsError::from(Error::new(Code(s.name()), message)).into_unknown(*env);
    let with_status = Object::from_unknown(value).and_then(|mut obj| {
        obj.set("status", u32::from(s.code()))?;
        if let Some(f) = field {
            obj.set("field", f)?;
        }
        Ok(obj.to_unknown())
    });
    match with_status {
        Ok(value) => Error::from(value),
        Err(e) => e,
    }
}

/// An invalid argument (not a token problem): `Error` with `.code === 'InvalidArg'`.
pub(crate) fn invalid_arg(msg: impl Into<String>) -> Error {
    Error::new(napi::Status::InvalidArg, msg.into())
}

/// Bytes of a `string | Buffer | Uint8Array` argument.
pub(crate) fn bytes(data: &Either<String, Uint8Array>) -> &[u8] {
    match data {
        Either::A(s) => s.as_bytes(),
        Either::B(b) => b,
    }
}

/// A non-negative whole number of seconds (or bytes) from a JS number.
pub(crate) fn whole(name: &str, v: f64) -> Result<u64> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= 9_007_199_254_740_991.0 {
        // In range and integral, so the cast is exact.
        Ok(v as u64)
    } else {
        Err(invalid_arg(format!(
            "{name} must be a non-negative integer, got {v}"
        )))
    }
}

/// The current time in Unix seconds (the host's clock).
pub(crate) fn wall_clock() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `now` as given: a number of seconds (fractions dropped) or a BigInt (saturated to i64).
pub(crate) fn to_now(now: Option<&Either<f64, BigInt>>) -> Result<i64> {
    match now {
        None => Ok(wall_clock()),
        Some(Either::A(n)) if n.is_finite() => {
            // `as` saturates at the i64 bounds and truncates toward zero.
            Ok(n.trunc() as i64)
        }
        Some(Either::A(n)) => Err(invalid_arg(format!("now must be finite, got {n}"))),
        Some(Either::B(b)) => {
            let (v, lossless) = b.get_i64();
            Ok(match (lossless, b.sign_bit) {
                (true, _) => v,
                (false, false) => i64::MAX,
                (false, true) => i64::MIN,
            })
        }
    }
}

/// Parses JSON text produced by the core's strict parser with the engine's `JSON.parse`.
pub(crate) fn json_parse<'env>(env: &'env Env, text: &str) -> Result<Unknown<'env>> {
    let global = env.get_global()?;
    let json: Object = global.get_named_property("JSON")?;
    let parse: Function<String, Unknown> = json.get_named_property("parse")?;
    parse.call(text.to_owned())
}

/// Options of [`Jwks::from_json`] and [`Jwks::from_pem`].
#[napi(object)]
#[derive(Default)]
pub struct JwksLoadOptions {
    /// Accept RSA moduli of 1024-2047 bits (default false: `JwksRsaKeyTooSmall`).
    pub allow_legacy_rsa: Option<bool>,
    /// The largest document in bytes (default 1 MiB).
    pub max_bytes: Option<f64>,
    /// The most keys (default 512).
    pub max_keys: Option<f64>,
    /// How many EC keys (in document order) get a precomputed verification table: ~2-8x
    /// faster ES256/384/512 for ~1-2 ms and 100-160 KiB per key at load (default 8; 0 for none).
    pub ec_tables: Option<f64>,
    /// For `fromPem`: the key's kid.
    pub kid: Option<String>,
    /// For `fromPem`: the key's alg (ES256/ES384/ES512 also fix the curve).
    pub alg: Option<String>,
}

fn jwks_options(o: &JwksLoadOptions) -> Result<JwksOptions> {
    let mut opts = JwksOptions::default();
    if let Some(v) = o.allow_legacy_rsa {
        opts.allow_legacy_rsa = v;
    }
    if let Some(v) = o.max_bytes {
        opts.max_bytes = usize::try_from(whole("maxBytes", v)?).unwrap_or(usize::MAX);
    }
    if let Some(v) = o.max_keys {
        opts.max_keys = usize::try_from(whole("maxKeys", v)?).unwrap_or(usize::MAX);
    }
    if let Some(v) = o.ec_tables {
        opts.ec_tables = usize::try_from(whole("ecTables", v)?).unwrap_or(usize::MAX);
    }
    Ok(opts)
}

/// One usable key of a [`Jwks`].
#[napi(object)]
pub struct KeyInfo {
    /// `kid`, when the key has one.
    pub kid: Option<String>,
    /// `alg`, when the key has one.
    pub alg: Option<String>,
    /// `RSA`, `EC`, `oct` or `OKP`.
    pub kty: String,
    /// `P-256`, `P-384`, `P-521` or `Ed25519`, for EC and OKP keys.
    pub crv: Option<String>,
    /// Key size in bits (RSA modulus, curve size, HMAC key length).
    pub bits: u32,
}

/// A parsed, prepared key set (immutable). Build it with `Jwks.fromJson` or `Jwks.fromPem`.
#[napi]
pub struct Jwks {
    inner: Arc<meshauth_core::Jwks>,
}

#[napi]
impl Jwks {
    /// Parses a JWKS document (or one JWK, or Google's kid→certificate map). Unusable keys are
    /// skipped as Envoy does; throws the first key's status when none is usable.
    #[napi(factory, catch_unwind)]
    pub fn from_json(
        env: Env,
        data: Either<String, Uint8Array>,
        options: Option<JwksLoadOptions>,
    ) -> Result<Jwks> {
        let opts = jwks_options(&options.unwrap_or_default())?;
        meshauth_core::Jwks::from_json_with(bytes(&data), &opts)
            .map(|inner| Jwks {
                inner: Arc::new(inner),
            })
            .map_err(|s| status_error(&env, s))
    }

    /// Parses one PEM `PUBLIC KEY` (RSA, EC or Ed25519), optionally giving it a kid and an alg.
    #[napi(factory, catch_unwind)]
    pub fn from_pem(
        env: Env,
        data: Either<String, Uint8Array>,
        options: Option<JwksLoadOptions>,
    ) -> Result<Jwks> {
        let o = options.unwrap_or_default();
        let opts = jwks_options(&o)?;
        meshauth_core::Jwks::from_pem_with(bytes(&data), o.kid.as_deref(), o.alg.as_deref(), &opts)
            .map(|inner| Jwks {
                inner: Arc::new(inner),
            })
            .map_err(|s| status_error(&env, s))
    }

    /// A key set with no keys (every verification fails key selection).
    #[napi(factory)]
    pub fn empty() -> Jwks {
        Jwks {
            inner: Arc::new(meshauth_core::Jwks::empty()),
        }
    }

    /// The number of usable keys.
    #[napi(getter)]
    pub fn size(&self) -> u32 {
        u32::try_from(self.inner.len()).unwrap_or(u32::MAX)
    }

    /// The keys' kids, index-aligned with the keys (`null` for a key without one).
    #[napi(getter)]
    pub fn kids(&self) -> Vec<Option<String>> {
        self.inner
            .keys()
            .iter()
            .map(|k| k.kid().map(str::to_owned))
            .collect()
    }

    /// A description of every usable key, in document order.
    #[napi(getter)]
    pub fn keys(&self) -> Vec<KeyInfo> {
        self.inner
            .keys()
            .iter()
            .map(|k| KeyInfo {
                kid: k.kid().map(str::to_owned),
                alg: k.alg().map(str::to_owned),
                kty: k.kty().name().to_owned(),
                crv: k.curve().map(|c| c.name().to_owned()),
                bits: k.bits(),
            })
            .collect()
    }
}

/// Options of `verify` and [`verify_complete`], and of [`Verifier`] (without `now`).
#[napi(object)]
#[derive(Default)]
pub struct VerifyOptions {
    /// Required `iss` (exact match).
    pub issuer: Option<String>,
    /// Accepted audiences (Envoy's sanitising; empty or absent = no audience check).
    pub audiences: Option<Vec<String>>,
    /// Seconds of tolerance for `nbf`/`exp` (default 60).
    pub clock_skew: Option<f64>,
    /// Allowed `alg` values (default: all 13 meshauth implements).
    pub algorithms: Option<Vec<String>>,
    /// The time to verify at, Unix seconds (number or BigInt); default the system clock.
    pub now: Option<Either<f64, BigInt>>,
    /// Require an `exp` claim (`JwtMissingExp`).
    pub require_exp: Option<bool>,
    /// Bound `exp - iat` (or `exp - now`) in seconds (`JwtLifetimeTooLong`); implies `requireExp`.
    pub max_lifetime: Option<f64>,
    /// Largest token in bytes (default 16384; larger is `JwtTooLarge`).
    pub max_token_bytes: Option<f64>,
    /// jose's `maxTokenAge` in seconds: requires `iat` (`JwtMissingIat`) and rejects
    /// `now - iat > maxAge + clockSkew` (`JwtExpired`).
    pub max_age: Option<f64>,
}

fn validation(o: &VerifyOptions) -> Result<Validation> {
    let mut v = Validation::new();
    if let Some(iss) = &o.issuer {
        v.set_issuer(iss);
    }
    for a in o.audiences.iter().flatten() {
        v.add_audience(a);
    }
    if let Some(s) = o.clock_skew {
        v.set_clock_skew(whole("clockSkew", s)?);
    }
    if let Some(names) = &o.algorithms {
        let mut set = AlgSet::EMPTY;
        for n in names {
            let alg = Alg::from_name(n)
                .ok_or_else(|| invalid_arg(format!("unsupported algorithm {n:?}")))?;
            set = set.with(alg);
        }
        v.set_algorithms(set);
    }
    if let Some(r) = o.require_exp {
        v.set_require_exp(r);
    }
    if let Some(m) = o.max_lifetime {
        v.set_max_lifetime(Some(whole("maxLifetime", m)?));
    }
    if let Some(a) = o.max_age {
        v.set_max_age(Some(whole("maxAge", a)?));
    }
    if let Some(b) = o.max_token_bytes {
        v.set_max_token_bytes(usize::try_from(whole("maxTokenBytes", b)?).unwrap_or(usize::MAX));
    }
    Ok(v)
}

/// Runs the core verification and hands the verified token to `f`.
fn with_verified<T>(
    env: &Env,
    token: &TokenArg,
    keys: &meshauth_core::Jwks,
    v: &Validation,
    now: i64,
    f: impl FnOnce(&meshauth_core::Verified<'_>) -> Result<T>,
) -> Result<T> {
    match meshauth_core::verify(token.bytes(), keys, v, now) {
        Ok(t) => f(&t),
        Err(s) => Err(status_error(env, s)),
    }
}

/// [`with_verified`] with the options of the module-level functions (validation and `now`).
fn with_options<T>(
    env: &Env,
    token: &TokenArg,
    jwks: &Jwks,
    options: Option<VerifyOptions>,
    f: impl FnOnce(&meshauth_core::Verified<'_>) -> Result<T>,
) -> Result<T> {
    let o = options.unwrap_or_default();
    let v = validation(&o)?;
    let now = to_now(o.now.as_ref())?;
    with_verified(env, token, &jwks.inner, &v, now, f)
}

/// The `verifyComplete` result: `{ header, payload, principal, scopes, keyIndex }`.
fn complete<'env>(env: &'env Env, t: &meshauth_core::Verified<'_>) -> Result<Object<'env>> {
    let mut out = Object::new(env)?;
    out.set("header", json_parse(env, t.header_json())?)?;
    out.set("payload", json_parse(env, t.payload_json())?)?;
    out.set("principal", t.principal())?;
    let scopes: Vec<String> = t.scopes().into_iter().map(|s| s.into_owned()).collect();
    out.set("scopes", scopes)?;
    out.set("keyIndex", u32::try_from(t.key_index()).unwrap_or(u32::MAX))?;
    Ok(out)
}

/// Verifies a compact JWS against `jwks` and returns its claims as JSON text, exactly as
/// signed: index.js's `verify` parses it with `JSON.parse`, which builds the object faster in
/// JavaScript than through N-API. Throws an `Error` with `.code` (status name) and `.status`
/// (number) when the token is rejected.
#[napi(catch_unwind)]
pub fn verify_payload<'env>(
    env: &'env Env,
    token: TokenArg,
    jwks: &Jwks,
    options: Option<VerifyOptions>,
) -> Result<JsString<'env>> {
    with_options(env, &token, jwks, options, |t| {
        env.create_string(t.payload_json())
    })
}

/// Verifies like [`verify_payload`] and returns `{ header, payload, principal, scopes, keyIndex }`.
#[napi(catch_unwind, ts_return_type = "VerifiedToken")]
pub fn verify_complete<'env>(
    env: &'env Env,
    token: TokenArg,
    jwks: &Jwks,
    options: Option<VerifyOptions>,
) -> Result<Object<'env>> {
    with_options(env, &token, jwks, options, |t| complete(env, t))
}

/// The native half of `Verifier` (index.js): a key set and the options of `verify` (without
/// `now`) parsed once. Immutable; holds the key set it was given. Handed to JS as an external
/// value and passed back to the `verifier*` functions: an external argument is unwrapped without
/// the per-call borrow bookkeeping napi-rs does for a class receiver (measured: ~4 % of an HS256
/// call).
pub struct VerifierState {
    keys: Arc<meshauth_core::Jwks>,
    validation: Validation,
}

impl VerifierState {
    /// [`with_verified`] with this key set and these options, at `now` (default the clock).
    fn with_verified<T>(
        &self,
        env: &Env,
        token: &TokenArg,
        now: Option<Either<f64, BigInt>>,
        f: impl FnOnce(&meshauth_core::Verified<'_>) -> Result<T>,
    ) -> Result<T> {
        let now = to_now(now.as_ref())?;
        with_verified(env, token, &self.keys, &self.validation, now, f)
    }
}

/// Parses `options` as `verify` does; `now` is not an option here (pass it per call).
#[napi(catch_unwind, ts_return_type = "ExternalObject<VerifierState>")]
pub fn verifier_new(
    jwks: &Jwks,
    options: Option<VerifyOptions>,
) -> Result<External<VerifierState>> {
    let o = options.unwrap_or_default();
    if o.now.is_some() {
        return Err(invalid_arg(
            "now is not a Verifier option: pass it to verify(token, now)",
        ));
    }
    Ok(External::new(VerifierState {
        keys: Arc::clone(&jwks.inner),
        validation: validation(&o)?,
    }))
}

/// Verifies `token` with a verifier's key set and options and returns its claims as JSON text,
/// exactly as signed (index.js parses it, as for [`verify_payload`]).
#[napi(catch_unwind)]
pub fn verifier_verify_payload<'env>(
    env: &'env Env,
    verifier: &External<VerifierState>,
    token: TokenArg,
    now: Option<Either<f64, BigInt>>,
) -> Result<JsString<'env>> {
    verifier.with_verified(env, &token, now, |t| env.create_string(t.payload_json()))
}

/// What a verifier checks, as parsed (`Verifier`'s getters in index.js).
#[napi(object)]
pub struct VerifierSettings {
    /// The required issuer, if any.
    pub issuer: Option<String>,
    /// The accepted audiences as compared (one leading `http(s)://` and one trailing `/` removed).
    pub audiences: Vec<String>,
    /// The clock skew in seconds.
    pub clock_skew: f64,
    /// The accepted algorithms.
    pub algorithms: Vec<String>,
}

/// The settings of a verifier made by [`verifier_new`].
#[napi(catch_unwind)]
pub fn verifier_settings(verifier: &External<VerifierState>) -> VerifierSettings {
    let v = &verifier.validation;
    VerifierSettings {
        issuer: v.issuer().map(String::from),
        audiences: v.audiences().to_vec(),
        // Options are whole seconds up to 2^53 (see `whole`), so this is exact.
        clock_skew: v.clock_skew() as f64,
        algorithms: v.algorithms().iter().map(|a| a.name().to_owned()).collect(),
    }
}

/// As [`verify_complete`] with a verifier's key set and options.
#[napi(catch_unwind, ts_return_type = "VerifiedToken")]
pub fn verifier_verify_complete<'env>(
    env: &'env Env,
    verifier: &External<VerifierState>,
    token: TokenArg,
    now: Option<Either<f64, BigInt>>,
) -> Result<Object<'env>> {
    verifier.with_verified(env, &token, now, |t| complete(env, t))
}

/// Decodes a token's protected header without verifying anything (for choosing a key set).
/// Throws the parse status (`JwtBadFormat`, `JwtHeaderParseErrorBadJson`, ...).
#[napi(catch_unwind, ts_return_type = "Record<string, unknown>")]
pub fn decode_protected_header<'env>(env: &'env Env, token: TokenArg) -> Result<Unknown<'env>> {
    let text = std::str::from_utf8(token.bytes()).map_err(|_| Status::JwtBadFormat);
    match text.and_then(meshauth_core::Token::parse) {
        Ok(t) => json_parse(env, t.header_json()),
        Err(s) => Err(status_error(env, s)),
    }
}

/// One row of the status table.
#[napi(object)]
pub struct StatusInfo {
    /// The number (0-72 are jwt_verify_lib's).
    pub code: u32,
    /// The name, used as `err.code`.
    pub name: String,
    /// Envoy's message.
    pub message: String,
    /// The HTTP status an authenticator answers with.
    pub http_status: u32,
}

/// The core's whole status table, in code order.
#[napi]
pub fn statuses() -> Vec<StatusInfo> {
    Status::all()
        .map(|s| StatusInfo {
            code: u32::from(s.code()),
            name: s.name().to_owned(),
            message: s.message().to_owned(),
            http_status: u32::from(s.http_status()),
        })
        .collect()
}
