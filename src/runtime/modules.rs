//! `sys.modules` as it was before a run: a charm that replaces or deletes a loaded module
//! (`sys.modules['json'] = None`) must not break the runs after it.
//!
//! The check runs after every run, so it is cheap. A dict's version tag (PEP 509) changes on
//! every change to it, so an untouched `sys.modules` costs one comparison. Otherwise: an
//! untouched dict in insertion order starts with exactly the entries it had after the last
//! check, in that order (imports only append), so those entries are compared by pointer, and
//! only when one differs are the known modules put back and the baseline taken anew. Modules a
//! run imports are kept, as they would be in the charm's process.

use std::sync::Mutex;

use pyo3::prelude::*;
use pyo3::types::PyDict;

/// `sys.modules` after the last check: its entries in order, (name, module), and its version
/// tag.
static BASELINE: Mutex<Baseline> = Mutex::new(Baseline {
    entries: Vec::new(),
    version: None,
});

struct Baseline {
    entries: Vec<(Py<PyAny>, Py<PyAny>)>,
    version: Option<u64>,
}

/// The dict's version tag, where the interpreter keeps one (CPython before 3.14) and the
/// build can read it (not through the stable ABI): it changes whenever the dict does.
#[allow(deprecated)]
pub(super) fn version_tag(dict: &Bound<'_, PyDict>) -> Option<u64> {
    #[cfg(not(any(Py_3_14, Py_LIMITED_API, PyPy, GraalPy)))]
    {
        // SAFETY: `dict` is a live dict object and we are attached; the field is read only.
        Some(unsafe { (*dict.as_ptr().cast::<pyo3::ffi::PyDictObject>()).ma_version_tag })
    }
    #[cfg(any(Py_3_14, Py_LIMITED_API, PyPy, GraalPy))]
    {
        let _ = dict;
        None
    }
}

/// Put back every module a run replaced or removed; remember what it added. Called with the
/// run lock held, after the dispatch closed.
pub(crate) fn restore(py: Python<'_>) -> PyResult<()> {
    // SAFETY: attached; PyImport_GetModuleDict returns the interpreter's module dict (the
    // object `sys.modules` names), borrowed, never NULL once the interpreter runs.
    let modules = unsafe {
        Bound::from_borrowed_ptr(py, pyo3::ffi::PyImport_GetModuleDict()).cast_into::<PyDict>()?
    };
    let modules = &modules;
    let mut baseline = BASELINE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let version = version_tag(modules);
    if version.is_some() && version == baseline.version {
        return Ok(());
    }
    if let Some(added) = unchanged_prefix(modules, &baseline.entries) {
        // Only new imports, if anything: add them to the baseline.
        baseline.entries.extend(added);
        baseline.version = version;
        return Ok(());
    }
    for (name, module) in baseline.entries.iter() {
        let (name, module) = (name.bind(py), module.bind(py));
        let current = modules.get_item(name)?;
        if !current.is_some_and(|c| c.is(module)) {
            modules.set_item(name, module)?;
        }
    }
    baseline.entries = modules
        .iter()
        .map(|(k, v)| (k.unbind(), v.unbind()))
        .collect();
    baseline.version = version_tag(modules);
    Ok(())
}

/// If `modules` still starts with exactly the baseline's entries, in order, the entries after
/// them (new imports); otherwise `None`. Compares pointers, without touching reference counts:
/// this runs after every run.
fn unchanged_prefix(
    modules: &Bound<'_, PyDict>,
    baseline: &[(Py<PyAny>, Py<PyAny>)],
) -> Option<Vec<(Py<PyAny>, Py<PyAny>)>> {
    let py = modules.py();
    let dict = modules.as_ptr();
    let mut pos: pyo3::ffi::Py_ssize_t = 0;
    let mut key = std::ptr::null_mut();
    let mut value = std::ptr::null_mut();
    let mut known = baseline.iter();
    let mut added = Vec::new();
    // SAFETY: attached to the interpreter (`py`), and `dict` is a live dict that nothing
    // changes while it is iterated; PyDict_Next hands out borrowed references, only compared
    // here or turned into owned ones before the dict can change.
    while unsafe { pyo3::ffi::PyDict_Next(dict, &mut pos, &mut key, &mut value) } != 0 {
        match known.next() {
            Some((k, v)) if k.as_ptr() == key && v.as_ptr() == value => {}
            Some(_) => return None,
            None => unsafe {
                added.push((
                    Bound::from_borrowed_ptr(py, key).unbind(),
                    Bound::from_borrowed_ptr(py, value).unbind(),
                ))
            },
        }
    }
    known.next().is_none().then_some(added)
}
