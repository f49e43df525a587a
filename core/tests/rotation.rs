//! `rotation` against Istio's `TestRotateTimeNoJitter` / `TestRotateTimeWithJitter`
//! (research/istio.md §3.3), worked examples, and properties.

mod common;

use meshauth_core::cert;
use meshauth_core::rotation::{self, Draw, Policy, Reason};
use meshauth_core::Status;
use proptest::prelude::*;

const S: i64 = 1_000_000_000;
const MIN: i64 = 60 * S;
const HOUR: i64 = 60 * MIN;
/// A fixed "now" (2023-11-14T22:13:20Z in ns): the tests never read a clock.
const NOW: i64 = 1_700_000_000 * S;

fn pol(ratio: f64, jitter: f64) -> Policy {
    Policy { ratio, jitter }
}

/// The largest f64 below 1.
fn just_below_1() -> f64 {
    f64::from_bits(1.0f64.to_bits() - 1)
}

#[test]
fn istio_rotate_time_no_jitter() {
    // (name, created, expire, ratio, expected delay) — TestRotateTimeNoJitter, all 8 rows.
    let rows: [(&str, i64, i64, f64, i64); 8] = [
        ("already expired", NOW - 2 * S, NOW - S, 0.5, 0),
        ("grace period .50", NOW, NOW + HOUR, 0.5, 30 * MIN),
        ("grace period .25", NOW, NOW + HOUR, 0.25, 45 * MIN),
        ("grace period .75", NOW, NOW + HOUR, 0.75, 15 * MIN),
        ("grace period 1", NOW, NOW + HOUR, 1.0, 0),
        ("grace period 0", NOW, NOW + HOUR, 0.0, HOUR),
        (
            "grace period .25 shifted",
            NOW + 30 * MIN,
            NOW + 90 * MIN,
            0.25,
            75 * MIN,
        ),
        (
            "jitter cannot make grace ratio exceed 1",
            NOW,
            NOW + HOUR,
            1.0,
            0,
        ),
    ];
    for (name, created, expire, ratio, want) in rows {
        let got = rotation::delay(created, expire, NOW, pol(ratio, 0.0), Draw::NONE).unwrap();
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn istio_rotate_time_with_jitter_bounds() {
    // TestRotateTimeWithJitter: (name, ratio, jitter, min delay, max delay), created = now,
    // expire = now + 1h. Istio samples 1000 draws; here the extremes and the middle of u, both signs.
    let rows = [
        ("jitter ratio between .5 and 1", 1.0, 0.5, 0, 30 * MIN),
        ("jitter ratio between 0 and 1", 0.5, 0.5, 0, HOUR),
        ("jitter ratio between 0 and .5", 0.0, 0.5, 30 * MIN, HOUR),
    ];
    for (name, ratio, jitter, lo, hi) in rows {
        for u in [0.0, 0.5, just_below_1()] {
            for sign in [1i8, -1] {
                let d = rotation::delay(NOW, NOW + HOUR, NOW, pol(ratio, jitter), Draw { sign, u })
                    .unwrap();
                assert!(lo <= d && d <= hi, "{name} u={u} sign={sign}: {d}");
            }
        }
    }
    // Worked values: ratio 1, jitter .5, u .5, sign −1 → r .75 → grace 45 m → delay 15 m;
    // ratio 0, jitter .5, u .5, sign +1 → r .25 → delay 45 m; sign −1 clamps r to 0 → 1 h.
    let d = |ratio, sign| {
        rotation::delay(NOW, NOW + HOUR, NOW, pol(ratio, 0.5), Draw { sign, u: 0.5 }).unwrap()
    };
    assert_eq!(d(1.0, -1), 15 * MIN);
    assert_eq!(d(1.0, 1), 0);
    assert_eq!(d(0.0, 1), 45 * MIN);
    assert_eq!(d(0.0, -1), HOUR);
    assert_eq!(d(0.5, 1), 15 * MIN);
    assert_eq!(d(0.5, -1), 45 * MIN);
}

#[test]
fn default_policy_on_a_24h_certificate() {
    // research/istio.md §3.2: a 24 h certificate rotates 11 h 45 m 36 s to 12 h 14 m 24 s after
    // it was received, exactly 12 h with no jitter. The upper end gets 1 ns of slack: at u → 1
    // and sign −1, r is the f64 nearest 0.49, which is 0.48999999999999999112, so the exact
    // grace truncates to 1 ns less than 49 % of 24 h (Go rounds the product first and lands on it).
    let lo = 11 * HOUR + 45 * MIN + 36 * S;
    let hi = 12 * HOUR + 14 * MIN + 24 * S + 1;
    let p = Policy::default();
    assert_eq!((p.ratio, p.jitter), (0.5, 0.01));
    let at = |d| rotation::rotate_at(NOW, NOW + 24 * HOUR, p, d).unwrap() - NOW;
    assert_eq!(at(Draw::NONE), 12 * HOUR);
    for u in [0.0, 0.25, 0.5, 0.75, just_below_1()] {
        for sign in [1i8, -1] {
            let t = at(Draw { sign, u });
            assert!(lo <= t && t <= hi, "u={u} sign={sign}: {t}");
        }
    }
    // The extremes approach the bounds to within a microsecond.
    assert!(
        at(Draw {
            sign: 1,
            u: just_below_1()
        }) - lo
            < 1_000
    );
    assert!(
        hi - at(Draw {
            sign: -1,
            u: just_below_1()
        }) < 1_000
    );
    assert_eq!(
        at(Draw {
            sign: -1,
            u: just_below_1()
        }),
        hi
    );
    // Istio's field comment: "at 0.10 and 1 hour TTL, we would refresh 6 minutes before expiration".
    let t = rotation::rotate_at(NOW, NOW + HOUR, pol(0.1, 0.0), Draw::NONE).unwrap();
    assert_eq!(NOW + HOUR - t, 6 * MIN);
}

#[test]
fn invalid_inputs() {
    let bad = Err(Status::RotationInvalidInput);
    let r = |c, e, p, d| rotation::rotate_at(c, e, p, d);
    assert_eq!(r(NOW, NOW, Policy::default(), Draw::NONE), bad);
    assert_eq!(r(NOW, NOW - 1, Policy::default(), Draw::NONE), bad);
    for x in [-0.1, 1.1, f64::NAN, f64::INFINITY] {
        assert_eq!(
            r(NOW, NOW + HOUR, pol(x, 0.0), Draw::NONE),
            bad,
            "ratio {x}"
        );
        assert_eq!(
            r(NOW, NOW + HOUR, pol(0.5, x), Draw::NONE),
            bad,
            "jitter {x}"
        );
    }
    for d in [
        Draw { sign: 0, u: 0.0 },
        Draw { sign: 2, u: 0.0 },
        Draw { sign: 1, u: 1.0 },
        Draw { sign: 1, u: -0.1 },
        Draw {
            sign: -1,
            u: f64::NAN,
        },
    ] {
        assert_eq!(r(NOW, NOW + HOUR, Policy::default(), d), bad, "{d:?}");
    }
    // The edges are valid.
    assert!(r(NOW, NOW + 1, pol(0.0, 1.0), Draw::NONE).is_ok());
    assert!(r(NOW, NOW + 1, pol(1.0, 0.0), Draw::NONE).is_ok());
    assert!(r(i64::MIN, i64::MAX, Policy::default(), Draw::NONE).is_ok());
}

#[test]
fn istio_time_before_cert_expires() {
    // TimeBeforeCertExpires rows for a 60 s certificate issued at t0: at t0 → 60 s, t0+5 s → 55 s,
    // t0+120 s → −60 s; no input → "no certificate found"; "invalid cert" → error.
    let data = common::x509("istio_expired-cert.pem");
    let t0 = 1625590849 - 60; // notAfter from expected.json, minus the 60 s lifetime
    assert_eq!(cert::time_before_expiry(&data, t0), Ok(60));
    assert_eq!(cert::time_before_expiry(&data, t0 + 5), Ok(55));
    assert_eq!(cert::time_before_expiry(&data, t0 + 120), Ok(-60));
    assert_eq!(cert::time_before_expiry(b"", t0), Err(Status::CertNotFound));
    assert_eq!(
        cert::time_before_expiry(b"invalid cert", t0),
        Err(Status::CertNotFound)
    );
}

#[test]
fn schedule_explains_the_limiting_certificate() {
    let pem = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/spiffe_chain.pem"
    ))
    .unwrap();
    let chain = cert::parse(&pem).unwrap();
    // Received 2024-01-01T00:00:00Z; the intermediate expires 12 h later, the leaf 24 h later.
    let created = 1704067200 * S;
    let s = rotation::schedule(&chain, created, created, Policy::default(), Draw::NONE).unwrap();
    assert_eq!(s.reason, Reason::ChainCertExpiry { index: 1 });
    assert_eq!(s.expire, 1704110400);
    assert_eq!(s.rotate_at_ns, created + 6 * HOUR);
    assert_eq!(s.delay_ns, 6 * HOUR);
    // The leaf alone: Istio's answer, 12 h.
    let s =
        rotation::schedule(&chain[..1], created, created, Policy::default(), Draw::NONE).unwrap();
    assert_eq!(s.reason, Reason::LeafExpiry);
    assert_eq!(s.rotate_at_ns, created + 12 * HOUR);
    // Received after the intermediate expired: due at once.
    let late = 1704110400 * S + S;
    let s = rotation::schedule(&chain, late, late, Policy::default(), Draw::NONE).unwrap();
    assert_eq!((s.rotate_at_ns, s.delay_ns), (1704110400 * S, 0));
    assert_eq!(
        rotation::schedule(&[], created, created, Policy::default(), Draw::NONE),
        Err(Status::CertNotFound)
    );
    // Now past the rotation time: delay 0, never negative.
    let s = rotation::schedule(
        &chain,
        created,
        created + 7 * HOUR,
        Policy::default(),
        Draw::NONE,
    )
    .unwrap();
    assert_eq!(s.delay_ns, 0);
}

fn unit() -> impl Strategy<Value = f64> {
    prop_oneof![Just(0.0), Just(1.0), 0.0..=1.0f64]
}
fn draw() -> impl Strategy<Value = Draw> {
    (
        prop_oneof![Just(1i8), Just(-1i8)],
        prop_oneof![Just(0.0), 0.0..1.0f64],
    )
        .prop_map(|(sign, u)| Draw { sign, u })
}
fn span() -> impl Strategy<Value = (i64, i64)> {
    (-(1i64 << 62)..(1i64 << 62), 1i64..(1i64 << 62)).prop_map(|(c, l)| (c, c + l))
}

proptest! {
    #[test]
    fn within_created_and_expire((c, e) in span(), ratio in unit(), jitter in unit(), d in draw()) {
        let at = rotation::rotate_at(c, e, pol(ratio, jitter), d).unwrap();
        prop_assert!(c <= at && at <= e);
    }

    #[test]
    fn monotonic_in_created_and_expire((c, e) in span(), dc in 0i64..1 << 40, de in 0i64..1 << 40,
                                       ratio in unit(), jitter in unit(), d in draw()) {
        let p = pol(ratio, jitter);
        let base = rotation::rotate_at(c, e, p, d).unwrap();
        if c + dc < e {
            prop_assert!(rotation::rotate_at(c + dc, e, p, d).unwrap() >= base);
        }
        prop_assert!(rotation::rotate_at(c, e + de, p, d).unwrap() >= base);
    }

    #[test]
    fn monotonic_in_ratio_jitter_and_draw((c, e) in span(), a in unit(), b in unit(),
                                          j in unit(), k in unit(), u in 0.0..1.0f64, v in 0.0..1.0f64,
                                          sign in prop_oneof![Just(1i8), Just(-1i8)]) {
        let (r0, r1) = (a.min(b), a.max(b));
        let (j0, j1) = (j.min(k), j.max(k));
        let (u0, u1) = (u.min(v), u.max(v));
        let at = |r, j, u| rotation::rotate_at(c, e, pol(r, j), Draw { sign, u }).unwrap();
        // A larger ratio leaves more grace: rotation no later.
        prop_assert!(at(r1, j0, u0) <= at(r0, j0, u0));
        // More jitter (or a larger u) moves rotation earlier for sign +1, later for −1.
        if sign == 1 {
            prop_assert!(at(r0, j1, u0) <= at(r0, j0, u0));
            prop_assert!(at(r0, j0, u1) <= at(r0, j0, u0));
        } else {
            prop_assert!(at(r0, j1, u0) >= at(r0, j0, u0));
            prop_assert!(at(r0, j0, u1) >= at(r0, j0, u0));
        }
    }

    #[test]
    fn delay_is_monotonic_in_now_and_never_negative((c, e) in span(), n in any::<i64>(), dn in 0i64..1 << 50,
                                                    d in draw()) {
        let p = Policy::default();
        let d0 = rotation::delay(c, e, n, p, d).unwrap();
        let d1 = rotation::delay(c, e, n.saturating_add(dn), p, d).unwrap();
        prop_assert!(d0 >= 0 && d1 >= 0 && d1 <= d0);
    }
}
