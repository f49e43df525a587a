//! `meshauth watch ISSUER|JWKS_URL`: runs the core refresh scheduler (`refresh::Scheduler`) for
//! real, printing each fetch, refresh, change (with its key diff) and failure with its backoff,
//! until interrupted or until `--for` has passed.

use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use meshauth_core::jwks_compare::{self, KeyName};
use meshauth_core::refresh::{Config, FetchKind, Outcome as RefreshOutcome, Scheduler};
use serde_json::{json, Value};

use crate::fetch::{fetch, FetchOptions};
use crate::util::{parse_duration, print_json, status_json};
use crate::{now_or, NetArgs, Outcome};

/// How the target is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// A JWKS URL when the last path segment contains `jwks` or `keys` or ends in `.json`, else
    /// an issuer.
    Auto,
    /// An issuer: OpenID discovery in every refresh cycle.
    Issuer,
    /// A JWKS URL.
    Jwks,
}

/// Arguments of `meshauth watch`.
#[derive(Args)]
pub struct WatchArgs {
    /// The issuer or the JWKS URL.
    target: String,
    /// Whether TARGET is an issuer or a JWKS URL.
    #[arg(long, value_enum, default_value_t = Kind::Auto)]
    kind: Kind,
    /// Stop after this long (e.g. 10s, 2m); default: run until interrupted.
    #[arg(long = "for", value_name = "DURATION", value_parser = parse_duration)]
    run_for: Option<u64>,
    /// Delay after a successful refresh (Istio: 20m).
    #[arg(long, default_value = "20m", value_parser = parse_duration, value_name = "DURATION")]
    refresh_interval: u64,
    /// Delay after the first failure in a row; doubles with each further failure (Istio: 1m).
    #[arg(long, default_value = "1m", value_parser = parse_duration, value_name = "DURATION")]
    retry_base: u64,
    /// Cap on the failure delay (Istio: 60m).
    #[arg(long, default_value = "60m", value_parser = parse_duration, value_name = "DURATION")]
    retry_max: u64,
    /// Print one JSON document per event (JSON Lines).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    net: NetArgs,
}

fn is_jwks_url(target: &str) -> bool {
    let path = target.split(['?', '#']).next().unwrap_or("");
    let rest = path.split_once("://").map(|(_, r)| r).unwrap_or(path);
    let last = match rest.split_once('/') {
        Some((_, p)) => p.rsplit('/').next().unwrap_or("").to_ascii_lowercase(),
        None => String::new(),
    };
    last.contains("jwks") || last.contains("keys") || last.ends_with(".json")
}

fn names(v: &[KeyName]) -> Vec<String> {
    v.iter().map(|k| k.to_string()).collect()
}

/// Prints one event (a JSON line, or text).
fn emit(json_mode: bool, doc: Value, text: String) {
    if json_mode {
        print_json(&doc);
    } else {
        println!("{text}");
    }
}

/// Runs `meshauth watch`. Exit 0 if a good key set is held at the end, 1 otherwise.
pub fn run(a: &WatchArgs) -> Result<Outcome, String> {
    let as_jwks = match a.kind {
        Kind::Auto => is_jwks_url(&a.target),
        Kind::Issuer => false,
        Kind::Jwks => true,
    };
    let base_opts = a.net.options();
    let mut cfg = Config {
        refresh_interval: a.refresh_interval,
        retry_initial: a.retry_base,
        retry_max: a.retry_max,
        fetch_timeout: a.net.timeout.saturating_add(5),
        ..Config::default()
    };
    cfg.discovery.allow_http = a.net.allow_http;
    cfg.jwks.max_bytes = usize::try_from(a.net.max_bytes).unwrap_or(usize::MAX);
    let mut sched = Scheduler::new(cfg);
    let start = Instant::now();
    let deadline = a.run_for.map(|s| start + Duration::from_secs(s));
    let now = now_or(None);
    let id = if as_jwks {
        sched.register("", Some(&a.target), now)
    } else {
        sched.register(&a.target, None, now)
    }
    .map_err(|s| format!("{}: {} ({})", a.target, s.name(), s.message()))?;
    let mut last_good: Vec<u8> = Vec::new();
    let t = |start: &Instant| start.elapsed().as_secs_f64();
    loop {
        let now = now_or(None);
        let poll = sched.poll(now);
        let had_fetches = !poll.fetches.is_empty();
        for f in poll.fetches.iter().cloned() {
            let kind = match f.kind {
                FetchKind::Discovery => "discovery",
                FetchKind::Jwks => "jwks",
            };
            let opts = FetchOptions {
                max_bytes: f.max_bytes as u64,
                ..base_opts.clone()
            };
            let result = fetch(&f.url, &opts);
            let now = now_or(None);
            match result {
                Ok((body, cache_control)) => {
                    let o = sched
                        .on_fetched(f.entry, &body, cache_control.as_deref(), now)
                        .map_err(|s| format!("scheduler: {}", s.name()))?;
                    let delay = sched.info(id).map(|i| i.last_delay).unwrap_or(0);
                    match o {
                        RefreshOutcome::Resolved(uri) => emit(
                            a.json,
                            json!({"event": "resolved", "t": t(&start), "url": f.url, "jwks_uri": uri}),
                            format!("[{:6.1}s] discovery {} -> jwks_uri {uri}", t(&start), f.url),
                        ),
                        RefreshOutcome::Unchanged => emit(
                            a.json,
                            json!({"event": "unchanged", "t": t(&start), "url": f.url, "next_in": delay}),
                            format!(
                                "[{:6.1}s] refreshed {}: unchanged; next in {delay}s",
                                t(&start),
                                f.url
                            ),
                        ),
                        RefreshOutcome::Changed(keys) => {
                            let d = jwks_compare::diff(&last_good, &body).unwrap_or_default();
                            last_good = body;
                            emit(
                                a.json,
                                json!({"event": "changed", "t": t(&start), "url": f.url, "keys": keys.len(),
                                       "added": names(&d.added), "removed": names(&d.removed),
                                       "modified": names(&d.modified), "next_in": delay}),
                                format!(
                                    "[{:6.1}s] refreshed {}: CHANGED, {} key(s): added {:?} removed {:?} modified {:?}; next in {delay}s",
                                    t(&start), f.url, keys.len(), names(&d.added), names(&d.removed), names(&d.modified)
                                ),
                            );
                        }
                        RefreshOutcome::Rejected(s) => {
                            let info = sched.info(id);
                            let fails = info.as_ref().map(|i| i.consecutive_failures).unwrap_or(0);
                            let mut doc = json!({"event": "failed", "t": t(&start), "kind": kind, "url": f.url,
                                                 "error": s.message(), "consecutive_failures": fails,
                                                 "retry_in": delay});
                            for (k, v) in status_json(s).as_object().into_iter().flatten() {
                                doc[k] = v.clone();
                            }
                            emit(
                                a.json,
                                doc,
                                format!(
                                    "[{:6.1}s] FAILED {kind} {}: {} ({}); keeping the last good keys; failure {fails} in a row, retry in {delay}s",
                                    t(&start), f.url, s.name(), s.message()
                                ),
                            );
                        }
                    }
                }
                Err(e) => {
                    // A late report (past the scheduler's fetch deadline) is already counted.
                    let _ = sched.on_failed(f.entry, now);
                    let info = sched.info(id);
                    let fails = info.as_ref().map(|i| i.consecutive_failures).unwrap_or(0);
                    let delay = info.map(|i| i.last_delay).unwrap_or(0);
                    emit(
                        a.json,
                        json!({"event": "failed", "t": t(&start), "kind": kind, "url": f.url,
                               "status": "JwksFetchFail", "error": e, "consecutive_failures": fails,
                               "retry_in": delay}),
                        format!(
                            "[{:6.1}s] FAILED {kind}: {e}; keeping the last good keys; failure {fails} in a row, retry in {delay}s",
                            t(&start)
                        ),
                    );
                }
            }
        }
        if poll.evicted.contains(&id) {
            emit(
                a.json,
                json!({"event": "evicted", "t": t(&start)}),
                format!("[{:6.1}s] entry evicted", t(&start)),
            );
            return Ok(Outcome::Rejected);
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        if had_fetches {
            // A discovery that resolved makes the JWKS fetch due at once: poll again now.
            continue;
        }
        let now = now_or(None);
        let wake = poll.next_wake.unwrap_or(now + 1).max(now + 1);
        let mut sleep = Duration::from_secs((wake - now) as u64);
        if let Some(d) = deadline {
            sleep = sleep.min(d.saturating_duration_since(Instant::now()));
        }
        std::thread::sleep(sleep);
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
    }
    let ok = sched.keys(id).is_ok();
    emit(
        a.json,
        json!({"event": "stopped", "t": t(&start), "has_keys": ok}),
        format!(
            "[{:6.1}s] stopped; {}",
            t(&start),
            if ok {
                "holding a good key set"
            } else {
                "no good key set"
            }
        ),
    );
    Ok(if ok { Outcome::Ok } else { Outcome::Rejected })
}
