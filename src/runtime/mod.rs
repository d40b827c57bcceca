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
mod store;

use std::sync::{Arc, OnceLock};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

#[doc(hidden)]
pub use interpreter::__run_python_between_runs;
pub(crate) use interpreter::start_python_with;
pub use interpreter::{flush_python_output, python_stdout_to_stderr, start_python};
pub use live::LiveCharm;

use crate::charm::Charm;
use crate::context::Inspect;
use crate::error::{Error, Result};
use crate::event::{Event, EventKind};
use crate::hook_tools::{HookTools, RunScope, StorageRoot};
use crate::options::ContextOptions;
use crate::output::Output;
use crate::python_env::PythonEnv;
use crate::state::State;
use backend::RunBackend;
use interpreter::Shim;
use store::RunStore;

/// A charm's Python side (class, metadata), loaded on a Context's first run and kept.
#[derive(Default)]
pub(crate) struct LoadedCharm(OnceLock<Py<PyAny>>);

impl std::fmt::Debug for LoadedCharm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "LoadedCharm(loaded)"
        } else {
            "LoadedCharm(not yet)"
        })
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
    pub app_name: &'a str,
    pub event: &'a Event,
    /// The input State, cloned, with every relation's id and interface filled in.
    pub state: State,
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
        app_name,
        event,
        state,
        inspect,
        storage_root,
        ..
    } = request;
    let scope = RunScope::new(app_name, options, event, &state);
    let env = juju_env(py, charm_dir, options, &scope, event, &state)
        .map_err(|e| internal(py, shim, e))?;
    let store =
        Bound::new(py, RunStore::seeded(&state, app_name)).map_err(|e| internal(py, shim, e))?;
    let decided = backend::DispatchScope::new(&scope, event);
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
            event.event_name(),
            options.capture_deferred_events,
            options.capture_framework_events,
            decided.broken_relation_id,
            decided.remote_unit_name,
            decided.restricted,
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
        std::mem::take(&mut *store.borrow_mut()).read_back(&mut output.state);
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
    if let Some(loaded) = slot.0.get() {
        return Ok(loaded.bind(py).clone());
    }
    let meta = &charm.meta;
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
            to_py(&meta.raw_meta)?,
            meta.raw_actions.as_ref().map(to_py).transpose()?,
            meta.raw_config.as_ref().map(to_py).transpose()?,
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
    let _ = slot.0.set(loaded.clone().unbind());
    Ok(loaded)
}

/// The id an action gets when the event gives none (`JUJU_ACTION_UUID`).
pub(crate) const DEFAULT_ACTION_ID: &str = "1";

/// The environment Juju gives the charm process for this event.
fn juju_env<'py>(
    py: Python<'py>,
    charm_dir: &std::path::Path,
    options: &ContextOptions,
    scope: &RunScope,
    event: &Event,
    state: &State,
) -> PyResult<Bound<'py, PyDict>> {
    let env = PyDict::new(py);
    // The hook name keeps the entity as the metadata spells it (`my-db-relation-changed`).
    let hook_name = match (&scope.relation_event, &scope.workload_event) {
        (Some(relation), _) => event.hook_name_for(&relation.endpoint),
        (_, Some(workload)) => event.hook_name_for(&workload.container),
        _ => event.hook_name(),
    };
    match &event.action {
        // Juju dispatches actions as `actions/<name>`, with no hook name.
        Some(action) if event.kind() == EventKind::Action => {
            let id = action.id.as_deref().unwrap_or(DEFAULT_ACTION_ID);
            env.set_item("JUJU_DISPATCH_PATH", format!("actions/{}", action.name))?;
            env.set_item("JUJU_HOOK_NAME", "")?;
            env.set_item("JUJU_ACTION_NAME", &action.name)?;
            env.set_item("JUJU_ACTION_UUID", id)?;
            env.set_item("JUJU_ACTION_TAG", format!("action-{id}"))?;
        }
        _ => {
            env.set_item("JUJU_DISPATCH_PATH", format!("hooks/{hook_name}"))?;
            env.set_item("JUJU_HOOK_NAME", hook_name)?;
        }
    }
    // Juju names the secret by its full id, and its label as this unit knows it.
    if let Some(secret) = event.secret_target(state) {
        env.set_item("JUJU_SECRET_ID", &secret.id)?;
        env.set_item("JUJU_SECRET_LABEL", secret.label.as_deref().unwrap_or(""))?;
        if let Some(revision) = event.revision {
            env.set_item("JUJU_SECRET_REVISION", revision.to_string())?;
        }
    }
    if let (Some(storage), EventKind::Storage) = (&event.storage, event.kind()) {
        env.set_item(
            "JUJU_STORAGE_ID",
            format!("{}/{}", storage.name, storage.index),
        )?;
    }
    env.set_item("JUJU_UNIT_NAME", &scope.unit_name)?;
    if let Some(relation) = &scope.relation_event {
        env.set_item("JUJU_RELATION", &relation.endpoint)?;
        env.set_item(
            "JUJU_RELATION_ID",
            format!("{}:{}", relation.endpoint, relation.relation_id),
        )?;
        env.set_item("JUJU_REMOTE_APP", &relation.remote_app)?;
        if let Some(unit) = &relation.remote_unit {
            env.set_item("JUJU_REMOTE_UNIT", unit)?;
        }
        if let Some(unit) = &relation.departing_unit {
            env.set_item("JUJU_DEPARTING_UNIT", unit)?;
        }
    }
    if let Some(workload) = &scope.workload_event {
        env.set_item("JUJU_WORKLOAD_NAME", &workload.container)?;
        if let Some((id, notice_type, key)) = &workload.notice {
            env.set_item("JUJU_NOTICE_ID", id)?;
            env.set_item("JUJU_NOTICE_TYPE", notice_type)?;
            env.set_item("JUJU_NOTICE_KEY", key)?;
        }
        if let Some(check) = &workload.check {
            env.set_item("JUJU_PEBBLE_CHECK_NAME", check)?;
        }
    }
    env.set_item("JUJU_MODEL_NAME", &state.model.name)?;
    env.set_item("JUJU_MODEL_UUID", &state.model.uuid)?;
    env.set_item("JUJU_VERSION", &options.juju_version)?;
    env.set_item("JUJU_CHARM_DIR", charm_dir.display().to_string())?;
    for (key, value) in [
        ("JUJU_AVAILABILITY_ZONE", &options.availability_zone),
        ("JUJU_MACHINE_ID", &options.machine_id),
        ("JUJU_PRINCIPAL_UNIT", &options.principal_unit),
    ] {
        if let Some(value) = value {
            env.set_item(key, value)?;
        }
    }
    Ok(env)
}

/// An exception out of the charm (or its `__init__`), as the caller sees it.
fn charm_error(py: Python<'_>, shim: &Shim, err: PyErr) -> Error {
    if err.is_instance(py, shim.unknown_event_error.bind(py)) {
        let value = err.value(py);
        let attr = |name: &str| {
            value
                .getattr(name)
                .and_then(|v| v.extract::<String>())
                .unwrap_or_default()
        };
        return Error::UnknownEvent {
            name: attr("name"),
            hint: attr("hint"),
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
