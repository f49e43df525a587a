//! OpenID Connect Discovery: the configuration URL of an issuer, and the `jwks_uri` of a
//! configuration document, checked against the expected issuer (OIDC Discovery §4.3, which Istio
//! skips).

use alloc::string::String;

use crate::json::{self, Value};
use crate::Status;

/// The path OIDC Discovery §4 appends to the issuer.
pub const WELL_KNOWN_PATH: &str = "/.well-known/openid-configuration";

/// The OpenID configuration URL of `issuer`: one trailing `/` dropped, then
/// [`WELL_KNOWN_PATH`] appended (as Istio and OIDC Discovery §4 do). The issuer is not checked.
///
/// ```
/// use meshauth_core::discovery::config_url;
/// assert_eq!(config_url("https://a.example/"), "https://a.example/.well-known/openid-configuration");
/// assert_eq!(config_url("https://a.example/t"), "https://a.example/t/.well-known/openid-configuration");
/// ```
pub fn config_url(issuer: &str) -> String {
    let base = issuer.strip_suffix('/').unwrap_or(issuer);
    let mut s = String::with_capacity(base.len() + WELL_KNOWN_PATH.len());
    s.push_str(base);
    s.push_str(WELL_KNOWN_PATH);
    s
}

/// Options for reading a discovery document.
#[derive(Clone, Debug)]
pub struct DiscoveryOptions {
    /// Also accept `http://` JWKS URLs (in-cluster endpoints). Default `false`.
    pub allow_http: bool,
    /// The largest document, in bytes (default 256 KiB); larger is `DiscoveryBadDocument`.
    pub max_bytes: usize,
}

impl Default for DiscoveryOptions {
    fn default() -> Self {
        DiscoveryOptions {
            allow_http: false,
            max_bytes: 256 << 10,
        }
    }
}

/// The `jwks_uri` of an OpenID configuration document, with the default options (https only).
///
/// Statuses:
/// - `DiscoveryBadDocument`: not strict JSON, not an object, too large, or no string `issuer`;
/// - `DiscoveryIssuerMismatch`: `issuer` is not exactly `expected_issuer` (no normalisation:
///   OIDC Discovery §4.3 requires the values to be identical);
/// - `DiscoveryBadJwksUri`: `jwks_uri` is missing, not a string, or not an absolute `https` URL
///   (see [`check_url`]).
///
/// ```
/// use meshauth_core::discovery::jwks_uri;
/// let doc = br#"{"issuer":"https://a.example","jwks_uri":"https://a.example/keys"}"#;
/// assert_eq!(jwks_uri(doc, "https://a.example").unwrap(), "https://a.example/keys");
/// assert!(jwks_uri(doc, "https://a.example/").is_err());
/// ```
pub fn jwks_uri(document: &[u8], expected_issuer: &str) -> Result<String, Status> {
    jwks_uri_with(document, expected_issuer, &DiscoveryOptions::default())
}

/// As [`jwks_uri`], with explicit options.
pub fn jwks_uri_with(
    document: &[u8],
    expected_issuer: &str,
    opts: &DiscoveryOptions,
) -> Result<String, Status> {
    if document.len() > opts.max_bytes {
        return Err(Status::DiscoveryBadDocument);
    }
    let root =
        json::parse(document, json::DEFAULT_MAX_DEPTH).map_err(|_| Status::DiscoveryBadDocument)?;
    let obj = root.as_object().ok_or(Status::DiscoveryBadDocument)?;
    let issuer = obj
        .get("issuer")
        .and_then(|v| v.as_jstr())
        .ok_or(Status::DiscoveryBadDocument)?;
    if !issuer.eq_str(expected_issuer) {
        return Err(Status::DiscoveryIssuerMismatch);
    }
    let uri = match obj.get("jwks_uri") {
        Some(Value::String(s)) => s.to_cow().into_owned(),
        _ => return Err(Status::DiscoveryBadJwksUri),
    };
    check_url(&uri, opts.allow_http)?;
    Ok(uri)
}

/// Checks that `url` is an absolute `https` URL (or `http` when `allow_http`): the scheme
/// (any case), `://`, a non-empty host, no user information (`@`), no fragment, and only
/// printable ASCII (no spaces or controls). `DiscoveryBadJwksUri` otherwise.
pub fn check_url(url: &str, allow_http: bool) -> Result<(), Status> {
    let bad = Err(Status::DiscoveryBadJwksUri);
    if url.bytes().any(|b| !(0x21..=0x7e).contains(&b)) || url.contains('#') {
        return bad;
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return bad;
    };
    let ok_scheme =
        scheme.eq_ignore_ascii_case("https") || (allow_http && scheme.eq_ignore_ascii_case("http"));
    if !ok_scheme {
        return bad;
    }
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    if authority.contains('@') {
        return bad;
    }
    // host[:port], or [v6]:port
    let host = if let Some(v6) = authority.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, port)) if port.is_empty() || port.starts_with(':') => h,
            _ => return bad,
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, port)) => {
                if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
                    return bad;
                }
                h
            }
            None => authority,
        }
    };
    if host.is_empty() {
        return bad;
    }
    Ok(())
}
