//! A charm's Python side, loaded once per Context: its class (imported from the charm's
//! module, or the one a Python host hands over) with ops' metadata objects, and the Python
//! form of each Juju environment its runs had. Kept apart from the run itself because it
//! outlives runs: a Context loads it on its first run and every later run reuses it.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::convert;
use super::errors::{format_exception, timeout_error};
use super::interpreter::Shim;
use super::python_env::PythonEnv;
use super::CharmClass;
use crate::charm::Charm;
use crate::error::{Error, Result};
use crate::options::ContextOptions;

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
    pub(super) fn environment<'py>(
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

pub(super) fn load_charm<'py>(
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
