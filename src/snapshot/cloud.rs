//! The cloud the model runs on: `credential-get --format json`, run in the unit with
//! `juju exec`, for a trusted application (Juju refuses it to others).
//!
//! Shape (internal/worker/uniter/runner/jujuc/credential-get.go writes the unit context's
//! `params.CloudSpec`; ops' `CloudSpec.from_dict` reads the same keys): `{"type": "ec2",
//! "name": "aws", "region": "us-east-1", "endpoint": ..., "identity-endpoint": ...,
//! "storage-endpoint": ..., "credential": {"auth-type": "access-key", "attrs": {...},
//! "redacted": [...]}, "cacertificates": [...], "skip-tls-verify": false,
//! "is-controller-cloud": false}`, empty fields left out.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::runner::Juju;
use crate::state::{CloudCredential, CloudSpec};

#[derive(Deserialize)]
struct SpecInfo {
    #[serde(rename = "type", default)]
    cloud_type: String,
    #[serde(default)]
    name: String,
    region: Option<String>,
    endpoint: Option<String>,
    #[serde(rename = "identity-endpoint")]
    identity_endpoint: Option<String>,
    #[serde(rename = "storage-endpoint")]
    storage_endpoint: Option<String>,
    credential: Option<CredentialInfo>,
    #[serde(rename = "cacertificates", default)]
    ca_certificates: Option<Vec<String>>,
    #[serde(rename = "skip-tls-verify", default)]
    skip_tls_verify: bool,
    #[serde(rename = "is-controller-cloud", default)]
    is_controller_cloud: bool,
}

#[derive(Deserialize)]
struct CredentialInfo {
    #[serde(rename = "auth-type", default)]
    auth_type: String,
    #[serde(default)]
    attrs: Option<BTreeMap<String, String>>,
    #[serde(default)]
    redacted: Option<Vec<String>>,
}

/// The cloud spec `credential-get` gives the unit, or `None` with a warning when Juju refuses
/// it (the charm would get the same refusal).
pub(crate) fn gather(juju: &Juju, unit: &str, warnings: &mut Vec<String>) -> Option<CloudSpec> {
    let info: SpecInfo = match juju.exec_json(unit, &["credential-get", "--format", "json"]) {
        Ok(info) => info,
        Err(e) => {
            warnings.push(format!("the cloud spec is left out: {e}"));
            return None;
        }
    };
    let non_empty = |s: Option<String>| s.filter(|s| !s.is_empty());
    let mut spec = CloudSpec::new(info.cloud_type);
    if !info.name.is_empty() {
        spec.name = info.name;
    }
    spec.region = non_empty(info.region);
    spec.endpoint = non_empty(info.endpoint);
    spec.identity_endpoint = non_empty(info.identity_endpoint);
    spec.storage_endpoint = non_empty(info.storage_endpoint);
    spec.credential = info.credential.map(|c| {
        CloudCredential::new(c.auth_type)
            .attributes(c.attrs.unwrap_or_default())
            .redacted(c.redacted.unwrap_or_default())
    });
    spec.ca_certificates = info.ca_certificates.unwrap_or_default();
    spec.skip_tls_verify = info.skip_tls_verify;
    spec.is_controller_cloud = info.is_controller_cloud;
    Some(spec)
}

#[cfg(test)]
mod tests {
    use super::super::fake::FakeJuju;
    use super::*;

    const COMMAND: &str = "credential-get --format json";

    #[test]
    fn the_spec_is_read_with_juju_s_keys() {
        let spec = r#"{"type":"ec2","name":"aws","region":"us-east-1","endpoint":"https://ec2.us-east-1.amazonaws.com","credential":{"auth-type":"access-key","attrs":{"access-key":"AK","secret-key":"SK"},"redacted":["secret-key"]},"cacertificates":["CERT"],"is-controller-cloud":true}"#;
        let fake = FakeJuju::new().exec("web/0", COMMAND, spec);
        let mut warnings = Vec::new();
        let got = gather(&Juju::new(&fake, None), "web/0", &mut warnings).unwrap();
        assert_eq!(
            got,
            CloudSpec::new("ec2")
                .name("aws")
                .region("us-east-1")
                .endpoint("https://ec2.us-east-1.amazonaws.com")
                .credential(
                    CloudCredential::new("access-key")
                        .attributes([("access-key", "AK"), ("secret-key", "SK")])
                        .redacted(["secret-key"])
                )
                .ca_certificates(["CERT"])
                .is_controller_cloud(true)
        );
        assert!(warnings.is_empty());
    }

    #[test]
    fn a_refusal_leaves_the_spec_out_with_a_warning() {
        let fake = FakeJuju::new().exec_fails(
            "web/0",
            COMMAND,
            "ERROR cannot access cloud credentials: permission denied\n",
        );
        let mut warnings = Vec::new();
        assert_eq!(
            gather(&Juju::new(&fake, None), "web/0", &mut warnings),
            None
        );
        assert!(warnings[0].contains("permission denied"), "{warnings:?}");
    }
}
