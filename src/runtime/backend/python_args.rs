//! Hook tool arguments as ops passes them (Python objects), read as the tools take them.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyBool;

use super::refusals::hook_error;
use crate::hook_tools::{HookToolError, SecretMeta};
use crate::state::SecretRotate;

/// The metadata ops passes to `secret-add` / `secret-set`, with `expire` and `rotate` as it
/// passes them (a `datetime`, an `ops.SecretRotate`) read as the hook tool's arguments would
/// carry them. A time without a zone (ops passes `datetime.now() + timedelta` so) is read as
/// UTC, as Juju reads `--expire` (worker/uniter/runner/jujuc/secret-add.go,
/// `secretUpsertCommand.Init`: RFC 3339, else `2006-01-02T15:04:05` with an optional fraction,
/// then `.UTC()`).
pub(super) fn secret_meta(
    py: Python<'_>,
    label: Option<String>,
    description: Option<String>,
    expire: &Bound<'_, PyAny>,
    rotate: &Bound<'_, PyAny>,
) -> PyResult<SecretMeta> {
    let expire = if expire.is_none() {
        None
    } else if let Ok(text) = expire.extract::<String>() {
        Some(text)
    } else {
        let text: String = expire.call_method0("isoformat")?.extract()?;
        if expire.getattr("tzinfo")?.is_none() {
            Some(format!("{text}Z"))
        } else {
            Some(text)
        }
    };
    let rotate = if rotate.is_none() {
        None
    } else {
        let value = match rotate.getattr("value") {
            Ok(value) => value.extract::<String>()?,
            Err(_) => rotate.extract::<String>()?,
        };
        Some(SecretRotate::parse(&value).ok_or_else(|| {
            hook_error(
                py,
                &HookToolError::Refused(format!("rotate policy {value:?} not valid")),
            )
        })?)
    };
    Ok(SecretMeta {
        label,
        description,
        expire,
        rotate,
    })
}

/// A relation id from Python: one that cannot be a Juju relation id names no relation.
pub(super) fn relation_id_of(id: i64, endpoint: Option<&str>) -> Result<u32, HookToolError> {
    u32::try_from(id).map_err(|_| {
        HookToolError::RelationNotFound(format!(
            "ERROR invalid value \"{}{id}\" for option -r: relation not found\n",
            endpoint.map(|e| format!("{e}:")).unwrap_or_default()
        ))
    })
}

/// ops' own check of the `is_app` argument, which an override must redo.
pub(super) fn boolean(value: &Bound<'_, PyAny>, method: &str) -> PyResult<bool> {
    match value.cast::<PyBool>() {
        Ok(b) => Ok(b.is_true()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "is_app parameter to {method} must be a boolean"
        ))),
    }
}
