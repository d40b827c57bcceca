//! Interpreter start-up, once per process: the venv, `import ops`, the Python shim (which
//! changes nothing in ops or the process until a run starts).

use std::ffi::CStr;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyModule, PyType};

use super::patches::RunPatches;
use super::python_env::PythonEnv;
use super::shim_code;
use super::watchdog::RunWatchdog;
use crate::error::{Error, Result};

/// One module of the Python shim: its source, its file name for tracebacks, the name it is
/// registered under, and its bytecode as build.rs compiled it (`importlib.util.MAGIC_NUMBER`
/// and the marshalled code; empty if the build could not compile it).
pub(super) struct ShimModule {
    source: &'static CStr,
    file: &'static CStr,
    name: &'static CStr,
    bytecode: &'static [u8],
}

macro_rules! shim_module {
    ($file:literal, $name:literal) => {
        ShimModule {
            source: pyo3::ffi::c_str!(include_str!(concat!("../../py_shim/", $file, ".py"))),
            file: pyo3::ffi::c_str!(concat!("py_shim/", $file, ".py")),
            name: $name,
            bytecode: include_bytes!(concat!(env!("OUT_DIR"), "/", $file, ".bytecode")),
        }
    };
}

/// The shim's Python modules, in import order.
pub(super) const SHIM_MODULES: [ShimModule; 7] = [
    shim_module!("ops_private", c"_scenario_ops_private"),
    shim_module!("pebble", c"_scenario_pebble"),
    shim_module!("backend", c"_scenario_backend"),
    shim_module!("capture", c"_scenario_capture"),
    shim_module!("watchdog", c"_scenario_watchdog"),
    shim_module!("patches", c"_scenario_patches"),
    shim_module!("driver", c"_scenario_driver"),
];

/// The interpreter this build is for, as build.rs read pyo3's choice: `Python 3.11,
/// /usr/bin/python3`.
const BUILT_WITH: &str = env!("OPS_SCENARIO_BUILT_WITH");

const ENVIRONMENT_MODULE: ShimModule = shim_module!("environment", c"_scenario_environment");

impl ShimModule {
    pub(super) fn source(&self) -> &'static CStr {
        self.source
    }

    pub(super) fn file(&self) -> &'static CStr {
        self.file
    }

    pub(super) fn name(&self) -> &'static CStr {
        self.name
    }

    pub(super) fn bytecode(&self) -> &'static [u8] {
        self.bytecode
    }

    /// Import the module from its code object ([`shim_code::code_object`]: build.rs's
    /// bytecode, the per-user cache, or the source compiled here).
    fn load<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyModule>> {
        let code = shim_code::code_object(py, self)?;
        let name = self
            .name
            .to_str()
            .map_err(|e| PyRuntimeError::new_err(format!("shim module name is not UTF-8: {e}")))?;
        let module = PyModule::new(py, name)?;
        module.setattr("__file__", self.file.to_str().unwrap_or_default())?;
        py.import("sys")?
            .getattr("modules")?
            .set_item(name, &module)?;
        let exec = py.import("builtins")?.getattr("exec")?;
        if let Err(e) = exec.call1((code, module.dict())) {
            py.import("sys")?.getattr("modules")?.del_item(name)?;
            return Err(e);
        }
        Ok(module)
    }
}

/// Python objects the runtime uses on every run, looked up once.
pub(crate) struct Shim {
    pub loaded_charm: Py<PyAny>,
    pub dispatch: Py<PyAny>,
    pub evaluate: Py<PyAny>,
    pub execute: Py<PyAny>,
    pub unknown_event_error: Py<PyType>,
    pub charm_load_error: Py<PyType>,
    pub model_error: Py<PyType>,
    pub relation_not_found_error: Py<PyType>,
    pub secret_not_found_error: Py<PyType>,
    pub no_snapshot_error: Py<PyType>,
    pub pebble_connection_error: Py<PyType>,
    pub pebble_api_error: Py<PyType>,
    pub pebble_path_error: Py<PyType>,
    pub format_exception: Py<PyAny>,
    /// `_signal.signal`, to install the run's timeout handler.
    pub signal_signal: Py<PyAny>,
    /// The handler (and `breakpoint()`'s way to pause the limit).
    pub watchdog: Py<RunWatchdog>,
    pub run_timeout: Py<PyType>,
    pub where_interrupted: Py<PyAny>,
    /// `_thread._count()`: the threads Python started that are running.
    pub thread_count: Py<PyAny>,
    pub thread_idents: Py<PyAny>,
    pub threads_left: Py<PyAny>,
    /// `missing_hook_tool(tool)`: what ops raises for a hook tool this Juju lacks.
    pub missing_hook_tool: Py<PyAny>,
    /// The shim's `RecordingDict`: relation-get's and config-get's answer in a run that
    /// records reads.
    pub recording_dict: Py<PyType>,
    /// Whether runs capture tracing spans (ops[tracing] is installed, on ops 3.x): only then
    /// does a run read them back.
    pub captures_spans: bool,
}

static SHIM: PyOnceLock<std::result::Result<Shim, String>> = PyOnceLock::new();

/// The environment the interpreter was started with (set once, by the first start).
static STARTED_WITH: std::sync::OnceLock<PythonEnv> = std::sync::OnceLock::new();

impl Shim {
    /// The engine's Python side, started (once per process) with the environment `VIRTUAL_ENV`
    /// names if this is the first start; a later call returns what the first one made.
    pub fn init(py: Python<'_>) -> Result<&'static Shim> {
        if let Some(Ok(shim)) = SHIM.get(py) {
            return Ok(shim);
        }
        Shim::init_with(
            py,
            &PythonEnv::from_environment(PythonEnv::virtual_env_var().as_deref()),
        )
    }

    /// The engine's Python side for a Context that wants `env`: started with it if this is the
    /// first start; an error if the process already runs another environment (one process has
    /// one interpreter). The outcome of the start is kept for the life of the process.
    pub fn init_with(py: Python<'_>, env: &PythonEnv) -> Result<&'static Shim> {
        let started = SHIM.get_or_init(py, || {
            let _ = STARTED_WITH.set(env.clone());
            start(py, env)
        });
        if let Some(first) = STARTED_WITH.get() {
            if first.venv != env.venv {
                return Err(Error::PythonEnvironment {
                    message: format!(
                        "this process's Python already runs {first}; this Context would use \
                         {env}. One process has one Python environment: give the Contexts the \
                         same venv (Context::venv, or VIRTUAL_ENV), or run them in separate \
                         test binaries"
                    ),
                });
            }
        }
        started
            .as_ref()
            .map_err(|message| Error::PythonEnvironment {
                message: message.clone(),
            })
    }

    /// The shim, from a callback (always after `init`).
    pub fn get(py: Python<'_>) -> PyResult<&'static Shim> {
        match SHIM.get(py) {
            Some(Ok(shim)) => Ok(shim),
            _ => Err(PyRuntimeError::new_err(
                "ops-scenario runtime not initialised",
            )),
        }
    }

    /// `ops.storage.NoSnapshotError(handle_path)`.
    pub fn no_snapshot_error(&self, py: Python<'_>, handle_path: &str) -> PyErr {
        PyErr::from_type(
            self.no_snapshot_error.bind(py).clone(),
            (handle_path.to_owned(),),
        )
    }
}

fn start(py: Python<'_>, env: &PythonEnv) -> std::result::Result<Shim, String> {
    let environment = ENVIRONMENT_MODULE
        .load(py)
        .map_err(|e| describe(py, "loading the environment shim", &e))?;
    let venv = env.venv.as_ref().map(|v| v.display().to_string());
    if let Some(venv) = &venv {
        let problem = environment
            .getattr("use_venv")
            .and_then(|f| f.call1((venv, &env.why, BUILT_WITH)))
            .map_err(|e| describe(py, &format!("setting up the venv {env}"), &e))?;
        if !problem.is_none() {
            return Err(problem.to_string());
        }
    }
    let problem = environment
        .getattr("ops_import_problem")
        .and_then(|f| f.call1((venv, &env.why)))
        .map_err(|e| describe(py, "importing ops", &e))?;
    if !problem.is_none() {
        return Err(problem.to_string());
    }
    let mut driver = None;
    for module in &SHIM_MODULES {
        driver = Some(
            module
                .load(py)
                .map_err(|e| describe(py, "loading the Python shim", &e))?,
        );
    }
    let driver = driver.expect("the shim has modules");
    let lookup = || -> PyResult<Shim> {
        // Before the patches are listed: `sys.breakpointhook` during runs is its method.
        let watchdog = py.import("_scenario_watchdog")?;
        let run_watchdog = Py::new(py, RunWatchdog)?;
        watchdog.getattr("use_watchdog")?.call1((&run_watchdog,))?;
        // The swaps every run makes: described by the shim, done in Rust (see patches.rs).
        let shim_patches = py.import("_scenario_patches")?;
        let description = shim_patches.getattr("process_patches")?.call0()?;
        let patches = Bound::new(py, RunPatches::from_description(&description)?)?;
        shim_patches.getattr("use_run_patches")?.call1((patches,))?;
        let ty = |module: &str, name: &str| -> PyResult<Py<PyType>> {
            Ok(py
                .import(module)?
                .getattr(name)?
                .cast_into::<PyType>()?
                .unbind())
        };
        Ok(Shim {
            loaded_charm: driver.getattr("LoadedCharm")?.unbind(),
            dispatch: driver.getattr("Dispatch")?.unbind(),
            evaluate: driver.getattr("evaluate")?.unbind(),
            execute: driver.getattr("execute")?.unbind(),
            unknown_event_error: ty("_scenario_driver", "UnknownEventError")?,
            charm_load_error: ty("_scenario_driver", "CharmLoadError")?,
            model_error: ty("ops.model", "ModelError")?,
            relation_not_found_error: ty("ops.model", "RelationNotFoundError")?,
            secret_not_found_error: ty("ops.model", "SecretNotFoundError")?,
            no_snapshot_error: ty("ops.storage", "NoSnapshotError")?,
            pebble_connection_error: ty("ops.pebble", "ConnectionError")?,
            pebble_api_error: ty("ops.pebble", "APIError")?,
            pebble_path_error: ty("ops.pebble", "PathError")?,
            format_exception: py
                .import("traceback")?
                .getattr("format_exception")?
                .unbind(),
            // `_signal.signal`, not `signal.signal`: the latter converts to and from enums,
            // which costs several µs a call (measured), twice a run.
            signal_signal: py.import("_signal")?.getattr("signal")?.unbind(),
            watchdog: run_watchdog,
            run_timeout: ty("_scenario_watchdog", "RunTimeout")?,
            where_interrupted: watchdog.getattr("where_interrupted")?.unbind(),
            thread_count: py.import("_thread")?.getattr("_count")?.unbind(),
            thread_idents: watchdog.getattr("thread_idents")?.unbind(),
            threads_left: watchdog.getattr("threads_left")?.unbind(),
            missing_hook_tool: py
                .import("_scenario_ops_private")?
                .getattr("missing_hook_tool")?
                .unbind(),
            recording_dict: ty("_scenario_backend", "RecordingDict")?,
            captures_spans: driver.getattr("CAPTURES_SPANS")?.extract()?,
        })
    };
    lookup().map_err(|e| describe(py, "setting up the Python shim", &e))
}

fn describe(py: Python<'_>, doing: &str, err: &PyErr) -> String {
    let traceback = err
        .traceback(py)
        .and_then(|tb| tb.format().ok())
        .unwrap_or_default();
    format!("ops-scenario could not start Python ({doing}): {err}\n{traceback}")
}

/// Flush Python's `sys.stdout` and `sys.stderr` (the interpreter is never finalised, so
/// buffered output would be lost at exit). Does nothing if Python was never started.
pub fn flush_python_output() {
    if unsafe { pyo3::ffi::Py_IsInitialized() } == 0 {
        return;
    }
    super::lock::with_python(|py| {
        for stream in ["stdout", "stderr"] {
            if let Ok(s) = py.import("sys").and_then(|sys| sys.getattr(stream)) {
                let _ = s.call_method0("flush");
            }
        }
    });
}

/// Start the embedded interpreter and import `ops` and the shim now, which the first run
/// would otherwise do, with the venv `VIRTUAL_ENV` names (or none): for tools that want
/// start-up errors before any charm is loaded. [`Context::start_python`] starts it with the
/// environment a Context chooses. Does nothing once done.
///
/// [`Context::start_python`]: crate::Context::start_python
///
/// # Errors
/// [`Error::PythonEnvironment`] if the interpreter cannot start or import `ops`.
pub fn start_python() -> Result<()> {
    super::lock::with_python(|py| Shim::init(py).map(|_| ()))
}

/// Send what Python code prints on `sys.stdout` to `sys.stderr` instead, for tools whose own
/// stdout carries data (the CLI's JSON).
///
/// # Errors
/// [`Error::PythonEnvironment`] if the interpreter cannot start.
pub fn python_stdout_to_stderr() -> Result<()> {
    // Only the bare interpreter is needed here: the venv is chosen by the first run.
    super::lock::with_python(|py| {
        py.import("sys")
            .and_then(|sys| sys.setattr("stdout", sys.getattr("stderr")?))
            .map_err(|e| Error::runtime(e.to_string()))
    })
}

/// Run Python statements outside any run, holding the run lock (so no run is in progress and
/// none of a run's patches is installed), with the interpreter started as [`start_python`]
/// starts it; returns `str(result)` if the statements set a global `result`, else "". Each call
/// gets fresh globals. For tests of what the process looks like between runs (an ops.testing
/// or Harness test in the same process); not part of the API.
///
/// # Errors
/// [`Error::PythonEnvironment`] if the interpreter cannot start; [`Error::Runtime`] with the
/// traceback if the statements raise.
#[doc(hidden)]
pub fn __run_python_between_runs(statements: &str) -> Result<String> {
    let code = std::ffi::CString::new(statements)
        .map_err(|e| Error::runtime(format!("Python statements with a NUL byte: {e}")))?;
    super::lock::with_python(|py| {
        let shim = Shim::init(py)?;
        let run = || -> PyResult<String> {
            let globals = pyo3::types::PyDict::new(py);
            globals.set_item("__name__", "__between_runs__")?;
            globals.set_item("__builtins__", py.import("builtins")?)?;
            py.run(&code, Some(&globals), None)?;
            match globals.get_item("result")? {
                Some(result) => Ok(result.str()?.to_string()),
                None => Ok(String::new()),
            }
        };
        run().map_err(|e| {
            Error::runtime(
                shim.format_exception
                    .bind(py)
                    .call1((e.value(py),))
                    .and_then(|lines| lines.extract::<Vec<String>>())
                    .map(|lines| lines.concat())
                    .unwrap_or_else(|_| e.to_string()),
            )
        })
    })
}

/// Start the interpreter for a Context that wants `env` (see [`Shim::init_with`]).
pub(crate) fn start_python_with(env: &PythonEnv) -> Result<()> {
    super::lock::with_python(|py| Shim::init_with(py, env).map(|_| ()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shim_is_compiled_for_the_interpreter_it_runs_on() {
        super::super::lock::with_python(|py| {
            let magic = shim_code::magic_number(py).unwrap();
            for module in SHIM_MODULES.iter().chain([&ENVIRONMENT_MODULE]) {
                assert!(
                    module.bytecode.len() > magic.len() && module.bytecode.starts_with(&magic),
                    "{:?} has no bytecode for this Python",
                    module.file
                );
            }
        });
    }
}
