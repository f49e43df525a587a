//! Parse a 3-certificate PEM chain (Istio's ECDSA test chain): meshauth's full `cert::parse`
//! (names, SANs, SHA-256 fingerprint, validity) and `cert::expiry` (Istio's leaf-only read).
//! Compare with `bench/cert_peer.py` (Python `cryptography`); see docs/benchmarks-cert.md.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

fn shared() -> std::path::PathBuf {
    match std::env::var_os("MESHAUTH_SHARED") {
        Some(p) => p.into(),
        None => concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared").into(),
    }
}

fn bench(c: &mut Criterion) {
    for file in [
        "istio_ecc-int2-cert-chain.pem",
        "istio_cert-chain-trailing-line.pem",
    ] {
        let data = std::fs::read(shared().join("vectors/x509").join(file)).unwrap();
        assert_eq!(meshauth_core::cert::parse(&data).unwrap().len(), 3);
        c.bench_function(&format!("cert::parse 3-cert chain ({file})"), |b| {
            b.iter(|| meshauth_core::cert::parse(black_box(&data)).unwrap())
        });
        c.bench_function(&format!("cert::expiry leaf ({file})"), |b| {
            b.iter(|| meshauth_core::cert::expiry(black_box(&data)).unwrap())
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches, parts);

/// Where the time goes for one certificate (the ECDSA leaf).
fn pieces(c: &mut Criterion) {
    let data = std::fs::read(
        shared()
            .join("vectors/x509")
            .join("istio_ecc-int2-cert-chain.pem"),
    )
    .unwrap();
    let blocks = meshauth_core::cert::parse_blocks(&data).unwrap();
    let der = blocks[0].der.clone();
    c.bench_function("leaf: cert::parse_der (all CertInfo fields)", |b| {
        b.iter(|| meshauth_core::cert::parse_der(black_box(&der)).unwrap())
    });
    let pem = &data[blocks[0].range.clone()];
    c.bench_function("leaf: pem-rfc7468 decode", |b| {
        b.iter(|| pem_rfc7468::decode_vec(black_box(pem)).unwrap())
    });
    c.bench_function("leaf: x509-cert Certificate::from_der (baseline)", |b| {
        use der::Decode;
        b.iter(|| x509_cert::Certificate::from_der(black_box(&der)).unwrap())
    });
    c.bench_function("leaf: ring SHA-256 fingerprint", |b| {
        b.iter(|| ring::digest::digest(&ring::digest::SHA256, black_box(&der)))
    });
}
criterion_group!(parts, pieces);
