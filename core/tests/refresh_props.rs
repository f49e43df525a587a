//! Property test of the refresh scheduler: random sequences of host events against a small
//! model. Invariants: never two fetches in flight for an entry; delays never exceed their cap;
//! the last good keys are never lost before eviction (which happens exactly when the model says);
//! a body that fails validation never becomes the current keys.
use meshauth_core::refresh::{Config, EntryId, FetchKind, Outcome, Scheduler};
use meshauth_core::Status;
use proptest::prelude::*;

const UNUSED: i64 = 20_000;
const UNREFRESHED: i64 = 30_000;
const TIMEOUT: i64 = 60;
const CAP: i64 = 3600; // max(refresh 20 min, retry cap 60 min)

const SLOTS: [(&str, Option<&str>); 3] = [
    ("https://a.example", Some("https://a.example/keys")),
    ("https://b.example", Some("https://b.example/keys")),
    ("https://c.example", None),
];

#[derive(Clone, Debug)]
enum Ev {
    Advance(u16),
    Poll,
    Reply(usize, u8),
    UnknownKid(usize),
    Touch(usize),
    Register(usize),
}

fn event() -> impl Strategy<Value = Ev> {
    prop_oneof![
        3 => (0u16..2500).prop_map(Ev::Advance),
        4 => Just(Ev::Poll),
        5 => (0usize..3, 0u8..6).prop_map(|(s, r)| Ev::Reply(s, r)),
        1 => (0usize..3).prop_map(Ev::UnknownKid),
        1 => (0usize..3).prop_map(Ev::Touch),
        1 => (0usize..3).prop_map(Ev::Register),
    ]
}

#[derive(Default)]
struct Model {
    id: Option<EntryId>,
    /// (start, kind) of the fetch the host is performing.
    outstanding: Option<(i64, FetchKind)>,
    good: Option<&'static str>,
    last_used: i64,
    refreshed: i64,
}

impl Model {
    fn evict_at(&self) -> i64 {
        (self.last_used + UNUSED).min(self.refreshed + UNREFRESHED)
    }
    fn live_outstanding(&self, now: i64) -> Option<FetchKind> {
        self.outstanding
            .filter(|&(t0, _)| now < t0 + TIMEOUT)
            .map(|o| o.1)
    }
}

fn jwks(kid: &str) -> String {
    format!(
        r#"{{"keys":[{{"kty":"oct","kid":"{kid}","k":"c2VjcmV0LWtleS1mb3ItdGVzdHMtMDEyMzQ1Njc4OQ"}}]}}"#
    )
}

fn kids(s: &Scheduler, id: EntryId) -> Option<String> {
    s.keys(id)
        .ok()
        .map(|k| k.keys()[0].kid().unwrap_or("").to_string())
}

fn check(events: Vec<Ev>) -> Result<(), TestCaseError> {
    let cfg = Config {
        evict_unused_after: UNUSED as u64,
        evict_unrefreshed_after: UNREFRESHED as u64,
        fetch_timeout: TIMEOUT as u64,
        ..Config::default()
    };
    let mut s = Scheduler::new(cfg);
    let mut m: [Model; 3] = Default::default();
    let mut now: i64 = 0;
    for (i, (iss, uri)) in SLOTS.iter().enumerate() {
        m[i].id = Some(s.register(iss, *uri, 0).unwrap());
    }
    for ev in events {
        // Invariants before each event.
        for (i, mi) in m.iter_mut().enumerate() {
            let Some(id) = mi.id else { continue };
            if now >= mi.evict_at() {
                prop_assert_eq!(
                    s.touch(id, now),
                    Err(Status::InvalidArgument),
                    "slot {} expired",
                    i
                );
                prop_assert!(s.info(id).is_none());
                *mi = Model::default();
                continue;
            }
            let info = s.info(id);
            prop_assert!(info.is_some(), "slot {} evicted early at {}", i, now);
            let info = info.unwrap();
            prop_assert_eq!(info.evict_at, mi.evict_at());
            let current = kids(&s, id);
            prop_assert_eq!(current.as_deref(), mi.good, "last good keys of slot {}", i);
            prop_assert!(info.next_fetch <= now + CAP, "delay beyond cap");
            let cap = if info.consecutive_failures > 0 {
                3600
            } else {
                1200
            };
            prop_assert!(
                info.last_delay <= cap,
                "delay {} beyond {}",
                info.last_delay,
                cap
            );
        }
        match ev {
            Ev::Advance(d) => now += i64::from(d),
            Ev::Poll => {
                let p = s.poll(now);
                prop_assert!(p.evicted.is_empty(), "model evicts first");
                prop_assert!(p.next_wake.is_none_or(|w| w > now));
                let mut seen = Vec::new();
                for f in p.fetches {
                    prop_assert!(
                        !seen.contains(&f.entry),
                        "two fetches for one entry in a poll"
                    );
                    seen.push(f.entry);
                    let i = m.iter().position(|mi| mi.id == Some(f.entry)).unwrap();
                    prop_assert!(
                        m[i].live_outstanding(now).is_none(),
                        "second fetch in flight for slot {}",
                        i
                    );
                    if SLOTS[i].1.is_some() {
                        prop_assert_eq!(f.kind, FetchKind::Jwks);
                    }
                    m[i].outstanding = Some((now, f.kind));
                }
            }
            Ev::Reply(i, r) => {
                let Some(id) = m[i].id else { continue };
                let live = m[i].live_outstanding(now);
                m[i].outstanding = None;
                let disc_ok = format!(
                    r#"{{"issuer":"{}","jwks_uri":"https://c.example/jwks"}}"#,
                    SLOTS[i].0
                );
                let body: String = match (live, r) {
                    (_, 4) => {
                        let res = s.on_failed(id, now);
                        prop_assert_eq!(res.is_ok(), live.is_some());
                        continue;
                    }
                    (Some(FetchKind::Discovery), 5) => {
                        r#"{"issuer":"https://evil.example","jwks_uri":"https://e/k"}"#.into()
                    }
                    (Some(FetchKind::Discovery), _) => disc_ok,
                    (_, 0) => jwks("A"),
                    (_, 1) => jwks("B"),
                    (_, 2) => "null".into(),
                    (_, 3) => r#"{"keys":[{"kty":"oct","kid":"C"}]}"#.into(),
                    _ => disc_ok,
                };
                let res = s.on_fetched(id, body.as_bytes(), None, now);
                match live {
                    None => prop_assert_eq!(res.err(), Some(Status::InvalidArgument)),
                    Some(FetchKind::Discovery) => match (r, res.unwrap()) {
                        (5, Outcome::Rejected(st)) => {
                            prop_assert_eq!(st, Status::DiscoveryIssuerMismatch)
                        }
                        (5, o) => prop_assert!(false, "{:?}", o),
                        (_, Outcome::Resolved(u)) => prop_assert_eq!(u, "https://c.example/jwks"),
                        (_, o) => prop_assert!(false, "{:?}", o),
                    },
                    Some(FetchKind::Jwks) => {
                        let o = res.unwrap();
                        let kid = match r {
                            0 => Some("A"),
                            1 => Some("B"),
                            _ => None,
                        };
                        match (kid, o) {
                            (Some(k), Outcome::Changed(_)) => {
                                prop_assert_ne!(m[i].good, Some(k));
                                m[i].good = Some(k);
                                m[i].refreshed = now;
                            }
                            (Some(k), Outcome::Unchanged) => {
                                prop_assert_eq!(m[i].good, Some(k));
                                m[i].refreshed = now;
                            }
                            (None, Outcome::Rejected(_)) => {}
                            (k, o) => prop_assert!(false, "{:?} -> {:?}", k, o),
                        }
                    }
                }
            }
            Ev::UnknownKid(i) => {
                let Some(id) = m[i].id else { continue };
                let allowed = s.on_unknown_kid(id, now).unwrap();
                m[i].last_used = now;
                if m[i].live_outstanding(now).is_some() {
                    prop_assert!(!allowed, "refetch allowed while a fetch is in flight");
                }
            }
            Ev::Touch(i) => {
                let Some(id) = m[i].id else { continue };
                prop_assert_eq!(s.touch(id, now), Ok(()));
                m[i].last_used = now;
            }
            Ev::Register(i) => {
                let id = s.register(SLOTS[i].0, SLOTS[i].1, now).unwrap();
                match m[i].id {
                    Some(old) => prop_assert_eq!(old, id),
                    None => {
                        m[i] = Model {
                            id: Some(id),
                            refreshed: now,
                            ..Model::default()
                        }
                    }
                }
                m[i].last_used = now;
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn scheduler_invariants(events in prop::collection::vec(event(), 1..300)) {
        check(events)?;
    }
}
