//! RFC 5280 §4.1.2.5 validity times decoded into signed Unix seconds.
//!
//! `der`'s time types stop at 1970, but UTCTime covers 1950-2049 (NIST PKITS 4.2.3 has a 1950
//! notBefore), so the raw `UTCTime` / `GeneralizedTime` contents are decoded here. Only the
//! forms RFC 5280 allows are accepted: `YYMMDDHHMMSSZ` and `YYYYMMDDHHMMSSZ` (seconds present,
//! Zulu, no fraction).

use der::Tag;

/// Decodes the value of a `UTCTime` or `GeneralizedTime` into Unix seconds; `None` if the tag is
/// another one or the contents break RFC 5280 §4.1.2.5.1/.2.
pub(crate) fn decode(tag: Tag, value: &[u8]) -> Option<i64> {
    let (year, rest) = match tag {
        Tag::UtcTime => {
            if value.len() != 13 {
                return None;
            }
            let yy = two(value, 0)?;
            // RFC 5280 §4.1.2.5.1: YY >= 50 is 19YY, YY < 50 is 20YY.
            let year = if yy >= 50 { 1900 + yy } else { 2000 + yy };
            (year, &value[2..])
        }
        Tag::GeneralizedTime => {
            if value.len() != 15 {
                return None;
            }
            (two(value, 0)? * 100 + two(value, 2)?, &value[4..])
        }
        _ => return None,
    };
    // rest = MMDDHHMMSSZ
    if rest.len() != 11 || rest[10] != b'Z' {
        return None;
    }
    let month = two(rest, 0)?;
    let day = two(rest, 2)?;
    let hour = two(rest, 4)?;
    let minute = two(rest, 6)?;
    let second = two(rest, 8)?;
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3_600 + minute * 60 + second)
}

fn two(s: &[u8], at: usize) -> Option<i64> {
    let a = *s.get(at)?;
    let b = *s.get(at + 1)?;
    if a.is_ascii_digit() && b.is_ascii_digit() {
        Some(i64::from(a - b'0') * 10 + i64::from(b - b'0'))
    } else {
        None
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_pivot_and_epoch() {
        // Values from RFC 5280 examples / well-known instants.
        assert_eq!(decode(Tag::UtcTime, b"700101000000Z"), Some(0));
        assert_eq!(decode(Tag::UtcTime, b"500101120100Z"), Some(-631_108_740));
        assert_eq!(decode(Tag::UtcTime, b"491231235959Z"), Some(2_524_607_999));
        assert_eq!(
            decode(Tag::GeneralizedTime, b"99991231235959Z"),
            Some(253_402_300_799)
        );
        assert_eq!(
            decode(Tag::GeneralizedTime, b"20000229000000Z"),
            Some(951_782_400)
        );
    }

    #[test]
    fn rejects_non_rfc5280_forms() {
        for bad in [
            &b"1204270000Z"[..],
            b"160810142728-0500",
            b"700101000000",
            b"701301000000Z",
            b"700132000000Z",
            b"700101240000Z",
            b"700101006000Z",
            b"700101000060Z",
            b"7001010000 0Z",
            b"",
        ] {
            assert_eq!(decode(Tag::UtcTime, bad), None, "{:?}", bad);
        }
        assert_eq!(decode(Tag::GeneralizedTime, b"20571201060708.999Z"), None);
        assert_eq!(decode(Tag::GeneralizedTime, b"20230229000000Z"), None);
        assert_eq!(decode(Tag::GeneralizedTime, b"2023022800000Z"), None);
        assert_eq!(decode(Tag::Utf8String, b"700101000000Z"), None);
    }
}
