//! A key set: parsed from a JWKS document (or Google's kid → X.509 certificate map) or from PEM
//! public keys, with jwt_verify_lib's rules: unusable keys are skipped, and when none is usable
//! the first key's error is the set's status.

use alloc::vec::Vec;

use crate::json::{self, Value};
use crate::jwk::{Jwk, JwksOptions};
use crate::Status;

/// A set of prepared keys. Immutable once built, so it can be shared by threads.
pub struct Jwks {
    keys: Vec<Jwk>,
}

const CERT_PREFIX: &str = "-----BEGIN CERTIFICATE-----\n";
const CERT_SUFFIX: &str = "\n-----END CERTIFICATE-----\n";

impl Jwks {
    /// Parses a JWKS document (`{"keys": [...]}`) or Google's x509 map (`{"kid": "-----BEGIN
    /// CERTIFICATE-----\n..."}`) with the default [`JwksOptions`].
    pub fn from_json(data: &[u8]) -> Result<Jwks, Status> {
        Self::from_json_with(data, &JwksOptions::default())
    }

    /// As [`Jwks::from_json`], with explicit options.
    pub fn from_json_with(data: &[u8], opts: &JwksOptions) -> Result<Jwks, Status> {
        if data.len() > opts.max_bytes {
            return Err(Status::JwksTooLarge);
        }
        let root = json::parse(data, opts.max_depth).map_err(|_| Status::JwksParseError)?;
        let obj = root.as_object().ok_or(Status::JwksParseError)?;
        let keys = match obj.get("keys") {
            None => return Self::from_x509_map(obj, opts),
            Some(Value::Array(a)) => a,
            Some(_) => return Err(Status::JwksBadKeys),
        };
        // Count before preparing any key: a set over the limit costs one scan, not 512 key
        // preparations (RSA moduli, EC point checks) before the answer.
        if keys.iter().nth(opts.max_keys).is_some() {
            return Err(Status::JwksTooLarge);
        }
        let mut out = Vec::new();
        let mut first_error = None;
        for entry in keys.iter() {
            let Some(o) = entry.as_object() else {
                continue; // Envoy skips non-objects silently
            };
            match Jwk::from_object(o, opts) {
                Ok(k) => out.push(k),
                Err(s) => {
                    first_error.get_or_insert(s);
                }
            }
        }
        if out.is_empty() {
            return Err(first_error.unwrap_or(Status::JwksNoValidKeys));
        }
        Ok(Jwks { keys: out })
    }

    /// Google's kid → PEM certificate map: all or nothing, RSA keys only, as in Envoy.
    fn from_x509_map(obj: json::Object<'_>, opts: &JwksOptions) -> Result<Jwks, Status> {
        let mut entries = Vec::new();
        for (kid, v) in obj.iter() {
            let kid = kid.to_cow();
            let pem = v.as_jstr().map(|s| s.to_cow());
            match pem {
                Some(p)
                    if !kid.is_empty()
                        && p.starts_with(CERT_PREFIX)
                        && p.ends_with(CERT_SUFFIX) =>
                {
                    entries.push((kid, p))
                }
                _ => return Err(Status::JwksNoKeys),
            }
        }
        if entries.is_empty() || entries.len() > opts.max_keys {
            return Err(if entries.is_empty() {
                Status::JwksNoKeys
            } else {
                Status::JwksTooLarge
            });
        }
        let mut keys = Vec::with_capacity(entries.len());
        for (kid, pem) in entries {
            let (label, der) =
                pem_rfc7468::decode_vec(pem.as_bytes()).map_err(|_| Status::JwksX509ParseError)?;
            if label != "CERTIFICATE" {
                return Err(Status::JwksX509ParseError);
            }
            let spki = certificate_spki(&der).ok_or(Status::JwksX509ParseError)?;
            let key = Jwk::from_spki(&spki, Some(&kid), None, opts)
                .map_err(|_| Status::JwksX509GetPubkeyError)?;
            if key.kty() != crate::jwk::KeyType::Rsa {
                return Err(Status::JwksX509GetPubkeyError);
            }
            keys.push(key);
        }
        Ok(Jwks { keys })
    }

    /// Parses one PEM `PUBLIC KEY` (SubjectPublicKeyInfo: RSA, EC P-256/384/521 or Ed25519),
    /// with no kid and no alg.
    pub fn from_pem(pem: &[u8]) -> Result<Jwks, Status> {
        Self::from_pem_with(pem, None, None, &JwksOptions::default())
    }

    /// As [`Jwks::from_pem`], giving the key a kid and an alg (Envoy's `createFromPem`).
    pub fn from_pem_with(
        pem: &[u8],
        kid: Option<&str>,
        alg: Option<&str>,
        opts: &JwksOptions,
    ) -> Result<Jwks, Status> {
        let mut set = Jwks { keys: Vec::new() };
        set.add_pem(pem, kid, alg, opts)?;
        Ok(set)
    }

    /// Adds one PEM public key to the set (Envoy's `addKeyFromPem`); on error the set is unchanged.
    pub fn add_pem(
        &mut self,
        pem: &[u8],
        kid: Option<&str>,
        alg: Option<&str>,
        opts: &JwksOptions,
    ) -> Result<(), Status> {
        if pem.len() > opts.max_bytes || self.keys.len() >= opts.max_keys {
            return Err(Status::JwksTooLarge);
        }
        let block = pem_block(pem, "PUBLIC KEY").ok_or(Status::JwksPemBadBase64)?;
        let (label, der) = pem_rfc7468::decode_vec(block).map_err(|_| Status::JwksPemBadBase64)?;
        if label != "PUBLIC KEY" {
            return Err(Status::JwksPemBadBase64);
        }
        self.keys.push(Jwk::from_spki(&der, kid, alg, opts)?);
        Ok(())
    }

    /// The usable keys, in document order.
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// The number of usable keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set has no usable key (only possible for a set built empty).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// An empty set: every verification against it fails with `JwksKidAlgMismatch`.
    pub fn empty() -> Jwks {
        Jwks { keys: Vec::new() }
    }
}

/// The first `-----BEGIN <label>-----` … `-----END <label>-----` block of `data` (text around it
/// is ignored, as OpenSSL's PEM reader does).
fn pem_block<'a>(data: &'a [u8], label: &str) -> Option<&'a [u8]> {
    let text = core::str::from_utf8(data).ok()?;
    let begin = alloc::format!("-----BEGIN {label}-----");
    let end = alloc::format!("-----END {label}-----");
    let start = text.find(&begin)?;
    let stop = start + text[start..].find(&end)? + end.len();
    Some(&data[start..stop])
}

/// The DER SubjectPublicKeyInfo of a DER certificate.
fn certificate_spki(der_bytes: &[u8]) -> Option<Vec<u8>> {
    use der::{Decode, Encode};
    let cert = x509_cert::Certificate::from_der(der_bytes).ok()?;
    cert.tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .ok()
}
