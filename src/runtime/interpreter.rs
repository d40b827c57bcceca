//! Interpreter start-up, once per process: the venv, `import ops`, the Python shim, logging.

use std::ffi::CStr;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyModule, PyType};

use crate::error::{Error, Result};

/// The shim's Python modules, in import order, with the names they are registered under.
const SHIM_MODULES: [(&CStr, &CStr, &CStr); 4] = [
    (
        pyo3::ffi::c_str!(include_str!("../../py_shim/pebble.py")),
        c"py_shim/pebble.py",
        c"_scenario_pebble",
    ),
    (
        pyo3::ffi::c_str!(include_str!("../../py_shim/backend.py")),
        c"py_shim/backend.py",
        c"_scenario_backend",
    ),
    (
        pyo3::ffi::c_str!(include_str!("../../py_shim/capture.py")),
        c"py_shim/capture.py",
        c"_scenario_capture",
    ),
    (
        pyo3::ffi::c_str!(include_str!("../../py_shim/driver.py")),
        c"py_shim/driver.py",
        c"_scenario_driver",
    ),
];

const ENVIRONMENT_MODULE: &CStr = pyo3::ffi::c_str!(include_str!("../../py_shim/environment.py"));

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
}

static SHIM: PyOnceLock<std::result::Result<Shim, String>> = PyOnceLock::new();

impl Shim {
    /// Start the interpreter's side of the engine, or return why it cannot start. The outcome
    /// is kept for the life of the process.
    pub fn init(py: Python<'_>) -> Result<&'static Shim> {
        SHIM.get_or_init(py, || start(py))
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

fn start(py: Python<'_>) -> std::result::Result<Shim, String> {
    let environment = PyModule::from_code(
        py,
        ENVIRONMENT_MODULE,
        c"py_shim/environment.py",
        c"_scenario_environment",
    )
    .map_err(|e| describe(py, "loading the environment shim", &e))?;
    if let Ok(venv) = std::env::var("VIRTUAL_ENV") {
        if !venv.is_empty() {
            environment
                .getattr("use_venv")
                .and_then(|f| f.call1((venv,)))
                .map_err(|e| describe(py, "setting up VIRTUAL_ENV", &e))?;
        }
    }
    let problem = environment
        .getattr("ops_import_problem")
        .and_then(|f| f.call0())
        .map_err(|e| describe(py, "importing ops", &e))?;
    if !problem.is_none() {
        return Err(problem.to_string());
    }
    let mut driver = None;
    for (code, file, name) in SHIM_MODULES {
        driver = Some(
            PyModule::from_code(py, code, file, name)
                .map_err(|e| describe(py, "loading the Python shim", &e))?,
        );
    }
    let driver = driver.expect("the shim has modules");
    let lookup = || -> PyResult<Shim> {
        let ty = |module: &str, name: &str| -> PyResult<Py<PyType>> {
            Ok(py
                .import(module)?
                .getattr(name)?
                .cast_into::<PyType>()?
                .unbind())
        };
        py.import("_scenario_capture")?
            .getattr("install_logging")?
            .call0()?;
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

/// Send what Python code prints on `sys.stdout` to `sys.stderr` instead, for tools whose own
/// stdout carries data (the CLI's JSON).
///
/// # Errors
/// [`Error::PythonEnvironment`] if the interpreter cannot start.
pub fn python_stdout_to_stderr() -> Result<()> {
    super::lock::with_python(|py| {
        Shim::init(py)?;
        py.import("sys")
            .and_then(|sys| sys.setattr("stdout", sys.getattr("stderr")?))
            .map_err(|e| Error::runtime(e.to_string()))
    })
}
