//! Config options (`config.yaml`, or `config:` in charmcraft.yaml): their types and defaults.

use indexmap::IndexMap;
use std::fmt;
use std::path::Path;

use serde_json::Value;

use super::yaml::{metadata_error, optional_mapping, optional_string};
use crate::error::Result;
use crate::state::ConfigValue;

/// One declared config option.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigOption {
    /// The declared `type:`, if any (the checker reports an option set in the State without
    /// one).
    pub option_type: Option<ConfigType>,
    /// The declared `default:`, if any.
    pub default: Option<ConfigValue>,
    /// `description:`, if any.
    pub description: Option<String>,
}

/// A config option's `type:`. Juju knows `string`, `int`, `float`, `boolean` and (from 3.4)
/// `secret`; any other word is kept as written, for the checker to report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigType {
    /// `string`.
    String,
    /// `int`.
    Int,
    /// `float`.
    Float,
    /// `boolean`.
    Boolean,
    /// `secret`: a secret id (Juju 3.4 and later).
    Secret,
    /// A type Juju does not know, as written.
    Unknown(String),
}

impl ConfigType {
    fn parse(name: &str) -> ConfigType {
        match name {
            "string" => ConfigType::String,
            "int" => ConfigType::Int,
            "float" => ConfigType::Float,
            "boolean" => ConfigType::Boolean,
            "secret" => ConfigType::Secret,
            other => ConfigType::Unknown(other.to_owned()),
        }
    }

    /// The type as the metadata writes it.
    pub fn as_str(&self) -> &str {
        match self {
            ConfigType::String => "string",
            ConfigType::Int => "int",
            ConfigType::Float => "float",
            ConfigType::Boolean => "boolean",
            ConfigType::Secret => "secret",
            ConfigType::Unknown(name) => name,
        }
    }
}

impl fmt::Display for ConfigType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `options:` of a config document (`{"options": {...}}`).
pub(super) fn parse_options(file: &Path, config: &Value) -> Result<IndexMap<String, ConfigOption>> {
    let Some(options) =
        optional_mapping(file, "config.options", config.get("options"), "of options")?
    else {
        return Ok(IndexMap::new());
    };
    let mut out = IndexMap::new();
    for (name, option) in options {
        let at = format!("config.options.{name}");
        let option = option
            .as_object()
            .ok_or_else(|| metadata_error(file, &at, "expected a mapping"))?;
        let option_type = optional_string(file, &format!("{at}.type"), option.get("type"))?
            .map(|t| ConfigType::parse(&t));
        let default = match option.get("default").filter(|d| !d.is_null()) {
            None => None,
            Some(d) => Some(
                ConfigValue::from_json(&yaml11_boolean(option_type.as_ref(), d)).ok_or_else(
                    || {
                        metadata_error(
                            file,
                            &format!("{at}.default"),
                            format!("expected a string, number or boolean, found {d}"),
                        )
                    },
                )?,
            ),
        };
        let description = optional_string(
            file,
            &format!("{at}.description"),
            option.get("description"),
        )?;
        out.insert(
            name.clone(),
            ConfigOption {
                option_type,
                default,
                description,
            },
        );
    }
    Ok(out)
}

/// charmcraft and ops read YAML 1.1, where `yes`/`no`/`on`/`off` are booleans; our YAML 1.2
/// parser reads them as strings, so fix them up where a boolean is declared.
fn yaml11_boolean(option_type: Option<&ConfigType>, default: &Value) -> Value {
    if option_type != Some(&ConfigType::Boolean) {
        return default.clone();
    }
    match default.as_str().map(str::to_ascii_lowercase).as_deref() {
        Some("yes" | "on" | "true" | "y") => Value::Bool(true),
        Some("no" | "off" | "false" | "n") => Value::Bool(false),
        _ => default.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn options_are_typed_with_yaml_1_1_booleans() {
        let options = parse_options(
            Path::new("config.yaml"),
            &json!({"options": {
                "port": {"type": "int", "default": 80, "description": "the port"},
                "on": {"type": "boolean", "default": "yes"},
                "colour": {"type": "colour"},
                "untyped": {},
            }}),
        )
        .unwrap();
        assert_eq!(options["port"].option_type, Some(ConfigType::Int));
        assert_eq!(options["port"].default, Some(ConfigValue::Int(80)));
        assert_eq!(options["port"].description.as_deref(), Some("the port"));
        assert_eq!(options["on"].default, Some(ConfigValue::Bool(true)));
        assert_eq!(
            options["colour"].option_type,
            Some(ConfigType::Unknown("colour".into()))
        );
        assert_eq!(options["untyped"].option_type, None);
    }

    #[test]
    fn a_malformed_option_says_where() {
        let err = parse_options(
            Path::new("config.yaml"),
            &json!({"options": {"port": {"type": 3}}}),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("config.options.port.type: expected a string"),
            "{err}"
        );
    }
}
