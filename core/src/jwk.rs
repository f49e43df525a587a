//! One public key, parsed and prepared once: from a JWK object (jwt_verify_lib's per-`kty` rules,
//! in its order, with its statuses) or from a SubjectPublicKeyInfo (PEM keys, x509-map JWKS).

use alloc::string::String;
use alloc::vec::Vec;

use hmac::{Hmac, KeyInit, Mac};
use ring::signature;
use sha2::{Sha256, Sha384, Sha512};

use crate::alg::{Alg, Hash};
use crate::b64;
use crate::ec_table;
use crate::ed25519;
use crate::json::{Object, Value};
use crate::roca;
use crate::Status;

/// The key type (`kty`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    /// `RSA`: RS256/384/512 and PS256/384/512.
    Rsa,
    /// `EC`: ES256/384/512 on the key's own curve.
    Ec,
    /// `oct`: HS256/384/512.
    Oct,
    /// `OKP` with curve Ed25519: EdDSA.
    Okp,
}

impl KeyType {
    /// The JWK `kty` value.
    pub fn name(self) -> &'static str {
        match self {
            KeyType::Rsa => "RSA",
            KeyType::Ec => "EC",
            KeyType::Oct => "oct",
            KeyType::Okp => "OKP",
        }
    }
}

/// The curve of an EC or OKP key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Curve {
    /// NIST P-256 (ES256).
    P256,
    /// NIST P-384 (ES384).
    P384,
    /// NIST P-521 (ES512).
    P521,
    /// Ed25519 (EdDSA).
    Ed25519,
}

impl Curve {
    /// The JWK `crv` value.
    pub fn name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
            Curve::Ed25519 => "Ed25519",
        }
    }

    fn field_bytes(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
            Curve::Ed25519 => 32,
        }
    }
}

/// Prepared key material.
pub(crate) enum Material {
    Rsa {
        /// Modulus and exponent, big-endian without leading zeros (as ring wants them).
        n: Vec<u8>,
        e: Vec<u8>,
        /// The same key for AWS-LC, parsed once per algorithm (see [`crate::rsa_aws_lc`]).
        #[cfg(feature = "aws-lc")]
        aws_lc: alloc::boxed::Box<crate::rsa_aws_lc::RsaKeys>,
    },
    /// P-256 or P-384: the uncompressed SEC1 point, checked to be on the curve.
    Ec {
        curve: Curve,
        point: Vec<u8>,
    },
    P521(alloc::boxed::Box<p521::ecdsa::VerifyingKey>),
    Oct(alloc::boxed::Box<HmacKeys>),
    /// Decoded once (see [`crate::ed25519`]).
    Ed25519(alloc::boxed::Box<ed25519::PublicKey>),
}

/// One HMAC key prepared for each hash (a JWK without `alg` serves HS256/384/512): the inner and
/// outer hash states after the padded key, so a verify hashes only the message.
pub(crate) struct HmacKeys {
    sha256: Hmac<Sha256>,
    sha384: Hmac<Sha384>,
    sha512: Hmac<Sha512>,
}

impl HmacKeys {
    /// `None` only if a hash refused the key length, which HMAC never does (any length is a
    /// valid HMAC key), so the caller's error for it is unreachable.
    fn new(key: &[u8]) -> Option<HmacKeys> {
        Some(HmacKeys {
            sha256: KeyInit::new_from_slice(key).ok()?,
            sha384: KeyInit::new_from_slice(key).ok()?,
            sha512: KeyInit::new_from_slice(key).ok()?,
        })
    }
}

/// Whether `tag` is the MAC of `data` under the prepared `key` (compared in constant time; a tag
/// of another length never matches).
fn mac_matches<M: Mac + Clone>(key: &M, data: &[u8], tag: &[u8]) -> bool {
    let mut m = key.clone();
    m.update(data);
    m.verify_slice(tag).is_ok()
}

/// The precomputed ECDSA table of an EC key (see [`crate::ec_table`]).
enum KeyTable {
    P256(ec_table::Table<p256::NistP256, 4>),
    P384(ec_table::Table<p384::NistP384, 6>),
    P521(ec_table::Table<p521::NistP521, 9>),
}

impl KeyTable {
    /// Checks an `r || s` signature over `data` (hashed with the curve's JWS hash).
    fn verify(&self, data: &[u8], sig: &[u8]) -> bool {
        use ring::digest::{digest, SHA256, SHA384, SHA512};
        match self {
            KeyTable::P256(t) => ec_table::verify(t, digest(&SHA256, data).as_ref(), sig),
            KeyTable::P384(t) => ec_table::verify(t, digest(&SHA384, data).as_ref(), sig),
            KeyTable::P521(t) => ec_table::verify(t, digest(&SHA512, data).as_ref(), sig),
        }
    }
}

/// A usable public (or HMAC) key of a [`crate::Jwks`].
pub struct Jwk {
    kid: Option<String>,
    alg: Option<String>,
    material: Material,
    bits: u32,
    /// Set by [`Jwk::prepare_table`] for some EC keys.
    table: Option<alloc::boxed::Box<KeyTable>>,
}

/// Options for loading keys.
#[derive(Clone, Debug)]
pub struct JwksOptions {
    /// How many EC keys (P-256, P-384, P-521) of a set get a precomputed verification table, in
    /// document order (default 8; 0 for none). A table makes each verification with that key
    /// ~2× faster for ES256, ~3× for ES512 and ~8× for ES384 (against ring / RustCrypto `ecdsa`,
    /// measured on one machine; see BENCHMARKS.md); it costs ~1–2 ms when the set is loaded and
    /// ~100 KiB (P-256), ~130 KiB (P-384) or ~160 KiB (P-521) of memory. Keys past the limit
    /// verify without one (same answers, slower).
    pub ec_tables: usize,
    /// Accept RSA moduli from 1024 to 2047 bits (PKCS#1 v1.5 only; ring has no smaller PSS).
    /// Default `false`: such keys are `JwksRsaKeyTooSmall`.
    pub allow_legacy_rsa: bool,
    /// The largest JWKS document, in bytes (default 1 MiB); larger is `JwksTooLarge`.
    pub max_bytes: usize,
    /// The most entries in `keys` (default 512); more is `JwksTooLarge`.
    pub max_keys: usize,
    /// JSON nesting limit (default 32).
    pub max_depth: usize,
}

impl Default for JwksOptions {
    fn default() -> Self {
        JwksOptions {
            ec_tables: 8,
            allow_legacy_rsa: false,
            max_bytes: 1 << 20,
            max_keys: 512,
            max_depth: crate::json::DEFAULT_MAX_DEPTH,
        }
    }
}

/// The outcome of looking up a JWK member with Envoy's `GetString`.
enum Member<'a> {
    Missing,
    WrongType,
    Str(&'a Value<'a>),
}

fn member<'a>(v: &'a Option<Value<'a>>) -> Member<'a> {
    match v {
        None => Member::Missing,
        Some(val @ Value::String(_)) => Member::Str(val),
        Some(_) => Member::WrongType,
    }
}

/// The decoded string of a `Value::String` (other values give "").
fn text(v: &Value<'_>) -> String {
    v.as_jstr()
        .map(|s| s.to_cow().into_owned())
        .unwrap_or_default()
}

/// A string member decoded from base64url (padding allowed, strict otherwise).
fn b64_member(v: &Value<'_>) -> Option<Vec<u8>> {
    let s = v.as_jstr()?.to_cow();
    b64::decode(s.as_bytes())
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let i = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    &b[i..]
}

impl Jwk {
    /// The key id, if the JWK has a non-empty string `kid`.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The JWK `alg`, if it has a non-empty string one (it may name an algorithm meshauth does
    /// not implement, e.g. `RS999`; such a key then matches no token).
    pub fn alg(&self) -> Option<&str> {
        self.alg.as_deref()
    }

    /// The key type.
    pub fn kty(&self) -> KeyType {
        match self.material {
            Material::Rsa { .. } => KeyType::Rsa,
            Material::Ec { .. } | Material::P521(_) => KeyType::Ec,
            Material::Oct(_) => KeyType::Oct,
            Material::Ed25519(_) => KeyType::Okp,
        }
    }

    /// The curve of an EC or OKP key.
    pub fn curve(&self) -> Option<Curve> {
        match &self.material {
            Material::Ec { curve, .. } => Some(*curve),
            Material::P521(_) => Some(Curve::P521),
            Material::Ed25519(_) => Some(Curve::Ed25519),
            _ => None,
        }
    }

    /// Key size in bits (RSA modulus, curve order size, HMAC key length).
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// Whether this key may verify a token of `alg` (divergence D3: only its own family, and for
    /// EC only the algorithm of its curve).
    pub(crate) fn family_allows(&self, alg: Alg) -> bool {
        match &self.material {
            Material::Rsa { .. } => matches!(
                alg,
                Alg::RS256 | Alg::RS384 | Alg::RS512 | Alg::PS256 | Alg::PS384 | Alg::PS512
            ),
            Material::Ec { curve, .. } => matches!(
                (curve, alg),
                (Curve::P256, Alg::ES256) | (Curve::P384, Alg::ES384)
            ),
            Material::P521(_) => alg == Alg::ES512,
            // RFC 7518 §3.2: the key must be at least as long as the hash output.
            Material::Oct(_) => {
                matches!(alg, Alg::HS256 | Alg::HS384 | Alg::HS512)
                    && self.bits >= alg_hash_bits(alg)
            }
            Material::Ed25519(_) => alg == Alg::EdDSA,
        }
    }

    /// Parses one JWK object following jwt_verify_lib's `extractJwk`, rule by rule.
    pub(crate) fn from_object(obj: Object<'_>, opts: &JwksOptions) -> Result<Jwk, Status> {
        let (mut kty, mut kid, mut alg, mut crv) = (None, None, None, None);
        let (mut n, mut e, mut x, mut y, mut k) = (None, None, None, None, None);
        let (mut use_, mut key_ops) = (None, None);
        for (name, value) in obj.iter() {
            let slot = match name.to_cow().as_ref() {
                "kty" => &mut kty,
                "kid" => &mut kid,
                "alg" => &mut alg,
                "crv" => &mut crv,
                "n" => &mut n,
                "e" => &mut e,
                "x" => &mut x,
                "y" => &mut y,
                "k" => &mut k,
                "use" => &mut use_,
                "key_ops" => &mut key_ops,
                _ => continue,
            };
            *slot = Some(value);
        }
        let kty_text = match member(&kty) {
            Member::Missing => return Err(Status::JwksMissingKty),
            Member::WrongType => return Err(Status::JwksBadKty),
            Member::Str(v) => text(v),
        };
        // Envoy reads kid and alg with GetString and ignores a wrong type: they act as absent.
        let kid_text = kid.as_ref().map(text).filter(|s| !s.is_empty());
        let alg_text = alg.as_ref().map(text).filter(|s| !s.is_empty());
        let alg_str = alg_text.as_deref().unwrap_or("");
        let (material, bits) = match kty_text.as_str() {
            "EC" => Self::ec(alg_str, &crv, &x, &y)?,
            "RSA" => Self::rsa(alg_str, &n, &e, opts)?,
            "oct" => Self::oct(alg_str, &k)?,
            "OKP" => Self::okp(alg_str, &crv, &x)?,
            _ => return Err(Status::JwksNotImplementedKty),
        };
        // Stricter than Envoy (which ignores both): RFC 7517 §4.2-4.3 reserve a key for its
        // declared use, so `use` other than "sig" or `key_ops` without "verify" makes it unusable.
        let for_signatures = match use_ {
            None => true,
            Some(v) => v.as_jstr().is_some_and(|s| s.eq_str("sig")),
        } && match key_ops {
            None => true,
            Some(Value::Array(ops)) => ops
                .iter()
                .any(|op| op.as_jstr().is_some_and(|s| s.eq_str("verify"))),
            Some(_) => false,
        };
        if !for_signatures {
            return Err(Status::JwksKeyNotForSignature);
        }
        Ok(Jwk {
            kid: kid_text,
            alg: alg_text,
            material,
            bits,
            table: None,
        })
    }

    fn ec(
        alg: &str,
        crv: &Option<Value<'_>>,
        x: &Option<Value<'_>>,
        y: &Option<Value<'_>>,
    ) -> Result<(Material, u32), Status> {
        if !alg.is_empty() && !alg.starts_with("ES") {
            return Err(Status::JwksECKeyBadAlg);
        }
        let crv = match member(crv) {
            Member::WrongType => return Err(Status::JwksECKeyBadCrv),
            Member::Missing => String::new(),
            Member::Str(v) => text(v),
        };
        if !alg.is_empty()
            && !crv.is_empty()
            && !matches!(
                (alg, crv.as_str()),
                ("ES256", "P-256") | ("ES384", "P-384") | ("ES512", "P-521")
            )
        {
            return Err(Status::JwksECKeyAlgNotCompatibleWithCrv);
        }
        // Neither alg nor crv: Envoy assumes P-256.
        let curve = if alg == "ES256" || crv == "P-256" || (alg.is_empty() && crv.is_empty()) {
            Curve::P256
        } else if alg == "ES384" || crv == "P-384" {
            Curve::P384
        } else if alg == "ES512" || crv == "P-521" {
            Curve::P521
        } else {
            return Err(Status::JwksECKeyAlgOrCrvUnsupported);
        };
        let x = match member(x) {
            Member::Missing => return Err(Status::JwksECKeyMissingX),
            Member::WrongType => return Err(Status::JwksECKeyBadX),
            Member::Str(v) => v,
        };
        let y = match member(y) {
            Member::Missing => return Err(Status::JwksECKeyMissingY),
            Member::WrongType => return Err(Status::JwksECKeyBadY),
            Member::Str(v) => v,
        };
        let (xb, yb) = match (b64_member(x), b64_member(y)) {
            (Some(a), Some(b)) => (a, b),
            _ => return Err(Status::JwksEcXorYBadBase64),
        };
        let material = ec_from_coordinates(curve, &xb, &yb).ok_or(Status::JwksEcParseError)?;
        Ok((material, curve_bits(curve)))
    }

    fn rsa(
        alg: &str,
        n: &Option<Value<'_>>,
        e: &Option<Value<'_>>,
        opts: &JwksOptions,
    ) -> Result<(Material, u32), Status> {
        if !alg.is_empty() && !alg.starts_with("RS") && !alg.starts_with("PS") {
            return Err(Status::JwksRSAKeyBadAlg);
        }
        let n = match member(n) {
            Member::Missing => return Err(Status::JwksRSAKeyMissingN),
            Member::WrongType => return Err(Status::JwksRSAKeyBadN),
            Member::Str(v) => v,
        };
        let e = match member(e) {
            Member::Missing => return Err(Status::JwksRSAKeyMissingE),
            Member::WrongType => return Err(Status::JwksRSAKeyBadE),
            Member::Str(v) => v,
        };
        let (nb, eb) = match (b64_member(n), b64_member(e)) {
            (Some(a), Some(b)) => (a, b),
            _ => return Err(Status::JwksRsaParseError),
        };
        rsa_from_components(&nb, &eb, opts)
    }

    fn oct(alg: &str, k: &Option<Value<'_>>) -> Result<(Material, u32), Status> {
        if !alg.is_empty() && !matches!(alg, "HS256" | "HS384" | "HS512") {
            return Err(Status::JwksHMACKeyBadAlg);
        }
        let k = match member(k) {
            Member::Missing => return Err(Status::JwksHMACKeyMissingK),
            Member::WrongType => return Err(Status::JwksHMACKeyBadK),
            Member::Str(v) => v,
        };
        match b64_member(k) {
            // An empty HMAC key is never usable.
            Some(key) if !key.is_empty() => {
                let bits = u32::try_from(key.len() * 8).unwrap_or(u32::MAX);
                let keys = HmacKeys::new(&key).ok_or(Status::JwksHMACKeyBadK)?;
                Ok((Material::Oct(alloc::boxed::Box::new(keys)), bits))
            }
            _ => Err(Status::JwksOctBadBase64),
        }
    }

    fn okp(
        alg: &str,
        crv: &Option<Value<'_>>,
        x: &Option<Value<'_>>,
    ) -> Result<(Material, u32), Status> {
        if !alg.is_empty() && alg != "EdDSA" {
            return Err(Status::JwksOKPKeyBadAlg);
        }
        match member(crv) {
            Member::Missing => return Err(Status::JwksOKPKeyMissingCrv),
            Member::WrongType => return Err(Status::JwksOKPKeyBadCrv),
            Member::Str(v) if text(v) == "Ed25519" => {}
            Member::Str(_) => return Err(Status::JwksOKPKeyCrvUnsupported),
        }
        let x = match member(x) {
            Member::Missing => return Err(Status::JwksOKPKeyMissingX),
            Member::WrongType => return Err(Status::JwksOKPKeyBadX),
            Member::Str(v) => v,
        };
        let xb = b64_member(x).ok_or(Status::JwksOKPXBadBase64)?;
        let key: [u8; 32] = xb.try_into().map_err(|_| Status::JwksOKPXWrongLength)?;
        Ok((
            Material::Ed25519(alloc::boxed::Box::new(ed25519::PublicKey::new(key))),
            256,
        ))
    }

    /// A key from a DER SubjectPublicKeyInfo (RSA, EC P-256/384/521, Ed25519).
    pub(crate) fn from_spki(
        der: &[u8],
        kid: Option<&str>,
        alg: Option<&str>,
        opts: &JwksOptions,
    ) -> Result<Jwk, Status> {
        use der::Decode;
        let spki =
            spki::SubjectPublicKeyInfoRef::from_der(der).map_err(|_| Status::JwksPemBadBase64)?;
        let key_bytes = spki
            .subject_public_key
            .as_bytes()
            .ok_or(Status::JwksPemBadBase64)?;
        let oid = spki.algorithm.oid;
        let (material, bits) = if oid == OID_RSA {
            let (n, e) = rsa_public_key(key_bytes).ok_or(Status::JwksPemBadBase64)?;
            rsa_from_components(n, e, opts)?
        } else if oid == OID_EC {
            let curve_oid = spki
                .algorithm
                .parameters
                .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok())
                .ok_or(Status::JwksPemBadBase64)?;
            let curve = if curve_oid == OID_P256 {
                Curve::P256
            } else if curve_oid == OID_P384 {
                Curve::P384
            } else if curve_oid == OID_P521 {
                Curve::P521
            } else {
                return Err(Status::JwksPemNotImplementedKty);
            };
            let f = curve.field_bytes();
            if key_bytes.len() != 1 + 2 * f || key_bytes[0] != 4 {
                return Err(Status::JwksPemBadBase64);
            }
            let m = ec_from_coordinates(curve, &key_bytes[1..1 + f], &key_bytes[1 + f..])
                .ok_or(Status::JwksPemBadBase64)?;
            (m, curve_bits(curve))
        } else if oid == OID_ED25519 {
            let key: [u8; 32] = key_bytes
                .try_into()
                .map_err(|_| Status::JwksPemGetRawEd25519Error)?;
            (
                Material::Ed25519(alloc::boxed::Box::new(ed25519::PublicKey::new(key))),
                256,
            )
        } else {
            return Err(Status::JwksPemNotImplementedKty);
        };
        Ok(Jwk {
            kid: kid.filter(|s| !s.is_empty()).map(String::from),
            alg: alg.filter(|s| !s.is_empty()).map(String::from),
            material,
            bits,
            table: None,
        })
    }

    /// Whether this key has an ECDSA verification table (see [`JwksOptions::ec_tables`]).
    pub(crate) fn has_table(&self) -> bool {
        self.table.is_some()
    }

    /// Builds this key's ECDSA verification table if it is an EC key (see
    /// [`crate::ec_table`]); returns whether it did.
    pub(crate) fn prepare_table(&mut self) -> bool {
        let table = match &self.material {
            Material::Ec {
                curve: Curve::P256,
                point,
            } => p256::PublicKey::from_sec1_bytes(point)
                .ok()
                .and_then(|k| ec_table::Table::new(k.as_affine()))
                .map(KeyTable::P256),
            Material::Ec {
                curve: Curve::P384,
                point,
            } => p384::PublicKey::from_sec1_bytes(point)
                .ok()
                .and_then(|k| ec_table::Table::new(k.as_affine()))
                .map(KeyTable::P384),
            Material::P521(vk) => ec_table::Table::new(vk.as_affine()).map(KeyTable::P521),
            _ => None,
        };
        let Some(table) = table else {
            return false;
        };
        self.table = Some(alloc::boxed::Box::new(table));
        true
    }

    /// Checks a raw JWS signature (`r || s` for ECDSA) over `data` with this key for `alg`;
    /// false when `alg` is not of this key's family (divergence D3) or the signature is bad.
    pub fn verify_signature(&self, alg: Alg, data: &[u8], sig: &[u8]) -> bool {
        if !self.family_allows(alg) {
            return false;
        }
        // An EC key with a table: its curve fixes the hash (D3), and `ec_table::verify` takes
        // exactly `r || s` (D2).
        if let Some(t) = self.table.as_deref() {
            return t.verify(data, sig);
        }
        match &self.material {
            Material::Rsa {
                n,
                e,
                #[cfg(feature = "aws-lc")]
                aws_lc,
            } => {
                let Some(check) = rsa_check(alg, self.bits) else {
                    return false;
                };
                #[cfg(feature = "aws-lc")]
                if let Some(valid) = aws_lc.verify(n, e, check, data, sig) {
                    return valid;
                }
                let params = RING_RSA[check as usize];
                signature::RsaPublicKeyComponents { n, e }
                    .verify(params, data, sig)
                    .is_ok()
            }
            Material::Ec { curve, point } => {
                if sig.len() != 2 * curve.field_bytes() {
                    return false; // D2: exactly r || s
                }
                let algo = match curve {
                    Curve::P256 => &signature::ECDSA_P256_SHA256_FIXED,
                    _ => &signature::ECDSA_P384_SHA384_FIXED,
                };
                signature::UnparsedPublicKey::new(algo, point)
                    .verify(data, sig)
                    .is_ok()
            }
            Material::P521(vk) => {
                use p521::ecdsa::signature::Verifier;
                if sig.len() != 132 {
                    return false;
                }
                match p521::ecdsa::Signature::from_slice(sig) {
                    Ok(s) => vk.verify(data, &s).is_ok(),
                    Err(_) => false,
                }
            }
            Material::Oct(keys) => match alg.hash() {
                Hash::Sha256 => mac_matches(&keys.sha256, data, sig),
                Hash::Sha384 => mac_matches(&keys.sha384, data, sig),
                Hash::Sha512 => mac_matches(&keys.sha512, data, sig),
            },
            Material::Ed25519(pk) => pk.verify(data, sig),
        }
    }
}

/// The RSA checks meshauth makes: padding and hash, and for keys under 2048 bits (only with
/// [`JwksOptions::allow_legacy_rsa`]) the legacy 1024–8192-bit parameters, which exist for
/// RS256 and RS512 only. Each backend maps these to its parameters by index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RsaCheck {
    Rs256,
    Rs384,
    Rs512,
    Ps256,
    Ps384,
    Ps512,
    Rs256Legacy,
    Rs512Legacy,
}

/// The check `alg` gets with an RSA key of `bits` bits; `None` when such a key cannot sign
/// with `alg`.
pub(crate) fn rsa_check(alg: Alg, bits: u32) -> Option<RsaCheck> {
    Some(match (alg, bits >= 2048) {
        (Alg::RS256, true) => RsaCheck::Rs256,
        (Alg::RS384, true) => RsaCheck::Rs384,
        (Alg::RS512, true) => RsaCheck::Rs512,
        (Alg::PS256, true) => RsaCheck::Ps256,
        (Alg::PS384, true) => RsaCheck::Ps384,
        (Alg::PS512, true) => RsaCheck::Ps512,
        (Alg::RS256, false) => RsaCheck::Rs256Legacy,
        (Alg::RS512, false) => RsaCheck::Rs512Legacy,
        _ => return None,
    })
}

/// ring's parameters for each [`RsaCheck`], in its order.
const RING_RSA: [&signature::RsaParameters; 8] = [
    &signature::RSA_PKCS1_2048_8192_SHA256,
    &signature::RSA_PKCS1_2048_8192_SHA384,
    &signature::RSA_PKCS1_2048_8192_SHA512,
    &signature::RSA_PSS_2048_8192_SHA256,
    &signature::RSA_PSS_2048_8192_SHA384,
    &signature::RSA_PSS_2048_8192_SHA512,
    &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
    &signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
];

fn alg_hash_bits(alg: Alg) -> u32 {
    match alg.hash() {
        Hash::Sha256 => 256,
        Hash::Sha384 => 384,
        Hash::Sha512 => 512,
    }
}

const OID_RSA: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_EC: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_P256: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_P384: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.3.132.0.34");
const OID_P521: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.3.132.0.35");
const OID_ED25519: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.3.101.112");

fn curve_bits(c: Curve) -> u32 {
    match c {
        Curve::P256 => 256,
        Curve::P384 => 384,
        Curve::P521 => 521,
        Curve::Ed25519 => 256,
    }
}

/// `n` and `e` of a DER RSAPublicKey (`SEQUENCE { INTEGER, INTEGER }`).
pub(crate) fn rsa_public_key(der_bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    use der::{Decode, Reader};
    let mut r = der::SliceReader::new(der_bytes).ok()?;
    let (n, e) = r
        .sequence(|r| {
            let n = der::asn1::UintRef::decode(r)?;
            let e = der::asn1::UintRef::decode(r)?;
            Ok::<_, der::Error>((n, e))
        })
        .ok()?;
    r.finish().ok()?;
    Some((n.as_bytes(), e.as_bytes()))
}

/// Envoy's RSA rules (e ∈ {3, 65537}, odd modulus) plus meshauth's size floor and ROCA check.
fn rsa_from_components(n: &[u8], e: &[u8], opts: &JwksOptions) -> Result<(Material, u32), Status> {
    let (n, e) = (strip_zeros(n), strip_zeros(e));
    if !(e == [3] || e == [1, 0, 1]) || n.last().is_none_or(|b| b & 1 == 0) {
        return Err(Status::JwksRsaParseError);
    }
    let bits = (n.len() * 8) as u32 - n[0].leading_zeros();
    if bits > 8192 {
        return Err(Status::JwksRsaParseError);
    }
    if bits < 2048 && !(opts.allow_legacy_rsa && bits >= 1024) {
        return Err(Status::JwksRsaKeyTooSmall);
    }
    if roca::has_fingerprint(n) {
        return Err(Status::JwksRsaKeyRocaVulnerable);
    }
    Ok((
        Material::Rsa {
            n: n.to_vec(),
            e: e.to_vec(),
            #[cfg(feature = "aws-lc")]
            aws_lc: alloc::boxed::Box::default(),
        },
        bits,
    ))
}

/// An EC key from big-endian coordinates (shorter encodings are left-padded, as Envoy reads them
/// as integers); `None` when a coordinate is too long or the point is not on the curve.
fn ec_from_coordinates(curve: Curve, x: &[u8], y: &[u8]) -> Option<Material> {
    let f = curve.field_bytes();
    if x.len() > f || y.len() > f {
        return None;
    }
    let mut point = alloc::vec![0u8; 1 + 2 * f];
    point[0] = 4;
    point[1 + f - x.len()..1 + f].copy_from_slice(x);
    point[1 + 2 * f - y.len()..].copy_from_slice(y);
    match curve {
        Curve::P256 => {
            p256::PublicKey::from_sec1_bytes(&point).ok()?;
            Some(Material::Ec { curve, point })
        }
        Curve::P384 => {
            p384::PublicKey::from_sec1_bytes(&point).ok()?;
            Some(Material::Ec { curve, point })
        }
        Curve::P521 => p521::ecdsa::VerifyingKey::from_sec1_bytes(&point)
            .ok()
            .map(|k| Material::P521(alloc::boxed::Box::new(k))),
        Curve::Ed25519 => None,
    }
}
