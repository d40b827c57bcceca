//! Reading metadata documents: YAML text to JSON values with errors that say where, and the
//! shape checks every section shares.

use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// A metadata error at `at` (a dotted path such as `storage.data.type`; empty for the whole
/// document) in `file`.
pub(super) fn metadata_error(file: &Path, at: &str, message: impl Into<String>) -> Error {
    let message = message.into();
    Error::Metadata {
        file: file.to_owned(),
        line: None,
        column: None,
        message: if at.is_empty() {
            message
        } else {
            format!("{at}: {message}")
        },
    }
}

/// A section that must be a mapping when given: `None` when absent or null.
///
/// # Errors
/// [`Error::Metadata`] naming `at` when it is something else.
pub(super) fn optional_mapping<'a>(
    file: &Path,
    at: &str,
    value: Option<&'a Value>,
    what: &str,
) -> Result<Option<&'a Map<String, Value>>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(_) => Err(metadata_error(
            file,
            at,
            format!("expected a mapping {what}"),
        )),
    }
}

/// An optional string field.
///
/// # Errors
/// [`Error::Metadata`] naming `at` when it is not a string.
pub(super) fn optional_string(
    file: &Path,
    at: &str,
    value: Option<&Value>,
) -> Result<Option<String>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(metadata_error(
            file,
            at,
            format!("expected a string, found {other}"),
        )),
    }
}

/// An optional boolean field, false when absent.
///
/// # Errors
/// [`Error::Metadata`] naming `at` when it is not a boolean.
pub(super) fn flag(file: &Path, at: &str, value: Option<&Value>) -> Result<bool> {
    match value {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(metadata_error(
            file,
            at,
            format!("expected true or false, found {other}"),
        )),
    }
}

pub(super) fn parse_yaml(file: &Path, text: &str) -> Result<Value> {
    serde_yaml_ng::from_str::<Value>(text).map_err(|e| {
        let location = e.location();
        let mut message = e.to_string();
        // The parser's message repeats the location we report separately.
        if let Some(l) = &location {
            message = message.replacen(
                &format!(" at line {} column {}", l.line(), l.column()),
                "",
                1,
            );
        }
        Error::Metadata {
            file: file.to_owned(),
            line: location.as_ref().map(|l| l.line()),
            column: location.as_ref().map(|l| l.column()),
            message,
        }
    })
}

pub(super) fn parse_yaml_file(file: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Error::io(format!("reading {}", file.display()), e))?;
    parse_yaml(file, &text)
}

pub(super) fn optional_yaml_file(file: &Path) -> Result<Option<Value>> {
    if file.is_file() {
        parse_yaml_file(file).map(Some)
    } else {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_yaml_says_where() {
        let err = parse_yaml(Path::new("charmcraft.yaml"), "name: x\nconfig: [\n").unwrap_err();
        match err {
            Error::Metadata { line, column, .. } => {
                assert!(line.is_some() && column.is_some());
            }
            other => panic!("{other}"),
        }
    }
}
