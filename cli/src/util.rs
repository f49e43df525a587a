//! Small helpers shared by the subcommands: status documents, time and duration formatting,
//! claim conversion and reading inputs.

use meshauth_core::authn::Claim;
use meshauth_core::Status;
use serde_json::{json, Value};

/// `{"status", "code", "message"}` of a core status (the fields every rejection carries).
pub fn status_json(s: Status) -> Value {
    json!({"status": s.name(), "code": s.code(), "message": s.message()})
}

/// Merges the members of `extra` (an object) into `doc` (an object).
pub fn merge(mut doc: Value, extra: Value) -> Value {
    if let (Some(d), Value::Object(e)) = (doc.as_object_mut(), extra) {
        d.extend(e);
    }
    doc
}

/// Prints `doc` as one line of JSON on standard output.
pub fn print_json(doc: &Value) {
    println!("{doc}");
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Unix seconds as RFC 3339 UTC, e.g. `2030-05-05T06:04:53Z`.
pub fn rfc3339(t: i64) -> String {
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// A signed number of seconds as `1d 2h 3m 4s` (`-` in front when negative, `0s` for zero).
pub fn human_duration(secs: i64) -> String {
    let sign = if secs < 0 { "-" } else { "" };
    let mut s = secs.unsigned_abs();
    if s == 0 {
        return "0s".into();
    }
    let mut parts = Vec::new();
    for (unit, len) in [("d", 86_400u64), ("h", 3600), ("m", 60), ("s", 1)] {
        if s >= len {
            parts.push(format!("{}{unit}", s / len));
            s %= len;
        }
    }
    format!("{sign}{}", parts.join(" "))
}

/// Parses a duration: `90`, `90s`, `2m`, `1h`, `1d` (seconds when there is no unit).
pub fn parse_duration(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last() {
        Some((i, 's')) => (&s[..i], 1),
        Some((i, 'm')) => (&s[..i], 60),
        Some((i, 'h')) => (&s[..i], 3600),
        Some((i, 'd')) => (&s[..i], 86_400),
        _ => (s, 1),
    };
    num.parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| format!("invalid duration {s:?} (use e.g. 10s, 2m, 1h)"))
}

/// A verified claim as JSON (numbers keep their exact text when serde_json can hold them).
pub fn claim_json(c: &Claim) -> Value {
    match c {
        Claim::Null => Value::Null,
        Claim::Bool(b) => Value::Bool(*b),
        Claim::Number(n) => serde_json::from_str(n).unwrap_or_else(|_| Value::String(n.clone())),
        Claim::String(s) => Value::String(s.clone()),
        Claim::List(v) => Value::Array(v.iter().map(claim_json).collect()),
        Claim::Object(m) => {
            Value::Object(m.iter().map(|(k, v)| (k.clone(), claim_json(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_known_dates() {
        // Values from shared/vectors/x509/expected.json.
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(3_600_000_000), "2084-01-29T16:00:00Z");
        assert_eq!(rfc3339(1_904_191_493), "2030-05-05T06:04:53Z");
        assert_eq!(rfc3339(253_402_300_799), "9999-12-31T23:59:59Z");
        assert_eq!(rfc3339(-631_152_000), "1950-01-01T00:00:00Z");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10s"), Ok(10));
        assert_eq!(parse_duration("2m"), Ok(120));
        assert_eq!(parse_duration("7"), Ok(7));
        assert!(parse_duration("x").is_err());
        assert_eq!(human_duration(90_061), "1d 1h 1m 1s");
        assert_eq!(human_duration(-60), "-1m");
    }
}
