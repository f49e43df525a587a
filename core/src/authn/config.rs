//! `RequestAuthentication` from JSON with Istio's field names and validation rules
//! (`pkg/config/validation`: `validateJwtRule`), plus the JSON helpers the policy config shares.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::{ClaimToHeader, ConfigError, HeaderLocation, Provider};
use crate::json::{self, Object, Value};
use crate::jwks::Jwks;
use crate::Status;

/// Most documents / rules / list entries read from one configuration.
const MAX_ITEMS: usize = 4096;

/// A field path being read, e.g. `[1].spec.jwtRules[0]`.
#[derive(Clone, Debug)]
pub(crate) struct ConfigPath(pub String);

impl ConfigPath {
    pub(crate) fn field(&self, name: &str) -> ConfigPath {
        if self.0.is_empty() {
            ConfigPath(name.into())
        } else {
            ConfigPath(alloc::format!("{}.{}", self.0, name))
        }
    }

    pub(crate) fn index(&self, i: usize) -> ConfigPath {
        ConfigPath(alloc::format!("{}[{}]", self.0, i))
    }

    fn shown(&self) -> String {
        if self.0.is_empty() {
            "(document)".into()
        } else {
            self.0.clone()
        }
    }
}

/// A `ConfigInvalid` error at `path`.
pub(crate) fn err(path: &ConfigPath, message: &str) -> ConfigError {
    ConfigError {
        status: Status::ConfigInvalid,
        field: path.shown(),
        message: message.into(),
    }
}

/// Rejects members of `o` not in `allowed` (a typo must not silently change a decision).
pub(crate) fn check_keys(
    o: Object<'_>,
    allowed: &[&str],
    path: &ConfigPath,
) -> Result<(), ConfigError> {
    for (k, _) in o.iter() {
        let k = k.to_cow();
        if !allowed.contains(&k.as_ref()) {
            return Err(err(
                &path.field(&k),
                &alloc::format!("unknown field (known: {})", allowed.join(", ")),
            ));
        }
    }
    Ok(())
}

/// An optional string member (`null` = absent).
pub(crate) fn get_string(
    o: Object<'_>,
    name: &str,
    path: &ConfigPath,
) -> Result<Option<String>, ConfigError> {
    match o.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.to_cow().into_owned())),
        Some(_) => Err(err(&path.field(name), "must be a string")),
    }
}

/// An optional bool member.
pub(crate) fn get_bool(
    o: Object<'_>,
    name: &str,
    path: &ConfigPath,
) -> Result<Option<bool>, ConfigError> {
    match o.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(b)),
        Some(_) => Err(err(&path.field(name), "must be true or false")),
    }
}

/// An optional list of strings (absent = empty).
pub(crate) fn get_strings(
    o: Object<'_>,
    name: &str,
    path: &ConfigPath,
) -> Result<Vec<String>, ConfigError> {
    let p = path.field(name);
    match o.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => {
            let mut v = Vec::new();
            for (i, e) in a.iter().enumerate() {
                if i >= MAX_ITEMS {
                    return Err(err(&p, "too many entries"));
                }
                match e {
                    Value::String(s) => v.push(s.to_cow().into_owned()),
                    _ => return Err(err(&p.index(i), "must be a string")),
                }
            }
            Ok(v)
        }
        Some(_) => Err(err(&p, "must be a list of strings")),
    }
}

/// An optional list of objects (absent = empty), each with its path.
pub(crate) fn item_objects<'a>(
    o: Object<'a>,
    name: &str,
    path: &ConfigPath,
) -> Result<Vec<(Object<'a>, ConfigPath)>, ConfigError> {
    let p = path.field(name);
    match o.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => {
            let mut v = Vec::new();
            for (i, e) in a.iter().enumerate() {
                if i >= MAX_ITEMS {
                    return Err(err(&p, "too many entries"));
                }
                match e {
                    Value::Object(x) => v.push((x, p.index(i))),
                    _ => return Err(err(&p.index(i), "must be an object")),
                }
            }
            Ok(v)
        }
        Some(_) => Err(err(&p, "must be a list of objects")),
    }
}

/// The specs of kind `kind` in `input`: a resource (`apiVersion`/`kind`/`metadata`/`spec`), a
/// bare spec, an array of them, or a Kubernetes list (`{"kind":"List","items":[…]}`, what
/// `kubectl get … -o json` prints; also `<kind>List`), at the top or as an element of the array
/// (a multi-document YAML file of several `kubectl` outputs). Resources of another kind are
/// skipped. Each comes with its `metadata.name` (or `""`) and its path. More than [`MAX_ITEMS`]
/// resources in all is an error.
pub(crate) fn documents<'a>(
    root: Value<'a>,
    kind: &str,
) -> Result<Vec<(String, Object<'a>, ConfigPath)>, ConfigError> {
    let mut out = Vec::new();
    let top = ConfigPath(String::new());
    let mut items = Vec::new();
    match root {
        Value::Array(a) => {
            for (i, e) in a.iter().enumerate() {
                push_resource(&mut items, e, top.index(i), kind)?;
            }
        }
        v => push_resource(&mut items, v, top, kind)?,
    }
    for (v, path) in items {
        let Value::Object(o) = v else {
            return Err(err(&path, "must be an object"));
        };
        let Some(k) = get_string(o, "kind", &path)? else {
            if o.get("spec").is_some() {
                return Err(err(
                    &path.field("kind"),
                    "a resource with `spec` needs `kind`",
                ));
            }
            out.push((String::new(), o, path));
            continue;
        };
        if k != kind {
            continue;
        }
        check_keys(
            o,
            &["apiVersion", "kind", "metadata", "spec", "status"],
            &path,
        )?;
        let name = match o.get("metadata") {
            Some(Value::Object(m)) => {
                get_string(m, "name", &path.field("metadata"))?.unwrap_or_default()
            }
            None => String::new(),
            Some(_) => return Err(err(&path.field("metadata"), "must be an object")),
        };
        match o.get("spec") {
            Some(Value::Object(spec)) => out.push((name, spec, path.field("spec"))),
            None => out.push((name, json::reread_object("{}"), path.field("spec"))),
            Some(_) => return Err(err(&path.field("spec"), "must be an object")),
        }
    }
    Ok(out)
}

/// Appends `v` (at `path`) to `items`, or the items of `v` when it is a Kubernetes list.
fn push_resource<'a>(
    items: &mut Vec<(Value<'a>, ConfigPath)>,
    v: Value<'a>,
    path: ConfigPath,
    kind: &str,
) -> Result<(), ConfigError> {
    let mut push = |v, path: ConfigPath| {
        if items.len() >= MAX_ITEMS {
            return Err(err(
                &path,
                &alloc::format!("more than {MAX_ITEMS} resources"),
            ));
        }
        items.push((v, path));
        Ok(())
    };
    match v {
        Value::Object(o) if is_kube_list(o, kind) => {
            let path = path.field("items");
            let Some(Value::Array(a)) = o.get("items") else {
                return Err(err(&path, "a list resource needs `items`, a list"));
            };
            for (i, e) in a.iter().enumerate() {
                push(e, path.index(i))?;
            }
            Ok(())
        }
        v => push(v, path),
    }
}

/// Whether `o` is a Kubernetes list object: `kind` is `List` or `<kind>List` (e.g.
/// `RequestAuthenticationList`).
fn is_kube_list(o: Object<'_>, kind: &str) -> bool {
    match o.get("kind") {
        Some(Value::String(k)) => {
            let k = k.to_cow();
            k == "List" || k.strip_suffix("List") == Some(kind)
        }
        _ => false,
    }
}

/// Parses the JSON input (see [`super::Authenticator::from_json`]) into providers.
pub(crate) fn parse_request_authentications(input: &[u8]) -> Result<Vec<Provider>, ConfigError> {
    let root = json::parse(input, json::DEFAULT_MAX_DEPTH).map_err(|e| ConfigError {
        status: Status::ConfigInvalid,
        field: "(document)".into(),
        message: alloc::format!("not valid JSON ({e:?})"),
    })?;
    let mut providers = Vec::new();
    for (_, spec, path) in documents(root, "RequestAuthentication")? {
        check_keys(
            spec,
            &["jwtRules", "selector", "targetRef", "targetRefs"],
            &path,
        )?;
        for (rule, rpath) in item_objects(spec, "jwtRules", &path)? {
            providers.push(parse_rule(rule, &rpath)?);
        }
    }
    Ok(providers)
}

const RULE_KEYS: &[&str] = &[
    "issuer",
    "audiences",
    "jwksUri",
    "jwks",
    "fromHeaders",
    "fromParams",
    "fromCookies",
    "outputPayloadToHeader",
    "forwardOriginalToken",
    "outputClaimToHeaders",
    "timeout",
    "spaceDelimitedClaims",
    "clockSkewSeconds",
];

/// One `JWTRule`, with Istio's `validateJwtRule` checks.
fn parse_rule(o: Object<'_>, path: &ConfigPath) -> Result<Provider, ConfigError> {
    check_keys(o, RULE_KEYS, path)?;
    let issuer = get_string(o, "issuer", path)?.unwrap_or_default();
    let jwks_uri = get_string(o, "jwksUri", path)?.filter(|s| !s.is_empty());
    let jwks = get_string(o, "jwks", path)?.filter(|s| !s.is_empty());
    if issuer.is_empty() && jwks_uri.is_none() {
        return Err(err(path, "issuer or jwksUri must be set"));
    }
    let audiences = get_strings(o, "audiences", path)?;
    for (i, a) in audiences.iter().enumerate() {
        if a.is_empty() {
            return Err(err(
                &path.field("audiences").index(i),
                "audience must be non-empty",
            ));
        }
    }
    if let Some(uri) = &jwks_uri {
        check_jwks_uri(uri, &path.field("jwksUri"))?;
        if jwks.is_some() {
            return Err(err(
                &path.field("jwks"),
                "only one of jwks or jwksUri may be set",
            ));
        }
    }
    let keys = match &jwks {
        Some(text) => Some(Arc::new(Jwks::from_json(text.as_bytes()).map_err(|s| {
            ConfigError {
                status: s,
                field: path.field("jwks").shown(),
                message: alloc::format!("inline JWKS does not parse: {}", s.message()),
            }
        })?)),
        None => None,
    };
    let mut p = Provider::new(&issuer, keys);
    p.audiences = audiences;
    p.jwks_uri = jwks_uri;
    for (h, hp) in item_objects(o, "fromHeaders", path)? {
        check_keys(h, &["name", "prefix"], &hp)?;
        let name = get_string(h, "name", &hp)?.unwrap_or_default();
        if name.is_empty() {
            return Err(err(
                &hp.field("name"),
                "location header name must be non-empty",
            ));
        }
        let prefix = get_string(h, "prefix", &hp)?.unwrap_or_default();
        p.from_headers.push(HeaderLocation { name, prefix });
    }
    p.from_params = get_strings(o, "fromParams", path)?;
    if let Some(i) = p.from_params.iter().position(|s| s.is_empty()) {
        return Err(err(
            &path.field("fromParams").index(i),
            "location query must be non-empty",
        ));
    }
    p.from_cookies = get_strings(o, "fromCookies", path)?;
    if let Some(i) = p.from_cookies.iter().position(|s| s.is_empty()) {
        return Err(err(
            &path.field("fromCookies").index(i),
            "cookie name must be non-empty",
        ));
    }
    p.output_payload_to_header =
        get_string(o, "outputPayloadToHeader", path)?.filter(|s| !s.is_empty());
    if let Some(h) = &p.output_payload_to_header {
        if !is_header_name(h) {
            return Err(err(
                &path.field("outputPayloadToHeader"),
                "invalid header name",
            ));
        }
    }
    p.forward_original_token = get_bool(o, "forwardOriginalToken", path)?.unwrap_or(false);
    for (c, cp) in item_objects(o, "outputClaimToHeaders", path)? {
        check_keys(c, &["header", "claim"], &cp)?;
        let header = get_string(c, "header", &cp)?.unwrap_or_default();
        let claim = get_string(c, "claim", &cp)?.unwrap_or_default();
        if header.is_empty() {
            return Err(err(&cp.field("header"), "header must be non-empty"));
        }
        if !is_header_name(&header) {
            return Err(err(
                &cp.field("header"),
                "header name must match ^[-_A-Za-z0-9]+$",
            ));
        }
        if claim.is_empty() {
            return Err(err(&cp.field("claim"), "claim must be non-empty"));
        }
        p.output_claim_to_headers
            .push(ClaimToHeader { header, claim });
    }
    if let Some(t) = get_string(o, "timeout", path)? {
        if !is_duration(&t) {
            return Err(err(
                &path.field("timeout"),
                "invalid duration (e.g. \"5s\", \"100ms\")",
            ));
        }
    }
    p.space_delimited_claims = get_strings(o, "spaceDelimitedClaims", path)?;
    if p.space_delimited_claims.len() > 64 {
        return Err(err(
            &path.field("spaceDelimitedClaims"),
            "at most 64 entries",
        ));
    }
    if let Some(i) = p.space_delimited_claims.iter().position(|s| s.is_empty()) {
        return Err(err(
            &path.field("spaceDelimitedClaims").index(i),
            "claim name must be non-empty",
        ));
    }
    match o.get("clockSkewSeconds") {
        None | Some(Value::Null) => {}
        Some(Value::Number(n)) if n.bytes().all(|c| c.is_ascii_digit()) && n.len() <= 10 => {
            p.clock_skew = n.parse().unwrap_or(0);
        }
        Some(_) => {
            return Err(err(
                &path.field("clockSkewSeconds"),
                "must be a whole number of seconds",
            ))
        }
    }
    Ok(p)
}

/// Istio's `ParseJwksURI`: `http` or `https`, with a host; at most 2048 characters.
fn check_jwks_uri(uri: &str, path: &ConfigPath) -> Result<(), ConfigError> {
    if uri.len() > 2048 {
        return Err(err(path, "at most 2048 characters"));
    }
    let rest = uri
        .strip_prefix("https://")
        .or_else(|| uri.strip_prefix("http://"))
        .ok_or_else(|| err(path, "scheme must be http or https"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(err(path, "missing host"));
    }
    Ok(())
}

/// `^[-_A-Za-z0-9]+$`, Istio's header-name rule for output headers.
pub(crate) fn is_header_name(h: &str) -> bool {
    !h.is_empty()
        && h.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
}

/// A Go/protobuf duration: `<number><unit>` repeated (`ns us µs ms s m h`), e.g. `1.5s`, `1m30s`.
fn is_duration(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    if s == "0" {
        return true;
    }
    let mut rest = s;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let num = &rest[..n];
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return false;
        }
        rest = &rest[n..];
        let unit = ["ns", "us", "µs", "ms", "s", "m", "h"]
            .iter()
            .find(|u| rest.starts_with(**u) && !(**u == "m" && rest.starts_with("ms")));
        match unit {
            Some(u) => rest = &rest[u.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        for ok in ["5s", "10ms", "1m30s", "1.5h", "0", "100us"] {
            assert!(is_duration(ok), "{ok}");
        }
        for bad in ["", "5", "s", "5x", "1..2s", "ms"] {
            assert!(!is_duration(bad), "{bad}");
        }
    }
}
