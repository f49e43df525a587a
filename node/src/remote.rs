//! The core's sans-IO JWKS refresh scheduler (`refresh::Scheduler`) as a JS class. The
//! scheduler reads no clock and does no I/O: `createRemoteJWKSet` (index.js) passes `now`, does
//! the HTTP fetches and reports their results.
//!
//! Times and durations are plain integers in one unit chosen by the caller (the core documents
//! seconds; `createRemoteJWKSet` uses milliseconds, which the schedule arithmetic does not
//! distinguish). `Cache-Control` handling, which reads seconds, is not exposed.

use meshauth_core::refresh::{self, Config, EntryId, FetchKind, Outcome};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::{invalid_arg, status_error, whole, Jwks};

/// Settings of a [`Scheduler`]; durations in the caller's time unit (see the module docs).
#[napi(object)]
#[derive(Default)]
pub struct SchedulerConfig {
    /// Delay after a successful refresh (core default 1200).
    pub refresh_interval: Option<f64>,
    /// Delay after the first failure in a row, doubled per further failure (core default 60).
    pub retry_initial: Option<f64>,
    /// Cap of the failure delay (core default 3600).
    pub retry_max: Option<f64>,
    /// Minimum time from the start of the last fetch to a refetch for an unknown kid (30).
    pub unknown_kid_cooldown: Option<f64>,
    /// A fetch not reported within this time has failed (core default 60).
    pub fetch_timeout: Option<f64>,
    /// Evict an entry this long after its last use (core default 7 days in seconds).
    pub evict_unused_after: Option<f64>,
    /// Evict an entry this long after its last success or registration (7 days in seconds).
    pub evict_unrefreshed_after: Option<f64>,
    /// Admit `http://` JWKS URLs, configured or discovered (default false).
    pub allow_http: Option<bool>,
    /// Largest JWKS body in bytes (default 1 MiB); handed back in each fetch as `maxBytes`.
    pub max_bytes: Option<f64>,
}

/// One fetch the host must perform (core `refresh::Fetch`).
#[napi(object)]
pub struct SchedulerFetch {
    /// The entry handle.
    pub entry: f64,
    /// `'jwks'` or `'discovery'`.
    pub kind: String,
    /// The URL to GET.
    pub url: String,
    /// Read at most this many bytes; a larger body is a failure.
    pub max_bytes: f64,
}

/// The result of [`Scheduler::poll`].
#[napi(object)]
pub struct SchedulerPoll {
    /// Fetches due now (at most one in flight per entry).
    pub fetches: Vec<SchedulerFetch>,
    /// Entries evicted by this poll.
    pub evicted: Vec<f64>,
    /// When to poll next, or `null` with no entries.
    pub next_wake: Option<f64>,
}

/// The result of [`Scheduler::on_fetched`] (core `refresh::Outcome`).
#[napi(object)]
pub struct SchedulerOutcome {
    /// `'unchanged'`, `'changed'`, `'resolved'` (a discovery document gave `url`; poll again)
    /// or `'rejected'` (the body was refused; `code`/`status` say why).
    pub outcome: String,
    /// For `'resolved'`: the JWKS URL found.
    pub url: Option<String>,
    /// For `'rejected'`: the status name.
    pub code: Option<String>,
    /// For `'rejected'`: the status number.
    pub status: Option<u32>,
}

/// A snapshot of one entry (core `refresh::EntryInfo`).
#[napi(object)]
pub struct SchedulerEntryInfo {
    /// The issuer registered.
    pub issuer: String,
    /// The configured JWKS URL (`null`: discovery).
    pub jwks_uri: Option<String>,
    /// The URL from the last successful discovery.
    pub discovered_uri: Option<String>,
    /// `'jwks'` or `'discovery'` while a fetch is in flight.
    pub in_flight: Option<String>,
    /// Failures in a row.
    pub consecutive_failures: u32,
    /// When the next fetch is due.
    pub next_fetch: f64,
    /// Last successful refresh.
    pub last_success: Option<f64>,
    /// Whether there is a good key set.
    pub has_keys: bool,
}

fn kind_name(k: FetchKind) -> String {
    match k {
        FetchKind::Jwks => "jwks",
        FetchKind::Discovery => "discovery",
    }
    .to_owned()
}

/// An entry handle as a JS number (exact below 2^53).
fn handle(id: EntryId) -> Result<f64> {
    let v = id.to_u64();
    if v > (1 << 53) {
        return Err(invalid_arg("scheduler handle beyond 2^53"));
    }
    Ok(v as f64)
}

fn entry(id: f64) -> Result<EntryId> {
    Ok(EntryId::from_u64(whole("entry", id)?))
}

/// A time argument: any finite number, truncated.
fn time(now: f64) -> Result<i64> {
    if now.is_finite() {
        Ok(now.trunc() as i64)
    } else {
        Err(invalid_arg(format!("now must be finite, got {now}")))
    }
}

/// The core's JWKS refresh scheduler: per-entry schedule with backoff, single flight,
/// unknown-kid cooldown and stale-if-error. Holds no clock; every call takes `now`.
#[napi]
pub struct Scheduler {
    inner: refresh::Scheduler,
}

#[napi]
impl Scheduler {
    /// A scheduler with the core's defaults overridden by `config`.
    #[napi(constructor)]
    pub fn new(config: Option<SchedulerConfig>) -> Result<Scheduler> {
        let c = config.unwrap_or_default();
        let mut cfg = Config::default();
        let set = |name: &str, v: Option<f64>, field: &mut u64| -> Result<()> {
            if let Some(v) = v {
                *field = whole(name, v)?;
            }
            Ok(())
        };
        set(
            "refreshInterval",
            c.refresh_interval,
            &mut cfg.refresh_interval,
        )?;
        set("retryInitial", c.retry_initial, &mut cfg.retry_initial)?;
        set("retryMax", c.retry_max, &mut cfg.retry_max)?;
        set(
            "unknownKidCooldown",
            c.unknown_kid_cooldown,
            &mut cfg.unknown_kid_cooldown,
        )?;
        set("fetchTimeout", c.fetch_timeout, &mut cfg.fetch_timeout)?;
        set(
            "evictUnusedAfter",
            c.evict_unused_after,
            &mut cfg.evict_unused_after,
        )?;
        set(
            "evictUnrefreshedAfter",
            c.evict_unrefreshed_after,
            &mut cfg.evict_unrefreshed_after,
        )?;
        if let Some(b) = c.allow_http {
            cfg.discovery.allow_http = b;
        }
        if let Some(m) = c.max_bytes {
            cfg.jwks.max_bytes = usize::try_from(whole("maxBytes", m)?).unwrap_or(usize::MAX);
        }
        Ok(Scheduler {
            inner: refresh::Scheduler::new(cfg),
        })
    }

    /// Registers (issuer, jwksUri) and returns its handle; `jwksUri` null resolves the URL by
    /// OpenID discovery of `issuer`. Throws `DiscoveryBadJwksUri` for a URL that is not https
    /// (or http with `allowHttp`), `InvalidArgument` with neither. For discovery the
    /// configuration URL of `issuer` must pass the same URL check (the core's
    /// `Scheduler::register` applies `discovery::check_url`), so a discovery document is never fetched over plain http
    /// unless `allowHttp`.
    #[napi(catch_unwind)]
    pub fn register(
        &mut self,
        env: Env,
        issuer: String,
        jwks_uri: Option<String>,
        now: f64,
    ) -> Result<f64> {
        let id = self
            .inner
            .register(&issuer, jwks_uri.as_deref(), time(now)?)
            .map_err(|s| status_error(&env, s))?;
        handle(id)
    }

    /// Marks the entry used (`InvalidArgument` if unknown or expired).
    #[napi(catch_unwind)]
    pub fn touch(&mut self, env: Env, entry_id: f64, now: f64) -> Result<()> {
        self.inner
            .touch(entry(entry_id)?, time(now)?)
            .map_err(|s| status_error(&env, s))
    }

    /// Removes an entry; whether it existed.
    #[napi]
    pub fn remove(&mut self, entry_id: f64) -> Result<bool> {
        Ok(self.inner.remove(entry(entry_id)?))
    }

    /// Evicts what has expired, times out late fetches and returns the fetches due at `now`.
    #[napi(catch_unwind)]
    pub fn poll(&mut self, now: f64) -> Result<SchedulerPoll> {
        let p = self.inner.poll(time(now)?);
        Ok(SchedulerPoll {
            fetches: p
                .fetches
                .into_iter()
                .map(|f| {
                    Ok(SchedulerFetch {
                        entry: handle(f.entry)?,
                        kind: kind_name(f.kind),
                        url: f.url,
                        max_bytes: f.max_bytes as f64,
                    })
                })
                .collect::<Result<_>>()?,
            evicted: p.evicted.into_iter().map(handle).collect::<Result<_>>()?,
            next_wake: p.next_wake.map(|t| t as f64),
        })
    }

    /// Reports the body of the entry's fetch in flight. Throws `InvalidArgument` when no fetch
    /// is in flight (never started, reported, or timed out).
    #[napi(catch_unwind)]
    pub fn on_fetched(
        &mut self,
        env: Env,
        entry_id: f64,
        body: Either<String, Uint8Array>,
        cache_control: Option<String>,
        now: f64,
    ) -> Result<SchedulerOutcome> {
        let o = self
            .inner
            .on_fetched(
                entry(entry_id)?,
                crate::bytes(&body),
                cache_control.as_deref(),
                time(now)?,
            )
            .map_err(|s| status_error(&env, s))?;
        let simple = |name: &str| SchedulerOutcome {
            outcome: name.to_owned(),
            url: None,
            code: None,
            status: None,
        };
        Ok(match o {
            Outcome::Unchanged => simple("unchanged"),
            Outcome::Changed(_) => simple("changed"),
            Outcome::Resolved(url) => SchedulerOutcome {
                url: Some(url),
                ..simple("resolved")
            },
            Outcome::Rejected(s) => SchedulerOutcome {
                code: Some(s.name().to_owned()),
                status: Some(u32::from(s.code())),
                ..simple("rejected")
            },
        })
    }

    /// Reports that the entry's fetch in flight failed (network error, non-2xx, timeout).
    #[napi(catch_unwind)]
    pub fn on_failed(&mut self, env: Env, entry_id: f64, now: f64) -> Result<()> {
        self.inner
            .on_failed(entry(entry_id)?, time(now)?)
            .map_err(|s| status_error(&env, s))
    }

    /// A token named a kid the keys lack: whether a refetch is allowed now (then poll again).
    #[napi(catch_unwind)]
    pub fn on_unknown_kid(&mut self, env: Env, entry_id: f64, now: f64) -> Result<bool> {
        self.inner
            .on_unknown_kid(entry(entry_id)?, time(now)?)
            .map_err(|s| status_error(&env, s))
    }

    /// The last good key set; throws `JwksFetchFail` before any fetch succeeded.
    #[napi(catch_unwind)]
    pub fn keys(&self, env: Env, entry_id: f64) -> Result<Jwks> {
        self.inner
            .keys(entry(entry_id)?)
            .map(|inner| Jwks { inner })
            .map_err(|s| status_error(&env, s))
    }

    /// A snapshot of an entry, or `null` for an unknown handle.
    #[napi]
    pub fn info(&self, entry_id: f64) -> Result<Option<SchedulerEntryInfo>> {
        Ok(self
            .inner
            .info(entry(entry_id)?)
            .map(|i| SchedulerEntryInfo {
                issuer: i.issuer,
                jwks_uri: i.jwks_uri,
                discovered_uri: i.discovered_uri,
                in_flight: i.in_flight.map(kind_name),
                consecutive_failures: i.consecutive_failures,
                next_fetch: i.next_fetch as f64,
                last_success: i.last_success.map(|t| t as f64),
                has_keys: i.has_keys,
            }))
    }
}
