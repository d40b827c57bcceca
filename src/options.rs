//! [`ContextOptions`]: who the unit is and which Juju runs it. Read by the consistency checker,
//! the hook tools and the runtime, so it sits below all of them.

use serde::{Deserialize, Serialize};

/// How Juju runs the charm: who the unit is, which Juju, what to record.
///
/// JSON form: the `context` object of a case file. Every field may be omitted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, default)]
pub struct ContextOptions {
    /// The application name. Defaults to the charm's metadata `name`.
    pub app_name: Option<String>,
    /// The unit number: the unit is `<app_name>/<unit_id>`. Defaults to 0.
    pub unit_id: u32,
    /// The Juju version the charm sees (`JUJU_VERSION`). Defaults to `"3.6.14"`.
    pub juju_version: String,
    /// Whether the application is trusted (`juju trust`). Defaults to `false`.
    pub app_trusted: bool,
    /// `JUJU_MACHINE_ID`. Defaults to unset.
    pub machine_id: Option<String>,
    /// `JUJU_AVAILABILITY_ZONE`. Defaults to unset.
    pub availability_zone: Option<String>,
    /// `JUJU_PRINCIPAL_UNIT` (for subordinates). Defaults to unset.
    pub principal_unit: Option<String>,
    /// Record deferred events when ops re-emits them in `emitted_events`. Defaults to `false`.
    pub capture_deferred_events: bool,
    /// Record framework events (`pre_commit`, `commit`, `collect_*_status`) in
    /// `emitted_events`. Defaults to `false`.
    pub capture_framework_events: bool,
}

impl Default for ContextOptions {
    fn default() -> Self {
        ContextOptions {
            app_name: None,
            unit_id: 0,
            juju_version: Self::DEFAULT_JUJU_VERSION.to_owned(),
            app_trusted: false,
            machine_id: None,
            availability_zone: None,
            principal_unit: None,
            capture_deferred_events: false,
            capture_framework_events: false,
        }
    }
}

impl ContextOptions {
    /// The Juju version a Context simulates unless told otherwise: ops.testing's default.
    pub const DEFAULT_JUJU_VERSION: &'static str = "3.6.14";

    /// The Juju version as a number, if it parses (the checker reports it when it does not).
    pub(crate) fn juju(&self) -> Option<JujuVersion> {
        JujuVersion::parse(&self.juju_version)
    }
}

/// Juju 4.0: no series upgrades, metrics, podspec or leader settings, and a new hook-tool set
/// (internal/worker/uniter/runner/jujuc/server.go on main: `baseCommands` without
/// `add-metric`, `pod-spec-*`, `k8s-*`; `leaderCommands` with `is-leader` only; no
/// `payloadCommands`).
pub(crate) const JUJU_4: JujuVersion = JujuVersion(4, 0, 0);

/// A Juju version's number, for comparisons (`3.6.14`, `3.6-beta2` reads as 3.6.0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct JujuVersion(pub u32, pub u32, pub u32);

impl std::fmt::Display for JujuVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

impl JujuVersion {
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let mut parts = text.splitn(3, '.');
        let major = parts.next()?.parse().ok()?;
        let minor_part = parts.next()?;
        let minor_digits: String = minor_part
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let minor = minor_digits.parse().ok()?;
        let patch = match parts.next() {
            None => 0,
            Some(p) => {
                let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
                digits.parse().ok()?
            }
        };
        Some(JujuVersion(major, minor, patch))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn juju_versions_parse_and_compare() {
        assert_eq!(JujuVersion::parse("3.6.14"), Some(JujuVersion(3, 6, 14)));
        assert_eq!(JujuVersion::parse("3.6-beta2"), Some(JujuVersion(3, 6, 0)));
        assert!(JujuVersion::parse("three").is_none());
        assert!(JujuVersion(3, 3, 9) < JujuVersion(3, 4, 0));
        assert_eq!(JujuVersion(3, 6, 2).to_string(), "3.6.2");
    }
}
