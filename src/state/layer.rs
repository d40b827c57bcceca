//! Pebble layers and the plan they merge into.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One service, check or log target of a layer: Pebble's fields by their YAML names
/// (`override`, `command`, `startup`, `environment`, ...).
pub type LayerItem = serde_json::Map<String, serde_json::Value>;

/// A Pebble layer. JSON form: Pebble's layer YAML as JSON (`summary`, `description`,
/// `services`, `checks`, `log-targets`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Layer {
    /// The layer's summary.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub summary: String,
    /// The layer's description.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Services by name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub services: BTreeMap<String, LayerItem>,
    /// Checks by name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub checks: BTreeMap<String, LayerItem>,
    /// Log targets by name.
    #[serde(rename = "log-targets", skip_serializing_if = "BTreeMap::is_empty")]
    pub log_targets: BTreeMap<String, LayerItem>,
}

impl Layer {
    /// A layer from Pebble's layer YAML.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if the YAML is malformed or not a layer.
    pub fn from_yaml(text: &str) -> Result<Layer> {
        serde_yaml_ng::from_str(text).map_err(|e| Error::InvalidInput {
            path: "layer".into(),
            message: e.to_string(),
        })
    }
}

/// The plan Pebble serves: every layer merged in order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Plan {
    /// Services by name.
    pub services: BTreeMap<String, LayerItem>,
    /// Checks by name.
    pub checks: BTreeMap<String, LayerItem>,
    /// Log targets by name.
    #[serde(rename = "log-targets")]
    pub log_targets: BTreeMap<String, LayerItem>,
}

impl Plan {
    /// Merge layers in order.
    pub fn from_layers<'a>(layers: impl IntoIterator<Item = &'a Layer>) -> Plan {
        let mut plan = Plan::default();
        for layer in layers {
            for (name, item) in &layer.services {
                plan.services.insert(name.clone(), item.clone());
            }
            for (name, item) in &layer.checks {
                plan.checks.insert(name.clone(), item.clone());
            }
            for (name, item) in &layer.log_targets {
                plan.log_targets.insert(name.clone(), item.clone());
            }
        }
        plan
    }
}
