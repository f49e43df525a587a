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
        let mut set = Jwks { keys: out };
        set.prepare_tables(opts.ec_tables);
        Ok(set)
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
        self.prepare_tables(opts.ec_tables);
        Ok(())
    }

    /// Gives the first EC keys verification tables until `limit` keys of the set have one (see
    /// [`JwksOptions::ec_tables`]).
    fn prepare_tables(&mut self, limit: usize) {
        let mut left = limit.saturating_sub(self.keys.iter().filter(|k| k.has_table()).count());
        for k in self.keys.iter_mut().filter(|k| !k.has_table()) {
            if left == 0 {
                break;
            }
            if k.prepare_table() {
                left -= 1;
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;
    use p384::elliptic_curve::sec1::ToSec1Point;

    /// The uncompressed SEC1 point `k·G` on P-384.
    fn p384_point(k: u64) -> Vec<u8> {
        let p = (p384::ProjectivePoint::GENERATOR * p384::Scalar::from(k)).to_affine();
        p.to_sec1_point(false).as_bytes().to_vec()
    }

    fn p384_jwk(k: u64) -> String {
        let point = p384_point(k);
        alloc::format!(
            r#"{{"kty":"EC","crv":"P-384","x":"{}","y":"{}"}}"#,
            crate::b64::encode(&point[1..49]),
            crate::b64::encode(&point[49..])
        )
    }

    fn tables(set: &Jwks) -> usize {
        set.keys().iter().filter(|k| k.has_table()).count()
    }

    /// At most `ec_tables` EC keys of a set get a table, the first ones; RSA, HMAC and Ed25519
    /// keys never do.
    #[test]
    fn ec_tables_are_capped_per_set() {
        let p256 = r#"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#;
        let oct = r#"{"kty":"oct","k":"c2VjcmV0LWtleS1mb3ItdGVzdHMtMDEyMzQ1Njc4OQ"}"#;
        // (P-384 keys, limit, tables expected: the P-256 key first, then P-384 keys).
        for (n, cap, want) in [(10, 8, 8), (10, 3, 3), (2, 8, 3), (10, 1, 1), (10, 0, 0)] {
            let mut keys: Vec<String> = (1..=n).map(p384_jwk).collect();
            keys.insert(0, p256.into());
            keys.insert(1, oct.into());
            let doc = alloc::format!(r#"{{"keys":[{}]}}"#, keys.join(","));
            let opts = JwksOptions {
                ec_tables: cap,
                ..JwksOptions::default()
            };
            let set = Jwks::from_json_with(doc.as_bytes(), &opts).unwrap();
            assert_eq!(set.len(), n as usize + 2);
            assert_eq!(tables(&set), want, "{n} keys, cap {cap}");
            assert_eq!(set.keys()[0].has_table(), cap > 0);
            assert!(!set.keys()[1].has_table());
            assert_eq!(set.keys()[2].has_table(), cap > 1);
        }
    }

    /// `add_pem` counts the tables already in the set against the same limit.
    #[test]
    fn add_pem_respects_the_table_limit() {
        // SubjectPublicKeyInfo for id-ecPublicKey / secp384r1, then the point.
        let prefix = [
            0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
            0x05, 0x2b, 0x81, 0x04, 0x00, 0x22, 0x03, 0x62, 0x00,
        ];
        let opts = JwksOptions {
            ec_tables: 2,
            ..JwksOptions::default()
        };
        let mut set = Jwks::empty();
        for k in 1..=3 {
            let der = [&prefix[..], &p384_point(k)].concat();
            let pem = pem_rfc7468::encode_string("PUBLIC KEY", pem_rfc7468::LineEnding::LF, &der)
                .unwrap();
            set.add_pem(pem.as_bytes(), None, None, &opts).unwrap();
        }
        assert_eq!(set.len(), 3);
        assert_eq!(tables(&set), 2);
        assert!(!set.keys()[2].has_table());
    }
}
