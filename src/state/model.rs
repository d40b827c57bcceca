//! The Juju model the unit lives in.

use serde::{Deserialize, Serialize};

use super::cloud::CloudSpec;

/// The model's name used when a State does not give one.
pub const DEFAULT_MODEL_NAME: &str = "test-model";
/// The model's uuid used when a State does not give one. ops.testing draws a random one;
/// a fixed default keeps runs reproducible.
pub const DEFAULT_MODEL_UUID: &str = "00000000-0000-4000-8000-000000000000";

/// The Juju model: its name, uuid and type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, default)]
pub struct Model {
    /// The model name. Defaults to `"test-model"`.
    pub name: String,
    /// The model uuid. Defaults to `"00000000-0000-4000-8000-000000000000"`.
    pub uuid: String,
    /// Kubernetes or machine model. Defaults to `kubernetes`.
    #[serde(rename = "type")]
    pub model_type: ModelType,
    /// The cloud, as `credential-get` reports it to a trusted application. Defaults to none.
    pub cloud_spec: Option<CloudSpec>,
}

impl Default for Model {
    fn default() -> Self {
        Model {
            name: DEFAULT_MODEL_NAME.to_owned(),
            uuid: DEFAULT_MODEL_UUID.to_owned(),
            model_type: ModelType::Kubernetes,
            cloud_spec: None,
        }
    }
}

impl Model {
    /// A model with this name and the default uuid and type.
    pub fn new(name: impl Into<String>) -> Self {
        Model {
            name: name.into(),
            ..Model::default()
        }
    }

    /// Set the uuid.
    pub fn uuid(mut self, uuid: impl Into<String>) -> Self {
        self.uuid = uuid.into();
        self
    }

    /// Set the model type.
    pub fn model_type(mut self, model_type: ModelType) -> Self {
        self.model_type = model_type;
        self
    }
}

/// The kind of cloud a model runs on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum ModelType {
    /// A Kubernetes model (sidecar charms with workload containers).
    #[default]
    Kubernetes,
    /// A machine model (LXD, MAAS, public clouds).
    Lxd,
}
