//! Token locations and extraction, following Envoy's `jwt_authn/extractor.cc`.
//!
//! Locations of a group of providers are merged the way Envoy's extractor merges them: header
//! locations are keyed by lower-case name + prefix, parameters and cookies by name; each location
//! remembers which issuers configured it. Tokens come out in Envoy's order: header locations
//! (sorted by key), then parameters (sorted by name), then cookies (sorted by name).

use alloc::borrow::Cow;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use super::{Provider, RequestView};

/// Where a token was found.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Place {
    /// A header (lower-case name) and the prefix searched in it.
    Header(String, String),
    /// A query parameter.
    Param(String),
    /// A cookie.
    Cookie(String),
}

/// The issuers that configured a location (a provider without issuer allows every issuer).
#[derive(Clone, Debug, Default)]
pub(crate) struct Issuers {
    allow_all: bool,
    list: Vec<String>,
}

impl Issuers {
    fn add(&mut self, issuer: &str) {
        if issuer.is_empty() {
            self.allow_all = true;
        } else if !self.list.iter().any(|i| i == issuer) {
            self.list.push(issuer.into());
        }
    }

    /// Envoy's `JwtIssuerChecker::check`.
    pub(crate) fn allows(&self, iss: &str) -> bool {
        self.allow_all || self.list.iter().any(|i| i == iss)
    }
}

/// A token found in a request.
#[derive(Clone, Debug)]
pub(crate) struct Found<'r> {
    pub place: Place,
    pub token: Cow<'r, str>,
    pub issuers: Issuers,
}

/// The merged locations of a group of providers, in Envoy's extraction order.
pub(crate) fn locations<'p>(
    providers: impl Iterator<Item = &'p Provider>,
) -> BTreeMap<Place, Issuers> {
    let mut map: BTreeMap<Place, Issuers> = BTreeMap::new();
    for p in providers {
        for place in p.places() {
            map.entry(place).or_default().add(&p.issuer);
        }
    }
    map
}

/// Base64url alphabet plus `.`: the characters of a compact JWS.
fn is_token_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c == b'.'
}

/// The token in a header value: the prefix is searched anywhere in the value (case-sensitive);
/// the token is the run of base64url/`.` characters that starts at the first such character
/// after it. `None` when the prefix is absent (the location has no token). With an empty prefix
/// the whole value is the token. When no token character follows the prefix, the whole value is
/// returned, as Envoy does for backward compatibility (it then fails to parse).
pub fn token_in_header_value<'v>(value: &'v str, prefix: &str) -> Option<&'v str> {
    if prefix.is_empty() {
        return Some(value);
    }
    let at = value.find(prefix)? + prefix.len();
    let rest = &value.as_bytes()[at..];
    let Some(start) = rest.iter().position(|&c| is_token_char(c)) else {
        return Some(value);
    };
    let len = rest[start..]
        .iter()
        .position(|&c| !is_token_char(c))
        .unwrap_or(rest.len() - start);
    value.get(at + start..at + start + len)
}

/// All values of header `name` (ASCII case-insensitive), joined with `,` as a proxy joins
/// repeated headers; `None` when the header is absent.
pub(crate) fn joined_header<'r>(req: &RequestView<'r>, name: &str) -> Option<Cow<'r, str>> {
    let mut out: Option<Cow<'r, str>> = None;
    for (n, v) in req.headers {
        if n.eq_ignore_ascii_case(name) {
            out = Some(match out {
                None => Cow::Borrowed(*v),
                Some(prev) => {
                    let mut s = prev.into_owned();
                    s.push(',');
                    s.push_str(v);
                    Cow::Owned(s)
                }
            });
        }
    }
    out
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Percent-decodes a query component (`%XX`; an invalid escape is kept as written; `+` is kept).
pub fn url_decode(s: &str) -> Cow<'_, str> {
    if !s.contains('%') {
        return Cow::Borrowed(s);
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    match String::from_utf8(out) {
        Ok(s) => Cow::Owned(s),
        Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
    }
}

/// The first value of query parameter `name` (names and values URL-decoded), Envoy's
/// `parseAndDecodeQueryString` + `getFirstValue`. `query` is the text after `?` (a leading `?` is
/// ignored).
pub fn query_param<'q>(query: &'q str, name: &str) -> Option<Cow<'q, str>> {
    let query = query.strip_prefix('?').unwrap_or(query);
    let query = query.split('#').next().unwrap_or("");
    for pair in query.split('&') {
        if pair.is_empty() {
            continue;
        }
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if url_decode(k) == name {
            return Some(url_decode(v));
        }
    }
    None
}

/// The value of cookie `name`: the host's parsed cookies first, then `Cookie` headers
/// (`a=b; c=d`, surrounding double quotes removed, as Envoy's `parseCookies`); the first wins.
pub fn cookie<'r>(req: &RequestView<'r>, name: &str) -> Option<&'r str> {
    if let Some((_, v)) = req.cookies.iter().find(|(n, _)| *n == name) {
        return Some(v);
    }
    for (n, v) in req.headers {
        if !n.eq_ignore_ascii_case("cookie") {
            continue;
        }
        for part in v.split(';') {
            let part = part.trim_start_matches([' ', '\t']);
            let Some((k, val)) = part.split_once('=') else {
                continue;
            };
            if k == name {
                let val = val
                    .strip_prefix('"')
                    .and_then(|x| x.strip_suffix('"'))
                    .unwrap_or(val);
                return Some(val);
            }
        }
    }
    None
}

/// Extracts the tokens at `locs` from `req`, in Envoy's order.
pub(crate) fn extract<'r>(
    req: &RequestView<'r>,
    locs: &BTreeMap<Place, Issuers>,
) -> Vec<Found<'r>> {
    let mut out = Vec::new();
    for (place, issuers) in locs {
        let token: Option<Cow<'r, str>> = match place {
            Place::Header(name, prefix) => match joined_header(req, name) {
                Some(Cow::Borrowed(v)) => token_in_header_value(v, prefix).map(Cow::Borrowed),
                Some(Cow::Owned(v)) => {
                    token_in_header_value(&v, prefix).map(|t| Cow::Owned(String::from(t)))
                }
                None => None,
            },
            Place::Param(name) => query_param(req.query, name),
            Place::Cookie(name) => cookie(req, name).map(Cow::Borrowed),
        };
        if let Some(token) = token {
            out.push(Found {
                place: place.clone(),
                token,
                issuers: issuers.clone(),
            });
        }
    }
    out
}
