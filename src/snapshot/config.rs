//! The application's config: `juju config <app> --format json`.
//!
//! Shape (cmd/juju/application/config.go, through the shared config command's formatter;
//! jubilant's `Juju.config` reads the same): `{"application": "web", "charm": "web-k8s",
//! "application-config": {"trust": {"default": false, "description": ..., "source":
//! "default", "type": "bool", "value": false}}, "settings": {"<option>": {"default": ...,
//! "description": ..., "source": "default" | "user" | "unset", "type": "string" | "int" |
//! "float" | "boolean" | "secret", "value": ...}}}`. An option with no value (`source:
//! unset`) has no `value` key.
//!
//! Every option with a value goes into the State, defaults included, since that is what
//! `config-get` gives the charm.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::runner::Juju;
use crate::error::{Error, Result};
use crate::state::ConfigValue;

#[derive(Deserialize)]
struct ConfigOutput {
    #[serde(rename = "application-config", default)]
    application_config: BTreeMap<String, Setting>,
    #[serde(default)]
    settings: BTreeMap<String, Setting>,
}

#[derive(Deserialize)]
struct Setting {
    #[serde(rename = "type", default)]
    option_type: String,
    #[serde(default)]
    value: Option<serde_json::Value>,
}

/// What `juju config` says: the charm config, and whether the application is trusted.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct AppConfig {
    pub(crate) config: BTreeMap<String, ConfigValue>,
    pub(crate) trusted: bool,
}

/// The application's config values and trust.
///
/// # Errors
/// [`Error::Juju`] when `juju config` fails, or gives a value that does not fit its type.
pub(crate) fn gather(juju: &Juju, app: &str) -> Result<AppConfig> {
    let args = [app, "--format", "json"];
    let output: ConfigOutput = juju.json("config", &args)?;
    let mut config = BTreeMap::new();
    for (name, setting) in &output.settings {
        let Some(value) = &setting.value else {
            continue;
        };
        let converted = convert(&setting.option_type, value).ok_or_else(|| Error::Juju {
            command: juju.line("config", &args),
            message: format!(
                "gives option {name:?} of type {:?} the value {value}, which does not fit it",
                setting.option_type
            ),
        })?;
        config.insert(name.clone(), converted);
    }
    let trusted = output
        .application_config
        .get("trust")
        .and_then(|t| t.value.as_ref())
        .is_some_and(|v| v.as_bool() == Some(true) || v.as_str() == Some("true"));
    Ok(AppConfig { config, trusted })
}

/// A config value by its declared type (a number for `int` and `float`, a bool or its
/// spelling for `boolean`, a string for `string` and `secret`); by its JSON type when the
/// type is one Juju does not declare.
fn convert(option_type: &str, value: &serde_json::Value) -> Option<ConfigValue> {
    use serde_json::Value;
    Some(match (option_type, value) {
        ("string" | "secret", Value::String(s)) => ConfigValue::String(s.clone()),
        ("int", Value::Number(n)) => ConfigValue::Int(n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        })?),
        ("float", Value::Number(n)) => ConfigValue::Float(n.as_f64()?),
        ("boolean", Value::Bool(b)) => ConfigValue::Bool(*b),
        ("boolean", Value::String(s)) => ConfigValue::Bool(match s.as_str() {
            "true" => true,
            "false" => false,
            _ => return None,
        }),
        ("string" | "secret" | "int" | "float" | "boolean", _) => return None,
        (_, Value::String(s)) => ConfigValue::String(s.clone()),
        (_, Value::Bool(b)) => ConfigValue::Bool(*b),
        (_, Value::Number(n)) => match n.as_i64() {
            Some(i) => ConfigValue::Int(i),
            None => ConfigValue::Float(n.as_f64()?),
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::fake::FakeJuju;
    use super::*;

    const CONFIG: &str = r#"{
      "application": "web",
      "application-config": {"trust": {"default": false, "description": "Does this application have access to trusted credentials",
                                       "source": "user", "type": "bool", "value": true}},
      "charm": "web-k8s",
      "settings": {
        "log-level": {"default": "info", "description": "How much to log.", "source": "user", "type": "string", "value": "debug"},
        "port": {"default": 8080, "description": "Port.", "source": "default", "type": "int", "value": 8080},
        "ratio": {"default": 0.5, "description": "Ratio.", "source": "user", "type": "float", "value": 1},
        "tls": {"default": false, "description": "TLS.", "source": "default", "type": "boolean", "value": false},
        "api-key": {"description": "A secret.", "source": "user", "type": "secret", "value": "secret:d1ehcifmp25c76e01vhg"},
        "name": {"description": "No default.", "source": "unset", "type": "string"}
      }
    }"#;

    #[test]
    fn values_follow_their_declared_types_and_unset_options_are_left_out() {
        let fake = FakeJuju::new().ok("config web --format json", CONFIG);
        let got = gather(&Juju::new(&fake, None), "web").unwrap();
        assert!(got.trusted);
        assert_eq!(
            got.config,
            BTreeMap::from([
                ("api-key".to_owned(), "secret:d1ehcifmp25c76e01vhg".into()),
                ("log-level".to_owned(), "debug".into()),
                ("port".to_owned(), 8080.into()),
                ("ratio".to_owned(), ConfigValue::Float(1.0)),
                ("tls".to_owned(), false.into()),
            ])
        );
    }

    #[test]
    fn a_value_of_the_wrong_type_is_named() {
        let fake = FakeJuju::new().ok(
            "config web --format json",
            r#"{"settings": {"port": {"type": "int", "value": "eighty"}}}"#,
        );
        let err = gather(&Juju::new(&fake, None), "web").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`juju config web --format json` gives option \"port\" of type \"int\" the value \"eighty\", which does not fit it"
        );
    }
}
