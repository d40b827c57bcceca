//! Relation, relation-event and network rules.

use std::collections::BTreeMap;

use super::{suggest, Checked};
use crate::charm::{CharmMeta, EndpointRole};
use crate::error::{Rule, Violation};
use crate::event::{
    endpoint_matches, Event, Prepared, RelationHook, RelationTargetError, RemoteUnitChoice,
};
use crate::options::ContextOptions;
use crate::state::{AnyRelation, State, StoredValue};

/// A relation event must name a relation in the State on its endpoint, and the units Juju
/// would name for that hook.
pub(super) fn check_relation_event(
    meta: &CharmMeta,
    options: &ContextOptions,
    event: &Event,
    prepared: &Prepared,
    out: &mut Checked,
) {
    let entity = event.entity().unwrap_or("");
    if !meta.endpoints.keys().any(|e| endpoint_matches(e, entity)) {
        let v = Violation::new(
            Rule::EventUnknown,
            format!(
                "{:?} names relation endpoint {entity:?}, which the charm's metadata does not declare",
                event.name
            ),
        );
        out.errors.push(v.hint(suggest(
            entity,
            meta.endpoints.keys().map(String::as_str),
            "relation endpoints",
        )));
        return;
    }
    let target = match &prepared.scope.relation {
        Ok(target) => target,
        Err(err) => {
            out.errors.push(match err {
                RelationTargetError::NoneOnEndpoint => Violation::new(
                    Rule::RelationMissing,
                    format!("{:?} needs a relation on endpoint {entity:?}, and the State has none", event.name),
                )
                .hint("add the relation to State.relations and build the event from it: relation.changed_event()"),
                &RelationTargetError::NoSuchId(id) => Violation::new(
                    Rule::RelationNotInState,
                    format!("{:?} is for relation {id}, which is not in the State", event.name),
                ),
                RelationTargetError::OtherEndpoint { id, endpoint } => Violation::new(
                    Rule::RelationEndpointMismatch,
                    format!("{:?} is for relation {id}, which is on endpoint {endpoint:?}", event.name),
                ),
                RelationTargetError::SeveralOnEndpoint(ids) => Violation::new(
                    Rule::RelationAmbiguous,
                    format!(
                        "{:?} gives no relation id and the State has several relations on {entity:?} (ids {})",
                        event.name,
                        ids.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
                    ),
                )
                .hint("give the relations ids, or the event one: .relation_id(n)"),
                RelationTargetError::NotARelationEvent => return,
            });
            return;
        }
    };
    let hook = target.hook;
    if !hook.has_remote_unit() && event.remote_unit.is_some() {
        out.errors.push(Violation::new(
            Rule::RelationRemoteUnit,
            format!(
                "{:?}: Juju names no remote unit for this hook, so the event cannot give one",
                event.name
            ),
        ));
    }
    if hook != RelationHook::Departed && event.departing_unit.is_some() {
        out.errors.push(Violation::new(
            Rule::RelationDepartingUnit,
            format!(
                "{:?}: only relation-departed has a departing unit",
                event.name
            ),
        ));
    }
    let relation = &prepared.state.relations[target.index];
    let remote_units = relation.remote_unit_ids();
    match target.remote_unit_choice {
        RemoteUnitChoice::NoneAvailable => out.errors.push(
            Violation::new(
                Rule::RelationNoRemoteUnit,
                format!(
                    "{:?} needs a remote unit, and relation {} has none",
                    event.name, target.relation_id
                ),
            )
            .hint("add a remote unit to the relation, or name one with .remote_unit(n)"),
        ),
        RemoteUnitChoice::FirstOfSeveral => out.warnings.push(Violation::new(
            Rule::RelationRemoteUnitDefaulted,
            format!(
                "{:?} names no remote unit; relation {} has several, so the first ({}) is used",
                event.name,
                target.relation_id,
                target.remote_unit_id.unwrap_or_default()
            ),
        )),
        RemoteUnitChoice::OnlyOne | RemoteUnitChoice::Given => {}
    }
    // When this unit leaves a peer relation, Juju names it as the departing unit.
    let this_unit_departs_peers =
        matches!(relation, AnyRelation::Peer(_)) && event.departing_unit == Some(options.unit_id);
    for (what, unit) in [
        ("remote", event.remote_unit),
        (
            "departing",
            event.departing_unit.filter(|_| !this_unit_departs_peers),
        ),
    ] {
        if let Some(unit) = unit.filter(|u| !remote_units.contains(u)) {
            out.warnings.push(Violation::new(
                Rule::RelationUnitUnknown,
                format!(
                    "{:?} names {what} unit {unit}, which relation {} does not have",
                    event.name, target.relation_id
                ),
            ));
        }
    }
}

/// Every relation in the State must be one the charm's metadata allows, of the right kind.
pub(super) fn check_relations(
    meta: &CharmMeta,
    options: &ContextOptions,
    state: &State,
    out: &mut Checked,
) {
    // The State is normalised: every relation has its id.
    let ids: Vec<u32> = state.relations.iter().filter_map(AnyRelation::id).collect();
    let mut per_endpoint: BTreeMap<&str, u64> = BTreeMap::new();
    for (i, relation) in state.relations.iter().enumerate() {
        let at = format!("relations[{i}]");
        let name = relation.endpoint();
        if ids[..i].contains(&ids[i]) {
            out.errors.push(Violation::new(
                Rule::RelationDuplicateId,
                format!(
                    "{at}: relation id {} is used by more than one relation",
                    ids[i]
                ),
            ));
        }
        let Some(endpoint) = meta.endpoints.get(name) else {
            let v = Violation::new(
                Rule::RelationEndpoint,
                format!("{at}: {name:?} is not a relation endpoint in the charm's metadata"),
            );
            out.errors.push(v.hint(suggest(
                name,
                meta.endpoints.keys().map(String::as_str),
                "relation endpoints",
            )));
            continue;
        };
        *per_endpoint.entry(name).or_default() += 1;
        let expected = match (endpoint.role, endpoint.container_scoped) {
            (EndpointRole::Peers, _) => "peer",
            (_, true) => "subordinate",
            (_, false) => "regular",
        };
        if relation.kind_name() != expected {
            out.errors.push(
                Violation::new(
                    Rule::RelationKind,
                    format!(
                        "{at}: endpoint {name:?} needs a {expected} relation, the State gives a {} relation",
                        relation.kind_name()
                    ),
                )
                .hint(match expected {
                    "peer" => "endpoints under `peers` are PeerRelations",
                    "subordinate" => "endpoints with `scope: container` are SubordinateRelations",
                    _ => "use Relation for endpoints under requires/provides",
                }),
            );
        }
        // A warning, not an error: Juju has one interface per endpoint, so the State says what
        // Juju never has, but the charm cannot see it (ops reads interfaces from the metadata),
        // and suites written for ops.testing, which does not check it, often give another.
        if let Some(interface) = relation.interface() {
            if interface != endpoint.interface {
                out.warnings.push(
                    Violation::new(
                        Rule::RelationInterface,
                        format!(
                            "{at}: endpoint {name:?} has interface {:?}, the State gives \
                             {interface:?}",
                            endpoint.interface
                        ),
                    )
                    .hint("the charm sees the metadata's interface; give that one, or none"),
                );
            }
        }
        if let AnyRelation::Peer(peer) = relation {
            if peer.peers_data.contains_key(&options.unit_id) {
                out.errors.push(
                    Violation::new(
                        Rule::RelationPeerIsSelf,
                        format!(
                            "{at}: peers_data has unit {}, which is the unit under test",
                            options.unit_id
                        ),
                    )
                    .hint("this unit's own databag is local_unit_data; peers_data holds the other units"),
                );
            }
        }
    }
    for (name, count) in per_endpoint {
        if let Some(limit) = meta.endpoints[name].limit.filter(|l| count > *l) {
            out.warnings.push(Violation::new(
                Rule::RelationLimit,
                format!("endpoint {name:?} has limit {limit}, and the State has {count} relations on it"),
            ));
        }
    }
}

/// Networks must be for bindings the charm has.
pub(super) fn check_networks(meta: &CharmMeta, state: &State, out: &mut Checked) {
    for (i, network) in state.networks.iter().enumerate() {
        let binding = network.binding_name.as_str();
        if state.networks[..i]
            .iter()
            .any(|n| n.binding_name == binding)
        {
            out.errors.push(Violation::new(
                Rule::NetworkDuplicate,
                format!("networks[{i}]: binding {binding:?} has more than one network"),
            ));
        }
        // Juju binds every endpoint, container-scoped ones included, and every extra-binding
        // (`DefaultEndpointBindingsForCharm` over `Meta.CombinedRelations`,
        // `state/endpoint_bindings.go`, 3.x); juju-info is an endpoint of every charm.
        let known = binding == "juju-info"
            || meta.extra_bindings.iter().any(|b| b == binding)
            || meta.endpoints.contains_key(binding);
        if !known {
            out.errors.push(Violation::new(
                Rule::NetworkBinding,
                format!(
                    "networks[{i}]: {binding:?} is not a binding of the charm (a relation endpoint, an extra-binding, or juju-info)"
                ),
            ));
        }
    }
    for binding in &meta.extra_bindings {
        if meta.endpoints.contains_key(binding) {
            out.errors.push(Violation::new(
                Rule::NetworkExtraBinding,
                format!("extra-binding {binding:?} has the name of a relation endpoint"),
            ));
        }
    }
}

/// A deferred relation event must say which relation it is for, so ops can restore it: its
/// snapshot, as ops wrote it or as the run completed it from the State, names the relation's
/// endpoint, id and remote application.
pub(super) fn check_deferred_relation_events(state: &State, out: &mut Checked) {
    for (i, deferred) in state.deferred.iter().enumerate() {
        if RelationHook::of_name(deferred.name()).is_none() {
            continue;
        }
        let snapshot = &deferred.snapshot_data;
        let complete = matches!(snapshot.get("relation_name"), Some(StoredValue::Str(_)))
            && matches!(snapshot.get("relation_id"), Some(StoredValue::Int(_)))
            && snapshot.contains_key("app_name");
        if !complete {
            out.errors.push(
                Violation::new(
                    Rule::DeferredRelation,
                    format!(
                        "deferred[{i}]: {:?} is a relation event whose relation cannot be told from its snapshot",
                        deferred.handle_path
                    ),
                )
                .hint("build it from the relation's event (relation.changed_event().deferred(..)), or give relation_name and relation_id"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::check_state;
    use crate::charm::CharmMeta;
    use crate::event::Event;
    use crate::options::ContextOptions;
    use crate::state::{Network, PeerRelation, Relation, State, SubordinateRelation};

    fn meta() -> CharmMeta {
        CharmMeta::from_values(
            serde_json::json!({
                "name": "demo",
                "requires": {"db": {"interface": "pgsql", "limit": 1}, "info": {"interface": "juju-info", "scope": "container"}},
                "peers": {"cluster": {"interface": "demo-peers"}},
                "extra-bindings": {"metrics": null},
            }),
            None,
            None,
        )
        .unwrap()
    }

    fn errors(event: &Event, state: &State) -> Vec<String> {
        let mut rules: Vec<String> = check_state(&meta(), &ContextOptions::default(), event, state)
            .errors
            .into_iter()
            .map(|v| v.rule.id().to_owned())
            .collect();
        rules.sort();
        rules
    }

    fn warnings(event: &Event, state: &State) -> Vec<String> {
        check_state(&meta(), &ContextOptions::default(), event, state)
            .warnings
            .into_iter()
            .map(|v| v.rule.id().to_owned())
            .collect()
    }

    #[test]
    fn an_unknown_endpoint_gets_the_nearest_or_the_declared_ones() {
        let hints = |event: &Event| -> Vec<String> {
            check_state(
                &meta(),
                &ContextOptions::default(),
                event,
                &State::default(),
            )
            .errors
            .into_iter()
            .filter_map(|v| v.hint)
            .collect()
        };
        assert_eq!(
            hints(&Event::new("dbb_relation_changed")),
            ["did you mean \"db\"?"]
        );
        assert_eq!(
            hints(&Event::new("postgresql_relation_changed")),
            ["the charm declares the relation endpoints \"db\", \"info\", \"cluster\""]
        );
    }

    #[test]
    fn a_relation_event_needs_its_relation() {
        let db = Relation::new("db");
        assert_eq!(
            errors(&db.changed_event(), &State::default()),
            ["relation.missing"]
        );
        assert!(errors(
            &db.changed_event(),
            &State::default().relations([db.clone()])
        )
        .is_empty());
        let state = State::default().relations([db.clone().id(1), Relation::new("db").id(2)]);
        assert_eq!(errors(&db.changed_event(), &state), ["relation.ambiguous"]);
        assert_eq!(
            errors(&db.clone().id(7).changed_event(), &state),
            ["relation.not_in_state"]
        );
        let state = State::default().relations([PeerRelation::new("cluster").id(3)]);
        assert_eq!(
            errors(&db.changed_event().relation_id(3), &state),
            ["relation.endpoint_mismatch"]
        );
        assert_eq!(
            errors(&Event::new("dbb_relation_changed"), &State::default()),
            ["event.unknown"]
        );
    }

    #[test]
    fn remote_units_must_fit_the_hook() {
        let db = Relation::new("db").remote_units([]);
        let state = State::default().relations([db.clone()]);
        assert_eq!(
            errors(&db.changed_event(), &state),
            ["relation.no_remote_unit"]
        );
        assert!(errors(&db.created_event(), &state).is_empty());
        assert!(errors(&db.broken_event(), &state).is_empty());
        assert_eq!(
            errors(&db.created_event().remote_unit(0), &state),
            ["relation.remote_unit"]
        );
        assert_eq!(
            errors(&db.changed_event().remote_unit(0).departing_unit(0), &state),
            ["relation.departing_unit"]
        );
        let several = Relation::new("db").remote_units([0, 1]);
        let state = State::default().relations([several.clone()]);
        assert_eq!(
            warnings(&several.joined_event(), &state),
            ["relation.remote_unit_defaulted"]
        );
        assert_eq!(
            warnings(&several.joined_event().remote_unit(5), &state),
            ["relation.unit_unknown"]
        );
        assert_eq!(
            errors(&Event::start().remote_unit(1), &State::default()),
            ["event.args"]
        );
    }

    #[test]
    fn relations_must_match_the_metadata() {
        let state = State::default()
            .relations([
                Relation::new("dbb"),
                Relation::new("cluster"),
                Relation::new("db").interface("mysql"),
            ])
            .relations([PeerRelation::new("cluster").id(1).peers([0])])
            .relations([SubordinateRelation::new("db").id(1)]);
        assert_eq!(
            errors(&Event::start(), &state),
            [
                "relation.duplicate_id",
                "relation.endpoint",
                "relation.kind",
                "relation.kind",
                "relation.peer_is_self",
            ]
        );
        assert_eq!(
            warnings(&Event::start(), &state),
            ["relation.interface", "relation.limit"]
        );
        let two = State::default().relations([Relation::new("db"), Relation::new("db")]);
        assert_eq!(warnings(&Event::start(), &two), ["relation.limit"]);
    }

    #[test]
    fn networks_must_be_for_bindings() {
        let state = State::default().networks([
            Network::new("db"),
            Network::new("metrics"),
            Network::new("juju-info"),
            // A container-scoped endpoint is a binding too.
            Network::new("info"),
            Network::new("nope"),
            Network::new("db"),
        ]);
        assert_eq!(
            errors(&Event::start(), &state),
            ["network.binding", "network.duplicate"]
        );
    }

    #[test]
    fn deferred_relation_events_must_name_their_relation() {
        let db = Relation::new("db");
        let deferred = db.changed_event().deferred("C", "_on_changed");
        assert!(errors(
            &Event::start(),
            &State::default()
                .relations([db.clone()])
                .deferred([deferred.clone()])
        )
        .is_empty());
        assert_eq!(
            errors(&Event::start(), &State::default().deferred([deferred])),
            ["deferred.relation"]
        );
    }
}
