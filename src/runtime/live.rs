//! [`LiveCharm`]: the charm object of a run in progress, for white-box assertions, and
//! [`Inspect`], the closures that look at it.

use pyo3::prelude::*;

use super::convert;
use super::interpreter::Shim;
use crate::error::Result;
use crate::state::StoredValue;

/// The live charm instance during a run, handed to the closures of an
/// [`Inspect`](crate::Inspect). Python expressions and statements run with `self` (and
/// `charm`) bound to the charm instance, and `ops` imported.
pub struct LiveCharm<'a> {
    charm: &'a Bound<'a, PyAny>,
}

impl<'a> LiveCharm<'a> {
    pub(crate) fn new(charm: &'a Bound<'a, PyAny>) -> Self {
        LiveCharm { charm }
    }

    /// Evaluate a Python expression and convert its value (`self._stored.counter`,
    /// `self.unit.status.message`).
    ///
    /// # Errors
    /// [`Error::CharmRaised`](crate::Error::CharmRaised) if the expression raises (or its value is not one
    /// [`StoredValue`] can hold: use [`LiveCharm::eval_repr`] for those).
    pub fn eval(&self, expression: &str) -> Result<StoredValue> {
        let py = self.charm.py();
        let shim = Shim::init(py)?;
        shim.evaluate
            .bind(py)
            .call1((self.charm, expression))
            .and_then(|value| convert::from_py(&value))
            .map_err(|e| super::errors::charm_error(py, shim, e))
    }

    /// Evaluate a Python expression and return its `repr()`.
    ///
    /// # Errors
    /// [`Error::CharmRaised`](crate::Error::CharmRaised) if the expression raises.
    pub fn eval_repr(&self, expression: &str) -> Result<String> {
        let py = self.charm.py();
        let shim = Shim::init(py)?;
        shim.evaluate
            .bind(py)
            .call1((self.charm, expression))
            .and_then(|value| value.repr().map(|r| r.to_string()))
            .map_err(|e| super::errors::charm_error(py, shim, e))
    }

    /// Run Python statements against the charm (`self.unit.status = ops.ActiveStatus()`).
    ///
    /// # Errors
    /// [`Error::CharmRaised`](crate::Error::CharmRaised) if the statements raise.
    pub fn exec(&self, statements: &str) -> Result<()> {
        let py = self.charm.py();
        let shim = Shim::init(py)?;
        shim.execute
            .bind(py)
            .call1((self.charm, statements))
            .map(|_| ())
            .map_err(|e| super::errors::charm_error(py, shim, e))
    }

    /// The charm's class name.
    pub fn class_name(&self) -> String {
        self.charm
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default()
    }
}

type CharmHook<'a> = Box<dyn FnMut(&LiveCharm<'_>) -> Result<()> + 'a>;

/// Closures that look at the live charm during
/// [`Context::run_inspected`](crate::Context::run_inspected).
#[derive(Default)]
pub struct Inspect<'a> {
    before: Option<CharmHook<'a>>,
    after: Option<CharmHook<'a>>,
}

impl<'a> Inspect<'a> {
    /// No closures.
    pub fn new() -> Self {
        Inspect::default()
    }

    /// Call `f` once the charm is constructed, before deferred events and the event.
    pub fn before(mut self, f: impl FnMut(&LiveCharm<'_>) -> Result<()> + 'a) -> Self {
        self.before = Some(Box::new(f));
        self
    }

    /// Call `f` after the event, collect-status and ops' commit.
    pub fn after(mut self, f: impl FnMut(&LiveCharm<'_>) -> Result<()> + 'a) -> Self {
        self.after = Some(Box::new(f));
        self
    }

    pub(crate) fn call_before(&mut self, charm: &LiveCharm<'_>) -> Result<()> {
        self.before.as_mut().map_or(Ok(()), |f| f(charm))
    }

    pub(crate) fn call_after(&mut self, charm: &LiveCharm<'_>) -> Result<()> {
        self.after.as_mut().map_or(Ok(()), |f| f(charm))
    }
}

impl std::fmt::Debug for Inspect<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inspect")
            .field("before", &self.before.is_some())
            .field("after", &self.after.is_some())
            .finish()
    }
}
