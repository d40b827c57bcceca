//! The simulated Juju unit agent: the hook tools' rules, as plain Rust on the run's State.
//!
//! `runtime::backend` converts Python arguments, calls these methods and turns a
//! [`HookToolError`] into the ops exception the charm would see; nothing here knows Python.

use std::fmt;
use std::sync::Arc;

use crate::charm::CharmMeta;
use crate::output::{EmittedEvent, JujuLogLine, Output};
use crate::state::{ConfigValue, State, Status};

/// Why a hook tool refused: what the charm sees as `ops.ModelError`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum HookToolError {
    /// Juju refused, with the text its tool prints on stderr (without the `ERROR ` prefix).
    Refused(String),
    /// The hook tool is not simulated yet.
    NotSupported {
        /// The hook tool: `relation-ids`.
        tool: &'static str,
    },
}

impl fmt::Display for HookToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HookToolError::Refused(message) => writeln!(f, "ERROR {message}"),
            HookToolError::NotSupported { tool } => writeln!(
                f,
                "ERROR {tool} is not supported yet by ops-scenario {}",
                env!("CARGO_PKG_VERSION")
            ),
        }
    }
}

/// The statuses a charm may set; `error` and `unknown` belong to Juju.
const SETTABLE_STATUSES: [&str; 4] = ["active", "blocked", "maintenance", "waiting"];

/// One run's simulated Juju: the State being changed and what the run records.
#[derive(Debug)]
pub(crate) struct HookTools {
    pub state: State,
    meta: Arc<CharmMeta>,
    pub output: Output,
}

impl HookTools {
    /// Start a run from the input State (already cloned: the caller's is never touched).
    pub fn new(state: State, meta: Arc<CharmMeta>) -> Self {
        HookTools {
            state,
            meta,
            output: Output::default(),
        }
    }

    /// `is-leader`.
    pub fn is_leader(&self) -> bool {
        self.state.leader
    }

    /// `config-get`: every option the user set, plus declared defaults for the rest.
    /// Options with neither are absent, as in Juju.
    pub fn config_get(&self) -> Vec<(&str, &ConfigValue)> {
        let mut values: Vec<(&str, &ConfigValue)> = self
            .state
            .config
            .iter()
            .map(|(k, v)| (k.as_str(), v))
            .collect();
        for (name, option) in &self.meta.config_options {
            if self.state.config.contains_key(name) {
                continue;
            }
            if let Some(default) = &option.default {
                values.push((name.as_str(), default));
            }
        }
        values
    }

    /// `status-get [--application]`.
    pub fn status_get(&self, is_app: bool) -> Result<&Status, HookToolError> {
        if is_app {
            if !self.state.leader {
                return Err(refused(
                    "finding application status: this unit is not the leader",
                ));
            }
            Ok(&self.state.app_status)
        } else {
            Ok(&self.state.unit_status)
        }
    }

    /// `status-set [--application] <status> <message>`: the previous status goes to the
    /// history, as ops.testing records it.
    pub fn status_set(
        &mut self,
        name: &str,
        message: &str,
        is_app: bool,
    ) -> Result<(), HookToolError> {
        if !SETTABLE_STATUSES.contains(&name) {
            return Err(refused(format!(
                "invalid status \"{name}\", expected one of [{}]",
                SETTABLE_STATUSES.join(", ")
            )));
        }
        let status = Status::from_name(name, message).expect("settable statuses are valid");
        if is_app {
            if !self.state.leader {
                return Err(refused(
                    "setting application status: this unit is not the leader",
                ));
            }
            let previous = std::mem::replace(&mut self.state.app_status, status);
            self.output.app_status_history.push(previous);
        } else {
            let previous = std::mem::replace(&mut self.state.unit_status, status);
            self.output.unit_status_history.push(previous);
        }
        Ok(())
    }

    /// `application-version-set`: a previous non-empty version goes to the history.
    pub fn application_version_set(&mut self, version: &str) {
        let previous = std::mem::replace(&mut self.state.workload_version, version.to_owned());
        if !previous.is_empty() {
            self.output.workload_version_history.push(previous);
        }
    }

    /// `juju-log --log-level <level> <message>`.
    pub fn juju_log(&mut self, level: &str, message: &str) {
        self.output.juju_log.push(JujuLogLine {
            level: level.to_owned(),
            message: message.to_owned(),
        });
    }

    /// `goal-state`, reduced to what ops reads: the number of planned units.
    pub fn planned_units(&self) -> u32 {
        self.state.planned_units
    }

    /// Record an event ops emitted.
    pub fn record_event(&mut self, name: &str, event_type: &str, deferred: bool) {
        self.output.emitted_events.push(EmittedEvent {
            name: name.to_owned(),
            event_type: event_type.to_owned(),
            deferred,
        });
    }
}

fn refused(message: impl Into<String>) -> HookToolError {
    HookToolError::Refused(message.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charm::CharmMeta;

    fn tools(state: State) -> HookTools {
        let meta = CharmMeta::from_values(
            serde_json::json!({"name": "demo"}),
            Some(serde_json::json!({"options": {
                "port": {"type": "int", "default": 8080},
                "name": {"type": "string"},
                "debug": {"type": "boolean", "default": false},
            }})),
            None,
        )
        .unwrap();
        HookTools::new(state, Arc::new(meta))
    }

    #[test]
    fn config_get_fills_in_defaults_but_not_unset_options() {
        let t = tools(State::default().config([("port", 9000.into())]));
        let got = t.config_get();
        assert!(got.contains(&("port", &ConfigValue::Int(9000))));
        assert!(got.contains(&("debug", &ConfigValue::Bool(false))));
        assert!(!got.iter().any(|(k, _)| *k == "name"));
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn status_set_records_the_previous_status() {
        let mut t = tools(State::default());
        t.status_set("maintenance", "a", false).unwrap();
        t.status_set("active", "b", false).unwrap();
        assert_eq!(t.state.unit_status, Status::active("b"));
        assert_eq!(
            t.output.unit_status_history,
            [Status::Unknown, Status::maintenance("a")]
        );
    }

    #[test]
    fn only_settable_statuses_can_be_set() {
        let mut t = tools(State::default());
        let err = t.status_set("error", "x", false).unwrap_err();
        assert!(err.to_string().contains("invalid status \"error\""));
        assert_eq!(t.state.unit_status, Status::Unknown);
        assert!(t.output.unit_status_history.is_empty());
    }

    #[test]
    fn non_leader_cannot_set_or_get_app_status() {
        let mut t = tools(State::default());
        assert!(t.status_set("active", "", true).is_err());
        assert!(t.status_get(true).is_err());
        let mut leader = tools(State::default().leader(true));
        leader.status_set("active", "ok", true).unwrap();
        assert_eq!(leader.status_get(true).unwrap(), &Status::active("ok"));
        assert_eq!(leader.output.app_status_history, [Status::Unknown]);
    }

    #[test]
    fn workload_version_history_skips_the_empty_initial_version() {
        let mut t = tools(State::default());
        t.application_version_set("1.0");
        t.application_version_set("1.1");
        assert_eq!(t.state.workload_version, "1.1");
        assert_eq!(t.output.workload_version_history, ["1.0"]);
    }
}
