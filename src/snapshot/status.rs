//! The unit in the model's status: `juju status --relations --format json`.
//!
//! Shape (cmd/juju/status/formatted.go, as Juju 3 prints it; jubilant's statustypes.py was
//! generated from the same Go structs): `{"model": {"name": ..., "type": "caas" | "iaas",
//! "version": "3.6.1", ...}, "machines": {...}, "applications": {"<app>": {"charm": ...,
//! "scale": 2, "application-status": {"current": "active", "message": ..., "since": ...},
//! "relations": {"<endpoint>": [{"related-application": "pg", "interface": "pgsql",
//! "scope": "global"}]}, "subordinate-to": [...], "units": {"<app>/0": {"workload-status":
//! {...}, "juju-status": {...}, "leader": true, "machine": "0", "subordinates":
//! {"<sub>/0": {...}}}}, "version": ...}}}`. A subordinate's units are listed only under
//! the `subordinates` of its principals' units. Juju 2.9 printed `relations` as lists of
//! application names; both are read.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::runner::Juju;
use crate::error::{Error, Result};
use crate::state::Status;

#[derive(Deserialize)]
struct FormattedStatus {
    model: ModelStatus,
    #[serde(default)]
    applications: BTreeMap<String, ApplicationStatus>,
}

#[derive(Deserialize)]
struct ModelStatus {
    #[serde(default)]
    version: String,
}

#[derive(Default, Deserialize)]
struct ApplicationStatus {
    #[serde(rename = "application-status", default)]
    status: StatusInfo,
    #[serde(default)]
    relations: BTreeMap<String, Vec<serde_json::Value>>,
    #[serde(rename = "subordinate-to", default)]
    subordinate_to: Vec<String>,
    #[serde(default)]
    scale: u32,
    #[serde(default)]
    units: BTreeMap<String, UnitStatus>,
}

#[derive(Default, Deserialize)]
struct UnitStatus {
    #[serde(rename = "workload-status", default)]
    workload: StatusInfo,
    #[serde(default)]
    machine: Option<String>,
    #[serde(default)]
    subordinates: BTreeMap<String, UnitStatus>,
}

#[derive(Default, Deserialize)]
struct StatusInfo {
    #[serde(default)]
    current: String,
    #[serde(default)]
    message: String,
}

/// An application at the other end of one of the unit's endpoints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RelatedApp {
    pub(crate) app: String,
    pub(crate) interface: Option<String>,
    /// `global` or `container`, when Juju says.
    pub(crate) scope: Option<String>,
}

/// What the status says about the unit and its application.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct UnitView {
    pub(crate) unit_status: Status,
    pub(crate) app_status: Status,
    pub(crate) planned_units: u32,
    /// The model's agent version: the Juju the charm runs under.
    pub(crate) juju_version: String,
    /// The principal unit, for a subordinate.
    pub(crate) principal_unit: Option<String>,
    /// The machine the unit (or its principal) is on.
    pub(crate) machine: Option<String>,
    /// The related applications by endpoint.
    pub(crate) related: BTreeMap<String, Vec<RelatedApp>>,
}

/// Find the unit `<app>/<n>` in the status.
///
/// # Errors
/// [`Error::Juju`] when `juju status` fails or does not list the unit.
pub(crate) fn gather(juju: &Juju, unit: &str, warnings: &mut Vec<String>) -> Result<UnitView> {
    let args = ["--relations", "--format", "json"];
    let status: FormattedStatus = juju.json("status", &args)?;
    let (app_name, _) = unit.split_once('/').unwrap_or((unit, ""));
    let not_listed = |what: String| Error::Juju {
        command: juju.line("status", &args),
        message: what,
    };
    let app = status
        .applications
        .get(app_name)
        .ok_or_else(|| not_listed(format!("lists no application {app_name:?}")))?;
    let prefix = format!("{app_name}/");
    let (found, principal, machine, planned) = if app.subordinate_to.is_empty() {
        let found = app
            .units
            .get(unit)
            .ok_or_else(|| not_listed(format!("lists no unit {unit:?}")))?;
        let planned = if app.scale > 0 {
            app.scale
        } else {
            app.units.len() as u32
        };
        (found, None, found.machine.clone(), planned)
    } else {
        // A subordinate: its units are under its principals' units.
        let mut found = None;
        let mut planned = 0;
        for principal_app in &app.subordinate_to {
            let Some(principal_status) = status.applications.get(principal_app) else {
                continue;
            };
            for (principal_name, principal) in &principal_status.units {
                for (sub_name, sub) in &principal.subordinates {
                    if sub_name.starts_with(&prefix) {
                        planned += 1;
                    }
                    if sub_name == unit {
                        found = Some((sub, principal_name.clone(), principal.machine.clone()));
                    }
                }
            }
        }
        let (sub, principal, machine) = found.ok_or_else(|| {
            not_listed(format!(
                "lists no unit {unit:?} under the units of {}",
                app.subordinate_to.join(", ")
            ))
        })?;
        (sub, Some(principal), machine, planned)
    };
    let mut related = BTreeMap::new();
    for (endpoint, entries) in &app.relations {
        let apps = entries
            .iter()
            .filter_map(|entry| match entry {
                serde_json::Value::String(app) => Some(RelatedApp {
                    app: app.clone(),
                    interface: None,
                    scope: None,
                }),
                serde_json::Value::Object(fields) => {
                    let text = |key: &str| {
                        fields
                            .get(key)
                            .and_then(serde_json::Value::as_str)
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned)
                    };
                    Some(RelatedApp {
                        app: text("related-application")?,
                        interface: text("interface"),
                        scope: text("scope"),
                    })
                }
                _ => None,
            })
            .collect();
        related.insert(endpoint.clone(), apps);
    }
    Ok(UnitView {
        unit_status: status_of(&found.workload, &format!("unit {unit}"), warnings),
        app_status: status_of(&app.status, &format!("application {app_name}"), warnings),
        planned_units: planned.max(1),
        juju_version: status.model.version,
        principal_unit: principal,
        machine,
        related,
    })
}

/// A workload status as the State has it; Juju-only statuses (`terminated`, ...) read as
/// unknown, with a warning.
fn status_of(info: &StatusInfo, whose: &str, warnings: &mut Vec<String>) -> Status {
    if info.current.is_empty() {
        return Status::Unknown;
    }
    Status::from_name(&info.current, info.message.clone()).unwrap_or_else(|name| {
        warnings.push(format!(
            "the {whose} has status {name:?}, which a charm cannot see: it is left unknown"
        ));
        Status::Unknown
    })
}

#[cfg(test)]
mod tests {
    use super::super::fake::FakeJuju;
    use super::*;

    const STATUS: &str = r#"{
      "model": {"name": "edge", "type": "iaas", "controller": "lxd", "cloud": "localhost",
                "region": "localhost", "version": "3.6.1", "model-status": {"current": "available"}},
      "machines": {"0": {"juju-status": {"current": "started"}}, "1": {"juju-status": {"current": "started"}}},
      "applications": {
        "ubuntu": {
          "charm": "ubuntu", "charm-origin": "charmhub", "charm-name": "ubuntu", "charm-rev": 24, "exposed": false,
          "application-status": {"current": "active"},
          "relations": {"juju-info": [{"related-application": "gateway", "interface": "juju-info", "scope": "container"}]},
          "units": {
            "ubuntu/0": {"workload-status": {"current": "active"}, "machine": "0",
                         "subordinates": {"gateway/0": {"workload-status": {"current": "blocked", "message": "no db"}, "leader": true}}},
            "ubuntu/1": {"workload-status": {"current": "active"}, "machine": "1",
                         "subordinates": {"gateway/1": {"workload-status": {"current": "terminated"}}}}
          }
        },
        "gateway": {
          "charm": "gateway", "charm-origin": "local", "charm-name": "gateway", "charm-rev": 0, "exposed": false,
          "application-status": {"current": "waiting", "message": "peers"},
          "relations": {"host": [{"related-application": "ubuntu", "interface": "juju-info", "scope": "container"}],
                        "cluster": ["gateway"]},
          "subordinate-to": ["ubuntu"]
        }
      }
    }"#;

    #[test]
    fn a_subordinate_is_found_under_its_principal() {
        let fake = FakeJuju::new().ok("status --relations --format json", STATUS);
        let mut warnings = Vec::new();
        let view = gather(&Juju::new(&fake, None), "gateway/0", &mut warnings).unwrap();
        assert_eq!(view.unit_status, Status::blocked("no db"));
        assert_eq!(view.app_status, Status::waiting("peers"));
        assert_eq!(view.principal_unit.as_deref(), Some("ubuntu/0"));
        assert_eq!(view.machine.as_deref(), Some("0"));
        assert_eq!(view.planned_units, 2);
        assert_eq!(view.juju_version, "3.6.1");
        assert_eq!(view.related["host"][0].scope.as_deref(), Some("container"));
        // Juju 2.9's list of names reads too.
        assert_eq!(view.related["cluster"][0].app, "gateway");
        assert!(warnings.is_empty());
    }

    #[test]
    fn a_status_a_charm_cannot_see_is_unknown_with_a_warning() {
        let fake = FakeJuju::new().ok("status --relations --format json", STATUS);
        let mut warnings = Vec::new();
        let view = gather(&Juju::new(&fake, None), "gateway/1", &mut warnings).unwrap();
        assert_eq!(view.unit_status, Status::Unknown);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
    }

    #[test]
    fn a_unit_not_in_the_status_is_an_error() {
        let fake = FakeJuju::new().ok("status --relations --format json", STATUS);
        let err = gather(&Juju::new(&fake, None), "ubuntu/7", &mut Vec::new()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`juju status --relations --format json` lists no unit \"ubuntu/7\""
        );
    }
}
