//! The Rust object behind the shim's Pebble `Client` for one container: converts each call's
//! arguments, applies the rules in `crate::pebble` to the run's State through the run's
//! [`RunBackend`], and turns results into the dicts ops' `from_dict`s read, and a
//! [`PebbleError`] into the `pebble` exception ops expects.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use super::backend::RunBackend;
use super::convert::{json_to_py, py_to_json};
use super::interpreter::Shim;
use crate::hook_tools::HookTools;
use crate::pebble::{self, ExecRequest, ExecStdin, MakeDirOptions, PebbleError, PushOptions};
use crate::state::{CheckLevel, Layer};

/// One container's Pebble during a run, as a Python object.
#[pyclass(module = "ops_scenario")]
pub(crate) struct RunPebble {
    backend: Py<RunBackend>,
    container: String,
}

impl RunPebble {
    pub fn new(backend: Py<RunBackend>, container: String) -> Self {
        RunPebble { backend, container }
    }

    /// Run `f` on the run's hook tools, mapping a refusal to the pebble exception.
    fn with<'py, T>(
        &self,
        py: Python<'py>,
        f: impl FnOnce(&mut HookTools, &str) -> Result<T, PebbleError>,
    ) -> PyResult<T> {
        let mut backend = self.backend.bind(py).borrow_mut();
        let tools = backend.tools_mut()?;
        f(tools, &self.container).map_err(|e| pebble_error(py, &e))
    }
}

/// A refusal as the charm sees it.
fn pebble_error(py: Python<'_>, err: &PebbleError) -> PyErr {
    let shim = match Shim::get(py) {
        Ok(shim) => shim,
        Err(e) => return e,
    };
    let make = || -> PyResult<PyErr> {
        Ok(match err {
            PebbleError::Api {
                code,
                status,
                message,
            } => {
                let body = PyDict::new(py);
                body.set_item("type", "error")?;
                body.set_item("status-code", code)?;
                body.set_item("status", status)?;
                let result = PyDict::new(py);
                result.set_item("message", message)?;
                body.set_item("result", result)?;
                PyErr::from_value(shim.pebble_api_error.bind(py).call1((
                    body,
                    *code,
                    *status,
                    message.as_str(),
                ))?)
            }
            PebbleError::Path { kind, message } => PyErr::from_type(
                shim.pebble_path_error.bind(py).clone(),
                (*kind, message.clone()),
            ),
            PebbleError::Connection(message) => PyErr::from_type(
                shim.pebble_connection_error.bind(py).clone(),
                message.clone(),
            ),
        })
    };
    make().unwrap_or_else(|e| e)
}

fn level_of(name: Option<&str>) -> Option<CheckLevel> {
    match name {
        Some("alive") => Some(CheckLevel::Alive),
        Some("ready") => Some(CheckLevel::Ready),
        _ => None,
    }
}

#[pymethods]
impl RunPebble {
    fn system_info(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, |tools, name| {
            tools.pebble_system_info(name).map(str::to_owned)
        })
    }

    fn get_plan<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let plan = self.with(py, |tools, name| {
            tools.pebble_container(name).map(|c| c.plan().to_api_dict())
        })?;
        json_to_py(py, &plan)
    }

    fn add_layer(
        &self,
        py: Python<'_>,
        label: &str,
        layer: &Bound<'_, PyAny>,
        combine: bool,
    ) -> PyResult<()> {
        let layer: Layer = serde_json::from_value(py_to_json(layer)?).map_err(|e| {
            pebble_error(
                py,
                &PebbleError::bad_request(format!("cannot parse layer: {e}")),
            )
        })?;
        self.with(py, |tools, name| {
            pebble::add_layer(tools.pebble_container(name)?, label, layer, combine)
        })
    }

    #[pyo3(signature = (names=None))]
    fn get_services<'py>(
        &self,
        py: Python<'py>,
        names: Option<Vec<String>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let found = self.with(py, |tools, name| {
            let container = tools.pebble_container(name)?;
            Ok(pebble::get_services(container, names.as_deref())
                .iter()
                .map(pebble::service_to_api)
                .collect::<Vec<_>>())
        })?;
        json_list(py, &found)
    }

    fn start_services(&self, py: Python<'_>, names: Vec<String>) -> PyResult<String> {
        self.change(py, |c| pebble::start(c, &names))
    }

    fn stop_services(&self, py: Python<'_>, names: Vec<String>) -> PyResult<String> {
        self.change(py, |c| pebble::stop(c, &names))
    }

    fn restart_services(&self, py: Python<'_>, names: Vec<String>) -> PyResult<String> {
        self.change(py, |c| pebble::restart(c, &names))
    }

    fn replan_services(&self, py: Python<'_>) -> PyResult<String> {
        self.change(py, |c| {
            pebble::replan(c);
            Ok(())
        })
    }

    fn autostart_services(&self, py: Python<'_>) -> PyResult<String> {
        self.change(py, pebble::autostart)
    }

    fn send_signal(&self, py: Python<'_>, signal: &str, names: Vec<String>) -> PyResult<()> {
        self.with(py, |tools, name| {
            pebble::send_signal(tools.pebble_container(name)?, signal, &names)
        })
    }

    #[pyo3(signature = (select, service=None))]
    fn get_changes<'py>(
        &self,
        py: Python<'py>,
        select: &str,
        service: Option<&str>,
    ) -> PyResult<Bound<'py, PyList>> {
        let _ = (select, service);
        self.with(py, |tools, name| tools.pebble_container(name).map(|_| ()))?;
        // Every change this engine makes is done by the time its call returns.
        Ok(PyList::empty(py))
    }

    fn get_change<'py>(&self, py: Python<'py>, change_id: &str) -> PyResult<Bound<'py, PyAny>> {
        let change = self.with(py, |tools, name| tools.pebble_change_info(name, change_id))?;
        json_to_py(py, &change)
    }

    fn abort_change<'py>(&self, py: Python<'py>, change_id: &str) -> PyResult<Bound<'py, PyAny>> {
        self.get_change(py, change_id)
    }

    #[pyo3(signature = (level=None, names=None))]
    fn get_checks<'py>(
        &self,
        py: Python<'py>,
        level: Option<&str>,
        names: Option<Vec<String>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let found = self.with(py, |tools, name| {
            let container = tools.pebble_container(name)?;
            Ok(
                pebble::get_checks(container, names.as_deref(), level_of(level))
                    .iter()
                    .map(pebble::check_to_api)
                    .collect::<Vec<_>>(),
            )
        })?;
        json_list(py, &found)
    }

    fn start_checks(&self, py: Python<'_>, names: Vec<String>) -> PyResult<Vec<String>> {
        self.with(py, |tools, name| {
            pebble::start_checks(tools.pebble_container(name)?, &names)
        })
    }

    fn stop_checks(&self, py: Python<'_>, names: Vec<String>) -> PyResult<Vec<String>> {
        self.with(py, |tools, name| {
            pebble::stop_checks(tools.pebble_container(name)?, &names)
        })
    }

    #[pyo3(signature = (notice_type, key, data, repeat_after=None))]
    fn notify(
        &self,
        py: Python<'_>,
        notice_type: &str,
        key: &str,
        data: std::collections::BTreeMap<String, String>,
        repeat_after: Option<f64>,
    ) -> PyResult<String> {
        self.with(py, |tools, name| {
            pebble::notify(
                tools.pebble_container(name)?,
                notice_type,
                key,
                data,
                repeat_after,
                crate::state::DEFAULT_NOTICE_TIME,
            )
        })
    }

    fn get_notice<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyAny>> {
        let notice = self.with(py, |tools, name| {
            pebble::get_notice(tools.pebble_container(name)?, id).map(pebble::notice_to_api)
        })?;
        json_to_py(py, &notice)
    }

    #[pyo3(signature = (users=None, user_id=None, types=None, keys=None))]
    fn get_notices<'py>(
        &self,
        py: Python<'py>,
        users: Option<String>,
        user_id: Option<u32>,
        types: Option<Vec<String>>,
        keys: Option<Vec<String>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let filter = pebble::NoticeFilter {
            users,
            user_id,
            types,
            keys,
        };
        let found = self.with(py, |tools, name| {
            let container = tools.pebble_container(name)?;
            Ok(pebble::get_notices(container, &filter)?
                .into_iter()
                .map(pebble::notice_to_api)
                .collect::<Vec<_>>())
        })?;
        json_list(py, &found)
    }

    fn pull<'py>(&self, py: Python<'py>, path: &str) -> PyResult<Bound<'py, PyBytes>> {
        self.backend.bind(py).borrow().pulled(&self.container, path);
        let data = self.with(py, |tools, name| tools.pebble_fs(name)?.pull(path))?;
        Ok(PyBytes::new(py, &data))
    }

    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (path, data, make_dirs, permissions, user_id, user, group_id, group))]
    fn push(
        &self,
        py: Python<'_>,
        path: &str,
        data: Vec<u8>,
        make_dirs: bool,
        permissions: Option<i64>,
        user_id: Option<u32>,
        user: Option<String>,
        group_id: Option<u32>,
        group: Option<String>,
    ) -> PyResult<()> {
        let options = PushOptions {
            make_dirs,
            permissions,
            user_id,
            user,
            group_id,
            group,
        };
        self.with(py, |tools, name| {
            tools.pebble_fs(name)?.push(path, data, &options)
        })
    }

    #[pyo3(signature = (path, pattern=None, itself=false))]
    fn list_files<'py>(
        &self,
        py: Python<'py>,
        path: &str,
        pattern: Option<&str>,
        itself: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let found = self.with(py, |tools, name| {
            let infos = tools.pebble_fs(name)?.list_files(path, pattern, itself)?;
            Ok(infos.iter().map(|i| i.to_api()).collect::<Vec<_>>())
        })?;
        json_list(py, &found)
    }

    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (path, make_parents, permissions, user_id, user, group_id, group))]
    fn make_dir(
        &self,
        py: Python<'_>,
        path: &str,
        make_parents: bool,
        permissions: Option<i64>,
        user_id: Option<u32>,
        user: Option<String>,
        group_id: Option<u32>,
        group: Option<String>,
    ) -> PyResult<()> {
        let options = MakeDirOptions {
            make_parents,
            permissions,
            user_id,
            user,
            group_id,
            group,
        };
        self.with(py, |tools, name| {
            tools.pebble_fs(name)?.make_dir(path, &options)
        })
    }

    fn remove_path(&self, py: Python<'_>, path: &str, recursive: bool) -> PyResult<()> {
        self.with(py, |tools, name| {
            tools.pebble_fs(name)?.remove_path(path, recursive)
        })
    }

    /// Run a command: `(exit code, stdout, stderr, history index, hint)`, the hint set (and
    /// the code 127) when no exec result matches the command; such a command is not in the
    /// exec history, as in ops.testing.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (command, service_context, environment, working_dir, timeout, user_id, user, group_id, group, stdin, encoding, combine_stderr))]
    fn exec<'py>(
        &self,
        py: Python<'py>,
        command: Vec<String>,
        service_context: Option<String>,
        environment: std::collections::BTreeMap<String, String>,
        working_dir: Option<String>,
        timeout: Option<f64>,
        user_id: Option<u32>,
        user: Option<String>,
        group_id: Option<u32>,
        group: Option<String>,
        stdin: Option<&Bound<'py, PyAny>>,
        encoding: Option<String>,
        combine_stderr: bool,
    ) -> PyResult<ExecOutcome<'py>> {
        let stdin = match stdin {
            None => None,
            Some(s) if s.is_none() => None,
            Some(s) => Some(match s.extract::<String>() {
                Ok(text) => ExecStdin::Text(text),
                Err(_) => ExecStdin::Bytes(s.extract::<Vec<u8>>()?),
            }),
        };
        let request = ExecRequest {
            command,
            service_context,
            environment,
            working_dir,
            timeout,
            user_id,
            user,
            group_id,
            group,
            stdin,
            encoding,
            combine_stderr,
        };
        let container = self.container.clone();
        let outcome = self.with(py, |tools, name| {
            let found = tools.pebble_container(name)?;
            Ok(match pebble::run_exec(&found.execs, &request) {
                Ok(result) => Ok((result, tools.record_exec(name, request.to_exec_args()))),
                Err(unmocked) => Err(unmocked),
            })
        })?;
        Ok(match outcome {
            Ok((result, index)) => (
                result.return_code,
                PyBytes::new(py, &result.stdout),
                PyBytes::new(py, &result.stderr),
                index,
                None,
            ),
            Err(unmocked) => (
                unmocked.exit_code(),
                PyBytes::new(py, b""),
                PyBytes::new(py, b""),
                0,
                Some(unmocked.hint(&container)),
            ),
        })
    }

    /// Pebble's warnings: none (this Pebble never warns), once the container is reachable.
    fn get_warnings<'py>(&self, py: Python<'py>, select: &str) -> PyResult<Bound<'py, PyList>> {
        let _ = select;
        self.with(py, |tools, name| tools.pebble_container(name).map(|_| ()))?;
        Ok(PyList::empty(py))
    }

    /// Acknowledge warnings up to `timestamp`: none to acknowledge, once the container is
    /// reachable.
    fn ack_warnings(&self, py: Python<'_>, timestamp: &str) -> PyResult<u32> {
        let _ = timestamp;
        self.with(py, |tools, name| tools.pebble_container(name).map(|_| 0))
    }

    /// Pebble's identities: none (the State holds none), once the container is reachable.
    fn get_identities<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.with(py, |tools, name| tools.pebble_container(name).map(|_| ()))?;
        Ok(PyDict::new(py))
    }

    /// Add or replace identities: accepted and not kept (the State holds none), once the
    /// container is reachable.
    fn replace_identities(&self, py: Python<'_>, names: Vec<String>) -> PyResult<()> {
        let _ = names;
        self.with(py, |tools, name| tools.pebble_container(name).map(|_| ()))
    }

    /// Remove identities: accepted (the State holds none), once the container is reachable.
    fn remove_identities(&self, py: Python<'_>, names: Vec<String>) -> PyResult<()> {
        let _ = names;
        self.with(py, |tools, name| tools.pebble_container(name).map(|_| ()))
    }

    /// What the charm wrote to a command's stdin after starting it, for the exec history.
    fn exec_stdin(&self, py: Python<'_>, index: usize, data: Vec<u8>) -> PyResult<()> {
        self.with(py, |tools, name| {
            tools.record_exec_stdin(name, index, &data);
            Ok(())
        })
    }
}

impl RunPebble {
    /// A call that makes a Pebble change; returns the change's id.
    fn change(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut crate::state::Container) -> Result<(), PebbleError>,
    ) -> PyResult<String> {
        self.with(py, |tools, name| {
            f(tools.pebble_container(name)?)?;
            Ok(tools.pebble_change(name))
        })
    }
}

/// What `exec` gives the shim: exit code, stdout, stderr, history index, unmocked hint.
type ExecOutcome<'py> = (
    i32,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    usize,
    Option<String>,
);

fn json_list<'py>(py: Python<'py>, items: &[serde_json::Value]) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for item in items {
        list.append(json_to_py(py, item)?)?;
    }
    Ok(list)
}
