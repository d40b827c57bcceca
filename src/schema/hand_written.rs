//! The schemas of the types that (de)serialise themselves ([`Status`], [`Databag`],
//! [`AnyRelation`], [`Layers`], [`ContainerFile`], [`StoredValue`] and [`Rule`]): written by
//! hand to say what their reader accepts, since serde's attributes cannot tell schemars. Apart
//! from the entry points and the transforms because these are the rules of the types' own
//! readers, not of the derivation.

use std::borrow::Cow;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde_json::{json, Map, Value};

use crate::error::Rule;
use crate::state::{
    AnyRelation, ContainerFile, Databag, FileKind, Layer, Layers, PeerRelation, Relation, Status,
    StoredValue, SubordinateRelation, CONTAINER_FILE_KEYS,
};

/// The names `Status` reads, in Juju's order.
pub(crate) const STATUS_NAMES: [&str; 6] = [
    "unknown",
    "active",
    "blocked",
    "maintenance",
    "waiting",
    "error",
];

impl JsonSchema for Status {
    fn schema_name() -> Cow<'static, str> {
        "Status".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        // Written with both fields; read with `message` optional.
        let required = if generator.contract().is_serialize() {
            json!(["name", "message"])
        } else {
            json!(["name"])
        };
        json_schema!({
            "description": "A workload status, as `status-get` reports it: `{\"name\": \"active\", \
                \"message\": \"ready\"}`. `unknown` has no message (one given is dropped).",
            "type": "object",
            "properties": {
                "name": {
                    "description": "Juju's name for the status.",
                    "enum": STATUS_NAMES,
                },
                "message": {
                    "description": "The status message. Defaults to \"\".",
                    "type": "string",
                    "default": "",
                },
            },
            "required": required,
            "additionalProperties": false,
        })
    }
}

impl JsonSchema for Databag {
    fn schema_name() -> Cow<'static, str> {
        "Databag".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A relation databag: string keys to string values, \
                `{\"host\": \"10.0.0.1\"}`.",
            "type": "object",
            "additionalProperties": {"type": "string"},
        })
    }
}

impl JsonSchema for Layers {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Layers".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let layer = generator.subschema_for::<Layer>();
        json_schema!({
            "description": "Pebble layers by label, in the order Pebble applies them (the \
                order of the object's keys).",
            "type": "object",
            "additionalProperties": layer,
        })
    }
}

/// Standard base64 with padding, as the `base64` crate's `STANDARD` engine decodes it: the
/// unused bits of the last character must be zero.
pub(crate) const BASE64_PATTERN: &str = "^(?:[A-Za-z0-9+/]{4})*\
     (?:[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?$";

/// `{"$bytes": "<base64>"}`.
fn tagged_bytes(description: &str) -> Value {
    json!({
        "description": description,
        "type": "object",
        "properties": {"$bytes": base64_string("The bytes, in standard base64 with padding.")},
        "required": ["$bytes"],
        "additionalProperties": false,
    })
}

fn base64_string(description: &str) -> Value {
    json!({
        "description": description,
        "type": "string",
        "contentEncoding": "base64",
        "pattern": BASE64_PATTERN,
    })
}

impl JsonSchema for ContainerFile {
    fn schema_name() -> Cow<'static, str> {
        "ContainerFile".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut kind = generator.subschema_for::<FileKind>().to_value();
        kind["description"] = "`file` or `directory`. Defaults to `file`.".into();
        kind["default"] = "file".into();
        let id = |what: &str| {
            json!({
                "description": format!("The {what}'s id. Defaults to none."),
                "type": ["integer", "null"],
                "format": "uint32",
                "minimum": 0,
            })
        };
        let name = |what: &str| {
            json!({
                "description": format!("The {what}'s name. Defaults to none."),
                "type": ["string", "null"],
            })
        };
        let properties: Map<String, Value> = CONTAINER_FILE_KEYS
            .iter()
            .map(|key| {
                let schema = match *key {
                    "type" => kind.clone(),
                    "content" => json!({
                        "description": "The content: text, or `{\"$bytes\": \"<base64>\"}`. \
                            Defaults to \"\"; a directory has none.",
                        "anyOf": [{"type": "string"}, tagged_bytes("Bytes.")],
                    }),
                    "permissions" => json!({
                        "description": "The permission bits as an octal string, as Pebble \
                            writes them (\"600\", \"0644\"; at most \"777\"). Defaults to \
                            Pebble's: 644 for a file, 755 for a directory.",
                        "type": "string",
                        "pattern": "^0*[0-7]{1,3}$",
                    }),
                    "user" => name("owner"),
                    "user_id" => id("owner"),
                    "group" => name("group"),
                    "group_id" => id("group"),
                    other => unreachable!("a key without a schema: {other}"),
                };
                ((*key).to_owned(), schema)
            })
            .collect();
        json_schema!({
            "description": "A file or directory in a container, in the shortest form that says \
                everything: a string (a text file with Pebble's default metadata), \
                `{\"$bytes\": \"<base64>\"}` (a binary file with default metadata), or an \
                object with its metadata (any directory is an object).",
            "anyOf": [
                {"description": "A text file with default metadata.", "type": "string"},
                tagged_bytes("A binary file with default metadata."),
                {
                    "description": "A file or directory with its metadata; every key is \
                        optional.",
                    "type": "object",
                    "properties": properties,
                    "additionalProperties": false,
                    "if": {"properties": {"type": {"const": "directory"}}, "required": ["type"]},
                    "then": {"not": {"required": ["content"]}},
                },
            ],
        })
    }
}

/// The tags of `StoredValue`'s tagged forms, in the order its reader lists them.
pub(crate) const STORED_VALUE_TAGS: [&str; 6] =
    ["$set", "$frozenset", "$tuple", "$bytes", "$int", "$dict"];

impl JsonSchema for StoredValue {
    fn schema_name() -> Cow<'static, str> {
        "StoredValue".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let value = generator.subschema_for::<StoredValue>().to_value();
        let list = |description: &str| json!({"description": description, "type": "array", "items": value});
        let tags: Map<String, Value> = STORED_VALUE_TAGS
            .iter()
            .map(|tag| {
                let schema = match *tag {
                    "$set" => list("A set: its members."),
                    "$frozenset" => list("A frozenset: its members."),
                    "$tuple" => list("A tuple: its items."),
                    "$bytes" => base64_string("Bytes, in standard base64 with padding."),
                    "$int" => json!({
                        "description": "An int past 64 bits, as decimal digits.",
                        "type": "string",
                        "pattern": "^-?[0-9]+$",
                    }),
                    "$dict" => json!({
                        "description": "A dict with keys that are not all strings, as \
                            [key, value] pairs in order.",
                        "type": "array",
                        "items": {
                            "type": "array",
                            "prefixItems": [value, value],
                            "minItems": 2,
                            "maxItems": 2,
                        },
                    }),
                    other => unreachable!("a tag without a schema: {other}"),
                };
                ((*tag).to_owned(), schema)
            })
            .collect();
        json_schema!({
            "description": "A Python value as ops stores it: JSON's own values (a dict with \
                str keys is an object, a list an array), and what JSON cannot say as an object \
                with one tag: `{\"$set\": [...]}`, `{\"$frozenset\": [...]}`, \
                `{\"$tuple\": [...]}`, `{\"$bytes\": \"<base64>\"}`, `{\"$int\": \"<digits>\"}` \
                (past 64 bits), `{\"$dict\": [[key, value], ...]}` (keys not all strings).",
            "anyOf": [
                {
                    "description": "None, a bool, an int, a float or a str.",
                    "type": ["null", "boolean", "number", "string"],
                },
                list("A list."),
                {
                    "description": "A tagged value.",
                    "type": "object",
                    "properties": tags,
                    "additionalProperties": false,
                    "minProperties": 1,
                    "maxProperties": 1,
                },
                {
                    "description": "A dict with str keys.",
                    "type": "object",
                    "additionalProperties": value,
                    "not": {
                        "minProperties": 1,
                        "maxProperties": 1,
                        "propertyNames": {"enum": STORED_VALUE_TAGS},
                    },
                },
            ],
        })
    }
}

impl JsonSchema for AnyRelation {
    fn schema_name() -> Cow<'static, str> {
        "AnyRelation".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let kinds = [
            ("regular", Relation::json_schema(generator)),
            ("peer", PeerRelation::json_schema(generator)),
            ("subordinate", SubordinateRelation::json_schema(generator)),
        ];
        let reading = generator.contract().is_deserialize();
        let one_of: Vec<Value> = kinds
            .into_iter()
            .map(|(kind, schema)| with_relation_type(kind, schema, reading))
            .collect();
        json_schema!({
            "description": "A relation of any kind: its fields plus `\"type\"`: `regular` (the \
                default when left out), `peer` or `subordinate`. A field of another kind is \
                an error.",
            "oneOf": one_of,
        })
    }
}

/// One kind's derived schema with `"type"` added in front; read, `endpoint` is required (it
/// has no default) and a regular relation may leave `type` out.
fn with_relation_type(kind: &str, schema: Schema, reading: bool) -> Value {
    let mut schema = schema.to_value();
    let object = schema
        .as_object_mut()
        .expect("a struct's schema is an object");
    let mut properties = Map::new();
    properties.insert(
        "type".to_owned(),
        if kind == "regular" && reading {
            json!({"description": "The kind: `regular`, the default.", "const": kind,
                   "default": kind})
        } else {
            json!({"description": format!("The kind: `{kind}`."), "const": kind})
        },
    );
    if let Some(Value::Object(fields)) = object.remove("properties") {
        properties.extend(fields);
    }
    let mut required = vec![json!("endpoint")];
    if let Some(Value::Array(fields)) = object.remove("required") {
        required.extend(fields.into_iter().filter(|f| f != "endpoint"));
    }
    if !(kind == "regular" && reading) {
        required.insert(0, json!("type"));
    }
    if reading {
        // `endpoint` has no default when a relation is read.
        if let Some(endpoint) = properties
            .get_mut("endpoint")
            .and_then(Value::as_object_mut)
        {
            endpoint.remove("default");
        }
    }
    object.insert("properties".to_owned(), Value::Object(properties));
    object.insert("required".to_owned(), Value::Array(required));
    schema
}

impl JsonSchema for Rule {
    fn schema_name() -> Cow<'static, str> {
        "Rule".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let ids: Vec<&str> = Rule::ALL.iter().map(|rule| rule.id()).collect();
        json_schema!({
            "description": "A rule of the consistency checker, by its stable id (`config.type`).",
            "type": "string",
            "enum": ids,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_name_reads_and_every_status_has_a_name() {
        for name in STATUS_NAMES {
            assert_eq!(Status::from_name(name, "m").unwrap().name(), name);
        }
        let every = [
            Status::Unknown,
            Status::active(""),
            Status::blocked(""),
            Status::maintenance(""),
            Status::waiting(""),
            Status::error(""),
        ];
        for status in &every {
            // A new status makes this match fail to compile: add it to STATUS_NAMES.
            match status {
                Status::Unknown
                | Status::Active(_)
                | Status::Blocked(_)
                | Status::Maintenance(_)
                | Status::Waiting(_)
                | Status::Error(_) => assert!(STATUS_NAMES.contains(&status.name())),
            }
        }
        assert_eq!(every.len(), STATUS_NAMES.len());
    }
}
