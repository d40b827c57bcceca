//! [`RunPatches`]: what a run replaces in ops and in the process, swapped in when it starts
//! and back when it ends, for the shim's `_Patches` (py_shim/patches.py), which says what: the
//! entries of module and object dicts (ops' attributes, os functions, ops' tracer's methods)
//! and the root logger's handler and level. It holds no knowledge of ops.
//!
//! Here rather than in Python because it is on every run's path: a few dozen dict operations,
//! which as bytecode cost several µs a run (measured), cost well under one here.

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyType};

use super::modules::version_tag;

/// `logging.DEBUG`, the root logger's level during a run, as ops' logging set-up gives it.
const DEBUG: i64 = 10;

/// One dict entry to replace during a run: `dict[key] = value`.
type Entry = (Py<PyDict>, Py<PyString>, Py<PyAny>);

/// A replaced dict entry and what it held before (`None`: it had none).
type Saved = (Py<PyDict>, Py<PyString>, Option<Py<PyAny>>);

/// An entry as the shim describes it.
type EntryDescription<'py> = (Bound<'py, PyDict>, Bound<'py, PyString>, Bound<'py, PyAny>);

/// The swaps of process-wide state a run makes; made once, at start-up.
#[pyclass(module = "ops_scenario")]
pub(crate) struct RunPatches {
    /// Replaced in every run.
    always: Vec<Entry>,
    /// Replaced in runs where nothing records tracing spans.
    no_recording: Vec<Entry>,
    /// `logging.root`.
    root: Py<PyAny>,
    /// The run's log handler (the shim's RunLogHandler).
    handler: Py<PyAny>,
    /// `logging.Logger.manager.loggerDict`.
    logger_dict: Py<PyDict>,
    /// `logging.Logger` (the dict also holds placeholders, which have no cache).
    logger_type: Py<PyType>,
    /// The attribute of a logger that caches `isEnabledFor` (`Logger._cache`).
    cache_attribute: Py<PyString>,
    /// Every logger's cache (the root's too), as of `logger_dict`'s version tag.
    caches: Vec<Py<PyDict>>,
    caches_version: Option<u64>,
    installed: Option<Installed>,
}

/// What an installed run replaced, to put back.
struct Installed {
    /// Each replaced entry, and what it held.
    saved: Vec<Saved>,
    /// The root logger's handler list, its content and its level.
    handlers: Py<PyList>,
    handlers_before: Vec<Py<PyAny>>,
    level: Py<PyAny>,
}

/// What the shim's `process_patches()` gives: the entries (always, and where nothing records
/// spans), the root logger, the run's handler, the loggers, their class and the name of the
/// attribute that caches their levels.
type Description<'py> = (
    Vec<EntryDescription<'py>>,
    Vec<EntryDescription<'py>>,
    Bound<'py, PyAny>,
    Bound<'py, PyAny>,
    Bound<'py, PyDict>,
    Bound<'py, PyType>,
    Bound<'py, PyString>,
);

impl RunPatches {
    /// Built from the shim's description (`_scenario_patches.process_patches()`).
    pub fn from_description(description: &Bound<'_, PyAny>) -> PyResult<Self> {
        let (always, no_recording, root, handler, logger_dict, logger_type, cache_attribute): Description<'_> =
            description.extract()?;
        let entries = |list: Vec<EntryDescription<'_>>| {
            list.into_iter()
                .map(|(dict, key, value)| (dict.unbind(), key.unbind(), value.unbind()))
                .collect()
        };
        Ok(RunPatches {
            always: entries(always),
            no_recording: entries(no_recording),
            root: root.unbind(),
            handler: handler.unbind(),
            logger_dict: logger_dict.unbind(),
            logger_type: logger_type.unbind(),
            cache_attribute: cache_attribute.unbind(),
            caches: Vec::new(),
            caches_version: None,
            installed: None,
        })
    }

    /// Forget every logger's cached `isEnabledFor` answers, as `Logger.setLevel` does when a
    /// level changes (`Manager._clear_cache`). The loggers' caches are looked up again only
    /// when the set of loggers changed (a logger's cache is made with it and only ever
    /// cleared).
    fn forget_enabled_levels(&mut self, py: Python<'_>) -> PyResult<()> {
        let loggers = self.logger_dict.bind(py);
        let version = version_tag(loggers);
        if version.is_none() || version != self.caches_version {
            let name = self.cache_attribute.bind(py);
            let logger_type = self.logger_type.bind(py);
            let mut caches = Vec::with_capacity(loggers.len() + 1);
            let root = self.root.bind(py).clone();
            for logger in loggers.values().iter().chain([root]) {
                // Placeholders (parents of loggers, not asked for themselves) have no cache.
                if logger.is_instance(logger_type)? {
                    caches.push(logger.getattr(name)?.cast_into::<PyDict>()?.unbind());
                }
            }
            self.caches = caches;
            self.caches_version = version;
        }
        for cache in &self.caches {
            let cache = cache.bind(py);
            if !cache.is_empty() {
                cache.clear();
            }
        }
        Ok(())
    }
}

#[pymethods]
impl RunPatches {
    /// Swap the run's values in: every entry (and those of `no_recording` too, when nothing
    /// records spans), the run's handler on the root logger, and level DEBUG.
    fn install(&mut self, py: Python<'_>, no_recording: bool) -> PyResult<()> {
        if self.installed.is_some() {
            // A run that never ended (it cannot happen; but if it did).
            self.uninstall(py)?;
        }
        let extra: &[Entry] = if no_recording {
            &self.no_recording
        } else {
            &[]
        };
        let mut saved = Vec::with_capacity(self.always.len() + extra.len());
        for (dict, key, _) in self.always.iter().chain(extra) {
            let old = dict.bind(py).get_item(key)?.map(Bound::unbind);
            saved.push((dict.clone_ref(py), key.clone_ref(py), old));
        }
        let root = self.root.bind(py);
        let handlers = root
            .getattr(intern!(py, "handlers"))?
            .cast_into::<PyList>()?;
        let handlers_before: Vec<Py<PyAny>> = handlers.iter().map(Bound::unbind).collect();
        let level = root.getattr(intern!(py, "level"))?;
        // Recorded before anything changes, so that `uninstall` puts back whatever did.
        self.installed = Some(Installed {
            saved,
            handlers: handlers.clone().unbind(),
            handlers_before,
            level: level.clone().unbind(),
        });
        for (dict, key, value) in self.always.iter().chain(extra) {
            dict.bind(py).set_item(key, value)?;
        }
        if !handlers.iter().any(|h| h.is(&self.handler)) {
            handlers.append(&self.handler)?;
        }
        if level.extract::<i64>().ok() != Some(DEBUG) {
            root.setattr(intern!(py, "level"), DEBUG)?;
            self.forget_enabled_levels(py)?;
        }
        Ok(())
    }

    /// Put back what `install` replaced, whatever the run did to it since: each entry, the
    /// root logger's handler list (the list and its content) and its level.
    fn uninstall(&mut self, py: Python<'_>) -> PyResult<()> {
        let Some(installed) = self.installed.take() else {
            return Ok(());
        };
        for (dict, key, old) in installed.saved.iter().rev() {
            let dict = dict.bind(py);
            match old {
                Some(value) => dict.set_item(key, value)?,
                None if dict.contains(key)? => dict.del_item(key)?,
                None => {}
            }
        }
        let root = self.root.bind(py);
        let handlers = installed.handlers.bind(py);
        let now = root.getattr(intern!(py, "handlers"))?;
        let unchanged = now.is(handlers)
            && handlers.len() == installed.handlers_before.len()
            && handlers
                .iter()
                .zip(&installed.handlers_before)
                .all(|(h, before)| h.is(before));
        if !unchanged {
            root.setattr(intern!(py, "handlers"), handlers)?;
            let before = PyList::new(py, &installed.handlers_before)?;
            handlers.set_slice(0, handlers.len(), &before)?;
        }
        let level = root.getattr(intern!(py, "level"))?;
        if !level.eq(&installed.level)? {
            root.setattr(intern!(py, "level"), &installed.level)?;
            self.forget_enabled_levels(py)?;
        }
        Ok(())
    }
}
