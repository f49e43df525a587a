//! `meshauth`: verify tokens against a JWKS the way Envoy does, and explain rejections.
//!
//! Exit codes: 0 accepted / ok, 1 rejected (the token, key set or certificate is bad), 2 usage or
//! I/O error. `--json` prints one JSON document on stdout.

mod demo;
mod fetch;
mod verify_cmd;

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
    /// Run the built-in demo on embedded data (no network).
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
