//! The embedded executor: the only module that touches Python.
//!
//! One run: take the run lock, attach, make sure the interpreter and the charm are loaded
//! (once per process and per [`Context`](crate::Context)), build the run's Rust backend and
//! store from the input State, let the shim's `Dispatch` drive ops, and assemble the Output
//! from what the backend and store hold afterwards.

mod backend;
mod convert;
mod databags;
mod hosted;
mod interpreter;
mod live;
mod lock;
mod modules;
mod patches;
mod pebble;
pub(crate) mod python_env;
mod store;
mod trace;
mod watchdog;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{IntoPyDict, PyDict, PyList};

pub(crate) use hosted::begin_stepped;
pub use hosted::{CharmClass, EventSink, HostedFailure, SteppedRun};
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

/// The threads running before a run, to tell the ones it left running.
pub(crate) struct Threads {
    count: usize,
    /// Which they are, if there were any (rare: looked up only then).
    idents: Option<Py<PyAny>>,
}

impl Threads {
    pub(crate) fn before(py: Python<'_>, shim: &Shim) -> Threads {
        let count = thread_count(py, shim);
        let idents = (count > 0)
            .then(|| shim.thread_idents.bind(py).call0().ok())
            .flatten()
            .map(Bound::unbind);
        Threads { count, idents }
    }

    /// A `run.thread_left` warning for each thread started since, still running.
    pub(crate) fn left(&self, py: Python<'_>, shim: &Shim) -> Vec<crate::error::Violation> {
        if thread_count(py, shim) <= self.count {
            return Vec::new();
        }
        let before = match &self.idents {
            Some(idents) => idents.bind(py).clone(),
            None => match pyo3::types::PyFrozenSet::empty(py) {
                Ok(empty) => empty.into_any(),
                Err(_) => return Vec::new(),
            },
        };
        let names: Vec<String> = shim
            .threads_left
            .bind(py)
            .call1((before,))
            .and_then(|names| names.extract())
            .unwrap_or_default();
        names
            .into_iter()
            .map(|name| {
                crate::error::Violation::new(
                    crate::error::Rule::RunThreadLeft,
                    format!("the charm's thread {name} was still running when the hook ended"),
                )
                .hint(
                    "join the thread before the handler returns; under Juju the hook's \
                     process waits for a non-daemon thread and kills a daemon one, here it \
                     runs on beside the next runs",
                )
            })
            .collect()
    }
}

fn thread_count(py: Python<'_>, shim: &Shim) -> usize {
    shim.thread_count
        .bind(py)
        .call0()
        .and_then(|n| n.extract())
        .unwrap_or(0)
}

/// Why a run stopped before its end: an exception out of the charm's code (kept as Python
/// raised it, for a Python host to re-raise), or an error of the engine's own.
pub(crate) enum Stop {
    Charm(PyErr),
    Engine(Error),
}

impl Stop {
    /// The error a Rust caller sees.
    fn into_error(self, py: Python<'_>, shim: &Shim) -> Error {
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
    shim: &'static Shim,
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
fn begin(py: Python<'_>, request: RunRequest<'_, '_>) -> Result<Begun, Failure> {
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
    let backend = Bound::new(py, RunBackend::new(tools)).map_err(|e| internal(py, shim, e))?;
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
    fn look(&self, py: Python<'_>, f: impl FnOnce(&Bound<'_, PyAny>) -> Result<()>) -> Result<()> {
        self.charm(py).map_or(Ok(()), |charm| f(&charm))
    }

    /// Stop the run with `result`'s error, unless it has stopped already.
    fn stop_on(&mut self, result: Result<()>) {
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
    fn close(&mut self, py: Python<'_>) {
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

/// Load a charm class a Python host has imported already (a test passes it to its Context)
/// into `slot`, so that runs use it instead of importing the charm's module.
pub(crate) fn load_class(
    python_env: &PythonEnv,
    class: &CharmClass,
    charm: &Charm,
    charm_dir: &std::path::Path,
    slot: &LoadedCharm,
    options: &ContextOptions,
) -> Result<()> {
    Python::attach(|py| load_class_attached(py, python_env, class, charm, charm_dir, slot, options))
}

fn load_class_attached(
    py: Python<'_>,
    python_env: &PythonEnv,
    class: &CharmClass,
    charm: &Charm,
    charm_dir: &std::path::Path,
    slot: &LoadedCharm,
    options: &ContextOptions,
) -> Result<()> {
    let shim = Shim::init_with(py, python_env)?;
    let (raw_meta, raw_config, raw_actions) = charm.meta.documents();
    let to_py = |value: &serde_json::Value| convert::json_to_py(py, value);
    let load = || -> PyResult<Bound<'_, PyAny>> {
        shim.loaded_charm.bind(py).call_method1(
            "from_class",
            (
                class.0.bind(py),
                charm_dir.display().to_string(),
                to_py(raw_meta)?,
                raw_actions.map(to_py).transpose()?,
                raw_config.map(to_py).transpose()?,
                options.juju_version.as_str(),
            ),
        )
    };
    let loaded = load().map_err(|e| Error::CharmLoad {
        path: charm_dir.to_owned(),
        message: if e.is_instance(py, shim.charm_load_error.bind(py)) {
            e.value(py).to_string()
        } else {
            format_exception(py, shim, &e)
        },
    })?;
    slot.charm
        .set(loaded.unbind())
        .map_err(|_| Error::runtime("the Context's charm was loaded already"))
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
    let loaded = load().map_err(|e| {
        if e.is_instance(py, shim.run_timeout.bind(py)) {
            return timeout_error(py, shim, &e);
        }
        Error::CharmLoad {
            path: charm.dir.clone(),
            message: if e.is_instance(py, shim.charm_load_error.bind(py)) {
                e.value(py).to_string()
            } else {
                format_exception(py, shim, &e)
            },
        }
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
fn timeout_error(py: Python<'_>, shim: &Shim, err: &PyErr) -> Error {
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
