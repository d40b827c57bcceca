//! The cloud the model runs on, as `credential-get` reports it (for trusted applications).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Model;

/// A cloud credential (ops' `CloudCredential`).
///
/// JSON form: `{"auth_type": "userpass", "attributes": {"username": "u"}, "redacted": []}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, default)]
pub struct CloudCredential {
    /// The authentication type (`userpass`, `certificate`, `access-key`, ...).
    pub auth_type: String,
    /// The credential's attributes (for AWS, `access-key` and `secret-key`). Defaults to none.
    pub attributes: BTreeMap<String, String>,
    /// The attributes whose values are redacted. Defaults to none.
    pub redacted: Vec<String>,
}

impl CloudCredential {
    /// A credential of this authentication type, with no attributes.
    pub fn new(auth_type: impl Into<String>) -> Self {
        CloudCredential {
            auth_type: auth_type.into(),
            ..CloudCredential::default()
        }
    }

    /// Add attributes.
    pub fn attributes<K: Into<String>, V: Into<String>>(
        mut self,
        attributes: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.attributes
            .extend(attributes.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Add names of redacted attributes.
    pub fn redacted<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.redacted.extend(names.into_iter().map(Into::into));
        self
    }
}

/// A cloud spec (ops' `CloudSpec`): what `Model.get_cloud_spec()` returns to a trusted
/// application.
///
/// JSON form: ops' field names, with the cloud type as `type`: `{"type": "lxd", "name":
/// "localhost", "region": null, "endpoint": null, "identity_endpoint": null,
/// "storage_endpoint": null, "credential": null, "ca_certificates": [], "skip_tls_verify":
/// false, "is_controller_cloud": false}`.
///
/// ```
/// # use ops_scenario::{CloudCredential, CloudSpec, Model, ModelType};
/// let spec = CloudSpec::new("ec2")
///     .region("us-east-1")
///     .credential(CloudCredential::new("access-key").attributes([("access-key", "AK")]));
/// assert_eq!(spec.name, "localhost");
/// let model = Model::default().model_type(ModelType::Lxd).cloud_spec(spec);
/// assert!(model.cloud_spec.is_some());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, default)]
pub struct CloudSpec {
    /// The cloud type (`ec2`, `lxd`, `kubernetes`, ...).
    #[serde(rename = "type")]
    pub cloud_type: String,
    /// The Juju cloud name. Defaults to `localhost`.
    pub name: String,
    /// The region. Defaults to none.
    pub region: Option<String>,
    /// The endpoint. Defaults to none.
    pub endpoint: Option<String>,
    /// The identity endpoint. Defaults to none.
    pub identity_endpoint: Option<String>,
    /// The storage endpoint. Defaults to none.
    pub storage_endpoint: Option<String>,
    /// The credential. Defaults to none.
    pub credential: Option<CloudCredential>,
    /// CA certificates. Defaults to none.
    pub ca_certificates: Vec<String>,
    /// Whether to skip TLS verification. Defaults to `false`.
    pub skip_tls_verify: bool,
    /// Whether this is the controller's cloud. Defaults to `false`.
    pub is_controller_cloud: bool,
}

impl Default for CloudSpec {
    fn default() -> Self {
        CloudSpec {
            cloud_type: String::new(),
            name: "localhost".to_owned(),
            region: None,
            endpoint: None,
            identity_endpoint: None,
            storage_endpoint: None,
            credential: None,
            ca_certificates: Vec::new(),
            skip_tls_verify: false,
            is_controller_cloud: false,
        }
    }
}

impl CloudSpec {
    /// A cloud of this type (`ec2`, `lxd`, ...) named `localhost`, with nothing else set.
    pub fn new(cloud_type: impl Into<String>) -> Self {
        CloudSpec {
            cloud_type: cloud_type.into(),
            ..CloudSpec::default()
        }
    }

    /// Set the Juju cloud name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Set the region.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Set the endpoint.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// Set the identity endpoint.
    pub fn identity_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.identity_endpoint = Some(endpoint.into());
        self
    }

    /// Set the storage endpoint.
    pub fn storage_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.storage_endpoint = Some(endpoint.into());
        self
    }

    /// Set the credential.
    pub fn credential(mut self, credential: CloudCredential) -> Self {
        self.credential = Some(credential);
        self
    }

    /// Add CA certificates.
    pub fn ca_certificates<S: Into<String>>(
        mut self,
        certificates: impl IntoIterator<Item = S>,
    ) -> Self {
        self.ca_certificates
            .extend(certificates.into_iter().map(Into::into));
        self
    }

    /// Set whether to skip TLS verification.
    pub fn skip_tls_verify(mut self, skip: bool) -> Self {
        self.skip_tls_verify = skip;
        self
    }

    /// Set whether this is the controller's cloud.
    pub fn is_controller_cloud(mut self, is_controller_cloud: bool) -> Self {
        self.is_controller_cloud = is_controller_cloud;
        self
    }
}

impl Model {
    /// Set the cloud spec `credential-get` gives a trusted application.
    pub fn cloud_spec(mut self, spec: CloudSpec) -> Self {
        self.cloud_spec = Some(spec);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_uses_ops_field_names_and_defaults() {
        let spec: CloudSpec = serde_json::from_value(serde_json::json!({"type": "lxd"})).unwrap();
        assert_eq!(spec, CloudSpec::new("lxd"));
        assert_eq!(spec.name, "localhost");
        let full = CloudSpec::new("ec2")
            .name("aws")
            .region("r")
            .endpoint("e")
            .identity_endpoint("i")
            .storage_endpoint("s")
            .credential(
                CloudCredential::new("access-key")
                    .attributes([("k", "v")])
                    .redacted(["k"]),
            )
            .ca_certificates(["cert"])
            .skip_tls_verify(true)
            .is_controller_cloud(true);
        let json = serde_json::to_value(&full).unwrap();
        assert_eq!(json["type"], "ec2");
        assert_eq!(json["credential"]["auth_type"], "access-key");
        assert_eq!(json["credential"]["redacted"], serde_json::json!(["k"]));
        let back: CloudSpec = serde_json::from_value(json).unwrap();
        assert_eq!(back, full);
        assert!(serde_json::from_value::<CloudSpec>(serde_json::json!({"typo": 1})).is_err());
    }
}
