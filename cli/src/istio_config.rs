//! Istio resources for `authn` and `authz`, as JSON or as YAML (what `kubectl get … -o yaml` and
//! the Istio docs show). YAML is converted to JSON here, in the host; the core reads JSON only.

use crate::fetch::{read_source, FetchOptions};

/// Reads the configuration at `source` (file, URL or `-`) as JSON text for the core. Text that
/// starts like JSON (`{` or `[` after whitespace) is passed as is. Anything else is read as YAML:
/// every non-empty document (`---` separates them), one document as itself, several as an array,
/// as Python's `meshauth` reads YAML text. YAML is parsed with serde-saphyr's default resource
/// budget (bounded nesting and alias expansion) and rejects duplicate keys, as the core's JSON
/// reader does.
pub fn read_config(source: &str, opts: &FetchOptions) -> Result<Vec<u8>, String> {
    let data = read_source(source, opts)?;
    if matches!(data.trim_ascii_start().first(), Some(b'{' | b'[') | None) {
        return Ok(data);
    }
    let text = std::str::from_utf8(&data).map_err(|_| format!("{source}: not UTF-8 text"))?;
    let mut docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(text)
        .map_err(|e| format!("{source}: neither JSON nor valid YAML: {e}"))?;
    docs.retain(|d| !d.is_null());
    let json = match docs.len() {
        1 => docs.pop().unwrap_or_default(),
        _ => serde_json::Value::Array(docs),
    };
    Ok(json.to_string().into_bytes())
}
