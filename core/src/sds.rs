//! SDS resource names the Istio agent serves (`pkg/security/security.go`).
//!
//! `default` (workload key and certificate), `ROOTCA` (workload trust bundle),
//! `file-cert:<cert>~<key>`, `file-root:<path>` and `file-root:system` (the OS CA bundle).

use crate::Status;

/// Istio's `WorkloadKeyCertResourceName`.
pub const DEFAULT: &str = "default";
/// Istio's `RootCertReqResourceName`.
pub const ROOTCA: &str = "ROOTCA";
/// Prefix of a key and certificate read from files.
pub const FILE_CERT_PREFIX: &str = "file-cert:";
/// Prefix of a root certificate read from a file.
pub const FILE_ROOT_PREFIX: &str = "file-root:";
/// Istio's `FileRootSystemCACert`: the operating system's CA bundle.
pub const FILE_ROOT_SYSTEM: &str = "file-root:system";

/// A parsed SDS resource name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceName<'a> {
    /// `default`: the workload key and certificate.
    Default,
    /// `ROOTCA`: the workload trust bundle.
    RootCa,
    /// `file-cert:<cert>~<key>`.
    FileCert {
        /// Certificate chain path.
        cert: &'a str,
        /// Private key path.
        key: &'a str,
    },
    /// `file-root:<path>`.
    FileRoot {
        /// Root certificate path.
        path: &'a str,
    },
    /// `file-root:system`: the OS CA bundle.
    FileRootSystem,
}

impl<'a> ResourceName<'a> {
    /// Istio's `IsRootCertificate`: a root served from a file (including `file-root:system`).
    pub fn is_root_file(&self) -> bool {
        matches!(
            self,
            ResourceName::FileRoot { .. } | ResourceName::FileRootSystem
        )
    }

    /// Istio's `IsKeyCertificate`: a key and certificate served from files.
    pub fn is_key_cert_file(&self) -> bool {
        matches!(self, ResourceName::FileCert { .. })
    }

    /// The root path of a `file-root:` name (`"system"` for the OS bundle).
    pub fn root_path(&self) -> Option<&'a str> {
        match self {
            ResourceName::FileRoot { path } => Some(path),
            ResourceName::FileRootSystem => Some("system"),
            _ => None,
        }
    }
}

/// Parses an SDS resource name with Istio's rules: after `file-cert:` splitting on `~` must give
/// exactly two parts; after `file-root:` there must be no `~`. Any other name, and (stricter than
/// Istio, which accepts them and then serves nothing) empty paths, are `SdsBadResourceName`.
pub fn parse_resource_name(name: &str) -> Result<ResourceName<'_>, Status> {
    let bad = Err(Status::SdsBadResourceName);
    if name == DEFAULT {
        return Ok(ResourceName::Default);
    }
    if name == ROOTCA {
        return Ok(ResourceName::RootCa);
    }
    if let Some(files) = name.strip_prefix(FILE_CERT_PREFIX) {
        let mut parts = files.split('~');
        return match (parts.next(), parts.next(), parts.next()) {
            (Some(cert), Some(key), None) if !cert.is_empty() && !key.is_empty() => {
                Ok(ResourceName::FileCert { cert, key })
            }
            _ => bad,
        };
    }
    if let Some(path) = name.strip_prefix(FILE_ROOT_PREFIX) {
        if path.is_empty() || path.contains('~') {
            return bad;
        }
        if name == FILE_ROOT_SYSTEM {
            return Ok(ResourceName::FileRootSystem);
        }
        return Ok(ResourceName::FileRoot { path });
    }
    bad
}
