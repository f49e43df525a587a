//! Claim lookup by path and space-delimited claims.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use crate::json::{Object, Value};

/// Walks nested objects by member names (`["a", "b", "c"]` for `a.b.c`).
pub fn lookup<'a, 'p>(
    root: Object<'a>,
    mut path: impl Iterator<Item = &'p str>,
) -> Option<Value<'a>> {
    let mut cur = root.get(path.next()?)?;
    for name in path {
        cur = cur.as_object()?.get(name)?;
    }
    Some(cur)
}

/// Splits a space-delimited string claim into its non-empty pieces (RFC 8693 `scope`); a list of
/// strings gives its string elements; anything else gives nothing.
pub fn split_claim<'a>(value: Option<Value<'a>>) -> Vec<Cow<'a, str>> {
    match value {
        Some(Value::String(s)) => match s.to_cow() {
            Cow::Borrowed(b) => b
                .split(' ')
                .filter(|p| !p.is_empty())
                .map(Cow::Borrowed)
                .collect(),
            Cow::Owned(o) => o
                .split(' ')
                .filter(|p| !p.is_empty())
                .map(|p| Cow::Owned(p.into()))
                .collect(),
        },
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_jstr().map(|s| s.to_cow()))
            .collect(),
        _ => Vec::new(),
    }
}
