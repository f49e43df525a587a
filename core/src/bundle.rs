//! Trust-bundle merging: Istio's text merge, exactly, and a certificate-aware merge.
//!
//! Istio (`mergeConfigTrustBundle`, `PemCertBytestoString`, `AppendCertByte`, `concatCerts`)
//! works on PEM *text*: the same certificate with CRLF line ends, another line width or a
//! comment in front stays duplicated, and an empty or broken block silently ends the parse.
//! [`merge`] de-duplicates by DER, reports bad blocks and writes canonical PEM.

mod go_pem;

use crate::cert::{self, MAX_BLOCKS, MAX_INPUT};
use crate::Status;
use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;
use core::ops::Range;

fn check_size(total: usize, count: usize) -> Result<(), Status> {
    if total > MAX_INPUT || count > MAX_BLOCKS {
        Err(Status::CertTooLarge)
    } else {
        Ok(())
    }
}

fn trim_one_newline(mut s: &[u8]) -> &[u8] {
    if let Some(x) = s.strip_suffix(b"\n") {
        s = x;
    }
    if let Some(x) = s.strip_prefix(b"\n") {
        s = x;
    }
    s
}

/// Istio's `PemCertBytestoString`: splits `data` at PEM blocks (Go's `pem.Decode`), each piece
/// keeping the text before its block, with one `\n` trimmed from its end and then its start.
/// Stops at the first block that is missing, broken or has an empty body.
///
/// `CertTooLarge` above [`MAX_INPUT`] bytes or [`MAX_BLOCKS`] blocks.
pub fn split_istio(data: &[u8]) -> Result<Vec<&[u8]>, Status> {
    check_size(data.len(), 0)?;
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some((block, rest)) = go_pem::decode(&data[pos..]) {
        if block.bytes.is_empty() {
            break;
        }
        let end = pos + rest;
        out.push(trim_one_newline(&data[pos..end]));
        check_size(0, out.len())?;
        if end == data.len() {
            break;
        }
        pos = end;
    }
    Ok(out)
}

/// Istio's `AppendCertByte`: `a` without one trailing `\n`, then `\n`, then `b` (just `b` if `a`
/// is empty).
pub fn append_cert_byte(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len() + b.len() + 1);
    if !a.is_empty() {
        out.extend_from_slice(a.strip_suffix(b"\n").unwrap_or(a));
        out.push(b'\n');
    }
    out.extend_from_slice(b);
    out
}

/// Istio's `mergeConfigTrustBundle`: the pieces of `config_trust_bundle` (split as
/// [`split_istio`]) and `root_certs`, de-duplicated as exact strings, sorted bytewise and joined
/// with [`append_cert_byte`]: `c1\nc2\n…\ncN`, no trailing newline; empty in, empty out.
pub fn merge_istio(config_trust_bundle: &[u8], root_certs: &[&[u8]]) -> Result<Vec<u8>, Status> {
    let total = root_certs
        .iter()
        .fold(config_trust_bundle.len(), |n, c| n.saturating_add(c.len()));
    check_size(total, root_certs.len())?;
    let mut set: BTreeSet<&[u8]> = split_istio(config_trust_bundle)?.into_iter().collect();
    set.extend(root_certs.iter().copied());
    let mut out = Vec::new();
    for c in set {
        out = append_cert_byte(&out, c);
    }
    Ok(out)
}

/// Istio's `mergeTrustAnchorBytes`: [`merge_istio`] of the pieces of `ca_certs`.
pub fn merge_trust_anchor_bytes(
    config_trust_bundle: &[u8],
    ca_certs: &[u8],
) -> Result<Vec<u8>, Status> {
    merge_istio(config_trust_bundle, &split_istio(ca_certs)?)
}

/// Istio's `concatCerts`: the PEM strings joined, with a `\n` added after each but the last only
/// where it does not already end in one (`["a\n", "b"]` → `"a\nb"`).
pub fn concat_certs(certs: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, c) in certs.iter().enumerate() {
        out.extend_from_slice(c);
        if i + 1 < certs.len() && !c.ends_with(b"\n") {
            out.push(b'\n');
        }
    }
    out
}

/// A block that [`merge`] left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidBlock {
    /// Index of the input it came from.
    pub input: usize,
    /// Its byte range in that input.
    pub range: Range<usize>,
    /// Why: `CertBadPem`, `CertTruncated` or `CertMalformed`.
    pub status: Status,
}

/// The result of [`merge`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Merged {
    /// Canonical PEM: one `CERTIFICATE` block per distinct certificate, 64-column base64, LF
    /// line ends, sorted bytewise by block text (Istio's order), a newline after each block.
    pub pem: String,
    /// Number of distinct certificates in `pem`.
    pub count: usize,
    /// Certificate blocks that could not be used, in input order.
    pub invalid: Vec<InvalidBlock>,
}

/// Merges trust bundles (PEM, or one DER certificate each) by certificate: the same DER written
/// with CRLF, another line width or comments is one certificate. Non-certificate blocks and
/// inputs with no certificate are ignored; bad certificate blocks are reported in
/// [`Merged::invalid`], and the rest still merged. For canonical, distinct inputs `pem` is Istio's
/// [`merge_istio`] output plus a final newline. Idempotent and independent of input order.
///
/// `CertTooLarge` above [`MAX_INPUT`] bytes or [`MAX_BLOCKS`] blocks in all.
pub fn merge(inputs: &[&[u8]]) -> Result<Merged, Status> {
    let total = inputs.iter().fold(0usize, |n, c| n.saturating_add(c.len()));
    check_size(total, inputs.len())?;
    let mut set: BTreeSet<String> = BTreeSet::new();
    let mut invalid = Vec::new();
    let mut blocks_seen = 0usize;
    for (i, input) in inputs.iter().enumerate() {
        let blocks = match cert::parse_blocks(input) {
            Ok(b) => b,
            Err(Status::CertNotFound) => continue,
            Err(e) => return Err(e),
        };
        blocks_seen += blocks.len();
        check_size(0, blocks_seen)?;
        for b in blocks {
            match b.result {
                Ok(_) => {
                    let pem = pem_rfc7468::encode_string(
                        "CERTIFICATE",
                        pem_rfc7468::LineEnding::LF,
                        &b.der,
                    )
                    .map_err(|_| Status::CertMalformed)?;
                    set.insert(pem);
                }
                Err(status) => invalid.push(InvalidBlock {
                    input: i,
                    range: b.range,
                    status,
                }),
            }
        }
    }
    let count = set.len();
    let pem = set.into_iter().collect::<String>();
    Ok(Merged {
        pem,
        count,
        invalid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn append_and_concat() {
        assert_eq!(append_cert_byte(b"", b"b"), b"b");
        assert_eq!(append_cert_byte(b"a\n", b"b"), b"a\nb");
        assert_eq!(append_cert_byte(b"a", b"b"), b"a\nb");
        assert_eq!(concat_certs(&[b"a\n", b"b"]), b"a\nb");
        assert_eq!(concat_certs(&[b"a", b"b", b"c\n"]), b"a\nb\nc\n");
        assert_eq!(concat_certs(&[]), b"");
    }

    #[test]
    fn empty_in_empty_out() {
        assert_eq!(merge_istio(b"", &[]).unwrap(), b"");
        assert!(split_istio(b"").unwrap().is_empty());
        let m = merge(&[b""]).unwrap();
        assert_eq!((m.pem.as_str(), m.count), ("", 0));
    }
}
