//! A Python exception as the Rust caller sees it: the charm's exception (`CharmRaised`, with
//! its traceback), the shim's unknown-event error, a run's timeout, or a Python error in the
//! engine's own code. Apart from the run because every step of it (loading, building the
//! charm, emitting, a live charm's calls) maps exceptions the same way.

use pyo3::prelude::*;

use super::interpreter::Shim;
use super::watchdog;
use crate::consistency::unknown_event_hint;
use crate::error::Error;

/// An exception out of the charm (or its `__init__`), as the caller sees it.
pub(super) fn charm_error(py: Python<'_>, shim: &Shim, err: PyErr) -> Error {
    if err.is_instance(py, shim.unknown_event_error.bind(py)) {
        let value = err.value(py);
        let attr = |name: &str| {
            value
                .getattr(name)
                .and_then(|v| v.extract::<Option<String>>())
                .ok()
                .flatten()
        };
        let defined: Vec<String> = value
            .getattr("defined")
            .and_then(|v| v.extract())
            .unwrap_or_default();
        let name = attr("name").unwrap_or_default();
        return Error::UnknownEvent {
            hint: unknown_event_hint(
                &name,
                attr("missing").as_deref(),
                &attr("emitter").unwrap_or_default(),
                &defined,
            ),
            name,
        };
    }
    if err.is_instance(py, shim.run_timeout.bind(py)) {
        return timeout_error(py, shim, &err);
    }
    let value = err.value(py);
    let ty = value.get_type();
    let qualname = ty.qualname().map(|q| q.to_string()).unwrap_or_default();
    let module = ty.module().map(|m| m.to_string()).unwrap_or_default();
    Error::CharmRaised {
        exc_type: if module == "builtins" || module.is_empty() {
            qualname
        } else {
            format!("{module}.{qualname}")
        },
        message: value.str().map(|s| s.to_string()).unwrap_or_default(),
        traceback: format_exception(py, shim, &err),
    }
}

/// The shim's `RunTimeout(where, seconds)`, as the caller sees it.
pub(super) fn timeout_error(py: Python<'_>, shim: &Shim, err: &PyErr) -> Error {
    // Raised by the signal's handler: `RunTimeout(where, seconds)`. Raised asynchronously
    // (the class, no arguments): where is read from the traceback's innermost frame.
    let (handler, seconds): (String, f64) = err
        .value(py)
        .getattr("args")
        .and_then(|args| args.extract())
        .unwrap_or_else(|_| {
            let mut tb = err.traceback(py);
            while let Some(next) = tb
                .as_ref()
                .and_then(|t| t.getattr("tb_next").ok())
                .filter(|n| !n.is_none())
            {
                tb = next.cast_into().ok();
            }
            let handler = tb
                .and_then(|t| t.getattr("tb_frame").ok())
                .and_then(|frame| shim.where_interrupted.bind(py).call1((frame,)).ok())
                .and_then(|place| place.extract().ok())
                .unwrap_or_else(|| "the charm".to_owned());
            (handler, watchdog::limit_seconds())
        });
    Error::Timeout {
        limit: std::time::Duration::try_from_secs_f64(seconds).unwrap_or_default(),
        handler,
        traceback: format_exception(py, shim, err),
    }
}

/// A Python error in the engine's own code.
pub(super) fn internal(py: Python<'_>, shim: &Shim, err: PyErr) -> Error {
    Error::runtime(format_exception(py, shim, &err))
}

pub(super) fn format_exception(py: Python<'_>, shim: &Shim, err: &PyErr) -> String {
    shim.format_exception
        .bind(py)
        .call1((err.value(py),))
        .and_then(|lines| lines.extract::<Vec<String>>())
        .map(|lines| lines.concat())
        .unwrap_or_else(|_| err.to_string())
}
