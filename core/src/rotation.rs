//! Istio's certificate rotation time (`rotateTime` in the agent's `secretcache.go`).
//!
//! ```text
//! r     = clamp(ratio + sign·u·jitter, 0, 1)
//! grace = r × (expire − created)            truncated to whole nanoseconds
//! at    = expire − grace
//! delay = max(at − now, 0)
//! ```
//!
//! Units: every time here is **Unix nanoseconds** (`i64`, years 1678-2262), because Istio's math
//! is on Go `time.Duration`s. `created` is when the agent *received* the certificate (the CSR
//! reply, or when the file was read), **not** its notBefore: Istio's CA back-dates notBefore by
//! two minutes, so notAfter − notBefore is not the lifetime Istio uses. The random draw (`sign`,
//! `u`) is supplied by the host; the core has no RNG.
//!
//! One deliberate difference from Go: `grace` is the exact product of the `f64` ratio and the
//! integer lifetime, truncated (Go first rounds the lifetime and the product to `f64`). The two
//! agree to the nanosecond for lifetimes up to 2^53 ns (104 days) except when the `f64` product
//! rounds across an integer (then Go is 1 ns larger); beyond that Go can be off by more, and can
//! even rotate before `created`. The exact form is monotonic and always within
//! `[created, expire]`.

use crate::cert::CertInfo;
use crate::Status;

/// `SECRET_GRACE_PERIOD_RATIO`'s default: rotate halfway through the lifetime.
pub const DEFAULT_RATIO: f64 = 0.5;
/// `SECRET_GRACE_PERIOD_RATIO_JITTER`'s default (about ±15 minutes over 24 hours).
pub const DEFAULT_JITTER: f64 = 0.01;
/// Nanoseconds per second.
pub const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// The host's random draw: Istio's `sign := rand.IntN(2)*2 - 1` and `u := rand.Float64()`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Draw {
    /// `1` or `-1`.
    pub sign: i8,
    /// In `[0, 1)`.
    pub u: f64,
}

impl Draw {
    /// No jitter (`u = 0`).
    pub const NONE: Draw = Draw { sign: 1, u: 0.0 };

    /// A draw from 64 random bits: the top bit picks the sign, the low 53 bits give `u` (as Go's
    /// `rand.Float64` does).
    pub fn from_bits(bits: u64) -> Draw {
        let sign = if bits >> 63 == 1 { -1 } else { 1 };
        let u = (bits & ((1 << 53) - 1)) as f64 / (1u64 << 53) as f64;
        Draw { sign, u }
    }

    fn valid(self) -> bool {
        (self.sign == 1 || self.sign == -1) && self.u.is_finite() && (0.0..1.0).contains(&self.u)
    }
}

/// The grace ratio and its jitter (Istio's agent options).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Policy {
    /// Fraction of the lifetime left when rotating: 0.5 = halfway, 0.1 = 10 % before expiry.
    pub ratio: f64,
    /// Maximum jitter added to or taken from `ratio`.
    pub jitter: f64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            ratio: DEFAULT_RATIO,
            jitter: DEFAULT_JITTER,
        }
    }
}

impl Policy {
    /// The effective ratio `clamp(ratio + sign·u·jitter, 0, 1)`; `RotationInvalidInput` if
    /// `ratio` or `jitter` is outside `0..=1` or not finite, or the draw is invalid.
    pub fn effective_ratio(&self, draw: Draw) -> Result<f64, Status> {
        let ok = |x: f64| x.is_finite() && (0.0..=1.0).contains(&x);
        if !ok(self.ratio) || !ok(self.jitter) || !draw.valid() {
            return Err(Status::RotationInvalidInput);
        }
        // Same operation order as Go: rand.Float64() * graceRatioJitter * float64(sign).
        let jitter = draw.u * self.jitter * f64::from(draw.sign);
        Ok((self.ratio + jitter).clamp(0.0, 1.0))
    }
}

/// `floor(r × lifetime)` computed exactly, for `r` in `[0, 1]` and `lifetime >= 0`.
fn mul_floor(r: f64, lifetime: i64) -> i64 {
    if r <= 0.0 || lifetime <= 0 {
        return 0;
    }
    if r >= 1.0 {
        return lifetime;
    }
    let bits = r.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    // r = mant × 2^-shift
    let (mant, shift) = if exp == 0 {
        (frac, 1074)
    } else {
        (frac | (1u64 << 52), 1075 - exp)
    };
    if shift >= 128 {
        return 0;
    }
    // mant < 2^53 and lifetime < 2^63: the product fits in 116 bits.
    let product = u128::from(mant) * lifetime as u128;
    // r < 1 makes the result < lifetime, so it fits in i64.
    (product >> shift) as i64
}

/// Absolute rotation time in Unix nanoseconds: `expire − r × (expire − created)`.
///
/// `RotationInvalidInput` unless `expire > created`, `ratio` and `jitter` are finite and in
/// `0..=1`, and `draw` has `sign` ±1 and `u` in `[0, 1)`. The result is always within
/// `[created, expire]`.
pub fn rotate_at(
    created_ns: i64,
    expire_ns: i64,
    policy: Policy,
    draw: Draw,
) -> Result<i64, Status> {
    let r = policy.effective_ratio(draw)?;
    if expire_ns <= created_ns {
        return Err(Status::RotationInvalidInput);
    }
    // expire > created, so the difference is positive; it overflows i64 only for spans beyond
    // ±292 years, where it saturates like Go's Time.Sub.
    let lifetime = expire_ns.checked_sub(created_ns).unwrap_or(i64::MAX);
    Ok(expire_ns - mul_floor(r, lifetime))
}

/// Nanoseconds from `now_ns` until rotation, never negative: Istio's `rotateTime` delay.
pub fn delay(
    created_ns: i64,
    expire_ns: i64,
    now_ns: i64,
    policy: Policy,
    draw: Draw,
) -> Result<i64, Status> {
    let at = rotate_at(created_ns, expire_ns, policy, draw)?;
    Ok(at.saturating_sub(now_ns).max(0))
}

/// Why a chain is rotated when it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The leaf expires first (what Istio assumes).
    LeafExpiry,
    /// A later certificate of the chain (index > 0) expires before the leaf.
    ChainCertExpiry {
        /// Its index in the chain.
        index: usize,
    },
}

/// When to rotate a certificate chain, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// Rotation time, Unix nanoseconds.
    pub rotate_at_ns: i64,
    /// `max(rotate_at_ns − now_ns, 0)`.
    pub delay_ns: i64,
    /// The notAfter (Unix seconds) the schedule was computed from.
    pub expire: i64,
    /// Which certificate limits the chain.
    pub reason: Reason,
}

/// Schedules rotation of a parsed chain (leaf first) received at `created_ns`. Unlike Istio,
/// which uses the leaf's notAfter only, the earliest notAfter of the whole chain is used, and
/// `reason` says which certificate set it. A chain that had already expired when it was
/// received (`expire <= created`) is due at once (`rotate_at_ns = expire`, delay 0).
/// notAfter values beyond 2262 saturate at `i64::MAX` nanoseconds.
///
/// Errors: `CertNotFound` for an empty chain; `RotationInvalidInput` for a bad policy or draw.
pub fn schedule(
    chain: &[CertInfo],
    created_ns: i64,
    now_ns: i64,
    policy: Policy,
    draw: Draw,
) -> Result<Schedule, Status> {
    let e = crate::cert::chain_expiry(chain)?;
    let reason = if e.index == 0 {
        Reason::LeafExpiry
    } else {
        Reason::ChainCertExpiry { index: e.index }
    };
    let expire_ns = e.not_after.saturating_mul(NANOS_PER_SECOND);
    let rotate_at_ns = if expire_ns <= created_ns {
        policy.effective_ratio(draw)?;
        expire_ns
    } else {
        rotate_at(created_ns, expire_ns, policy, draw)?
    };
    Ok(Schedule {
        rotate_at_ns,
        delay_ns: rotate_at_ns.saturating_sub(now_ns).max(0),
        expire: e.not_after,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mul_floor_exact() {
        assert_eq!(mul_floor(0.5, 3), 1);
        assert_eq!(mul_floor(0.25, 3_600_000_000_000), 900_000_000_000);
        assert_eq!(mul_floor(1.0, 7), 7);
        assert_eq!(mul_floor(0.0, 7), 0);
        assert_eq!(mul_floor(f64::MIN_POSITIVE, i64::MAX), 0);
        // 0.1 as f64 is 0.1000000000000000055511151231257827…: 10 × that floors to 1.
        assert_eq!(mul_floor(0.1, 10), 1);
        assert_eq!(mul_floor(0.5, i64::MAX), i64::MAX / 2);
    }

    #[test]
    fn draw_from_bits() {
        assert_eq!(Draw::from_bits(0), Draw { sign: 1, u: 0.0 });
        let d = Draw::from_bits(u64::MAX);
        assert_eq!(d.sign, -1);
        assert!(d.u < 1.0 && d.u > 0.999_999);
    }
}
