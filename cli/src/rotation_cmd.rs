//! `meshauth rotation`: Istio's certificate rotation time (core `rotation::rotate_at` /
//! `rotation::delay`) from Unix seconds; the core works in nanoseconds.

use clap::Args;
use meshauth_core::rotation::{self, Draw, Policy, NANOS_PER_SECOND};
use serde_json::{json, Value};

use crate::util::{human_duration, print_json, rfc3339};
use crate::{now_or, Outcome};

/// Grace ratio and jitter flags (shared with `meshauth cert`).
#[derive(Args, Clone, Debug)]
pub struct PolicyArgs {
    /// Fraction of the lifetime left when rotating (Istio's SECRET_GRACE_PERIOD_RATIO).
    #[arg(long, default_value_t = rotation::DEFAULT_RATIO, value_name = "R")]
    pub grace_ratio: f64,
    /// Random jitter on the ratio (Istio's agent uses 0.01; 0 gives a reproducible answer).
    #[arg(long, default_value_t = 0.0, value_name = "J")]
    pub jitter: f64,
}

impl PolicyArgs {
    /// The core policy.
    pub fn policy(&self) -> Policy {
        Policy {
            ratio: self.grace_ratio,
            jitter: self.jitter,
        }
    }

    /// No jitter: `Draw::NONE`; otherwise 64 random bits from the OS.
    pub fn draw(&self) -> Result<Draw, String> {
        if self.jitter == 0.0 {
            return Ok(Draw::NONE);
        }
        let mut bits = [0u8; 8];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bits)
            .map_err(|_| "no random numbers".to_string())?;
        Ok(Draw::from_bits(u64::from_be_bytes(bits)))
    }

    /// `{"grace_ratio", "jitter", "effective_ratio", "draw": {"sign", "u"}}`.
    pub fn describe(&self, draw: Draw) -> Value {
        json!({
            "grace_ratio": self.grace_ratio,
            "jitter": self.jitter,
            "effective_ratio": self.policy().effective_ratio(draw).ok(),
            "draw": {"sign": draw.sign, "u": draw.u},
        })
    }
}

/// Unix seconds to nanoseconds, refusing times outside the years 1678-2262.
pub fn to_ns(t: i64, what: &str) -> Result<i64, String> {
    t.checked_mul(NANOS_PER_SECOND)
        .ok_or_else(|| format!("--{what} {t} is outside the years 1678-2262"))
}

/// Arguments of `meshauth rotation`.
#[derive(Args)]
pub struct RotationArgs {
    /// When the certificate was received, Unix seconds (not its notBefore).
    #[arg(long, value_name = "UNIX")]
    created: i64,
    /// Its notAfter, Unix seconds.
    #[arg(long, value_name = "UNIX")]
    expire: i64,
    /// The current time, Unix seconds (default: now).
    #[arg(long, value_name = "UNIX")]
    now: Option<i64>,
    #[command(flatten)]
    policy: PolicyArgs,
    /// Print one JSON document.
    #[arg(long)]
    json: bool,
}

/// Runs `meshauth rotation`. Invalid input (expire <= created, ratio or jitter outside 0..1)
/// is a usage error (exit 2).
pub fn run(a: &RotationArgs) -> Result<Outcome, String> {
    let now = now_or(a.now);
    let (created, expire, now_ns) = (
        to_ns(a.created, "created")?,
        to_ns(a.expire, "expire")?,
        to_ns(now, "now")?,
    );
    let draw = a.policy.draw()?;
    let policy = a.policy.policy();
    let at = rotation::rotate_at(created, expire, policy, draw).map_err(|s| {
        format!(
            "{}: need --expire > --created, and --grace-ratio and --jitter in 0..1",
            s.name()
        )
    })?;
    let delay = rotation::delay(created, expire, now_ns, policy, draw).map_err(|s| s.name())?;
    let at_s = at.div_euclid(NANOS_PER_SECOND);
    if a.json {
        let mut doc = json!({
            "created": a.created,
            "expire": a.expire,
            "now": now,
            "lifetime_seconds": a.expire - a.created,
            "rotate_at": at_s,
            "rotate_at_ns": at,
            "rotate_at_rfc3339": rfc3339(at_s),
            "delay_seconds": delay / NANOS_PER_SECOND,
            "delay_ns": delay,
            "due": delay == 0,
        });
        if let (Some(d), Value::Object(p)) = (doc.as_object_mut(), a.policy.describe(draw)) {
            d.extend(p);
        }
        print_json(&doc);
    } else {
        println!(
            "rotate at {at_s} ({}), {}",
            rfc3339(at_s),
            if delay == 0 {
                "due now".to_string()
            } else {
                format!("in {}", human_duration(delay / NANOS_PER_SECOND))
            }
        );
        println!(
            "lifetime {} (created {}, expires {}), grace ratio {} (jitter {})",
            human_duration(a.expire - a.created),
            rfc3339(a.created),
            rfc3339(a.expire),
            a.policy.grace_ratio,
            a.policy.jitter
        );
    }
    Ok(Outcome::Ok)
}
