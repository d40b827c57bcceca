//! The threads a run leaves running: counted (and, if there are any, named) before the run
//! and compared after it, for the `run.thread_left` warning. Apart from the run's steps
//! because it brackets them: taken before the charm is built, read after the run is closed.

use pyo3::prelude::*;

use super::interpreter::Shim;

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
