//! The runtime under a Python host (the `ops_scenario_rs` package): the charm class the test
//! imported, the list the host wants emitted event objects in, and runs in steps (the manager
//! form of ops.testing: the charm is built, the test looks at it, then the event is emitted).
//! A charm's exception stays the Python exception it raised, for the host to re-raise.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use super::begun::{Begun, HostEvent, Keep, Stop};
use super::interpreter::Shim;
use super::watchdog::Timed;
use super::{lock, Failure, RunRequest};
use crate::error::{Error, Violation};
use crate::event::Event;
use crate::output::Output;

/// A charm class the Python host has imported already (a test hands it to its Context).
#[derive(Debug)]
pub struct CharmClass(pub(crate) Py<PyAny>);

impl CharmClass {
    /// The class object, as the host passes it.
    pub fn new(class: &Bound<'_, PyAny>) -> Self {
        CharmClass(class.clone().unbind())
    }
}

/// The Python lists the host wants a run's objects in: the event objects ops emits
/// (ops.testing's `ctx.emitted_events`) and, with `ops[tracing]` installed, the run's tracing
/// spans as opentelemetry's `ReadableSpan`s (ops.testing's `ctx.trace_data`).
#[derive(Debug)]
pub struct EventSink {
    pub(crate) events: Py<PyList>,
    pub(crate) spans: Option<Py<PyList>>,
}

impl EventSink {
    /// Append the emitted events to `list`.
    pub fn new(list: &Bound<'_, PyList>) -> Self {
        EventSink {
            events: list.clone().unbind(),
            spans: None,
        }
    }

    /// Also append the run's spans to `list` as the run ends (nothing without `ops[tracing]`).
    #[must_use]
    pub fn with_spans(mut self, list: &Bound<'_, PyList>) -> Self {
        self.spans = Some(list.clone().unbind());
        self
    }
}

/// The first step of a run in steps: marks the process as having a run open until the
/// [`SteppedRun`] is finished.
pub(crate) fn begin_stepped(
    request: RunRequest<'_, '_>,
    warnings: Vec<Violation>,
) -> Result<SteppedRun, HostedFailure> {
    let event = request.event.clone();
    let timeout = request.options.timeout;
    Python::attach(|py| {
        let begun = lock::holding(py, || {
            lock::open_stepped_run()?;
            // The charm's construction is timed; the test's code between the steps is not.
            let timed = Shim::init_with(py, request.python_env)
                .and_then(|shim| Timed::start(py, shim, timeout));
            let begun = timed
                .map_err(Failure::from)
                .and_then(|_timed| super::begun::begin(py, request));
            begun.inspect_err(|_| lock::close_stepped_run())
        })
        .map_err(|failure: Failure| HostedFailure::Engine {
            error: failure.error,
            partial: failure.partial,
        })?;
        let mut run = SteppedRun {
            begun: Some(begun),
            event,
            warnings,
            timeout,
        };
        // The charm's __init__ raised: the run is over already.
        if run
            .begun
            .as_ref()
            .is_some_and(|b| b.stopped_with().is_some())
        {
            return match run.finish(py, false) {
                Err(failure) => Err(failure),
                Ok(_) => Err(HostedFailure::engine(Error::runtime(
                    "the charm's __init__ failed, yet the run finished",
                ))),
            };
        }
        Ok(run)
    })
}

/// A run in steps: the charm is built; [`SteppedRun::emit`] emits the event and
/// [`SteppedRun::finish`] ends the run. Until it is finished, no other run can start in the
/// process (the run's changes to the process stay in place between the steps).
pub struct SteppedRun {
    /// `None` once finished.
    begun: Option<Begun>,
    event: Event,
    warnings: Vec<Violation>,
    /// The Context's time limit, for each step that runs the charm's code.
    timeout: Option<std::time::Duration>,
}

impl std::fmt::Debug for SteppedRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SteppedRun")
            .field("event", &self.event.event_name())
            .field("finished", &self.begun.is_none())
            .finish()
    }
}

/// Why a hosted run failed, with what it had recorded until then (once the charm was being
/// built).
#[derive(Debug)]
pub enum HostedFailure {
    /// The charm's code raised this exception.
    Charm {
        /// The exception, as Python raised it.
        error: PyErr,
        /// What the run recorded until then.
        partial: Option<Box<Output>>,
    },
    /// The engine refused the input or failed.
    Engine {
        /// What went wrong.
        error: Error,
        /// What the run recorded until then, if the charm was being built.
        partial: Option<Box<Output>>,
    },
}

impl HostedFailure {
    pub(crate) fn engine(error: Error) -> Self {
        HostedFailure::Engine {
            error,
            partial: None,
        }
    }
}

impl SteppedRun {
    /// The live charm, until the run is finished (`None` if its `__init__` ended the hook).
    pub fn charm<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyAny>> {
        self.begun.as_ref()?.charm(py)
    }

    /// The State as the charm has changed it so far, while the run is open (ops.testing's
    /// `mgr.ops.state`, which its backend changes in place): relation data, statuses, secrets
    /// and the rest of what the hook tools hold; stored state and deferred events only once ops
    /// has committed, at the end of the run.
    pub fn state_now(&self, py: Python<'_>) -> Option<crate::state::State> {
        self.begun.as_ref()?.state_now(py)
    }

    /// Whether the event can still be emitted (the charm is there, and it was not yet).
    pub fn can_emit(&self) -> bool {
        self.begun.as_ref().is_some_and(Begun::can_emit)
    }

    /// Re-emit deferred events, emit the event, collect status and let ops commit. Once; a
    /// charm exception is reported by [`SteppedRun::finish`].
    pub fn emit(&mut self, py: Python<'_>) {
        let timeout = self.timeout;
        if let Some(begun) = &mut self.begun {
            lock::holding(py, || {
                timed(py, timeout, begun, |begun| begun.emit(py, &self.event))
            });
        }
    }

    /// [`SteppedRun::emit`] for a custom event the host found on the live charm itself (an
    /// event of an object the charm holds, as ops.testing's `ctx.on.custom` names it by the
    /// emitter's type), with its arguments as Python objects.
    pub fn emit_custom(
        &mut self,
        py: Python<'_>,
        bound: &Bound<'_, PyAny>,
        args: &Bound<'_, PyList>,
        kwargs: &Bound<'_, PyDict>,
    ) {
        if let Some(begun) = &mut self.begun {
            let host = HostEvent {
                bound,
                args,
                kwargs,
            };
            lock::holding(py, || {
                timed(py, self.timeout, begun, |begun| {
                    begun.emit_as(py, &self.event, Some(host))
                })
            });
        }
    }

    /// End the run: put the process back, and return the Output. With `keep_backend`, the
    /// charm can still use its hook tools afterwards (they answer from the output State), as
    /// a test that looks at `mgr.charm` after `mgr.run()` does.
    ///
    /// # Errors
    /// [`HostedFailure::Charm`] if the charm raised; [`HostedFailure::Engine`] for Juju's
    /// refusal of the hook's changes (`Error::CommitRefused`), an unknown event, or an
    /// engine failure.
    pub fn finish(
        &mut self,
        py: Python<'_>,
        keep_backend: bool,
    ) -> std::result::Result<Output, HostedFailure> {
        let begun = self.begun.take().ok_or_else(|| {
            HostedFailure::engine(Error::runtime("this run has been finished already"))
        })?;
        let keep = if keep_backend {
            Keep::Backend
        } else {
            Keep::Nothing
        };
        let warnings = std::mem::take(&mut self.warnings);
        let finished = lock::holding(py, || {
            let finished = begun.finish(py, keep);
            lock::close_stepped_run();
            finished
        });
        match finished {
            Ok(mut output) => {
                output.warnings = warnings;
                Ok(output)
            }
            Err((stop, mut partial)) => {
                if let Some(partial) = &mut partial {
                    partial.warnings = warnings;
                }
                Err(match stop {
                    Stop::Charm(error) => HostedFailure::Charm { error, partial },
                    Stop::Engine(error) => HostedFailure::Engine { error, partial },
                })
            }
        }
    }
}

/// Run `step` under the time limit; a limit that cannot be armed stops the run with its error.
fn timed(
    py: Python<'_>,
    timeout: Option<std::time::Duration>,
    begun: &mut Begun,
    step: impl FnOnce(&mut Begun),
) {
    match Shim::get(py)
        .map_err(|e| Error::runtime(e.to_string()))
        .and_then(|shim| Timed::start(py, shim, timeout))
    {
        Ok(_timed) => step(begun),
        Err(error) => begun.stop_on(Err(error)),
    }
}

impl Drop for SteppedRun {
    /// A run dropped unfinished is finished, so the process is put back.
    fn drop(&mut self) {
        if self.begun.is_some() {
            Python::attach(|py| {
                let _ = self.finish(py, false);
            });
        }
    }
}
