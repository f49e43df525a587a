//! JWKS comparison: a canonical form, `changed(old, new)` (Istio's `compareJWKSResponse`, made
//! total and exact), a per-key `diff`, and RFC 7638 thumbprints.
//!
//! # Canonical form
//!
//! [`canonical`] writes a JSON value in the style of RFC 8785 (JCS): no whitespace, object
//! members sorted by the UTF-16 code units of their decoded names, strings decoded and written
//! with the shortest escapes (`"`, `\`, `\b \t \n \f \r`, other controls as `\u00xx`, everything
//! else literal). Numbers differ from RFC 8785 on purpose: they are **exact decimals**, not
//! IEEE doubles, so `1`, `1.0`, `1e0` and `10e-1` all read as `1`, but `9007199254740993` and
//! `9007199254740992` stay different. The spelling follows ECMAScript's `Number::toString` for the
//! exact value (plain digits up to 21 integer digits, `0.000001` down to 10^-6, otherwise
//! `d.ddde±x`); `-0` is `0`. Numbers whose exponent has more than 36 digits are refused.
//!
//! [`canonical_jwks`] is the same form for a JWKS document, except that the `keys` array is
//! written as a multiset: its entries are sorted by their own canonical text (a total order), so
//! order does not matter and duplicates still count.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use crate::json::{self, Array, JStr, Object, Value};
use crate::jwk::JwksOptions;
use crate::Status;

/// Checks that `json` is a usable JWKS document: at most `opts.max_bytes` long, strict JSON,
/// an object, with a `keys` member that is an array (at most `opts.max_keys` entries) of objects.
///
/// Statuses: `JwksTooLarge`, `JwksParseError` (not JSON, or not an object: `null`, `[]`, the
/// empty string, HTML), `JwksNoKeys` (no `keys` member), `JwksBadKeys` (`keys` not an array),
/// `JwksKeyNotObject` (an entry of `keys` is not an object).
pub fn check_document(json: &[u8], opts: &JwksOptions) -> Result<(), Status> {
    parse_document(json, opts).map(|_| ())
}

fn parse_document<'a>(
    json: &'a [u8],
    opts: &JwksOptions,
) -> Result<(Object<'a>, Array<'a>), Status> {
    if json.len() > opts.max_bytes {
        return Err(Status::JwksTooLarge);
    }
    let root = json::parse(json, opts.max_depth).map_err(|_| Status::JwksParseError)?;
    let obj = root.as_object().ok_or(Status::JwksParseError)?;
    let keys = match obj.get("keys") {
        None => return Err(Status::JwksNoKeys),
        Some(Value::Array(a)) => a,
        Some(_) => return Err(Status::JwksBadKeys),
    };
    for (i, k) in keys.iter().enumerate() {
        if i >= opts.max_keys {
            return Err(Status::JwksTooLarge);
        }
        if k.as_object().is_none() {
            return Err(Status::JwksKeyNotObject);
        }
    }
    Ok((obj, keys))
}

/// Whether the key set `new` differs from `old`, with the default [`JwksOptions`].
///
/// - `new` must pass [`check_document`]; otherwise its status is returned (the host keeps its
///   old keys). Unlike Istio, `null` is an error, not a change.
/// - An `old` that is empty or is not itself a usable JWKS document counts as changed.
/// - Otherwise the answer is `canonical_jwks(old) != canonical_jwks(new)`: member order,
///   whitespace, escapes and number spelling do not matter; the `keys` array is a multiset;
///   any other difference, anywhere in the document, is a change.
pub fn changed(old: &[u8], new: &[u8]) -> Result<bool, Status> {
    changed_with(old, new, &JwksOptions::default())
}

/// As [`changed`], with explicit size, key-count and depth limits.
pub fn changed_with(old: &[u8], new: &[u8], opts: &JwksOptions) -> Result<bool, Status> {
    let new_c = canonical_jwks_with(new, opts)?;
    // `old` was stored by the host; read it with the largest limits so a stored document that
    // fits today's limits is never misjudged, but still only as a valid JWKS.
    let lenient = JwksOptions {
        max_bytes: usize::MAX,
        max_keys: usize::MAX,
        ..opts.clone()
    };
    Ok(match canonical_jwks_with(old, &lenient) {
        Ok(old_c) => old_c != new_c,
        Err(_) => true,
    })
}

/// The canonical form (see the module documentation) of any JSON document.
/// `JwksParseError` if `json` is not strict JSON nested at most 32 deep, or has a number whose
/// exponent is longer than 36 digits.
pub fn canonical(json: &[u8]) -> Result<String, Status> {
    let v = json::parse(json, json::DEFAULT_MAX_DEPTH).map_err(|_| Status::JwksParseError)?;
    let mut out = String::with_capacity(json.len());
    write_value(&mut out, v)?;
    Ok(out)
}

/// The canonical form of a JWKS document, with the `keys` entries sorted by their canonical
/// text; errors as [`check_document`] with the default options.
pub fn canonical_jwks(json: &[u8]) -> Result<String, Status> {
    canonical_jwks_with(json, &JwksOptions::default())
}

/// As [`canonical_jwks`], with explicit limits.
pub fn canonical_jwks_with(json: &[u8], opts: &JwksOptions) -> Result<String, Status> {
    if json.len() > opts.max_bytes {
        return Err(Status::JwksTooLarge);
    }
    let root = json::parse(json, opts.max_depth).map_err(|_| Status::JwksParseError)?;
    let obj = root.as_object().ok_or(Status::JwksParseError)?;
    // One pass over the members (the `keys` array is the bulk of the document).
    let mut members: Vec<(alloc::borrow::Cow<'_, str>, Value<'_>)> =
        obj.iter().map(|(k, v)| (k.to_cow(), v)).collect();
    let keys = match members.iter().find(|(k, _)| k == "keys") {
        None => return Err(Status::JwksNoKeys),
        Some((_, Value::Array(a))) => *a,
        Some(_) => return Err(Status::JwksBadKeys),
    };
    let mut entries = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        if i >= opts.max_keys {
            return Err(Status::JwksTooLarge);
        }
        let o = k.as_object().ok_or(Status::JwksKeyNotObject)?;
        let mut s = String::with_capacity(o.raw().len());
        write_object(&mut s, o)?;
        entries.push(s);
    }
    entries.sort_unstable();
    members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
    let mut out = String::with_capacity(json.len());
    out.push('{');
    for (i, (k, v)) in members.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(&mut out, &k);
        out.push(':');
        if k == "keys" {
            out.push('[');
            for (j, e) in entries.iter().enumerate() {
                if j > 0 {
                    out.push(',');
                }
                out.push_str(e);
            }
            out.push(']');
        } else {
            write_value(&mut out, v)?;
        }
    }
    out.push('}');
    Ok(out)
}

fn write_value(out: &mut String, v: Value<'_>) -> Result<(), Status> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if b { "true" } else { "false" }),
        Value::Number(n) => write_number(out, n)?,
        Value::String(s) => write_jstr(out, s),
        Value::Object(o) => write_object(out, o)?,
        Value::Array(a) => {
            out.push('[');
            for (i, e) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, e)?;
            }
            out.push(']');
        }
    }
    Ok(())
}

/// Writes an object with sorted members.
fn write_object(out: &mut String, o: Object<'_>) -> Result<(), Status> {
    let mut members: Vec<(alloc::borrow::Cow<'_, str>, Value<'_>)> =
        o.iter().map(|(k, v)| (k.to_cow(), v)).collect();
    members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
    out.push('{');
    for (i, (k, v)) in members.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(out, &k);
        out.push(':');
        write_value(out, v)?;
    }
    out.push('}');
    Ok(())
}

fn write_jstr(out: &mut String, s: JStr<'_>) {
    match s.as_str() {
        Some(plain) => write_str(out, plain),
        None => {
            out.push('"');
            for c in s.chars() {
                push_escaped(out, c);
            }
            out.push('"');
        }
    }
}

/// Writes `s` as a JSON string with RFC 8785's escapes.
pub(crate) fn write_str(out: &mut String, s: &str) {
    out.push('"');
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push_str(s);
    } else {
        for c in s.chars() {
            push_escaped(out, c);
        }
    }
    out.push('"');
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\u{8}' => out.push_str("\\b"),
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\u{c}' => out.push_str("\\f"),
        '\r' => out.push_str("\\r"),
        c if (c as u32) < 0x20 => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c => out.push(c),
    }
}

/// Writes the exact decimal value of a validated JSON number text (see the module docs).
fn write_number(out: &mut String, n: &str) -> Result<(), Status> {
    let (neg, rest) = match n.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, n),
    };
    let (mantissa, exp_text) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (int, frac) = match mantissa.find('.') {
        Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
        None => (mantissa, ""),
    };
    let mut exp: i128 = match exp_text {
        None => 0,
        Some(t) => {
            let (eneg, digits) = match t.as_bytes().first() {
                Some(b'-') => (true, &t[1..]),
                Some(b'+') => (false, &t[1..]),
                _ => (false, t),
            };
            let digits = digits.trim_start_matches('0');
            if digits.len() > 36 {
                return Err(Status::JwksParseError);
            }
            let v: i128 = if digits.is_empty() {
                0
            } else {
                digits.parse().map_err(|_| Status::JwksParseError)?
            };
            if eneg {
                -v
            } else {
                v
            }
        }
    };
    exp -= frac.len() as i128;
    // All significant digits, without leading or trailing zeros.
    let mut digits: String = String::with_capacity(int.len() + frac.len());
    digits.push_str(int);
    digits.push_str(frac);
    let lead = digits.len() - digits.trim_start_matches('0').len();
    let digits = &digits[lead..];
    if digits.is_empty() {
        out.push('0');
        return Ok(());
    }
    let trimmed = digits.trim_end_matches('0');
    exp += (digits.len() - trimmed.len()) as i128;
    let d = trimmed;
    let k = d.len() as i128;
    // value = 0.d × 10^p
    let p = k + exp;
    if neg {
        out.push('-');
    }
    if k <= p && p <= 21 {
        out.push_str(d);
        for _ in 0..(p - k) {
            out.push('0');
        }
    } else if 0 < p && p <= 21 {
        let split = p as usize;
        out.push_str(&d[..split]);
        out.push('.');
        out.push_str(&d[split..]);
    } else if -6 < p && p <= 0 {
        out.push_str("0.");
        for _ in 0..(-p) {
            out.push('0');
        }
        out.push_str(d);
    } else {
        out.push_str(&d[..1]);
        if d.len() > 1 {
            out.push('.');
            out.push_str(&d[1..]);
        }
        let e = p - 1;
        let _ = write!(
            out,
            "e{}{}",
            if e < 0 { '-' } else { '+' },
            e.unsigned_abs()
        );
    }
    Ok(())
}

/// How a key is named in a [`JwksDiff`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyName {
    /// The key's `kid` (decoded).
    Kid(String),
    /// The key has no string `kid`: its RFC 7638 thumbprint, SHA-256, base64url.
    Thumbprint(String),
    /// The key has neither a `kid` nor the members a thumbprint needs: base64url SHA-256 of the
    /// key's canonical JSON.
    Digest(String),
}

impl KeyName {
    /// The name without its kind.
    pub fn as_str(&self) -> &str {
        match self {
            KeyName::Kid(s) | KeyName::Thumbprint(s) | KeyName::Digest(s) => s,
        }
    }

    /// `"kid"`, `"thumbprint"` or `"digest"`.
    pub fn kind(&self) -> &'static str {
        match self {
            KeyName::Kid(_) => "kid",
            KeyName::Thumbprint(_) => "thumbprint",
            KeyName::Digest(_) => "digest",
        }
    }
}

impl core::fmt::Display for KeyName {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}:{}", self.kind(), self.as_str())
    }
}

/// What changed between two key sets, key by key (each list sorted, without repeats).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JwksDiff {
    /// Names present only in the new set.
    pub added: Vec<KeyName>,
    /// Names present only in the old set.
    pub removed: Vec<KeyName>,
    /// Names present in both, whose keys (as a multiset of canonical forms) differ.
    pub modified: Vec<KeyName>,
}

impl JwksDiff {
    /// Whether nothing was added, removed or modified.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.modified.is_empty()
    }
}

/// Key-by-key difference between two JWKS documents, with the default [`JwksOptions`].
/// `new` must pass [`check_document`]; an `old` that does not is read as an empty set. Keys are
/// named by `kid`, or by thumbprint when they have none (see [`KeyName`]). Differences outside
/// `keys` are not reported here ([`changed`] sees them).
pub fn diff(old: &[u8], new: &[u8]) -> Result<JwksDiff, Status> {
    diff_with(old, new, &JwksOptions::default())
}

/// As [`diff`], with explicit limits.
pub fn diff_with(old: &[u8], new: &[u8], opts: &JwksOptions) -> Result<JwksDiff, Status> {
    let (_, new_keys) = parse_document(new, opts)?;
    let new_map = named_keys(new_keys)?;
    let lenient = JwksOptions {
        max_bytes: usize::MAX,
        max_keys: usize::MAX,
        ..opts.clone()
    };
    let old_map = match parse_document(old, &lenient) {
        Ok((_, k)) => named_keys(k).unwrap_or_default(),
        Err(_) => BTreeMap::new(),
    };
    let mut d = JwksDiff::default();
    for (name, forms) in &new_map {
        match old_map.get(name) {
            None => d.added.push(name.clone()),
            Some(old_forms) if old_forms != forms => d.modified.push(name.clone()),
            Some(_) => {}
        }
    }
    for name in old_map.keys() {
        if !new_map.contains_key(name) {
            d.removed.push(name.clone());
        }
    }
    Ok(d)
}

/// name → sorted canonical forms of the keys with that name.
fn named_keys(keys: Array<'_>) -> Result<BTreeMap<KeyName, Vec<String>>, Status> {
    let mut map: BTreeMap<KeyName, Vec<String>> = BTreeMap::new();
    for k in keys.iter() {
        let Some(o) = k.as_object() else { continue };
        let mut form = String::new();
        write_object(&mut form, o)?;
        let name = match o.get("kid").and_then(|v| v.as_jstr()) {
            Some(kid) => KeyName::Kid(kid.to_cow().into_owned()),
            None => match thumbprint_of(o) {
                Ok(t) => KeyName::Thumbprint(crate::b64::encode(&t)),
                Err(_) => KeyName::Digest(crate::b64::encode(&sha256(form.as_bytes()))),
            },
        };
        map.entry(name).or_default().push(form);
    }
    for forms in map.values_mut() {
        forms.sort_unstable();
    }
    Ok(map)
}

fn sha256(data: &[u8]) -> [u8; 32] {
    let d = ring::digest::digest(&ring::digest::SHA256, data);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// The RFC 7638 thumbprint (SHA-256) of one JWK given as JSON text: the required members only
/// (RSA: `e`, `kty`, `n`; EC: `crv`, `kty`, `x`, `y`; oct: `k`, `kty`; OKP: `crv`, `kty`, `x`),
/// in that order, without whitespace, hashed as UTF-8.
///
/// Statuses: `JwksParseError` (not a JSON object), `JwksMissingKty`, `JwksBadKty` (not a
/// string), `JwksNotImplementedKty`, and the `...Missing...` / `...Bad...` status of the first
/// missing or non-string required member (e.g. `JwksRSAKeyMissingN`, `JwksECKeyBadCrv`).
/// Member values are not decoded or checked: the thumbprint is over the text.
pub fn jwk_thumbprint(jwk: &[u8]) -> Result<[u8; 32], Status> {
    let v = json::parse(jwk, json::DEFAULT_MAX_DEPTH).map_err(|_| Status::JwksParseError)?;
    thumbprint_of(v.as_object().ok_or(Status::JwksParseError)?)
}

/// [`jwk_thumbprint`] in base64url without padding (the form used as a `kid`).
pub fn jwk_thumbprint_b64(jwk: &[u8]) -> Result<String, Status> {
    jwk_thumbprint(jwk).map(|t| crate::b64::encode(&t))
}

/// [`jwk_thumbprint`] of an object of an already parsed document.
pub fn thumbprint_of(o: Object<'_>) -> Result<[u8; 32], Status> {
    let kty = match o.get("kty") {
        None => return Err(Status::JwksMissingKty),
        Some(Value::String(s)) => s.to_cow(),
        Some(_) => return Err(Status::JwksBadKty),
    };
    use Status as S;
    let required: &[(&str, Status, Status)] = match &*kty {
        "RSA" => &[
            ("e", S::JwksRSAKeyMissingE, S::JwksRSAKeyBadE),
            ("n", S::JwksRSAKeyMissingN, S::JwksRSAKeyBadN),
        ],
        "EC" => &[
            ("crv", S::JwksECKeyBadCrv, S::JwksECKeyBadCrv),
            ("x", S::JwksECKeyMissingX, S::JwksECKeyBadX),
            ("y", S::JwksECKeyMissingY, S::JwksECKeyBadY),
        ],
        "oct" => &[("k", S::JwksHMACKeyMissingK, S::JwksHMACKeyBadK)],
        "OKP" => &[
            ("crv", S::JwksOKPKeyMissingCrv, S::JwksOKPKeyBadCrv),
            ("x", S::JwksOKPKeyMissingX, S::JwksOKPKeyBadX),
        ],
        _ => return Err(Status::JwksNotImplementedKty),
    };
    let mut text = String::from("{");
    let mut kty_written = false;
    for (name, missing, bad) in required {
        if !kty_written && *name > "kty" {
            text.push_str("\"kty\":");
            write_str(&mut text, &kty);
            text.push(',');
            kty_written = true;
        }
        let value = match o.get(name) {
            None => return Err(*missing),
            Some(Value::String(s)) => s.to_cow(),
            Some(_) => return Err(*bad),
        };
        write_str(&mut text, name);
        text.push(':');
        write_str(&mut text, &value);
        text.push(',');
    }
    if !kty_written {
        text.push_str("\"kty\":");
        write_str(&mut text, &kty);
    } else {
        text.pop();
    }
    text.push('}');
    Ok(sha256(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(n: &str) -> String {
        let mut s = String::new();
        write_number(&mut s, n).unwrap();
        s
    }

    #[test]
    fn numbers() {
        for (a, b) in [
            ("1", "1"),
            ("1.0", "1"),
            ("1e0", "1"),
            ("10e-1", "1"),
            ("0.1e1", "1"),
            ("-0", "0"),
            ("-0.0e5", "0"),
            ("100", "100"),
            ("1e21", "1e+21"),
            ("1e20", "100000000000000000000"),
            ("123456789012345678901", "123456789012345678901"),
            ("1234567890123456789012", "1.234567890123456789012e+21"),
            ("0.000001", "0.000001"),
            ("0.0000001", "1e-7"),
            ("-1.50", "-1.5"),
            ("12.34", "12.34"),
            ("9007199254740993", "9007199254740993"),
            ("1E+2", "100"),
            ("5e-324", "5e-324"),
        ] {
            assert_eq!(num(a), b, "{a}");
        }
        let mut s = String::new();
        assert!(write_number(&mut s, "1e0000000000000000000000000000000000000000000005").is_ok());
        assert_eq!(s, "100000");
        assert!(write_number(&mut s, "1e1000000000000000000000000000000000000").is_err());
    }

    #[test]
    fn thumbprint_kty_position() {
        // kty sorts after crv and e, before k? ("k" < "kty"), before n, x, y.
        let t = jwk_thumbprint(br#"{"kty":"oct","k":"AA"}"#).unwrap();
        assert_eq!(t, sha256(br#"{"k":"AA","kty":"oct"}"#));
        let t = jwk_thumbprint(br#"{"kty":"EC","crv":"P-256","x":"a","y":"b"}"#).unwrap();
        assert_eq!(t, sha256(br#"{"crv":"P-256","kty":"EC","x":"a","y":"b"}"#));
    }
}
