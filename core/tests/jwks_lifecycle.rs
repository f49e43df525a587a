//! The refresh scheduler and OpenID discovery, driven by a simulated clock (no sleeping).
//! Expected schedules are written out as literal minute lists from issue #4 / Istio's constants.
mod common;

use meshauth_core::discovery::{self, check_url, config_url, jwks_uri, DiscoveryOptions};
use meshauth_core::refresh::{Config, EntryId, Fetch, FetchKind, Outcome, Scheduler};
use meshauth_core::Status;

const MIN: i64 = 60;
const DAY: i64 = 86_400;
const ISS: &str = "https://issuer.example";
const URI: &str = "https://issuer.example/keys";

fn jwks(kid: &str) -> String {
    format!(
        r#"{{"keys":[{{"kty":"oct","kid":"{kid}","k":"c2VjcmV0LWtleS1mb3ItdGVzdHMtMDEyMzQ1Njc4OQ"}}]}}"#
    )
}

fn kids(s: &Scheduler, id: EntryId) -> Vec<String> {
    s.keys(id)
        .map(|k| {
            k.keys()
                .iter()
                .map(|j| j.kid().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// What the simulated server answers to a fetch.
enum Reply {
    Body(String),
    Fail,
}

/// Drives the scheduler from `now` to `end` by sleeping until each `next_wake` and answering
/// every fetch at once; returns (time, entry, kind) of each fetch.
fn run(
    s: &mut Scheduler,
    mut now: i64,
    end: i64,
    mut reply: impl FnMut(&Fetch, i64, usize) -> Reply,
) -> Vec<(i64, EntryId, FetchKind)> {
    let mut log = Vec::new();
    loop {
        let p = s.poll(now);
        for f in &p.fetches {
            log.push((now, f.entry, f.kind));
            match reply(f, now, log.len() - 1) {
                Reply::Body(b) => {
                    s.on_fetched(f.entry, b.as_bytes(), None, now).unwrap();
                }
                Reply::Fail => s.on_failed(f.entry, now).unwrap(),
            }
        }
        if !p.fetches.is_empty() {
            continue; // discovery results make a JWKS fetch due now
        }
        match p.next_wake {
            Some(t) if t <= end => now = t.max(now),
            _ => return log,
        }
    }
}

fn gaps_minutes(times: &[i64]) -> Vec<i64> {
    times.windows(2).map(|w| (w[1] - w[0]) / MIN).collect()
}

#[test]
fn schedule_under_success() {
    let mut s = Scheduler::new(Config::default());
    let id = s.register(ISS, Some(URI), 0).unwrap();
    let log = run(&mut s, 0, 3 * 3600, |_, _, _| Reply::Body(jwks("a")));
    let times: Vec<i64> = log.iter().map(|l| l.0).collect();
    assert_eq!(
        times,
        [0, 1200, 2400, 3600, 4800, 6000, 7200, 8400, 9600, 10800]
    );
    assert_eq!(kids(&s, id), ["a"]);
}

/// First fetch succeeds, the next `n` fail, then all succeed.
fn failure_gaps(n: usize, reject_instead: bool) -> Vec<i64> {
    let mut s = Scheduler::new(Config::default());
    let id = s.register(ISS, Some(URI), 0).unwrap();
    let log = run(&mut s, 0, 40 * 3600, |_, _, i| {
        if i >= 1 && i <= n {
            if reject_instead {
                Reply::Body("<html>oops</html>".into())
            } else {
                Reply::Fail
            }
        } else {
            Reply::Body(jwks("a"))
        }
    });
    assert_eq!(kids(&s, id), ["a"], "keys kept through the failures");
    let times: Vec<i64> = log.iter().map(|l| l.0).take(n + 3).collect();
    gaps_minutes(&times)
}

#[test]
fn schedule_under_failures_and_recovery() {
    assert_eq!(failure_gaps(1, false), [20, 1, 20]);
    assert_eq!(failure_gaps(2, false), [20, 1, 2, 20]);
    assert_eq!(failure_gaps(5, false), [20, 1, 2, 4, 8, 16, 20]);
    // 20 failures: 1, 2, 4, 8, 16, 32, then 14 times the 60-min cap.
    let mut twenty = vec![20, 1, 2, 4, 8, 16, 32];
    twenty.extend([60; 14]);
    twenty.push(20);
    assert_eq!(failure_gaps(20, false), twenty);
    // A body that fails validation is a failure like a network error.
    assert_eq!(failure_gaps(5, true), [20, 1, 2, 4, 8, 16, 20]);
}

#[test]
fn backoff_is_per_entry() {
    let mut s = Scheduler::new(Config::default());
    let good = s.register(ISS, Some(URI), 0).unwrap();
    let bad = s
        .register(
            "https://other.example",
            Some("https://other.example/keys"),
            0,
        )
        .unwrap();
    let log = run(&mut s, 0, 4 * 3600, |f, _, _| {
        if f.entry == bad {
            Reply::Fail
        } else {
            Reply::Body(jwks("a"))
        }
    });
    let t = |id| {
        log.iter()
            .filter(|l| l.1 == id)
            .map(|l| l.0)
            .collect::<Vec<_>>()
    };
    assert_eq!(gaps_minutes(&t(good)), [20; 12]);
    assert_eq!(gaps_minutes(&t(bad)), [1, 2, 4, 8, 16, 32, 60, 60]);
    assert_eq!(s.info(bad).unwrap().consecutive_failures, 9);
    assert_eq!(s.keys(bad).err(), Some(Status::JwksFetchFail));
}

#[test]
fn eviction_exactly_seven_days_unused() {
    let mut s = Scheduler::new(Config::default());
    let id = s.register(ISS, Some(URI), 0).unwrap();
    let other = s
        .register(ISS, Some("https://issuer.example/k2"), 0)
        .unwrap();
    run(&mut s, 0, 3 * DAY, |_, _, _| Reply::Body(jwks("a")));
    s.touch(other, 3 * DAY).unwrap();
    run(&mut s, 3 * DAY, 7 * DAY - 1, |_, _, _| {
        Reply::Body(jwks("a"))
    });
    let p = s.poll(7 * DAY - 1);
    assert!(p.evicted.is_empty());
    assert_eq!(kids(&s, id), ["a"], "still there one second before");
    let p = s.poll(7 * DAY);
    assert_eq!(p.evicted, [id]);
    assert!(s.info(id).is_none());
    assert_eq!(s.keys(id).err(), Some(Status::InvalidArgument));
    assert_eq!(s.touch(id, 7 * DAY), Err(Status::InvalidArgument));
    // The touched entry lives until exactly 7 days after its last use.
    run(&mut s, 7 * DAY, 10 * DAY - 1, |_, _, _| {
        Reply::Body(jwks("a"))
    });
    assert_eq!(kids(&s, other), ["a"]);
    assert_eq!(s.poll(10 * DAY).evicted, [other]);
    assert!(s.is_empty());
    // Registering again gives a fresh entry with a new handle.
    let again = s.register(ISS, Some(URI), 10 * DAY).unwrap();
    assert_ne!(again, id);
    assert_eq!(s.keys(again).err(), Some(Status::JwksFetchFail));
}

#[test]
fn eviction_exactly_seven_days_without_successful_refresh() {
    let mut s = Scheduler::new(Config::default());
    let id = s.register(ISS, Some(URI), 0).unwrap();
    // Succeed once at t=0, then fail forever while the keys keep being used every hour.
    let mut now = 0;
    let mut first = true;
    let mut evicted_at = None;
    while now <= 8 * DAY && evicted_at.is_none() {
        let p = s.poll(now);
        if !p.evicted.is_empty() {
            evicted_at = Some(now);
            break;
        }
        for f in p.fetches {
            if first {
                s.on_fetched(f.entry, jwks("a").as_bytes(), None, now)
                    .unwrap();
                first = false;
            } else {
                s.on_failed(f.entry, now).unwrap();
            }
        }
        assert_eq!(
            kids(&s, id),
            ["a"],
            "stale-if-error until eviction (t={now})"
        );
        if now % 3600 == 0 {
            s.touch(id, now).unwrap();
        }
        now = p.next_wake.unwrap().min((now / 3600 + 1) * 3600);
    }
    assert_eq!(evicted_at, Some(7 * DAY));
}

#[test]
fn stale_if_error_and_size_limit() {
    let mut cfg = Config::default();
    cfg.jwks.max_bytes = 4096;
    let mut s = Scheduler::new(cfg);
    let id = s.register(ISS, Some(URI), 0).unwrap();
    let f = s.poll(0).fetches;
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].max_bytes, 4096);
    assert!(matches!(
        s.on_fetched(id, jwks("a").as_bytes(), None, 0).unwrap(),
        Outcome::Changed(k) if k.len() == 1
    ));
    let too_big = format!(r#"{{"keys":[],"pad":"{}"}}"#, "x".repeat(5000));
    let bad: [(&str, Status); 7] = [
        ("null", Status::JwksParseError),
        ("<html>not a jwks</html>", Status::JwksParseError),
        ("", Status::JwksParseError),
        (r#"{"keys":{}}"#, Status::JwksBadKeys),
        (
            r#"{"proxyListenPort":15001,"defaultConfig":{}}"#,
            Status::JwksNoKeys,
        ),
        (r#"{"keys":[]}"#, Status::JwksNoValidKeys),
        (&too_big, Status::JwksTooLarge),
    ];
    let mut now;
    for (body, status) in bad {
        now = s.info(id).unwrap().next_fetch;
        assert_eq!(s.poll(now).fetches.len(), 1);
        match s.on_fetched(id, body.as_bytes(), None, now).unwrap() {
            Outcome::Rejected(st) => assert_eq!(st, status, "{body:.40}"),
            o => panic!("{body:.40}: {o:?}"),
        }
        assert_eq!(kids(&s, id), ["a"]);
    }
    assert_eq!(s.info(id).unwrap().consecutive_failures, 7);
    // A reordered / respelled copy of the current keys is Unchanged; a new set is Changed.
    now = s.info(id).unwrap().next_fetch;
    s.poll(now);
    let respelled = r#"{ "keys" : [ { "k":"c2VjcmV0LWtleS1mb3ItdGVzdHMtMDEyMzQ1Njc4OQ", "kid":"\u0061", "kty":"oct" } ] }"#;
    assert!(matches!(
        s.on_fetched(id, respelled.as_bytes(), None, now).unwrap(),
        Outcome::Unchanged
    ));
    assert_eq!(s.info(id).unwrap().consecutive_failures, 0);
    now += 20 * MIN;
    s.poll(now);
    assert!(matches!(
        s.on_fetched(id, jwks("b").as_bytes(), None, now).unwrap(),
        Outcome::Changed(_)
    ));
    assert_eq!(kids(&s, id), ["b"]);
}

#[test]
fn single_flight_and_fetch_timeout() {
    let mut s = Scheduler::new(Config::default());
    let id = s.register(ISS, Some(URI), 0).unwrap();
    assert_eq!(s.poll(0).fetches.len(), 1);
    // Nothing more while the fetch is in flight: not at later polls, not for unknown kids,
    // not by registering the same pair again.
    for t in [0, 1, 10, 59] {
        assert!(s.poll(t).fetches.is_empty(), "t={t}");
        assert_eq!(s.on_unknown_kid(id, t), Ok(false));
        assert_eq!(s.register(ISS, Some(URI), t), Ok(id));
    }
    assert_eq!(s.info(id).unwrap().in_flight, Some(FetchKind::Jwks));
    // Reporting twice is refused.
    s.on_fetched(id, jwks("a").as_bytes(), None, 5).ok();
    assert_eq!(s.on_failed(id, 5), Err(Status::InvalidArgument));
    // A fetch not reported within 60 s times out as a failure at its deadline.
    let t0 = s.info(id).unwrap().next_fetch;
    assert_eq!(t0, 5 + 20 * MIN);
    assert_eq!(s.poll(t0).fetches.len(), 1);
    let p = s.poll(t0 + 60);
    assert!(p.fetches.is_empty());
    let info = s.info(id).unwrap();
    assert_eq!(
        (info.in_flight, info.consecutive_failures, info.next_fetch),
        (None, 1, t0 + 60 + MIN)
    );
    // The late answer is refused and does not replace the keys.
    assert_eq!(
        s.on_fetched(id, jwks("late").as_bytes(), None, t0 + 61)
            .err(),
        Some(Status::InvalidArgument)
    );
    assert_eq!(kids(&s, id), ["a"]);
    // A timeout noticed only by the late report is accounted at the deadline as well.
    assert_eq!(s.poll(t0 + 120).fetches.len(), 1);
    assert_eq!(s.on_failed(id, t0 + 500), Err(Status::InvalidArgument));
    let info = s.info(id).unwrap();
    assert_eq!(
        (info.consecutive_failures, info.next_fetch),
        (2, t0 + 180 + 2 * MIN)
    );
}

#[test]
fn unknown_kid_cooldown_under_ten_thousand_random_kids() {
    let mut s = Scheduler::new(Config::default());
    let id = s.register(ISS, Some(URI), 0).unwrap();
    let mut fetch_times = Vec::new();
    let serve = |s: &mut Scheduler, now: i64, fetch_times: &mut Vec<i64>| {
        let p = s.poll(now);
        for f in p.fetches {
            fetch_times.push(now);
            s.on_fetched(f.entry, jwks("a").as_bytes(), None, now)
                .unwrap();
        }
        p.next_wake
    };
    let mut rng: u64 = 0x1234_5678_9abc_def1;
    let mut now = 0;
    let mut wake = serve(&mut s, 0, &mut fetch_times);
    let mut allowed = 0;
    for _ in 0..10_000 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        now += (rng % 20) as i64; // bursts of unknown kids, 0-19 s apart
        while let Some(w) = wake.filter(|&w| w <= now) {
            wake = serve(&mut s, w, &mut fetch_times);
        }
        if s.on_unknown_kid(id, now).unwrap() {
            allowed += 1;
            wake = serve(&mut s, now, &mut fetch_times);
        }
    }
    assert!(allowed > 100, "refetches happen: {allowed}");
    let min_gap = fetch_times.windows(2).map(|w| w[1] - w[0]).min().unwrap();
    assert!(min_gap >= 30, "two fetches {min_gap} s apart");
    assert!(fetch_times.len() as i64 <= now / 30 + 1);
    // The boundary: allowed again exactly 30 s after the start of the last fetch.
    let last = *fetch_times.last().unwrap();
    let t = last.max(now) + 1;
    let start = s.info(id).unwrap();
    assert_eq!(start.in_flight, None);
    let mut s2 = Scheduler::new(Config::default());
    let id2 = s2.register(ISS, Some(URI), t).unwrap();
    s2.poll(t);
    s2.on_fetched(id2, jwks("a").as_bytes(), None, t).unwrap();
    assert_eq!(s2.on_unknown_kid(id2, t + 29), Ok(false));
    assert_eq!(s2.on_unknown_kid(id2, t + 30), Ok(true));
    assert_eq!(s2.poll(t + 30).fetches.len(), 1);
}

#[test]
fn discovery_entry_keeps_keys_when_either_step_fails() {
    let mut s = Scheduler::new(Config::default());
    let id = s.register(ISS, None, 0).unwrap();
    let doc = format!(r#"{{"issuer":"{ISS}","jwks_uri":"https://keys.example/jwks"}}"#);
    let p = s.poll(0);
    assert_eq!(p.fetches.len(), 1);
    assert_eq!(p.fetches[0].kind, FetchKind::Discovery);
    assert_eq!(
        p.fetches[0].url,
        "https://issuer.example/.well-known/openid-configuration"
    );
    match s.on_fetched(id, doc.as_bytes(), None, 0).unwrap() {
        Outcome::Resolved(u) => assert_eq!(u, "https://keys.example/jwks"),
        o => panic!("{o:?}"),
    }
    let p = s.poll(0);
    assert_eq!(p.fetches.len(), 1);
    assert_eq!(
        (p.fetches[0].kind, p.fetches[0].url.as_str()),
        (FetchKind::Jwks, "https://keys.example/jwks")
    );
    s.on_fetched(id, jwks("a").as_bytes(), None, 0).unwrap();
    assert_eq!(kids(&s, id), ["a"]);
    // Cycle 2 (20 min): discovery succeeds, the JWKS fetch fails: keys and URL kept.
    let t = 20 * MIN;
    assert_eq!(s.poll(t).fetches[0].kind, FetchKind::Discovery);
    s.on_fetched(id, doc.as_bytes(), None, t).unwrap();
    assert_eq!(s.poll(t).fetches[0].kind, FetchKind::Jwks);
    s.on_failed(id, t).unwrap();
    assert_eq!(kids(&s, id), ["a"]);
    let info = s.info(id).unwrap();
    assert_eq!(
        info.discovered_uri.as_deref(),
        Some("https://keys.example/jwks")
    );
    assert_eq!((info.consecutive_failures, info.next_fetch), (1, t + MIN));
    // Cycle 3: discovery fails (network), then cycle 4: the document names another issuer.
    let t = t + MIN;
    assert_eq!(s.poll(t).fetches[0].kind, FetchKind::Discovery);
    s.on_failed(id, t).unwrap();
    let t = t + 2 * MIN;
    assert_eq!(s.poll(t).fetches[0].kind, FetchKind::Discovery);
    let evil = r#"{"issuer":"https://evil.example","jwks_uri":"https://evil.example/jwks"}"#;
    match s.on_fetched(id, evil.as_bytes(), None, t).unwrap() {
        Outcome::Rejected(st) => assert_eq!(st, Status::DiscoveryIssuerMismatch),
        o => panic!("{o:?}"),
    }
    assert_eq!(kids(&s, id), ["a"]);
    assert_eq!(
        s.info(id).unwrap().discovered_uri.as_deref(),
        Some("https://keys.example/jwks")
    );
    // Recovery: one good cycle resets the backoff.
    let t = t + 4 * MIN;
    assert_eq!(s.poll(t).fetches[0].kind, FetchKind::Discovery);
    s.on_fetched(id, doc.as_bytes(), None, t).unwrap();
    s.poll(t);
    assert!(matches!(
        s.on_fetched(id, jwks("b").as_bytes(), None, t).unwrap(),
        Outcome::Changed(_)
    ));
    assert_eq!(kids(&s, id), ["b"]);
    assert_eq!(s.info(id).unwrap().next_fetch, t + 20 * MIN);
}

#[test]
fn cache_control_and_jitter() {
    let mut s = Scheduler::new(Config {
        honor_cache_control: true,
        ..Config::default()
    });
    let id = s.register(ISS, Some(URI), 0).unwrap();
    let mut now = 0;
    for (header, want) in [
        (Some("public, max-age=300"), 300),
        (Some("max-age=5"), 60),
        (Some("max-age=999999999"), DAY),
        (Some("no-store"), 60),
        (None, 20 * MIN),
        (Some("private"), 20 * MIN),
    ] {
        assert_eq!(s.poll(now).fetches.len(), 1);
        s.on_fetched(id, jwks("a").as_bytes(), header, now).unwrap();
        assert_eq!(s.info(id).unwrap().next_fetch - now, want, "{header:?}");
        now += want;
    }
    // Disabled (the default): the header is ignored.
    let mut s = Scheduler::new(Config::default());
    let id = s.register(ISS, Some(URI), 0).unwrap();
    s.poll(0);
    s.on_fetched(id, jwks("a").as_bytes(), Some("max-age=300"), 0)
        .unwrap();
    assert_eq!(s.info(id).unwrap().next_fetch, 20 * MIN);
    // Jitter shortens delays by at most jitter_max, and differs between seeds.
    let mut delays = Vec::new();
    for seed in 0..20 {
        let mut s = Scheduler::new(Config {
            jitter_max: 120,
            ..Config::default()
        });
        s.set_random_seed(seed);
        let id = s.register(ISS, Some(URI), 0).unwrap();
        s.poll(0);
        s.on_fetched(id, jwks("a").as_bytes(), None, 0).unwrap();
        delays.push(s.info(id).unwrap().next_fetch);
    }
    assert!(
        delays
            .iter()
            .all(|&d| (20 * MIN - 120..=20 * MIN).contains(&d)),
        "{delays:?}"
    );
    delays.sort();
    delays.dedup();
    assert!(delays.len() > 5, "{delays:?}");
}

#[test]
fn ten_thousand_entries_poll_only_due_ones() {
    let mut s = Scheduler::new(Config::default());
    let body = jwks("a");
    for i in 0..10_000i64 {
        let id = s
            .register(ISS, Some(&format!("https://issuer.example/k{i}")), i % 600)
            .unwrap();
        let _ = id;
    }
    let mut now = 0;
    let mut total = 0;
    while now < 600 {
        let p = s.poll(now);
        total += p.fetches.len();
        for f in &p.fetches {
            s.on_fetched(f.entry, body.as_bytes(), None, now).unwrap();
        }
        now = p.next_wake.unwrap();
    }
    assert_eq!(total, 10_000);
    // Nothing due: nothing returned, and the next wake-up is the earliest refresh.
    let p = s.poll(1000);
    assert!(p.fetches.is_empty() && p.evicted.is_empty());
    assert_eq!(p.next_wake, Some(1200));
    assert_eq!(s.poll(1200).fetches.len(), 17); // registered at 0, 600, ... (i % 600 == 0)
}

#[test]
fn register_rules() {
    let mut s = Scheduler::new(Config::default());
    assert_eq!(s.register("", None, 0), Err(Status::InvalidArgument));
    assert_eq!(
        s.register(ISS, Some("http://in-cluster/keys"), 0),
        Err(Status::DiscoveryBadJwksUri)
    );
    let mut cfg = Config::default();
    cfg.discovery.allow_http = true;
    let mut s2 = Scheduler::new(cfg);
    assert!(s2.register(ISS, Some("http://in-cluster/keys"), 0).is_ok());
    // Istio keys by (issuer, uri): the same URL under two issuers is two entries.
    let a = s.register("", Some(URI), 0).unwrap();
    let b = s.register(ISS, Some(URI), 0).unwrap();
    assert_ne!(a, b);
    assert_eq!(s.len(), 2);
    assert!(s.remove(a));
    assert!(!s.remove(a));
    assert_eq!(EntryId::from_u64(b.to_u64()), b);
}

#[test]
fn discovery_urls_and_documents() {
    // Istio's TestResolveJwksURIUsingOpenID inputs: ms.URL and ms.URL + "/".
    assert_eq!(
        config_url("http://127.0.0.1:1234"),
        "http://127.0.0.1:1234/.well-known/openid-configuration"
    );
    assert_eq!(
        config_url("http://127.0.0.1:1234/"),
        "http://127.0.0.1:1234/.well-known/openid-configuration"
    );
    assert_eq!(
        config_url("https://a.example/t//"),
        "https://a.example/t//.well-known/openid-configuration"
    );
    let ok =
        r#"{"issuer":"https://a.example","jwks_uri":"https://a.example/.well-known/jwks.json"}"#;
    assert_eq!(
        jwks_uri(ok.as_bytes(), "https://a.example").unwrap(),
        "https://a.example/.well-known/jwks.json"
    );
    for (doc, iss, err) in [
        (ok, "https://a.example/", Status::DiscoveryIssuerMismatch),
        (ok, "https://A.example", Status::DiscoveryIssuerMismatch),
        (
            r#"{"jwks_uri":"https://a.example/k"}"#,
            "https://a.example",
            Status::DiscoveryBadDocument,
        ),
        ("not json", "x", Status::DiscoveryBadDocument),
        ("null", "x", Status::DiscoveryBadDocument),
        (
            r#"{"issuer":"x","issuer":"x"}"#,
            "x",
            Status::DiscoveryBadDocument,
        ),
        (r#"{"issuer":"x"}"#, "x", Status::DiscoveryBadJwksUri),
        (
            r#"{"issuer":"x","jwks_uri":7}"#,
            "x",
            Status::DiscoveryBadJwksUri,
        ),
        (
            r#"{"issuer":"x","jwks_uri":"/relative"}"#,
            "x",
            Status::DiscoveryBadJwksUri,
        ),
        (
            r#"{"issuer":"x","jwks_uri":"http://a.example/k"}"#,
            "x",
            Status::DiscoveryBadJwksUri,
        ),
    ] {
        assert_eq!(jwks_uri(doc.as_bytes(), iss), Err(err), "{doc}");
    }
    let http = r#"{"issuer":"x","jwks_uri":"http://keys.ns.svc.cluster.local:8080/jwks"}"#;
    let opts = DiscoveryOptions {
        allow_http: true,
        ..DiscoveryOptions::default()
    };
    assert!(discovery::jwks_uri_with(http.as_bytes(), "x", &opts).is_ok());
    for good in [
        "https://a.example",
        "HTTPS://a.example:8443/k?x=1",
        "https://[::1]:443/k",
    ] {
        assert_eq!(check_url(good, false), Ok(()), "{good}");
    }
    for bad in [
        "https://",
        "https:///k",
        "https://user@a.example/k",
        "https://a.example/k#frag",
        "https://a.example/a b",
        "ftp://a.example/k",
        "https://a.example:/k",
        "https://a.example:x/k",
        "https://[::1/k",
        "a.example/k",
    ] {
        assert_eq!(
            check_url(bad, true),
            Err(Status::DiscoveryBadJwksUri),
            "{bad}"
        );
    }
}

#[test]
fn register_checks_the_first_url_of_discovery_entries_too() {
    // A discovery-only entry first fetches `<issuer>/.well-known/openid-configuration`: plain http
    // is refused unless allowed, exactly as for a configured jwks_uri.
    let mut s = Scheduler::new(Config::default());
    assert_eq!(
        s.register("http://issuer.example", None, 0),
        Err(Status::DiscoveryBadJwksUri)
    );
    assert_eq!(
        s.register(ISS, Some("http://issuer.example/jwks"), 0),
        Err(Status::DiscoveryBadJwksUri)
    );
    assert!(s.register("https://issuer.example", None, 0).is_ok());
    let mut cfg = Config::default();
    cfg.discovery.allow_http = true;
    assert!(Scheduler::new(cfg)
        .register("http://issuer.example", None, 0)
        .is_ok());
}
