//! meshauth-core: JWT/JWKS verification with Envoy's semantics, JWKS lifecycle and certificate
//! rotation logic for service meshes, as a `no_std` library. The host does all I/O and passes in
//! bytes and the current time (`now`, Unix seconds); the core returns values or a [`Status`].
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
extern crate alloc;

pub mod b64;
pub mod bundle;
pub mod cert;
pub mod json;
pub mod rotation;
pub mod sds;
pub mod status;

pub use status::Status;
