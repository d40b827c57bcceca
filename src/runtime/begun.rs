//! The begun phase of a run: the charm built (or its building failed) and the event not yet
//! emitted. `begin` loads the charm and lets the shim's `Dispatch` build ops' Model,
//! Framework and the charm; `Begun` then emits the event and finishes the run into an Output.
//! Its own module because both a whole run (`run` in mod.rs) and a run in steps for a Python
//! host (`hosted.rs`) drive it.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{IntoPyDict, PyDict, PyList};

use super::backend::RunBackend;
use super::errors::{charm_error, internal};
use super::interpreter::Shim;
use super::loaded::load_charm;
use super::store::RunStore;
use super::{convert, modules, trace, Failure, RunRequest};
use crate::error::{Error, Result};
use crate::event::{Event, EventKind, Prepared};
use crate::hook_tools::HookTools;
use crate::output::Output;
use crate::state::UnitStore;

/// Why a run stopped before its end: an exception out of the charm's code (kept as Python
/// raised it, for a Python host to re-raise), or an error of the engine's own.
pub(crate) enum Stop {
    Charm(PyErr),
    Engine(Error),
}

impl Stop {
    /// The error a Rust caller sees.
    pub(super) fn into_error(self, py: Python<'_>, shim: &Shim) -> Error {
        match self {
            Stop::Charm(err) => charm_error(py, shim, err),
            Stop::Engine(error) => error,
        }
    }
}

impl From<Error> for Stop {
    fn from(error: Error) -> Self {
        Stop::Engine(error)
    }
}

/// What [`Begun::finish`] leaves behind.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keep {
    /// Nothing: the run's State moves into the Output.
    Nothing,
    /// The run's backend, answering from the output State: a Python host's test may still use
    /// the charm (and so the hook tools) after the run, as under ops.testing.
    Backend,
}

/// A run whose charm is built (or whose building failed) and whose event comes next: a run
/// in steps, so that the caller can look at the charm in between.
pub(crate) struct Begun {
    pub(super) shim: &'static Shim,
    backend: Py<RunBackend>,
    store: Py<RunStore>,
    /// The shim's `Dispatch`; `None` if building the charm raised.
    dispatch: Option<Py<PyAny>>,
    /// How the run ended, once it did: whether ops committed, or why it stopped.
    outcome: Option<Result<bool, Stop>>,
    closed: bool,
}

/// Load the charm, build the run's backend and store, and let the shim's `Dispatch` build
/// ops' Model and Framework and the charm.
pub(super) fn begin(py: Python<'_>, request: RunRequest<'_, '_>) -> Result<Begun, Failure> {
    let shim = Shim::init_with(py, request.python_env)?;
    let charm_dir = request.charm_root.unwrap_or(&request.charm.dir);
    let loaded = load_charm(
        py,
        shim,
        request.charm,
        charm_dir,
        request.loaded,
        request.options,
    )?;
    let RunRequest {
        charm,
        options,
        event,
        prepared: Prepared { state, scope },
        storage_root,
        loaded: request_loaded,
        event_sink,
        ..
    } = request;
    let (env, juju_context) = request_loaded
        .environment(
            py,
            &loaded,
            scope.juju_environment(options, &state.model, charm_dir),
        )
        .map_err(|e| internal(py, shim, e))?;
    let store = Bound::new(
        py,
        RunStore {
            store: UnitStore::seeded(&state),
        },
    )
    .map_err(|e| internal(py, shim, e))?;
    // What ops' dispatch would decide from the hook's name, decided by the scope.
    let broken_relation_id = scope.broken_relation_id();
    let model_remote_unit = scope.model_remote_unit().map(str::to_owned);
    let restricted = scope.restricted;
    let tools = HookTools::new(
        state,
        Arc::clone(&charm.meta),
        scope,
        Arc::clone(storage_root),
    );
    let reads = options
        .record_reads
        .then(|| super::reads::ReadsRecorder::new(py))
        .transpose()
        .map_err(|e| internal(py, shim, e))?;
    let backend =
        Bound::new(py, RunBackend::new(tools, reads)).map_err(|e| internal(py, shim, e))?;
    // A Python host's list for the run's spans, if it wants them (a keyword: the tuple is full).
    let span_sink = event_sink
        .as_ref()
        .and_then(|sink| sink.spans.as_ref())
        .map(|spans| [("span_sink", spans.bind(py))].into_py_dict(py))
        .transpose()
        .map_err(|e| internal(py, shim, e))?;
    let built = shim.dispatch.bind(py).call(
        (
            loaded,
            &backend,
            &store,
            env,
            juju_context,
            event.event_name(),
            options.capture_deferred_events,
            options.capture_framework_events,
            broken_relation_id,
            model_remote_unit,
            restricted,
            event_sink.as_ref().map(|sink| &sink.events),
        ),
        span_sink.as_ref(),
    );
    let (dispatch, outcome) = match built {
        Ok(dispatch) => (Some(dispatch.unbind()), None),
        // The Dispatch put the process back itself.
        Err(e) => (None, Some(Err(Stop::Charm(e)))),
    };
    Ok(Begun {
        shim,
        backend: backend.unbind(),
        store: store.unbind(),
        closed: dispatch.is_none(),
        dispatch,
        outcome,
    })
}

impl Begun {
    /// The charm instance, if it was built (not if its `__init__` raised or ended the hook).
    pub(crate) fn charm<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyAny>> {
        let charm = self.dispatch.as_ref()?.bind(py).getattr("charm").ok()?;
        (!charm.is_none()).then_some(charm)
    }

    /// Call `f` with the charm, if there is one.
    pub(super) fn look(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&Bound<'_, PyAny>) -> Result<()>,
    ) -> Result<()> {
        self.charm(py).map_or(Ok(()), |charm| f(&charm))
    }

    /// Stop the run with `result`'s error, unless it has stopped already.
    pub(super) fn stop_on(&mut self, result: Result<()>) {
        if let Err(error) = result {
            if !matches!(self.outcome, Some(Err(_))) {
                self.outcome = Some(Err(Stop::Engine(error)));
            }
        }
    }

    /// Whether the charm is there and the event not yet emitted.
    pub(crate) fn can_emit(&self) -> bool {
        self.dispatch.is_some() && self.outcome.is_none() && !self.closed
    }

    /// Re-emit deferred events, emit `event`, collect status and commit: once, and only if
    /// the run has not stopped.
    pub(crate) fn emit(&mut self, py: Python<'_>, event: &Event) {
        self.emit_as(py, event, None);
    }

    /// [`Begun::emit`], with the event a Python host found on the live charm (a custom event
    /// of an object the charm holds) and its arguments as Python objects, instead of `event`'s.
    pub(crate) fn emit_as(
        &mut self,
        py: Python<'_>,
        event: &Event,
        host: Option<HostEvent<'_, '_>>,
    ) {
        if !self.can_emit() {
            return;
        }
        let Some(dispatch) = &self.dispatch else {
            return;
        };
        self.outcome = Some(emit_event(py, self.shim, dispatch.bind(py), event, host));
    }

    /// The run's State as the charm has changed it so far (before ops' commit, its stored
    /// state and deferred events are the input's; container files as the State gave them).
    pub(crate) fn state_now(&self, py: Python<'_>) -> Option<crate::state::State> {
        self.backend.bind(py).borrow().state_now().cloned()
    }

    /// How the run went so far: `None` until the event was emitted or the run stopped.
    pub(crate) fn stopped_with(&self) -> Option<&Stop> {
        match &self.outcome {
            Some(Err(stop)) => Some(stop),
            _ => None,
        }
    }

    /// Put the process back (once): the shim's patches, and whatever the charm did to
    /// `sys.modules`.
    pub(super) fn close(&mut self, py: Python<'_>) {
        if std::mem::replace(&mut self.closed, true) {
            return;
        }
        let closed = match &self.dispatch {
            Some(dispatch) => dispatch.bind(py).call_method0("close").map(|_| ()),
            None => Ok(()),
        };
        let restored = modules::restore(py);
        if let Err(e) = closed.and(restored) {
            if !matches!(self.outcome, Some(Err(_))) {
                self.outcome = Some(Err(Stop::Engine(internal(py, self.shim, e))));
            }
        }
    }

    /// End the run: put the process back and assemble the Output, or say why the run
    /// stopped, with what it had recorded until then.
    pub(crate) fn finish(
        mut self,
        py: Python<'_>,
        keep: Keep,
    ) -> Result<Output, (Stop, Option<Box<Output>>)> {
        self.close(py);
        let taken = {
            let mut backend = self.backend.bind(py).borrow_mut();
            match keep {
                Keep::Nothing => backend.take().map(|mut tools| {
                    tools.finish();
                    tools.scope.withheld.restore(&mut tools.state);
                    (tools.state, tools.output, tools.commit_refusals)
                }),
                Keep::Backend => backend.tools_mut().ok().map(|tools| {
                    tools.finish();
                    let refusals = tools.commit_refusals.clone();
                    let mut state = tools.state.clone();
                    tools.scope.withheld.restore(&mut state);
                    (state, tools.output.clone(), refusals)
                }),
            }
        };
        let Some((state, mut output, commit_refusals)) = taken else {
            return Err((
                Stop::Engine(Error::runtime("the run's backend was already taken")),
                None,
            ));
        };
        output.state = state;
        match self.backend.bind(py).borrow().reads(py) {
            Ok(reads) => output.reads = reads,
            Err(e) => {
                let error = internal(py, self.shim, e);
                return Err((Stop::Engine(error), Some(Box::new(output))));
            }
        }
        if self.shim.captures_spans {
            if let Some(dispatch) = &self.dispatch {
                match dispatch
                    .bind(py)
                    .getattr("spans")
                    .and_then(|s| trace::spans(&s))
                {
                    Ok(spans) => output.trace_data = spans,
                    Err(e) => {
                        let error = internal(py, self.shim, e);
                        return Err((Stop::Engine(error), Some(Box::new(output))));
                    }
                }
            }
        }
        let committed = match self.outcome.take() {
            // The charm finished, but Juju refuses some of the hook's changes as it commits
            // them.
            Some(Ok(_)) | None if !commit_refusals.is_empty() => {
                return Err((
                    Stop::Engine(Error::CommitRefused {
                        refusals: commit_refusals,
                    }),
                    Some(Box::new(output)),
                ))
            }
            Some(Ok(committed)) => committed,
            // Never emitted (the caller finished early): nothing was committed.
            None => false,
            Some(Err(stop)) => return Err((stop, Some(Box::new(output)))),
        };
        if committed {
            std::mem::take(&mut self.store.bind(py).borrow_mut().store)
                .read_back(&mut output.state);
        }
        Ok(output)
    }
}

/// A custom event as a Python host found it on the live charm, with its arguments.
pub(crate) struct HostEvent<'a, 'py> {
    pub bound: &'a Bound<'py, PyAny>,
    pub args: &'a Bound<'py, PyList>,
    pub kwargs: &'a Bound<'py, PyDict>,
}

/// Re-emit, emit, collect status and commit. Returns whether ops committed.
fn emit_event(
    py: Python<'_>,
    shim: &Shim,
    dispatch: &Bound<'_, PyAny>,
    event: &Event,
    host: Option<HostEvent<'_, '_>>,
) -> Result<bool, Stop> {
    let (args, kwargs, bound) = match host {
        Some(host) => (
            host.args.clone(),
            host.kwargs.clone(),
            Some(host.bound.clone()),
        ),
        None => {
            let args = PyList::empty(py);
            for arg in &event.args {
                args.append(convert::to_py(py, arg).map_err(|e| internal(py, shim, e))?)
                    .map_err(|e| internal(py, shim, e))?;
            }
            let kwargs =
                convert::dict_to_py(py, &event.kwargs).map_err(|e| internal(py, shim, e))?;
            (args, kwargs, None)
        }
    };
    dispatch
        .call_method1(
            "run",
            (
                event.event_name(),
                event.owner_path(),
                args,
                kwargs,
                event.kind() != EventKind::Custom,
                bound,
            ),
        )
        .and_then(|r| r.is_truthy())
        .map_err(|e| {
            if e.is_instance(py, shim.unknown_event_error.bind(py)) {
                Stop::Engine(charm_error(py, shim, e))
            } else {
                Stop::Charm(e)
            }
        })
}
