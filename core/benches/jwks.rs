//! Benchmarks for issue #4: `jwks_compare::changed` on 10- and 100-key documents, and
//! `refresh::Scheduler::poll` with 10 000 entries. Run: `cargo bench -p meshauth-core --bench jwks`.
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use meshauth_core::jwks_compare::changed;
use meshauth_core::refresh::{Config, Scheduler};
use std::hint::black_box;

/// An RSA-shaped JWKS of `n` keys (2048-bit-sized `n` members; `changed` does not decode them).
fn doc(n: usize, reversed: bool) -> String {
    let mut keys: Vec<String> = (0..n)
        .map(|i| {
            let modulus: String = (0..342)
                .map(|j| b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[(i * 7 + j * 13) % 64] as char)
                .collect();
            format!(r#"{{"kty":"RSA","kid":"key-{i}","use":"sig","alg":"RS256","e":"AQAB","n":"{modulus}"}}"#)
        })
        .collect();
    if reversed {
        keys.reverse();
    }
    format!(r#"{{"keys":[{}]}}"#, keys.join(","))
}

fn bench_changed(c: &mut Criterion) {
    for n in [10, 100] {
        let old = doc(n, false);
        let new = doc(n, true);
        assert_eq!(changed(old.as_bytes(), new.as_bytes()), Ok(false));
        c.bench_function(&format!("changed/{n}-keys-reordered"), |b| {
            b.iter(|| changed(black_box(old.as_bytes()), black_box(new.as_bytes())))
        });
    }
}

const BODY: &str =
    r#"{"keys":[{"kty":"oct","kid":"a","k":"c2VjcmV0LWtleS1mb3ItYmVuY2htYXJrcy0wMTIzNDU2Nzg5"}]}"#;

/// 10 000 entries, each fetched once, with refreshes spread over 10 minutes.
fn scheduler() -> Scheduler {
    let mut s = Scheduler::new(Config::default());
    for i in 0..10_000i64 {
        s.register(
            "https://issuer.example",
            Some(&format!("https://issuer.example/k{i}")),
            i % 600,
        )
        .unwrap();
    }
    let mut now = 0;
    while now < 600 {
        let p = s.poll(now);
        for f in &p.fetches {
            s.on_fetched(f.entry, BODY.as_bytes(), None, now).unwrap();
        }
        now = p.next_wake.unwrap();
    }
    s
}

fn bench_poll(c: &mut Criterion) {
    let base = scheduler();
    // Steady state: nothing due (the common case between wake-ups).
    let mut idle = base.clone();
    c.bench_function("poll/10000-entries-nothing-due", |b| {
        b.iter(|| idle.poll(black_box(1000)))
    });
    // One wake-up with its due entries (about 17 of 10 000) fetched and reported.
    c.bench_function("poll/10000-entries-one-wakeup", |b| {
        b.iter_batched_ref(
            || base.clone(),
            |s| {
                let p = s.poll(1200);
                for f in &p.fetches {
                    s.on_fetched(f.entry, BODY.as_bytes(), None, 1200).unwrap();
                }
                p.fetches.len()
            },
            BatchSize::LargeInput,
        )
    });
    // Every entry due at once (a worst case): 10 000 fetches issued by one poll.
    c.bench_function("poll/10000-entries-all-due", |b| {
        b.iter_batched_ref(
            || base.clone(),
            |s| s.poll(black_box(1800)).fetches.len(),
            BatchSize::LargeInput,
        )
    });
}

criterion_group!(benches, bench_changed, bench_poll);
criterion_main!(benches);
