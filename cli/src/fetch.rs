//! Host I/O for the CLI: read a file, standard input or an HTTP(S) URL, with timeouts, a size
//! limit, `https` only unless allowed, and an optional extra CA bundle.

use std::io::Read;
use std::time::Duration;

/// How remote documents are fetched.
#[derive(Clone, Debug)]
pub struct FetchOptions {
    /// Connect and whole-request timeout.
    pub timeout: Duration,
    /// Largest body accepted, in bytes.
    pub max_bytes: u64,
    /// Allow `http://` URLs (in-cluster endpoints).
    pub allow_http: bool,
    /// Extra trusted CA certificates (PEM file), like Istio's extra root CA.
    pub ca_file: Option<String>,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            timeout: Duration::from_secs(5),
            max_bytes: 1 << 20,
            allow_http: false,
            ca_file: None,
        }
    }
}

fn is_url(s: &str) -> bool {
    s.starts_with("https://") || s.starts_with("http://")
}

/// Reads `source`: `-` is standard input, an `http(s)://` URL is fetched, anything else is a file.
pub fn read_source(source: &str, opts: &FetchOptions) -> Result<Vec<u8>, String> {
    if source == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .take(opts.max_bytes + 1)
            .read_to_end(&mut buf)
            .map_err(|e| format!("reading standard input: {e}"))?;
        return check_size(buf, opts, "standard input");
    }
    if is_url(source) {
        return fetch(source, opts).map(|(body, _)| body);
    }
    let meta = std::fs::metadata(source).map_err(|e| format!("{source}: {e}"))?;
    if meta.len() > opts.max_bytes {
        return Err(format!("{source}: larger than {} bytes", opts.max_bytes));
    }
    std::fs::read(source).map_err(|e| format!("{source}: {e}"))
}

fn check_size(buf: Vec<u8>, opts: &FetchOptions, what: &str) -> Result<Vec<u8>, String> {
    if buf.len() as u64 > opts.max_bytes {
        Err(format!("{what}: larger than {} bytes", opts.max_bytes))
    } else {
        Ok(buf)
    }
}

fn agent(opts: &FetchOptions) -> Result<ureq::Agent, String> {
    let mut tls = ureq::tls::TlsConfig::builder();
    if let Some(path) = &opts.ca_file {
        let pem = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
        let certs: Vec<_> = ureq::tls::parse_pem(&pem)
            .filter_map(|item| match item {
                Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                _ => None,
            })
            .collect();
        if certs.is_empty() {
            return Err(format!("{path}: no certificate found"));
        }
        tls = tls.root_certs(ureq::tls::RootCerts::new_with_certs(&certs));
    }
    Ok(ureq::Agent::config_builder()
        .tls_config(tls.build())
        .timeout_global(Some(opts.timeout))
        .timeout_connect(Some(opts.timeout))
        .http_status_as_error(false)
        .https_only(!opts.allow_http)
        .max_redirects(3)
        .proxy(ureq::Proxy::try_from_env())
        .build()
        .into())
}

/// GETs `url`; returns the body and the `Cache-Control` header. Non-2xx statuses are errors.
pub fn fetch(url: &str, opts: &FetchOptions) -> Result<(Vec<u8>, Option<String>), String> {
    if url.starts_with("http://") && !opts.allow_http {
        return Err(format!(
            "{url}: plain http is refused (use --allow-http for in-cluster endpoints)"
        ));
    }
    let agent = agent(opts)?;
    let mut resp = agent
        .get(url)
        .header("Accept", "application/json")
        .call()
        .map_err(|e| format!("{url}: {e}"))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(format!("{url}: HTTP {}", status.as_u16()));
    }
    let cache_control = resp
        .headers()
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let body = resp
        .body_mut()
        .with_config()
        .limit(opts.max_bytes)
        .read_to_vec()
        .map_err(|e| format!("{url}: {e}"))?;
    Ok((body, cache_control))
}
