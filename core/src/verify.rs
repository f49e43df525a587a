//! Verification: Envoy's check order (parse → issuer → time → audience → key selection →
//! signature) with meshauth's stricter rules (DESIGN.md §3).

use alloc::string::String;
use alloc::vec::Vec;
use core::ops::Deref;

use crate::alg::{Alg, AlgSet};
use crate::jwks::Jwks;
use crate::jwt::{self, Payload, SigBuf, Token};
use crate::Status;

/// Envoy's default clock skew, in seconds.
pub const DEFAULT_CLOCK_SKEW: u64 = 60;
/// Default maximum token size, in bytes.
pub const DEFAULT_MAX_TOKEN_BYTES: usize = 16 * 1024;

/// What a token must satisfy besides its signature. Build once, use for many verifications.
#[derive(Clone, Debug)]
pub struct Validation {
    issuer: Option<String>,
    audiences: Vec<String>,
    clock_skew: u64,
    algorithms: AlgSet,
    max_token_bytes: usize,
    require_exp: bool,
    max_lifetime: Option<u64>,
    max_age: Option<u64>,
}

impl Default for Validation {
    fn default() -> Self {
        Validation::new()
    }
}

impl Validation {
    /// No issuer or audience check, 60 s clock skew, all 13 algorithms, 16 KiB tokens, `exp`
    /// optional, no lifetime bound.
    pub fn new() -> Validation {
        Validation {
            issuer: None,
            audiences: Vec::new(),
            clock_skew: DEFAULT_CLOCK_SKEW,
            algorithms: AlgSet::ALL,
            max_token_bytes: DEFAULT_MAX_TOKEN_BYTES,
            require_exp: false,
            max_lifetime: None,
            max_age: None,
        }
    }

    /// Require `iss` to equal `issuer` exactly (case-sensitive); else `JwtUnknownIssuer`.
    pub fn set_issuer(&mut self, issuer: &str) -> &mut Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Accept tokens whose `aud` contains `audience` (Envoy's sanitising: one leading `http://`
    /// or `https://` and one trailing `/` are ignored on both sides). With no audience configured
    /// any `aud` is accepted; with one, a token without `aud` is `JwtAudienceNotAllowed`.
    pub fn add_audience(&mut self, audience: &str) -> &mut Self {
        self.audiences.push(sanitize_audience(audience).into());
        self
    }

    /// Seconds of tolerance for `nbf` and `exp` (default 60; 0 is allowed, unlike Envoy).
    pub fn set_clock_skew(&mut self, seconds: u64) -> &mut Self {
        self.clock_skew = seconds;
        self
    }

    /// Only tokens whose `alg` is in `algs` are accepted; others are `JwtAlgNotAllowed`.
    pub fn set_algorithms(&mut self, algs: AlgSet) -> &mut Self {
        self.algorithms = algs;
        self
    }

    /// Tokens longer than `bytes` are `JwtTooLarge` before any parsing (default 16 KiB).
    pub fn set_max_token_bytes(&mut self, bytes: usize) -> &mut Self {
        self.max_token_bytes = bytes;
        self
    }

    /// Require an `exp` claim (`JwtMissingExp` when absent). Default false, as in Envoy.
    pub fn set_require_exp(&mut self, require: bool) -> &mut Self {
        self.require_exp = require;
        self
    }

    /// Bound the token lifetime: `exp - iat` (or `exp - now` without `iat`) must not exceed
    /// `seconds` (`JwtLifetimeTooLong`); implies an `exp` is required.
    pub fn set_max_lifetime(&mut self, seconds: Option<u64>) -> &mut Self {
        self.max_lifetime = seconds;
        self
    }

    /// Bound the token age (jose's `maxTokenAge`): an `iat` is required (`JwtMissingIat`) and
    /// `now - iat` must not exceed `seconds` plus the clock skew (`JwtExpired`, as jose).
    pub fn set_max_age(&mut self, seconds: Option<u64>) -> &mut Self {
        self.max_age = seconds;
        self
    }

    /// The configured issuer.
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// The configured audiences, sanitised.
    pub fn audiences(&self) -> &[String] {
        &self.audiences
    }

    /// The clock skew in seconds.
    pub fn clock_skew(&self) -> u64 {
        self.clock_skew
    }

    /// The allowed algorithms.
    pub fn algorithms(&self) -> AlgSet {
        self.algorithms
    }
}

/// Envoy's `sanitizeAudience`: strip one leading `http://` (else `https://`), then one
/// trailing `/`.
pub fn sanitize_audience(a: &str) -> &str {
    let (s, e) = sanitized_range(a.as_bytes());
    &a[s..e]
}

/// The range of `a` that [`sanitize_audience`] keeps (ASCII prefixes and suffix only, so the
/// range falls on character boundaries).
pub(crate) fn sanitized_range(a: &[u8]) -> (usize, usize) {
    let s = if a.starts_with(b"http://") {
        7
    } else if a.starts_with(b"https://") {
        8
    } else {
        0
    };
    let e = if a[s..].ends_with(b"/") {
        a.len() - 1
    } else {
        a.len()
    };
    (s, e)
}

/// A token whose signature, issuer, times and audience were checked. Derefs to [`Token`] for the
/// header and claims.
pub struct Verified<'t> {
    token: Token<'t>,
    key_index: usize,
}

impl<'t> Verified<'t> {
    /// The position in the key set of the key that verified the signature.
    pub fn key_index(&self) -> usize {
        self.key_index
    }

    /// The verified token.
    pub fn token(&self) -> &Token<'t> {
        &self.token
    }
}

impl<'t> Deref for Verified<'t> {
    type Target = Token<'t>;
    fn deref(&self) -> &Token<'t> {
        &self.token
    }
}

/// Checks the token's `nbf`/`exp` against `now` with Envoy's rules: `now + skew < nbf` is
/// `JwtNotYetValid`; `now > exp + skew` is `JwtExpired` (an `exp` of 0 is 1970, divergence D5).
pub fn check_time(nbf: Option<u64>, exp: Option<u64>, now: i64, skew: u64) -> Result<(), Status> {
    let (now, skew) = (i128::from(now), i128::from(skew));
    if let Some(nbf) = nbf {
        if now + skew < i128::from(nbf) {
            return Err(Status::JwtNotYetValid);
        }
    }
    if let Some(exp) = exp {
        if now > i128::from(exp) + skew {
            return Err(Status::JwtExpired);
        }
    }
    Ok(())
}

/// Verifies a compact JWS against `jwks` at time `now` (Unix seconds).
pub fn verify<'t>(
    token: &'t [u8],
    jwks: &Jwks,
    v: &Validation,
    now: i64,
) -> Result<Verified<'t>, Status> {
    if token.len() > v.max_token_bytes {
        return Err(Status::JwtTooLarge);
    }
    let mut sig_buf = SigBuf::new();
    let mut out = Verified {
        token: Token::unparsed(token),
        key_index: 0,
    };
    let sig = jwt::parse_into(&mut out.token, Payload::Claims, &mut sig_buf)?;
    let t = &out.token;
    if !v.algorithms.contains(t.alg()) {
        return Err(Status::JwtAlgNotAllowed);
    }
    if let Some(iss) = &v.issuer {
        if !t.iss_is(iss) {
            return Err(Status::JwtUnknownIssuer);
        }
    }
    check_time(t.nbf(), t.exp(), now, v.clock_skew)?;
    if (v.require_exp || v.max_lifetime.is_some()) && t.exp().is_none() {
        return Err(Status::JwtMissingExp);
    }
    if let (Some(max), Some(exp)) = (v.max_lifetime, t.exp()) {
        let from = t.iat().map_or(i128::from(now), i128::from);
        if i128::from(exp) - from > i128::from(max) {
            return Err(Status::JwtLifetimeTooLong);
        }
    }
    if let Some(max) = v.max_age {
        let iat = t.iat().ok_or(Status::JwtMissingIat)?;
        if i128::from(now) - i128::from(iat) > i128::from(max) + i128::from(v.clock_skew) {
            return Err(Status::JwtExpired);
        }
    }
    if !v.audiences.is_empty() && !t.audience_in(&v.audiences) {
        return Err(Status::JwtAudienceNotAllowed);
    }
    out.key_index = select_and_verify(t, jwks, sig.bytes())?;
    Ok(out)
}

/// Verifies a compact JWS whose payload is any bytes (not a JWT): the header rules, key
/// selection and signature check of [`verify`], without claim checks. Read the payload with
/// [`Token::payload`].
pub fn verify_jws<'t>(
    token: &'t [u8],
    jwks: &Jwks,
    algorithms: AlgSet,
    max_token_bytes: usize,
) -> Result<Verified<'t>, Status> {
    if token.len() > max_token_bytes {
        return Err(Status::JwtTooLarge);
    }
    let mut sig_buf = SigBuf::new();
    let mut out = Verified {
        token: Token::unparsed(token),
        key_index: 0,
    };
    let sig = jwt::parse_into(&mut out.token, Payload::Opaque, &mut sig_buf)?;
    if !algorithms.contains(out.alg()) {
        return Err(Status::JwtAlgNotAllowed);
    }
    out.key_index = select_and_verify(&out.token, jwks, sig.bytes())?;
    Ok(out)
}

/// jwt_verify_lib's key loop with divergence D3: a key is tried when its kid matches (or either
/// side has none), its alg matches (or it has none), and its family fits the token's alg.
fn select_and_verify(t: &Token<'_>, jwks: &Jwks, sig: &[u8]) -> Result<usize, Status> {
    let alg = t.alg();
    let kid = t.kid_bytes().filter(|k| !k.is_empty());
    let data = t.signing_input();
    let mut matched = false;
    for (i, key) in jwks.keys().iter().enumerate() {
        if let (Some(want), Some(have)) = (kid, key.kid()) {
            if want != have.as_bytes() {
                continue;
            }
        }
        if key.alg().is_some_and(|a| a != alg.name()) || !key.family_allows(alg) {
            continue;
        }
        matched = true;
        if alg == Alg::EdDSA && sig.len() != 64 {
            return Err(Status::JwtEd25519SignatureWrongLength);
        }
        if key.verify_signature(alg, data, sig) {
            return Ok(i);
        }
    }
    Err(if matched {
        Status::JwtVerificationFail
    } else {
        Status::JwksKidAlgMismatch
    })
}
