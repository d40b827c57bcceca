//! The state of a container's Pebble checks (`check_infos`).

use serde::{Deserialize, Serialize};

use super::Container;

/// A check's level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum CheckLevel {
    /// No level. The default.
    #[default]
    #[serde(rename = "")]
    Unset,
    /// `alive`.
    #[serde(rename = "alive")]
    Alive,
    /// `ready`.
    #[serde(rename = "ready")]
    Ready,
}

/// Whether a check starts with the plan.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum CheckStartup {
    /// Not given: treated as `enabled`.
    #[serde(rename = "")]
    Unset,
    /// `enabled`. The default.
    #[default]
    #[serde(rename = "enabled")]
    Enabled,
    /// `disabled`.
    #[serde(rename = "disabled")]
    Disabled,
}

/// A check's status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// Passing. The default.
    #[default]
    Up,
    /// Failing (at least `threshold` times in a row).
    Down,
    /// Stopped.
    Inactive,
}

/// The state of one check of the plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CheckInfo {
    /// The check name in the plan.
    pub name: String,
    /// Defaults to none (`""`); the consistency checker wants the plan's level.
    #[serde(default)]
    pub level: CheckLevel,
    /// Defaults to `enabled`.
    #[serde(default)]
    pub startup: CheckStartup,
    /// Defaults to `up`.
    #[serde(default)]
    pub status: CheckStatus,
    /// Successes in a row. Defaults to 0.
    #[serde(default)]
    pub successes: u32,
    /// Failures in a row. Defaults to 0.
    #[serde(default)]
    pub failures: u32,
    /// Failures in a row before the check is down. Defaults to 3.
    #[serde(default = "three")]
    pub threshold: u32,
    /// The id of the Pebble change running the check. Defaults to none.
    #[serde(default)]
    pub change_id: Option<String>,
}

fn three() -> u32 {
    3
}

impl CheckInfo {
    /// An enabled, passing check with no level.
    pub fn new(name: impl Into<String>) -> Self {
        CheckInfo {
            name: name.into(),
            level: CheckLevel::Unset,
            startup: CheckStartup::Enabled,
            status: CheckStatus::Up,
            successes: 0,
            failures: 0,
            threshold: 3,
            change_id: None,
        }
    }

    /// Set the level.
    pub fn level(mut self, level: CheckLevel) -> Self {
        self.level = level;
        self
    }

    /// Set the status.
    pub fn status(mut self, status: CheckStatus) -> Self {
        self.status = status;
        self
    }

    /// Set the failures in a row.
    pub fn failures(mut self, failures: u32) -> Self {
        self.failures = failures;
        self
    }

    /// Set the threshold.
    pub fn threshold(mut self, threshold: u32) -> Self {
        self.threshold = threshold;
        self
    }

    /// Set whether the check starts with the plan.
    pub fn startup(mut self, startup: CheckStartup) -> Self {
        self.startup = startup;
        self
    }

    /// Set the id of the Pebble change running the check.
    pub fn change_id(mut self, id: impl Into<String>) -> Self {
        self.change_id = Some(id.into());
        self
    }
}
/// The change id the container's next check change takes: one more than the highest numeric
/// change id of its check infos (Pebble numbers changes from 1 up).
pub(crate) fn next_change_id(container: &Container) -> String {
    let highest = container
        .check_infos
        .iter()
        .filter_map(|info| info.change_id.as_deref()?.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    (highest + 1).to_string()
}

/// Give every check info of the State that runs (status up or down) but has no change id a
/// new one, by the module's rule, in State order: ops reads a check without a change id as
/// inactive (`CheckInfo.from_dict`), and ops.testing numbers them too.
pub(crate) fn assign_check_change_ids(container: &mut Container) {
    for index in 0..container.check_infos.len() {
        let info = &container.check_infos[index];
        if info.status != CheckStatus::Inactive && info.change_id.is_none() {
            let change_id = next_change_id(container);
            container.check_infos[index].change_id = Some(change_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assign_change_ids_numbers_running_checks() {
        let mut c = Container::new("web").check_infos([
            CheckInfo::new("alive"),
            CheckInfo::new("ready").status(CheckStatus::Inactive),
            CheckInfo::new("off").status(CheckStatus::Down),
        ]);
        c.check_infos[0].change_id = Some("4".into());
        c.check_infos[2].change_id = None;
        assign_check_change_ids(&mut c);
        let ids: Vec<_> = c.check_infos.iter().map(|i| i.change_id.clone()).collect();
        assert_eq!(ids, vec![Some("4".into()), None, Some("5".into())]);
    }
}
