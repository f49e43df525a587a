//! `meshauth`: verify tokens against a JWKS the way Envoy does, and explain rejections.
//!
//! Exit codes: 0 accepted / ok, 1 rejected (the token, key set or certificate is bad), 2 usage or
//! I/O error. `--json` prints one JSON document on stdout.

mod authn_cmd;
mod authz_cmd;
mod cert_cmd;
mod demo;
mod discover;
mod fetch;
mod istio_config;
mod jwks_canonical;
mod jwks_diff;
mod rotation_cmd;
mod thumbprint;
mod util;
mod verify_cmd;
mod watch;

use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Args, Parser, Subcommand};

/// Service-mesh JWT/JWKS and certificate logic (Envoy's jwt_authn, Istio's agent) on the command line.
#[derive(Parser)]
#[command(name = "meshauth", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Verify a JWT against a JWKS (file or URL) with Envoy's rules; explain a rejection.
    #[command(
        after_help = "Examples:\n  meshauth verify \"$TOKEN\" --jwks jwks.json --issuer testing@secure.istio.io\n  meshauth verify - --jwks https://issuer.example/jwks.json --audience api --json < token.txt"
    )]
    Verify(verify_cmd::VerifyArgs),
    /// Decode a JWT without verifying it (header and claims, clearly labelled unverified).
    #[command(after_help = "Example:\n  meshauth decode \"$TOKEN\"")]
    Decode(verify_cmd::DecodeArgs),
    /// Compare two key sets: changed or not, and which keys were added, removed or modified.
    #[command(
        name = "jwks-diff",
        after_help = "Exit 0 when NEW is a usable key set (changed or not), 1 when it is not.\n\nExamples:\n  meshauth jwks-diff old.json new.json\n  meshauth jwks-diff cached.json https://issuer.example/jwks.json --json"
    )]
    JwksDiff(jwks_diff::JwksDiffArgs),
    /// RFC 7638 thumbprint (SHA-256, base64url) of a JWK, or of each key of a JWKS.
    #[command(
        after_help = "Examples:\n  meshauth thumbprint key.json\n  meshauth thumbprint https://issuer.example/jwks.json --json"
    )]
    Thumbprint(thumbprint::ThumbprintArgs),
    /// The canonical form of a JWKS (what `jwks-diff` compares).
    #[command(
        name = "jwks-canonical",
        after_help = "Example:\n  meshauth jwks-canonical jwks.json"
    )]
    JwksCanonical(jwks_canonical::JwksCanonicalArgs),
    /// Certificates: subject, SPIFFE ID, validity, time left, and when to rotate the chain.
    #[command(
        after_help = "Exit 1 if a certificate is expired, not yet valid or does not parse.\n\nExamples:\n  meshauth cert /etc/certs/cert-chain.pem\n  meshauth cert chain.pem --now 1900000000 --created 1890000000 --grace-ratio 0.5 --json"
    )]
    Cert(cert_cmd::CertArgs),
    /// Istio's rotation time for a certificate received at --created that expires at --expire.
    #[command(
        after_help = "Times are Unix seconds.\n\nExamples:\n  meshauth rotation --created 1700000000 --expire 1700086400\n  meshauth rotation --created 0 --expire 86400 --now 40000 --grace-ratio 0.5 --jitter 0.01 --json"
    )]
    Rotation(rotation_cmd::RotationArgs),
    /// OpenID discovery of an issuer: its jwks_uri and the keys there.
    #[command(
        after_help = "Examples:\n  meshauth discover https://accounts.google.com\n  meshauth discover http://issuer.mesh.svc:8080 --allow-http --json"
    )]
    Discover(discover::DiscoverArgs),
    /// Run the JWKS refresh scheduler for real: print each refresh, change and failure.
    #[command(
        after_help = "Stops at --for, or when interrupted (Ctrl-C). With --json, one JSON document per event.\n\nExamples:\n  meshauth watch https://accounts.google.com\n  meshauth watch https://issuer.example/jwks.json --refresh-interval 30s --retry-base 5s --for 5m --json"
    )]
    Watch(watch::WatchArgs),
    /// Request authentication (Istio RequestAuthentication) of one request.
    #[command(
        after_help = "Exit 0 when authentication passes (a verified token, or none), 1 when it rejects.\n\nExamples:\n  meshauth authn --config requestauthn.yaml -H \"Authorization: Bearer $TOKEN\"\n  meshauth authn --config ra.json --query access_token=$TOKEN --path /api --json"
    )]
    Authn(authn_cmd::AuthnArgs),
    /// Authorization (Istio AuthorizationPolicy, JWT parts) of one request, after authentication.
    #[command(
        after_help = "Exit 0 when the mesh answers 200, 1 for 401/403.\n\nExamples:\n  kubectl get requestauthentication,authorizationpolicy -n app -o yaml > mesh.yaml\n  meshauth authz --policy mesh.yaml --config mesh.yaml -H \"Authorization: Bearer $TOKEN\" --path /admin\n  meshauth authz --policy authz.json --config requestauthn.json -H \"Authorization: Bearer $TOKEN\" --path /admin\n  meshauth authz --policy authz.json --method POST --json"
    )]
    Authz(authz_cmd::AuthzArgs),
    /// Run the built-in demo on embedded data (no network).
    #[command(after_help = "Example:\n  meshauth demo      (or: make demo)")]
    Demo,
}

/// Options shared by commands that fetch documents.
#[derive(Args, Clone, Debug)]
pub struct NetArgs {
    /// HTTP timeout in seconds (connect and whole request).
    #[arg(long, default_value_t = 5)]
    timeout: u64,
    /// Allow plain http:// URLs (in-cluster endpoints).
    #[arg(long)]
    allow_http: bool,
    /// Extra CA certificates (PEM) to trust for https.
    #[arg(long, value_name = "FILE")]
    ca_file: Option<String>,
    /// Largest document accepted, in bytes.
    #[arg(long, default_value_t = 1 << 20)]
    max_bytes: u64,
}

impl NetArgs {
    fn options(&self) -> fetch::FetchOptions {
        fetch::FetchOptions {
            timeout: Duration::from_secs(self.timeout),
            max_bytes: self.max_bytes,
            allow_http: self.allow_http,
            ca_file: self.ca_file.clone(),
        }
    }
}

/// The current time in Unix seconds, unless `--now` gave one.
pub fn now_or(now: Option<i64>) -> i64 {
    now.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    })
}

/// The outcome of a command, mapped to the exit code.
pub enum Outcome {
    /// Accepted / ok (exit 0).
    Ok,
    /// Rejected (exit 1).
    Rejected,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Verify(a) => verify_cmd::run_verify(&a),
        Command::Decode(a) => verify_cmd::run_decode(&a),
        Command::JwksDiff(a) => jwks_diff::run(&a),
        Command::Thumbprint(a) => thumbprint::run(&a),
        Command::JwksCanonical(a) => jwks_canonical::run(&a),
        Command::Cert(a) => cert_cmd::run(&a),
        Command::Rotation(a) => rotation_cmd::run(&a),
        Command::Discover(a) => discover::run(&a),
        Command::Watch(a) => watch::run(&a),
        Command::Authn(a) => authn_cmd::run(&a),
        Command::Authz(a) => authz_cmd::run(&a),
        Command::Demo => demo::run(),
    };
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Rejected) => ExitCode::from(1),
        Err(e) => {
            eprintln!("meshauth: {e}");
            ExitCode::from(2)
        }
    }
}
