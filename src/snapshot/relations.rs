//! The unit's relations: `show-unit`'s relation info, with this unit's and this
//! application's databags read in the unit with `relation-get`.
//!
//! `juju exec --unit <unit> -- relation-get --format json -r <id> - <unit>` prints the unit's
//! own databag and `... --app - <app>` the application's, as a JSON object of strings
//! (internal/worker/uniter/runner/jujuc/relation-get.go: with the key `-` it writes the whole
//! settings map through the chosen formatter). A unit that is not the leader cannot read its
//! application's databag of a regular relation (Juju refuses it), so that bag is left empty
//! there; of a peer relation every unit can read it.
//!
//! The kind of each relation comes from the charm's metadata: a `peers` endpoint is a
//! [`PeerRelation`], an endpoint with `scope: container` a [`SubordinateRelation`], any other
//! a [`Relation`]. An endpoint the metadata does not declare (Juju's implicit `juju-info`) is
//! told by the scope `juju status` gives it.

use std::collections::BTreeMap;

use super::runner::Juju;
use super::status::RelatedApp;
use super::unit::{databag_of, RelationInfo, UnitInfo};
use crate::charm::{CharmMeta, EndpointRole};
use crate::error::{Error, Result};
use crate::state::{AnyRelation, PeerRelation, Relation, SubordinateRelation};

/// The kind of relation an endpoint makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Regular,
    Peer,
    Subordinate,
}

/// The kind of relation on `endpoint`, by the metadata, else by what `juju status` says.
pub(crate) fn kind_of(
    meta: &CharmMeta,
    endpoint: &str,
    related: Option<&Vec<RelatedApp>>,
    own_app: &str,
) -> Kind {
    match meta.endpoints.get(endpoint) {
        Some(e) if e.role == EndpointRole::Peers => Kind::Peer,
        Some(e) if e.container_scoped => Kind::Subordinate,
        Some(_) => Kind::Regular,
        None => {
            let related = related.map(Vec::as_slice).unwrap_or_default();
            if related
                .iter()
                .any(|r| r.scope.as_deref() == Some("container"))
            {
                Kind::Subordinate
            } else if !related.is_empty() && related.iter().all(|r| r.app == own_app) {
                Kind::Peer
            } else {
                Kind::Regular
            }
        }
    }
}

/// `app/N` split into the application and the unit number.
pub(crate) fn split_unit(name: &str) -> Option<(&str, u32)> {
    let (app, n) = name.rsplit_once('/')?;
    Some((app, n.parse().ok()?))
}

/// The unit's relations, in `show-unit`'s order.
///
/// # Errors
/// [`Error::Juju`] when `relation-get` fails in the unit, or `show-unit` gives a relation
/// no id (Juju before 3 did not).
pub(crate) fn gather(
    juju: &Juju,
    unit: &str,
    leader: bool,
    info: &UnitInfo,
    meta: &CharmMeta,
    related: &BTreeMap<String, Vec<RelatedApp>>,
    warnings: &mut Vec<String>,
) -> Result<Vec<AnyRelation>> {
    let (app, _) = split_unit(unit).unwrap_or((unit, 0));
    let mut out = Vec::new();
    for ri in &info.relations {
        let id = ri.relation_id.ok_or_else(|| Error::Juju {
            command: juju.line("show-unit", &[unit, "--format", "json"]),
            message: format!(
                "gives no relation-id for the relation on {:?} (Juju 3 gives one)",
                ri.endpoint
            ),
        })?;
        let id_text = id.to_string();
        let related_here = related.get(&ri.endpoint);
        let kind = kind_of(meta, &ri.endpoint, related_here, app);
        let interface = if meta.endpoints.contains_key(&ri.endpoint) {
            None
        } else {
            warnings.push(format!(
                "relation {id} is on {:?}, an endpoint the charm's metadata does not declare",
                ri.endpoint
            ));
            related_here.and_then(|r| r.iter().find_map(|r| r.interface.clone()))
        };
        // The other units in scope, by application and number.
        let mut units: Vec<(String, u32, BTreeMap<String, String>)> = Vec::new();
        for (name, data) in ri.related_units.iter().flatten() {
            if !data.in_scope || name == unit {
                continue;
            }
            match split_unit(name) {
                Some((remote_app, n)) => {
                    units.push((remote_app.to_owned(), n, databag_of(data.data.as_ref())))
                }
                None => warnings.push(format!(
                    "relation {id}: {name:?} is not a unit name; left out"
                )),
            }
        }
        let local_unit_data = relation_get(juju, unit, &["-r", &id_text, "-", unit])?;
        let local_app_data = if leader || kind == Kind::Peer {
            relation_get(juju, unit, &["-r", &id_text, "--app", "-", app])?
        } else {
            BTreeMap::new()
        };
        let remote_app_data = databag_of(ri.application_data.as_ref());
        let remote_app = remote_app_of(ri, unit, related_here);
        let relation: AnyRelation = match kind {
            Kind::Peer => {
                let mut peer = PeerRelation::new(&ri.endpoint)
                    .id(id)
                    .local_app_data(local_app_data)
                    .local_unit_data(local_unit_data);
                for (_, n, data) in units {
                    peer = peer.peer_data(n, data);
                }
                peer.interface = interface;
                peer.into()
            }
            Kind::Subordinate => {
                let mut sub = SubordinateRelation::new(&ri.endpoint)
                    .id(id)
                    .local_app_data(local_app_data)
                    .local_unit_data(local_unit_data)
                    .remote_app_data(remote_app_data);
                if let Some(remote_app) = &remote_app {
                    sub = sub.remote_app_name(remote_app);
                }
                if units.len() > 1 {
                    warnings.push(format!(
                        "subordinate relation {id} has {} other units; the first is kept",
                        units.len()
                    ));
                }
                match units.into_iter().next() {
                    Some((_, n, data)) => sub = sub.remote_unit_id(n).remote_unit_data(data),
                    None => warnings.push(format!(
                        "subordinate relation {id} has no other unit in scope; its default is kept"
                    )),
                }
                sub.interface = interface;
                sub.into()
            }
            Kind::Regular => {
                let mut regular = Relation::new(&ri.endpoint)
                    .id(id)
                    .local_app_data(local_app_data)
                    .local_unit_data(local_unit_data)
                    .remote_app_data(remote_app_data)
                    .remote_units([]);
                match &remote_app {
                    Some(remote_app) => regular = regular.remote_app_name(remote_app),
                    None => warnings.push(format!(
                        "relation {id} on {:?}: the remote application cannot be told (no unit in scope, and juju status names none or several); it is left {:?}",
                        ri.endpoint, regular.remote_app_name
                    )),
                }
                for (_, n, data) in units {
                    regular = regular.remote_unit_data(n, data);
                }
                if ri.cross_model {
                    warnings.push(format!(
                        "relation {id} is cross-model: the remote model's uuid is not known, so it is left out"
                    ));
                }
                regular.interface = interface;
                regular.into()
            }
        };
        out.push(relation);
    }
    Ok(out)
}

/// The application at the other end of a relation: that of its other units in scope, else
/// the one `juju status` relates the endpoint to, when it names only one.
pub(crate) fn remote_app_of(
    ri: &RelationInfo,
    unit: &str,
    related: Option<&Vec<RelatedApp>>,
) -> Option<String> {
    ri.related_units
        .iter()
        .flatten()
        .filter(|(name, data)| data.in_scope && name.as_str() != unit)
        .find_map(|(name, _)| split_unit(name).map(|(app, _)| app.to_owned()))
        .or_else(|| match related.map(Vec::as_slice) {
            Some([only]) => Some(only.app.clone()),
            _ => None,
        })
}

/// A databag read in the unit with `relation-get --format json <args>`.
fn relation_get(juju: &Juju, unit: &str, args: &[&str]) -> Result<BTreeMap<String, String>> {
    let mut command = vec!["relation-get", "--format", "json"];
    command.extend_from_slice(args);
    let bag: Option<BTreeMap<String, serde_json::Value>> = juju.exec_json(unit, &command)?;
    Ok(databag_of(bag.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::super::fake::FakeJuju;
    use super::super::unit;
    use super::*;
    use crate::state::Databag;

    const META: &str = "name: gateway\nsubordinate: true\n\
        requires:\n  host: {interface: juju-info, scope: container}\n  db: {interface: pgsql}\n\
        peers:\n  cluster: {interface: gateway-peers}\n";

    const SHOW_UNIT: &str = r#"{"gateway/1": {"machine": "1", "opened-ports": [], "charm": "local:gateway-0", "leader": false,
      "relation-info": [
        {"relation-id": 1, "endpoint": "host", "related-endpoint": "juju-info", "application-data": {},
         "local-unit": {"in-scope": true, "data": {"private-address": "10.0.0.2"}},
         "related-units": {"ubuntu/1": {"in-scope": true, "data": {"private-address": "10.0.0.2"}}}},
        {"relation-id": 2, "endpoint": "cluster", "related-endpoint": "cluster", "application-data": {"leader-host": "10.0.0.1"},
         "local-unit": {"in-scope": true, "data": {}},
         "related-units": {"gateway/0": {"in-scope": true, "data": {"ready": "true"}},
                           "gateway/2": {"in-scope": false, "data": {}}}},
        {"relation-id": 3, "endpoint": "db", "related-endpoint": "database", "application-data": {"host": "10.0.0.9"},
         "local-unit": {"in-scope": true, "data": null},
         "related-units": {"postgresql/0": {"in-scope": true, "data": {"ingress-address": "10.0.0.9"}}}}
      ]}}"#;

    fn fake() -> FakeJuju {
        FakeJuju::new()
            .ok("show-unit gateway/1 --format json", SHOW_UNIT)
            .exec(
                "gateway/1",
                "relation-get --format json -r 1 - gateway/1",
                r#"{"private-address":"10.0.0.2"}"#,
            )
            .exec(
                "gateway/1",
                "relation-get --format json -r 2 - gateway/1",
                r#"{"ready":"false"}"#,
            )
            .exec(
                "gateway/1",
                "relation-get --format json -r 2 --app - gateway",
                r#"{"leader-host":"10.0.0.1"}"#,
            )
            .exec(
                "gateway/1",
                "relation-get --format json -r 3 - gateway/1",
                "{}",
            )
    }

    #[test]
    fn relations_are_told_apart_by_the_metadata_and_a_non_leader_reads_no_app_bag() {
        let fake = fake();
        let juju = Juju::new(&fake, None);
        let info = unit::gather(&juju, "gateway/1").unwrap();
        let meta = CharmMeta::from_charmcraft_yaml(META).unwrap();
        let mut warnings = Vec::new();
        let got = gather(
            &juju,
            "gateway/1",
            false,
            &info,
            &meta,
            &BTreeMap::new(),
            &mut warnings,
        )
        .unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let bag = |pairs: &[(&str, &str)]| pairs.iter().copied().collect::<Databag>();
        assert_eq!(
            got,
            [
                AnyRelation::from(
                    SubordinateRelation::new("host")
                        .id(1)
                        .remote_app_name("ubuntu")
                        .remote_unit_id(1)
                        .local_app_data(bag(&[]))
                        .local_unit_data(bag(&[("private-address", "10.0.0.2")]))
                        .remote_unit_data(bag(&[("private-address", "10.0.0.2")]))
                ),
                PeerRelation::new("cluster")
                    .id(2)
                    .local_app_data(bag(&[("leader-host", "10.0.0.1")]))
                    .local_unit_data(bag(&[("ready", "false")]))
                    .peer_data(0, bag(&[("ready", "true")]))
                    .into(),
                Relation::new("db")
                    .id(3)
                    .remote_app_name("postgresql")
                    .local_unit_data(bag(&[]))
                    .remote_app_data(bag(&[("host", "10.0.0.9")]))
                    .remote_units([])
                    .remote_unit_data(0, bag(&[("ingress-address", "10.0.0.9")]))
                    .into(),
            ]
        );
        assert!(
            !fake.calls().iter().any(|c| c.contains("-r 3 --app")),
            "a non-leader does not read its app bag of a regular relation"
        );
    }

    #[test]
    fn an_endpoint_outside_the_metadata_is_told_by_its_scope() {
        let meta = CharmMeta::from_charmcraft_yaml("name: ubuntu\n").unwrap();
        let container = vec![RelatedApp {
            app: "gateway".into(),
            interface: Some("juju-info".into()),
            scope: Some("container".into()),
        }];
        assert_eq!(
            kind_of(&meta, "juju-info", Some(&container), "ubuntu"),
            Kind::Subordinate
        );
        assert_eq!(kind_of(&meta, "juju-info", None, "ubuntu"), Kind::Regular);
    }
}
