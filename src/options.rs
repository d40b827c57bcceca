//! [`ContextOptions`]: who the unit is and which Juju runs it. Read by the consistency checker,
//! the hook tools and the runtime, so it sits below all of them.

use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

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
    /// Record what the charm asks the model (hook tools called, relation and config keys looked
    /// up) in the Output's `reads`. Defaults to `false`: a run then records nothing of it, and
    /// the field is left out of the JSON form.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub record_reads: bool,
    /// How long one run may take before it is interrupted (a charm stuck in a loop, a sleep
    /// or a socket), in seconds in JSON; `None` (`null`): no limit. Defaults to 60 seconds
    /// ([`ContextOptions::DEFAULT_TIMEOUT`]).
    #[serde(
        serialize_with = "timeout_seconds",
        deserialize_with = "timeout_from_seconds"
    )]
    #[cfg_attr(feature = "schema", schemars(schema_with = "timeout_schema"))]
    pub timeout: Option<Duration>,
}

/// A timeout in JSON: seconds above zero, or `null`.
#[cfg(feature = "schema")]
fn timeout_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": ["number", "null"], "exclusiveMinimum": 0})
}

fn timeout_seconds<S: Serializer>(timeout: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    timeout.map(|t| t.as_secs_f64()).serialize(s)
}

fn timeout_from_seconds<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    Option::<f64>::deserialize(d)?
        .map(|seconds| {
            Duration::try_from_secs_f64(seconds)
                .ok()
                .filter(|t| !t.is_zero())
                .ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "timeout {seconds} is not a positive number of seconds \
                         (null for no limit)"
                    ))
                })
        })
        .transpose()
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
            record_reads: false,
            timeout: Some(Self::DEFAULT_TIMEOUT),
        }
    }
}

impl ContextOptions {
    /// The Juju version a Context simulates unless told otherwise: ops.testing's default.
    pub const DEFAULT_JUJU_VERSION: &'static str = "3.6.14";

    /// The time limit of a run unless told otherwise: a minute, far beyond what a hook's
    /// code takes in a test (milliseconds), and short enough that a hung charm fails its test
    /// instead of hanging the suite.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

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

    #[test]
    fn timeouts_read_as_seconds_and_bad_ones_are_refused() {
        let read = |json: &str| serde_json::from_str::<ContextOptions>(json);
        assert_eq!(read("{}").unwrap().timeout, Some(Duration::from_secs(60)));
        assert_eq!(
            read(r#"{"timeout": 2.5}"#).unwrap().timeout,
            Some(Duration::from_millis(2500))
        );
        assert_eq!(read(r#"{"timeout": null}"#).unwrap().timeout, None);
        for bad in ["0", "-1", "1e300"] {
            let err = read(&format!(r#"{{"timeout": {bad}}}"#))
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("not a positive number of seconds"),
                "{bad}: {err}"
            );
        }
        let written = serde_json::to_value(ContextOptions::default()).unwrap();
        assert_eq!(written["timeout"], 60.0);
    }
}
