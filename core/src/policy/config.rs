//! `AuthorizationPolicy` from JSON, Istio's field names and validation rules.

use alloc::string::String;
use alloc::vec::Vec;

use super::{Action, Attribute, AuthorizationPolicy, Condition, Operation, Rule, Source};
use crate::authn::{
    check_keys, documents, err, get_string, get_strings, item_objects, ConfigError, ConfigPath,
};
use crate::json::{self, Object};
use crate::Status;

fn unsupported(path: &ConfigPath, message: &str) -> ConfigError {
    let mut e = err(path, message);
    e.status = Status::ConfigUnsupported;
    e
}

/// Parses Istio `AuthorizationPolicy` JSON: a resource (`{"kind":"AuthorizationPolicy",
/// "metadata":{"name":…},"spec":{…}}`), a bare spec (`{"action":…,"rules":[…]}`), an array of
/// them or a Kubernetes list (`{"kind":"List","items":[…]}`). Resources of other kinds, e.g. a
/// `RequestAuthentication` in the same list, are skipped; more than 4096 items is an error.
pub fn parse_policies(input: &[u8]) -> Result<Vec<AuthorizationPolicy>, ConfigError> {
    let root = json::parse(input, json::DEFAULT_MAX_DEPTH).map_err(|e| ConfigError {
        status: Status::ConfigInvalid,
        field: "(document)".into(),
        message: alloc::format!("not valid JSON ({e:?})"),
    })?;
    let mut out = Vec::new();
    for (i, (name, spec, path)) in documents(root, "AuthorizationPolicy")?
        .into_iter()
        .enumerate()
    {
        let name = if name.is_empty() {
            alloc::format!("policy-{i}")
        } else {
            name
        };
        out.push(parse_spec(name, spec, &path)?);
    }
    Ok(out)
}

fn parse_spec(
    name: String,
    spec: Object<'_>,
    path: &ConfigPath,
) -> Result<AuthorizationPolicy, ConfigError> {
    check_keys(
        spec,
        &[
            "selector",
            "targetRef",
            "targetRefs",
            "action",
            "provider",
            "rules",
        ],
        path,
    )?;
    let action = match get_string(spec, "action", path)?.as_deref() {
        None | Some("ALLOW") => Action::Allow,
        Some("DENY") => Action::Deny,
        Some("AUDIT") | Some("CUSTOM") => {
            return Err(unsupported(
                &path.field("action"),
                "only ALLOW and DENY are evaluated (AUDIT and CUSTOM are not)",
            ))
        }
        Some(_) => {
            return Err(err(
                &path.field("action"),
                "must be ALLOW, DENY, AUDIT or CUSTOM",
            ))
        }
    };
    if spec.get("provider").is_some() {
        return Err(unsupported(
            &path.field("provider"),
            "CUSTOM providers are not evaluated",
        ));
    }
    let mut rules = Vec::new();
    for (r, rp) in item_objects(spec, "rules", path)? {
        rules.push(parse_rule(r, &rp)?);
    }
    Ok(AuthorizationPolicy {
        name,
        action,
        rules,
    })
}

const SOURCE_UNSUPPORTED: &[&str] = &[
    "principals",
    "notPrincipals",
    "namespaces",
    "notNamespaces",
    "ipBlocks",
    "notIpBlocks",
    "remoteIpBlocks",
    "notRemoteIpBlocks",
    "serviceAccounts",
    "notServiceAccounts",
];

fn non_empty_values(values: &[String], path: &ConfigPath, name: &str) -> Result<(), ConfigError> {
    if let Some(i) = values.iter().position(|v| v.is_empty()) {
        return Err(err(
            &path.field(name).index(i),
            &alloc::format!("empty value not allowed, found in {name}"),
        ));
    }
    Ok(())
}

fn parse_rule(o: Object<'_>, path: &ConfigPath) -> Result<Rule, ConfigError> {
    check_keys(o, &["from", "to", "when"], path)?;
    let mut rule = Rule::default();
    for (f, fp) in item_objects(o, "from", path)? {
        check_keys(f, &["source"], &fp)?;
        let sp = fp.field("source");
        let Some(crate::json::Value::Object(s)) = f.get("source") else {
            return Err(err(&sp, "`from.source` must not be nil"));
        };
        for (k, _) in s.iter() {
            let k = k.to_cow();
            if SOURCE_UNSUPPORTED.contains(&k.as_ref()) {
                return Err(unsupported(
                    &sp.field(&k),
                    "only requestPrincipals and notRequestPrincipals are evaluated",
                ));
            }
        }
        check_keys(s, &["requestPrincipals", "notRequestPrincipals"], &sp)?;
        let source = Source {
            request_principals: get_strings(s, "requestPrincipals", &sp)?,
            not_request_principals: get_strings(s, "notRequestPrincipals", &sp)?,
        };
        non_empty_values(&source.request_principals, &sp, "requestPrincipals")?;
        non_empty_values(&source.not_request_principals, &sp, "notRequestPrincipals")?;
        if source.request_principals.is_empty() && source.not_request_principals.is_empty() {
            return Err(err(&sp, "`from.source` must not be empty"));
        }
        rule.from.push(source);
    }
    for (t, tp) in item_objects(o, "to", path)? {
        check_keys(t, &["operation"], &tp)?;
        let op_path = tp.field("operation");
        let Some(crate::json::Value::Object(op)) = t.get("operation") else {
            return Err(err(&op_path, "`to.operation` must not be nil"));
        };
        check_keys(
            op,
            &[
                "hosts",
                "notHosts",
                "ports",
                "notPorts",
                "methods",
                "notMethods",
                "paths",
                "notPaths",
            ],
            &op_path,
        )?;
        let g = |n: &str| get_strings(op, n, &op_path);
        let operation = Operation {
            hosts: g("hosts")?,
            not_hosts: g("notHosts")?,
            methods: g("methods")?,
            not_methods: g("notMethods")?,
            paths: g("paths")?,
            not_paths: g("notPaths")?,
            ports: g("ports")?,
            not_ports: g("notPorts")?,
        };
        for (name, values) in [
            ("ports", &operation.ports),
            ("notPorts", &operation.not_ports),
        ] {
            for (i, v) in values.iter().enumerate() {
                if v.parse::<u16>().map_or(true, |p| p == 0) {
                    return Err(err(&op_path.field(name).index(i), "invalid port"));
                }
            }
        }
        for (name, values) in [
            ("paths", &operation.paths),
            ("notPaths", &operation.not_paths),
        ] {
            if let Some(i) = values.iter().position(|v| v.contains('{')) {
                return Err(unsupported(
                    &op_path.field(name).index(i),
                    "path templates ({*}, {**}) are not evaluated",
                ));
            }
        }
        if operation == Operation::default() {
            return Err(err(&op_path, "`to.operation` must not be empty"));
        }
        rule.to.push(operation);
    }
    for (w, wp) in item_objects(o, "when", path)? {
        check_keys(w, &["key", "values", "notValues"], &wp)?;
        let key = get_string(w, "key", &wp)?.unwrap_or_default();
        let values = get_strings(w, "values", &wp)?;
        let not_values = get_strings(w, "notValues", &wp)?;
        if values.is_empty() && not_values.is_empty() {
            return Err(err(
                &wp,
                &alloc::format!("at least one of values or notValues must be set for key: {key}"),
            ));
        }
        let attribute = parse_key(&key, &wp.field("key"))?;
        rule.when.push(Condition {
            key,
            attribute,
            values,
            not_values,
        });
    }
    Ok(rule)
}

/// Istio's `validateMapKey`: a `[` at an index above 0, a closing `]` at the end, and at least
/// one character between them.
fn valid_map_key(key: &str) -> bool {
    match (key.find('['), key.strip_suffix(']')) {
        (Some(open), Some(_)) => open > 0 && key.len() - 1 > open + 1,
        _ => false,
    }
}

/// The attribute a `when` key reads.
pub(crate) fn parse_key(key: &str, path: &ConfigPath) -> Result<Attribute, ConfigError> {
    match key {
        "" => Err(err(path, "key must not be empty")),
        "request.auth.principal" => Ok(Attribute::Principal),
        "request.auth.audiences" => Ok(Attribute::Audiences),
        "request.auth.presenter" => Ok(Attribute::Presenter),
        _ => {
            if let Some(rest) = key.strip_prefix("request.auth.claims") {
                if !valid_map_key(key) {
                    return Err(err(path, &alloc::format!("invalid key: {key}")));
                }
                let names = super::claim_path(rest)
                    .map_err(|m| err(path, &alloc::format!("invalid key: {key}: {m}")))?;
                return Ok(Attribute::Claims(names));
            }
            Err(unsupported(
                path,
                &alloc::format!(
                    "unsupported key {key}: only request.auth.principal, request.auth.audiences, \
                     request.auth.presenter and request.auth.claims[...] are evaluated"
                ),
            ))
        }
    }
}
