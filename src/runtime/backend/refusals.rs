//! A hook tool's refusal as the charm sees it: the exception ops raises for it.

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

use crate::hook_tools::HookToolError;
use crate::runtime::interpreter::Shim;

/// A call after the run ended (a charm keeping a model object past its hook).
pub(super) fn finished() -> PyErr {
    PyRuntimeError::new_err("this run of the charm is over")
}

/// A refusal as the charm sees it: `ops.ModelError` with Juju's error text, or the more
/// precise exception ops raises in its place.
pub(super) fn hook_error(py: Python<'_>, err: &HookToolError) -> PyErr {
    let shim = match Shim::get(py) {
        Ok(shim) => shim,
        Err(e) => return e,
    };
    let message = err.to_string();
    match err {
        HookToolError::Refused(_) => PyErr::from_type(shim.model_error.bind(py).clone(), message),
        HookToolError::RelationNotFound(_) => {
            PyErr::from_type(shim.relation_not_found_error.bind(py).clone(), message)
        }
        HookToolError::OpsRefused(_) => PyRuntimeError::new_err(message),
        HookToolError::InvalidArgument(_) => PyValueError::new_err(message),
        HookToolError::Missing(tool) => match shim.missing_hook_tool.bind(py).call1((*tool,)) {
            Ok(exception) => PyErr::from_value(exception),
            Err(e) => e,
        },
    }
}

/// A refusal of a `secret-*` tool: ops raises `SecretNotFoundError` when Juju's text says
/// "not found", and `ModelError` otherwise.
pub(super) fn secret_error(py: Python<'_>, err: &HookToolError) -> PyErr {
    if !err.is_secret_not_found() {
        return hook_error(py, err);
    }
    match Shim::get(py) {
        Ok(shim) => PyErr::from_type(
            shim.secret_not_found_error.bind(py).clone(),
            err.to_string(),
        ),
        Err(e) => e,
    }
}
