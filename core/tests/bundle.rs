//! `bundle` against Istio's `PemCertBytestoString` and `TestProxyConfigAnchors` cases
//! (research/istio.md §3.1, §3.4), the graceful-failures bundle, and merge properties.

mod common;

use common::{rewrap, x509};
use meshauth_core::bundle::{self, InvalidBlock};
use meshauth_core::{cert, Status};
use proptest::prelude::*;

fn text(name: &str) -> String {
    String::from_utf8(x509(name)).unwrap()
}

/// Istio's `TrimRight(s, "\n")` / one-newline trim of a single-block file.
fn trim(s: &str) -> &str {
    s.trim_end_matches('\n')
}

/// The first block of the ECDSA chain, as a standalone PEM (ends with "\n").
fn cert_ecdsa() -> String {
    let t = text("istio_ecc-int2-cert-chain.pem");
    let end = t.find("-----END CERTIFICATE-----").unwrap() + "-----END CERTIFICATE-----\n".len();
    t[..end].to_string()
}

fn cert_rsa() -> String {
    text("go_testcert_localhost.pem")
}

#[test]
fn istio_pem_cert_bytes_to_string() {
    // empty → []
    assert!(bundle::split_istio(b"").unwrap().is_empty());
    // certECDSA + AppendCertByte(certRSA) → [trim(certECDSA), trim(certRSA)]
    let (e, r) = (cert_ecdsa(), cert_rsa());
    let both = bundle::append_cert_byte(e.as_bytes(), r.as_bytes());
    let got = bundle::split_istio(&both).unwrap();
    assert_eq!(got, [trim(&e).as_bytes(), trim(&r).as_bytes()]);
    // certRSA + "\nBogus" → [trim(certRSA)]
    let bogus = format!("{r}\nBogus");
    assert_eq!(
        bundle::split_istio(bogus.as_bytes()).unwrap(),
        [trim(&r).as_bytes()]
    );
}

#[test]
fn istio_split_keeps_text_before_blocks() {
    let data = x509("istio_root-ca-bundle-with-graceful-failures.pem");
    let pieces = bundle::split_istio(&data).unwrap();
    // Go's pem.Decode accepts all five blocks (block 3 is valid base64); comments stay attached.
    assert_eq!(pieces.len(), 5);
    assert!(pieces[0].starts_with(b"# This cert has a negative serial number."));
    assert!(pieces[3].starts_with(b"# valid PEM, but does not translate to valid x509 DER"));
    assert!(pieces
        .iter()
        .all(|p| p.ends_with(b"-----END CERTIFICATE-----")));
}

#[test]
fn istio_proxy_config_anchors() {
    // rootCert plays testdata/root-cert.pem, caRoot the mock CA's root. Their base64 starts
    // "MIID…" (caRoot) and "MIIF…" (rootCert), so caRoot sorts first.
    let root_cert = text("istio_expired-cert.pem");
    let ca_root = cert_rsa();
    let expected = format!("{}\n{}", trim(&ca_root), trim(&root_cert));

    // UpdateConfigTrustBundle(root-cert.pem), then ROOTCA = merge with the CA root.
    let merged = bundle::merge_istio(root_cert.as_bytes(), &[trim(&ca_root).as_bytes()]).unwrap();
    assert_eq!(String::from_utf8(merged.clone()).unwrap(), expected);
    // Feeding the merged bundle back in gives the same bytes.
    let again = bundle::merge_istio(&merged, &[trim(&ca_root).as_bytes()]).unwrap();
    assert_eq!(again, merged);
    let again = bundle::merge_trust_anchor_bytes(root_cert.as_bytes(), &merged).unwrap();
    assert_eq!(again, merged);
    // mergeConfigTrustBundle([caRoot, rootCert]) == expected, in either order.
    for roots in [
        [trim(&ca_root).as_bytes(), trim(&root_cert).as_bytes()],
        [trim(&root_cert).as_bytes(), trim(&ca_root).as_bytes()],
    ] {
        let m = bundle::merge_istio(b"", &roots).unwrap();
        assert_eq!(String::from_utf8(m).unwrap(), expected);
    }
}

#[test]
fn istio_text_merge_keeps_crlf_duplicates_merge_does_not() {
    let r = cert_rsa();
    let crlf = rewrap(&r, 64, "\r\n");
    let wide = rewrap(&r, 76, "\n");
    let commented = format!("# the same root\n{r}");
    let inputs = [
        r.as_bytes(),
        crlf.as_bytes(),
        wide.as_bytes(),
        commented.as_bytes(),
    ];
    let istio = bundle::merge_istio(b"", &inputs).unwrap();
    assert_eq!(bundle::split_istio(&istio).unwrap().len(), 4);
    let m = bundle::merge(&inputs).unwrap();
    assert_eq!(m.count, 1);
    assert!(m.invalid.is_empty());
    // Canonical PEM of a 64-column LF file is that file.
    assert_eq!(m.pem, r);
}

#[test]
fn istio_text_merge_is_not_idempotent_with_crlf() {
    // Go's getLine drops a '\r' only before a '\n'. A CRLF bundle's last piece is trimmed to
    // "...-----END CERTIFICATE-----\r"; fed back in, its END line ends in '\r' and no '\n', so
    // pem.Decode rejects that block and Istio's merge drops the certificate.
    let crlf = rewrap(&cert_ecdsa(), 64, "\r\n");
    let once = bundle::merge_istio(crlf.as_bytes(), &[]).unwrap();
    assert!(once.ends_with(b"-----END CERTIFICATE-----\r"));
    assert_eq!(bundle::merge_istio(&once, &[]).unwrap(), b"");
    // The certificate-aware merge keeps it.
    let m = bundle::merge(&[&once]).unwrap();
    assert_eq!(m.count, 1);
    assert_eq!(bundle::merge(&[m.pem.as_bytes()]).unwrap(), m);
}

#[test]
fn merge_reports_invalid_blocks_and_keeps_the_rest() {
    let data = x509("istio_root-ca-bundle-with-graceful-failures.pem");
    let bad = x509("istio_cert-parse-fail.pem");
    let m = bundle::merge(&[&data, &bad]).unwrap();
    // Blocks 0, 1, 2 and 4 (meshauth accepts the negative serial; Istio's Go keeps 3).
    assert_eq!(m.count, 4);
    assert_eq!(m.invalid.len(), 2);
    assert_eq!(
        (m.invalid[0].input, m.invalid[0].status),
        (0, Status::CertMalformed)
    );
    assert!(data[m.invalid[0].range.clone()].starts_with(b"-----BEGIN CERTIFICATE-----"));
    assert_eq!(
        m.invalid[1],
        InvalidBlock {
            input: 1,
            range: 0..bad.len() - 1,
            status: Status::CertBadPem
        }
    );
    // The output parses back to the same four certificates, sorted.
    let back = cert::parse(m.pem.as_bytes()).unwrap();
    assert_eq!(back.len(), 4);
    let mut subjects: Vec<_> = back.iter().map(|c| c.subject.clone()).collect();
    subjects.sort();
    let mut want: Vec<_> = cert::parse_blocks(&data)
        .unwrap()
        .into_iter()
        .filter_map(|b| b.result.ok().map(|c| c.subject))
        .collect();
    want.sort();
    assert_eq!(subjects, want);
    // DER input is accepted too.
    let der = x509("x509-parser_p521-selfsigned.der");
    assert_eq!(bundle::merge(&[&der, &der]).unwrap().count, 1);
}

#[test]
fn size_limits() {
    let big = vec![b'#'; cert::MAX_INPUT + 1];
    assert_eq!(bundle::merge(&[&big]), Err(Status::CertTooLarge));
    assert_eq!(bundle::split_istio(&big), Err(Status::CertTooLarge));
    assert_eq!(bundle::merge_istio(&big, &[]), Err(Status::CertTooLarge));
}

/// Certificates in several textual forms: (certificate id, PEM text).
fn pool() -> Vec<(usize, String)> {
    let mut certs = vec![cert_ecdsa(), cert_rsa(), text("istio_expired-cert.pem")];
    let chain = text("istio_cert-chain-trailing-line.pem");
    for b in cert::parse_blocks(chain.as_bytes()).unwrap() {
        certs.push(format!("{}\n", &chain[b.range]));
    }
    let mut out = Vec::new();
    for (id, c) in certs.iter().enumerate() {
        out.push((id, c.clone()));
        out.push((id, rewrap(c, 64, "\r\n")));
        out.push((id, rewrap(c, 76, "\n")));
        out.push((id, format!("# comment {id}\n{c}")));
    }
    out
}

fn pick() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0usize..24, 0..8)
}

/// Like `pick`, without the CRLF forms (see `istio_text_merge_is_not_idempotent_with_crlf`).
fn pick_lf() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec((0usize..24).prop_filter("LF only", |i| i % 4 != 1), 0..8)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn merge_is_idempotent_and_order_independent(idx in pick(), seed in any::<u64>()) {
        let pool = pool();
        let texts: Vec<&[u8]> = idx.iter().map(|&i| pool[i].1.as_bytes()).collect();
        let m = bundle::merge(&texts).unwrap();
        let distinct: std::collections::BTreeSet<usize> = idx.iter().map(|&i| pool[i].0).collect();
        prop_assert_eq!(m.count, distinct.len());
        // Idempotent: merging the output again, or with itself, changes nothing.
        let again = bundle::merge(&[m.pem.as_bytes()]).unwrap();
        prop_assert_eq!(&again.pem, &m.pem);
        let twice = bundle::merge(&[m.pem.as_bytes(), m.pem.as_bytes()]).unwrap();
        prop_assert_eq!(&twice.pem, &m.pem);
        // Order-independent: a rotation and the reverse give the same bytes.
        let mut perm = texts.clone();
        if !perm.is_empty() {
            let k = (seed as usize) % perm.len();
            perm.rotate_left(k);
        }
        prop_assert_eq!(&bundle::merge(&perm).unwrap().pem, &m.pem);
        perm.reverse();
        prop_assert_eq!(&bundle::merge(&perm).unwrap().pem, &m.pem);
    }

    #[test]
    fn merge_istio_is_idempotent_and_order_independent(idx in pick_lf(), cfg in pick_lf(), seed in any::<u64>()) {
        let pool = pool();
        // Roots as Istio holds them: pieces of split_istio (trimmed).
        let roots: Vec<String> = idx.iter().map(|&i| trim(&pool[i].1).to_string()).collect();
        let roots_b: Vec<&[u8]> = roots.iter().map(|s| s.as_bytes()).collect();
        let config: String = cfg.iter().map(|&i| pool[i].1.as_str()).collect::<Vec<_>>().join("\n");
        let m = bundle::merge_istio(config.as_bytes(), &roots_b).unwrap();
        // Merging the merged bundle again (as config, or as its own pieces) gives the same bytes.
        prop_assert_eq!(&bundle::merge_istio(&m, &[]).unwrap(), &m);
        prop_assert_eq!(&bundle::merge_istio(config.as_bytes(), &bundle::split_istio(&m).unwrap()).unwrap(), &m);
        let mut perm = roots_b.clone();
        if !perm.is_empty() {
            let k = (seed as usize) % perm.len();
            perm.rotate_left(k);
        }
        prop_assert_eq!(&bundle::merge_istio(config.as_bytes(), &perm).unwrap(), &m);
        perm.reverse();
        prop_assert_eq!(&bundle::merge_istio(config.as_bytes(), &perm).unwrap(), &m);
    }
}
