//! The unit's own record: `juju show-unit <unit> --format json`.
//!
//! Shape (cmd/juju/application/showunit.go, `UnitInfo`, `RelationData` and
//! `UnitRelationData`; jubilant's unittypes.py was generated from the same structs):
//! `{"<unit>": {"workload-version": "8.0", "machine": "0", "opened-ports": ["3306/tcp"],
//! "public-address": ..., "charm": ..., "leader": true, "life": "alive", "relation-info":
//! [{"relation-id": 5, "endpoint": "database", "related-endpoint": "database",
//! "cross-model": false, "application-data": {...}, "local-unit": {"in-scope": true,
//! "data": {...}}, "related-units": {"wordpress/0": {"in-scope": true, "data": {...}}}}],
//! "provider-id": ..., "address": ...}}`. `application-data` is the related application's
//! databag (for a peer relation, this application's); `local-unit` is always there (Go
//! writes a struct even when empty), its `data` may be `null`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::runner::Juju;
use crate::error::{Error, Result};
use crate::state::Port;

/// `show-unit`'s record of the unit.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct UnitInfo {
    #[serde(default)]
    pub(crate) leader: bool,
    #[serde(rename = "workload-version", default)]
    pub(crate) workload_version: String,
    #[serde(default)]
    pub(crate) machine: Option<String>,
    #[serde(rename = "opened-ports", default)]
    pub(crate) opened_ports: Option<Vec<String>>,
    #[serde(rename = "relation-info", default)]
    pub(crate) relations: Vec<RelationInfo>,
}

/// One relation of the unit, as `show-unit` reports it.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct RelationInfo {
    #[serde(rename = "relation-id", default)]
    pub(crate) relation_id: Option<u32>,
    pub(crate) endpoint: String,
    #[serde(rename = "related-endpoint", default)]
    pub(crate) related_endpoint: String,
    #[serde(rename = "cross-model", default)]
    pub(crate) cross_model: bool,
    #[serde(rename = "application-data", default)]
    pub(crate) application_data: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(rename = "related-units", default)]
    pub(crate) related_units: Option<BTreeMap<String, UnitRelationData>>,
}

/// A unit's side of a relation.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct UnitRelationData {
    #[serde(rename = "in-scope", default)]
    pub(crate) in_scope: bool,
    #[serde(default)]
    pub(crate) data: Option<BTreeMap<String, serde_json::Value>>,
}

/// A databag from `show-unit`'s JSON: values are strings (anything else is written as JSON).
pub(crate) fn databag_of(
    data: Option<&BTreeMap<String, serde_json::Value>>,
) -> BTreeMap<String, String> {
    data.into_iter()
        .flatten()
        .map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), text)
        })
        .collect()
}

/// The unit's record.
///
/// # Errors
/// [`Error::Juju`] when `juju show-unit` fails or does not list the unit.
pub(crate) fn gather(juju: &Juju, unit: &str) -> Result<UnitInfo> {
    let args = [unit, "--format", "json"];
    let mut all: BTreeMap<String, UnitInfo> = juju.json("show-unit", &args)?;
    all.remove(unit).ok_or_else(|| Error::Juju {
        command: juju.line("show-unit", &args),
        message: format!("gives no record of {unit:?}"),
    })
}

/// The opened ports as the State has them: `8080/tcp`, `53/udp`, `icmp`; ranges
/// (`8000-8010/tcp`) are left out with a warning.
pub(crate) fn ports(info: &UnitInfo, warnings: &mut Vec<String>) -> Vec<Port> {
    let mut out = Vec::new();
    for spec in info.opened_ports.iter().flatten() {
        let parsed = match spec.split_once('/') {
            None if spec == "icmp" => Some(Port::icmp()),
            Some((port, protocol)) => match (port.parse::<u16>(), protocol) {
                (Ok(port @ 1..), "tcp") => Some(Port::tcp(port)),
                (Ok(port @ 1..), "udp") => Some(Port::udp(port)),
                _ => None,
            },
            None => None,
        };
        match parsed {
            Some(port) => out.push(port),
            None => warnings.push(format!(
                "opened port {spec:?} is not one port the State can hold: left out"
            )),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fake::FakeJuju;
    use super::*;

    #[test]
    fn the_unit_record_reads_with_its_relations_and_ports() {
        let fake = FakeJuju::new().ok(
            "show-unit mysql/0 --format json",
            r#"{"mysql/0": {"workload-version": "8.0.41", "machine": "0",
                "relation-info": [{"relation-id": 5, "endpoint": "database", "related-endpoint": "database",
                                   "application-data": {"foo": "bar"},
                                   "local-unit": {"in-scope": true, "data": null},
                                   "related-units": {"wordpress/0": {"in-scope": true, "data": {"egress-subnets": "10.1.1.1/32"}}}}],
                "opened-ports": ["3306/tcp", "53/udp", "icmp", "8000-8010/tcp"], "charm": "mysql", "leader": true,
                "life": "alive", "public-address": "10.0.0.1"}}"#,
        );
        let info = gather(&Juju::new(&fake, None), "mysql/0").unwrap();
        assert!(info.leader);
        assert_eq!(info.relations[0].relation_id, Some(5));
        assert_eq!(
            databag_of(info.relations[0].application_data.as_ref())["foo"],
            "bar"
        );
        let mut warnings = Vec::new();
        assert_eq!(
            ports(&info, &mut warnings),
            [Port::tcp(3306), Port::udp(53), Port::icmp()]
        );
        assert_eq!(warnings.len(), 1);
    }
}
