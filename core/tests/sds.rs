//! `sds::parse_resource_name` against Istio's `TestSdsCertificateConfigFromResourceName`
//! (research/istio.md §3.5) and the other names the agent serves.

use meshauth_core::sds::{self, ResourceName};
use meshauth_core::Status;

#[test]
fn istio_sds_certificate_config_from_resource_name() {
    // (resource, ok, isRoot, isKey, root path, (cert, key))
    let f = sds::parse_resource_name("file-cert:cert~key").unwrap();
    assert_eq!(
        f,
        ResourceName::FileCert {
            cert: "cert",
            key: "key"
        }
    );
    assert!(f.is_key_cert_file() && !f.is_root_file());
    assert_eq!(f.root_path(), None);

    let r = sds::parse_resource_name("file-root:root").unwrap();
    assert_eq!(r, ResourceName::FileRoot { path: "root" });
    assert!(r.is_root_file() && !r.is_key_cert_file());
    assert_eq!(r.root_path(), Some("root"));

    assert_eq!(
        sds::parse_resource_name("file:root"),
        Err(Status::SdsBadResourceName)
    );
    assert_eq!(
        sds::parse_resource_name("file-root:root~extra"),
        Err(Status::SdsBadResourceName)
    );
}

#[test]
fn other_names() {
    assert_eq!(
        sds::parse_resource_name("default"),
        Ok(ResourceName::Default)
    );
    assert_eq!(sds::parse_resource_name("ROOTCA"), Ok(ResourceName::RootCa));
    let sys = sds::parse_resource_name("file-root:system").unwrap();
    assert_eq!(sys, ResourceName::FileRootSystem);
    assert!(sys.is_root_file());
    assert_eq!(
        sds::parse_resource_name("file-cert:/etc/certs/c.pem~/etc/certs/k.pem"),
        Ok(ResourceName::FileCert {
            cert: "/etc/certs/c.pem",
            key: "/etc/certs/k.pem"
        })
    );
    for bad in [
        "",
        "Default",
        "rootca",
        "file-cert:cert",
        "file-cert:a~b~c",
        "file-cert:~key",
        "file-cert:cert~",
        "file-root:",
        "kubernetes://secret",
    ] {
        assert_eq!(
            sds::parse_resource_name(bad),
            Err(Status::SdsBadResourceName),
            "{bad}"
        );
    }
}
