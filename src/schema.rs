//! JSON Schemas of the portable JSON form (`docs/STATE_JSON.md`), derived from the types: what
//! a case file may hold ([`case_schema`]), what a State may hold ([`state_schema`]), and what
//! `scenario run` prints ([`output_schema`]). Editors validate case files against them (a case
//! file may name its schema with `"$schema"`); `scenario schema` prints them. Behind the
//! `schema` feature, which the `scenario` CLI turns on.
//!
//! ```
//! let schema = ops_scenario::schema::case_schema();
//! assert_eq!(schema["title"], "Case");
//! assert_eq!(schema["required"], serde_json::json!(["charm", "event"]));
//! ```
//!
//! Most types derive their schema from their serde attributes (`schemars`), so a field added to
//! them is in the schema at once. The types that (de)serialise themselves say here what their
//! reader accepts: [`Status`], [`Databag`], [`AnyRelation`], [`Layers`], [`ContainerFile`],
//! [`StoredValue`] and [`Rule`].
//!
//! Where the schema and the reader part (docs/STATE_JSON.md, "What the schema cannot say"):
//! - a number written with a fraction or an exponent (`1.0`, `1e2`, `-0.0`) where an integer is
//!   expected: JSON Schema counts it as an integer, the reader refuses it;
//! - the order of an object's keys: a stored value reads an object as a tagged value only when
//!   its *first* key is a tag (`{"$set": [...]}`), so `{"$set": [1], "a": 2}` passes the schema
//!   as a dict but the reader refuses it (no writer produces it);
//! - the reader of a relation takes `null` for any field (and for a field of another kind) as
//!   the field left out; the schema takes `null` only where the field's type has it.
//!
//! The Output schema describes what is written (every field that is always written is
//! `required`); the case and State schemas describe what is read (every field with a default
//! may be left out).

use std::borrow::Cow;

use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde_json::{json, Map, Value};

use crate::case::Case;
use crate::error::Rule;
use crate::output::Output;
use crate::state::{
    AnyRelation, ContainerFile, Databag, FileKind, Layer, Layers, PeerRelation, Relation, State,
    Status, StoredValue, SubordinateRelation, CONTAINER_FILE_KEYS,
};

/// The JSON Schema (draft 2020-12) of a case file, as `scenario run CASE.json` reads it: the
/// charm, `charm_class`, `context`, `event`, `state`, and `"$schema"`.
pub fn case_schema() -> Value {
    root_schema::<Case>(SchemaSettings::draft2020_12().for_deserialize())
}

/// The JSON Schema (draft 2020-12) of a State, as it is read (`scenario run --state FILE`).
pub fn state_schema() -> Value {
    root_schema::<State>(SchemaSettings::draft2020_12().for_deserialize())
}

/// The JSON Schema (draft 2020-12) of an Output, as `scenario run` writes it (`state` is `null`
/// when the charm raised).
pub fn output_schema() -> Value {
    // What is written has no defaults to tell.
    let settings = SchemaSettings::draft2020_12()
        .for_serialize()
        .with_transform(RecursiveTransform(|schema: &mut Schema| {
            schema.remove("default");
        }));
    root_schema::<Output>(settings)
}

fn root_schema<T: JsonSchema>(settings: SchemaSettings) -> Value {
    let schema = settings
        .with_transform(RecursiveTransform(bound_integers))
        .with_transform(RecursiveTransform(exact_u32_keys))
        .with_transform(RecursiveTransform(plain_descriptions))
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value();
    // What the document is first, then the type's own schema, then the definitions.
    let Value::Object(mut parts) = schema else {
        return schema;
    };
    let mut ordered = Map::new();
    for key in ["$schema", "title", "description"] {
        if let Some(value) = parts.remove(key) {
            ordered.insert(key.to_owned(), value);
        }
    }
    let defs = parts.remove("$defs");
    ordered.extend(parts);
    if let Some(defs) = defs {
        ordered.insert("$defs".to_owned(), defs);
    }
    Value::Object(ordered)
}

// ---- transforms of the derived schemas ----------------------------------------------------

/// Give integers the bounds of their Rust type, which schemars leaves to `format` (a format a
/// validator need not check): a `u32` field takes no number above 4294967295.
fn bound_integers(schema: &mut Schema) {
    let (min, max): (Value, Value) = match schema.get("format").and_then(Value::as_str) {
        Some("uint32") => (0.into(), u32::MAX.into()),
        Some("int32") => (i32::MIN.into(), i32::MAX.into()),
        Some("uint64") => (0.into(), u64::MAX.into()),
        Some("int64") => (i64::MIN.into(), i64::MAX.into()),
        _ => return,
    };
    let object = schema.ensure_object();
    object.entry("minimum").or_insert(min);
    object.entry("maximum").or_insert(max);
}

/// A `u32` as a JSON object key, exactly as serde_json reads one: decimal digits without a
/// sign or leading zeros, at most 4294967295.
pub(crate) const U32_KEY_PATTERN: &str = "^(0|[1-9][0-9]{0,8}|[1-3][0-9]{9}|4[01][0-9]{8}\
     |42[0-8][0-9]{7}|429[0-3][0-9]{6}|4294[0-8][0-9]{5}|42949[0-5][0-9]{4}|429496[0-6][0-9]{3}\
     |4294967[01][0-9]{2}|42949672[0-8][0-9]|429496729[0-5])$";

/// schemars keys a map with unsigned integer keys by `^\d+$`; every such map here is keyed by
/// `u32` (unit numbers, relation ids), so say exactly which keys the reader takes.
fn exact_u32_keys(schema: &mut Schema) {
    if let Some(Value::Object(patterns)) = schema.get_mut("patternProperties") {
        if let Some(value) = patterns.remove(r"^\d+$") {
            patterns.insert(U32_KEY_PATTERN.to_owned(), value);
        }
    }
}

/// Descriptions come from rustdoc: keep the prose, drop code examples and link targets.
fn plain_descriptions(schema: &mut Schema) {
    if let Some(Value::String(text)) = schema.get_mut("description") {
        *text = plain_text(text);
    }
}

/// Rustdoc as plain text: fenced code blocks dropped, lines wrapped in the source joined
/// (paragraphs and list items kept), `` [`Name`] `` and `[text](target)` links as their text.
pub(crate) fn plain_text(doc: &str) -> String {
    let mut prose = String::new();
    let mut in_code = false;
    for line in doc.lines() {
        let line = line.trim_end();
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        if line.is_empty() {
            prose.push_str("\n\n");
        } else {
            let starts_item = line.starts_with("- ");
            if !(prose.is_empty() || prose.ends_with('\n')) {
                prose.push(if starts_item { '\n' } else { ' ' });
            }
            prose.push_str(line.trim_start());
        }
    }
    while prose.contains("\n\n\n") {
        prose = prose.replace("\n\n\n", "\n\n");
    }
    let mut out = String::with_capacity(prose.len());
    let mut rest = prose.trim_end();
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let text = &after[..close];
        let tail = &after[close + 1..];
        let target_len = tail
            .strip_prefix('(')
            .and_then(|t| t.find(')'))
            .map(|end| end + 2);
        let is_code = text.len() >= 2 && text.starts_with('`') && text.ends_with('`');
        match target_len {
            Some(len) if !text.is_empty() => {
                out.push_str(text);
                rest = &tail[len..];
            }
            _ if is_code => {
                out.push_str(text);
                rest = tail;
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

// ---- the types with their own (de)serialisers --------------------------------------------

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
    fn descriptions_keep_the_prose_of_rustdoc() {
        let doc = "A [`Relation`] or [text](crate::X).\n\n```\nlet x = 1;\n```\nSee [`a::B`](B), `[\"ls\"]` and [1].";
        assert_eq!(
            plain_text(doc),
            "A `Relation` or text.\n\nSee `a::B`, `[\"ls\"]` and [1]."
        );
        let wrapped = "One sentence\nwrapped.\n\nA list:\n- one\n  item\n- two";
        assert_eq!(
            plain_text(wrapped),
            "One sentence wrapped.\n\nA list:\n- one item\n- two"
        );
    }

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

    #[test]
    fn the_schemas_are_draft_2020_12_documents() {
        for (schema, title) in [
            (case_schema(), "Case"),
            (state_schema(), "State"),
            (output_schema(), "Output"),
        ] {
            assert_eq!(
                schema["$schema"],
                "https://json-schema.org/draft/2020-12/schema"
            );
            assert_eq!(schema["title"], title);
            assert!(schema["$defs"].is_object(), "{title} has definitions");
        }
    }

    #[test]
    fn the_case_schema_knows_the_schema_key() {
        let schema = case_schema();
        assert_eq!(
            schema["properties"]["$schema"]["type"],
            json!(["string", "null"])
        );
        assert_eq!(schema["additionalProperties"], false);
    }

    #[test]
    fn the_output_schema_gives_no_defaults() {
        let schema = output_schema().to_string();
        assert!(!schema.contains("\"default\""), "{schema}");
        assert!(case_schema().to_string().contains("\"default\""));
    }

    #[test]
    fn u32_fields_have_their_bounds() {
        let schema = state_schema();
        let planned = &schema["properties"]["planned_units"];
        assert_eq!(planned["minimum"], 0);
        assert_eq!(planned["maximum"], u32::MAX);
    }
}
