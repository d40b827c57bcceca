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
//! them is in the schema at once. The types that (de)serialise themselves say in
//! `hand_written.rs` what their reader accepts: [`Status`](crate::Status),
//! [`Databag`](crate::Databag), [`AnyRelation`](crate::AnyRelation),
//! [`Layers`](crate::Layers), [`ContainerFile`](crate::ContainerFile),
//! [`StoredValue`](crate::StoredValue) and [`Rule`](crate::Rule). Every derived schema goes
//! through the transforms of `transforms.rs`.
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

mod hand_written;
mod transforms;

use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use schemars::{JsonSchema, Schema};
use serde_json::{Map, Value};

use crate::case::Case;
use crate::output::Output;
use crate::state::State;
use transforms::{bound_integers, exact_u32_keys, plain_descriptions};

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
