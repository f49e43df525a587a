//! A sans-IO JWKS refresh scheduler: Istio's schedule (refresh every 20 min, back off 1, 2, 4 …
//! 60 min after failures, evict after 7 days), per entry instead of resolver-wide, plus what
//! Istio lacks: single flight, an unknown-`kid` refetch with a cooldown, `Cache-Control: max-age`,
//! jitter, a response size limit, validation of every body and stale-if-error.
//!
//! The scheduler does no I/O and reads no clock. Time is `now: i64`, **Unix seconds**, passed to
//! every call that needs it; durations in [`Config`] are seconds. The host loop is:
//!
//! 1. [`Scheduler::register`] each (issuer, jwks_uri) a rule uses, and [`Scheduler::touch`] it
//!    whenever its keys are used;
//! 2. call [`Scheduler::poll`] at (or after) the returned [`Poll::next_wake`]; perform each
//!    returned [`Fetch`] (an HTTP GET of `url`, reading at most `max_bytes`);
//! 3. report each result with [`Scheduler::on_fetched`] (the body and the `Cache-Control` header)
//!    or [`Scheduler::on_failed`] (network error, non-2xx, timeout, body over `max_bytes`);
//! 4. verify tokens with [`Scheduler::keys`], the last good key set; on an unknown `kid` ask
//!    [`Scheduler::on_unknown_kid`] and, if it answers `true`, poll again.
//!
//! An entry with no configured `jwks_uri` resolves it by OpenID discovery in every refresh cycle:
//! a [`FetchKind::Discovery`] fetch of [`crate::discovery::config_url`], then (due at once) the
//! [`FetchKind::Jwks`] fetch of the discovered URL. If either step fails the cycle fails and the
//! entry keeps its last good keys and its last discovered URL.
//!
//! Cost: entries live in a slab with a binary heap of wake-up times, so `poll` costs
//! O(log n) per due entry and O(1) when nothing is due; other calls are O(log n).

use alloc::collections::{BTreeMap, BinaryHeap};
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cmp::Reverse;

use crate::discovery::{self, DiscoveryOptions};
use crate::jwk::JwksOptions;
use crate::jwks_compare;
use crate::{Jwks, Status};

/// Seconds in a minute, for readable defaults.
const MIN: u64 = 60;
/// Seconds in a day.
const DAY: u64 = 86_400;

/// Scheduler settings. All durations are in seconds; zero durations are treated as one second.
#[derive(Clone, Debug)]
pub struct Config {
    /// Delay after a successful refresh (default 20 min, Istio's
    /// `PILOT_JWT_PUB_KEY_REFRESH_INTERVAL`).
    pub refresh_interval: u64,
    /// Delay after the first failure in a row (default 1 min); it doubles with each further
    /// consecutive failure of the same entry.
    pub retry_initial: u64,
    /// Cap on the doubled failure delay (default 60 min).
    pub retry_max: u64,
    /// Evict an entry this long after its last use (default 7 days).
    pub evict_unused_after: u64,
    /// Evict an entry this long after its last successful refresh, or its registration if it
    /// never had one (default 7 days). Until then the last good keys are served (stale-if-error).
    pub evict_unrefreshed_after: u64,
    /// Minimum time between the start of the last fetch of an entry and a fetch caused by an
    /// unknown `kid` (default 30 s, jose's `cooldownDuration`).
    pub unknown_kid_cooldown: u64,
    /// A fetch not reported within this time counts as failed at its deadline (default 60 s); a
    /// later report for it is refused with `InvalidArgument`.
    pub fetch_timeout: u64,
    /// Use `Cache-Control: max-age` of a successful JWKS response as the next refresh delay,
    /// clamped to `[cache_control_min, cache_control_max]` (default `false`, as Istio).
    /// `no-store` or `no-cache` count as `max-age=0`.
    pub honor_cache_control: bool,
    /// Lower bound for a `max-age` delay (default 60 s).
    pub cache_control_min: u64,
    /// Upper bound for a `max-age` delay (default 1 day).
    pub cache_control_max: u64,
    /// Each delay is shortened by a pseudo-random amount in `[0, jitter_max]` (never below 1 s)
    /// drawn from the seed given to [`Scheduler::set_random_seed`] (default 0: no jitter).
    pub jitter_max: u64,
    /// Limits for JWKS bodies: `max_bytes` (default 1 MiB) is the response size limit, also
    /// handed to the host as [`Fetch::max_bytes`]; `max_keys`, `max_depth`, `allow_legacy_rsa`.
    pub jwks: JwksOptions,
    /// Limits for discovery documents, and `allow_http`, which also admits `http://` configured
    /// JWKS URLs (default https only).
    pub discovery: DiscoveryOptions,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            refresh_interval: 20 * MIN,
            retry_initial: MIN,
            retry_max: 60 * MIN,
            evict_unused_after: 7 * DAY,
            evict_unrefreshed_after: 7 * DAY,
            unknown_kid_cooldown: 30,
            fetch_timeout: 60,
            honor_cache_control: false,
            cache_control_min: MIN,
            cache_control_max: DAY,
            jitter_max: 0,
            jwks: JwksOptions::default(),
            discovery: DiscoveryOptions::default(),
        }
    }
}

/// Handle of a scheduler entry. A handle stays invalid after its entry is evicted or removed,
/// even if the slot is reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntryId {
    index: u32,
    gen: u32,
}

impl EntryId {
    /// The handle as one integer (for bindings).
    pub fn to_u64(self) -> u64 {
        (u64::from(self.gen) << 32) | u64::from(self.index)
    }

    /// The handle from [`EntryId::to_u64`].
    pub fn from_u64(v: u64) -> EntryId {
        EntryId {
            index: v as u32,
            gen: (v >> 32) as u32,
        }
    }
}

/// What a fetch retrieves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FetchKind {
    /// The OpenID configuration document of the issuer.
    Discovery,
    /// The JWKS document.
    Jwks,
}

/// A fetch the host must perform now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetch {
    /// The entry to report the result to.
    pub entry: EntryId,
    /// What is fetched.
    pub kind: FetchKind,
    /// The URL to GET.
    pub url: String,
    /// Stop reading after this many bytes and report [`Scheduler::on_failed`] (or pass the
    /// body: a longer body is refused with `JwksTooLarge` / `DiscoveryBadDocument`).
    pub max_bytes: usize,
}

/// The result of [`Scheduler::poll`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Poll {
    /// Fetches to start now, at most one per entry.
    pub fetches: Vec<Fetch>,
    /// Entries evicted by this poll; their handles are now invalid.
    pub evicted: Vec<EntryId>,
    /// When to poll next at the latest (`None`: no entries). It may be earlier than needed,
    /// never later.
    pub next_wake: Option<i64>,
}

/// The result of [`Scheduler::on_fetched`].
#[derive(Clone)]
pub enum Outcome {
    /// A valid JWKS with the same canonical content as the current keys (no push needed).
    Unchanged,
    /// A valid JWKS that differs: it is now the current key set.
    Changed(Arc<Jwks>),
    /// A discovery document gave this JWKS URL; its fetch is due now (poll again).
    Resolved(String),
    /// The body was refused; the last good keys stay current and the failure counts for the
    /// backoff.
    Rejected(Status),
}

impl core::fmt::Debug for Outcome {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Outcome::Unchanged => f.write_str("Unchanged"),
            Outcome::Changed(k) => write!(f, "Changed({} keys)", k.len()),
            Outcome::Resolved(u) => f.debug_tuple("Resolved").field(u).finish(),
            Outcome::Rejected(s) => f.debug_tuple("Rejected").field(s).finish(),
        }
    }
}

/// A snapshot of one entry (for metrics, debugging and tests).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryInfo {
    /// The issuer it was registered with.
    pub issuer: String,
    /// The configured JWKS URL (`None`: discovery).
    pub jwks_uri: Option<String>,
    /// The URL found by the last successful discovery.
    pub discovered_uri: Option<String>,
    /// The fetch in flight, if any.
    pub in_flight: Option<FetchKind>,
    /// Failures in a row (0 after a success).
    pub consecutive_failures: u32,
    /// When the next fetch is due (ignoring a fetch in flight).
    pub next_fetch: i64,
    /// The delay chosen at the last success or failure, in seconds (0 before either).
    pub last_delay: u64,
    /// Last use (registration, touch, unknown kid).
    pub last_used: i64,
    /// Last successful JWKS refresh, if any.
    pub last_success: Option<i64>,
    /// When the entry will be evicted unless used or refreshed before.
    pub evict_at: i64,
    /// Whether there is a good key set.
    pub has_keys: bool,
}

#[derive(Clone, Debug)]
struct InFlight {
    kind: FetchKind,
    deadline: i64,
}

#[derive(Clone)]
struct Entry {
    issuer: String,
    configured_uri: Option<String>,
    discovered_uri: Option<String>,
    /// Discovery entries: the JWKS fetch of this cycle is next (discovery succeeded).
    jwks_phase: bool,
    keys: Option<Arc<Jwks>>,
    /// SHA-256 of the canonical form of the current keys' document.
    digest: Option<[u8; 32]>,
    last_used: i64,
    last_success: Option<i64>,
    /// Start of the "not refreshed" window: the last success, or registration.
    refreshed_at: i64,
    failures: u32,
    next_fetch: i64,
    last_delay: u64,
    in_flight: Option<InFlight>,
    last_fetch_start: Option<i64>,
    /// The wake-up time of this entry's live heap item.
    queued: Option<i64>,
}

#[derive(Clone)]
struct Slot {
    gen: u32,
    entry: Option<Entry>,
}

/// The scheduler. `Send` and `Sync`; it holds no references to the host.
#[derive(Clone)]
pub struct Scheduler {
    config: Config,
    slots: Vec<Slot>,
    free: Vec<u32>,
    by_key: BTreeMap<(String, Option<String>), EntryId>,
    heap: BinaryHeap<Reverse<(i64, u32, u32)>>,
    live: usize,
    rng: u64,
}

fn after(now: i64, secs: u64) -> i64 {
    now.saturating_add(i64::try_from(secs).unwrap_or(i64::MAX))
}

/// The `max-age` of a `Cache-Control` header value: `Some(0)` for `no-store` / `no-cache`,
/// `None` when neither is present or `max-age` is not a number. Directive names are
/// case-insensitive; a quoted value is accepted.
pub fn cache_control_max_age(header: &str) -> Option<u64> {
    let mut result = None;
    for d in header.split(',') {
        let d = d.trim();
        let (name, value) = match d.split_once('=') {
            Some((n, v)) => (n.trim(), Some(v.trim().trim_matches('"'))),
            None => (d, None),
        };
        if name.eq_ignore_ascii_case("no-store") || name.eq_ignore_ascii_case("no-cache") {
            return Some(0);
        }
        if name.eq_ignore_ascii_case("max-age") && result.is_none() {
            let v = value?;
            if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            result = Some(v.parse::<u64>().unwrap_or(u64::MAX));
        }
    }
    result
}

impl Scheduler {
    /// An empty scheduler.
    pub fn new(config: Config) -> Scheduler {
        Scheduler {
            config,
            slots: Vec::new(),
            free: Vec::new(),
            by_key: BTreeMap::new(),
            heap: BinaryHeap::new(),
            live: 0,
            rng: 0x9e37_79b9_7f4a_7c15,
        }
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Seeds the jitter generator with a random number from the host (use a different seed in
    /// each replica to spread their refreshes).
    pub fn set_random_seed(&mut self, seed: u64) {
        self.rng = seed;
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Registers (issuer, jwks_uri) and marks it used; `jwks_uri: None` resolves the URL by
    /// OpenID discovery of `issuer`. Registering an existing pair returns its handle and
    /// touches it. A new entry's first fetch is due at `now`.
    ///
    /// `InvalidArgument` if there is neither an issuer nor a URL; `DiscoveryBadJwksUri` if the
    /// URL is not an absolute https URL (or http with `discovery.allow_http`).
    pub fn register(
        &mut self,
        issuer: &str,
        jwks_uri: Option<&str>,
        now: i64,
    ) -> Result<EntryId, Status> {
        // The URL fetched first must pass the same check whether it is the configured JWKS URL or
        // the issuer's discovery URL (so a discovery document is never fetched over plain http
        // unless allowed).
        match jwks_uri {
            None if issuer.is_empty() => return Err(Status::InvalidArgument),
            None => discovery::check_url(
                &discovery::config_url(issuer),
                self.config.discovery.allow_http,
            )?,
            Some(u) => discovery::check_url(u, self.config.discovery.allow_http)?,
        }
        let key = (String::from(issuer), jwks_uri.map(String::from));
        if let Some(&id) = self.by_key.get(&key) {
            if self.touch(id, now).is_ok() {
                return Ok(id);
            }
            // expired at `now`: evicted by touch, register afresh below
        }
        let entry = Entry {
            issuer: key.0.clone(),
            configured_uri: key.1.clone(),
            discovered_uri: None,
            jwks_phase: false,
            keys: None,
            digest: None,
            last_used: now,
            last_success: None,
            refreshed_at: now,
            failures: 0,
            next_fetch: now,
            last_delay: 0,
            in_flight: None,
            last_fetch_start: None,
            queued: None,
        };
        let index = match self.free.pop() {
            Some(i) => {
                self.slots[i as usize].entry = Some(entry);
                i
            }
            None => {
                self.slots.push(Slot {
                    gen: 0,
                    entry: Some(entry),
                });
                (self.slots.len() - 1) as u32
            }
        };
        let id = EntryId {
            index,
            gen: self.slots[index as usize].gen,
        };
        self.by_key.insert(key, id);
        self.live += 1;
        self.requeue(index);
        Ok(id)
    }

    /// Marks the entry used at `now` (it is evicted `evict_unused_after` after its last use).
    /// `InvalidArgument` if the handle is unknown, or the entry has expired at `now` (it is
    /// evicted then; register it again).
    pub fn touch(&mut self, id: EntryId, now: i64) -> Result<(), Status> {
        let e = self.live_entry(id, now)?;
        e.last_used = e.last_used.max(now);
        Ok(())
    }

    /// Removes an entry. Returns whether it existed.
    pub fn remove(&mut self, id: EntryId) -> bool {
        if self.entry(id).is_none() {
            return false;
        }
        self.evict(id.index);
        true
    }

    /// The last good key set: `InvalidArgument` for an unknown handle, `JwksFetchFail` if no
    /// fetch has succeeded yet.
    pub fn keys(&self, id: EntryId) -> Result<Arc<Jwks>, Status> {
        let e = self.entry(id).ok_or(Status::InvalidArgument)?;
        e.keys.clone().ok_or(Status::JwksFetchFail)
    }

    /// A snapshot of an entry, or `None` for an unknown handle.
    pub fn info(&self, id: EntryId) -> Option<EntryInfo> {
        let e = self.entry(id)?;
        Some(EntryInfo {
            issuer: e.issuer.clone(),
            jwks_uri: e.configured_uri.clone(),
            discovered_uri: e.discovered_uri.clone(),
            in_flight: e.in_flight.as_ref().map(|f| f.kind),
            consecutive_failures: e.failures,
            next_fetch: e.next_fetch,
            last_delay: e.last_delay,
            last_used: e.last_used,
            last_success: e.last_success,
            evict_at: self.evict_at(e),
            has_keys: e.keys.is_some(),
        })
    }

    /// Evicts what has expired, times out fetches not reported within `fetch_timeout`, and
    /// returns the fetches due at `now` (at most one in flight per entry) with the next wake-up.
    pub fn poll(&mut self, now: i64) -> Poll {
        let mut out = Poll::default();
        while let Some(&Reverse((t, index, gen))) = self.heap.peek() {
            if t > now {
                break;
            }
            self.heap.pop();
            if !self.is_live_item(t, index, gen) {
                continue;
            }
            if let Some(e) = self.slots[index as usize].entry.as_mut() {
                e.queued = None;
            }
            self.process(index, now, &mut out);
        }
        while let Some(&Reverse((t, index, gen))) = self.heap.peek() {
            if self.is_live_item(t, index, gen) {
                break;
            }
            self.heap.pop();
        }
        if self.heap.len() > 2 * self.live + 64 {
            self.compact();
        }
        out.next_wake = self.heap.peek().map(|r| r.0 .0);
        out
    }

    /// Reports the body of the entry's fetch in flight, with the response's `Cache-Control`
    /// header if any. JWKS bodies are checked exactly like a first fetch (size limit,
    /// [`jwks_compare::check_document`], [`Jwks::from_json_with`]); a refused body never
    /// replaces the last good keys. Discovery documents are checked by
    /// [`discovery::jwks_uri_with`] against the entry's issuer.
    ///
    /// `InvalidArgument` (nothing changes) if the handle is unknown or expired, or no fetch is
    /// in flight (never started, already reported, or timed out).
    pub fn on_fetched(
        &mut self,
        id: EntryId,
        body: &[u8],
        cache_control: Option<&str>,
        now: i64,
    ) -> Result<Outcome, Status> {
        let discovery_opts = self.config.discovery.clone();
        let kind = self.take_in_flight(id, now)?;
        let e = self.live_entry(id, now)?;
        let outcome = match kind {
            FetchKind::Discovery => {
                match discovery::jwks_uri_with(body, &e.issuer, &discovery_opts) {
                    Ok(uri) => {
                        e.discovered_uri = Some(uri.clone());
                        e.jwks_phase = true;
                        e.next_fetch = now;
                        self.requeue(id.index);
                        return Ok(Outcome::Resolved(uri));
                    }
                    Err(s) => Outcome::Rejected(s),
                }
            }
            FetchKind::Jwks => {
                e.jwks_phase = false;
                match self.validate(id, body) {
                    Ok(o) => o,
                    Err(s) => Outcome::Rejected(s),
                }
            }
        };
        match &outcome {
            Outcome::Rejected(_) => self.fail(id.index, now),
            _ => self.succeed(id.index, cache_control, now),
        }
        Ok(outcome)
    }

    /// Reports that the entry's fetch in flight failed (network error, non-2xx status, timeout,
    /// body too large). The keys stay; the next attempt follows the backoff.
    /// `InvalidArgument` as for [`Scheduler::on_fetched`].
    pub fn on_failed(&mut self, id: EntryId, now: i64) -> Result<(), Status> {
        self.take_in_flight(id, now)?;
        self.fail(id.index, now);
        Ok(())
    }

    /// A token named a `kid` the current keys lack. Marks the entry used and answers whether a
    /// refetch is allowed now: not while a fetch is in flight, nor within
    /// `unknown_kid_cooldown` of the start of the last fetch. When `true`, a fetch is due at
    /// `now` (poll again).
    pub fn on_unknown_kid(&mut self, id: EntryId, now: i64) -> Result<bool, Status> {
        let cooldown = self.config.unknown_kid_cooldown.max(1);
        let e = self.live_entry(id, now)?;
        e.last_used = e.last_used.max(now);
        if e.in_flight.is_some() {
            return Ok(false);
        }
        if let Some(t) = e.last_fetch_start {
            if now < after(t, cooldown) {
                return Ok(false);
            }
        }
        if e.next_fetch > now {
            e.next_fetch = now;
        }
        self.requeue(id.index);
        Ok(true)
    }

    // ---- internals ----

    /// Ends the fetch in flight and returns its kind. A fetch past its deadline has timed out:
    /// it is counted as failed at its deadline and `InvalidArgument` is returned.
    fn take_in_flight(&mut self, id: EntryId, now: i64) -> Result<FetchKind, Status> {
        let e = self.live_entry(id, now)?;
        let f = e.in_flight.take().ok_or(Status::InvalidArgument)?;
        if now >= f.deadline {
            self.fail(id.index, f.deadline);
            return Err(Status::InvalidArgument);
        }
        Ok(f.kind)
    }

    fn entry(&self, id: EntryId) -> Option<&Entry> {
        let slot = self.slots.get(id.index as usize)?;
        if slot.gen != id.gen {
            return None;
        }
        slot.entry.as_ref()
    }

    /// The entry, evicting it first if it has expired at `now`.
    fn live_entry(&mut self, id: EntryId, now: i64) -> Result<&mut Entry, Status> {
        let evict_at = self
            .entry(id)
            .map(|e| self.evict_at(e))
            .ok_or(Status::InvalidArgument)?;
        if now >= evict_at {
            self.evict(id.index);
            return Err(Status::InvalidArgument);
        }
        self.slots[id.index as usize]
            .entry
            .as_mut()
            .ok_or(Status::InvalidArgument)
    }

    fn evict_at(&self, e: &Entry) -> i64 {
        after(e.last_used, self.config.evict_unused_after.max(1)).min(after(
            e.refreshed_at,
            self.config.evict_unrefreshed_after.max(1),
        ))
    }

    fn wake(&self, e: &Entry) -> i64 {
        let next = match &e.in_flight {
            Some(f) => f.deadline,
            None => e.next_fetch,
        };
        next.min(self.evict_at(e))
    }

    fn is_live_item(&self, t: i64, index: u32, gen: u32) -> bool {
        match self.slots.get(index as usize) {
            Some(Slot {
                gen: g,
                entry: Some(e),
            }) => *g == gen && e.queued == Some(t),
            _ => false,
        }
    }

    /// Gives the entry a heap item at its wake-up time (the old item, if any, becomes stale and
    /// is dropped when it surfaces). Only `touch`, which moves the wake-up later, skips this: its
    /// entry then wakes early once and is requeued by `poll`.
    fn requeue(&mut self, index: u32) {
        let slot = &self.slots[index as usize];
        let Some(e) = slot.entry.as_ref() else {
            return;
        };
        let wake = self.wake(e);
        if e.queued != Some(wake) {
            let gen = slot.gen;
            self.heap.push(Reverse((wake, index, gen)));
            if let Some(e) = self.slots[index as usize].entry.as_mut() {
                e.queued = Some(wake);
            }
        }
    }

    fn compact(&mut self) {
        let items: Vec<_> = self
            .slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let e = s.entry.as_ref()?;
                Some(Reverse((e.queued?, i as u32, s.gen)))
            })
            .collect();
        self.heap = BinaryHeap::from(items);
    }

    fn evict(&mut self, index: u32) {
        let slot = &mut self.slots[index as usize];
        if let Some(e) = slot.entry.take() {
            slot.gen = slot.gen.wrapping_add(1);
            self.by_key.remove(&(e.issuer, e.configured_uri));
            self.free.push(index);
            self.live -= 1;
        }
    }

    fn process(&mut self, index: u32, now: i64, out: &mut Poll) {
        let Some(e) = self.slots[index as usize].entry.as_ref() else {
            return;
        };
        let id = EntryId {
            index,
            gen: self.slots[index as usize].gen,
        };
        if now >= self.evict_at(e) {
            self.evict(index);
            out.evicted.push(id);
            return;
        }
        if let Some(deadline) = e.in_flight.as_ref().map(|f| f.deadline) {
            if now >= deadline {
                if let Some(e) = self.slots[index as usize].entry.as_mut() {
                    e.in_flight = None;
                }
                self.fail(index, deadline);
            }
        }
        let timeout = self.config.fetch_timeout.max(1);
        let jwks_max = self.config.jwks.max_bytes;
        let disc_max = self.config.discovery.max_bytes;
        if let Some(e) = self.slots[index as usize].entry.as_mut() {
            if e.in_flight.is_none() && now >= e.next_fetch {
                let (kind, url, max_bytes) = match (&e.configured_uri, &e.discovered_uri) {
                    (Some(u), _) => (FetchKind::Jwks, u.clone(), jwks_max),
                    (None, Some(u)) if e.jwks_phase => (FetchKind::Jwks, u.clone(), jwks_max),
                    (None, _) => (
                        FetchKind::Discovery,
                        discovery::config_url(&e.issuer),
                        disc_max,
                    ),
                };
                e.in_flight = Some(InFlight {
                    kind,
                    deadline: after(now, timeout),
                });
                e.last_fetch_start = Some(now);
                out.fetches.push(Fetch {
                    entry: id,
                    kind,
                    url,
                    max_bytes,
                });
            }
        }
        self.requeue(index);
    }

    fn validate(&mut self, id: EntryId, body: &[u8]) -> Result<Outcome, Status> {
        let opts = &self.config.jwks;
        let canonical = jwks_compare::canonical_jwks_with(body, opts)?;
        let digest = sha256(canonical.as_bytes());
        let e = self.slots[id.index as usize]
            .entry
            .as_mut()
            .ok_or(Status::InvalidArgument)?;
        if e.digest == Some(digest) && e.keys.is_some() {
            return Ok(Outcome::Unchanged);
        }
        let jwks = Arc::new(Jwks::from_json_with(body, opts)?);
        e.keys = Some(jwks.clone());
        e.digest = Some(digest);
        Ok(Outcome::Changed(jwks))
    }

    fn jitter(&mut self, delay: u64) -> u64 {
        let j = self.config.jitter_max.min(delay.saturating_sub(1));
        if j == 0 {
            return delay;
        }
        // splitmix64
        self.rng = self.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        delay - z % (j + 1)
    }

    fn succeed(&mut self, index: u32, cache_control: Option<&str>, now: i64) {
        let c = &self.config;
        let mut delay = c.refresh_interval.max(1);
        if c.honor_cache_control {
            if let Some(age) = cache_control.and_then(cache_control_max_age) {
                delay = age
                    .max(c.cache_control_min)
                    .min(c.cache_control_max.max(c.cache_control_min))
                    .max(1);
            }
        }
        let delay = self.jitter(delay);
        if let Some(e) = self.slots[index as usize].entry.as_mut() {
            e.failures = 0;
            e.last_success = Some(now);
            e.refreshed_at = e.refreshed_at.max(now);
            e.last_delay = delay;
            e.next_fetch = after(now, delay);
        }
        self.requeue(index);
    }

    fn fail(&mut self, index: u32, now: i64) {
        let (initial, max) = (
            self.config.retry_initial.max(1),
            self.config.retry_max.max(1),
        );
        let failures = match self.slots[index as usize].entry.as_mut() {
            Some(e) => {
                e.failures = e.failures.saturating_add(1);
                e.jwks_phase = false;
                e.failures
            }
            None => return,
        };
        let mut delay = initial;
        for _ in 1..failures {
            if delay >= max {
                break;
            }
            delay = delay.saturating_mul(2);
        }
        let delay = self.jitter(delay.min(max));
        if let Some(e) = self.slots[index as usize].entry.as_mut() {
            e.last_delay = delay;
            e.next_fetch = after(now, delay);
        }
        self.requeue(index);
    }
}

fn sha256(data: &[u8]) -> [u8; 32] {
    let d = ring::digest::digest(&ring::digest::SHA256, data);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheduler_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Scheduler>();
    }

    #[test]
    fn max_age() {
        assert_eq!(cache_control_max_age("public, max-age=300"), Some(300));
        assert_eq!(cache_control_max_age("MAX-AGE=\"7\""), Some(7));
        assert_eq!(cache_control_max_age("no-cache"), Some(0));
        assert_eq!(cache_control_max_age("public"), None);
        assert_eq!(cache_control_max_age("max-age=abc"), None);
        assert_eq!(cache_control_max_age("max-age=-1"), None);
    }
}
