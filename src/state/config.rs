//! Charm config values.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One config option's value, as `config-get` returns it.
///
/// JSON form: the plain JSON value (`"info"`, `8080`, `0.5`, `true`). A `secret` option's value is
/// the secret id string.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum ConfigValue {
    /// `boolean` options.
    Bool(bool),
    /// `int` options.
    Int(i64),
    /// `float` options (an integer is accepted too, as Juju does).
    Float(f64),
    /// `string` and `secret` options.
    String(String),
}

impl ConfigValue {
    /// The Python type name of the value (`str`, `int`, `float`, `bool`).
    pub fn type_name(&self) -> &'static str {
        match self {
            ConfigValue::Bool(_) => "bool",
            ConfigValue::Int(_) => "int",
            ConfigValue::Float(_) => "float",
            ConfigValue::String(_) => "str",
        }
    }

    /// Read a config value from charm metadata (a YAML `default:`), if it is a scalar.
    pub(crate) fn from_json(value: &serde_json::Value) -> Option<Self> {
        match value {
            serde_json::Value::Bool(b) => Some(ConfigValue::Bool(*b)),
            serde_json::Value::Number(n) => n
                .as_i64()
                .map(ConfigValue::Int)
                .or_else(|| n.as_f64().map(ConfigValue::Float)),
            serde_json::Value::String(s) => Some(ConfigValue::String(s.clone())),
            _ => None,
        }
    }
}

impl fmt::Display for ConfigValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigValue::Bool(v) => write!(f, "{v}"),
            ConfigValue::Int(v) => write!(f, "{v}"),
            ConfigValue::Float(v) => write!(f, "{v:?}"),
            ConfigValue::String(v) => write!(f, "{v:?}"),
        }
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for ConfigValue {
            fn from(v: $t) -> Self { ConfigValue::Int(v.into()) }
        }
    )*};
}
from_int!(i8, i16, i32, i64, u8, u16, u32);

impl From<bool> for ConfigValue {
    fn from(v: bool) -> Self {
        ConfigValue::Bool(v)
    }
}
impl From<f64> for ConfigValue {
    fn from(v: f64) -> Self {
        ConfigValue::Float(v)
    }
}
impl From<&str> for ConfigValue {
    fn from(v: &str) -> Self {
        ConfigValue::String(v.to_owned())
    }
}
impl From<String> for ConfigValue {
    fn from(v: String) -> Self {
        ConfigValue::String(v)
    }
}
