//! meshauth-core: JWT/JWKS verification with Envoy's semantics, JWKS lifecycle and certificate
//! rotation logic for service meshes, as a `no_std` library. The host does all I/O and passes in
//! bytes and the current time (`now`, Unix seconds); the core returns values or a [`Status`].
//!
//! ```
//! use meshauth_core::{verify, Jwks, Validation};
//! let jwks = Jwks::from_json(br#"{"keys":[{"kty":"oct","k":"c2VjcmV0LWtleS1mb3ItZG9jcw","alg":"HS256"}]}"#).unwrap();
//! let mut v = Validation::new();
//! v.set_issuer("https://issuer.example");
//! let token = b"eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIiwic3ViIjoiYWxpY2UifQ.PLACEHOLDER";
//! assert!(verify(token, &jwks, &v, 1_700_000_000).is_err());
//! ```
//!
//! Cargo feature `aws-lc` (off by default): RS*/PS* signatures are checked with AWS-LC, each key
//! parsed once per algorithm, instead of ring, which rebuilds the key on every check: the same
//! answers (the core's RSA tests run on both), ~20 % less time per RSA verify. It needs std and a C
//! compiler.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
extern crate alloc;

pub mod alg;
pub mod authn;
pub mod b64;
pub mod bundle;
pub mod cert;
pub mod claims;
pub mod discovery;
mod ec_field;
mod ec_table;
mod ed25519;
pub mod json;
pub mod jwk;
pub mod jwks;
pub mod jwks_compare;
pub mod jwt;
pub mod policy;
pub mod refresh;
mod roca;
pub mod rotation;
#[cfg(feature = "aws-lc")]
mod rsa_aws_lc;
pub mod sds;
pub mod status;
pub mod verify;

pub use alg::{Alg, AlgSet};
pub use authn::{Authenticator, Outcome, Provider, RequestView};
pub use jwk::{Curve, Jwk, JwksOptions, KeyType};
pub use jwks::Jwks;
pub use jwks_compare::{jwk_thumbprint, jwk_thumbprint_b64, JwksDiff, KeyName};
pub use jwt::Token;
pub use policy::{evaluate, AuthorizationPolicy, Decision};
pub use refresh::Scheduler;
pub use status::Status;
pub use verify::{verify, verify_jws, Validation, Verified};
