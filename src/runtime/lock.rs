//! The process-wide run lock: one dispatch at a time per process.
//!
//! ops and the interpreter hold global state (the environment, the log handler's target,
//! caches), and the GIL does not keep two dispatches from interleaving, so a run holds this
//! lock from start to end. A thread never waits for it while attached to Python (see
//! embedding-notes.md §6): Rust callers take it before attaching, and Python code calling the
//! engine waits for it detached, so the holder can always attach.
//!
//! A run that a Python host drives in steps (the manager form: the charm is built, the test
//! looks at it, then the event is emitted) holds the lock only during each step, and marks the
//! process as having a run open in between: no other run may start until it is finished.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError, TryLockError};

use pyo3::Python;

use crate::error::{Error, Result};

static RUN_LOCK: Mutex<()> = Mutex::new(());

/// Whether a stepped run is open (between its steps the lock is free).
static STEPPED_RUN_OPEN: AtomicBool = AtomicBool::new(false);

/// Run `f` attached to Python, holding the run lock (from a thread that is not attached).
pub(crate) fn with_python<R>(f: impl for<'py> FnOnce(Python<'py>) -> R) -> R {
    // A panic in an earlier run poisons the lock but leaves nothing half-done that a later
    // run depends on: every run builds its own objects.
    let _guard = RUN_LOCK.lock().unwrap_or_else(PoisonError::into_inner);
    // SAFETY: Py_IsInitialized may be called at any time.
    if unsafe { pyo3::ffi::Py_IsInitialized() } == 0 {
        super::watchdog::note_starting_thread();
    }
    Python::attach(f)
}

/// Run `f` holding the run lock, from a thread that is attached already (Python code calling
/// the engine): it waits detached, so that the holder can attach.
pub(crate) fn holding<R>(py: Python<'_>, f: impl FnOnce() -> R) -> R {
    let _guard = loop {
        match RUN_LOCK.try_lock() {
            Ok(guard) => break guard,
            Err(TryLockError::Poisoned(poisoned)) => break poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => {
                py.detach(|| drop(RUN_LOCK.lock().unwrap_or_else(PoisonError::into_inner)))
            }
        }
    };
    f()
}

/// An error if a stepped run is open: one run at a time.
pub(crate) fn no_stepped_run_open() -> Result<()> {
    if STEPPED_RUN_OPEN.load(Ordering::Acquire) {
        return Err(run_in_progress());
    }
    Ok(())
}

/// Mark a stepped run open (an error if one already is); [`close_stepped_run`] ends it.
pub(crate) fn open_stepped_run() -> Result<()> {
    STEPPED_RUN_OPEN
        .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
        .map(|_| ())
        .map_err(|_| run_in_progress())
}

fn run_in_progress() -> Error {
    Error::runtime(
        "another run is in progress in this process (a `with ctx(event, state) as mgr:` \
         block that has not finished): finish it before starting a run",
    )
}

pub(crate) fn close_stepped_run() {
    STEPPED_RUN_OPEN.store(false, Ordering::Release);
}
