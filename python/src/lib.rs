//! `ops_scenario_rs._engine`: the ops-scenario engine for a Python host. The package's
//! Python side (`ops_scenario_rs/`) turns ops.testing's objects into the engine's JSON form
//! (docs/STATE_JSON.md) and back; this module only runs them.
//!
//! The charm is the class the test imported; a run can go in steps (the manager form). A run
//! that fails raises [`RunFailed`], which says what kind of failure it was, carries the
//! charm's own exception when the charm raised, and what the run recorded until then.

use std::path::PathBuf;

use ops_scenario::meta::CharmMeta;
use ops_scenario::python::{CharmClass, EventSink, HostedDirs, HostedFailure, SteppedRun};
use ops_scenario::{Context, ContextOptions, Error, Event, Output, State};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyRuntimeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

create_exception!(
    _engine,
    RunFailed,
    PyException,
    "A run that did not finish: `.kind` says why (`charm`, `inconsistent`, `commit_refused`, \
     `unknown_event`, `invalid_input`, `charm_load`, `engine`), `.cause` is the charm's \
     exception (kind `charm`), `.violations` the checker's findings as JSON (kind \
     `inconsistent`), `.output` what the run recorded until then, as Output JSON, or None."
);

/// A Context for one charm class.
#[pyclass(module = "ops_scenario_rs._engine", frozen)]
struct Engine {
    ctx: Context,
}

#[pymethods]
impl Engine {
    /// `meta`, `config`, `actions` and `context` are JSON: the charm's metadata documents,
    /// and the Context options (STATE_JSON.md "Context").
    #[new]
    #[pyo3(signature = (charm_class, meta, config, actions, context, charm_root=None, storage_root=None, skip_consistency_checks=false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        charm_class: &Bound<'_, PyAny>,
        meta: &str,
        config: Option<&str>,
        actions: Option<&str>,
        context: &str,
        charm_root: Option<PathBuf>,
        storage_root: Option<PathBuf>,
        skip_consistency_checks: bool,
    ) -> PyResult<Self> {
        let json = |text: &str, what: &str| {
            serde_json::from_str::<serde_json::Value>(text)
                .map_err(|e| failed(py, "invalid_input", format!("{what}: {e}"), None))
        };
        let meta = CharmMeta::from_values(
            json(meta, "meta")?,
            config.map(|c| json(c, "config")).transpose()?,
            actions.map(|a| json(a, "actions")).transpose()?,
        )
        .map_err(|e| engine_error(py, e, None))?;
        let options: ContextOptions =
            ops_scenario::case::from_json(context).map_err(|e| engine_error(py, e, None))?;
        let dirs = HostedDirs {
            charm_root,
            storage_root,
        };
        let ctx = Context::for_class(&CharmClass::new(charm_class), meta, options, dirs)
            .map_err(|e| engine_error(py, e, None))?
            .skip_consistency_checks(skip_consistency_checks);
        Ok(Engine { ctx })
    }

    /// Run `event` on `state` (both JSON) and return the Output as JSON. The event objects
    /// ops emits are appended to `emitted`, and with ops[tracing] installed the run's spans
    /// (opentelemetry `ReadableSpan`s) to `trace_data`.
    #[pyo3(signature = (event, state, emitted, trace_data=None))]
    fn run(
        &self,
        py: Python<'_>,
        event: &str,
        state: &str,
        emitted: &Bound<'_, PyList>,
        trace_data: Option<&Bound<'_, PyList>>,
    ) -> PyResult<String> {
        let mut stepped = self.begin_run(py, event, state, emitted, trace_data)?;
        stepped.emit(py);
        output_json(py, stepped.finish(py, false))
    }

    /// Check the input and build the charm; the event is emitted by `Run.emit`. `emitted`
    /// and `trace_data` as for `run`.
    #[pyo3(signature = (event, state, emitted, trace_data=None))]
    fn begin(
        &self,
        py: Python<'_>,
        event: &str,
        state: &str,
        emitted: &Bound<'_, PyList>,
        trace_data: Option<&Bound<'_, PyList>>,
    ) -> PyResult<Run> {
        let stepped = self.begin_run(py, event, state, emitted, trace_data)?;
        Ok(Run {
            stepped: std::sync::Mutex::new(stepped),
        })
    }
}

impl Engine {
    fn begin_run(
        &self,
        py: Python<'_>,
        event: &str,
        state: &str,
        emitted: &Bound<'_, PyList>,
        trace_data: Option<&Bound<'_, PyList>>,
    ) -> PyResult<SteppedRun> {
        let event: Event =
            ops_scenario::case::from_json(event).map_err(|e| engine_error(py, e, None))?;
        let state: State =
            ops_scenario::case::from_json(state).map_err(|e| engine_error(py, e, None))?;
        let mut sink = EventSink::new(emitted);
        if let Some(trace_data) = trace_data {
            sink = sink.with_spans(trace_data);
        }
        self.ctx
            .begin(&event, &state, Some(sink))
            .map_err(|failure| hosted_error(py, failure))
    }
}

/// A run in steps: the charm is built; `emit()` emits the event, `finish()` ends the run.
#[pyclass(module = "ops_scenario_rs._engine", frozen)]
struct Run {
    stepped: std::sync::Mutex<SteppedRun>,
}

#[pymethods]
impl Run {
    /// The live charm, or None (its `__init__` ended the hook, or the run is finished).
    #[getter]
    fn charm<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        Ok(self.lock()?.charm(py))
    }

    /// The State as the charm has changed it so far (JSON), or None once the run is finished.
    fn state_now(&self, py: Python<'_>) -> PyResult<Option<String>> {
        self.lock()?
            .state_now(py)
            .map(|state| serde_json::to_string(&state))
            .transpose()
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    /// Whether the event can still be emitted.
    #[getter]
    fn can_emit(&self) -> PyResult<bool> {
        Ok(self.lock()?.can_emit())
    }

    /// Emit the event (once); a failure is raised by `finish`. For a custom event the host
    /// found on the live charm, `bound` is that `ops.BoundEvent`, emitted with `args` and
    /// `kwargs` as they are.
    #[pyo3(signature = (bound=None, args=None, kwargs=None))]
    fn emit(
        &self,
        py: Python<'_>,
        bound: Option<&Bound<'_, PyAny>>,
        args: Option<&Bound<'_, PyList>>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<()> {
        let mut stepped = self.lock()?;
        match bound {
            Some(bound) => {
                let args = args.cloned().unwrap_or_else(|| PyList::empty(py));
                let kwargs = kwargs.cloned().unwrap_or_else(|| PyDict::new(py));
                stepped.emit_custom(py, bound, &args, &kwargs);
            }
            None => stepped.emit(py),
        }
        Ok(())
    }

    /// End the run and return the Output as JSON. With `keep_backend`, the charm's hook
    /// tools keep answering (from the output State) afterwards.
    #[pyo3(signature = (keep_backend=false))]
    fn finish(&self, py: Python<'_>, keep_backend: bool) -> PyResult<String> {
        let finished = self.lock()?.finish(py, keep_backend);
        output_json(py, finished)
    }
}

impl Run {
    fn lock(&self) -> PyResult<std::sync::MutexGuard<'_, SteppedRun>> {
        self.stepped
            .try_lock()
            .map_err(|_| PyRuntimeError::new_err("this run is in use by another thread"))
    }
}

fn output_json(py: Python<'_>, finished: Result<Output, HostedFailure>) -> PyResult<String> {
    let output = finished.map_err(|failure| hosted_error(py, failure))?;
    serde_json::to_string(&output).map_err(|e| PyRuntimeError::new_err(e.to_string()))
}

/// The `RunFailed` exception for a failed run.
fn hosted_error(py: Python<'_>, failure: HostedFailure) -> PyErr {
    match failure {
        HostedFailure::Charm { error, partial } => {
            let message = error.value(py).to_string();
            let err = failed(py, "charm", message, partial.as_deref());
            let _ = err.value(py).setattr("cause", error.value(py));
            err
        }
        HostedFailure::Engine { error, partial } => engine_error(py, error, partial.as_deref()),
    }
}

fn engine_error(py: Python<'_>, error: Error, partial: Option<&Output>) -> PyErr {
    let kind = match &error {
        Error::Inconsistent { .. } => "inconsistent",
        Error::CommitRefused { .. } => "commit_refused",
        Error::UnknownEvent { .. } => "unknown_event",
        Error::InvalidInput { .. } | Error::Metadata { .. } => "invalid_input",
        Error::CharmLoad { .. } => "charm_load",
        _ => "engine",
    };
    let violations = match &error {
        Error::Inconsistent { violations } => serde_json::to_string(violations).ok(),
        _ => None,
    };
    let err = failed(py, kind, error.to_string(), partial);
    let _ = err.value(py).setattr("violations", violations);
    err
}

fn failed(py: Python<'_>, kind: &str, message: String, partial: Option<&Output>) -> PyErr {
    let err = RunFailed::new_err(message);
    let value = err.value(py);
    let _ = value.setattr("kind", kind);
    let _ = value.setattr("cause", py.None());
    let _ = value.setattr("violations", py.None());
    let _ = value.setattr(
        "output",
        partial.and_then(|output| serde_json::to_string(output).ok()),
    );
    err
}

#[pymodule]
fn _engine(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Engine>()?;
    m.add_class::<Run>()?;
    m.add("RunFailed", m.py().get_type::<RunFailed>())?;
    Ok(())
}
