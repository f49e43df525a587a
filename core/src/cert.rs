//! X.509 certificates: validity, names, SANs and fingerprint, from a PEM bundle or one DER
//! certificate; and Istio's `ParseCertAndGetExpiryTimestamp`.
//!
//! Validity times are decoded from the raw `UTCTime` / `GeneralizedTime` into signed Unix
//! seconds, so dates before 1970 (UTCTime reaches back to 1950) and up to
//! 9999-12-31T23:59:59Z are represented. Only RFC 5280 §4.1.2.5 forms are accepted
//! (`YYMMDDHHMMSSZ`, `YYYYMMDDHHMMSSZ`); an offset, missing seconds or a fraction is
//! `CertMalformed`. Parsing never checks a certificate against the clock or its signature.

mod name;
mod pem;
mod time;

use crate::Status;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;
use core::ops::Range;
use der::asn1::{AnyRef, BitStringRef, Ia5String, ObjectIdentifier};
use der::{Decode, ErrorKind, Reader, Sequence, Tagged};
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use x509_cert::certificate::Version;
use x509_cert::ext::pkix::constraints::BasicConstraints;
use x509_cert::ext::pkix::name::{GeneralName, GeneralNames};
use x509_cert::ext::Extensions;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;

/// Default maximum input size for [`parse`] and the bundle functions: 1 MiB.
pub const MAX_INPUT: usize = 1 << 20;
/// Default maximum number of PEM blocks read from one input.
pub const MAX_BLOCKS: usize = 1000;

/// What meshauth reads from one certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertInfo {
    /// notBefore, Unix seconds (negative before 1970).
    pub not_before: i64,
    /// notAfter, Unix seconds (253402300799 for 9999-12-31T23:59:59Z, "no expiry").
    pub not_after: i64,
    /// Subject as an RFC 4514 string, most-specific RDN first (`CN=x,O=y,C=z`).
    pub subject: String,
    /// Issuer as an RFC 4514 string.
    pub issuer: String,
    /// Serial number in upper-case hex without leading zeros; a negative serial (which RFC 5280
    /// §4.1.2.2 asks users to tolerate) is `-` and the hex of its magnitude.
    pub serial: String,
    /// SHA-256 of the DER encoding.
    pub fingerprint_sha256: [u8; 32],
    /// The first `spiffe://` URI SAN, if any.
    pub spiffe_id: Option<String>,
    /// The DNS SANs, in certificate order.
    pub dns_names: Vec<String>,
    /// Whether basicConstraints has `cA: TRUE`.
    pub is_ca: bool,
}

impl CertInfo {
    /// The SHA-256 fingerprint as lower-case hex.
    pub fn fingerprint_hex(&self) -> String {
        hex_lower(&self.fingerprint_sha256)
    }
}

/// One certificate-like PEM block of an input (or the whole input when it is DER).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// Byte range of the block in the input (BEGIN line to the end of the END line).
    pub range: Range<usize>,
    /// The decoded DER; empty when the PEM itself is malformed.
    pub der: Vec<u8>,
    /// The certificate, or why this block is not one.
    pub result: Result<CertInfo, Status>,
}

// ---------------------------------------------------------------------------------------------
// DER structures: RFC 5280 §4.1 with the validity times kept raw (see the module doc).

#[derive(Sequence)]
struct RawCertificate<'a> {
    tbs: RawTbs<'a>,
    _signature_algorithm: AlgorithmIdentifierRef<'a>,
    _signature: BitStringRef<'a>,
}

#[derive(Sequence)]
struct RawTbs<'a> {
    #[asn1(context_specific = "0", default = "Default::default")]
    _version: Version,
    serial: SerialNumber,
    _signature: AlgorithmIdentifierRef<'a>,
    issuer: Name,
    validity: RawValidity<'a>,
    subject: Name,
    _spki: SubjectPublicKeyInfoRef<'a>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    _issuer_unique_id: Option<BitStringRef<'a>>,
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT", optional = "true")]
    _subject_unique_id: Option<BitStringRef<'a>>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    extensions: Option<Extensions>,
}

#[derive(Sequence)]
struct RawValidity<'a> {
    not_before: AnyRef<'a>,
    not_after: AnyRef<'a>,
}

const OID_SAN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
const OID_BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");

/// `CertTruncated` when the input ends before the outer SEQUENCE's encoded length (or inside its
/// header); any other decoding failure is `CertMalformed`.
fn der_status(input: &[u8]) -> impl Fn(der::Error) -> Status + '_ {
    move |_| {
        let mut reader = match der::SliceReader::new(input) {
            Ok(r) => r,
            Err(_) => return Status::CertMalformed,
        };
        match der::Header::decode(&mut reader) {
            Err(h) if matches!(h.kind(), ErrorKind::Incomplete { .. }) => Status::CertTruncated,
            Ok(h) if h.length() > reader.remaining_len() => Status::CertTruncated,
            _ => Status::CertMalformed,
        }
    }
}

/// Parses one DER-encoded certificate (the whole input; trailing bytes are `CertMalformed`).
pub fn parse_der(der: &[u8]) -> Result<CertInfo, Status> {
    if der.is_empty() {
        return Err(Status::CertMalformed);
    }
    let cert = RawCertificate::from_der(der).map_err(der_status(der))?;
    let tbs = cert.tbs;
    let time = |t: AnyRef<'_>| time::decode(t.tag(), t.value()).ok_or(Status::CertMalformed);
    let not_before = time(tbs.validity.not_before)?;
    let not_after = time(tbs.validity.not_after)?;

    let mut spiffe_id = None;
    let mut dns_names = Vec::new();
    let mut is_ca = false;
    for ext in tbs.extensions.iter().flatten() {
        let value = ext.extn_value.as_bytes();
        if ext.extn_id == OID_SAN {
            let names = GeneralNames::from_der(value).map_err(|_| Status::CertMalformed)?;
            for n in names {
                match n {
                    GeneralName::DnsName(d) => dns_names.push(ia5(&d)),
                    GeneralName::UniformResourceIdentifier(u) => {
                        let u = ia5(&u);
                        if spiffe_id.is_none() && u.starts_with("spiffe://") {
                            spiffe_id = Some(u);
                        }
                    }
                    _ => {}
                }
            }
        } else if ext.extn_id == OID_BASIC_CONSTRAINTS {
            is_ca = BasicConstraints::from_der(value)
                .map_err(|_| Status::CertMalformed)?
                .ca;
        }
    }

    let digest = ring::digest::digest(&ring::digest::SHA256, der);
    let mut fingerprint_sha256 = [0u8; 32];
    fingerprint_sha256.copy_from_slice(digest.as_ref());

    Ok(CertInfo {
        not_before,
        not_after,
        subject: name::format(&tbs.subject),
        issuer: name::format(&tbs.issuer),
        serial: serial_hex(tbs.serial.as_bytes()),
        fingerprint_sha256,
        spiffe_id,
        dns_names,
        is_ca,
    })
}

fn ia5(s: &Ia5String) -> String {
    String::from(s.as_str())
}

fn hex_lower(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Hex of a two's-complement big-endian INTEGER: magnitude without leading zeros, `-` if negative.
fn serial_hex(bytes: &[u8]) -> String {
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    let magnitude: Vec<u8> = if negative {
        // -x = !x + 1 on the same width.
        let mut m: Vec<u8> = bytes.iter().map(|b| !b).collect();
        for b in m.iter_mut().rev() {
            let (v, carry) = b.overflowing_add(1);
            *b = v;
            if !carry {
                break;
            }
        }
        m
    } else {
        bytes.to_vec()
    };
    let first = magnitude.iter().position(|&b| b != 0);
    let digits = match first {
        Some(i) => {
            let mut s = String::new();
            for b in &magnitude[i..] {
                let _ = write!(s, "{b:02X}");
            }
            s
        }
        None => String::from("00"),
    };
    if negative {
        let mut s = String::from("-");
        s.push_str(&digits);
        s
    } else {
        digits
    }
}

/// Whether a PEM label names an X.509 certificate (`CERTIFICATE`, or legacy `X509 CERTIFICATE`).
fn is_cert_label(label: &[u8]) -> bool {
    label == b"CERTIFICATE" || label == b"X509 CERTIFICATE"
}

/// Every certificate block of `data`, each with its own result, so one bad block does not hide
/// the others (a trust bundle). Blocks with other labels (keys, CRLs) are left out. Input with
/// no BEGIN line is read as one DER certificate if it starts with a SEQUENCE tag.
///
/// Errors: `CertTooLarge` above [`MAX_INPUT`] bytes or [`MAX_BLOCKS`] blocks; `CertNotFound`
/// if there is no certificate block at all.
pub fn parse_blocks(data: &[u8]) -> Result<Vec<Block>, Status> {
    if data.len() > MAX_INPUT {
        return Err(Status::CertTooLarge);
    }
    let raw = pem::blocks(data);
    if raw.is_empty() {
        if data.first() == Some(&0x30) {
            return Ok(alloc::vec![Block {
                range: 0..data.len(),
                der: data.to_vec(),
                result: parse_der(data),
            }]);
        }
        return Err(Status::CertNotFound);
    }
    if raw.len() > MAX_BLOCKS {
        return Err(Status::CertTooLarge);
    }
    let out: Vec<Block> = raw
        .into_iter()
        .filter(|b| is_cert_label(b.label))
        .map(|b| match b.decode() {
            Ok(der) => Block {
                range: b.start..b.end,
                result: parse_der(&der),
                der,
            },
            Err(e) => Block {
                range: b.start..b.end,
                der: Vec::new(),
                result: Err(e),
            },
        })
        .collect();
    if out.is_empty() {
        return Err(Status::CertNotFound);
    }
    Ok(out)
}

/// Parses a PEM bundle (text before, between and after blocks is ignored; non-certificate blocks
/// are skipped) or one DER certificate. Every certificate block must parse: the first failure
/// is returned (`CertBadPem`, `CertTruncated` or `CertMalformed`). Use [`parse_blocks`] to keep
/// the good certificates of a bundle with bad blocks.
pub fn parse(data: &[u8]) -> Result<Vec<CertInfo>, Status> {
    parse_blocks(data)?.into_iter().map(|b| b.result).collect()
}

/// Istio's `ParseCertAndGetExpiryTimestamp`: notAfter (Unix seconds) of the first well-formed
/// PEM block, assumed to be the leaf. Text before it and malformed PEM blocks are skipped; the
/// block label is not checked (a key first is `CertMalformed`, as in Istio); the rest of the
/// chain is ignored — see [`earliest_expiry`]. Input without PEM is read as DER.
pub fn expiry(data: &[u8]) -> Result<i64, Status> {
    if data.len() > MAX_INPUT {
        return Err(Status::CertTooLarge);
    }
    let raw = pem::blocks(data);
    if raw.is_empty() {
        if data.first() == Some(&0x30) {
            return parse_der(data).map(|c| c.not_after);
        }
        return Err(Status::CertNotFound);
    }
    let mut first_error = Status::CertNotFound;
    for b in raw.iter().take(MAX_BLOCKS) {
        match b.decode() {
            Ok(der) => return parse_der(&der).map(|c| c.not_after),
            Err(e) => {
                if first_error == Status::CertNotFound {
                    first_error = e;
                }
            }
        }
    }
    Err(first_error)
}

/// Istio's `TimeBeforeCertExpires`: seconds from `now` (Unix seconds) to the [`expiry`] of the
/// first certificate; negative once it has expired.
pub fn time_before_expiry(data: &[u8], now: i64) -> Result<i64, Status> {
    Ok(expiry(data)?.saturating_sub(now))
}

/// The certificate of a chain that expires first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainExpiry {
    /// The earliest notAfter in the chain, Unix seconds.
    pub not_after: i64,
    /// Index in the chain of the certificate with that notAfter (the first such; 0 is the leaf).
    pub index: usize,
    /// The leaf's notAfter (what Istio uses).
    pub leaf_not_after: i64,
}

impl ChainExpiry {
    /// Whether a certificate after the leaf expires before it (Istio would not notice).
    pub fn limited_by_intermediate(&self) -> bool {
        self.index != 0
    }
}

/// The earliest notAfter over a parsed chain (leaf first); `CertNotFound` if it is empty.
pub fn chain_expiry(chain: &[CertInfo]) -> Result<ChainExpiry, Status> {
    let leaf = chain.first().ok_or(Status::CertNotFound)?;
    let mut best = ChainExpiry {
        not_after: leaf.not_after,
        index: 0,
        leaf_not_after: leaf.not_after,
    };
    for (i, c) in chain.iter().enumerate().skip(1) {
        if c.not_after < best.not_after {
            best.not_after = c.not_after;
            best.index = i;
        }
    }
    Ok(best)
}

/// The earliest notAfter over the whole chain in `data` (every block must parse, as in
/// [`parse`]), and which certificate has it. Istio looks only at the leaf ([`expiry`]).
pub fn earliest_expiry(data: &[u8]) -> Result<ChainExpiry, Status> {
    chain_expiry(&parse(data)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_hex_forms() {
        assert_eq!(serial_hex(&[0x00, 0x80]), "80");
        assert_eq!(serial_hex(&[0x01, 0x02]), "0102");
        assert_eq!(serial_hex(&[0x00]), "00");
        assert_eq!(serial_hex(&[0xFF]), "-01");
        assert_eq!(serial_hex(&[0xEE, 0x2B, 0x3D, 0xEB]), "-11D4C215");
    }

    #[test]
    fn no_certificate() {
        assert_eq!(parse(b""), Err(Status::CertNotFound));
        assert_eq!(parse(b"hello"), Err(Status::CertNotFound));
        assert_eq!(
            parse(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
            Err(Status::CertNotFound)
        );
        assert_eq!(expiry(b""), Err(Status::CertNotFound));
    }

    #[test]
    fn bad_der() {
        assert_eq!(parse(&[0x30]), Err(Status::CertTruncated));
        assert_eq!(parse(&[0x30, 0x00]), Err(Status::CertMalformed));
    }
}
