//! `meshauth verify` and `meshauth decode`.

use clap::Args;
use meshauth_core::{verify, Alg, Jwks, Status, Token, Validation};
use serde_json::{json, Value};

use crate::fetch::{read_source, FetchOptions};
use crate::{now_or, NetArgs, Outcome};

/// Arguments of `meshauth verify`.
#[derive(Args)]
#[command(group(clap::ArgGroup::new("keys").required(true).args(["jwks", "issuer_discovery"])))]
pub struct VerifyArgs {
    /// The token, or `-` to read it from standard input.
    token: String,
    /// The key set: a JWKS (or Google x509 map) or PEM public key, as a file or an http(s) URL.
    #[arg(long, value_name = "FILE|URL")]
    jwks: Option<String>,
    /// Find the key set by OpenID discovery of this issuer (its `jwks_uri`); the issuer is also
    /// required in the token unless --issuer says otherwise.
    #[arg(long, value_name = "ISSUER", conflicts_with = "jwks")]
    issuer_discovery: Option<String>,
    /// Required issuer (exact match).
    #[arg(long)]
    issuer: Option<String>,
    /// Accepted audience (repeatable; none = no audience check).
    #[arg(long = "audience", value_name = "AUD")]
    audiences: Vec<String>,
    /// Clock skew in seconds for nbf/exp.
    #[arg(long, default_value_t = 60)]
    clock_skew: u64,
    /// Allowed algorithm (repeatable; default all 13).
    #[arg(long = "alg", value_name = "ALG")]
    algs: Vec<String>,
    /// Verification time, Unix seconds (default: now).
    #[arg(long)]
    now: Option<i64>,
    /// Print one JSON document.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    net: NetArgs,
}

/// Arguments of `meshauth decode`.
#[derive(Args)]
pub struct DecodeArgs {
    /// The token, or `-` to read it from standard input.
    token: String,
}

fn read_token(arg: &str) -> Result<String, String> {
    let raw = if arg == "-" {
        read_source("-", &FetchOptions::default())?
    } else {
        arg.as_bytes().to_vec()
    };
    let text = String::from_utf8(raw).map_err(|_| "the token is not UTF-8 text".to_string())?;
    Ok(text.trim().to_string())
}

/// A JSON document (JWKS or x509 map) when it starts with `{`, else a PEM public key.
fn load_keys(data: &[u8]) -> Result<Jwks, Status> {
    if data.trim_ascii_start().starts_with(b"{") {
        Jwks::from_json(data)
    } else {
        Jwks::from_pem(data)
    }
}

fn json_text(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// Human hints for a rejection: what to compare, from the token, the key set and the settings.
fn explain(status: Status, token: &str, jwks: &Jwks, v: &Validation, now: i64) -> Vec<String> {
    let mut out = Vec::new();
    let parsed = Token::parse(token).ok();
    match (status, &parsed) {
        (Status::JwksKidAlgMismatch, Some(t)) => {
            out.push(format!(
                "the token asks for kid={} alg={}; no key in the set matches both",
                t.kid().unwrap_or("(none)"),
                t.alg()
            ));
            for k in jwks.keys() {
                out.push(format!(
                    "  key kid={} kty={} alg={}{}",
                    k.kid().unwrap_or("(none)"),
                    k.kty().name(),
                    k.alg().unwrap_or("(any of its family)"),
                    k.curve()
                        .map(|c| format!(" crv={}", c.name()))
                        .unwrap_or_default()
                ));
            }
            out.push("the issuer may have rotated its keys: refetch the JWKS".into());
        }
        (Status::JwtExpired, Some(t)) => {
            let exp = t.exp().unwrap_or(0) as i128;
            out.push(format!(
                "exp={} is {} s before now={now} (clock skew {} s)",
                exp,
                i128::from(now) - exp,
                v.clock_skew()
            ));
        }
        (Status::JwtNotYetValid, Some(t)) => {
            let nbf = t.nbf().unwrap_or(0) as i128;
            out.push(format!(
                "nbf={} is {} s after now={now} (clock skew {} s): check the clocks",
                nbf,
                nbf - i128::from(now),
                v.clock_skew()
            ));
        }
        (Status::JwtAudienceNotAllowed, Some(t)) => {
            let token_aud: Vec<String> = t.audiences().map(|a| a.into_owned()).collect();
            out.push(format!(
                "token aud={token_aud:?}; configured (scheme and trailing / ignored): {:?}",
                v.audiences()
            ));
        }
        (Status::JwtUnknownIssuer, Some(t)) => {
            out.push(format!(
                "token iss={:?}; configured issuer={:?} (exact, case-sensitive)",
                t.iss().unwrap_or("(none)"),
                v.issuer().unwrap_or("")
            ));
        }
        (Status::JwtVerificationFail, Some(t)) => {
            out.push(format!(
                "a key matched kid={} alg={} but the signature does not verify: the token was \
                 signed by another key or altered",
                t.kid().unwrap_or("(none)"),
                t.alg()
            ));
        }
        (Status::JwtAlgNotAllowed, Some(t)) => {
            out.push(format!("alg {} is not in the allowed list", t.alg()));
        }
        _ if status.name().starts_with("Jwt") && status.code() >= 4 && status.code() <= 22 => {
            out.push("the token is malformed; `meshauth decode` shows what can be read".into());
        }
        _ => {}
    }
    out
}

/// Runs `meshauth verify`.
pub fn run_verify(a: &VerifyArgs) -> Result<Outcome, String> {
    let token = read_token(&a.token)?;
    let (data, source) = match (&a.jwks, &a.issuer_discovery) {
        (Some(j), _) => (read_source(j, &a.net.options())?, j.clone()),
        (None, Some(iss)) => match crate::discover::resolve(iss, &a.net.options())? {
            Ok(d) => (d.jwks_body, d.jwks_uri),
            Err((s, url)) => {
                return Ok(report_rejection(
                    a,
                    s,
                    vec![format!("OpenID discovery of {iss} ({url}) failed")],
                ))
            }
        },
        (None, None) => return Err("one of --jwks or --issuer-discovery is required".into()),
    };
    let now = now_or(a.now);
    let mut v = Validation::new();
    if let Some(iss) = a.issuer.as_ref().or(a.issuer_discovery.as_ref()) {
        v.set_issuer(iss);
    }
    for aud in &a.audiences {
        v.add_audience(aud);
    }
    v.set_clock_skew(a.clock_skew);
    if !a.algs.is_empty() {
        let mut set = meshauth_core::AlgSet::EMPTY;
        for name in &a.algs {
            set =
                set.with(Alg::from_name(name).ok_or_else(|| format!("unknown algorithm {name}"))?);
        }
        v.set_algorithms(set);
    }
    let jwks = match load_keys(&data) {
        Ok(k) => k,
        Err(s) => {
            return Ok(report_rejection(
                a,
                s,
                vec![format!("the key set {source} did not load")],
            ))
        }
    };
    match verify(token.as_bytes(), &jwks, &v, now) {
        Ok(t) => {
            let scopes: Vec<String> = t.scopes().into_iter().map(|s| s.into_owned()).collect();
            if a.json {
                let doc = json!({
                    "accepted": true,
                    "status": "Ok",
                    "code": 0,
                    "principal": t.principal(),
                    "alg": t.alg().name(),
                    "kid": t.kid(),
                    "scopes": scopes,
                    "header": json_text(t.header_json()),
                    "claims": json_text(t.payload_json()),
                });
                println!("{doc}");
            } else {
                println!(
                    "ACCEPTED ({} with key kid={})",
                    t.alg(),
                    t.kid().unwrap_or("(none)")
                );
                if let Some(p) = t.principal() {
                    println!("principal: {p}");
                }
                if !scopes.is_empty() {
                    println!("scopes:    {}", scopes.join(" "));
                }
                println!("claims:    {}", t.payload_json());
            }
            Ok(Outcome::Ok)
        }
        Err(s) => {
            let why = explain(s, &token, &jwks, &v, now);
            Ok(report_rejection(a, s, why))
        }
    }
}

fn report_rejection(a: &VerifyArgs, s: Status, why: Vec<String>) -> Outcome {
    if a.json {
        let doc = json!({
            "accepted": false,
            "status": s.name(),
            "code": s.code(),
            "message": s.message(),
            "http_status": s.http_status(),
            "explanation": why,
        });
        println!("{doc}");
    } else {
        println!("REJECTED {} ({}): {}", s.name(), s.code(), s.message());
        for line in why {
            println!("  {line}");
        }
    }
    Outcome::Rejected
}

/// Runs `meshauth decode`.
pub fn run_decode(a: &DecodeArgs) -> Result<Outcome, String> {
    let token = read_token(&a.token)?;
    match Token::parse(&token) {
        Ok(t) => {
            let doc = json!({
                "verified": false,
                "warning": "UNVERIFIED: the signature was not checked",
                "header": json_text(t.header_json()),
                "claims": json_text(t.payload_json()),
            });
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
            Ok(Outcome::Ok)
        }
        Err(s) => {
            println!("REJECTED {} ({}): {}", s.name(), s.code(), s.message());
            Ok(Outcome::Rejected)
        }
    }
}
