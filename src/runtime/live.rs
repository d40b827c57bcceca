//! [`LiveCharm`]: the charm object of a run in progress, for white-box assertions.

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
            .map_err(|e| super::charm_error(py, shim, e))
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
            .map_err(|e| super::charm_error(py, shim, e))
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
            .map_err(|e| super::charm_error(py, shim, e))
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
