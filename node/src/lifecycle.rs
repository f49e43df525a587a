//! Key-set comparison, certificates, rotation and trust bundles: thin wrappers of the core's
//! `jwks_compare`, `cert`, `rotation` and `bundle` modules.

use meshauth_core::{bundle, cert, jwks_compare, rotation};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::{bytes, invalid_arg, status_error};

/// Whether the JWKS document `new` differs from `old` (core `jwks_compare::changed`): throws the
/// status of an unusable `new`; an unusable `old` counts as changed.
#[napi(catch_unwind)]
pub fn jwks_changed(
    env: Env,
    old: Either<String, Uint8Array>,
    new: Either<String, Uint8Array>,
) -> Result<bool> {
    jwks_compare::changed(bytes(&old), bytes(&new)).map_err(|s| status_error(&env, s))
}

/// A key named in a [`JwksDiffResult`] (core `KeyName`).
#[napi(object)]
pub struct KeyName {
    /// `'kid'`, `'thumbprint'` (RFC 7638, base64url) or `'digest'` (SHA-256 of the key's
    /// canonical JSON, base64url).
    pub kind: String,
    /// The kid, thumbprint or digest.
    pub name: String,
}

impl From<&jwks_compare::KeyName> for KeyName {
    fn from(k: &jwks_compare::KeyName) -> Self {
        KeyName {
            kind: k.kind().to_owned(),
            name: k.as_str().to_owned(),
        }
    }
}

/// The result of [`jwks_diff`] (core `JwksDiff`; each list sorted, without repeats).
#[napi(object)]
pub struct JwksDiffResult {
    /// Whether any key was added, removed or modified.
    pub changed: bool,
    /// Keys only in the new set.
    pub added: Vec<KeyName>,
    /// Keys only in the old set.
    pub removed: Vec<KeyName>,
    /// Keys in both whose content differs.
    pub modified: Vec<KeyName>,
}

/// Key-by-key difference of two JWKS documents (core `jwks_compare::diff`). Members outside
/// `keys` are not compared here (`jwksChanged` sees them).
#[napi(catch_unwind)]
pub fn jwks_diff(
    env: Env,
    old: Either<String, Uint8Array>,
    new: Either<String, Uint8Array>,
) -> Result<JwksDiffResult> {
    let d = jwks_compare::diff(bytes(&old), bytes(&new)).map_err(|s| status_error(&env, s))?;
    let names = |v: &[jwks_compare::KeyName]| v.iter().map(KeyName::from).collect();
    Ok(JwksDiffResult {
        changed: !d.is_empty(),
        added: names(&d.added),
        removed: names(&d.removed),
        modified: names(&d.modified),
    })
}

/// The RFC 7638 thumbprint (SHA-256, base64url) of one JWK given as JSON text.
#[napi(catch_unwind)]
pub fn jwk_thumbprint(env: Env, jwk: Either<String, Uint8Array>) -> Result<String> {
    meshauth_core::jwk_thumbprint_b64(bytes(&jwk)).map_err(|s| status_error(&env, s))
}

/// The canonical text of a JWKS document (sorted members and keys, normalised numbers and
/// escapes): equal for documents `jwksChanged` calls unchanged.
#[napi(catch_unwind)]
pub fn canonical_jwks(env: Env, data: Either<String, Uint8Array>) -> Result<String> {
    jwks_compare::canonical_jwks(bytes(&data)).map_err(|s| status_error(&env, s))
}

/// What [`cert_info`] reads from one certificate (core `CertInfo`).
#[napi(object)]
pub struct CertInfo {
    /// notBefore, Unix seconds.
    pub not_before: i64,
    /// notAfter, Unix seconds.
    pub not_after: i64,
    /// Subject, RFC 4514 (`CN=x,O=y`).
    pub subject: String,
    /// Issuer, RFC 4514.
    pub issuer: String,
    /// Serial number, upper-case hex (`-` prefix when negative).
    pub serial: String,
    /// SHA-256 of the DER, lower-case hex.
    pub fingerprint: String,
    /// The first `spiffe://` URI SAN.
    pub spiffe_id: Option<String>,
    /// DNS SANs in certificate order.
    pub dns_names: Vec<String>,
    /// basicConstraints cA.
    pub is_ca: bool,
}

/// Every certificate of a PEM bundle (or one DER certificate), in order. Throws the status of
/// the first bad block (`CertBadPem`, `CertTruncated`, `CertMalformed`) or `CertNotFound`.
#[napi(catch_unwind)]
pub fn cert_info(env: Env, data: Either<String, Uint8Array>) -> Result<Vec<CertInfo>> {
    let certs = cert::parse(bytes(&data)).map_err(|s| status_error(&env, s))?;
    Ok(certs
        .into_iter()
        .map(|c| CertInfo {
            fingerprint: c.fingerprint_hex(),
            not_before: c.not_before,
            not_after: c.not_after,
            subject: c.subject,
            issuer: c.issuer,
            serial: c.serial,
            spiffe_id: c.spiffe_id,
            dns_names: c.dns_names,
            is_ca: c.is_ca,
        })
        .collect())
}

/// Istio's certificate expiry: notAfter (Unix seconds) of the first well-formed block.
#[napi(catch_unwind)]
pub fn cert_expiry(env: Env, data: Either<String, Uint8Array>) -> Result<i64> {
    cert::expiry(bytes(&data)).map_err(|s| status_error(&env, s))
}

/// Seconds (a JS number, possibly fractional) to nanoseconds, saturating.
fn to_ns(name: &str, secs: f64) -> Result<i64> {
    if !secs.is_finite() {
        return Err(invalid_arg(format!("{name} must be finite, got {secs}")));
    }
    // `as` saturates at the i64 bounds.
    Ok((secs * rotation::NANOS_PER_SECOND as f64).round() as i64)
}

/// Istio's rotation delay without jitter: seconds from `now` until a certificate valid from
/// `created` to `expire` (Unix seconds) should be rotated, leaving `graceRatio` of its lifetime
/// (default 0.5); never negative. `RotationInvalidInput` unless `expire > created` and the ratio
/// is in `0..=1`.
#[napi(catch_unwind)]
pub fn rotation_delay(
    env: Env,
    now: f64,
    created: f64,
    expire: f64,
    grace_ratio: Option<f64>,
) -> Result<f64> {
    let policy = rotation::Policy {
        ratio: grace_ratio.unwrap_or(rotation::DEFAULT_RATIO),
        jitter: 0.0,
    };
    let ns = rotation::delay(
        to_ns("created", created)?,
        to_ns("expire", expire)?,
        to_ns("now", now)?,
        policy,
        rotation::Draw::NONE,
    )
    .map_err(|s| status_error(&env, s))?;
    Ok(ns as f64 / rotation::NANOS_PER_SECOND as f64)
}

/// Merges two trust bundles by certificate (core `bundle::merge`) into canonical PEM (sorted,
/// distinct, 64 columns, LF). Throws the status of the first bad certificate block instead of
/// dropping it; `CertTooLarge` above the core's limits.
#[napi(catch_unwind)]
pub fn merge_trust_bundles(
    env: Env,
    a: Either<String, Uint8Array>,
    b: Either<String, Uint8Array>,
) -> Result<String> {
    let merged = bundle::merge(&[bytes(&a), bytes(&b)]).map_err(|s| status_error(&env, s))?;
    match merged.invalid.first() {
        Some(bad) => Err(status_error(&env, bad.status)),
        None => Ok(merged.pem),
    }
}
