//! The embedded executor: the only module that touches Python.
//!
//! One run: take the run lock, attach, make sure the interpreter and the charm are loaded
//! (once per process and per [`Context`](crate::Context)), build the run's Rust backend and
//! store from the input State, let the shim's `Dispatch` drive ops, and assemble the Output
//! from what the backend and store hold afterwards.

mod backend;
mod convert;
mod databags;
mod interpreter;
mod live;
mod lock;
mod modules;
mod patches;
mod pebble;
pub(crate) mod python_env;
mod store;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

#[doc(hidden)]
pub use interpreter::__run_python_between_runs;
pub(crate) use interpreter::start_python_with;
pub use interpreter::{flush_python_output, python_stdout_to_stderr, start_python};
pub use live::{Inspect, LiveCharm};

use crate::charm::Charm;
use crate::consistency::unknown_event_hint;
use crate::error::{Error, Result};
use crate::event::Prepared;
use crate::event::{Event, EventKind};
use crate::hook_tools::{HookTools, StorageRoot};
use crate::options::ContextOptions;
use crate::output::Output;
use crate::state::UnitStore;
use backend::RunBackend;
use interpreter::Shim;
use python_env::PythonEnv;
use store::RunStore;

/// A charm's Python side (class, metadata), loaded on a Context's first run and kept; and
/// the Python form of each distinct Juju environment its runs had.
#[derive(Default)]
pub(crate) struct LoadedCharm {
    charm: OnceLock<Py<PyAny>>,
    environments: Mutex<HashMap<Vec<(&'static str, String)>, RunEnvironment>>,
}

/// A Juju environment as a run hands it to the shim: `os.environ`'s entries (encoded as the
/// mapping behind `os.environ` holds them) and ops' `JujuContext`. Both are made once per
/// distinct environment: JujuContext is frozen, and building one resolves the charm dir
/// (several syscalls); encoding the variables in Python costs a few µs a run.
struct RunEnvironment {
    encoded: Py<PyDict>,
    juju_context: Py<PyAny>,
}

/// The environments a Context keeps at most (a test suite's runs have a few dozen).
const ENVIRONMENTS_KEPT: usize = 256;

impl std::fmt::Debug for LoadedCharm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.charm.get().is_some() {
            "LoadedCharm(loaded)"
        } else {
            "LoadedCharm(not yet)"
        })
    }
}

impl LoadedCharm {
    /// The Python form of `env` (see [`RunEnvironment`]), made on its first run.
    fn environment<'py>(
        &self,
        py: Python<'py>,
        charm: &Bound<'py, PyAny>,
        env: Vec<(&'static str, String)>,
    ) -> PyResult<(Bound<'py, PyDict>, Bound<'py, PyAny>)> {
        // Under the run lock: no other run uses this Context's charm now.
        let mut environments = self
            .environments
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(known) = environments.get(&env) {
            return Ok((
                known.encoded.bind(py).clone(),
                known.juju_context.bind(py).clone(),
            ));
        }
        let plain = PyDict::new(py);
        for (key, value) in &env {
            plain.set_item(key, value)?;
        }
        let (encoded, juju_context): (Bound<'py, PyDict>, Bound<'py, PyAny>) = charm
            .call_method1(intern!(py, "environment"), (plain,))?
            .extract()?;
        if environments.len() >= ENVIRONMENTS_KEPT {
            environments.clear();
        }
        environments.insert(
            env,
            RunEnvironment {
                encoded: encoded.clone().unbind(),
                juju_context: juju_context.clone().unbind(),
            },
        );
        Ok((encoded, juju_context))
    }
}

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
    lock::with_python(|py| run_attached(py, request))
}

fn run_attached(py: Python<'_>, request: RunRequest<'_, '_>) -> Result<Output, Failure> {
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
        inspect,
        storage_root,
        loaded: request_loaded,
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
    let backend = Bound::new(py, RunBackend::new(tools)).map_err(|e| internal(py, shim, e))?;

    let outcome = shim
        .dispatch
        .bind(py)
        .call1((
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
        ))
        .map_err(|e| charm_error(py, shim, e))
        .and_then(|dispatch| {
            // `close` puts the process back even if an Inspect closure panics.
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                drive(py, shim, &dispatch, event, inspect)
            }));
            let closed = dispatch.call_method0("close");
            let committed = outcome.unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
            closed.map_err(|e| internal(py, shim, e))?;
            Ok(committed)
        });

    // Whatever the charm did to sys.modules, in its __init__ or its handlers, is undone.
    let outcome = match (outcome, modules::restore(py)) {
        (Ok(_), Err(e)) => Err(internal(py, shim, e)),
        (outcome, _) => outcome,
    };
    let mut tools = backend
        .borrow_mut()
        .take()
        .ok_or_else(|| Error::runtime("the run's backend was already taken"))?;
    tools.finish_workloads();
    let mut output = tools.output;
    output.state = tools.state;
    let committed = match outcome {
        // The charm finished, but Juju refuses some of the hook's changes as it commits them.
        Ok(_) if !tools.commit_refusals.is_empty() => {
            return Err(Failure {
                error: Error::CommitRefused {
                    refusals: tools.commit_refusals,
                },
                partial: Some(Box::new(output)),
            })
        }
        Ok(committed) => committed,
        Err(error) => {
            return Err(Failure {
                error,
                partial: Some(Box::new(output)),
            })
        }
    };
    if committed {
        std::mem::take(&mut store.borrow_mut().store).read_back(&mut output.state);
    }
    Ok(output)
}

/// Re-emit, emit, collect status and commit, with the caller's looks at the charm before and
/// after. Returns whether ops committed.
fn drive(
    py: Python<'_>,
    shim: &Shim,
    dispatch: &Bound<'_, PyAny>,
    event: &Event,
    inspect: Option<&mut Inspect<'_>>,
) -> Result<bool> {
    let charm = dispatch
        .getattr("charm")
        .map_err(|e| internal(py, shim, e))?;
    // No charm: it ended the hook cleanly in its __init__, so there is nothing to look at.
    let mut inspect = inspect.filter(|_| !charm.is_none());
    if let Some(inspect) = inspect.as_deref_mut() {
        inspect.call_before(&LiveCharm::new(&charm))?;
    }
    let args = PyList::empty(py);
    for arg in &event.args {
        args.append(convert::to_py(py, arg).map_err(|e| internal(py, shim, e))?)
            .map_err(|e| internal(py, shim, e))?;
    }
    let kwargs = convert::dict_to_py(py, &event.kwargs).map_err(|e| internal(py, shim, e))?;
    let committed = dispatch
        .call_method1(
            "run",
            (
                event.event_name(),
                event.owner_path(),
                args,
                kwargs,
                event.kind() != EventKind::Custom,
            ),
        )
        .and_then(|r| r.is_truthy())
        .map_err(|e| charm_error(py, shim, e))?;
    if let Some(inspect) = inspect {
        inspect.call_after(&LiveCharm::new(&charm))?;
    }
    Ok(committed)
}

fn load_charm<'py>(
    py: Python<'py>,
    shim: &Shim,
    charm: &Charm,
    charm_dir: &std::path::Path,
    slot: &LoadedCharm,
    options: &ContextOptions,
) -> Result<Bound<'py, PyAny>> {
    // Under the run lock no other thread can be loading the same Context's charm.
    if let Some(loaded) = slot.charm.get() {
        return Ok(loaded.bind(py).clone());
    }
    let (raw_meta, raw_config, raw_actions) = charm.meta.documents();
    let to_py = |value: &serde_json::Value| convert::json_to_py(py, value);
    let load = || -> PyResult<Bound<'py, PyAny>> {
        let paths: Vec<String> = charm
            .python_paths
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        shim.loaded_charm.bind(py).call1((
            charm.dir.display().to_string(),
            charm_dir.display().to_string(),
            charm.module_name.as_str(),
            charm.class_name.as_deref(),
            to_py(raw_meta)?,
            raw_actions.map(to_py).transpose()?,
            raw_config.map(to_py).transpose()?,
            options.juju_version.as_str(),
            paths,
        ))
    };
    let loaded = load().map_err(|e| Error::CharmLoad {
        path: charm.dir.clone(),
        message: if e.is_instance(py, shim.charm_load_error.bind(py)) {
            e.value(py).to_string()
        } else {
            format_exception(py, shim, &e)
        },
    })?;
    let _ = slot.charm.set(loaded.clone().unbind());
    Ok(loaded)
}

/// An exception out of the charm (or its `__init__`), as the caller sees it.
fn charm_error(py: Python<'_>, shim: &Shim, err: PyErr) -> Error {
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

/// A Python error in the engine's own code.
fn internal(py: Python<'_>, shim: &Shim, err: PyErr) -> Error {
    Error::runtime(format_exception(py, shim, &err))
}

fn format_exception(py: Python<'_>, shim: &Shim, err: &PyErr) -> String {
    shim.format_exception
        .bind(py)
        .call1((err.value(py),))
        .and_then(|lines| lines.extract::<Vec<String>>())
        .map(|lines| lines.concat())
        .unwrap_or_else(|_| err.to_string())
}
