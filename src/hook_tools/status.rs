//! `status-get`, `status-set` and `application-version-set`.

use super::{refused, HookToolError, HookTools};
use crate::state::Status;

/// The statuses a charm may set; `error` and `unknown` belong to Juju.
const SETTABLE_STATUSES: [&str; 4] = ["active", "blocked", "maintenance", "waiting"];

impl HookTools {
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
}

#[cfg(test)]
mod tests {
    use super::super::test_support::tools_with;
    use super::super::HookTools;
    use crate::state::{State, Status};

    fn tools(state: State) -> HookTools {
        tools_with(serde_json::json!({"name": "demo"}), None, state)
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
