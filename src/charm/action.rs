//! Actions (`actions.yaml`, or `actions:` in charmcraft.yaml): each action's parameters as the
//! JSON schema Juju builds from them, and Juju's rules on that schema: the defaults it fills in
//! when an action is queued, and whether undeclared parameters are allowed.
//!
//! Juju builds one object schema per action (`ReadActionsYaml` in Juju 4's
//! internal/charm/actions.go, juju/charm's actions.go before): the action's `params` are its
//! `properties`, and the action's own `required` and `additionalProperties` apply to it. The
//! checker validates a [`ActionCall`](crate::ActionCall)'s parameters against it; the run
//! fills in the defaults.

use indexmap::IndexMap;
use std::path::Path;

use serde_json::{Map, Value};

use super::yaml::{flag, metadata_error, optional_string};
use crate::error::Result;
use crate::options::JujuVersion;

/// From this Juju version on, an action's `additionalProperties` defaults to false (Juju 4's
/// `ReadActionsYaml` starts every action's schema with `"additionalProperties": false`; ops'
/// `ActionMeta` takes the same default from the Juju version).
const STRICT_PARAMS_SINCE: JujuVersion = JujuVersion(4, 0, 0);

/// One declared action.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ActionMeta {
    /// `description:`, if any.
    pub description: Option<String>,
    /// The schema of the action's parameters: an object whose `properties` are the
    /// action's `params`, with the action's `required` and `additionalProperties`.
    pub params: ParamSchema,
    /// `parallel:`.
    pub parallel: bool,
    /// `execution-group:`, if any.
    pub execution_group: Option<String>,
}

impl ActionMeta {
    /// The parameters the charm sees (`action-get`) when `given` are passed: the ones given,
    /// with this action's defaults filled in where none was given, as Juju fills them when the
    /// action is queued (`ActionSpec.InsertDefaults` in internal/charm/actions.go, which is
    /// juju/gojsonschema's `Schema.InsertDefaults`):
    ///
    /// - a parameter that is given is kept as given; if it is an object and its schema has
    ///   `properties`, the defaults of those are filled into it the same way;
    /// - a parameter that is not given takes its `default:` (even `null`), or, when it has no
    ///   default but has `properties`, the object of its properties' defaults (left out when
    ///   that object would be empty).
    ///
    /// Array items get no defaults (the schema library has none for them).
    pub fn with_defaults(&self, given: &Map<String, Value>) -> Map<String, Value> {
        let mut params = given.clone();
        self.params.insert_defaults(&mut params);
        params
    }

    /// Whether parameters the action does not declare are allowed on Juju `juju`: what the
    /// action's `additionalProperties` says, else true before Juju 4 and false from 4 on.
    pub(crate) fn allows_undeclared_params(&self, juju: JujuVersion) -> bool {
        self.params
            .additional_properties
            .unwrap_or(juju < STRICT_PARAMS_SINCE)
    }
}

/// The part of a JSON schema (draft 4, as Juju validates action parameters) that Juju's checks
/// and defaults use. A schema that is not a mapping constrains nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParamSchema {
    /// `type:` (one, or a list); empty when not declared.
    pub types: Vec<ParamType>,
    /// `enum:`, the values allowed, if given.
    pub enum_values: Option<Vec<Value>>,
    /// `default:`, if given (`Some(Value::Null)` for an explicit `null`).
    pub default: Option<Value>,
    /// `properties:` of an object, in metadata order.
    pub properties: Vec<(String, ParamSchema)>,
    /// `required:` of an object.
    pub required: Vec<String>,
    /// `additionalProperties:` of an object, if given as a boolean.
    pub additional_properties: Option<bool>,
    /// `items:` of an array, if given as a schema.
    pub items: Option<Box<ParamSchema>>,
}

/// One declared `type:` of a parameter.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamType {
    /// A JSON schema type.
    Known(JsonType),
    /// Anything else, as written (a word JSON schema does not know, or not a word at all).
    Unknown(Value),
}

/// The JSON schema types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonType {
    /// `string`.
    String,
    /// `integer`: a JSON integer (`3`, not `3.0`).
    Integer,
    /// `number`: any number.
    Number,
    /// `boolean`.
    Boolean,
    /// `array`.
    Array,
    /// `object`.
    Object,
    /// `null`.
    Null,
}

impl JsonType {
    fn parse(name: &str) -> Option<JsonType> {
        Some(match name {
            "string" => JsonType::String,
            "integer" => JsonType::Integer,
            "number" => JsonType::Number,
            "boolean" => JsonType::Boolean,
            "array" => JsonType::Array,
            "object" => JsonType::Object,
            "null" => JsonType::Null,
            _ => return None,
        })
    }

    /// The type's name in a schema.
    pub fn as_str(self) -> &'static str {
        match self {
            JsonType::String => "string",
            JsonType::Integer => "integer",
            JsonType::Number => "number",
            JsonType::Boolean => "boolean",
            JsonType::Array => "array",
            JsonType::Object => "object",
            JsonType::Null => "null",
        }
    }

    /// Whether `value` is of this type.
    pub fn admits(self, value: &Value) -> bool {
        match self {
            JsonType::String => value.is_string(),
            JsonType::Integer => value.is_i64() || value.is_u64(),
            JsonType::Number => value.is_number(),
            JsonType::Boolean => value.is_boolean(),
            JsonType::Array => value.is_array(),
            JsonType::Object => value.is_object(),
            JsonType::Null => value.is_null(),
        }
    }
}

impl ParamType {
    /// The type as written: the word, or the JSON text of anything else.
    pub fn name(&self) -> String {
        match self {
            ParamType::Known(t) => t.as_str().to_owned(),
            ParamType::Unknown(Value::String(s)) => s.clone(),
            ParamType::Unknown(other) => other.to_string(),
        }
    }
}

impl ParamSchema {
    /// The schema `value` states; a value that is not a mapping states nothing.
    pub(crate) fn from_json(value: &Value) -> ParamSchema {
        let Some(schema) = value.as_object() else {
            return ParamSchema::default();
        };
        let one_type = |t: &Value| match t.as_str().and_then(JsonType::parse) {
            Some(known) => ParamType::Known(known),
            None => ParamType::Unknown(t.clone()),
        };
        ParamSchema {
            types: match schema.get("type") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(types)) => types.iter().map(one_type).collect(),
                Some(one) => vec![one_type(one)],
            },
            enum_values: schema.get("enum").and_then(Value::as_array).cloned(),
            default: schema.get("default").cloned(),
            properties: schema
                .get("properties")
                .and_then(Value::as_object)
                .map(|props| {
                    props
                        .iter()
                        .map(|(name, s)| (name.clone(), ParamSchema::from_json(s)))
                        .collect()
                })
                .unwrap_or_default(),
            required: required_of(schema),
            additional_properties: schema.get("additionalProperties").and_then(Value::as_bool),
            items: schema
                .get("items")
                .filter(|i| i.is_object())
                .map(|i| Box::new(ParamSchema::from_json(i))),
        }
    }

    /// Whether the schema declares a type.
    pub fn declares_type(&self) -> bool {
        !self.types.is_empty()
    }

    /// The schema of property `name`, if declared.
    pub fn property(&self, name: &str) -> Option<&ParamSchema> {
        self.properties
            .iter()
            .find_map(|(n, s)| (n == name).then_some(s))
    }

    /// The names of the declared properties, in metadata order.
    pub fn property_names(&self) -> impl Iterator<Item = &str> {
        self.properties.iter().map(|(n, _)| n.as_str())
    }

    /// gojsonschema's `InsertDefaults` over this object schema's properties (see
    /// [`ActionMeta::with_defaults`]).
    fn insert_defaults(&self, into: &mut Map<String, Value>) {
        for (name, schema) in &self.properties {
            if let Some(given) = into.get_mut(name) {
                if let Value::Object(given) = given {
                    schema.insert_defaults(given);
                }
                continue;
            }
            if let Some(default) = &schema.default {
                into.insert(name.clone(), default.clone());
            } else if !schema.properties.is_empty() {
                let mut object = Map::new();
                schema.insert_defaults(&mut object);
                if !object.is_empty() {
                    into.insert(name.clone(), Value::Object(object));
                }
            }
        }
    }
}

/// The names a schema's `required` lists.
fn required_of(schema: &Map<String, Value>) -> Vec<String> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

/// The actions document (`{name: spec, ...}`), as Juju's `ReadActionsYaml` reads it.
pub(super) fn parse_actions(
    file: &Path,
    actions: Option<&Value>,
) -> Result<IndexMap<String, ActionMeta>> {
    let Some(actions) = actions else {
        return Ok(IndexMap::new());
    };
    let actions = actions
        .as_object()
        .ok_or_else(|| metadata_error(file, "actions", "expected a mapping of action names"))?;
    let mut out = IndexMap::new();
    for (name, spec) in actions {
        let at = format!("actions.{name}");
        let spec = match spec {
            Value::Null => {
                out.insert(name.clone(), ActionMeta::default());
                continue;
            }
            Value::Object(spec) => spec,
            _ => return Err(metadata_error(file, &at, "expected a mapping")),
        };
        let params = match spec.get("params") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(params)) => params.clone(),
            Some(_) => {
                return Err(metadata_error(
                    file,
                    &format!("{at}.params"),
                    "expected a mapping of parameters",
                ))
            }
        };
        let mut schema = spec.clone();
        schema.insert("type".into(), "object".into());
        schema.insert("properties".into(), Value::Object(params));
        out.insert(
            name.clone(),
            ActionMeta {
                description: optional_string(
                    file,
                    &format!("{at}.description"),
                    spec.get("description"),
                )?,
                params: ParamSchema::from_json(&Value::Object(schema)),
                parallel: flag(file, &format!("{at}.parallel"), spec.get("parallel"))?,
                execution_group: optional_string(
                    file,
                    &format!("{at}.execution-group"),
                    spec.get("execution-group"),
                )?,
            },
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn actions(doc: Value) -> IndexMap<String, ActionMeta> {
        parse_actions(Path::new("actions.yaml"), Some(&doc)).unwrap()
    }

    #[test]
    fn defaults_fill_what_is_not_given_and_nested_objects() {
        let backup = actions(json!({"backup": {"params": {
            "level": {"type": "integer", "default": 3},
            "compress": {"type": "boolean", "default": true},
            "nothing": {"type": "string", "default": null},
            "target": {"type": "string"},
            "s3": {"type": "object", "properties": {
                "region": {"type": "string", "default": "eu"},
                "bucket": {"type": "string"},
            }},
            "empty": {"type": "object", "properties": {"x": {"type": "string"}}},
            "whole": {"type": "object", "default": {"k": 1}, "properties": {"k": {"default": 2}}},
        }}}))
        .shift_remove("backup")
        .unwrap();
        let given = json!({"level": 9, "s3": {"bucket": "b"}, "extra": "kept"});
        assert_eq!(
            Value::Object(backup.with_defaults(given.as_object().unwrap())),
            json!({
                "level": 9,
                "s3": {"bucket": "b", "region": "eu"},
                "extra": "kept",
                "compress": true,
                "nothing": null,
                "whole": {"k": 1},
            })
        );
        assert_eq!(
            backup.with_defaults(&Map::new())["s3"],
            json!({"region": "eu"})
        );
    }

    #[test]
    fn the_action_is_an_object_schema_of_its_params() {
        let all = actions(json!({
            "plain": null,
            "backup": {
                "description": "back up",
                "params": {"target": {"type": "string"}, "n": {"type": ["integer", "colour", 3]}},
                "required": ["target"],
                "additionalProperties": false,
                "parallel": true,
                "execution-group": "io",
            },
        }));
        assert_eq!(all["plain"], ActionMeta::default());
        let backup = &all["backup"];
        assert_eq!(backup.description.as_deref(), Some("back up"));
        assert_eq!(backup.params.types, [ParamType::Known(JsonType::Object)]);
        assert_eq!(
            backup.params.property_names().collect::<Vec<_>>(),
            ["target", "n"]
        );
        assert_eq!(backup.params.required, ["target"]);
        assert_eq!(backup.params.additional_properties, Some(false));
        assert!(backup.parallel);
        assert_eq!(backup.execution_group.as_deref(), Some("io"));
        let n = backup.params.property("n").unwrap();
        assert_eq!(
            n.types.iter().map(ParamType::name).collect::<Vec<_>>(),
            ["integer", "colour", "3"]
        );
    }

    #[test]
    fn undeclared_params_are_allowed_before_juju_4_unless_the_action_says() {
        let all = actions(json!({
            "open": {"additionalProperties": true},
            "closed": {"additionalProperties": false},
            "silent": {},
        }));
        let allows = |name: &str, juju| all[name].allows_undeclared_params(juju);
        assert!(allows("silent", JujuVersion(3, 6, 14)));
        assert!(!allows("silent", JujuVersion(4, 0, 0)));
        assert!(allows("open", JujuVersion(4, 0, 0)));
        assert!(!allows("closed", JujuVersion(3, 6, 14)));
    }

    #[test]
    fn malformed_actions_say_where() {
        for (doc, at) in [
            (json!(["backup"]), "actions"),
            (json!({"backup": 3}), "actions.backup"),
            (json!({"backup": {"params": [1]}}), "actions.backup.params"),
            (
                json!({"backup": {"parallel": "yes"}}),
                "actions.backup.parallel",
            ),
        ] {
            let err = parse_actions(Path::new("actions.yaml"), Some(&doc)).unwrap_err();
            assert!(err.to_string().contains(&format!("{at}:")), "{err}");
        }
    }
}
