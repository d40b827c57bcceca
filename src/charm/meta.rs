//! [`CharmMeta`]: the whole of a charm's metadata, parsed once from its YAML into the types of
//! each section's module.

use indexmap::IndexMap;
use std::path::Path;

use serde_json::Value;

use super::action::{parse_actions, ActionMeta};
use super::config::{parse_options, ConfigOption};
use super::container::{parse_containers, ContainerMeta};
use super::endpoint::{parse_endpoints, parse_extra_bindings, Endpoint};
use super::resource::{parse_resources, ResourceMeta};
use super::storage::{parse_storages, StorageMeta};
use super::yaml::{metadata_error, optional_yaml_file, parse_yaml, parse_yaml_file};
use crate::error::{Error, Result};

/// A charm's metadata, config options and actions, as parsed from its YAML.
#[derive(Clone, Debug, PartialEq)]
pub struct CharmMeta {
    /// The charm's name (`name:`), also the default application name.
    pub name: String,
    /// Config options by name.
    pub config_options: IndexMap<String, ConfigOption>,
    /// Relation endpoints by name (`requires`, `provides` and `peers`).
    pub endpoints: IndexMap<String, Endpoint>,
    /// `extra-bindings` names.
    pub extra_bindings: Vec<String>,
    /// Workload containers by name (`containers:`).
    pub containers: IndexMap<String, ContainerMeta>,
    /// Storage by name (`storage:`).
    pub storages: IndexMap<String, StorageMeta>,
    /// Resources by name (`resources:`).
    pub resources: IndexMap<String, ResourceMeta>,
    /// Actions by name (actions.yaml, or `actions:` in charmcraft.yaml).
    pub actions: IndexMap<String, ActionMeta>,
    /// The metadata mapping (what metadata.yaml holds), for ops' `CharmMeta`.
    raw_meta: Value,
    /// `{"options": {...}}`, as config.yaml holds it.
    raw_config: Option<Value>,
    /// Actions by name, as actions.yaml holds them.
    raw_actions: Option<Value>,
}

impl CharmMeta {
    /// Metadata from values: `meta` as metadata.yaml would hold it, `config` as config.yaml
    /// (`{"options": {...}}`), `actions` as actions.yaml.
    ///
    /// # Errors
    /// [`Error::Metadata`] if a value has the wrong shape (no `name`, options not a mapping...).
    pub fn from_values(meta: Value, config: Option<Value>, actions: Option<Value>) -> Result<Self> {
        Self::build(Path::new("<metadata value>"), meta, config, actions)
    }

    /// Metadata from the text of a charmcraft.yaml (metadata, with optional `config:` and
    /// `actions:` sections). Pure: reads no file, starts no Python.
    ///
    /// # Errors
    /// [`Error::Metadata`] if the YAML is malformed (with the line and column) or has the
    /// wrong shape.
    pub fn from_charmcraft_yaml(text: &str) -> Result<Self> {
        let file = Path::new("<inline charmcraft.yaml>");
        Self::from_unified(file, parse_yaml(file, text)?)
    }

    /// Metadata from the text of the legacy files: metadata.yaml, and config.yaml and
    /// actions.yaml when the charm has them. Pure: reads no file, starts no Python.
    ///
    /// # Errors
    /// As [`CharmMeta::from_charmcraft_yaml`].
    pub fn from_yaml(metadata: &str, config: Option<&str>, actions: Option<&str>) -> Result<Self> {
        let file = Path::new("<inline metadata.yaml>");
        let meta = parse_yaml(file, metadata)?;
        let config = config
            .map(|text| parse_yaml(Path::new("<inline config.yaml>"), text))
            .transpose()?;
        let actions = actions
            .map(|text| parse_yaml(Path::new("<inline actions.yaml>"), text))
            .transpose()?;
        Self::build(file, meta, config, actions)
    }

    /// Whether `name` is a relation endpoint (`requires`, `provides` or `peers`).
    pub fn declares_endpoint(&self, name: &str) -> bool {
        self.endpoints.contains_key(name)
    }

    /// Whether the charm declares the action `name`.
    pub fn declares_action(&self, name: &str) -> bool {
        self.actions.contains_key(name)
    }

    /// The documents as the charm's YAML holds them, for ops' own `CharmMeta` (which parses
    /// them itself) and for writing a charm root: the metadata, `{"options": ...}` and the
    /// actions.
    pub(crate) fn documents(&self) -> (&Value, Option<&Value>, Option<&Value>) {
        (
            &self.raw_meta,
            self.raw_config.as_ref(),
            self.raw_actions.as_ref(),
        )
    }

    pub(super) fn from_dir(dir: &Path) -> Result<Self> {
        let charmcraft = dir.join("charmcraft.yaml");
        if charmcraft.is_file() {
            let unified = parse_yaml_file(&charmcraft)?;
            if unified.get("name").is_some() {
                return Self::from_unified(&charmcraft, unified);
            }
        }
        let metadata = dir.join("metadata.yaml");
        if !metadata.is_file() {
            return Err(Error::CharmLoad {
                path: dir.to_owned(),
                message: "no metadata: neither a charmcraft.yaml with a `name` nor a metadata.yaml"
                    .into(),
            });
        }
        let meta = parse_yaml_file(&metadata)?;
        let config = optional_yaml_file(&dir.join("config.yaml"))?;
        let actions = optional_yaml_file(&dir.join("actions.yaml"))?;
        Self::build(&metadata, meta, config, actions)
    }

    fn from_unified(file: &Path, mut unified: Value) -> Result<Self> {
        let object = unified
            .as_object_mut()
            .ok_or_else(|| metadata_error(file, "", "expected a mapping"))?;
        let config = object.remove("config");
        let actions = object.remove("actions");
        Self::build(file, unified, config, actions)
    }

    fn build(
        file: &Path,
        meta: Value,
        config: Option<Value>,
        actions: Option<Value>,
    ) -> Result<Self> {
        let object = meta
            .as_object()
            .ok_or_else(|| metadata_error(file, "", "expected a mapping at the top level"))?;
        let name = match object.get("name") {
            Some(Value::String(name)) if !name.is_empty() => name.clone(),
            Some(other) => {
                return Err(metadata_error(
                    file,
                    "name",
                    format!("expected a string, found {other}"),
                ))
            }
            None => return Err(metadata_error(file, "name", "the charm has no name")),
        };
        let config = config.filter(|c| !c.is_null());
        let config_options = match &config {
            Some(config) => parse_options(file, config)?,
            None => IndexMap::new(),
        };
        let actions = actions.filter(|a| !a.is_null());
        Ok(CharmMeta {
            name,
            config_options,
            endpoints: parse_endpoints(file, object)?,
            extra_bindings: parse_extra_bindings(file, object)?,
            containers: parse_containers(file, object)?,
            storages: parse_storages(file, object)?,
            resources: parse_resources(file, object)?,
            actions: parse_actions(file, actions.as_ref())?,
            raw_meta: meta,
            raw_config: config,
            raw_actions: actions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::ConfigValue;

    #[test]
    fn unified_yaml_splits_config_and_actions() {
        let yaml = "name: demo\nconfig:\n  options:\n    port: {type: int, default: 80}\n    on: {type: boolean, default: yes}\nactions:\n  go: {}\n";
        let meta =
            CharmMeta::from_unified(Path::new("x"), parse_yaml(Path::new("x"), yaml).unwrap())
                .unwrap();
        assert_eq!(meta.name, "demo");
        assert_eq!(
            meta.config_options["port"].default,
            Some(ConfigValue::Int(80))
        );
        assert_eq!(
            meta.config_options["on"].default,
            Some(ConfigValue::Bool(true))
        );
        assert!(meta.raw_meta.get("config").is_none());
        assert!(meta.raw_actions.unwrap().get("go").is_some());
    }

    #[test]
    fn metadata_reads_from_text_in_either_layout() {
        let unified = CharmMeta::from_charmcraft_yaml(
            "name: demo\nrequires:\n  db: {interface: pgsql}\nconfig:\n  options:\n    port: {type: int, default: 80}\nactions:\n  go: {}\n",
        )
        .unwrap();
        let legacy = CharmMeta::from_yaml(
            "name: demo\nrequires:\n  db: {interface: pgsql}\n",
            Some("options:\n  port: {type: int, default: 80}\n"),
            Some("go: {}\n"),
        )
        .unwrap();
        assert_eq!(unified, legacy);
        assert!(legacy.declares_endpoint("db") && legacy.declares_action("go"));
        let err = CharmMeta::from_yaml("name: x\n", Some("options: ["), None).unwrap_err();
        assert!(err.to_string().contains("config.yaml"), "{err}");
    }

    #[test]
    fn missing_name_is_an_error() {
        let err =
            CharmMeta::from_values(serde_json::json!({"summary": "x"}), None, None).unwrap_err();
        assert!(err.to_string().contains("the charm has no name"), "{err}");
    }
}
