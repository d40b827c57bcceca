//! The process-wide run lock: one dispatch at a time per process.
//!
//! ops and the interpreter hold global state (the environment, the log handler's target,
//! caches), and the GIL does not keep two dispatches from interleaving, so a run holds this
//! lock from start to end. It is always taken *before* attaching to Python, never from
//! attached code (see embedding-notes.md §6), so no thread can hold the GIL while waiting for it.

use std::sync::{Mutex, PoisonError};

use pyo3::Python;

static RUN_LOCK: Mutex<()> = Mutex::new(());

/// Run `f` attached to Python, holding the run lock.
pub(crate) fn with_python<R>(f: impl for<'py> FnOnce(Python<'py>) -> R) -> R {
    // A panic in an earlier run poisons the lock but leaves nothing half-done that a later
    // run depends on: every run builds its own objects.
    let _guard = RUN_LOCK.lock().unwrap_or_else(PoisonError::into_inner);
    Python::attach(f)
}
