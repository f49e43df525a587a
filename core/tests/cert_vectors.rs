//! `cert` against `shared/vectors/x509/`: every file gives the dates and subjects of
//! `expected.json`, and the rejects fail with their statuses.

mod common;

use common::{rewrap, x509, x509_expected};
use meshauth_core::cert::{self, Block, CertInfo};
use meshauth_core::Status;
use serde_json::Value;

/// The status each rejected file or block must give.
fn reject_status(file: &str) -> Status {
    match file {
        // '-- bad cert file --' inside the body: not base64.
        "istio_cert-parse-fail.pem" => Status::CertBadPem,
        // BEGIN line and no END line.
        "x509-parser_no_end.pem" => Status::CertBadPem,
        // Block 3 is base64 of something that is not a Certificate.
        "istio_root-ca-bundle-with-graceful-failures.pem" => Status::CertMalformed,
        other => panic!("no reject status for {other}"),
    }
}

fn entries(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        o => vec![o],
    }
}

fn check_info(file: &str, i: usize, want: &Value, got: &CertInfo) {
    let ctx = format!("{file} #{i}");
    assert_eq!(
        got.not_before,
        want["not_before_unix"].as_i64().unwrap(),
        "{ctx} notBefore"
    );
    assert_eq!(
        got.not_after,
        want["not_after_unix"].as_i64().unwrap(),
        "{ctx} notAfter"
    );
    assert_eq!(
        got.subject,
        want["subject"].as_str().unwrap(),
        "{ctx} subject"
    );
}

#[test]
fn every_file_matches_expected_json() {
    let expected = x509_expected();
    let mut files = 0;
    let mut certs = 0;
    for (file, v) in &expected {
        files += 1;
        let data = x509(file);
        let want = entries(v);
        let single_reject = want.len() == 1 && want[0]["expect"] == "reject";
        if single_reject {
            let st = reject_status(file);
            assert_eq!(cert::parse(&data), Err(st), "{file}");
            assert_eq!(
                cert::parse_blocks(&data).unwrap()[0].result,
                Err(st),
                "{file}"
            );
            assert_eq!(cert::earliest_expiry(&data), Err(st), "{file}");
            continue;
        }
        let blocks: Vec<Block> = cert::parse_blocks(&data).unwrap();
        assert_eq!(blocks.len(), want.len(), "{file}: block count");
        for (i, (w, b)) in want.iter().zip(&blocks).enumerate() {
            match w["expect"].as_str().unwrap() {
                "parse" | "parse_or_skip" => {
                    check_info(file, i, w, b.result.as_ref().unwrap());
                    certs += 1;
                }
                "reject" => assert_eq!(b.result, Err(reject_status(file)), "{file} #{i}"),
                // RFC 5280 forbids these time encodings; meshauth is a strict parser.
                "reject_strict" => assert_eq!(b.result, Err(Status::CertMalformed), "{file}"),
                e => panic!("{file}: unknown expect {e}"),
            }
        }
        let all_parse = want
            .iter()
            .all(|w| w["expect"] == "parse" || w["expect"] == "parse_or_skip");
        if all_parse {
            let chain = cert::parse(&data).unwrap();
            assert_eq!(chain.len(), want.len());
            // Istio's expiry: the leaf's notAfter.
            assert_eq!(
                cert::expiry(&data),
                Ok(want[0]["not_after_unix"].as_i64().unwrap()),
                "{file}"
            );
            let min = want
                .iter()
                .map(|w| w["not_after_unix"].as_i64().unwrap())
                .min()
                .unwrap();
            assert_eq!(
                cert::earliest_expiry(&data).unwrap().not_after,
                min,
                "{file}"
            );
        } else {
            assert!(cert::parse(&data).is_err(), "{file}");
        }
    }
    assert_eq!(files, 21);
    assert_eq!(certs, 24);
}

#[test]
fn boundary_dates() {
    // Values from expected.json, restated: the pivot, pre-1970, 9999 and far future.
    let one = |f: &str| cert::parse(&x509(f)).unwrap().remove(0);
    let pkits3 = one("pkits_Validpre2000UTCnotBeforeDateTest3EE.crt");
    assert_eq!(pkits3.not_before, -631108740); // UTCTime 50 = 1950
    let pkits2 = one("pkits_InvalidEEnotBeforeDateTest2EE.crt");
    assert_eq!(
        (pkits2.not_before, pkits2.not_after),
        (2429956860, 2493115260)
    ); // UTCTime 47/49 = 2047/2049
    let pkits7 = one("pkits_Invalidpre2000UTCEEnotAfterDateTest7EE.crt");
    assert_eq!(pkits7.not_after, 915192060); // UTCTime 99 = 1999
    let webpki = one("webpki_issuer_and_subject_unique_id.der");
    assert_eq!((webpki.not_before, webpki.not_after), (0, 253402300799));
    let neg = one("zlint_validityNegative.pem");
    assert!(neg.not_before > neg.not_after);
}

#[test]
fn istio_graceful_bundle_keeps_good_blocks() {
    let data = x509("istio_root-ca-bundle-with-graceful-failures.pem");
    let blocks = cert::parse_blocks(&data).unwrap();
    let ok: Vec<&CertInfo> = blocks
        .iter()
        .filter_map(|b| b.result.as_ref().ok())
        .collect();
    // meshauth keeps the negative-serial EC-ACC root (RFC 5280 §4.1.2.2: handle gracefully).
    assert_eq!(ok.len(), 4);
    assert!(ok[0].serial.starts_with("-11D4C214"));
    // Istio's TestSomeInvalidCerts expects 3: Go (>= 1.23) also refuses the negative serial.
    let go_like = ok.iter().filter(|c| !c.serial.starts_with('-')).count();
    assert_eq!(go_like, 3);
    assert_eq!(blocks[3].result, Err(Status::CertMalformed));
    assert!(!blocks[3].der.is_empty());
    // Istio's expiry reads block 0.
    assert_eq!(cert::expiry(&data), Ok(1925593199));
}

#[test]
fn chain_in_both_orders() {
    let text = String::from_utf8(x509("derived_text_before_between_after.pem")).unwrap();
    let fwd = cert::parse(text.as_bytes()).unwrap();
    assert_eq!(fwd.len(), 2);
    assert_eq!(cert::expiry(text.as_bytes()), Ok(3600000000));
    let e = cert::earliest_expiry(text.as_bytes()).unwrap();
    // #1 expires 2050-01-01T12:01:00Z, before the "leaf" (2084): it limits the chain.
    assert_eq!(
        (e.not_after, e.index, e.leaf_not_after),
        (2524651260, 1, 3600000000)
    );
    assert!(e.limited_by_intermediate());

    // Reverse the two blocks.
    let blocks = cert::parse_blocks(text.as_bytes()).unwrap();
    let b0 = &text[blocks[0].range.clone()];
    let b1 = &text[blocks[1].range.clone()];
    let rev = format!("leading words\n{b1}\nbetween\n{b0}\ntrailing");
    let r = cert::parse(rev.as_bytes()).unwrap();
    assert_eq!((r[0].not_after, r[1].not_after), (2524651260, 3600000000));
    assert_eq!(cert::expiry(rev.as_bytes()), Ok(2524651260));
    let e = cert::earliest_expiry(rev.as_bytes()).unwrap();
    assert_eq!((e.not_after, e.index), (2524651260, 0));
    assert!(!e.limited_by_intermediate());

    // The 3-certificate Istio chain reversed: the same dates, reversed.
    let data = String::from_utf8(x509("istio_cert-chain-trailing-line.pem")).unwrap();
    let bl = cert::parse_blocks(data.as_bytes()).unwrap();
    let rev: Vec<&str> = bl.iter().rev().map(|b| &data[b.range.clone()]).collect();
    let r = cert::parse(rev.join("\n").as_bytes()).unwrap();
    let nb: Vec<i64> = r.iter().map(|c| c.not_before).collect();
    assert_eq!(nb, [1519548369, 1519548369, 1519548368]);
}

#[test]
fn der_and_pem_agree_and_line_forms_do_not_matter() {
    let pem = String::from_utf8(x509("go_testcert_localhost.pem")).unwrap();
    let blocks = cert::parse_blocks(pem.as_bytes()).unwrap();
    let der = blocks[0].der.clone();
    let from_der = cert::parse(&der).unwrap();
    let from_pem = cert::parse(pem.as_bytes()).unwrap();
    assert_eq!(from_der, from_pem);
    assert_eq!(cert::expiry(&der), Ok(3600000000));
    for (w, eol) in [(64, "\r\n"), (76, "\n"), (76, "\r\n"), (40, "\n")] {
        let v = rewrap(&pem, w, eol);
        assert_eq!(cert::parse(v.as_bytes()).unwrap(), from_pem, "width {w}");
    }
    // DER with trailing bytes is not one certificate.
    let mut trailing = der.clone();
    trailing.push(0);
    assert_eq!(cert::parse(&trailing), Err(Status::CertMalformed));
}

#[test]
fn go_localhost_cert_fields() {
    // Go's net/http/internal/testcert (openssl x509 -ext): DNS:example.com, IP 127.0.0.1 and
    // ::1, basicConstraints CA:TRUE.
    let c = cert::parse(&x509("go_testcert_localhost.pem"))
        .unwrap()
        .remove(0);
    assert_eq!(c.subject, "O=Acme Co");
    assert_eq!(c.issuer, "O=Acme Co");
    assert!(c.is_ca);
    assert_eq!(c.dns_names, ["example.com"]);
    assert_eq!(c.spiffe_id, None);
}

#[test]
fn every_truncation_is_truncated() {
    for f in [
        "x509-parser_p521-selfsigned.der",
        "webpki_issuer_and_subject_unique_id.der",
    ] {
        let der = x509(f);
        for n in 1..der.len() {
            assert_eq!(
                cert::parse(&der[..n]),
                Err(Status::CertTruncated),
                "{f} len {n}"
            );
        }
    }
}

#[test]
fn corrupted_bytes_never_panic() {
    let der = x509("x509-parser_ca_minimalcrl.der");
    for i in 0..der.len() {
        for x in [0x01u8, 0x80, 0xff] {
            let mut d = der.clone();
            d[i] ^= x;
            let _ = cert::parse(&d);
            let _ = cert::expiry(&d);
        }
    }
    let pem = x509("istio_ecc-int2-cert-chain.pem");
    for cut in (0..pem.len()).step_by(7) {
        let _ = cert::parse(&pem[..cut]);
        let _ = cert::parse_blocks(&pem[..cut]);
        let _ = cert::expiry(&pem[..cut]);
    }
}

#[test]
fn expiry_skips_malformed_first_block() {
    // Go's pem.Decode skips a block that does not decode and tries the next one.
    let bad = x509("istio_cert-parse-fail.pem");
    let good = x509("istio_expired-cert.pem");
    let mut both = bad.clone();
    both.extend_from_slice(&good);
    assert_eq!(cert::expiry(&both), Ok(1625590849));
    assert_eq!(cert::expiry(&bad), Err(Status::CertBadPem));
    // A key as the first block: Istio fails at x509 parsing.
    let key = b"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIBftnHPp22SewYmmEoMcX8VwI4IHwaqd+9LFPj/15eqF\n-----END PRIVATE KEY-----\n";
    let mut k = key.to_vec();
    k.extend_from_slice(&good);
    assert_eq!(cert::expiry(&k), Err(Status::CertMalformed));
    // ... while parse() skips non-certificate blocks.
    assert_eq!(cert::parse(&k).unwrap()[0].not_after, 1625590849);
}

#[test]
fn size_limit() {
    let mut big = x509("istio_expired-cert.pem");
    big.resize(cert::MAX_INPUT + 1, b'\n');
    assert_eq!(cert::parse(&big), Err(Status::CertTooLarge));
    assert_eq!(cert::expiry(&big), Err(Status::CertTooLarge));
}

fn spiffe_chain() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/spiffe_chain.pem"
    ))
    .unwrap()
}

#[test]
fn spiffe_chain_fields() {
    // Values set by tests/data/gen_spiffe_chain.py; fingerprint from `openssl x509 -fingerprint`.
    let chain = cert::parse(&spiffe_chain()).unwrap();
    assert_eq!(chain.len(), 3);
    let leaf = &chain[0];
    assert_eq!(leaf.subject, "CN=workload");
    assert_eq!(leaf.issuer, "CN=Intermediate CA,O=meshauth test");
    assert_eq!(leaf.serial, "0A1B2C");
    assert_eq!(
        leaf.spiffe_id.as_deref(),
        Some("spiffe://cluster.local/ns/default/sa/web")
    );
    assert_eq!(
        leaf.dns_names,
        ["web.default.svc", "web.default.svc.cluster.local"]
    );
    assert!(!leaf.is_ca);
    assert_eq!((leaf.not_before, leaf.not_after), (1704067200, 1704153600));
    assert_eq!(
        leaf.fingerprint_hex(),
        "9d13791de8c02c0c293b067d36982670c6eb6d701df547fa5317941ded3ee412"
    );
    assert!(chain[1].is_ca && chain[2].is_ca);
    assert_eq!(chain[1].serial, "02");
    assert_eq!(chain[2].subject, chain[2].issuer);
    assert_eq!(chain[1].spiffe_id, None);
    // The intermediate expires 2024-01-01T12:00:00Z, 12 h before the leaf.
    assert_eq!(cert::expiry(&spiffe_chain()), Ok(1704153600));
    let e = cert::earliest_expiry(&spiffe_chain()).unwrap();
    assert_eq!(
        (e.not_after, e.index, e.leaf_not_after),
        (1704110400, 1, 1704153600)
    );
}
