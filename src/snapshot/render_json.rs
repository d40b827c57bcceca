//! A snapshot as JSON: the State's portable form (docs/STATE_JSON.md), or a whole case file that
//! `scenario run` runs.

use std::path::Path;

use super::Snapshot;
use crate::case::Case;
use crate::error::Result;

impl Snapshot {
    /// The State as pretty-printed JSON (its serde form).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.state).expect("a State serialises")
    }

    /// A case file running the event `event` (see [`Snapshot::event`]) on this State, for
    /// the charm in `charm` (written as given; `scenario run` reads it relative to the case
    /// file's folder) and its class `class` when the charm has several.
    ///
    /// # Errors
    /// As [`Snapshot::event`].
    pub fn to_case_json(&self, charm: &Path, class: Option<&str>, event: &str) -> Result<String> {
        let case = Case {
            steps: Vec::new(),
            charm: charm.to_owned(),
            charm_class: class.map(str::to_owned),
            context: self.context.clone(),
            event: self.event(event)?,
            state: self.state.clone(),
        };
        Ok(serde_json::to_string_pretty(&case).expect("a case serialises"))
    }
}
