//! Python dicts for relation databags, kept across runs.
//!
//! `relation-get` must hand ops a fresh dict (ops caches it and mutates its copy after
//! writes), but building one string by string costs more than ops' own work for a large
//! State. A [`Databag`] shares its map with its clones until written, so the dict built for
//! one map is valid for every run that sees that map: later reads return a C-level copy of it,
//! which shares the (immutable) key and value strings. Each entry keeps its databag alive, so
//! its identity cannot be reused by another map; the cache is emptied when it grows past
//! [`CAPACITY`] entries.

use std::collections::HashMap;
use std::sync::Mutex;

use pyo3::prelude::*;
use pyo3::sync::MutexExt;
use pyo3::types::PyDict;

use crate::state::Databag;

/// How many databags' dicts are kept at most.
const CAPACITY: usize = 4096;

/// Each databag's dict, by the databag's identity (the databag is kept to pin it).
type Dicts = HashMap<usize, (Databag, Py<PyDict>)>;

static DICTS: Mutex<Option<Dicts>> = Mutex::new(None);

/// A fresh Python dict with the databag's content.
pub(crate) fn dict_for<'py>(py: Python<'py>, bag: &Databag) -> PyResult<Bound<'py, PyDict>> {
    let mut guard = DICTS
        .lock_py_attached(py)
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let cache = guard.get_or_insert_with(HashMap::new);
    if let Some((_, dict)) = cache.get(&bag.identity()) {
        return dict.bind(py).copy();
    }
    let dict = PyDict::new(py);
    for (key, value) in bag {
        dict.set_item(key, value)?;
    }
    if cache.len() >= CAPACITY {
        cache.clear();
    }
    let copy = dict.copy()?;
    cache.insert(bag.identity(), (bag.clone(), dict.unbind()));
    Ok(copy)
}
