//! The embedded executor: the only module that touches Python.
//!
//! One run: take the run lock, attach, make sure the interpreter and the charm are loaded
//! (once per process and per [`Context`](crate::Context)), build the run's Rust backend and
//! store from the input State, let the shim's `Dispatch` drive ops, and assemble the Output
//! from what the backend and store hold afterwards.
//!
//! This file is the run as a whole (`run`); the charm's Python side kept per Context is
//! `loaded.rs`, the run's begun phase (charm built, event next) `begun.rs`, the threads a run
//! leaves running `threads.rs`, and exceptions as the caller sees them `errors.rs`.

mod backend;
mod begun;
mod convert;
mod databags;
mod errors;
mod hosted;
mod interpreter;
mod live;
mod loaded;
mod lock;
mod modules;
mod patches;
mod pebble;
pub(crate) mod python_env;
mod reads;
mod shim_code;
mod store;
mod threads;
mod trace;
mod watchdog;

use std::sync::Arc;

use pyo3::prelude::*;

pub(crate) use hosted::begin_stepped;
pub use hosted::{CharmClass, EventSink, HostedFailure, SteppedRun};
#[doc(hidden)]
pub use interpreter::__run_python_between_runs;
pub(crate) use interpreter::start_python_with;
pub use interpreter::{flush_python_output, python_stdout_to_stderr, start_python};
pub use live::{Inspect, LiveCharm};
pub(crate) use loaded::{load_class, LoadedCharm};

use crate::charm::Charm;
use crate::error::{Error, Result};
use crate::event::Event;
use crate::event::Prepared;
use crate::hook_tools::StorageRoot;
use crate::options::ContextOptions;
use crate::output::Output;
use begun::{begin, Keep};
use interpreter::Shim;
use python_env::PythonEnv;
use threads::Threads;

/// Everything one run needs, borrowed from the Context and the caller.
pub(crate) struct RunRequest<'a, 'i> {
    pub charm: &'a Charm,
    /// The directory the charm sees as its charm dir, if not its own.
    pub charm_root: Option<&'a std::path::Path>,
    /// The Python environment the Context wants.
    pub python_env: &'a PythonEnv,
    pub loaded: &'a LoadedCharm,
    pub options: &'a ContextOptions,
    pub event: &'a Event,
    /// The input State, normalised, and the event resolved against it.
    pub prepared: Prepared,
    pub inspect: Option<&'a mut Inspect<'i>>,
    /// Where storage instances' directories are made (the Context's).
    pub storage_root: &'a Arc<StorageRoot>,
    /// A Python host's list for the event objects ops emits (ops.testing's
    /// `ctx.emitted_events`), if it wants them.
    pub event_sink: Option<EventSink>,
}

/// A run that did not finish: why, and what it had recorded until then (once the charm was
/// being built): juju-log lines, status changes, emitted events.
pub(crate) struct Failure {
    pub error: Error,
    pub partial: Option<Box<Output>>,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure {
            error,
            partial: None,
        }
    }
}

/// Run one event. The caller has checked consistency already.
pub(crate) fn run(request: RunRequest<'_, '_>) -> Result<Output, Failure> {
    lock::no_stepped_run_open()?;
    lock::with_python(|py| run_attached(py, request))
}

fn run_attached(py: Python<'_>, mut request: RunRequest<'_, '_>) -> Result<Output, Failure> {
    let shim = Shim::init_with(py, request.python_env)?;
    let threads = Threads::before(py, shim);
    let mut timed = watchdog::Timed::start(py, shim, request.options.timeout)?;
    let inspect = request.inspect.take();
    let event = request.event;
    let mut begun = begin(py, request)?;
    let looked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // No charm: it ended the hook cleanly in its __init__, so there is nothing to look at.
        let mut inspect = inspect.filter(|_| begun.charm(py).is_some());
        if let Some(inspect) = inspect.as_deref_mut() {
            let looked = begun.look(py, |charm| inspect.call_before(&LiveCharm::new(charm)));
            begun.stop_on(looked);
        }
        begun.emit(py, event);
        if let Some(inspect) = inspect {
            let looked = begun.look(py, |charm| inspect.call_after(&LiveCharm::new(charm)));
            begun.stop_on(looked);
        }
    }));
    timed.disarm();
    if let Err(panic) = looked {
        // The process is put back even if an Inspect closure panics.
        begun.close(py);
        std::panic::resume_unwind(panic);
    }
    let shim = begun.shim;
    // Closed (the shim's patches out) while this thread still has the role of Python's main
    // thread, if the limit gave it that: pdb may have set SIGINT's handler, which only the
    // main thread can put back.
    let finished = begun.finish(py, Keep::Nothing);
    drop(timed);
    let left = threads.left(py, shim);
    match finished {
        Ok(mut output) => {
            output.warnings.extend(left);
            Ok(output)
        }
        Err((stop, mut partial)) => {
            if let Some(partial) = &mut partial {
                partial.warnings.extend(left);
            }
            Err(Failure {
                error: stop.into_error(py, shim),
                partial,
            })
        }
    }
}
